// OpenAiClient: the LlmClient that speaks the OpenAI Chat Completions API (OpenAI itself, or an
// OpenAI-compatible server: vLLM, Ollama, llama.cpp server, a LiteLLM proxy), so the tool-use
// loop (agent/claude_engine.h) can investigate with a model the team runs in its own network.
// docs/openai-compatible.md has the server recipes.
//
// Each CreateMessage translates the Anthropic-shaped LlmRequest into one
// `POST {base_url}/chat/completions` (headers Authorization: Bearer <key> — left out when no key
// is configured, which only https://api.openai.com requires — content-type,
// accept, user-agent, x-stainless-retry-count) and the answer back into an LlmResponse:
//  request   system blocks -> one leading system message (their texts joined by blank lines);
//            tools {name, description, input_schema} -> {type: function, function: {name,
//            description, parameters}}; tool_choice auto/any/tool/none -> "auto"/"required"/
//            {type: function, function: {name}}/"none"; an assistant message's text blocks ->
//            its content and its tool_use blocks -> tool_calls {id, type: function, function:
//            {name, arguments: the input as a JSON string}}; a user message's tool_result blocks
//            -> one `role: tool` message each (tool_call_id; is_error prefixes the content with
//            "Error: "), in order, before a user message with its text blocks (if any);
//            max_tokens -> max_tokens (max_completion_tokens for api.openai.com, whose newer
//            models refuse max_tokens); stop_sequences -> stop; metadata.user_id -> user;
//            temperature as the Anthropic client sends it. cache_control, thinking, betas,
//            `strict` (unless strict_schema, below) and unknown block types (thinking,
//            images) are dropped.
//  response  choices[0].message.content -> a text block; tool_calls -> tool_use blocks {id,
//            name, input parsed from arguments}. Arguments that are not a JSON object (local
//            servers emit truncated or single-quoted JSON) become the input
//            {"_invalid_json_arguments": "<the raw text>"}: the tools' closed schemas and the
//            report schema reject it, so the loop answers with an is_error result (or its repair
//            turn for submit_report) that names the problem and the model tries again.
//            finish_reason stop -> end_turn, tool_calls -> tool_use, length -> max_tokens,
//            content_filter -> refusal (anything else is kept as sent; a stop with tool calls
//            is tool_use, as some servers report it). usage.prompt_tokens minus
//            prompt_tokens_details.cached_tokens -> input, cached_tokens -> cache_read,
//            completion_tokens -> output; a missing `usage` (common in local servers) counts 0.
//            The request id is the x-request-id header.
//  strict    with strict_schema (agent.openai_strict_schema), a tool marked `strict`
//            (submit_report) goes as {function: {strict: true, parameters}} with OpenAI's strict
//            rules applied (internal/openai_strict_schema.h), and a request that forces it gets
//            `response_format: {type: json_schema, json_schema: {name, strict: true, schema}}`
//            with tool_choice "none"; the JSON content of the answer comes back as that tool's
//            call. A 400 naming response_format (a server without structured outputs) is
//            answered by resending the plain forced tool call, and response_format is not sent
//            again by this client. Nulls standing for absent optional fields are dropped. The
//            loop validates the report locally either way.
// Retries, timeouts, error codes and logging are the Anthropic client's (agent/internal/
// llm_http.h, the official SDKs' policy: 408/409/429/5xx and connection errors, x-should-retry,
// retry-after(-ms), 2 retries, 0.5 s * 2^n up to 8 s minus up to 25% jitter). The API key is
// never logged nor put in an Error.
// Thread-safety: CreateMessage may be called concurrently. The Clock, and an injected transport,
// must outlive the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/llm_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "net/http_transport.h"

namespace rh::agent {

namespace internal {
class JitterSource;  // internal/llm_http.h
}  // namespace internal

inline constexpr char kOpenAiDefaultBaseUrl[] = "https://api.openai.com/v1";
// The input key a tool call whose arguments are not a JSON object gets (with the raw text).
inline constexpr char kInvalidJsonArgumentsKey[] = "_invalid_json_arguments";

struct OpenAiClientOptions {
  std::string base_url = kOpenAiDefaultBaseUrl;  // agent.openai_base_url, up to /v1
  std::string api_key;  // OPENAI_API_KEY; empty: no Authorization header (not for api.openai.com)
  std::string model;                             // agent.openai_model
  int max_tokens = 4096;                         // agent.max_tokens, when a request sets none
  // Send the limit as max_completion_tokens (OpenAI's current name) instead of max_tokens
  // (what vLLM, Ollama and llama.cpp read). Unset: only for https://api.openai.com.
  std::optional<bool> max_completion_tokens;
  int max_retries = 2;                                   // agent.max_retries
  Duration connect_timeout = std::chrono::seconds(10);   // agent.connect_timeout
  Duration request_timeout = std::chrono::seconds(300);  // agent.request_timeout
  std::optional<double> temperature;                     // agent.temperature; unset = omitted
  Duration max_retry_wait = std::chrono::minutes(5);     // agent.max_retry_wait
  // agent.stream: `"stream": true` with `stream_options.include_usage`; the chunks are read as
  // they arrive (internal/sse_stream.h ChatCompletionStream) and the request's on_text hears
  // each content delta.
  bool stream = false;
  std::uint64_t jitter_seed = 0;
  std::function<double()> jitter;  // optional source in [0, 1), thread-safe (tests)
  // agent.openai_strict_schema: tools marked `strict` (submit_report) go as strict functions
  // and a request forcing one asks for it as response_format json_schema (see above).
  bool strict_schema = false;

  // Everything from the loaded config (the key included); the jitter seed is random.
  static OpenAiClientOptions FromConfig(const Config& config);
};

class OpenAiClient final : public LlmClient {
 public:
  // Checks the options: a key for api.openai.com (other servers may run without), an http(s)
  // base URL, a model, max_retries 0..10, positive
  // timeouts and max_tokens (invalid_argument naming the setting). Sends through its own
  // net::MakeDefaultHttpTransport().
  static Result<std::unique_ptr<OpenAiClient>> Create(OpenAiClientOptions options, Clock& clock);
  // The same, sending through `transport`, which must outlive the client.
  static Result<std::unique_ptr<OpenAiClient>> Create(OpenAiClientOptions options,
                                                      net::HttpTransport& transport, Clock& clock);

  ~OpenAiClient() override;

  Result<LlmResponse> CreateMessage(const LlmRequest& request) override;

  // The Chat Completions body CreateMessage would send (invalid_argument when the request is
  // unusable: no messages, or fields of the wrong JSON type).
  Result<Json> BuildRequestBody(const LlmRequest& request) const;

  // "{base_url}/chat/completions".
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct ConstructionKey {
    explicit ConstructionKey() = default;
  };

 public:
  OpenAiClient(ConstructionKey key, OpenAiClientOptions options,
               std::unique_ptr<net::HttpTransport> owned_transport, net::HttpTransport& transport,
               Clock& clock);

 private:
  static Status CheckOptions(OpenAiClientOptions& options);
  // The body, with response_format for a forced strict tool when `with_response_format`.
  Result<Json> BuildBody(const LlmRequest& request, bool with_response_format) const;

  OpenAiClientOptions options_;
  std::unique_ptr<net::HttpTransport> owned_transport_;
  net::HttpTransport& transport_;
  Clock& clock_;
  std::string endpoint_;
  std::unique_ptr<internal::JitterSource> jitter_;
  // Set once the server answered 400 naming response_format: not asked again.
  std::atomic<bool> response_format_refused_{false};
};

// The LlmResponse of a Chat Completions answer body (unavailable when it has no choices[0]
// message). Exposed for tests.
Result<LlmResponse> ParseChatCompletion(const Json& body);

}  // namespace rh::agent
