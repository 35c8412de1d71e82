// PeriodicScheduler: runs a body every `interval`, aligned to the wall clock of an injected
// Clock, until a stop flag is set. It is generic (it knows nothing of scoring or investigating);
// `rockhound run` uses it to repeat the cycle every sentinel.interval.
//
// Schedule: with run_at_start the first run happens at once; after that, runs happen on the
// interval's boundaries of the UTC clock (interval 15m: at :00, :15, :30, :45), skipping any
// boundary that passed while a run was still going. When the body fails with `unavailable`
// (a database is down or busy) the scheduler retries it after first_retry_delay, doubling up to
// max_retry_delay, until it succeeds; any other error is logged and the run waits for the next
// boundary. Logging is one line per state change (healthy -> retrying -> healthy, ...), not one
// per attempt, so an outage of an hour is two lines, not hundreds.
//
// Stop: the flag is checked before each run and at least every poll_interval while sleeping; a
// run that is in progress is not interrupted (the body can watch the same flag).
// InstallStopSignalHandlers makes SIGTERM and SIGINT set ProcessStopFlag().
// Thread-safety: Run blocks the calling thread; the stop flag may be set from any thread or a
// signal handler.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/error.h"

namespace rh::agent {

// The process-wide flag SIGTERM/SIGINT set once InstallStopSignalHandlers has run.
std::atomic<bool>& ProcessStopFlag();
// Installs handlers for SIGTERM and SIGINT that set ProcessStopFlag() (async-signal-safe).
void InstallStopSignalHandlers();

enum class SchedulerState { kStarting, kHealthy, kRetrying, kFailing };
std::string_view SchedulerStateName(SchedulerState state);

struct SchedulerOptions {
  std::string name = "cycle";  // used in log lines
  Duration interval = std::chrono::minutes(15);
  bool run_at_start = true;
  Duration first_retry_delay = std::chrono::seconds(5);
  Duration max_retry_delay = std::chrono::minutes(5);
  Duration poll_interval = std::chrono::milliseconds(500);
};

struct SchedulerStats {
  int runs = 0;  // body calls
  int successes = 0;
  int failures = 0;       // body calls that returned an error
  int retries = 0;        // calls made because the previous one was `unavailable`
  int state_changes = 0;  // log lines about state
};

class PeriodicScheduler {
 public:
  // Called with the tick (the scheduled time of this run) and the attempt (1 for a scheduled
  // run, 2, 3, ... for retries of it).
  using Body = std::function<Status(TimePoint tick, int attempt)>;

  PeriodicScheduler(Clock& clock, SchedulerOptions options, const std::atomic<bool>& stop);

  // Runs until the stop flag is set; returns the statistics of the whole run.
  SchedulerStats Run(const Body& body);

  // The first interval boundary strictly after `now`.
  static TimePoint NextBoundary(TimePoint now, Duration interval);

  SchedulerState state() const { return state_; }

 private:
  // Sleeps until `until` in slices of poll_interval; false when the stop flag was set.
  bool SleepUntil(TimePoint until);
  void ChangeState(SchedulerState next, const std::string& detail);

  Clock& clock_;
  SchedulerOptions options_;
  const std::atomic<bool>& stop_;
  SchedulerState state_ = SchedulerState::kStarting;
  SchedulerStats stats_;
};

}  // namespace rh::agent
