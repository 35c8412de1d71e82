#include "agent/lease_keeper.h"

#include <exception>

#include "core/log.h"

namespace rh::agent {

LeaseKeeper::LeaseKeeper(store::TaskQueue& queue, Clock& clock, std::string task_id,
                         std::string owner, Duration interval, CancellationToken& cancel,
                         std::function<void()> on_lost)
    : queue_(queue),
      clock_(clock),
      task_id_(std::move(task_id)),
      owner_(std::move(owner)),
      interval_(interval),
      cancel_(cancel),
      on_lost_(std::move(on_lost)),
      thread_([this](std::stop_token stop) { Run(std::move(stop)); }) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void LeaseKeeper::Run(std::stop_token stop) {
  auto log = Logger("agent");
  while (clock_.WaitFor(interval_, stop)) {
    // The catch-all of this thread: a heartbeat that throws is a failed heartbeat.
    Status beat;
    try {
      beat = queue_.Heartbeat(task_id_, owner_);
    } catch (const std::exception& error) {
      beat = Internal("heartbeat", std::string("exception: ") + error.what());
    } catch (...) {
      beat = Internal("heartbeat", "unknown exception");
    }
    if (beat) {
      heartbeats_.fetch_add(1);
      continue;
    }
    const ErrorCode code = beat.error().code;
    if (code == ErrorCode::kPermissionDenied || code == ErrorCode::kNotFound) {
      log->warn("task={} lease lost by {} ({}); cancelling the investigation", task_id_, owner_,
                beat.error().ToString());
      lease_lost_.store(true);
      cancel_.Cancel("task " + task_id_ + ": lease lost (" + beat.error().ToString() + ")");
      try {
        if (on_lost_) on_lost_();
      } catch (...) {
        log->error("task={} the lease-lost observer threw", task_id_);
      }
      return;
    }
    log->warn("task={} heartbeat failed, trying again in {}s: {}", task_id_,
              std::chrono::duration_cast<std::chrono::seconds>(interval_).count(),
              beat.error().ToString());
  }
}

}  // namespace rh::agent
