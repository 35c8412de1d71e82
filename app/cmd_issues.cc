// `rockhound issues list|show|ack|triage|dispose`: the alert issues the tracker grouped (open
// first, escalated marked), one issue's alert timeline, lifecycle events and investigations, and
// the triage and disposition steps (who: --actor, default $USER).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/app_context.h"
#include "core/time_format.h"
#include "service/issues.h"

namespace rh::app {
namespace {

struct IssuesListOptions {
  service::IssueQueryText query;
  std::string format = "table";
};

struct StepOptions {
  std::string issue_id;
  std::string status;
  std::string ticket;
  std::string actor;
  std::string note;
  std::string format = "table";
};

std::string Cut(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

std::string ActorOr(const std::string& actor) {
  if (!actor.empty()) return actor;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("cli:") + user : "cli";
}

Status RunIssuesList(AppContext& ctx, const IssuesListOptions& options) {
  RH_ASSIGN_OR_RETURN(issues::IssuePage page, service::Issues(ctx.runtime()).List(options.query));
  if (options.format == "json") {
    Json list = Json::array();
    for (const issues::Issue& issue : page.issues) list.push_back(service::IssueJson(issue));
    std::printf("%s\n",
                DumpJson(Json{{"issues", std::move(list)},
                              {"next_cursor",
                               page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}},
                         2)
                    .c_str());
    return {};
  }
  if (page.issues.empty()) {
    std::printf(
        "no issues match (issues appear once alerts arrive: the webhook, the Lark feed, "
        "or `rockhound cycle`)\n");
    return {};
  }
  std::printf("%-30s %-14s %-8s %-9s %-13s %-16s %-19s %5s  %s\n", "ISSUE", "CLUSTER", "KIND",
              "STATUS", "TRIAGE", "DISPOSITION", "LAST ALERT", "ALRTS", "TITLE");
  for (const issues::Issue& issue : page.issues) {
    std::printf("%-30s %-14s %-8s %-9s %-13s %-16s %-19s %5d  %s%s\n", issue.issue_id.c_str(),
                Cut(issue.cluster_id, 14).c_str(), std::string(IssueKindName(issue.kind)).c_str(),
                std::string(IssueStatusName(issue.issue_status)).c_str(),
                std::string(TriageStatusName(issue.triage_status)).c_str(),
                std::string(DispositionStatusName(issue.disposition_status)).c_str(),
                FormatSqlTime(issue.last_alert_at).c_str(), issue.alert_count,
                issue.escalated ? "[ESCALATED] " : "", issue.title.c_str());
  }
  if (!page.next_cursor.empty()) {
    std::printf("(more: --cursor '%s')\n", page.next_cursor.c_str());
  }
  return {};
}

Status RunIssuesShow(AppContext& ctx, const StepOptions& options) {
  RH_ASSIGN_OR_RETURN(service::IssueView view,
                      service::Issues(ctx.runtime()).Get(options.issue_id));
  if (options.format == "json") {
    std::printf("%s\n", DumpJson(service::IssueViewJson(view), 2).c_str());
    return {};
  }
  const issues::Issue& issue = view.detail.issue;
  std::printf("%s  %s on %s%s\n", issue.issue_id.c_str(),
              std::string(IssueKindName(issue.kind)).c_str(), issue.cluster_id.c_str(),
              issue.escalated ? "  [ESCALATED]" : "");
  std::printf("  %s\n", issue.title.c_str());
  std::printf("  issue_status %s · triage %s · disposition %s%s\n",
              std::string(IssueStatusName(issue.issue_status)).c_str(),
              std::string(TriageStatusName(issue.triage_status)).c_str(),
              std::string(DispositionStatusName(issue.disposition_status)).c_str(),
              issue.ticket_ref.empty() ? "" : (" (" + issue.ticket_ref + ")").c_str());
  std::printf("  first alert %s, last %s%s; %d messages, %d still firing\n",
              FormatSqlTime(issue.first_alert_at).c_str(),
              FormatSqlTime(issue.last_alert_at).c_str(),
              issue.resolved_at ? (", resolved " + FormatSqlTime(*issue.resolved_at)).c_str() : "",
              issue.alert_count, issue.open_alerts);
  std::printf("\nALERT TIMELINE\n");
  for (const issues::IssueAlert& alert : view.detail.alerts) {
    std::printf("  %s  %-8s %-9s %s\n", FormatSqlTime(alert.event_at).c_str(), alert.status.c_str(),
                alert.severity.empty() ? "-" : alert.severity.c_str(), alert.alert_name.c_str());
  }
  std::printf("\nHISTORY\n");
  for (const issues::IssueEvent& event : view.detail.events) {
    std::printf("  %s  %-16s %s: %s -> %s%s\n", FormatSqlTime(event.at).c_str(),
                event.actor.c_str(), event.field.c_str(),
                event.from_value.empty() ? "-" : event.from_value.c_str(), event.to_value.c_str(),
                event.note.empty() ? "" : ("  (" + event.note + ")").c_str());
  }
  if (!view.reports.empty()) {
    std::printf("\nINVESTIGATIONS\n");
    for (const auto& [task_id, report_id] : view.reports) {
      std::printf("  %s  %s\n", task_id.c_str(),
                  report_id.empty() ? "(running or queued)" : report_id.c_str());
    }
  }
  return {};
}

Status PrintMoved(const issues::Issue& issue) {
  std::printf("%s: triage %s, disposition %s%s\n", issue.issue_id.c_str(),
              std::string(TriageStatusName(issue.triage_status)).c_str(),
              std::string(DispositionStatusName(issue.disposition_status)).c_str(),
              issue.ticket_ref.empty() ? "" : (" (" + issue.ticket_ref + ")").c_str());
  return {};
}

}  // namespace

void RegisterIssuesCommands(CLI::App& app, Action* chosen) {
  CLI::App* group = app.add_subcommand(
      "issues", "Alert issues: alerts grouped by cluster into ANOMALY and FAILURE issues");
  group->require_subcommand(1);

  auto list_options = std::make_shared<IssuesListOptions>();
  CLI::App* list = group->add_subcommand("list",
                                         "List issues, open first (escalated ones marked)\n"
                                         "  rockhound issues list --status open --escalated");
  list->add_option("--cluster", list_options->query.cluster_id, "Only this cluster");
  list->add_option("--status", list_options->query.status, "open | resolved");
  list->add_option("--triage", list_options->query.triage,
                   "Only this triage state (" + std::string(TriageStatusNames()) + ")");
  list->add_option("--kind", list_options->query.kind, "anomaly | failure");
  list->add_flag("--escalated", list_options->query.escalated_only, "Only escalated issues");
  list->add_option("--limit", list_options->query.limit, "At most this many (1-500, default 50)");
  list->add_option("--cursor", list_options->query.cursor, "Next page");
  AddFormatOption(list, &list_options->format, "table", "the same fields as GET /api/v1/issues");
  list->callback([chosen, list_options] {
    *chosen = [list_options](AppContext& ctx) { return RunIssuesList(ctx, *list_options); };
  });

  auto show_options = std::make_shared<StepOptions>();
  CLI::App* show = group->add_subcommand("show", "One issue: alert timeline, history, reports");
  show->add_option("issue_id", show_options->issue_id, "Issue id (iss_...)")->required();
  AddFormatOption(show, &show_options->format, "table",
                  "the same fields as GET /api/v1/issues/{id}");
  show->callback([chosen, show_options] {
    *chosen = [show_options](AppContext& ctx) { return RunIssuesShow(ctx, *show_options); };
  });

  auto ack_options = std::make_shared<StepOptions>();
  CLI::App* ack = group->add_subcommand("ack", "Acknowledge an issue (triage New -> Acknowledged)");
  ack->add_option("issue_id", ack_options->issue_id, "Issue id")->required();
  ack->add_option("--actor", ack_options->actor, "Who (default cli:$USER)");
  ack->add_option("--note", ack_options->note, "Why, recorded with the change");
  ack->callback([chosen, ack_options] {
    *chosen = [ack_options](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(
          issues::Issue issue,
          service::Issues(ctx.runtime())
              .Acknowledge(ack_options->issue_id, ActorOr(ack_options->actor), ack_options->note));
      return PrintMoved(issue);
    };
  });

  auto triage_options = std::make_shared<StepOptions>();
  CLI::App* triage = group->add_subcommand(
      "triage", "Move an issue's triage forward: " + std::string(TriageStatusNames()) +
                    "\n  rockhound issues triage iss_... mitigating --note \"rolled back\"");
  triage->add_option("issue_id", triage_options->issue_id, "Issue id")->required();
  triage->add_option("status", triage_options->status, "The new triage state")->required();
  triage->add_option("--actor", triage_options->actor, "Who (default cli:$USER)");
  triage->add_option("--note", triage_options->note, "Why, recorded with the change");
  triage->callback([chosen, triage_options] {
    *chosen = [triage_options](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(issues::Issue issue,
                          service::Issues(ctx.runtime())
                              .Triage(triage_options->issue_id, triage_options->status,
                                      ActorOr(triage_options->actor), triage_options->note));
      return PrintMoved(issue);
    };
  });

  auto dispose_options = std::make_shared<StepOptions>();
  CLI::App* dispose = group->add_subcommand(
      "dispose",
      "Set an issue's disposition: no-action-needed, or jira-created --ticket OPS-1\n"
      "  rockhound issues dispose iss_... jira-created --ticket OPS-1234");
  dispose->add_option("issue_id", dispose_options->issue_id, "Issue id")->required();
  dispose->add_option("status", dispose_options->status, "no-action-needed | jira-created")
      ->required();
  dispose->add_option("--ticket", dispose_options->ticket, "The JIRA ticket (jira-created)");
  dispose->add_option("--actor", dispose_options->actor, "Who (default cli:$USER)");
  dispose->add_option("--note", dispose_options->note, "Why, recorded with the change");
  dispose->callback([chosen, dispose_options] {
    *chosen = [dispose_options](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(
          issues::Issue issue,
          service::Issues(ctx.runtime())
              .Dispose(dispose_options->issue_id, dispose_options->status, dispose_options->ticket,
                       ActorOr(dispose_options->actor), dispose_options->note));
      return PrintMoved(issue);
    };
  });
}

}  // namespace rh::app
