// RateLimiter: a per-client request budget for the HTTP server (server.rate_limit_per_minute).
//
// A fixed one-minute window per client key (the peer address), on the injected Clock: the first
// `limit` requests of a window pass, the rest are refused with the time until the window ends
// (the server sends it as Retry-After with a 429). A limit of 0 turns limiting off. Windows of
// clients not seen for a while are forgotten, so memory stays bounded by the active clients.
// Thread-safety: Admit may be called from every server thread at once.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace rh::server {

class RateLimiter {
 public:
  RateLimiter(Clock& clock, int limit_per_minute)
      : clock_(clock), limit_per_minute_(limit_per_minute) {}

  struct Decision {
    bool admitted = true;
    std::chrono::seconds retry_after{0};  // when refused: until the client's window ends
  };

  Decision Admit(const std::string& client);

 private:
  struct Window {
    TimePoint start;
    int count = 0;
  };

  Clock& clock_;
  const int limit_per_minute_;
  std::mutex mutex_;
  std::map<std::string, Window> windows_;
  TimePoint last_sweep_{};
};

}  // namespace rh::server
