#include "agent/internal/sse_stream.h"

#include <utility>

namespace rh::agent::internal {
namespace {

constexpr char kContext[] = "anthropic stream";

// The error code an API error.type stands for (agent/llm_client.h's mapping of statuses).
ErrorCode CodeForErrorType(std::string_view type) {
  if (type == "invalid_request_error" || type == "not_found_error" ||
      type == "request_too_large") {
    return ErrorCode::kInvalidArgument;
  }
  if (type == "authentication_error" || type == "permission_error") {
    return ErrorCode::kPermissionDenied;
  }
  if (type == "rate_limit_error" || type == "billing_error") return ErrorCode::kResourceExhausted;
  if (type == "timeout_error") return ErrorCode::kDeadlineExceeded;
  return ErrorCode::kUnavailable;  // overloaded_error, api_error, anything new
}

void ReadUsage(const Json& usage, LlmUsage* into) {
  if (!usage.is_object()) return;
  // Cumulative: a field present replaces the one before.
  if (usage.contains("input_tokens")) into->input_tokens = JsonInt(usage, "input_tokens");
  if (usage.contains("output_tokens")) into->output_tokens = JsonInt(usage, "output_tokens");
  if (usage.contains("cache_read_input_tokens")) {
    into->cache_read_tokens = JsonInt(usage, "cache_read_input_tokens");
  }
  if (usage.contains("cache_creation_input_tokens")) {
    into->cache_write_tokens = JsonInt(usage, "cache_creation_input_tokens");
  }
}

}  // namespace

void SseDecoder::Feed(std::string_view chunk) {
  for (char c : chunk) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the \n of a \r\n
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      Line(pending_);
      pending_.clear();
      continue;
    }
    pending_.push_back(c);
  }
}

void SseDecoder::Finish() {
  if (!pending_.empty()) {
    Line(pending_);
    pending_.clear();
  }
  Dispatch();
}

void SseDecoder::Line(std::string_view line) {
  if (line.empty()) {
    Dispatch();
    return;
  }
  if (line.front() == ':') return;  // a comment
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "id") {
    current_.id = std::string(value);
  }
}

void SseDecoder::Dispatch() {
  if (has_data_) {
    if (current_.event.empty()) current_.event = "message";
    on_event_(current_);
  }
  current_ = SseEvent{};
  has_data_ = false;
}

Status MessageStreamAssembler::Add(const SseEvent& event) {
  if (error_) return Fail(*error_);
  Status added = AddLocked(event);
  if (!added) error_ = added.error();
  return added;
}

Status MessageStreamAssembler::AddLocked(const SseEvent& event) {
  ++events_;
  if (event.event == "ping") return {};
  auto parsed = ParseJson(event.data, std::string(kContext) + " event " + event.event);
  if (!parsed) {
    return Unavailable(kContext, "event " + std::to_string(events_) + " (" + event.event +
                                     ") is not JSON: " + parsed.error().message);
  }
  const Json& data = *parsed;
  const std::string type = data.is_object() ? JsonString(data, "type", event.event) : event.event;
  if (type == "error") {
    const Json error = data.is_object() && data.contains("error") ? data["error"] : Json();
    const std::string error_type = error.is_object() ? JsonString(error, "type") : "";
    return MakeError(CodeForErrorType(error_type), kContext,
                     "the API sent an error event after " + std::to_string(events_ - 1) +
                         " events: " + (error_type.empty() ? "unknown_error" : error_type) +
                         ": " + (error.is_object() ? JsonString(error, "message") : "") +
                         " (the turn is not retried once streaming started)");
  }
  if (!data.is_object()) return {};
  if (type == "message_start") {
    const Json message = data.contains("message") ? data["message"] : Json::object();
    if (!message.is_object()) {
      return Unavailable(kContext, "message_start carries no message object");
    }
    started_ = true;
    response_.id = JsonString(message, "id");
    response_.model = JsonString(message, "model");
    if (message.contains("usage")) ReadUsage(message["usage"], &response_.usage);
    return {};
  }
  if (!started_) {
    return Unavailable(kContext, "event '" + type + "' arrived before message_start");
  }
  const int index = data.contains("index") && data["index"].is_number_integer()
                        ? data["index"].get<int>()
                        : -1;
  if (type == "content_block_start") {
    if (index < 0 || !data.contains("content_block") || !data["content_block"].is_object()) {
      return Unavailable(kContext, "content_block_start without an index or a content_block");
    }
    blocks_[index] = data["content_block"];
    return {};
  }
  if (type == "content_block_delta") {
    auto block = blocks_.find(index);
    if (block == blocks_.end()) {
      return Unavailable(kContext, "content_block_delta for block " + std::to_string(index) +
                                       " that never started");
    }
    const Json delta = data.contains("delta") ? data["delta"] : Json::object();
    const std::string delta_type = JsonString(delta, "type");
    if (delta_type == "text_delta") {
      const std::string text = JsonString(delta, "text");
      block->second["text"] = JsonString(block->second, "text") + text;
      if (on_text_ && !text.empty()) on_text_(text);
    } else if (delta_type == "input_json_delta") {
      partial_json_[index] += JsonString(delta, "partial_json");
    } else if (delta_type == "thinking_delta") {
      block->second["thinking"] = JsonString(block->second, "thinking") +
                                  JsonString(delta, "thinking");
    } else if (delta_type == "signature_delta") {
      block->second["signature"] = JsonString(block->second, "signature") +
                                   JsonString(delta, "signature");
    } else if (delta_type == "citations_delta" && delta.contains("citation")) {
      if (!block->second.contains("citations") || !block->second["citations"].is_array()) {
        block->second["citations"] = Json::array();
      }
      block->second["citations"].push_back(delta["citation"]);
    }
    return {};
  }
  if (type == "content_block_stop") return CloseBlock(index);
  if (type == "message_delta") {
    const Json delta = data.contains("delta") ? data["delta"] : Json::object();
    if (delta.is_object()) {
      if (delta.contains("stop_reason") && delta["stop_reason"].is_string()) {
        response_.stop_reason = delta["stop_reason"].get<std::string>();
      }
      if (delta.contains("stop_sequence") && delta["stop_sequence"].is_string()) {
        response_.stop_sequence = delta["stop_sequence"].get<std::string>();
      }
    }
    if (data.contains("usage")) ReadUsage(data["usage"], &response_.usage);
    return {};
  }
  if (type == "message_stop") {
    stopped_ = true;
    return {};
  }
  return {};  // an event type added later
}

Status MessageStreamAssembler::CloseBlock(int index) {
  auto block = blocks_.find(index);
  if (block == blocks_.end()) {
    return Unavailable(kContext, "content_block_stop for block " + std::to_string(index) +
                                     " that never started");
  }
  closed_[index] = true;
  auto partial = partial_json_.find(index);
  if (partial == partial_json_.end()) return {};
  if (partial->second.empty()) {
    block->second["input"] = Json::object();
    return {};
  }
  auto input = ParseJson(partial->second, "tool input");
  if (!input) {
    return Unavailable(kContext, "the input of " + JsonString(block->second, "type") + " block " +
                                     std::to_string(index) + " (" +
                                     JsonString(block->second, "name", "?") +
                                     ") is not valid JSON once complete: " +
                                     input.error().message);
  }
  block->second["input"] = std::move(*input);
  return {};
}

Result<LlmResponse> MessageStreamAssembler::Finish() {
  if (error_) return Fail(*error_);
  if (!stopped_) {
    return Unavailable(kContext, "the stream ended after " + std::to_string(events_) +
                                     " events without message_stop (cut off mid-answer)");
  }
  LlmResponse response = response_;
  response.content = Json::array();
  const int last = blocks_.empty() ? -1 : blocks_.rbegin()->first;
  for (auto& [index, block] : blocks_) {
    if (!closed_.count(index)) {
      auto partial = partial_json_.find(index);
      const bool cut_off_here = index == last && response.stop_reason == "max_tokens";
      if (partial != partial_json_.end() && !partial->second.empty()) {
        auto input = ParseJson(partial->second, "tool input");
        if (input) {
          block["input"] = std::move(*input);
        } else if (cut_off_here) {
          block["input"] = Json::object();  // the engine answers a cut-off call "not run"
        } else {
          return Unavailable(kContext, "the input of block " + std::to_string(index) + " (" +
                                           JsonString(block, "name", "?") +
                                           ") is incomplete JSON and the block never ended (" +
                                           std::to_string(partial->second.size()) +
                                           " bytes; stop_reason " +
                                           (response.stop_reason.empty() ? "none"
                                                                         : response.stop_reason) +
                                           ")");
        }
      } else if (partial != partial_json_.end()) {
        block["input"] = Json::object();
      }
    }
    response.content.push_back(block);
  }
  return response;
}

MessageStream::MessageStream(std::function<void(std::string_view)> on_text)
    : assembler_(std::move(on_text)), decoder_([this](const SseEvent& event) {
        if (status_) status_ = assembler_.Add(event);
      }) {}

void MessageStream::Feed(std::string_view piece) {
  fed_ = true;
  decoder_.Feed(piece);
}

Result<LlmResponse> MessageStream::Finish(std::string_view whole_body) {
  if (!fed_) decoder_.Feed(whole_body);
  decoder_.Finish();
  if (!status_) return Fail(status_.error());
  return assembler_.Finish();
}

ChatCompletionStream::ChatCompletionStream(std::function<void(std::string_view)> on_text)
    : on_text_(std::move(on_text)), decoder_([this](const SseEvent& event) {
        if (status_ && !done_) status_ = Add(event);
      }) {}

void ChatCompletionStream::Feed(std::string_view piece) {
  fed_ = true;
  decoder_.Feed(piece);
}

Status ChatCompletionStream::Add(const SseEvent& event) {
  constexpr char kChatContext[] = "openai stream";
  if (event.data == "[DONE]") {
    done_ = true;
    return {};
  }
  ++chunks_;
  auto parsed = ParseJson(event.data, "openai stream chunk");
  if (!parsed || !parsed->is_object()) {
    return Unavailable(kChatContext, "chunk " + std::to_string(chunks_) + " is not a JSON object" +
                                         (parsed ? std::string() : ": " + parsed.error().message));
  }
  const Json& chunk = *parsed;
  if (chunk.contains("error")) {
    const Json& error = chunk["error"];
    const std::string message = error.is_object() ? JsonString(error, "message") : DumpJson(error);
    return Unavailable(kChatContext, "the server sent an error after " +
                                         std::to_string(chunks_ - 1) + " chunks: " + message +
                                         " (the turn is not retried once streaming started)");
  }
  for (const char* field : {"id", "model", "created", "system_fingerprint"}) {
    if (chunk.contains(field) && !body_.contains(field)) body_[field] = chunk[field];
  }
  if (chunk.contains("usage") && chunk["usage"].is_object()) body_["usage"] = chunk["usage"];
  if (!chunk.contains("choices") || !chunk["choices"].is_array()) return {};
  for (const Json& choice : chunk["choices"]) {
    if (!choice.is_object() || JsonInt(choice, "index") != 0) continue;
    if (choice.contains("finish_reason") && !choice["finish_reason"].is_null()) {
      finish_reason_ = choice["finish_reason"];
    }
    if (!choice.contains("delta") || !choice["delta"].is_object()) continue;
    const Json& delta = choice["delta"];
    if (delta.contains("role") && delta["role"].is_string()) role_ = delta["role"];
    if (delta.contains("content") && delta["content"].is_string()) {
      const std::string text = delta["content"].get<std::string>();
      content_ += text;
      has_content_ = true;
      if (on_text_ && !text.empty()) on_text_(text);
    }
    if (!delta.contains("tool_calls") || !delta["tool_calls"].is_array()) continue;
    for (const Json& piece : delta["tool_calls"]) {
      if (!piece.is_object()) continue;
      const int index = static_cast<int>(JsonInt(piece, "index"));
      Json& call = tool_calls_[index];
      if (call.is_null()) {
        call = Json{{"id", ""}, {"type", "function"},
                    {"function", {{"name", ""}, {"arguments", ""}}}};
      }
      if (piece.contains("id") && piece["id"].is_string() && !piece["id"].get<std::string>().empty()) {
        call["id"] = piece["id"];
      }
      if (piece.contains("type") && piece["type"].is_string()) call["type"] = piece["type"];
      if (piece.contains("function") && piece["function"].is_object()) {
        const Json& function = piece["function"];
        if (function.contains("name") && function["name"].is_string()) {
          call["function"]["name"] =
              call["function"]["name"].get<std::string>() + function["name"].get<std::string>();
        }
        if (function.contains("arguments") && function["arguments"].is_string()) {
          call["function"]["arguments"] = call["function"]["arguments"].get<std::string>() +
                                          function["arguments"].get<std::string>();
        }
      }
    }
  }
  return {};
}

Result<Json> ChatCompletionStream::Finish(std::string_view whole_body) {
  if (!fed_) decoder_.Feed(whole_body);
  decoder_.Finish();
  if (!status_) return Fail(status_.error());
  if (!done_ && finish_reason_.is_null()) {
    return Unavailable("openai stream", "the stream ended after " + std::to_string(chunks_) +
                                            " chunks with neither a finish_reason nor [DONE] "
                                            "(cut off mid-answer)");
  }
  Json message = {{"role", role_}, {"content", has_content_ ? Json(content_) : Json()}};
  if (!tool_calls_.empty()) {
    Json calls = Json::array();
    for (auto& [index, call] : tool_calls_) calls.push_back(call);
    message["tool_calls"] = std::move(calls);
  }
  Json body = body_;
  body["object"] = "chat.completion";
  body["choices"] = Json::array(
      {Json{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason_}}});
  return body;
}

Result<LlmResponse> ParseMessageStream(std::string_view body,
                                       std::function<void(std::string_view)> on_text) {
  MessageStream stream(std::move(on_text));
  return stream.Finish(body);
}

}  // namespace rh::agent::internal
