// The cycle as the CLI runs it: score -> sentinel -> investigate queued tasks. `rockhound cycle`
// runs it once, `rockhound run` every sentinel.interval (agent/scheduler.h), and `rockhound demo`
// calls it as one of its steps.
//
// The investigate step is a hook: the composition root plugs it in with SetInvestigateStep (for
// example agent::WorkerPool::RunUntilIdle over the Investigator). The step works the queue —
// claim under a lease, heartbeat, Complete / Fail / Release — and should stop claiming, and
// release what it has not started, once `stop` is set (SIGTERM/SIGINT in `run` and `cycle`), so no
// task stays claimed by a process that is going away. With no step plugged in, queued tasks stay
// queued for a worker that has one.
// Thread-safety: RunCycle uses the AppContext from the calling thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "app/app_context.h"
#include "core/error.h"
#include "sentinel/sentinel.h"

namespace rh::app {

struct InvestigateStats {
  int investigated = 0;  // tasks completed with a report
  int failed = 0;        // attempts that failed (retried later or failed for good)
  int released = 0;      // tasks given back because of a stop request
};

// Works the queued tasks (all of them, or at most `max_investigations` when > 0).
using InvestigateStep = std::function<Result<InvestigateStats>(
    AppContext& ctx, int max_investigations, const std::atomic<bool>& stop)>;

// Plugs the investigate step into `cycle`, `run` and `demo` (call once, before running a command).
void SetInvestigateStep(InvestigateStep step);

struct CycleOptions {
  bool investigate = true;     // false: stop after the sentinel (--no-investigate)
  int max_investigations = 0;  // 0: work the queue until it is empty
};

struct CycleResult {
  sentinel::PassSummary pass;
  bool investigator_wired = false;
  InvestigateStats investigations;
  int left_queued = 0;           // tasks still queued after the cycle
  std::string simulation_check;  // SimulationCheck(); empty for a real fleet
};

// One cycle. Errors: whatever the scorer, sentinel or queue return (unavailable when a database
// is down, which `run` retries with backoff).
Result<CycleResult> RunCycle(AppContext& ctx, const CycleOptions& options,
                             const std::atomic<bool>& stop);

// The cycle summary as `rockhound cycle` prints it.
std::string FormatCycleResult(const CycleResult& result, const CycleOptions& options);

// For a simulated fleet (one with the simulator's ground truth), how many incident clusters and
// how many healthy clusters the pass flagged, e.g.
//   "simulated fleet: 14 of 14 incident clusters queued; 1 of 186 healthy clusters queued
//    (c-1a2b3c4d)"
// Empty for a real fleet. Reads the ground truth here in app/, never in sentinel code.
Result<std::string> SimulationCheck(AppContext& ctx, const sentinel::PassSummary& pass);

}  // namespace rh::app
