// The generic retry timing of every outbound client: how long to wait before the next attempt.
// Pure functions, tested value by value; the caller decides WHETHER to retry (which statuses,
// which headers, which error bodies), these decide HOW LONG to wait.
//
//  - ParseRetryAfter: what the server asked for: `retry-after-ms` (milliseconds), else
//    `retry-after` as seconds (a decimal number), else `retry-after` as an HTTP date
//    (libcurl's curl_getdate: RFC 1123, RFC 850, asctime and the common variants) relative to an
//    injected `now`. This is the order of Anthropic's and OpenAI's SDKs.
//  - BackoffDelay: min(initial * multiplier^retries_taken, max) * (1 - jitter_fraction * jitter).
//  - RetryDelay: a server wait in (0, max_server_wait] is used exactly (never jittered, never
//    capped by `max`); anything else (absent, <= 0, unparsable, or beyond max_server_wait) is
//    ignored and BackoffDelay is used: a worker blocked for minutes on one call is worse than a
//    backoff, and a wait in the past means "now".
// The defaults of BackoffPolicy are the Anthropic SDKs' (Python `_base_client.py`): 0.5 s doubled
// up to 8 s, up to 25% jitter, a server wait honoured up to 60 s.
// Thread-safety: pure functions (curl_getdate touches no shared state).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace rh::net {

struct BackoffPolicy {
  Duration initial = std::chrono::milliseconds(500);  // the wait before the first retry
  Duration max = std::chrono::seconds(8);             // the longest backoff (not server waits)
  double multiplier = 2.0;                            // growth per retry taken; >= 1
  double jitter_fraction = 0.25;  // share of the backoff the jitter may take off, in [0, 1]
  Duration max_server_wait = std::chrono::seconds(60);  // the longest Retry-After honoured
};

// Seconds the server asked us to wait (may be <= 0 for a date in the past), or nullopt when it
// said nothing usable. An unusable `retry-after-ms` falls through to `retry-after`.
std::optional<double> ParseRetryAfter(const std::optional<std::string>& retry_after_ms,
                                      const std::optional<std::string>& retry_after, TimePoint now);

// An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994", ...) through curl_getdate; a named zone other than GMT is applied
// ("... 00:49:37 PST" is 08:49:37 GMT). nullopt when it is not a date.
std::optional<TimePoint> ParseHttpDate(std::string_view text);

// The exponential backoff before retry number `retries_taken` + 1 (0 before the first retry).
// `jitter` is drawn by the caller from [0, 1) (clamped to [0, 1]); 0 = no jitter.
Duration BackoffDelay(const BackoffPolicy& policy, int retries_taken, double jitter);

// The wait before the next attempt: the server's wait when it is usable, else BackoffDelay.
Duration RetryDelay(const BackoffPolicy& policy, std::optional<double> server_wait_seconds,
                    int retries_taken, double jitter);

}  // namespace rh::net
