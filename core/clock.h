// Clock: the one way Rockhound code learns the time or waits.
//
// Every component that needs "now" takes a Clock& in its constructor, so tests run on a
// ManualClock that only moves when told to and never read the real time. SystemClock is the
// production clock. ManualClock is also used in production where the time must be fixed:
// `rockhound demo` scores a simulated fleet "as of" the hour the simulation ends.
//
// Two readings: Now() is the wall clock (UTC, what reports and SQL see; it may be stepped by
// NTP or an operator), Monotonic() never goes backwards and is what elapsed times, deadlines
// and timeouts are measured on. No module reads std::chrono::steady_clock itself: a deadline on
// real work that must hold whatever clock a component runs on (a socket read timeout, the SQL
// statement watchdog) reads a SystemClock's Monotonic(), and how long a piece of work took (a
// figure for operators: scoring time, ingest time, request latency) is a Stopwatch.
// Thread-safety: all implementations are safe to call from several threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stop_token>

namespace rh {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

// The time point type of Clock::Monotonic(): a type of its own, so a monotonic reading cannot be
// mixed up with a wall-clock TimePoint. Its epoch is arbitrary; only differences mean something.
struct MonotonicEpoch {};
using MonoTime = std::chrono::time_point<MonotonicEpoch, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC).
  virtual TimePoint Now() const = 0;
  // A reading that never goes backwards (SystemClock: the OS's steady clock; ManualClock: moves
  // with Set/Advance/auto-advancing sleeps, never back). The default, for clocks that only
  // implement Now(), is Now() held at its highest value so far.
  virtual MonoTime Monotonic() const;
  // Blocks the caller for `duration` of this clock's time (a ManualClock returns once another
  // thread has advanced it far enough, or at once if `duration` <= 0).
  virtual void SleepFor(Duration duration) = 0;
  // Waits `duration` of this clock's time or until `stop` is requested, whichever comes first:
  // true when the whole `duration` passed, false when stopped (at once if `stop` is already
  // requested). For periodic background work (a lease heartbeat) that must end promptly.
  // SystemClock and ManualClock wake on the request; the default (for other clocks) checks
  // `stop` only before and after an uninterruptible SleepFor.
  virtual bool WaitFor(Duration duration, std::stop_token stop);

 private:
  mutable std::mutex monotonic_mutex_;
  mutable TimePoint monotonic_high_ = TimePoint::min();
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  MonoTime Monotonic() const override;
  void SleepFor(Duration duration) override;
  bool WaitFor(Duration duration, std::stop_token stop) override;
};

// A clock that moves only through Set/Advance (or, with auto_advance_on_sleep, when a caller
// sleeps: SleepFor then returns immediately after advancing the clock by the duration).
// WaitFor never advances the clock, auto_advance_on_sleep or not: it returns when another
// thread has advanced the clock far enough or `stop` is requested, so a periodic background
// loop cannot race a frozen "as of" clock forward.
// Monotonic() starts at an arbitrary epoch and moves forward by every forward step of Now()
// (Set to an earlier time moves Now() back but leaves Monotonic() where it is); sleeps and
// waits are measured on it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start, bool auto_advance_on_sleep = true);
  TimePoint Now() const override;
  MonoTime Monotonic() const override;
  void SleepFor(Duration duration) override;
  bool WaitFor(Duration duration, std::stop_token stop) override;
  void Set(TimePoint now);
  void Advance(Duration by);
  // Blocks until at least `count` threads are inside SleepFor/WaitFor waiting for a time that
  // has not come yet (tests use it to advance the clock only once a sleeper is waiting; a
  // sleeper whose time was reached by Advance no longer counts, so after an Advance this waits
  // for the sleeper to go back to sleep).
  void WaitForSleepers(int count) const;
  // How many threads are waiting that way now (0 once every background waiter has ended).
  int Sleepers() const;

 private:
  // Moves both readings by `by` (> 0) and wakes the sleepers; mutex_ held.
  void MoveForwardLocked(Duration by);
  // Waits until Monotonic() reaches its current value + `duration` or `stop` is requested;
  // mutex_ held.
  bool WaitLocked(std::unique_lock<std::mutex>& lock, Duration duration, std::stop_token stop);
  int PendingSleepersLocked() const;

  mutable std::mutex mutex_;
  std::condition_variable_any moved_;
  mutable std::condition_variable sleepers_changed_;
  std::multiset<MonoTime> wake_times_;  // one entry per sleeping thread
  TimePoint now_;
  MonoTime monotonic_{};
  bool auto_advance_on_sleep_;
};

// The machine's monotonic clock (SystemClock's Monotonic()), for deadlines on real work that
// must hold whatever Clock a component runs on: a socket's read timeout, the SQL statement
// watchdog. Components whose waits a test must control take a Clock& instead.
MonoTime MachineMonotonic();

// Measures how long real work takes, on the machine's monotonic clock, whatever Clock the
// component runs on: a demo on a frozen ManualClock still reports how long scoring took.
// Only for figures shown to operators (durations in logs, stats, metrics); never for a
// decision a test must control (use Clock::Monotonic for those).
class Stopwatch {
 public:
  Stopwatch();
  // Time since construction or the last Restart().
  Duration Elapsed() const;
  double ElapsedSeconds() const;
  double ElapsedMillis() const;
  void Restart();

 private:
  MonoTime started_;
};

}  // namespace rh
