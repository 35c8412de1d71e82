// LeaseKeeper: keeps the lease of one claimed task alive while its investigation runs, and
// cancels the investigation when the lease is lost.
//
// From construction until Stop (or destruction) a thread heartbeats the task every `interval`
// of the Clock's time (queue.heartbeat; the lease itself is queue.lease, so a few beats may fail
// before it expires). A heartbeat that fails for another reason — `unavailable`: the memory
// database busy or down — is logged and tried again at the next beat. A heartbeat that says the
// lease is gone — permission_denied (another worker reclaimed the task after the lease expired,
// or the task was cancelled) or not_found — cancels `cancel` with the reason and ends the
// keeper: the investigation stops at its next checkpoint and stores nothing.
// Waits go through Clock::WaitFor, so tests drive the beats with a ManualClock, and Stop wakes
// the thread at once (a heartbeat already running finishes first).
// Thread-safety: construct, Stop and destroy on one thread; the accessors may be read from any.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "agent/cancellation.h"
#include "core/clock.h"
#include "store/task_queue.h"

namespace rh::agent {

class LeaseKeeper {
 public:
  // Starts the heartbeat thread. `queue`, `clock` and `cancel` must outlive the keeper.
  // `on_lost`, when set, is called on the keeper's thread right after it cancelled the run.
  LeaseKeeper(store::TaskQueue& queue, Clock& clock, std::string task_id, std::string owner,
              Duration interval, CancellationToken& cancel, std::function<void()> on_lost = {});
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Stops heartbeating and joins the thread. Idempotent.
  void Stop();

  int heartbeats() const { return heartbeats_.load(); }  // successful ones
  bool lease_lost() const { return lease_lost_.load(); }

 private:
  void Run(std::stop_token stop);

  store::TaskQueue& queue_;
  Clock& clock_;
  const std::string task_id_;
  const std::string owner_;
  const Duration interval_;
  CancellationToken& cancel_;
  std::function<void()> on_lost_;
  std::atomic<int> heartbeats_{0};
  std::atomic<bool> lease_lost_{false};
  std::jthread thread_;  // last: started once everything above is set
};

}  // namespace rh::agent
