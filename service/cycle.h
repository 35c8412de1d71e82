// Cycle: one pass of the detect-and-investigate loop — score every cluster at the latest snapshot
// hour, run the sentinel rules (which queue at most one task per cluster per cooldown), group new
// alerts into issues (service/issues.h: new or escalated issues on tier A/S queue tasks), then work
// the queue with the Investigator. `rockhound cycle` runs it once, `rockhound run` every
// sentinel.interval on one long-lived Runtime, `rockhound demo` as one of its steps.
//
// With lark.catch_up_every_cycle on, the cycle first catches up the Lark alert chat (new cards
// into lark_alerts) so the scorer sees them; a Lark failure is logged and reported, not fatal.
// The investigate step claims tasks under a lease and works them with agent.workers threads until
// nothing is claimable (or max_investigations were taken); once `stop` is set it claims nothing
// new and gives back what it had not started, so no task stays claimed by a process that is going
// away. The Knowledge Lake is refreshed (not reopened) before investigating.
// This is the production cycle: it never reads the simulator's ground truth (`demo` and the
// benchmarks compare reports with it themselves).
// Errors: whatever the scorer, sentinel or queue return (unavailable when a database is down,
// which `run` retries with backoff).
// Thread-safety: one Run at a time per Cycle; several processes may run cycles against one memory
// database (the queue's cooldown and claims are atomic).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "alerts/lark_ingest.h"
#include "core/error.h"
#include "sentinel/sentinel.h"
#include "service/issues.h"
#include "service/runtime.h"

namespace rh::service {

struct CycleOptions {
  bool investigate = true;     // false: stop after the sentinel (--no-investigate)
  int max_investigations = 0;  // 0: work the queue until it is empty
};

struct InvestigateStats {
  int investigated = 0;  // tasks completed with a report
  int failed = 0;        // attempts that failed (retried later or failed for good)
  int released = 0;      // tasks given back because of a stop request
};

struct CycleResult {
  sentinel::PassSummary pass;
  InvestigateStats investigations;
  int left_queued = 0;  // tasks still queued after the cycle
  // lark.catch_up_every_cycle: the Lark catch-up run before scoring (service/lark_feed.h), or
  // why it failed (the cycle goes on without it: the scorer reads what is stored).
  std::optional<alerts::LarkIngestSummary> lark;
  std::string lark_error;
  // The issue tracker's pass over the alerts stored since the last one (orphans whose cluster
  // appeared are matched first); a failure there is logged, never fails the cycle.
  IssueUpdateResult issues;
};

class Cycle {
 public:
  explicit Cycle(Runtime& runtime) : runtime_(runtime) {}

  Result<CycleResult> Run(const CycleOptions& options, const std::atomic<bool>& stop);
  // Works the queue only (no scoring), as the investigate step of Run does.
  Result<InvestigateStats> Investigate(int max_investigations, const std::atomic<bool>& stop);
  // Why a cluster was or was not queued, rule by rule (`rockhound sentinel explain`).
  Result<sentinel::Explanation> Explain(std::string_view cluster_id);

 private:
  Runtime& runtime_;
};

}  // namespace rh::service
