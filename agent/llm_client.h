// LlmClient: one model turn of the Anthropic Messages API, seen without HTTP.
//
// The investigator builds an LlmRequest (system blocks, tools, the conversation so far) and gets
// back the model's next message as an LlmResponse. Content blocks stay raw JSON in both
// directions, so block types and fields this code does not know (thinking signatures, `caller`,
// citations, server-tool blocks) round-trip untouched: append `response.content` as the
// assistant message exactly as returned.
//
// Contract of CreateMessage:
//  - success: the parsed Message, whatever its stop_reason (`max_tokens`, `refusal`, `pause_turn`
//    and values added later are returned as-is; the caller decides what they mean);
//  - failure, after the implementation's own retries, an Error whose message names the HTTP
//    status, the API's error.type and error.message and the request-id, and whose code is
//      invalid_argument    400, 404, 413, 422 (and other 4xx): fix the request, do not retry;
//      permission_denied   401, 403: the API key is missing, wrong or lacks permission;
//      resource_exhausted  429 (rate or spend limit), 402 (billing);
//      deadline_exceeded   our connect or total timeout elapsed, or a 408;
//      unavailable         5xx, 529 overloaded, connection failures, a malformed 200 body.
//    The API key never appears in an Error or a log line.
// Thread-safety: implementations must allow concurrent CreateMessage calls from several workers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace rh::agent {

// The body of POST /v1/messages, minus what the client fills in from its configuration.
struct LlmRequest {
  std::string model;              // empty: the client's configured model (agent.model)
  std::optional<int> max_tokens;  // unset: the client's configured agent.max_tokens
  Json system;                    // null, a string, or an array of text blocks (cache_control ok)
  Json tools;                     // null or an array of {name, description, input_schema, ...}
  Json tool_choice;               // null (API default) or {"type": "auto"|"any"|"tool"|"none"}
  Json messages = Json::array();  // [{role, content}], content a string or an array of blocks
  std::optional<double> temperature;  // unset: the configured agent.temperature, else omitted
  Json metadata;                      // null or {"user_id": "..."} (an opaque id, never a person)
  Json stop_sequences;                // null or an array of strings
  // null, or {"type": "enabled", "budget_tokens": N} (extended thinking; N >= 1024). With
  // thinking on, temperature is left out and tool_choice must be auto or none (the API's rules).
  Json thinking;
  std::vector<std::string> betas;  // `anthropic-beta` names, e.g. interleaved-thinking-2025-05-14
  // Receives the model's text as it streams in (a client with agent.stream on); may be empty.
  // Called on the calling thread; the whole text is in the response's content anyway.
  std::function<void(std::string_view)> on_text;
};

// Token usage of one model turn as reported by the API (missing or null fields count 0).
struct LlmUsage {
  long long input_tokens = 0;  // tokens after the last cache breakpoint
  long long output_tokens = 0;
  long long cache_read_tokens = 0;   // cache_read_input_tokens
  long long cache_write_tokens = 0;  // cache_creation_input_tokens
};

// The model's next message.
struct LlmResponse {
  std::string id;                // "msg_..."
  std::string model;             // the resolved model id, e.g. claude-sonnet-4-5-20250929
  Json content = Json::array();  // content blocks exactly as returned
  std::string stop_reason;       // end_turn | tool_use | max_tokens | stop_sequence | ...
  std::string stop_sequence;     // the matched stop sequence, empty when none
  LlmUsage usage;
  std::string request_id;  // the `request-id` response header (for support tickets)
  int attempts = 1;        // HTTP attempts this turn took (1 + retries)
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  virtual Result<LlmResponse> CreateMessage(const LlmRequest& request) = 0;
};

}  // namespace rh::agent
