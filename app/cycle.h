// The cycle as the CLI runs it: score -> sentinel -> investigate queued tasks. `rockhound cycle`
// runs it once, `rockhound run` every sentinel.interval (agent/scheduler.h), and `rockhound demo`
// calls it as one of its steps.
//
// The investigate step is a hook: the composition root plugs the investigator in with
// SetInvestigator (one function that works ONE claimed task and returns the stored report's
// id). Around it, RunCycle does the queue work every worker needs: claim (lease), heartbeat every
// queue.heartbeat while the investigation runs, Complete with the report id, Fail (retryable for
// unavailable / deadline_exceeded / resource_exhausted), and Release when a stop was requested
// (SIGTERM/SIGINT) so no task stays claimed by a process that is going away. With no investigator
// wired, queued tasks stay queued for a worker that has one.
// Thread-safety: RunCycle uses the AppContext from the calling thread (plus one heartbeat thread
// per task being worked, which only touches the task queue).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "app/app_context.h"
#include "core/error.h"
#include "sentinel/sentinel.h"
#include "store/task_queue.h"

namespace rh::app {

// Works one claimed task and returns the id of the report it stored. It should return early
// (any error) when `stop` becomes true; the task is then released, not failed.
using Investigator = std::function<Result<std::string>(AppContext& ctx, const store::Task& task,
                                                       const std::atomic<bool>& stop)>;

// Plugs the investigator into `cycle`, `run` and `demo` (call once, before running a command).
void SetInvestigator(Investigator investigator);

struct CycleOptions {
  bool investigate = true;   // false: stop after the sentinel (--no-investigate)
  int max_investigations = 0;  // 0: work the queue until it is empty
};

struct CycleResult {
  sentinel::PassSummary pass;
  bool investigator_wired = false;
  int investigated = 0;     // tasks completed with a report
  int failed = 0;           // attempts that failed (retried later or failed for good)
  int released = 0;         // tasks given back because of a stop request
  int left_queued = 0;      // tasks still queued after the cycle
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
