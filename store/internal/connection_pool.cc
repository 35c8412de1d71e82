#include "store/internal/connection_pool.h"

#include <algorithm>
#include <utility>

#include "core/time_format.h"

namespace rh::store::internal {
namespace {

// "200ms" below a whole second or off the second, else "30s", "2m".
std::string WaitText(Duration wait) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
  if (millis.count() % 1000 != 0) return std::to_string(millis.count()) + "ms";
  return FormatDurationShort(wait);
}

}  // namespace

ConnectionPool::Lease::~Lease() {
  if (pool_) pool_->Return(connection_);
}

ConnectionPool::ConnectionPool(std::string name, int capacity, Duration wait_timeout,
                               std::string exhausted_hint, ConnectionOpener open)
    : name_(std::move(name)),
      capacity_(capacity < 1 ? 1 : capacity),
      // At most a day: condition_variable::wait_for overflows on Duration::max().
      wait_timeout_(std::clamp<Duration>(wait_timeout, Duration::zero(), std::chrono::hours(24))),
      exhausted_hint_(std::move(exhausted_hint)),
      open_(std::move(open)) {}

void ConnectionPool::Adopt(std::unique_ptr<Database> connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(connection.get());
  connections_.push_back(std::move(connection));
  returned_.notify_one();
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto can_proceed = [&] {
    return !idle_.empty() ||
           (open_ && static_cast<int>(connections_.size()) + opening_ < capacity_);
  };
  // One wait for the whole timeout: the predicate is re-checked on every wake-up.
  if (!returned_.wait_for(lock, wait_timeout_, can_proceed)) {
    return Unavailable(name_, "no free connection within " + WaitText(wait_timeout_) +
                                  " (" + std::to_string(capacity_) + " busy); " + exhausted_hint_);
  }
  if (!idle_.empty()) {
    // Last returned first: a warm connection (its statement cache, its server session).
    Database* connection = idle_.back();
    idle_.pop_back();
    return Lease(this, connection);
  }
  ++opening_;  // reserve the slot, open without holding the lock
  lock.unlock();
  Result<std::unique_ptr<Database>> opened = open_();
  lock.lock();
  --opening_;
  if (!opened) {
    returned_.notify_one();  // the slot is free again for another waiter
    return Fail(opened.error());
  }
  Database* connection = opened->get();
  connections_.push_back(std::move(*opened));
  return Lease(this, connection);
}

int ConnectionPool::open_connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(connections_.size());
}

void ConnectionPool::Return(Database* connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(connection);
  }
  returned_.notify_one();
}

}  // namespace rh::store::internal
