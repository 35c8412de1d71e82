#include "core/clock.h"

#include <thread>

namespace rh {

TimePoint SystemClock::Now() const { return std::chrono::system_clock::now(); }

void SystemClock::SleepFor(Duration duration) {
  if (duration > Duration::zero()) std::this_thread::sleep_for(duration);
}

ManualClock::ManualClock(TimePoint start, bool auto_advance_on_sleep)
    : now_(start), auto_advance_on_sleep_(auto_advance_on_sleep) {}

TimePoint ManualClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

void ManualClock::SleepFor(Duration duration) {
  if (duration <= Duration::zero()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  if (auto_advance_on_sleep_) {
    now_ += duration;
    moved_.notify_all();
    return;
  }
  const TimePoint wake = now_ + duration;
  ++sleepers_;
  sleepers_changed_.notify_all();
  moved_.wait(lock, [&] { return now_ >= wake; });
  --sleepers_;
  sleepers_changed_.notify_all();
}

void ManualClock::WaitForSleepers(int count) const {
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_changed_.wait(lock, [&] { return sleepers_ >= count; });
}

void ManualClock::Set(TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ = now;
  moved_.notify_all();
}

void ManualClock::Advance(Duration by) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += by;
  moved_.notify_all();
}

}  // namespace rh
