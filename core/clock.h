// Clock: the one way Rockhound code learns the time or waits.
//
// Every component that needs "now" takes a Clock& in its constructor, so tests run on a
// ManualClock that only moves when told to and never read the real time. SystemClock is the
// production clock. ManualClock is also used in production where the time must be fixed:
// `rockhound demo` scores a simulated fleet "as of" the hour the simulation ends.
// Thread-safety: all implementations are safe to call from several threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace rh {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC).
  virtual TimePoint Now() const = 0;
  // Blocks the caller for `duration` of this clock's time (a ManualClock returns once another
  // thread has advanced it far enough, or at once if `duration` <= 0).
  virtual void SleepFor(Duration duration) = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  void SleepFor(Duration duration) override;
};

// A clock that moves only through Set/Advance (or, with auto_advance_on_sleep, when a caller
// sleeps: the sleep then returns immediately after advancing the clock by the duration).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start, bool auto_advance_on_sleep = true);
  TimePoint Now() const override;
  void SleepFor(Duration duration) override;
  void Set(TimePoint now);
  void Advance(Duration by);
  // Blocks until at least `count` threads are inside SleepFor (tests use it to advance the
  // clock only once a sleeper is waiting).
  void WaitForSleepers(int count) const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable moved_;
  mutable std::condition_variable sleepers_changed_;
  int sleepers_ = 0;
  TimePoint now_;
  bool auto_advance_on_sleep_;
};

}  // namespace rh
