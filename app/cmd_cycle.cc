// `rockhound cycle`, `rockhound run`, `rockhound sentinel explain`, `rockhound tasks ...`: the
// detect half of the pipeline and the queue, as people and daemons use them.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "agent/scheduler.h"
#include "app/app_context.h"
#include "app/cycle_format.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time_format.h"
#include "service/cycle.h"
#include "service/issues.h"
#include "service/investigations.h"
#include "service/json_views.h"

namespace rh::app {
namespace {

std::string WorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(getpid());
}

std::string Truncate(std::string text, size_t width) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

std::string RuleNames(const std::string& rules_fired) {
  auto rules = ParseJson(rules_fired, "rules_fired");
  if (!rules || !rules->is_array()) return "";
  std::string names;
  for (const auto& rule : *rules) {
    if (!names.empty()) names += ",";
    names += JsonString(rule, "rule");
  }
  return names;
}

std::string OptTime(const std::optional<TimePoint>& time) {
  return time ? FormatSqlTime(*time) : "-";
}

std::string StatusText(const store::Task& task, TimePoint now) {
  std::string status(store::TaskStatusName(task.status));
  if (task.status == store::TaskStatus::kRunning && task.lease_expires_at &&
      *task.lease_expires_at < now) {
    status += " (lease expired)";
  }
  if (task.status == store::TaskStatus::kQueued && task.not_before && *task.not_before > now) {
    status += " (retry in " + FormatDurationShort(*task.not_before - now) + ")";
  }
  return status;
}

void PrintTask(const store::Task& task, TimePoint now) {
  std::printf("task         %s\n", task.id.c_str());
  std::printf("cluster      %s\n", task.cluster_id.c_str());
  std::printf("status       %s\n", StatusText(task, now).c_str());
  std::printf("priority     %d\n", task.priority);
  std::printf("source       %s (requested by %s)\n",
              std::string(store::TaskSourceName(task.source)).c_str(),
              task.requester.empty() ? "unknown" : task.requester.c_str());
  std::printf("question     %s\n", task.question.empty() ? "-" : task.question.c_str());
  auto rules = ParseJson(task.rules_fired, "rules_fired");
  if (rules && rules->is_array() && !rules->empty()) {
    std::printf("rules fired\n");
    for (const auto& rule : *rules) {
      std::printf("  P%lld %-17s %s\n", JsonInt(rule, "priority"), JsonString(rule, "rule").c_str(),
                  JsonString(rule, "reason").c_str());
    }
  }
  std::printf("attempts     %d of %d\n", task.attempts, task.max_attempts);
  if (!task.lease_owner.empty()) {
    std::printf("lease        %s until %s\n", task.lease_owner.c_str(),
                OptTime(task.lease_expires_at).c_str());
  }
  if (!task.last_error.empty()) std::printf("last error   %s\n", task.last_error.c_str());
  if (!task.report_id.empty()) std::printf("report       %s\n", task.report_id.c_str());
  std::printf("created      %s\n", FormatSqlTime(task.created_at).c_str());
  std::printf("started      %s\n", OptTime(task.started_at).c_str());
  std::printf("finished     %s\n", OptTime(task.finished_at).c_str());
}

void RegisterCycle(CLI::App& app, Action* chosen) {
  auto options = std::make_shared<service::CycleOptions>();
  auto no_investigate = std::make_shared<bool>(false);
  CLI::App* cycle = app.add_subcommand(
      "cycle",
      "Run one cycle now: score every cluster at the latest snapshot hour (written to "
      "cluster_health_scores / cluster_risk_snapshots), run the sentinel rules, queue one "
      "investigation per flagged cluster (4h cooldown), then work the queue. Prints a summary.");
  cycle->add_flag("--no-investigate", *no_investigate,
                  "Stop after the sentinel: queue tasks but do not investigate them");
  cycle->add_option("--max-investigations", options->max_investigations,
                    "Investigate at most this many tasks in this cycle (default: all queued)");
  auto cycle_at = std::make_shared<std::string>();
  cycle->add_option("--at", *cycle_at,
                    "Run as of this UTC time instead of now, e.g. \"2026-11-21 10:05:00\" (a "
                    "simulated fleet ends at its sim_end hour)");
  cycle->callback([chosen, options, no_investigate, cycle_at] {
    *chosen = [options, no_investigate, cycle_at](AppContext& ctx) -> Status {
      RH_RETURN_IF_ERROR(PinClockFlag(ctx, *cycle_at));
      service::CycleOptions run_options = *options;
      run_options.investigate = !*no_investigate;
      agent::InstallStopSignalHandlers();
      service::Cycle cycle(ctx.runtime());
      RH_ASSIGN_OR_RETURN(service::CycleResult result,
                          cycle.Run(run_options, agent::ProcessStopFlag()));
      // The open issues after the cycle's grouping (unknown: the line says only what changed).
      std::optional<issues::IssueCounts> open_issues;
      if (auto counts = service::Issues(ctx.runtime()).Counts(); counts) {
        open_issues = *counts;
      } else {
        std::fprintf(stderr, "open issues not counted: %s\n", counts.error().ToString().c_str());
      }
      std::fputs(FormatCycleResult(result, run_options, open_issues).c_str(), stdout);
      return {};
    };
  });

  auto run_no_investigate = std::make_shared<bool>(false);
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the cycle every sentinel.interval (default 15m), aligned to the clock (:00, :15, "
      ":30, :45), until SIGTERM or Ctrl-C. A database outage is retried with backoff (one log "
      "line when it starts, one when it ends). Several `run` processes may share one memory "
      "database (set memory.db to a mysql:// URL for several machines).");
  run->add_flag("--no-investigate", *run_no_investigate,
                "Only score and queue; leave investigations to other workers");
  run->callback([chosen, run_no_investigate] {
    *chosen = [run_no_investigate](AppContext& ctx) -> Status {
      service::CycleOptions run_options;
      run_options.investigate = !*run_no_investigate;
      agent::InstallStopSignalHandlers();
      const std::atomic<bool>& stop = agent::ProcessStopFlag();
      agent::SchedulerOptions scheduler_options;
      scheduler_options.name = "cycle";
      scheduler_options.interval = ctx.config().sentinel.interval;
      agent::PeriodicScheduler scheduler(ctx.clock(), scheduler_options, stop);
      Logger("app")->info("rockhound run: worker {} starting; memory {}", WorkerName(),
                          ctx.config().MemoryDb());
      // One Runtime for the life of the daemon: databases, lake, tools and engines stay open
      // across cycles (the lake is refreshed each cycle).
      service::Cycle cycle(ctx.runtime());
      scheduler.Run([&](TimePoint, int) -> Status {
        RH_ASSIGN_OR_RETURN(service::CycleResult result, cycle.Run(run_options, stop));
        Logger("app")->info(
            "cycle done: {} clusters at {} (healthy {}, warning {}, critical {}); {} task(s) "
            "created, {} skipped by cooldown; {} investigated, {} failed, {} released, {} queued",
            result.pass.scoring.clusters.size(), FormatSqlTime(result.pass.scoring.snapshot_time),
            result.pass.healthy, result.pass.warning, result.pass.critical,
            result.pass.created.size(), result.pass.cooling.size(),
            result.investigations.investigated, result.investigations.failed,
            result.investigations.released, result.left_queued);
        return {};
      });
      Logger("app")->info("rockhound run: stopped cleanly (no task left claimed by this worker)");
      return {};
    };
  });
}

void RegisterSentinel(CLI::App& app, Action* chosen) {
  CLI::App* sentinel_cmd = app.add_subcommand("sentinel", "Ask the sentinel about its decisions");
  sentinel_cmd->require_subcommand(1);
  auto cluster = std::make_shared<std::string>();
  CLI::App* explain = sentinel_cmd->add_subcommand(
      "explain",
      "Score one cluster as the next pass would and say, rule by rule, whether it fires and "
      "why (values vs thresholds), plus the cooldown: why a cluster was or was not queued");
  explain->add_option("cluster", *cluster, "Cluster id, e.g. c-1a2b3c4d")->required();
  auto explain_at = std::make_shared<std::string>();
  explain->add_option("--at", *explain_at,
                      "Explain as of this UTC time instead of now, e.g. \"2026-11-21 10:05:00\"");
  auto explain_format = std::make_shared<std::string>();
  AddFormatOption(explain, explain_format.get(), "text",
                  "score and sub-scores (named as in GET /api/v1/clusters/{id}), every rule with "
                  "its value and threshold, cooldown, decision, open issues");
  explain->callback([chosen, cluster, explain_at, explain_format] {
    *chosen = [cluster, explain_at, explain_format](AppContext& ctx) -> Status {
      RH_RETURN_IF_ERROR(PinClockFlag(ctx, *explain_at));
      service::Cycle cycle(ctx.runtime());
      RH_ASSIGN_OR_RETURN(sentinel::Explanation explanation, cycle.Explain(*cluster));
      if (*explain_format == "json") {
        Json out = sentinel::ExplanationJson(explanation);
        RH_ASSIGN_OR_RETURN(auto open, service::Issues(ctx.runtime()).OpenIssuesOf(*cluster));
        Json issues_json = Json::array();
        for (const issues::Issue& issue : open) {
          issues_json.push_back(service::IssueJson(issue));  // as GET /api/v1/issues
        }
        out["open_issues"] = std::move(issues_json);
        std::printf("%s\n", DumpJson(out, 2).c_str());
        return {};
      }
      std::fputs(sentinel::FormatExplanation(explanation).c_str(), stdout);
      // The cluster's open alert issues (issues/): what the alerts say beside the score.
      auto open_issues = service::Issues(ctx.runtime()).OpenIssuesOf(*cluster);
      if (!open_issues) {
        std::printf("\nopen issues: unknown (%s)\n", open_issues.error().ToString().c_str());
      } else if (open_issues->empty()) {
        std::printf("\nopen issues: none\n");
      } else {
        std::printf("\nopen issues: %zu\n", open_issues->size());
        for (const issues::Issue& issue : *open_issues) {
          std::printf("  %s  %-7s %-13s since %s  %s%s\n", issue.issue_id.c_str(),
                      std::string(IssueKindName(issue.kind)).c_str(),
                      std::string(TriageStatusName(issue.triage_status)).c_str(),
                      FormatSqlTime(issue.first_alert_at).c_str(),
                      issue.escalated ? "[ESCALATED] " : "", issue.title.c_str());
        }
      }
      return {};
    };
  });
}

void RegisterTasks(CLI::App& app, Action* chosen) {
  CLI::App* tasks = app.add_subcommand("tasks", "See and manage the investigation queue");
  tasks->require_subcommand(1);

  struct ListArgs {
    std::string status;
    std::string cluster;
    int limit = 50;
    std::string cursor;
    std::string format;
  };
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = tasks->add_subcommand(
      "list", "List tasks, newest first (status queued|running|done|failed|cancelled)");
  list->add_option("--status", list_args->status, "Only tasks with this status");
  list->add_option("--cluster", list_args->cluster, "Only tasks for this cluster");
  list->add_option("--limit", list_args->limit, "At most this many (1-500, default 50)");
  list->add_option("--cursor", list_args->cursor, "Continue after a previous page (next_cursor)");
  AddFormatOption(list, &list_args->format, "table",
                  "the same fields as GET /api/v1/investigations");
  list->callback([chosen, list_args] {
    *chosen = [list_args](AppContext& ctx) -> Status {
      store::TaskFilter filter;
      if (!list_args->status.empty()) {
        RH_ASSIGN_OR_RETURN(filter.status, service::ParseTaskStatusFilter(list_args->status));
      }
      filter.cluster_id = list_args->cluster;
      if (list_args->limit < 1 || list_args->limit > 500) {
        return InvalidArgument("--limit", "must be 1-500");
      }
      filter.limit = list_args->limit;
      filter.cursor = list_args->cursor;
      service::Investigations investigations(ctx.runtime());
      RH_ASSIGN_OR_RETURN(store::TaskPage page, investigations.List(filter));
      const std::vector<store::Task>& found = page.tasks;
      if (list_args->format == "json") {
        std::printf("%s\n", DumpJson(service::TaskPageJson(page), 2).c_str());
        return {};
      }
      if (found.empty()) {
        std::printf("no tasks%s\n", filter.status || !filter.cluster_id.empty()
                                        ? " match the filter"
                                        : " yet: `rockhound cycle` queues them");
        return {};
      }
      const TimePoint now = ctx.clock().Now();
      std::printf("%-30s %-20s %-3s %-20s %-8s %-5s %-19s %s\n", "TASK", "STATUS", "PRI", "CLUSTER",
                  "SOURCE", "TRIES", "CREATED", "WHY");
      for (const store::Task& task : found) {
        std::string why = task.source == store::TaskSource::kSentinel ? RuleNames(task.rules_fired)
                                                                      : task.question;
        std::printf(
            "%-30s %-20s P%-2d %-20s %-8s %d/%-3d %-19s %s\n", task.id.c_str(),
            Truncate(StatusText(task, now), 20).c_str(), task.priority, task.cluster_id.c_str(),
            std::string(store::TaskSourceName(task.source)).c_str(), task.attempts,
            task.max_attempts, FormatSqlTime(task.created_at).c_str(), Truncate(why, 60).c_str());
      }
      return {};
    };
  });

  struct ShowArgs {
    std::string task_id;
    std::string format;
  };
  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = tasks->add_subcommand("show", "Show one task in full");
  show->add_option("task", show_args->task_id, "Task id (tsk_...)")->required();
  AddFormatOption(show, &show_args->format, "text",
                  "the same fields as GET /api/v1/investigations/{id}");
  show->callback([chosen, show_args] {
    *chosen = [show_args](AppContext& ctx) -> Status {
      service::Investigations investigations(ctx.runtime());
      RH_ASSIGN_OR_RETURN(service::InvestigationStatus status,
                          investigations.Get(show_args->task_id));
      const store::Task& task = status.task;
      if (show_args->format == "json") {
        std::printf("%s\n", DumpJson(service::InvestigationStatusJson(status), 2).c_str());
      } else {
        PrintTask(task, ctx.clock().Now());
      }
      return {};
    };
  });

  struct CancelArgs {
    std::string task_id;
    std::string by;
  };
  auto cancel_args = std::make_shared<CancelArgs>();
  CLI::App* cancel = tasks->add_subcommand(
      "cancel", "Cancel a queued or running task (a running worker loses its lease)");
  cancel->add_option("task", cancel_args->task_id, "Task id (tsk_...)")->required();
  cancel->add_option("--by", cancel_args->by, "Who cancels (default: $USER)");
  cancel->callback([chosen, cancel_args] {
    *chosen = [cancel_args](AppContext& ctx) -> Status {
      std::string by = cancel_args->by;
      if (by.empty()) {
        const char* user = std::getenv("USER");
        by = user && *user ? user : "cli";
      }
      service::Investigations investigations(ctx.runtime());
      RH_ASSIGN_OR_RETURN(store::Task task, investigations.Cancel(cancel_args->task_id, by));
      std::printf("cancelled %s (cluster %s)\n", task.id.c_str(), task.cluster_id.c_str());
      return {};
    };
  });
}

}  // namespace

void RegisterCycleCommands(CLI::App& app, Action* chosen) {
  RegisterCycle(app, chosen);
  RegisterSentinel(app, chosen);
  RegisterTasks(app, chosen);
}

}  // namespace rh::app
