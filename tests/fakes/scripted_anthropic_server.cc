#include "tests/fakes/scripted_anthropic_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/fakes/scripted_chat_completions.h"
#include "tests/fakes/test_env.h"

namespace rh::testing {
namespace {

constexpr char kAnyValue[] = "<any>";
constexpr int kMaxCacheControl = 4;
constexpr char kToolNamePattern[] = "^[a-zA-Z0-9_-]{1,64}$";

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Short(const Json& value) {
  std::string text = DumpJson(value);
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return text;
}

ApiRejection Invalid(std::string message) {
  return ApiRejection{400, "invalid_request_error", std::move(message)};
}

// ---- Scenario parsing -----------------------------------------------------------------------

const std::map<std::string, ScriptedTurn::Kind>& FaultKinds() {
  static const std::map<std::string, ScriptedTurn::Kind> kKinds = {
      {"drop_connection", ScriptedTurn::Kind::kDropConnection},
      {"truncated_body", ScriptedTurn::Kind::kTruncatedBody},
      {"malformed_json", ScriptedTurn::Kind::kMalformedJson},
      {"timeout", ScriptedTurn::Kind::kTimeout},
      {"stream_cut", ScriptedTurn::Kind::kStreamCut},
  };
  return kKinds;
}

// A complete Message as the Messages API streams it (anthropic-messages-api.md §5): one SSE
// event per string, text in two deltas, tool input in three input_json_delta pieces, a ping.
std::vector<std::string> MessageEvents(const Json& message) {
  auto event = [](const std::string& name, const Json& data) {
    return "event: " + name + "\ndata: " + DumpJson(data) + "\n\n";
  };
  std::vector<std::string> events;
  Json start = message;
  start["content"] = Json::array();
  start["stop_reason"] = nullptr;
  start["stop_sequence"] = nullptr;
  Json usage = message.value("usage", Json::object());
  start["usage"] = usage;
  start["usage"]["output_tokens"] = 1;
  events.push_back(event("message_start", {{"type", "message_start"}, {"message", start}}));
  events.push_back(event("ping", {{"type", "ping"}}));
  int index = 0;
  for (const Json& block : message["content"]) {
    const std::string type = JsonString(block, "type");
    Json opening = block;
    if (type == "text") opening["text"] = "";
    if (type == "tool_use") opening["input"] = Json::object();
    events.push_back(
        event("content_block_start",
              {{"type", "content_block_start"}, {"index", index}, {"content_block", opening}}));
    auto delta = [&](const Json& body) {
      events.push_back(event("content_block_delta",
                             {{"type", "content_block_delta"}, {"index", index}, {"delta", body}}));
    };
    if (type == "text") {
      const std::string text = JsonString(block, "text");
      const size_t half = text.size() / 2;
      delta({{"type", "text_delta"}, {"text", text.substr(0, half)}});
      delta({{"type", "text_delta"}, {"text", text.substr(half)}});
    } else if (type == "tool_use") {
      const std::string json = DumpJson(block.value("input", Json::object()));
      delta({{"type", "input_json_delta"}, {"partial_json", ""}});
      const size_t third = json.size() / 3;
      delta({{"type", "input_json_delta"}, {"partial_json", json.substr(0, third)}});
      delta({{"type", "input_json_delta"}, {"partial_json", json.substr(third)}});
    }
    events.push_back(
        event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
    ++index;
  }
  events.push_back(event("message_delta", {{"type", "message_delta"},
                                           {"delta",
                                            {{"stop_reason", message["stop_reason"]},
                                             {"stop_sequence", message["stop_sequence"]}}},
                                           {"usage", usage}}));
  events.push_back(event("message_stop", {{"type", "message_stop"}}));
  return events;
}

// A raw SSE body cut into its events (each with its blank line), for streaming it piece by piece.
std::vector<std::string> SplitEvents(const std::string& body) {
  std::vector<std::string> events;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    end = end == std::string::npos ? body.size() : end + 2;
    events.push_back(body.substr(start, end - start));
    start = end;
  }
  return events;
}

// Serves `events` as a chunked text/event-stream, one event per chunk; with `cut_after` >= 0
// the connection closes after that many events, mid-stream.
void StreamEvents(httplib::Response& response, std::vector<std::string> events,
                  int cut_after = -1) {
  auto shared = std::make_shared<std::vector<std::string>>(std::move(events));
  auto next = std::make_shared<size_t>(0);
  response.set_chunked_content_provider(
      "text/event-stream", [shared, next, cut_after](size_t, httplib::DataSink& sink) {
        if (cut_after >= 0 && *next >= static_cast<size_t>(cut_after)) return false;
        if (*next >= shared->size()) {
          sink.done();
          return true;
        }
        const std::string& piece = (*shared)[(*next)++];
        sink.write(piece.data(), piece.size());
        return true;
      });
}

std::string DefaultErrorType(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

std::string DefaultErrorMessage(const std::string& type) {
  if (type == "rate_limit_error") {
    return "Number of request tokens has exceeded your per-minute rate limit";
  }
  if (type == "overloaded_error") return "Overloaded";
  if (type == "authentication_error") return "invalid x-api-key";
  if (type == "permission_error") return "Your API key does not have permission to use the model";
  if (type == "not_found_error") return "Not Found";
  return "Internal server error";
}

Result<std::vector<std::pair<std::string, std::string>>> ParseHeaders(const Json& headers,
                                                                      const std::string& where) {
  std::vector<std::pair<std::string, std::string>> parsed;
  if (headers.is_null()) return parsed;
  if (!headers.is_object()) return InvalidArgument(where, "headers must be an object");
  for (const auto& [name, value] : headers.items()) {
    if (value.is_string()) {
      parsed.emplace_back(Lower(name), value.get<std::string>());
    } else if (value.is_number() || value.is_boolean()) {
      parsed.emplace_back(Lower(name), value.dump());
    } else {
      return InvalidArgument(where, "header '" + name + "' must be a string or a number");
    }
  }
  return parsed;
}

Result<ScriptedTurn> ParseTurn(const Json& turn, const std::string& where) {
  if (!turn.is_object()) return InvalidArgument(where, "a turn must be an object");
  static const std::set<std::string> kKeys = {"label",   "repeat",         "delay_ms",
                                              "message", "error",          "response",
                                              "fault",   "expect_request", "expect_last_message",
                                              "comment"};
  for (const auto& [key, value] : turn.items()) {
    if (!kKeys.count(key)) return InvalidArgument(where, "unknown key '" + key + "'");
  }
  ScriptedTurn parsed;
  parsed.label = JsonString(turn, "label");
  if (auto repeat = turn.find("repeat"); repeat != turn.end()) {
    if (repeat->is_string() && *repeat == "forever") {
      parsed.repeat = -1;
    } else if (repeat->is_number_integer() && repeat->get<int>() >= 1) {
      parsed.repeat = repeat->get<int>();
    } else {
      return InvalidArgument(where, "repeat must be a positive integer or \"forever\"");
    }
  }
  if (auto delay = turn.find("delay_ms"); delay != turn.end()) {
    if (!delay->is_number_integer() || delay->get<long long>() < 0) {
      return InvalidArgument(where, "delay_ms must be a non-negative integer");
    }
    parsed.delay = std::chrono::milliseconds(delay->get<long long>());
  }
  parsed.expect_request = turn.value("expect_request", Json());
  parsed.expect_last_message = turn.value("expect_last_message", Json());

  const int kinds =
      static_cast<int>(turn.contains("message")) + static_cast<int>(turn.contains("error")) +
      static_cast<int>(turn.contains("response")) + static_cast<int>(turn.contains("fault"));
  if (kinds != 1) {
    return InvalidArgument(where, "a turn needs exactly one of message, error, response, fault");
  }
  if (turn.contains("message")) {
    parsed.kind = ScriptedTurn::Kind::kMessage;
    parsed.message = turn["message"];
    if (!parsed.message.is_object() || !parsed.message.contains("content") ||
        !parsed.message["content"].is_array()) {
      return InvalidArgument(where, "message must be an object with a content array");
    }
  } else if (turn.contains("error")) {
    const Json& error = turn["error"];
    if (!error.is_object()) return InvalidArgument(where, "error must be an object");
    parsed.kind = ScriptedTurn::Kind::kError;
    parsed.status = static_cast<int>(JsonInt(error, "status", 500));
    parsed.error_type = JsonString(error, "type", DefaultErrorType(parsed.status));
    parsed.error_message = JsonString(error, "message", DefaultErrorMessage(parsed.error_type));
    RH_ASSIGN_OR_RETURN(parsed.headers, ParseHeaders(error.value("headers", Json()), where));
    if (error.contains("details")) parsed.body = Json{{"details", error["details"]}};
  } else if (turn.contains("response")) {
    const Json& response = turn["response"];
    if (!response.is_object()) return InvalidArgument(where, "response must be an object");
    parsed.kind = ScriptedTurn::Kind::kResponse;
    parsed.status = static_cast<int>(JsonInt(response, "status", 200));
    RH_ASSIGN_OR_RETURN(parsed.headers, ParseHeaders(response.value("headers", Json()), where));
    if (response.contains("body_text")) {
      parsed.body_text = JsonString(response, "body_text");
    } else {
      parsed.body = response.value("body", Json());
    }
  } else {
    const std::string fault = JsonString(turn, "fault");
    auto kind = FaultKinds().find(fault);
    if (kind == FaultKinds().end()) {
      return InvalidArgument(where, "unknown fault '" + fault +
                                        "' (drop_connection, truncated_body, malformed_json, "
                                        "timeout, stream_cut)");
    }
    parsed.kind = kind->second;
    if (parsed.kind == ScriptedTurn::Kind::kTimeout && !turn.contains("delay_ms")) {
      parsed.delay = std::chrono::seconds(30);
    }
  }
  return parsed;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return NotFound(path, "cannot open");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<Json> ReadJsonFile(const std::string& path) {
  RH_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseJson(text, path);
}

// ---- Request validation ---------------------------------------------------------------------

struct MergedMessage {
  std::string role;
  std::vector<Json> blocks;
};

int CountCacheControl(const Json& value) {
  int count = 0;
  if (value.is_object()) {
    if (value.contains("cache_control") && !value["cache_control"].is_null()) ++count;
    if (auto content = value.find("content"); content != value.end() && content->is_array()) {
      for (const auto& block : *content) count += CountCacheControl(block);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) count += CountCacheControl(item);
  }
  return count;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string text;
  for (size_t id_idx = 0; id_idx < ids.size(); ++id_idx) text += (id_idx ? ", " : "") + ids[id_idx];
  return text;
}

std::optional<ApiRejection> CheckSystem(const Json& system) {
  if (system.is_string()) return std::nullopt;
  if (!system.is_array()) return Invalid("system: Input should be a valid string or list");
  for (size_t block_idx = 0; block_idx < system.size(); ++block_idx) {
    const Json& block = system[block_idx];
    const std::string where = "system." + std::to_string(block_idx);
    if (!block.is_object()) return Invalid(where + ": Input should be a valid dictionary");
    if (JsonString(block, "type") != "text")
      return Invalid(where + ".type: Input should be 'text'");
    if (!block.contains("text") || !block["text"].is_string()) {
      return Invalid(where + ".text: Field required");
    }
    if (block["text"].get<std::string>().empty() && block.contains("cache_control")) {
      return Invalid(where + ".text: cache_control cannot be set for empty text blocks");
    }
  }
  return std::nullopt;
}

std::optional<ApiRejection> CheckTools(const Json& body, std::set<std::string>& tool_names) {
  if (!body.contains("tools")) return std::nullopt;
  const Json& tools = body["tools"];
  if (!tools.is_array()) return Invalid("tools: Input should be a valid list");
  static const std::regex kNamePattern(kToolNamePattern);
  for (size_t tool_idx = 0; tool_idx < tools.size(); ++tool_idx) {
    const Json& tool = tools[tool_idx];
    const std::string where = "tools." + std::to_string(tool_idx);
    if (!tool.is_object()) return Invalid(where + ": Input should be a valid dictionary");
    const std::string type = JsonString(tool, "type", "custom");
    if (type != "custom") {
      // A server tool (web_search_..., bash_...): named by the API, not checked further here.
      tool_names.insert(JsonString(tool, "name"));
      continue;
    }
    if (!tool.contains("name") || !tool["name"].is_string()) {
      return Invalid(where + ".custom.name: Field required");
    }
    const std::string name = tool["name"].get<std::string>();
    if (!std::regex_match(name, kNamePattern)) {
      return Invalid(where + ".custom.name: String should match pattern '" +
                     std::string(kToolNamePattern) + "'");
    }
    if (!tool.contains("input_schema"))
      return Invalid(where + ".custom.input_schema: Field required");
    const Json& schema = tool["input_schema"];
    if (!schema.is_object()) {
      return Invalid(where + ".custom.input_schema: Input should be a valid dictionary");
    }
    if (JsonString(schema, "type") != "object") {
      return Invalid(where + ".custom.input_schema.type: Input should be 'object'");
    }
    if (!tool_names.insert(name).second) return Invalid("tools: Tool names must be unique.");
  }
  return std::nullopt;
}

std::optional<ApiRejection> CheckToolChoice(const Json& body, const std::set<std::string>& names) {
  if (!body.contains("tool_choice")) return std::nullopt;
  const Json& choice = body["tool_choice"];
  if (!choice.is_object()) return Invalid("tool_choice: Input should be a valid dictionary");
  const std::string type = JsonString(choice, "type");
  if (type != "auto" && type != "any" && type != "tool" && type != "none") {
    return Invalid("tool_choice: Input tag '" + type +
                   "' found using 'type' does not match any of the expected tags: 'auto', "
                   "'any', 'tool', 'none'");
  }
  if (type == "none" && choice.contains("disable_parallel_tool_use")) {
    return Invalid("tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted");
  }
  if ((type == "any" || type == "tool") && names.empty()) {
    return Invalid("tool_choice: tool_choice may only be specified while providing tools");
  }
  // Extended thinking allows only auto and none (the tool-use docs, "Forcing tool use").
  const bool thinking = body.contains("thinking") && body["thinking"].is_object() &&
                        JsonString(body["thinking"], "type") != "disabled";
  if (thinking && (type == "any" || type == "tool")) {
    return Invalid("Thinking may not be enabled when tool_choice forces tool use.");
  }
  if (type == "tool") {
    if (!choice.contains("name") || !choice["name"].is_string()) {
      return Invalid("tool_choice.tool.name: Field required");
    }
    const std::string name = choice["name"].get<std::string>();
    if (!names.count(name)) {
      return Invalid("tool_choice.tool.name: Tool '" + name + "' not found in provided tools");
    }
  }
  return std::nullopt;
}

// Roles, block shapes, then the tool-loop invariants on the merged conversation (consecutive
// turns of one role count as one message, as the API combines them).
std::optional<ApiRejection> CheckMessages(const Json& messages) {
  std::vector<MergedMessage> merged;
  for (size_t message_idx = 0; message_idx < messages.size(); ++message_idx) {
    const Json& message = messages[message_idx];
    const std::string where = "messages." + std::to_string(message_idx);
    if (!message.is_object()) return Invalid(where + ": Input should be a valid dictionary");
    if (!message.contains("role")) return Invalid(where + ".role: Field required");
    if (!message.contains("content")) return Invalid(where + ".content: Field required");
    const std::string role = JsonString(message, "role");
    if (role != "user" && role != "assistant") {
      return Invalid(where + ".role: Input should be 'user' or 'assistant'");
    }
    const Json& content = message["content"];
    std::vector<Json> blocks;
    if (content.is_string()) {
      blocks.push_back(Json{{"type", "text"}, {"text", content}});
    } else if (content.is_array()) {
      for (size_t block_idx = 0; block_idx < content.size(); ++block_idx) {
        const Json& block = content[block_idx];
        const std::string block_where = where + ".content." + std::to_string(block_idx);
        if (!block.is_object() || !block.contains("type") || !block["type"].is_string()) {
          return Invalid(block_where + ".type: Field required");
        }
        const std::string type = block["type"].get<std::string>();
        if (type == "tool_use") {
          if (role != "assistant") {
            return Invalid(block_where + ": `tool_use` blocks can only be in `assistant` messages");
          }
          if (!block.contains("id") || !block["id"].is_string()) {
            return Invalid(block_where + ".tool_use.id: Field required");
          }
          if (!block.contains("name") || !block["name"].is_string()) {
            return Invalid(block_where + ".tool_use.name: Field required");
          }
          if (!block.contains("input") || !block["input"].is_object()) {
            return Invalid(block_where + ".tool_use.input: Input should be a valid dictionary");
          }
        } else if (type == "tool_result") {
          if (role != "user") {
            return Invalid(block_where + ": `tool_result` blocks can only be in `user` messages");
          }
          if (!block.contains("tool_use_id") || !block["tool_use_id"].is_string()) {
            return Invalid(block_where + ".tool_result.tool_use_id: Field required");
          }
        } else if (type == "text") {
          if (!block.contains("text") || !block["text"].is_string()) {
            return Invalid(block_where + ".text.text: Field required");
          }
        }
        blocks.push_back(block);
      }
    } else {
      return Invalid(where + ".content: Input should be a valid list");
    }
    if (!merged.empty() && merged.back().role == role) {
      merged.back().blocks.insert(merged.back().blocks.end(), blocks.begin(), blocks.end());
    } else {
      merged.push_back(MergedMessage{role, std::move(blocks)});
    }
  }

  std::set<std::string> all_tool_use_ids;
  for (size_t message_idx = 0; message_idx < merged.size(); ++message_idx) {
    const MergedMessage& message = merged[message_idx];
    const std::string where = "messages." + std::to_string(message_idx);
    if (message.role == "assistant") {
      std::vector<std::string> tool_use_ids;
      for (size_t block_idx = 0; block_idx < message.blocks.size(); ++block_idx) {
        const Json& block = message.blocks[block_idx];
        if (JsonString(block, "type") != "tool_use") continue;
        const std::string id = block["id"].get<std::string>();
        if (!all_tool_use_ids.insert(id).second) {
          return Invalid(where + ".content." + std::to_string(block_idx) +
                         ": `tool_use` ids must be unique");
        }
        tool_use_ids.push_back(id);
      }
      if (tool_use_ids.empty()) continue;
      // The next message must be a user message answering every one of them, first.
      const bool has_next = message_idx + 1 < merged.size();
      std::set<std::string> answered;
      if (has_next) {
        for (const auto& block : merged[message_idx + 1].blocks) {
          if (JsonString(block, "type") == "tool_result") answered.insert(block["tool_use_id"]);
        }
      }
      std::vector<std::string> missing;
      for (const auto& id : tool_use_ids) {
        if (!answered.count(id)) missing.push_back(id);
      }
      // Orphans in the next message are reported at that message, below.
      if (has_next) {
        const MergedMessage& next = merged[message_idx + 1];
        for (size_t block_idx = 0; block_idx < next.blocks.size(); ++block_idx) {
          const Json& block = next.blocks[block_idx];
          if (JsonString(block, "type") != "tool_result") continue;
          const std::string id = block["tool_use_id"].get<std::string>();
          if (std::find(tool_use_ids.begin(), tool_use_ids.end(), id) == tool_use_ids.end()) {
            return Invalid("messages." + std::to_string(message_idx + 1) + ".content." +
                           std::to_string(block_idx) +
                           ": unexpected `tool_use_id` found in `tool_result` blocks: " + id +
                           ". Each `tool_result` block must have a corresponding `tool_use` "
                           "block in the previous message.");
          }
        }
      }
      if (!missing.empty()) {
        return Invalid(where +
                       ": `tool_use` ids were found without `tool_result` blocks "
                       "immediately after: " +
                       JoinIds(missing) +
                       ". Each `tool_use` block must have a corresponding `tool_result` block "
                       "in the next message.");
      }
      const MergedMessage& next = merged[message_idx + 1];
      size_t leading_results = 0;
      while (leading_results < next.blocks.size() &&
             JsonString(next.blocks[leading_results], "type") == "tool_result") {
        ++leading_results;
      }
      if (leading_results < tool_use_ids.size()) {
        return Invalid("messages." + std::to_string(message_idx + 1) + ": Did not find " +
                       std::to_string(tool_use_ids.size()) +
                       " `tool_result` block(s) at the beginning of this message. Messages "
                       "following `tool_use` blocks must begin with a matching number of "
                       "`tool_result` blocks.");
      }
      ++message_idx;  // the answering user message is checked
      continue;
    }
    // A user message that does not follow tool_use blocks may not carry tool_result blocks.
    for (size_t block_idx = 0; block_idx < message.blocks.size(); ++block_idx) {
      const Json& block = message.blocks[block_idx];
      if (JsonString(block, "type") != "tool_result") continue;
      return Invalid(where + ".content." + std::to_string(block_idx) +
                     ": unexpected `tool_use_id` found in `tool_result` blocks: " +
                     block["tool_use_id"].get<std::string>() +
                     ". Each `tool_result` block must have a corresponding `tool_use` block in "
                     "the previous message.");
    }
  }
  return std::nullopt;
}

// ---- Sockets --------------------------------------------------------------------------------

// Shuts the server-side socket of one client connection (found by its ports), so the client
// sees the connection close without an answer.
bool ShutdownClientSocket(int server_port, int remote_port) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    if (local.sin_family != AF_INET || ntohs(local.sin_port) != server_port) continue;
    sockaddr_in peer{};
    length = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    if (ntohs(peer.sin_port) != remote_port) continue;
    ::shutdown(fd, SHUT_RDWR);
    return true;
  }
  return false;
}

}  // namespace

// ---- Public helpers -------------------------------------------------------------------------

Result<AnthropicScenario> AnthropicScenario::Parse(const Json& scenario, const std::string& name) {
  if (!scenario.is_object()) return InvalidArgument(name, "a scenario must be a JSON object");
  if (!scenario.contains("turns") || !scenario["turns"].is_array()) {
    return InvalidArgument(name, "a scenario needs a \"turns\" array");
  }
  AnthropicScenario parsed;
  parsed.name = JsonString(scenario, "name", name);
  parsed.description = JsonString(scenario, "description");
  const Json& turns = scenario["turns"];
  for (size_t turn_idx = 0; turn_idx < turns.size(); ++turn_idx) {
    RH_ASSIGN_OR_RETURN(ScriptedTurn turn,
                        ParseTurn(turns[turn_idx], name + ": turns." + std::to_string(turn_idx)));
    parsed.turns.push_back(std::move(turn));
  }
  return parsed;
}

Result<AnthropicScenario> AnthropicScenario::Load(
    const std::string& path, const std::map<std::string, std::string>& values) {
  RH_ASSIGN_OR_RETURN(std::string json, ReadTextFile(path));
  for (const auto& [key, value] : values) {
    const std::string placeholder = "{{" + key + "}}";
    for (size_t at = json.find(placeholder); at != std::string::npos;
         at = json.find(placeholder, at + value.size())) {
      json.replace(at, placeholder.size(), value);
    }
  }
  if (const size_t left = json.find("{{"); !values.empty() && left != std::string::npos) {
    return InvalidArgument(path, "placeholder " +
                                     json.substr(left, json.find("}}", left) - left + 2) +
                                     " was left unfilled");
  }
  RH_ASSIGN_OR_RETURN(Json scenario, ParseJson(json, path));
  return Parse(scenario, std::filesystem::path(path).stem().string());
}

Result<AnthropicScenario> AnthropicScenario::FromRecording(const std::string& path) {
  RH_ASSIGN_OR_RETURN(Json exchanges, ReadJsonFile(path));
  if (!exchanges.is_array()) return InvalidArgument(path, "a recording is a JSON array");
  AnthropicScenario scenario;
  scenario.name = std::filesystem::path(path).stem().string();
  scenario.description = "recorded API traffic " + scenario.name;
  for (size_t exchange_idx = 0; exchange_idx < exchanges.size(); ++exchange_idx) {
    const Json& exchange = exchanges[exchange_idx];
    const std::string where = path + ": " + std::to_string(exchange_idx);
    if (!exchange.contains("request") || !exchange.contains("response")) {
      return InvalidArgument(where, "each exchange needs request and response");
    }
    const Json& recorded_request = exchange["request"];
    const Json& recorded_response = exchange["response"];
    ScriptedTurn turn;
    turn.kind = ScriptedTurn::Kind::kResponse;
    turn.label = "recorded exchange " + std::to_string(exchange_idx);
    turn.status = static_cast<int>(JsonInt(recorded_response, "status_code", 200));
    static const std::set<std::string> kHopByHop = {"content-length", "connection",
                                                    "transfer-encoding", "content-encoding"};
    if (auto headers = recorded_response.find("headers");
        headers != recorded_response.end() && headers->is_object()) {
      for (const auto& [name, value] : headers->items()) {
        if (!kHopByHop.count(Lower(name)) && value.is_string()) {
          turn.headers.emplace_back(Lower(name), value.get<std::string>());
        }
      }
    }
    if (recorded_response.contains("body")) {
      turn.body = recorded_response["body"];
    } else {
      turn.body_text = JsonString(recorded_response, "content");
    }
    const Json& body = recorded_request.value("body", Json::object());
    Json expected = Json::object();
    for (const char* key : {"model", "max_tokens", "messages", "system", "tools", "tool_choice"}) {
      if (body.contains(key)) expected[key] = body[key];
    }
    turn.expect_request = std::move(expected);
    scenario.turns.push_back(std::move(turn));
  }
  return scenario;
}

bool JsonContains(const Json& actual, const Json& expected, const std::string& path,
                  std::string* where) {
  auto mismatch = [&](const std::string& what) {
    if (where) *where = (path.empty() ? "(body)" : path) + ": " + what;
    return false;
  };
  if (expected.is_string() && expected.get<std::string>() == kAnyValue) return true;
  if (expected.is_object()) {
    if (!actual.is_object()) return mismatch("expected an object, got " + Short(actual));
    for (const auto& [key, value] : expected.items()) {
      const std::string child = path.empty() ? key : path + "." + key;
      if (!actual.contains(key)) return mismatch("missing key '" + key + "'");
      if (!JsonContains(actual[key], value, child, where)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return mismatch("expected an array, got " + Short(actual));
    if (actual.size() != expected.size()) {
      return mismatch("expected " + std::to_string(expected.size()) + " items, got " +
                      std::to_string(actual.size()));
    }
    for (size_t item_idx = 0; item_idx < expected.size(); ++item_idx) {
      if (!JsonContains(actual[item_idx], expected[item_idx],
                        (path.empty() ? "" : path + ".") + std::to_string(item_idx), where)) {
        return false;
      }
    }
    return true;
  }
  if (actual != expected) {
    return mismatch("expected " + Short(expected) + ", got " + Short(actual));
  }
  return true;
}

std::optional<ApiRejection> CheckMessagesRequest(const std::string& method, const std::string& path,
                                                 const std::map<std::string, std::string>& headers,
                                                 const std::string& body_text,
                                                 const std::string& expected_api_key,
                                                 const JsonSchemaValidator* openapi) {
  if (method != "POST" || path != "/v1/messages") {
    return ApiRejection{404, "not_found_error", "Not Found"};
  }
  auto header = [&](const std::string& name) -> std::optional<std::string> {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  };
  const auto api_key = header("x-api-key");
  if (!api_key) {
    return ApiRejection{401, "authentication_error", "x-api-key header is required"};
  }
  if (*api_key != expected_api_key) {
    return ApiRejection{401, "authentication_error", "invalid x-api-key"};
  }
  const auto version = header("anthropic-version");
  if (!version) return Invalid("anthropic-version: header is required");
  if (*version != "2023-06-01") {
    return Invalid("anthropic-version: '" + *version + "' is not a supported version");
  }
  const auto content_type = header("content-type");
  if (!content_type || Lower(*content_type).rfind("application/json", 0) != 0) {
    return Invalid("content-type: must be application/json");
  }
  auto parsed = ParseJson(body_text, "body");
  if (!parsed) return Invalid("The request body is not valid JSON: " + parsed.error().message);
  const Json& body = *parsed;
  if (!body.is_object()) return Invalid("The request body must be a JSON object");

  for (const char* field : {"model", "messages", "max_tokens"}) {
    if (!body.contains(field)) return Invalid(std::string(field) + ": Field required");
  }
  if (!body["model"].is_string()) return Invalid("model: Input should be a valid string");
  if (!body["max_tokens"].is_number_integer()) {
    return Invalid("max_tokens: Input should be a valid integer");
  }
  if (body["max_tokens"].get<long long>() < 0) {
    return Invalid("max_tokens: Input should be greater than or equal to 0");
  }
  if (!body["messages"].is_array()) return Invalid("messages: Input should be a valid list");
  if (body["messages"].empty()) return Invalid("messages: at least one message is required");
  if (body.contains("system")) {
    if (auto rejection = CheckSystem(body["system"])) return rejection;
  }
  std::set<std::string> tool_names;
  if (auto rejection = CheckTools(body, tool_names)) return rejection;
  if (auto rejection = CheckToolChoice(body, tool_names)) return rejection;
  if (auto rejection = CheckMessages(body["messages"])) return rejection;
  const int markers = CountCacheControl(body.value("tools", Json::array())) +
                      CountCacheControl(body.value("system", Json::array())) +
                      CountCacheControl(body["messages"]);
  if (markers > kMaxCacheControl) {
    return Invalid("A maximum of 4 blocks with cache_control may be provided. Found " +
                   std::to_string(markers) + ".");
  }
  if (openapi) {
    const std::vector<std::string> violations = openapi->Validate(body);
    if (!violations.empty()) {
      std::string message = violations.front();
      if (violations.size() > 1) {
        message += " (and " + std::to_string(violations.size() - 1) + " more: ";
        for (size_t violation_idx = 1; violation_idx < violations.size() && violation_idx < 4;
             ++violation_idx) {
          message += (violation_idx > 1 ? "; " : "") + violations[violation_idx];
        }
        message += ")";
      }
      return Invalid(message);
    }
  }
  return std::nullopt;
}

const JsonSchemaValidator* SharedCreateMessageValidator() {
  static std::once_flag once;
  static std::unique_ptr<JsonSchemaValidator> validator;
  std::call_once(once, [] {
    auto path = SharedDataPath("anthropic/openapi.json");
    if (!path) return;
    auto loaded = JsonSchemaValidator::FromOpenApiFile(path->string(), "CreateMessageParams");
    if (!loaded) {
      ADD_FAILURE() << "openapi.json is present but unusable: " << loaded.error().ToString();
      return;
    }
    validator = std::make_unique<JsonSchemaValidator>(std::move(*loaded));
  });
  return validator.get();
}

// ---- The server -----------------------------------------------------------------------------

ScriptedAnthropicServer::ScriptedAnthropicServer(AnthropicScenario scenario)
    : ScriptedAnthropicServer(std::move(scenario), Options()) {}

ScriptedAnthropicServer::ScriptedAnthropicServer(AnthropicScenario scenario, Options options)
    : scenario_(std::move(scenario)), options_(std::move(options)) {
  // A write to a connection the client (or a drop fault) closed must not kill the test.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  if (options_.validate_openapi) openapi_ = SharedCreateMessageValidator();

  server_ = std::make_unique<httplib::Server>();
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  server_->new_task_queue = [threads] {
    // cpp-httplib takes ownership of the pool it is handed.
    return std::make_unique<httplib::ThreadPool>(threads).release();
  };
  server_->set_payload_max_length(32u << 20);
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  server_->Post(".*", handler);
  server_->Get(".*", handler);
  server_->Put(".*", handler);
  server_->Delete(".*", handler);
  server_->Patch(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    ADD_FAILURE() << "scripted Anthropic server: cannot bind 127.0.0.1";
    return;
  }
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  for (int wait_idx = 0; wait_idx < 2000 && !server_->is_running(); ++wait_idx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ScriptedAnthropicServer::~ScriptedAnthropicServer() {
  Stop();
  for (const auto& problem : TakeProblems()) {
    ADD_FAILURE() << "scripted Anthropic server (" << scenario_.name << "): " << problem;
  }
}

void ScriptedAnthropicServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (server_) server_->stop();
  if (listener_.joinable()) listener_.join();
}

std::string ScriptedAnthropicServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<ReceivedRequest> ScriptedAnthropicServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<std::string> ScriptedAnthropicServer::problems() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return problems_;
}

std::vector<std::string> ScriptedAnthropicServer::TakeProblems() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> taken;
  taken.swap(problems_);
  return taken;
}

bool ScriptedAnthropicServer::finished() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (options_.per_conversation) {
    return highest_turn_served_ + 1 == static_cast<int>(scenario_.turns.size());
  }
  if (next_turn_ >= scenario_.turns.size()) return true;
  return next_turn_ + 1 == scenario_.turns.size() && scenario_.turns[next_turn_].repeat < 0 &&
         served_in_turn_ > 0;
}

int ScriptedAnthropicServer::turns_served() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return turns_served_;
}

void ScriptedAnthropicServer::AddProblem(std::string problem) {
  std::lock_guard<std::mutex> lock(mutex_);
  problems_.push_back(std::move(problem));
}

void ScriptedAnthropicServer::Pause(std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds::zero()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  stop_signal_.wait_for(lock, delay, [this] { return stopping_; });
}

void ScriptedAnthropicServer::Handle(const httplib::Request& request, httplib::Response& response) {
  ReceivedRequest received;
  received.method = request.method;
  received.target = request.target;
  for (const auto& [name, value] : request.headers) received.headers[Lower(name)] = value;
  received.body_text = request.body;
  if (auto parsed = ParseJson(request.body, "body"); parsed) received.body = std::move(*parsed);
  if (auto count = received.headers.find("x-stainless-retry-count");
      count != received.headers.end()) {
    try {
      received.retry_count = std::stoi(count->second);
    } catch (const std::exception&) {
      received.retry_count = -2;
    }
  }

  std::string request_id;
  size_t request_index = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    request_index = requests_.size();
    request_id = "req_scripted_" + std::to_string(++request_counter_);
    requests_.push_back(received);
  }
  auto record = [&](int turn, int status, std::string rejection) {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_[request_index].turn = turn;
    requests_[request_index].status = status;
    requests_[request_index].rejection = std::move(rejection);
  };
  auto send_error = [&](int status, const std::string& type, const std::string& message) {
    Json body = {{"type", "error"},
                 {"error", {{"type", type}, {"message", message}}},
                 {"request_id", request_id}};
    response.status = status;
    response.set_header("request-id", request_id);
    response.set_header("x-should-retry", status == 429 || status >= 500 ? "true" : "false");
    response.set_content(DumpJson(body), "application/json");
  };
  const std::string describe = "request #" + std::to_string(request_index + 1) + " (" +
                               request.method + " " + request.target + ")";

  // Through a gateway: its own checks, then the Messages request it stands for.
  std::string echo_model = JsonString(received.body, "model");
  std::optional<ApiRejection> rejection;
  if (!options_.gateway.kind.empty()) {
    MessagesEquivalent messages;
    rejection = CheckGatewayRequest(options_.gateway, request.method, request.path,
                                    received.headers, received.body, options_.api_key, &messages);
    if (!rejection && options_.validate_requests) {
      rejection = CheckMessagesRequest("POST", "/v1/messages", messages.headers,
                                       DumpJson(messages.body), options_.api_key, openapi_);
    }
    echo_model = messages.model;
  } else if (options_.chat_completions && options_.validate_requests) {
    std::string problems;
    for (const std::string& problem : ChatRequestProblems(received, options_.api_key, true)) {
      problems += (problems.empty() ? "" : "; ") + problem;
    }
    if (!problems.empty()) rejection = ApiRejection{400, "invalid_request_error", problems};
  } else if (options_.validate_requests) {
    rejection = CheckMessagesRequest(request.method, request.path, received.headers, request.body,
                                     options_.api_key, openapi_);
  }
  if (rejection) {
    AddProblem(describe + " rejected as the API would: " + std::to_string(rejection->status) + " " +
               rejection->type + ": " + rejection->message);
    record(-1, rejection->status, rejection->message);
    send_error(rejection->status, rejection->type, rejection->message);
    return;
  }

  // Pick the turn.
  std::optional<ScriptedTurn> turn;
  int turn_index = -1;
  int message_number = 0;
  if (options_.per_conversation) {
    size_t assistant_turns = 0;
    if (received.body.is_object() && received.body.contains("messages") &&
        received.body["messages"].is_array()) {
      for (const Json& message : received.body["messages"]) {
        if (message.is_object() && JsonString(message, "role") == "assistant") ++assistant_turns;
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (assistant_turns < scenario_.turns.size()) {
      turn_index = static_cast<int>(assistant_turns);
      turn = scenario_.turns[assistant_turns];
      ++turns_served_;
      highest_turn_served_ = std::max(highest_turn_served_, turn_index);
      message_number = ++message_counter_;
    }
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    if (next_turn_ < scenario_.turns.size()) {
      turn_index = static_cast<int>(next_turn_);
      turn = scenario_.turns[next_turn_];
      ++served_in_turn_;
      ++turns_served_;
      if (turn->repeat > 0 && served_in_turn_ >= turn->repeat) {
        ++next_turn_;
        served_in_turn_ = 0;
      }
      message_number = ++message_counter_;
    }
  }
  if (!turn) {
    const std::string message = "the scripted scenario '" + scenario_.name +
                                "' has no turn left (" + std::to_string(scenario_.turns.size()) +
                                " turns)";
    AddProblem(describe + ": " + message);
    record(-1, 400, message);
    send_error(400, "invalid_request_error", message);
    return;
  }
  const std::string turn_name =
      "turn " + std::to_string(turn_index) + (turn->label.empty() ? "" : " '" + turn->label + "'");

  // Expectations on the request.
  std::string mismatch;
  if (!turn->expect_request.is_null() &&
      !JsonContains(received.body, turn->expect_request, "", &mismatch)) {
    AddProblem(describe + " for " + turn_name + ": request body " + mismatch);
  }
  if (!turn->expect_last_message.is_null()) {
    const Json messages =
        received.body.is_object() ? received.body.value("messages", Json()) : Json();
    if (!messages.is_array() || messages.empty()) {
      AddProblem(describe + " for " + turn_name + ": the request has no messages to check");
    } else if (!JsonContains(messages.back(), turn->expect_last_message, "messages.last",
                             &mismatch)) {
      AddProblem(describe + " for " + turn_name + ": " + mismatch);
    }
  }

  Pause(turn->delay);

  switch (turn->kind) {
    case ScriptedTurn::Kind::kMessage: {
      Json message = turn->message;
      for (auto& block : message["content"]) {
        if (JsonString(block, "type") != "tool_use") continue;
        if (!block.contains("id") || block["id"] == "auto") {
          std::lock_guard<std::mutex> lock(mutex_);
          char id[32];
          std::snprintf(id, sizeof(id), "toolu_scripted_%04d", ++tool_use_counter_);
          block["id"] = id;
        }
        if (!block.contains("input")) block["input"] = Json::object();
      }
      bool has_tool_use = false;
      for (const auto& block : message["content"]) {
        has_tool_use = has_tool_use || JsonString(block, "type") == "tool_use";
      }
      char id[32];
      std::snprintf(id, sizeof(id), "msg_scripted_%04d", message_number);
      if (!message.contains("id")) message["id"] = id;
      if (!message.contains("type")) message["type"] = "message";
      if (!message.contains("role")) message["role"] = "assistant";
      if (!message.contains("model")) message["model"] = echo_model;
      if (!message.contains("stop_reason")) {
        message["stop_reason"] = has_tool_use ? "tool_use" : "end_turn";
      }
      if (!message.contains("stop_sequence")) message["stop_sequence"] = nullptr;
      if (options_.simulate_usage) {
        SimulatedTokens tokens;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          tokens = SimulatedUsage(received.body, &simulated_cache_);
        }
        message["usage"] = {
            {"input_tokens", tokens.input},
            {"output_tokens", static_cast<long long>(DumpJson(message["content"]).size() / 4 + 1)},
            {"cache_creation_input_tokens", tokens.cache_write},
            {"cache_read_input_tokens", tokens.cache_read}};
      } else if (!message.contains("usage")) {
        message["usage"] = {
            {"input_tokens", static_cast<long long>(request.body.size() / 4)},
            {"output_tokens", static_cast<long long>(DumpJson(message["content"]).size() / 4 + 1)},
            {"cache_creation_input_tokens", 0},
            {"cache_read_input_tokens", 0}};
      }
      response.status = 200;
      response.set_header(options_.chat_completions ? "x-request-id" : "request-id", request_id);
      for (const auto& [name, value] : turn->headers) response.set_header(name, value);
      if (received.body.is_object() && received.body.value("stream", false) &&
          !options_.chat_completions) {
        StreamEvents(response, MessageEvents(message));
      } else {
        response.set_content(
            DumpJson(options_.chat_completions ? ChatCompletionBody(message, echo_model) : message),
            "application/json");
      }
      record(turn_index, 200, "");
      return;
    }
    case ScriptedTurn::Kind::kStreamCut: {
      char id[32];
      std::snprintf(id, sizeof(id), "msg_scripted_%04d", message_number);
      const Json message = {
          {"id", id},
          {"type", "message"},
          {"role", "assistant"},
          {"model", JsonString(received.body, "model")},
          {"content", Json::array({{{"type", "text"}, {"text", "The cluster is"}}})},
          {"stop_reason", "end_turn"},
          {"stop_sequence", nullptr},
          {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}};
      response.status = 200;
      response.set_header("request-id", request_id);
      StreamEvents(response, MessageEvents(message), /*cut_after=*/4);
      record(turn_index, 200, "");
      return;
    }
    case ScriptedTurn::Kind::kError: {
      Json body = {{"type", "error"},
                   {"error", {{"type", turn->error_type}, {"message", turn->error_message}}},
                   {"request_id", request_id}};
      if (turn->body.is_object() && turn->body.contains("details")) {
        body["error"]["details"] = turn->body["details"];
      }
      response.status = turn->status;
      response.set_header("request-id", request_id);
      for (const auto& [name, value] : turn->headers) response.set_header(name, value);
      response.set_content(DumpJson(body), "application/json");
      record(turn_index, turn->status, "");
      return;
    }
    case ScriptedTurn::Kind::kResponse: {
      response.status = turn->status;
      std::string content_type = "application/json";
      for (const auto& [name, value] : turn->headers) {
        if (name == "content-type") {
          content_type = value;
        } else {
          response.set_header(name, value);
        }
      }
      if (content_type.starts_with("text/event-stream") && turn->body_text) {
        StreamEvents(response, SplitEvents(*turn->body_text));
      } else {
        response.set_content(turn->body_text ? *turn->body_text : DumpJson(turn->body),
                             content_type.c_str());
      }
      record(turn_index, turn->status, "");
      return;
    }
    case ScriptedTurn::Kind::kDropConnection: {
      if (!ShutdownClientSocket(port_, request.remote_port)) {
        AddProblem(describe + " for " + turn_name + ": could not find the socket to drop");
      }
      record(turn_index, 0, "");
      response.status = 500;
      return;
    }
    case ScriptedTurn::Kind::kTruncatedBody: {
      char id[32];
      std::snprintf(id, sizeof(id), "msg_scripted_%04d", message_number);
      auto full = std::make_shared<std::string>(DumpJson(
          Json{{"id", id},
               {"type", "message"},
               {"role", "assistant"},
               {"model", JsonString(received.body, "model")},
               {"content", Json::array({{{"type", "text"}, {"text", std::string(2000, 'x')}}})},
               {"stop_reason", "end_turn"},
               {"stop_sequence", nullptr},
               {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}}));
      response.status = 200;
      response.set_header("request-id", request_id);
      response.set_content_provider(
          full->size(), "application/json",
          [full](size_t offset, size_t /*length*/, httplib::DataSink& sink) {
            if (offset > 0) return false;  // close the connection halfway through the body
            sink.write(full->data(), full->size() / 2);
            return true;
          });
      record(turn_index, 200, "");
      return;
    }
    case ScriptedTurn::Kind::kMalformedJson: {
      char id[32];
      std::snprintf(id, sizeof(id), "msg_scripted_%04d", message_number);
      response.status = 200;
      response.set_header("request-id", request_id);
      response.set_content(std::string("{\"id\":\"") + id +
                               "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":"
                               "[{\"type\":\"text\",\"text\":\"The cluster",
                           "application/json");
      record(turn_index, 200, "");
      return;
    }
    case ScriptedTurn::Kind::kTimeout: {
      // The delay already passed (or the server is stopping): whoever still listens gets a 504.
      record(turn_index, 504, "");
      send_error(504, "timeout_error", "The request timed out (scripted timeout fault)");
      return;
    }
  }
}

SimulatedTokens SimulatedUsage(const Json& body, std::set<size_t>* cache) {
  constexpr size_t kLookback = 20;
  struct Block {
    size_t chars = 0;
    bool marker = false;
    size_t hash = 0;  // of the prefix up to and including this block
  };
  std::vector<Block> blocks;
  std::string prefix;
  auto add = [&](Json block, const std::string& seed) {
    Block entry;
    entry.marker = block.is_object() && block.contains("cache_control");
    if (block.is_object()) block.erase("cache_control");
    const std::string text = DumpJson(block);
    entry.chars = text.size();
    prefix += seed + text;
    entry.hash = std::hash<std::string>{}(prefix);
    blocks.push_back(entry);
  };
  if (body.contains("tools") && body["tools"].is_array()) {
    for (const Json& tool : body["tools"]) add(tool, "");
  }
  if (body.contains("system")) {
    if (body["system"].is_array()) {
      for (const Json& block : body["system"]) add(block, "");
    } else {
      add(body["system"], "");
    }
  }
  const std::string message_seed =
      DumpJson(body.value("tool_choice", Json())) + DumpJson(body.value("thinking", Json()));
  bool first_message_block = true;
  for (const Json& message : body.value("messages", Json::array())) {
    const std::string role = "role:" + JsonString(message, "role");
    Json content = message.value("content", Json());
    if (!content.is_array()) content = Json::array({content});
    for (const Json& block : content) {
      add(block, (first_message_block ? message_seed : std::string()) + role);
      first_message_block = false;
    }
  }
  size_t last_marker = 0;
  bool any_marker = false;
  for (size_t idx = 0; idx < blocks.size(); ++idx) {
    if (blocks[idx].marker) {
      last_marker = idx;
      any_marker = true;
    }
  }
  std::vector<size_t> tokens_to(blocks.size() + 1, 0);  // tokens of blocks [0, idx)
  for (size_t idx = 0; idx < blocks.size(); ++idx) {
    tokens_to[idx + 1] = tokens_to[idx] + blocks[idx].chars / 4;
  }
  SimulatedTokens usage;
  if (!any_marker) {
    usage.input = static_cast<long long>(tokens_to.back());
    return usage;
  }
  // The longest cached prefix ending within the lookback window of a marker.
  size_t read_end = 0;  // blocks [0, read_end) come from the cache
  for (size_t idx = 0; idx < blocks.size(); ++idx) {
    if (!blocks[idx].marker) continue;
    const size_t low = idx >= kLookback ? idx - kLookback : 0;
    for (size_t end = idx + 1; end > low; --end) {
      if (cache->count(blocks[end - 1].hash)) {
        read_end = std::max(read_end, end);
        break;
      }
    }
  }
  usage.cache_read = static_cast<long long>(tokens_to[read_end]);
  usage.cache_write = static_cast<long long>(tokens_to[last_marker + 1] - tokens_to[read_end]);
  if (read_end > last_marker + 1) usage.cache_write = 0;
  usage.input = static_cast<long long>(tokens_to.back()) - usage.cache_read - usage.cache_write;
  for (const Block& block : blocks) {
    if (block.marker) cache->insert(block.hash);
  }
  return usage;
}

}  // namespace rh::testing
