// The HTTP half shared by the model clients (AnthropicClient, OpenAiClient): one JSON POST to a
// model API with the official SDKs' retry policy, the error mapping of agent/llm_client.h and
// the log lines, so both providers retry, wait and fail the same way. What is sent and how a 200
// is read stay in each client.
//
//  - Retries: up to max_retries more attempts after a dropped connection, a timeout, or an error
//    status internal::ShouldRetryStatus accepts (x-should-retry, then 408/409/429/5xx; the
//    Stainless SDK convention both the Anthropic and the OpenAI SDKs follow). The wait is
//    net::RetryDelay: retry-after-ms / retry-after when in (0, max_retry_wait], else
//    min(0.5 s * 2^n, 8 s) minus up to 25% jitter, slept on the injected Clock.
//  - The error body is read as {"error": {"type", "message"}} (both APIs' shape; OpenAI's
//    `code` stands in for a missing type and is named beside a present one, "HTTP 400
//    invalid_request_error (context_length_exceeded): ..."); anything else is quoted as a
//    redacted snippet.
//  - The request id comes from the first of `request_id_headers` present, else the error body's
//    request_id.
//  - Secrets: the headers (which carry the API key) are never logged nor quoted; messages and
//    URLs go through RedactSecrets, and `secret` (the key, which a proxy's error text may echo)
//    is masked in every message.
// Thread-safety: PostJsonWithRetries is reentrant; JitterSource::Next is locked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "agent/llm_client.h"
#include "core/json.h"
#include "net/http_transport.h"

namespace rh::agent::internal {

// Jitter in [0, 1): `fixed` when set (tests), else a seeded generator.
class JitterSource {
 public:
  JitterSource(std::uint64_t seed, std::function<double()> fixed)
      : fixed_(std::move(fixed)), rng_(seed) {}
  double Next();

 private:
  std::function<double()> fixed_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

struct LlmHttpCall {
  std::string context;        // "anthropic" | "openai": the error context and the log prefix
  std::string endpoint;       // the URL POSTed to
  std::string base_url_hint;  // the setting to fix when the URL is unusable (ANTHROPIC_BASE_URL)
  std::string body;           // the JSON request body
  std::string secret;         // the API key: masked wherever an answer echoes it back
  // The headers of attempt `retries_taken` (0 first): API key, version, x-stainless-retry-count.
  std::function<net::HttpHeaders(int retries_taken)> headers;
  std::vector<std::string> request_id_headers;  // e.g. {"request-id"} or {"x-request-id"}
  std::function<std::string(long status)> status_hint;  // " (check ANTHROPIC_API_KEY)" or ""
  int max_retries = 2;
  Duration connect_timeout = std::chrono::seconds(10);
  Duration request_timeout = std::chrono::seconds(300);
  Duration max_retry_wait = std::chrono::minutes(5);
  // Set: the answer is a stream (agent.stream). The pieces of a 2xx body go here as they
  // arrive; the body is not parsed as JSON (LlmHttpAnswer::text has it whole). An attempt that
  // fails before its first piece is retried as usual; once a piece arrived, a failure is final
  // (unavailable, "the stream broke after N bytes").
  std::function<void(std::string_view)> on_stream;
};

// A 2xx answer with its parsed JSON body.
struct LlmHttpAnswer {
  long status = 200;
  Json body;               // null for a streamed answer
  std::string text;        // a streamed answer's whole body
  bool streamed = false;   // on_stream received at least one piece
  std::string request_id;  // empty when the server sent none
  int attempts = 1;

  // " (request-id X; N attempts)", for errors about this answer's content.
  std::string Suffix() const;
};

// Sends `call` until a 2xx whose body is JSON (returned), a non-retryable answer or the retries
// are spent (an Error coded as agent/llm_client.h says; a 2xx body that is not JSON is
// unavailable).
Result<LlmHttpAnswer> PostJsonWithRetries(const LlmHttpCall& call, net::HttpTransport& transport,
                                          Clock& clock, JitterSource& jitter);

// The checks every model client makes on its retry and timeout settings (invalid_argument
// naming the agent.* setting).
Status CheckRetrySettings(const std::string& context, int max_retries, Duration max_retry_wait,
                          Duration connect_timeout, Duration request_timeout);

// Trims trailing slashes and checks the URL is http(s); `setting` names what to fix.
Status CheckBaseUrl(const std::string& context, const std::string& setting, std::string& url);

// The shape checks every client makes on an LlmRequest before translating it: at least one
// message; system a string or an array; tools an array; tool_choice, metadata objects;
// stop_sequences an array. invalid_argument naming the field.
Status CheckRequestShape(const std::string& context, const LlmRequest& request);

}  // namespace rh::agent::internal
