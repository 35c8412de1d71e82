#include "service/issues.h"

#include <algorithm>
#include <set>

#include "core/log.h"
#include "core/time_format.h"
#include "service/investigations.h"
#include "store/task_queue.h"

namespace rh::service {
namespace {

constexpr size_t kContextAlerts = 50;  // the latest alerts of an issue a task carries
constexpr size_t kBriefDetail = 500;

Json OptionalTime(const std::optional<TimePoint>& at) {
  return at ? Json(FormatIsoTime(*at)) : Json(nullptr);
}

Json EmptyNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

// Whether `tier` is listed in issues.investigate_tiers ("S,A").
bool TierListed(const std::string& tiers, const std::string& tier) {
  if (tier.empty()) return false;
  for (size_t pos = 0; pos < tiers.size(); ++pos) {
    if (tiers.compare(pos, tier.size(), tier) == 0) {
      const bool start_ok = pos == 0 || tiers[pos - 1] == ',' || tiers[pos - 1] == ' ';
      const size_t end = pos + tier.size();
      const bool end_ok = end == tiers.size() || tiers[end] == ',' || tiers[end] == ' ';
      if (start_ok && end_ok) return true;
    }
  }
  return false;
}

Json IssueAlertJson(const issues::IssueAlert& alert, bool brief) {
  std::string detail = alert.detail;
  if (brief && detail.size() > kBriefDetail) detail = detail.substr(0, kBriefDetail) + "...";
  return Json{{"message_id", alert.message_id},
              {"alert_name", alert.alert_name},
              {"status", alert.status},
              {"severity", EmptyNull(alert.severity)},
              {"source", EmptyNull(alert.source)},
              {"starts_at", FormatIsoTime(alert.starts_at)},
              {"ends_at", OptionalTime(alert.ends_at)},
              {"alert_time", FormatIsoTime(alert.event_at)},
              {"detail", detail}};
}

// The context an issue task carries: the issue and its latest alerts.
Json IssueContext(const issues::IssueDetail& detail, const std::string& reason) {
  Json alerts = Json::array();
  const size_t skip =
      detail.alerts.size() > kContextAlerts ? detail.alerts.size() - kContextAlerts : 0;
  for (size_t idx = skip; idx < detail.alerts.size(); ++idx) {
    alerts.push_back(IssueAlertJson(detail.alerts[idx], true));
  }
  const issues::Issue& issue = detail.issue;
  return Json{{"trigger", "issue"},
              {"issue",
               {{"issue_id", issue.issue_id},
                {"kind", std::string(IssueKindName(issue.kind))},
                {"title", issue.title},
                {"escalated", issue.escalated},
                {"escalated_at", OptionalTime(issue.escalated_at)},
                {"issue_status", std::string(IssueStatusName(issue.issue_status))},
                {"triage_status", std::string(TriageStatusName(issue.triage_status))},
                {"severity", EmptyNull(issue.severity)},
                {"reason", reason},
                {"first_alert_at", FormatIsoTime(issue.first_alert_at)},
                {"alert_names", issue.alert_names}}},
              {"alerts", std::move(alerts)}};
}

}  // namespace

Json IssueJson(const issues::Issue& issue) {
  return Json{{"issue_id", issue.issue_id},
              {"cluster_id", issue.cluster_id},
              {"kind", std::string(IssueKindName(issue.kind))},
              {"title", issue.title},
              {"escalated", issue.escalated},
              {"escalated_at", OptionalTime(issue.escalated_at)},
              {"issue_status", std::string(IssueStatusName(issue.issue_status))},
              {"triage_status", std::string(TriageStatusName(issue.triage_status))},
              {"disposition_status", std::string(DispositionStatusName(issue.disposition_status))},
              {"ticket_ref", EmptyNull(issue.ticket_ref)},
              {"severity", EmptyNull(issue.severity)},
              {"alert_names", issue.alert_names},
              {"first_alert_at", FormatIsoTime(issue.first_alert_at)},
              {"last_alert_at", FormatIsoTime(issue.last_alert_at)},
              {"resolved_at", OptionalTime(issue.resolved_at)},
              {"alert_count", issue.alert_count},
              {"open_alerts", issue.open_alerts},
              {"created_at", FormatIsoTime(issue.created_at)},
              {"updated_at", FormatIsoTime(issue.updated_at)},
              {"allowed_triage", [&] {
                 Json next = Json::array();
                 for (TriageStatus s : issues::AllowedTriage(issue.triage_status)) {
                   next.push_back(std::string(TriageStatusName(s)));
                 }
                 return next;
               }()},
              {"allowed_disposition", [&] {
                 Json next = Json::array();
                 for (DispositionStatus s : issues::AllowedDisposition(issue.disposition_status)) {
                   next.push_back(std::string(DispositionStatusName(s)));
                 }
                 return next;
               }()}};
}

Json IssueViewJson(const IssueView& view) {
  Json body = IssueJson(view.detail.issue);
  Json alerts = Json::array();
  for (const issues::IssueAlert& alert : view.detail.alerts) {
    alerts.push_back(IssueAlertJson(alert, false));
  }
  Json events = Json::array();
  for (const issues::IssueEvent& event : view.detail.events) {
    events.push_back(Json{{"at", FormatIsoTime(event.at)},
                          {"actor", event.actor},
                          {"field", event.field},
                          {"from", EmptyNull(event.from_value)},
                          {"to", EmptyNull(event.to_value)},
                          {"note", EmptyNull(event.note)}});
  }
  Json investigations = Json::array();
  for (const issues::IssueLink& link : view.detail.links) {
    std::string report_id = link.report_id;
    for (const auto& [task_id, report] : view.reports) {
      if (task_id == link.task_id && report_id.empty()) report_id = report;
    }
    investigations.push_back(Json{{"task_id", link.task_id},
                                  {"report_id", EmptyNull(report_id)},
                                  {"reason", link.reason},
                                  {"created_at", FormatIsoTime(link.created_at)}});
  }
  body["alerts"] = std::move(alerts);
  body["events"] = std::move(events);
  body["investigations"] = std::move(investigations);
  return body;
}

Result<issues::IssueStore> Issues::Store() {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  return issues::IssueStore(*fleet, runtime_.clock());
}

Result<IssueUpdateResult> Issues::Update() {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  IssueUpdateResult result;
  issues::IssueTracker tracker(*fleet, runtime_.clock(), runtime_.config().issues);
  RH_ASSIGN_OR_RETURN(result.tracked, tracker.Update());
  const std::string& tiers = runtime_.config().issues.investigate_tiers;
  issues::IssueStore store(*fleet, runtime_.clock());
  for (const issues::IssueChange& change : result.tracked.changes) {
    if (!change.created && !change.escalated) continue;
    auto issue = store.GetIssue(change.issue_id);
    // Only a current issue is news. One already Resolved, or with nothing firing and its last
    // alert older than the correlation window, is history (a backfill of past alerts, the first
    // cycle on an existing fleet): investigating it now finds nothing.
    if (issue && (!issue->open() ||
                  (issue->open_alerts == 0 && runtime_.clock().Now() - issue->last_alert_at >
                                                  runtime_.config().issues.correlation_window))) {
      ++result.stale;
      continue;
    }
    if (issue) runtime_.NotifyIssue(*issue, change.escalated ? "escalated" : "new");
    if (tiers.empty()) continue;
    auto tier = fleet->Query(
        "SELECT p.customer_tier FROM cluster_info c JOIN dim_customer_profile p ON p.account_id "
        "= c.account_id WHERE c.cluster_id = ?",
        {store::Text(change.cluster_id)});
    if (!tier) {
      ++result.enqueue_failures;
      Logger("service")->error("issue={} tier unknown: {}", change.issue_id,
                               tier.error().ToString());
      continue;
    }
    if (tier->empty() || !TierListed(tiers, tier->front().GetString("customer_tier"))) continue;
    const std::string reason = change.escalated ? "escalated" : "new";
    auto queued = [&]() -> Result<IssueTrigger> {
      RH_ASSIGN_OR_RETURN(issues::IssueDetail detail, store.Get(change.issue_id));
      RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
      store::TaskQueue queue(*memory, runtime_.clock(), runtime_.config().queue);
      store::EnqueueRequest request;
      request.cluster_id = change.cluster_id;
      request.source = store::TaskSource::kIssue;
      request.priority = change.escalated ? 1 : 2;
      request.requester = "issue-tracker";
      request.question = std::string(change.escalated ? "Escalated issue: " : "New issue: ") +
                         std::string(IssueKindName(detail.issue.kind)) + " " +
                         detail.issue.title + " (" + detail.issue.issue_id + ")";
      const Json context = IssueContext(detail, reason);
      request.context_json = DumpJson(context);
      RH_ASSIGN_OR_RETURN(store::EnqueueResult enqueued,
                          queue.EnqueueUnlessCooling(request, runtime_.config().sentinel.cooldown));
      if (!enqueued.created && enqueued.task.active()) {
        // The task already open for this cluster takes the issue's alerts too.
        auto existing = ParseJson(enqueued.task.context_json.empty() ? std::string("{}")
                                                                     : enqueued.task.context_json);
        Json merged = existing && existing->is_object() ? *existing : Json::object();
        merged["issue"] = context["issue"];
        if (!merged.contains("alerts") || !merged["alerts"].is_array()) {
          merged["alerts"] = Json::array();
        }
        std::set<std::string> seen;
        for (const Json& alert : merged["alerts"]) seen.insert(JsonString(alert, "message_id"));
        for (const Json& alert : context["alerts"]) {
          if (seen.insert(JsonString(alert, "message_id")).second) {
            merged["alerts"].push_back(alert);
          }
        }
        (void)queue.SetContext(enqueued.task.id, DumpJson(merged));
      }
      RH_RETURN_IF_ERROR(store.Link(change.issue_id, enqueued.task.id, reason));
      return IssueTrigger{change.issue_id, change.cluster_id, reason, enqueued.task.id,
                          enqueued.created};
    }();
    if (!queued) {
      ++result.enqueue_failures;
      Logger("service")->error("issue={} cluster={} investigation not queued: {}",
                               change.issue_id, change.cluster_id, queued.error().ToString());
      continue;
    }
    Logger("service")->info("issue={} ({}) cluster={}: task={} {}", change.issue_id, reason,
                            change.cluster_id, queued->task_id,
                            queued->created ? "queued" : "linked (cooling down)");
    result.triggers.push_back(*queued);
  }
  return result;
}

Result<issues::IssuePage> Issues::List(const IssueQueryText& query) {
  issues::IssueFilter filter;
  if (!query.cluster_id.empty()) {
    RH_RETURN_IF_ERROR(ValidateClusterId(query.cluster_id, "cluster"));
    filter.cluster_id = query.cluster_id;
  }
  if (!query.status.empty()) {
    if (query.status == "open" || query.status == "OPEN") {
      filter.issue_status = IssueStatus::kOngoing;
    } else {
      auto parsed = ParseIssueStatus(query.status);
      if (!parsed) {
        return InvalidArgument("status", "must be open, ongoing or resolved; got '" +
                                             query.status + "'");
      }
      filter.issue_status = *parsed;
    }
  }
  if (!query.triage.empty()) {
    RH_ASSIGN_OR_RETURN(filter.triage_status, ParseTriageStatus(query.triage));
  }
  if (!query.kind.empty()) {
    RH_ASSIGN_OR_RETURN(filter.kind, ParseIssueKind(query.kind));
  }
  filter.escalated_only = query.escalated_only;
  filter.limit = query.limit;
  filter.cursor = query.cursor;
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.List(filter);
}

Result<IssueView> Issues::Get(const std::string& issue_id) {
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  IssueView view;
  RH_ASSIGN_OR_RETURN(view.detail, store.Get(issue_id));
  if (!view.detail.links.empty()) {
    RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
    store::TaskQueue queue(*memory, runtime_.clock(), runtime_.config().queue);
    for (const issues::IssueLink& link : view.detail.links) {
      auto task = queue.Get(link.task_id);
      view.reports.emplace_back(link.task_id, task ? task->report_id : "");
    }
  }
  return view;
}

Result<issues::Issue> Issues::Acknowledge(const std::string& issue_id, const std::string& actor,
                                          const std::string& note) {
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.SetTriage(issue_id, TriageStatus::kAcknowledged, actor, note);
}

Result<issues::Issue> Issues::Triage(const std::string& issue_id, const std::string& to,
                                     const std::string& actor, const std::string& note) {
  RH_ASSIGN_OR_RETURN(TriageStatus status, ParseTriageStatus(to));
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.SetTriage(issue_id, status, actor, note);
}

Result<issues::Issue> Issues::Dispose(const std::string& issue_id, const std::string& to,
                                      const std::string& ticket_ref, const std::string& actor,
                                      const std::string& note) {
  RH_ASSIGN_OR_RETURN(DispositionStatus status, ParseDispositionStatus(to));
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.SetDisposition(issue_id, status, ticket_ref, actor, note);
}

Result<issues::IssueCounts> Issues::Counts() {
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.Counts();
}

Result<std::vector<issues::Issue>> Issues::OpenIssuesOf(const std::string& cluster_id) {
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  issues::IssueFilter filter;
  filter.cluster_id = cluster_id;
  filter.issue_status = IssueStatus::kOngoing;
  filter.limit = 50;
  RH_ASSIGN_OR_RETURN(issues::IssuePage page, store.List(filter));
  return page.issues;
}

Result<std::vector<std::string>> Issues::IssuesOfTask(const std::string& task_id) {
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  return store.IssuesOfTask(task_id);
}

Result<std::vector<issues::Issue>> Issues::LinkedIssuesOfTask(const std::string& task_id) {
  std::vector<issues::Issue> linked;
  if (task_id.empty()) return linked;
  RH_ASSIGN_OR_RETURN(issues::IssueStore store, Store());
  RH_ASSIGN_OR_RETURN(std::vector<std::string> ids, store.IssuesOfTask(task_id));
  for (const std::string& id : ids) {
    auto issue = store.GetIssue(id);
    if (issue) {
      linked.push_back(std::move(*issue));
    } else if (issue.error().code != ErrorCode::kNotFound) {
      return Fail(issue.error());
    }
  }
  return linked;
}

Json LinkedIssueJson(const issues::Issue& issue) {
  return Json{{"issue_id", issue.issue_id},
              {"title", issue.title},
              {"kind", std::string(IssueKindName(issue.kind))},
              {"issue_status", std::string(IssueStatusName(issue.issue_status))},
              {"triage_status", std::string(TriageStatusName(issue.triage_status))},
              {"escalated", issue.escalated}};
}

std::string LinkedIssuesMarkdown(const std::vector<issues::Issue>& linked) {
  if (linked.empty()) return "";
  std::string out = "\n## Linked issues\n\n";
  for (const issues::Issue& issue : linked) {
    out += "- " + issue.issue_id + " (" + std::string(IssueKindName(issue.kind)) + "; " +
           std::string(IssueStatusName(issue.issue_status)) + ", triage " +
           std::string(TriageStatusName(issue.triage_status)) +
           (issue.escalated ? ", escalated" : "") + "): " + issue.title + "\n";
  }
  return out;
}

}  // namespace rh::service
