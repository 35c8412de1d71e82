#include "server/rate_limiter.h"

namespace rh::server {

RateLimiter::Decision RateLimiter::Admit(const std::string& client) {
  if (limit_per_minute_ <= 0) return {};
  constexpr auto kWindow = std::chrono::minutes(1);
  const TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (now - last_sweep_ > kWindow) {
    for (auto window = windows_.begin(); window != windows_.end();) {
      window = now - window->second.start >= kWindow ? windows_.erase(window) : std::next(window);
    }
    last_sweep_ = now;
  }
  Window& window = windows_[client];
  if (window.count == 0 || now - window.start >= kWindow || now < window.start) {
    window.start = now;
    window.count = 0;
  }
  if (window.count >= limit_per_minute_) {
    auto remaining = std::chrono::ceil<std::chrono::seconds>(window.start + kWindow - now);
    return {false, std::max(remaining, std::chrono::seconds(1))};
  }
  ++window.count;
  return {};
}

}  // namespace rh::server
