#include "agent/scheduler.h"

#include <algorithm>
#include <csignal>

#include "core/log.h"
#include "core/time_format.h"

namespace rh::agent {
namespace {

std::atomic<bool> process_stop_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void HandleStopSignal(int /*signal*/) {
  process_stop_flag.store(true, std::memory_order_relaxed);
}

}  // namespace

std::atomic<bool>& ProcessStopFlag() { return process_stop_flag; }

void InstallStopSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = HandleStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

std::string_view SchedulerStateName(SchedulerState state) {
  switch (state) {
    case SchedulerState::kStarting:
      return "starting";
    case SchedulerState::kHealthy:
      return "healthy";
    case SchedulerState::kRetrying:
      return "retrying";
    case SchedulerState::kFailing:
      return "failing";
  }
  return "starting";
}

PeriodicScheduler::PeriodicScheduler(Clock& clock, SchedulerOptions options,
                                     const std::atomic<bool>& stop)
    : clock_(clock), options_(std::move(options)), stop_(stop) {
  if (options_.interval <= Duration::zero()) options_.interval = std::chrono::minutes(15);
  if (options_.poll_interval <= Duration::zero()) {
    options_.poll_interval = std::chrono::milliseconds(500);
  }
  if (options_.first_retry_delay <= Duration::zero()) {
    options_.first_retry_delay = std::chrono::seconds(1);
  }
  options_.max_retry_delay = std::max(options_.max_retry_delay, options_.first_retry_delay);
}

TimePoint PeriodicScheduler::NextBoundary(TimePoint now, Duration interval) {
  return FloorTo(now, interval) + interval;
}

bool PeriodicScheduler::SleepUntil(TimePoint until) {
  while (!stop_.load()) {
    const Duration left = until - clock_.Now();
    if (left <= Duration::zero()) return true;
    clock_.SleepFor(std::min(left, options_.poll_interval));
  }
  return false;
}

void PeriodicScheduler::ChangeState(SchedulerState next, const std::string& detail) {
  if (next == state_) return;
  const SchedulerState previous = state_;
  state_ = next;
  ++stats_.state_changes;
  auto log = Logger("agent");
  switch (next) {
    case SchedulerState::kHealthy:
      if (previous == SchedulerState::kStarting) {
        log->info("scheduler {}: running every {}", options_.name,
                  FormatDurationShort(options_.interval));
      } else {
        log->info("scheduler {}: recovered ({})", options_.name, detail);
      }
      break;
    case SchedulerState::kRetrying:
      log->warn("scheduler {}: unavailable, retrying with backoff up to {}: {}", options_.name,
                FormatDurationShort(options_.max_retry_delay), detail);
      break;
    case SchedulerState::kFailing:
      log->error("scheduler {}: failing, will try again at the next boundary: {}", options_.name,
                 detail);
      break;
    case SchedulerState::kStarting:
      break;
  }
}

SchedulerStats PeriodicScheduler::Run(const Body& body) {
  TimePoint tick =
      options_.run_at_start ? clock_.Now() : NextBoundary(clock_.Now(), options_.interval);
  Duration retry_delay = options_.first_retry_delay;
  int attempt = 1;
  while (SleepUntil(tick)) {
    ++stats_.runs;
    if (attempt > 1) ++stats_.retries;
    Status status = body(tick, attempt);
    if (status) {
      ++stats_.successes;
      ChangeState(SchedulerState::kHealthy,
                  attempt > 1 ? "after " + std::to_string(attempt) + " attempts" : "");
      attempt = 1;
      retry_delay = options_.first_retry_delay;
      tick = NextBoundary(clock_.Now(), options_.interval);
      continue;
    }
    ++stats_.failures;
    if (status.error().retryable()) {
      ChangeState(SchedulerState::kRetrying, status.error().ToString());
      Logger("agent")->debug("scheduler {}: attempt {} failed: {}; next in {}", options_.name,
                             attempt, status.error().ToString(), FormatDurationShort(retry_delay));
      ++attempt;
      tick = clock_.Now() + retry_delay;
      retry_delay = std::min(retry_delay * 2, options_.max_retry_delay);
      continue;
    }
    ChangeState(SchedulerState::kFailing, status.error().ToString());
    attempt = 1;
    retry_delay = options_.first_retry_delay;
    tick = NextBoundary(clock_.Now(), options_.interval);
  }
  Logger("agent")->info("scheduler {}: stopped after {} run(s)", options_.name, stats_.runs);
  return stats_;
}

}  // namespace rh::agent
