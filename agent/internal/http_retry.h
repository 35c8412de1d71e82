// The retry policy of Anthropic's official SDKs (Python `_base_client.py`, TypeScript
// `client.ts`, Go `requestconfig.go`), as pure functions so it can be tested value by value.
//
//  - ShouldRetryStatus: a 429 whose error.details.error_code is enforced_spend_limit_reached is
//    never retried (the monthly spend cap will not lift in seconds); otherwise the
//    `x-should-retry: true|false` header decides when present; otherwise 408, 409, 429 and every
//    status >= 500 (500, 502, 503, 504, 529) are retried and nothing else is.
//  - ParseRetryAfter: `retry-after-ms` (milliseconds), else `retry-after` as seconds, else
//    `retry-after` as an HTTP-date relative to `now`.
//  - RetryDelay: a server value in (0, 60] seconds is used exactly; otherwise
//    min(0.5 * 2^retries_taken, 8) seconds * (1 - 0.25 * jitter), jitter drawn from [0, 1).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/json.h"

namespace rh::agent::internal {

inline constexpr double kInitialRetryDelaySeconds = 0.5;
inline constexpr double kMaxRetryDelaySeconds = 8.0;
inline constexpr double kMaxHonouredRetryAfterSeconds = 60.0;

// Case-insensitive header lookup result: the value, or nullopt when absent.
using HeaderLookup = std::optional<std::string>;

struct RetryDecision {
  bool retry = false;
  std::string reason;  // why, for the log line: "x-should-retry: false", "status 529", ...
};

// `error_body` is the parsed error response (null when the body was not JSON).
RetryDecision ShouldRetryStatus(long status, const HeaderLookup& x_should_retry,
                                const Json& error_body);

// Seconds the server asked us to wait, or nullopt when it said nothing usable.
std::optional<double> ParseRetryAfter(const HeaderLookup& retry_after_ms,
                                      const HeaderLookup& retry_after, TimePoint now);

// The wait before the next attempt. `retries_taken` is 0 before the first retry.
Duration RetryDelay(std::optional<double> retry_after_seconds, int retries_taken, double jitter);

// Parses an HTTP-date (RFC 7231 IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT").
std::optional<TimePoint> ParseHttpDate(std::string_view text);

}  // namespace rh::agent::internal
