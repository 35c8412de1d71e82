// Whether the Anthropic client retries an error answer: the decision of Anthropic's official
// SDKs (Python `_base_client.py` `_should_retry`, TypeScript `client.ts`, Go
// `requestconfig.go`), as a pure function tested value by value. How long to wait before the
// retry is not decided here: that is the generic timing of net/backoff.h (Retry-After, backoff,
// jitter), shared by every outbound client.
//
//  - A 429 whose error.details.error_code is enforced_spend_limit_reached is never retried (the
//    monthly spend cap will not lift in seconds). Anthropic-only.
//  - Otherwise the `x-should-retry: true|false` header decides when present (any other value is
//    ignored).
//  - Otherwise 408, 409, 429 and every status >= 500 (500, 502, 503, 504, 529) are retried and
//    nothing else is.
// Why here and not in net/: the spend-limit rule reads Anthropic's error body, and the three
// rules only make sense together, in this order. x-should-retry and the status list are the
// Stainless SDK convention (OpenAI's SDK follows it too): the OpenAI client uses this decision as
// well, through internal/llm_http.h (an OpenAI error body never carries the spend-limit code, so
// the first rule cannot fire for it). The embedder and the notifier keep their own lists.
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"

namespace rh::agent::internal {

struct RetryDecision {
  bool retry = false;
  std::string reason;  // why, for the log line: "x-should-retry: false", "status 529", ...
};

// `x_should_retry` is the header's value (nullopt when absent); `error_body` is the parsed
// error answer (null when the body was not JSON).
RetryDecision ShouldRetryStatus(long status, const std::optional<std::string>& x_should_retry,
                                const Json& error_body);

}  // namespace rh::agent::internal
