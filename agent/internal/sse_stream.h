// Streaming model answers (agent.stream = true): a Server-Sent Events decoder and the assembler
// that turns the Anthropic Messages API's event stream into the same LlmResponse a non-streamed
// answer gives.
//
// SseDecoder follows the WHATWG rules the SDKs' decoders follow: events end at a blank line
// (\n, \r\n or \r line ends), lines starting with ':' are comments, one space after "field:" is
// dropped, several data lines join with '\n', unknown fields are ignored. Feed it the body in
// any chunks; it calls back once per complete event.
//
// MessageStreamAssembler reads the Anthropic events (anthropic-messages-api.md §5):
// message_start (id, model, usage), content_block_start (the block as given), content_block_delta
// (text_delta, input_json_delta concatenated and parsed at content_block_stop — "" means {} —,
// thinking_delta, signature_delta, citations_delta), content_block_stop, message_delta
// (stop_reason, stop_sequence, cumulative usage), message_stop, ping (ignored), error (an Error
// coded like the HTTP status the API's error.type stands for), and ignores unknown events.
// A tool_use block whose JSON does not parse is an error naming the block and the tool — except
// the last block of a message cut off at max_tokens, which keeps `input: {}` (the engine answers
// such a call "not run", as it does for a non-streamed cut-off message). A stream that ends
// before message_stop is unavailable ("the stream ended after N events without message_stop").
// Thread-safety: one instance per stream, used by one thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "agent/llm_client.h"
#include "core/error.h"
#include "core/json.h"

namespace rh::agent::internal {

struct SseEvent {
  std::string event;  // "message" when the stream named none
  std::string data;
  std::string id;
};

class SseDecoder {
 public:
  using EventFn = std::function<void(const SseEvent&)>;
  explicit SseDecoder(EventFn on_event) : on_event_(std::move(on_event)) {}
  void Feed(std::string_view chunk);
  // The end of the body: a last event without its blank line is dispatched.
  void Finish();

 private:
  void Line(std::string_view line);
  void Dispatch();

  EventFn on_event_;
  std::string pending_;  // an incomplete line
  bool after_cr_ = false;
  SseEvent current_;
  bool has_data_ = false;
};

class MessageStreamAssembler {
 public:
  // `on_text` (may be empty) receives each text delta as it arrives.
  explicit MessageStreamAssembler(std::function<void(std::string_view)> on_text = {})
      : on_text_(std::move(on_text)) {}

  // One decoded event; an error stops the stream (later calls return the same error).
  Status Add(const SseEvent& event);
  // Events seen so far (ping included).
  int events() const { return events_; }
  // The message, once message_stop was seen.
  Result<LlmResponse> Finish();

 private:
  Status AddLocked(const SseEvent& event);
  Status CloseBlock(int index);

  std::function<void(std::string_view)> on_text_;
  int events_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::optional<Error> error_;
  LlmResponse response_;
  std::map<int, Json> blocks_;                // index -> block as built so far
  std::map<int, std::string> partial_json_;   // index -> concatenated input_json_delta
  std::map<int, bool> closed_;
};

// One streamed model turn: the pieces of the body as they arrive (Feed), then the message.
class MessageStream {
 public:
  explicit MessageStream(std::function<void(std::string_view)> on_text = {});
  void Feed(std::string_view piece);
  // The message; `whole_body` is read when no piece was fed (a transport that cannot stream).
  Result<LlmResponse> Finish(std::string_view whole_body);

 private:
  MessageStreamAssembler assembler_;
  Status status_;
  SseDecoder decoder_;
  bool fed_ = false;
};

// A streamed Chat Completions answer (OpenAI-compatible servers with `"stream": true` and
// `stream_options.include_usage`): `data: {chunk}` events until `data: [DONE]`, assembled into
// the body the same request would have had without streaming — {id, model, choices: [{index 0,
// message {role, content, tool_calls}, finish_reason}], usage} — so one parser reads both.
// Content deltas go to `on_text` as they arrive; tool_calls deltas are merged by their `index`
// (id, type and name from the first piece, `arguments` concatenated, left for the client to
// parse); `usage` comes from the chunk that carries it (the last one). A chunk with an `error`
// object is an error (unavailable, with its message); a stream that ends with neither [DONE]
// nor a finish_reason is unavailable ("cut off").
class ChatCompletionStream {
 public:
  explicit ChatCompletionStream(std::function<void(std::string_view)> on_text = {});
  void Feed(std::string_view piece);
  // The assembled body; `whole_body` is read when no piece was fed.
  Result<Json> Finish(std::string_view whole_body);

 private:
  Status Add(const SseEvent& event);

  std::function<void(std::string_view)> on_text_;
  Status status_;
  SseDecoder decoder_;
  bool fed_ = false;
  bool done_ = false;
  int chunks_ = 0;
  Json body_ = Json::object();
  std::string role_ = "assistant";
  std::string content_;
  bool has_content_ = false;
  std::map<int, Json> tool_calls_;
  Json finish_reason_;
};

// The whole body of a streamed answer, parsed (the recorded-traffic tests and a transport that
// cannot stream). `on_text` as above.
Result<LlmResponse> ParseMessageStream(std::string_view body,
                                       std::function<void(std::string_view)> on_text = {});

}  // namespace rh::agent::internal
