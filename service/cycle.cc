#include "service/cycle.h"

#include "agent/investigator.h"
#include "agent/worker_pool.h"
#include "alerts/alert_store.h"
#include "core/log.h"
#include "service/lark_feed.h"
#include "service/workers.h"
#include "store/task_queue.h"

namespace rh::service {

Result<CycleResult> Cycle::Run(const CycleOptions& options, const std::atomic<bool>& stop) {
  CycleResult result;
  if (runtime_.config().lark.catch_up_every_cycle && !stop.load()) {
    auto lark = LarkFeed(runtime_).Ingest(alerts::LarkMode::kCatchUp);
    if (lark) {
      std::string line = FormatLarkSummary(*lark);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      Logger("service")->info("{}", line);
      result.lark = std::move(*lark);
    } else {
      result.lark_error = lark.error().ToString();
      Logger("service")->warn("lark catch-up failed, scoring what is stored: {}", result.lark_error);
    }
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  // An empty fleet is a setup problem (a new or wrong fleet.db), not a quiet healthy cycle.
  RH_ASSIGN_OR_RETURN(int64_t clusters, fleet->QueryInt("SELECT COUNT(*) FROM cluster_info"));
  if (clusters == 0) {
    return NotFound(runtime_.config().FleetDb(),
                    "the fleet is empty (cluster_info has no clusters): point fleet.db at your "
                    "telemetry, or generate a simulated fleet with `rockhound fleet generate`");
  }
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  store::TaskQueue queue(*memory, runtime_.clock(), runtime_.config().queue);
  sentinel::Sentinel sentinel(*fleet, queue, runtime_.clock(), runtime_.config().sentinel);
  RH_ASSIGN_OR_RETURN(result.pass, sentinel.RunPass());
  if (auto matched = alerts::AlertStore(*fleet, runtime_.clock()).MatchOrphans(); !matched) {
    Logger("service")->warn("orphan alerts not matched: {}", matched.error().ToString());
  }
  if (auto issues = Issues(runtime_).Update(); issues) {
    result.issues = std::move(*issues);
  } else {
    Logger("service")->warn("issue tracker did not run: {}", issues.error().ToString());
  }
  if (options.investigate && !stop.load()) {
    RH_ASSIGN_OR_RETURN(result.investigations, Investigate(options.max_investigations, stop));
  }
  RH_ASSIGN_OR_RETURN(auto counts, queue.CountByStatus());
  result.left_queued = counts[store::TaskStatus::kQueued];
  return result;
}

Result<InvestigateStats> Cycle::Investigate(int max_investigations, const std::atomic<bool>& stop) {
  RH_ASSIGN_OR_RETURN(agent::Investigator * investigator, runtime_.Investigator());
  if (auto refreshed = runtime_.RefreshKnowledge(); !refreshed) {
    Logger("service")->warn("knowledge lake not refreshed, searching what it held: {}",
                            refreshed.error().ToString());
  }
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  agent::WorkerPoolOptions pool_options;
  pool_options.workers = runtime_.config().agent.workers;
  pool_options.queue = runtime_.config().queue;
  agent::WorkerPool pool(*investigator, *memory, runtime_.clock(), pool_options);
  PublishProgress(runtime_, pool);
  RH_ASSIGN_OR_RETURN(agent::WorkerPoolStats stats, pool.RunUntilIdle(&stop, max_investigations));
  return InvestigateStats{stats.completed, stats.failed, stats.released};
}

Result<sentinel::Explanation> Cycle::Explain(std::string_view cluster_id) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  store::TaskQueue queue(*memory, runtime_.clock(), runtime_.config().queue);
  sentinel::Sentinel sentinel(*fleet, queue, runtime_.clock(), runtime_.config().sentinel);
  return sentinel.Explain(cluster_id);
}

}  // namespace rh::service
