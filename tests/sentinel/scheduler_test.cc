#include "agent/scheduler.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <csignal>
#include <thread>

#include "core/log.h"
#include "core/time_format.h"

namespace rh::agent {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Captures the "agent" logger's lines for the duration of a test.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000)) {
    Logger("agent")->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = Logger("agent")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  int Count(std::string_view needle) const {
    int count = 0;
    for (const std::string& line : sink_->last_formatted()) {
      if (line.find(needle) != std::string::npos) ++count;
    }
    return count;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

SchedulerOptions Options(Duration interval = minutes(15)) {
  SchedulerOptions options;
  options.name = "test";
  options.interval = interval;
  return options;
}

TEST(PeriodicSchedulerTest, RunsAtStartThenOnWallClockBoundaries) {
  ManualClock clock(MakeUtcTime(2026, 11, 21, 10, 7, 30));
  std::atomic<bool> stop{false};
  PeriodicScheduler scheduler(clock, Options(), stop);
  std::vector<TimePoint> ticks;
  std::vector<TimePoint> run_times;
  SchedulerStats stats = scheduler.Run([&](TimePoint tick, int attempt) -> Status {
    EXPECT_EQ(attempt, 1);
    ticks.push_back(tick);
    run_times.push_back(clock.Now());
    clock.Advance(seconds(40));  // the body takes a while
    if (ticks.size() == 4) stop = true;
    return {};
  });
  EXPECT_EQ(ticks, (std::vector<TimePoint>{
                       MakeUtcTime(2026, 11, 21, 10, 7, 30), MakeUtcTime(2026, 11, 21, 10, 15),
                       MakeUtcTime(2026, 11, 21, 10, 30), MakeUtcTime(2026, 11, 21, 10, 45)}));
  EXPECT_EQ(run_times, ticks);
  EXPECT_EQ(stats.runs, 4);
  EXPECT_EQ(stats.successes, 4);
  EXPECT_EQ(stats.state_changes, 1);  // starting -> healthy
}

TEST(PeriodicSchedulerTest, WithoutRunAtStartTheFirstRunIsTheNextBoundary) {
  ManualClock clock(MakeUtcTime(2026, 11, 21, 10, 59, 59));
  std::atomic<bool> stop{false};
  SchedulerOptions options = Options(hours(1));
  options.run_at_start = false;
  PeriodicScheduler scheduler(clock, options, stop);
  std::vector<TimePoint> ticks;
  scheduler.Run([&](TimePoint tick, int) -> Status {
    ticks.push_back(tick);
    stop = true;
    return {};
  });
  EXPECT_EQ(ticks, (std::vector<TimePoint>{MakeUtcTime(2026, 11, 21, 11)}));
  EXPECT_EQ(PeriodicScheduler::NextBoundary(MakeUtcTime(2026, 11, 21, 10, 15), minutes(15)),
            MakeUtcTime(2026, 11, 21, 10, 30));
  EXPECT_EQ(PeriodicScheduler::NextBoundary(MakeUtcTime(2026, 11, 21, 10, 14, 59), minutes(15)),
            MakeUtcTime(2026, 11, 21, 10, 15));
}

TEST(PeriodicSchedulerTest, RetriesUnavailableWithBackoffAndLogsOncePerStateChange) {
  LogCapture logs;
  const TimePoint start = MakeUtcTime(2026, 11, 21, 10, 0, 0);
  ManualClock clock(start);
  std::atomic<bool> stop{false};
  SchedulerOptions options = Options();
  options.first_retry_delay = seconds(5);
  options.max_retry_delay = seconds(20);
  PeriodicScheduler scheduler(clock, options, stop);
  std::vector<std::pair<Duration, int>> calls;  // (time since start, attempt)
  SchedulerStats stats = scheduler.Run([&](TimePoint, int attempt) -> Status {
    calls.emplace_back(clock.Now() - start, attempt);
    if (calls.size() <= 5) return Unavailable("memory.db", "connection refused");
    if (calls.size() == 7) stop = true;
    return {};
  });
  // 0, +5s, +10s, +20s, +20s (capped), then success at 65s and the next boundary at 15m.
  std::vector<std::pair<Duration, int>> expected = {
      {seconds(0), 1},  {seconds(5), 2},  {seconds(15), 3}, {seconds(35), 4},
      {seconds(55), 5}, {seconds(75), 6}, {minutes(15), 1}};
  EXPECT_EQ(calls, expected);
  EXPECT_EQ(stats.failures, 5);
  EXPECT_EQ(stats.retries, 5);
  EXPECT_EQ(stats.successes, 2);
  EXPECT_EQ(stats.state_changes, 2);  // starting -> retrying -> healthy
  EXPECT_EQ(logs.Count("unavailable, retrying"), 1);
  EXPECT_EQ(logs.Count("recovered (after 6 attempts)"), 1);
  EXPECT_EQ(scheduler.state(), SchedulerState::kHealthy);
}

TEST(PeriodicSchedulerTest, OtherErrorsWaitForTheNextBoundary) {
  LogCapture logs;
  ManualClock clock(MakeUtcTime(2026, 11, 21, 10, 0, 0));
  std::atomic<bool> stop{false};
  PeriodicScheduler scheduler(clock, Options(), stop);
  std::vector<TimePoint> ticks;
  scheduler.Run([&](TimePoint tick, int) -> Status {
    ticks.push_back(tick);
    if (ticks.size() == 3) stop = true;
    return InvalidArgument("fleet.db", "schema is from the future");
  });
  EXPECT_EQ(ticks, (std::vector<TimePoint>{MakeUtcTime(2026, 11, 21, 10, 0),
                                           MakeUtcTime(2026, 11, 21, 10, 15),
                                           MakeUtcTime(2026, 11, 21, 10, 30)}));
  EXPECT_EQ(logs.Count("failing, will try again at the next boundary"), 1);
  EXPECT_EQ(scheduler.state(), SchedulerState::kFailing);
}

TEST(PeriodicSchedulerTest, StopWhileSleepingEndsWithinOnePollInterval) {
  const TimePoint start = MakeUtcTime(2026, 11, 21, 10, 0, 0);
  ManualClock clock(start, /*auto_advance_on_sleep=*/false);
  std::atomic<bool> stop{false};
  SchedulerOptions options = Options(hours(1));
  options.run_at_start = false;
  options.poll_interval = seconds(1);
  PeriodicScheduler scheduler(clock, options, stop);
  int runs = 0;
  std::thread runner([&] {
    scheduler.Run([&](TimePoint, int) -> Status {
      ++runs;
      return {};
    });
  });
  clock.WaitForSleepers(1);
  stop = true;
  clock.Advance(seconds(1));
  runner.join();
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(clock.Now(), start + seconds(1));  // not an hour later
}

TEST(StopSignalTest, SigtermAndSigintSetTheProcessStopFlag) {
  InstallStopSignalHandlers();
  for (int signal_number : {SIGTERM, SIGINT}) {
    ProcessStopFlag() = false;
    ASSERT_EQ(std::raise(signal_number), 0);
    EXPECT_TRUE(ProcessStopFlag().load()) << signal_number;
  }
  ProcessStopFlag() = false;
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGINT, SIG_DFL);
}

}  // namespace
}  // namespace rh::agent
