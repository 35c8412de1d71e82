// Clock: the monotonic reading (ManualClock moves it with every forward step and never back;
// the default holds Now() at its highest), WaitFor (ends on a stop request; on a ManualClock it
// waits for another thread's Advance and never auto-advances), and WaitForSleepers/Sleepers
// (a sleeper whose time came no longer counts).
#include "core/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/time_format.h"

namespace rh {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ManualClockTest, MonotonicFollowsForwardStepsAndNeverGoesBack) {
  ManualClock clock(MakeUtcTime(2026, 1, 1));
  const MonoTime start = clock.Monotonic();
  clock.Advance(minutes(5));
  EXPECT_EQ(clock.Monotonic() - start, minutes(5));
  clock.SleepFor(seconds(30));  // auto-advance moves both readings
  EXPECT_EQ(clock.Monotonic() - start, minutes(5) + seconds(30));

  clock.Set(MakeUtcTime(2025, 12, 31));  // the wall clock steps back a day
  EXPECT_EQ(clock.Now(), MakeUtcTime(2025, 12, 31));
  EXPECT_EQ(clock.Monotonic() - start, minutes(5) + seconds(30));
  clock.Advance(-hours(1));
  EXPECT_EQ(clock.Monotonic() - start, minutes(5) + seconds(30));

  clock.Set(MakeUtcTime(2025, 12, 31) + hours(2));  // forward again: by the step taken
  EXPECT_EQ(clock.Monotonic() - start, hours(3) + minutes(5) + seconds(30));
}

// A clock with only Now(): the default Monotonic() holds the highest Now() seen.
class SteppedClock final : public Clock {
 public:
  TimePoint Now() const override { return now.load(); }
  void SleepFor(Duration) override {}
  std::atomic<TimePoint> now{MakeUtcTime(2026, 1, 1)};
};

TEST(ClockTest, DefaultMonotonicIsNowHeldAtItsHighest) {
  SteppedClock clock;
  const MonoTime first = clock.Monotonic();
  clock.now = MakeUtcTime(2026, 1, 1) + minutes(10);
  EXPECT_EQ(clock.Monotonic() - first, minutes(10));
  clock.now = MakeUtcTime(2025, 6, 1);
  EXPECT_EQ(clock.Monotonic() - first, minutes(10));
  clock.now = MakeUtcTime(2026, 1, 1) + minutes(12);
  EXPECT_EQ(clock.Monotonic() - first, minutes(12));
}

TEST(ManualClockTest, WaitForReturnsTrueOnceAnotherThreadAdvancedFarEnough) {
  ManualClock clock(MakeUtcTime(2026, 1, 1), /*auto_advance_on_sleep=*/false);
  std::stop_source stop;
  bool waited = false;
  std::thread waiter([&] { waited = clock.WaitFor(minutes(10), stop.get_token()); });
  clock.WaitForSleepers(1);
  EXPECT_EQ(clock.Sleepers(), 1);
  clock.Advance(minutes(9));
  clock.WaitForSleepers(1);  // still waiting
  clock.Advance(minutes(1));
  waiter.join();
  EXPECT_TRUE(waited);
  EXPECT_EQ(clock.Sleepers(), 0);
}

TEST(ManualClockTest, WaitForNeverAutoAdvancesAndEndsOnStop) {
  ManualClock clock(MakeUtcTime(2026, 1, 1), /*auto_advance_on_sleep=*/true);
  const MonoTime start = clock.Monotonic();
  std::stop_source stop;
  bool waited = true;
  std::thread waiter([&] { waited = clock.WaitFor(hours(1), stop.get_token()); });
  clock.WaitForSleepers(1);
  stop.request_stop();
  waiter.join();
  EXPECT_FALSE(waited);
  EXPECT_EQ(clock.Now(), MakeUtcTime(2026, 1, 1));  // the wait did not move the clock
  EXPECT_EQ(clock.Monotonic(), start);
  EXPECT_EQ(clock.Sleepers(), 0);
  // Already stopped: false at once; zero duration: true at once.
  EXPECT_FALSE(clock.WaitFor(hours(1), stop.get_token()));
  EXPECT_TRUE(clock.WaitFor(Duration::zero(), std::stop_token()));
}

TEST(ManualClockTest, ASleeperWhoseTimeCameNoLongerCounts) {
  ManualClock clock(MakeUtcTime(2026, 1, 1), /*auto_advance_on_sleep=*/false);
  std::stop_source stop;
  std::atomic<int> wakeups{0};
  std::thread periodic([&] {
    while (clock.WaitFor(minutes(1), stop.get_token())) ++wakeups;
  });
  for (int round = 1; round <= 3; ++round) {
    clock.WaitForSleepers(1);
    clock.Advance(minutes(1));
    // The woken thread is not counted until it waits again, so this returns only after it
    // went round its loop once.
    clock.WaitForSleepers(1);
    EXPECT_EQ(wakeups.load(), round);
  }
  stop.request_stop();
  periodic.join();
  EXPECT_EQ(wakeups.load(), 3);
}

TEST(SystemClockTest, WaitForEndsOnStopWithoutWaitingTheDuration) {
  SystemClock clock;
  std::stop_source stop;
  bool waited = true;
  std::thread waiter([&] { waited = clock.WaitFor(hours(24), stop.get_token()); });
  stop.request_stop();
  waiter.join();  // a day otherwise
  EXPECT_FALSE(waited);
  EXPECT_FALSE(clock.WaitFor(hours(24), stop.get_token()));
  EXPECT_TRUE(clock.WaitFor(std::chrono::milliseconds(1), std::stop_token()));
  const MonoTime first = clock.Monotonic();
  EXPECT_GE(clock.Monotonic(), first);
}

}  // namespace
}  // namespace rh
