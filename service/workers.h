// InvestigationWorkers: the background investigators of a daemon (`rockhound serve` and `run`):
// agent.workers threads that poll the queue, claim tasks under a lease, investigate with the
// Runtime's Investigator and store the reports, until Stop. Listeners added before Start hear of
// every stored report (notifications). Every task's progress, start and end are published to
// the Runtime's ProgressHub (the live event streams).
// Thread-safety: Start/Stop from one controlling thread; Stop is idempotent and waits for the
// investigations in hand to finish (their leases are given back if they were not started).
#pragma once

#include <memory>

#include "agent/investigator.h"
#include "core/error.h"
#include "service/runtime.h"

namespace rh::agent {
class WorkerPool;
}  // namespace rh::agent

namespace rh::service {

class InvestigationWorkers {
 public:
  explicit InvestigationWorkers(Runtime& runtime);
  ~InvestigationWorkers();

  // Before Start: `listener` is called after each report is stored. Must not throw.
  void AddListener(agent::ReportListener listener);
  // Opens what the workers need (databases, lake, tools, engines) and starts them.
  Status Start();
  void Stop();
  int workers() const;

 private:
  Runtime& runtime_;
  std::vector<agent::ReportListener> listeners_;
  std::unique_ptr<agent::WorkerPool> pool_;
};

// Publishes each task `pool` works (its start, progress and end: "started", the engine's
// events, then "final", "failed" or "retrying" as the queue records it) to the Runtime's
// ProgressHub. Call before the pool starts; it takes the pool's claimed, progress and finished
// hooks. Both the daemon's workers and `cycle`/`run` use it.
void PublishProgress(Runtime& runtime, agent::WorkerPool& pool);

}  // namespace rh::service
