#include "core/clock.h"

#include <algorithm>
#include <thread>

namespace rh {

MonoTime Clock::Monotonic() const {
  const TimePoint now = Now();
  std::lock_guard<std::mutex> lock(monotonic_mutex_);
  monotonic_high_ = std::max(monotonic_high_, now);
  return MonoTime(monotonic_high_.time_since_epoch());
}

bool Clock::WaitFor(Duration duration, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  SleepFor(duration);
  return !stop.stop_requested();
}

TimePoint SystemClock::Now() const { return std::chrono::system_clock::now(); }

MonoTime SystemClock::Monotonic() const {
  return MonoTime(
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

void SystemClock::SleepFor(Duration duration) {
  if (duration > Duration::zero()) std::this_thread::sleep_for(duration);
}

bool SystemClock::WaitFor(Duration duration, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  if (duration <= Duration::zero()) return true;
  std::mutex mutex;
  std::condition_variable_any stopped;
  std::unique_lock<std::mutex> lock(mutex);
  stopped.wait_for(lock, stop, duration, [] { return false; });  // wakes on the stop request
  return !stop.stop_requested();
}

ManualClock::ManualClock(TimePoint start, bool auto_advance_on_sleep)
    : now_(start), auto_advance_on_sleep_(auto_advance_on_sleep) {}

TimePoint ManualClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

MonoTime ManualClock::Monotonic() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return monotonic_;
}

void ManualClock::MoveForwardLocked(Duration by) {
  now_ += by;
  monotonic_ += by;
  moved_.notify_all();
  sleepers_changed_.notify_all();
}

int ManualClock::PendingSleepersLocked() const {
  return static_cast<int>(std::distance(wake_times_.upper_bound(monotonic_), wake_times_.end()));
}

bool ManualClock::WaitLocked(std::unique_lock<std::mutex>& lock, Duration duration,
                             std::stop_token stop) {
  if (stop.stop_requested()) return false;
  if (duration <= Duration::zero()) return true;
  const MonoTime wake = monotonic_ + duration;
  auto entry = wake_times_.insert(wake);
  sleepers_changed_.notify_all();
  const bool reached = moved_.wait(lock, stop, [&] { return monotonic_ >= wake; });
  wake_times_.erase(entry);
  sleepers_changed_.notify_all();
  return reached;
}

void ManualClock::SleepFor(Duration duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (duration <= Duration::zero()) return;
  if (auto_advance_on_sleep_) {
    MoveForwardLocked(duration);
    return;
  }
  WaitLocked(lock, duration, std::stop_token());
}

bool ManualClock::WaitFor(Duration duration, std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mutex_);
  return WaitLocked(lock, duration, std::move(stop));
}

void ManualClock::WaitForSleepers(int count) const {
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_changed_.wait(lock, [&] { return PendingSleepersLocked() >= count; });
}

int ManualClock::Sleepers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return PendingSleepersLocked();
}

void ManualClock::Set(TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (now > now_) {
    MoveForwardLocked(now - now_);
    return;
  }
  now_ = now;  // backwards: the wall clock steps back, the monotonic reading stays
}

void ManualClock::Advance(Duration by) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (by > Duration::zero()) {
    MoveForwardLocked(by);
    return;
  }
  now_ += by;
}

MonoTime MachineMonotonic() {
  static const SystemClock machine;
  return machine.Monotonic();
}

Stopwatch::Stopwatch() : started_(MachineMonotonic()) {}

Duration Stopwatch::Elapsed() const { return MachineMonotonic() - started_; }

double Stopwatch::ElapsedSeconds() const {
  return std::chrono::duration<double>(Elapsed()).count();
}

double Stopwatch::ElapsedMillis() const {
  return std::chrono::duration<double, std::milli>(Elapsed()).count();
}

void Stopwatch::Restart() { started_ = MachineMonotonic(); }

}  // namespace rh
