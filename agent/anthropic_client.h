// AnthropicClient: the LlmClient that calls the Anthropic Messages API over HTTPS, through the
// one outbound transport (net::HttpTransport; production uses net::MakeDefaultHttpTransport()).
//
// Each CreateMessage is `POST {base_url}/v1/messages` with the headers x-api-key,
// anthropic-version: 2023-06-01, content-type: application/json (plus accept, user-agent and
// x-stainless-retry-count = the attempt number, as the official SDKs send it). The body is the
// LlmRequest with the configured model and max_tokens filled in; `temperature` is sent only when
// the request or agent.temperature sets it and thinking is off; empty system/tools/tool_choice/
// metadata are left out; `thinking` goes as given and the request's betas as one
// `anthropic-beta` header (comma-separated, as the SDKs send it).
//
// Retries follow the official SDKs exactly (agent/internal/llm_http.h, shared with OpenAiClient:
// internal/anthropic_retry.h decides whether, net/backoff.h how long; see agent/README.md): up
// to max_retries more attempts (2 by default) after 408/409/429/5xx/529, a dropped connection
// or a timeout, honouring x-should-retry, retry-after-ms and retry-after (0 < x <=
// agent.max_retry_wait, 5 min by default), else min(0.5 * 2^n, 8) s minus up to 25%
// jitter; never a 429 for the monthly spend limit. Waiting goes through the injected Clock, so
// tests on a ManualClock take no real time; the jitter comes from a seeded generator (or an
// injected source). Each attempt has a connect timeout and a total timeout. A 200 is parsed
// leniently: unknown fields and block types are kept or ignored, never an error;
// `stop_reason: max_tokens` is a normal answer.
//
// Through a cloud gateway (options.gateway bedrock or vertex; agent/internal/gateway.h,
// docs/gateways.md) the same Messages body goes to Bedrock's InvokeModel or Vertex AI's
// rawPredict URL, without `model`, with the gateway's anthropic_version, authenticated by an
// optional bearer token instead of x-api-key (none for a signing proxy); the answer is the
// same Message, its model reported as the Anthropic id (CanonicalClaudeModel).
//
// Logging (logger "agent"): one info line per call (status, attempts, request-id, tokens), a warn
// line per retry, the request size at debug and the whole body only at trace. The API key is
// never logged nor put in an Error.
// Thread-safety: CreateMessage may be called concurrently (the transport is thread-safe; the
// jitter generator is locked). The Clock, and an injected transport, must outlive the client.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "agent/llm_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "net/http_transport.h"

namespace rh::agent {

namespace internal {
class JitterSource;  // internal/llm_http.h
}  // namespace internal

inline constexpr char kAnthropicDefaultBaseUrl[] = "https://api.anthropic.com";
inline constexpr char kAnthropicVersion[] = "2023-06-01";

struct AnthropicClientOptions {
  std::string base_url = kAnthropicDefaultBaseUrl;  // ANTHROPIC_BASE_URL; no trailing /v1
  std::string api_key;                              // ANTHROPIC_API_KEY
  std::string model = "claude-sonnet-4-5-20250929";  // agent.model, when a request names none
  int max_tokens = 4096;                            // agent.max_tokens, when a request sets none
  int max_retries = 2;                              // agent.max_retries
  Duration connect_timeout = std::chrono::seconds(10);   // agent.connect_timeout, per attempt
  Duration request_timeout = std::chrono::seconds(300);  // agent.request_timeout, per attempt
  std::optional<double> temperature;                     // agent.temperature; unset = omitted
  Duration max_retry_wait = std::chrono::minutes(5);     // agent.max_retry_wait
  // agent.stream: ask for Server-Sent Events (`"stream": true`) and read them as they arrive
  // (internal/sse_stream.h); the request's on_text hears each text delta.
  bool stream = false;
  std::uint64_t jitter_seed = 0;                         // seeds the retry jitter generator
  // Optional source of jitter in [0, 1) replacing the seeded generator; must be thread-safe.
  std::function<double()> jitter;
  // kAnthropic: the Anthropic API. kBedrock / kVertex: Claude through that gateway; base_url is
  // then agent.gateway_base_url (empty or the Anthropic default: the cloud's endpoint for
  // gateway_region), api_key the optional bearer token (AWS_BEARER_TOKEN_BEDROCK,
  // ROCKHOUND_VERTEX_ACCESS_TOKEN; empty for a signing proxy), model the gateway's model id.
  LlmProvider gateway = LlmProvider::kAnthropic;
  std::string gateway_region;  // agent.gateway_region
  std::string vertex_project;  // agent.vertex_project

  // Everything from the loaded config (secrets included); the jitter seed is random.
  static AnthropicClientOptions FromConfig(const Config& config);
};

class AnthropicClient final : public LlmClient {
 public:
  // Checks the options: an API key (optional through a gateway), an http(s) base URL (a gateway's
  // region and project), max_retries 0..10, positive timeouts
  // and max_tokens. Errors are invalid_argument naming the setting to fix. The client sends
  // through its own net::MakeDefaultHttpTransport().
  static Result<std::unique_ptr<AnthropicClient>> Create(AnthropicClientOptions options,
                                                         Clock& clock);
  // The same, sending through `transport` (a fake in tests), which must outlive the client.
  static Result<std::unique_ptr<AnthropicClient>> Create(AnthropicClientOptions options,
                                                         net::HttpTransport& transport,
                                                         Clock& clock);

  ~AnthropicClient() override;

  Result<LlmResponse> CreateMessage(const LlmRequest& request) override;

  // The JSON body CreateMessage would send for `request` (invalid_argument when the request is
  // unusable: no messages, or system/tools/tool_choice of the wrong JSON type).
  Result<Json> BuildRequestBody(const LlmRequest& request) const;

  // "{base_url}/v1/messages", or the gateway's URL for the configured model.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct ConstructionKey {
    explicit ConstructionKey() = default;
  };

 public:
  // Use Create(); the key keeps unchecked options out. `owned_transport` is null when
  // `transport` belongs to the caller.
  AnthropicClient(ConstructionKey key, AnthropicClientOptions options,
                  std::unique_ptr<net::HttpTransport> owned_transport,
                  net::HttpTransport& transport, Clock& clock);

 private:
  // Checks `options` (and trims the base URL's trailing slashes).
  static Status CheckOptions(AnthropicClientOptions& options);

  AnthropicClientOptions options_;
  std::unique_ptr<net::HttpTransport> owned_transport_;
  net::HttpTransport& transport_;
  Clock& clock_;
  std::string endpoint_;
  std::unique_ptr<internal::JitterSource> jitter_;
};

}  // namespace rh::agent
