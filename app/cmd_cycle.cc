// `rockhound cycle`, `rockhound run`, `rockhound sentinel explain`, `rockhound tasks ...`: the
// detect half of the pipeline and the queue, as people and daemons use them.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "agent/scheduler.h"
#include "app/cycle.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time_format.h"
#include "simulator/ground_truth.h"

namespace rh::app {
namespace {

InvestigateStep& InvestigateSlot() {
  static InvestigateStep step;
  return step;
}

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

Json TaskJson(const store::Task& task) {
  auto time = [](const std::optional<TimePoint>& t) {
    return t ? Json(FormatIsoTime(*t)) : Json();
  };
  auto rules = ParseJson(task.rules_fired, "rules_fired");
  return Json{{"task_id", task.id},
              {"cluster_id", task.cluster_id},
              {"source", std::string(store::TaskSourceName(task.source))},
              {"status", std::string(store::TaskStatusName(task.status))},
              {"priority", task.priority},
              {"question", task.question},
              {"rules_fired", rules ? *rules : Json::array()},
              {"requester", task.requester},
              {"attempts", task.attempts},
              {"max_attempts", task.max_attempts},
              {"lease_owner", task.lease_owner.empty() ? Json() : Json(task.lease_owner)},
              {"lease_expires_at", time(task.lease_expires_at)},
              {"not_before", time(task.not_before)},
              {"last_error", task.last_error.empty() ? Json() : Json(task.last_error)},
              {"report_id", task.report_id.empty() ? Json() : Json(task.report_id)},
              {"created_at", FormatIsoTime(task.created_at)},
              {"updated_at", FormatIsoTime(task.updated_at)},
              {"started_at", time(task.started_at)},
              {"finished_at", time(task.finished_at)}};
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
      std::printf("  P%lld %-13s %s\n", JsonInt(rule, "priority"), JsonString(rule, "rule").c_str(),
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

// --at "YYYY-MM-DD HH:MM:SS": run as of that time (UTC) instead of now.
Status PinClock(AppContext& ctx, const std::string& at) {
  if (at.empty()) return {};
  auto time = ParseAnyTime(at);
  if (!time) return Fail(time.error().WithContext("--at"));
  ctx.set_clock(std::make_unique<ManualClock>(*time));
  return {};
}

Result<store::TaskQueue> OpenQueue(AppContext& ctx) {
  RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
  return store::TaskQueue(*memory, ctx.clock(), ctx.config().queue);
}

void RegisterCycle(CLI::App& app, Action* chosen) {
  auto options = std::make_shared<CycleOptions>();
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
      RH_RETURN_IF_ERROR(PinClock(ctx, *cycle_at));
      CycleOptions run_options = *options;
      run_options.investigate = !*no_investigate;
      agent::InstallStopSignalHandlers();
      RH_ASSIGN_OR_RETURN(CycleResult result, RunCycle(ctx, run_options, agent::ProcessStopFlag()));
      std::fputs(FormatCycleResult(result, run_options).c_str(), stdout);
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
      CycleOptions run_options;
      run_options.investigate = !*run_no_investigate;
      agent::InstallStopSignalHandlers();
      const std::atomic<bool>& stop = agent::ProcessStopFlag();
      agent::SchedulerOptions scheduler_options;
      scheduler_options.name = "cycle";
      scheduler_options.interval = ctx.config().sentinel.interval;
      agent::PeriodicScheduler scheduler(ctx.clock(), scheduler_options, stop);
      Logger("app")->info("rockhound run: worker {} starting; memory {}", WorkerName(),
                          ctx.config().MemoryDb());
      scheduler.Run([&](TimePoint, int) -> Status {
        RH_ASSIGN_OR_RETURN(CycleResult result, RunCycle(ctx, run_options, stop));
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
  explain->callback([chosen, cluster, explain_at] {
    *chosen = [cluster, explain_at](AppContext& ctx) -> Status {
      RH_RETURN_IF_ERROR(PinClock(ctx, *explain_at));
      RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
      RH_ASSIGN_OR_RETURN(store::TaskQueue queue, OpenQueue(ctx));
      sentinel::Sentinel sentinel(*fleet, queue, ctx.clock(), ctx.config().sentinel);
      RH_ASSIGN_OR_RETURN(sentinel::Explanation explanation, sentinel.Explain(*cluster));
      std::fputs(sentinel::FormatExplanation(explanation).c_str(), stdout);
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
    bool json = false;
  };
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = tasks->add_subcommand(
      "list", "List tasks, newest first (status queued|running|done|failed|cancelled)");
  list->add_option("--status", list_args->status, "Only tasks with this status");
  list->add_option("--cluster", list_args->cluster, "Only tasks for this cluster");
  list->add_option("--limit", list_args->limit, "At most this many (default 50)");
  list->add_flag("--json", list_args->json, "JSON array instead of a table");
  list->callback([chosen, list_args] {
    *chosen = [list_args](AppContext& ctx) -> Status {
      store::TaskFilter filter;
      if (!list_args->status.empty()) {
        RH_ASSIGN_OR_RETURN(filter.status, store::ParseTaskStatus(list_args->status));
      }
      filter.cluster_id = list_args->cluster;
      if (list_args->limit < 1) return InvalidArgument("--limit", "must be at least 1");
      filter.limit = list_args->limit;
      RH_ASSIGN_OR_RETURN(store::TaskQueue queue, OpenQueue(ctx));
      RH_ASSIGN_OR_RETURN(std::vector<store::Task> found, queue.List(filter));
      if (list_args->json) {
        Json array = Json::array();
        for (const store::Task& task : found) array.push_back(TaskJson(task));
        std::printf("%s\n", DumpJson(array, 2).c_str());
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
    bool json = false;
  };
  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = tasks->add_subcommand("show", "Show one task in full");
  show->add_option("task", show_args->task_id, "Task id (tsk_...)")->required();
  show->add_flag("--json", show_args->json, "JSON instead of text");
  show->callback([chosen, show_args] {
    *chosen = [show_args](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(store::TaskQueue queue, OpenQueue(ctx));
      RH_ASSIGN_OR_RETURN(store::Task task, queue.Get(show_args->task_id));
      if (show_args->json) {
        std::printf("%s\n", DumpJson(TaskJson(task), 2).c_str());
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
      RH_ASSIGN_OR_RETURN(store::TaskQueue queue, OpenQueue(ctx));
      RH_ASSIGN_OR_RETURN(store::Task task, queue.Cancel(cancel_args->task_id, by));
      std::printf("cancelled %s (cluster %s)\n", task.id.c_str(), task.cluster_id.c_str());
      return {};
    };
  });
}

}  // namespace

void SetInvestigateStep(InvestigateStep step) { InvestigateSlot() = std::move(step); }

Result<std::string> SimulationCheck(AppContext& ctx, const sentinel::PassSummary& pass) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(std::vector<simulator::GroundTruthRow> truth,
                      simulator::ReadGroundTruth(*fleet));
  if (truth.empty()) return std::string();
  std::set<std::string> incident_clusters;
  for (const simulator::GroundTruthRow& row : truth) incident_clusters.insert(row.cluster_id);
  std::set<std::string> flagged;
  for (const auto& decision : pass.created) flagged.insert(decision.cluster_id);
  for (const auto& decision : pass.cooling) flagged.insert(decision.cluster_id);
  std::vector<std::string> missed;
  int incidents_flagged = 0;
  for (const std::string& cluster : incident_clusters) {
    if (flagged.count(cluster)) {
      ++incidents_flagged;
    } else {
      missed.push_back(cluster);
    }
  }
  std::vector<std::string> false_alarms;
  int healthy_clusters = 0;
  for (const sentinel::ClusterScore& cluster : pass.scoring.clusters) {
    if (incident_clusters.count(cluster.cluster_id)) continue;
    ++healthy_clusters;
    if (flagged.count(cluster.cluster_id)) false_alarms.push_back(cluster.cluster_id);
  }
  auto list = [](const std::vector<std::string>& clusters) {
    std::string out;
    for (size_t cluster_idx = 0; cluster_idx < clusters.size() && cluster_idx < 8; ++cluster_idx) {
      out += (cluster_idx ? ", " : "") + clusters[cluster_idx];
    }
    if (clusters.size() > 8) out += ", ...";
    return out;
  };
  std::string text = "simulated fleet: " + std::to_string(incidents_flagged) + " of " +
                     std::to_string(incident_clusters.size()) + " incident clusters queued";
  if (!missed.empty()) text += " (missed: " + list(missed) + ")";
  text += "; " + std::to_string(false_alarms.size()) + " of " + std::to_string(healthy_clusters) +
          " healthy clusters queued";
  if (!false_alarms.empty()) text += " (" + list(false_alarms) + ")";
  return text;
}

Result<CycleResult> RunCycle(AppContext& ctx, const CycleOptions& options,
                             const std::atomic<bool>& stop) {
  CycleResult result;
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(store::TaskQueue queue, OpenQueue(ctx));
  sentinel::Sentinel sentinel(*fleet, queue, ctx.clock(), ctx.config().sentinel);
  RH_ASSIGN_OR_RETURN(result.pass, sentinel.RunPass());
  RH_ASSIGN_OR_RETURN(result.simulation_check, SimulationCheck(ctx, result.pass));
  result.investigator_wired = static_cast<bool>(InvestigateSlot());
  if (options.investigate && result.investigator_wired && !stop.load()) {
    RH_ASSIGN_OR_RETURN(result.investigations,
                        InvestigateSlot()(ctx, options.max_investigations, stop));
  }
  RH_ASSIGN_OR_RETURN(auto counts, queue.CountByStatus());
  result.left_queued = counts[store::TaskStatus::kQueued];
  return result;
}

std::string FormatCycleResult(const CycleResult& result, const CycleOptions& options) {
  std::string out = sentinel::FormatPassSummary(result.pass);
  if (!result.simulation_check.empty()) out += result.simulation_check + "\n";
  char line[256];
  if (!options.investigate) {
    std::snprintf(line, sizeof(line),
                  "investigations      skipped (--no-investigate); %d task(s) queued\n",
                  result.left_queued);
  } else if (!result.investigator_wired) {
    std::snprintf(line, sizeof(line),
                  "investigations      no investigator is wired into this build yet; %d task(s) "
                  "stay queued\n",
                  result.left_queued);
  } else {
    std::snprintf(line, sizeof(line),
                  "investigations      %d done, %d failed attempt(s), %d released; %d still "
                  "queued\n",
                  result.investigations.investigated, result.investigations.failed,
                  result.investigations.released, result.left_queued);
  }
  return out + line;
}

void RegisterCycleCommands(CLI::App& app, Action* chosen) {
  RegisterCycle(app, chosen);
  RegisterSentinel(app, chosen);
  RegisterTasks(app, chosen);
}

}  // namespace rh::app
