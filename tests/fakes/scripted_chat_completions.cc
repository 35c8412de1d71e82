#include "tests/fakes/scripted_chat_completions.h"

namespace rh::testing {

// A Chat Completions answer as the server sends it.
ScriptedTurn ChatCompletion(Json message, const std::string& finish_reason,
                            const std::string& model, Json usage) {
  ScriptedTurn turn;
  turn.kind = ScriptedTurn::Kind::kResponse;
  turn.status = 200;
  turn.headers = {{"x-request-id", "req_openai_scripted"}};
  message["role"] = "assistant";
  Json body = {{"id", "chatcmpl-scripted"},
               {"object", "chat.completion"},
               {"model", model},
               {"choices", Json::array({Json{{"index", 0},
                                             {"message", std::move(message)},
                                             {"finish_reason", finish_reason}}})}};
  if (!usage.is_null()) body["usage"] = std::move(usage);
  turn.body = std::move(body);
  return turn;
}

Json ToolCall(const std::string& id, const std::string& name, const std::string& arguments) {
  return Json{{"id", id},
              {"type", "function"},
              {"function", {{"name", name}, {"arguments", arguments}}}};
}

// An Anthropic scenario turn (a model message) as the Chat Completions answer an
// OpenAI-compatible server would give: text -> content, tool_use -> tool_calls, the usage
// translated (prompt tokens include the cached ones), the stop reason mapped back.
ScriptedTurn ChatCompletionOf(const ScriptedTurn& turn, const std::string& model,
                              bool with_usage) {
  if (turn.kind != ScriptedTurn::Kind::kMessage) return turn;
  Json message = turn.message;
  if (!with_usage) message.erase("usage");
  ScriptedTurn out;
  out.kind = ScriptedTurn::Kind::kResponse;
  out.status = 200;
  out.headers = {{"x-request-id", "req_openai_scripted"}};
  out.body = ChatCompletionBody(message, model);
  out.label = turn.label;
  return out;
}

Json ChatCompletionBody(const Json& anthropic_message, const std::string& model) {
  Json message = {{"role", "assistant"}};
  std::string text;
  Json calls = Json::array();
  for (const Json& block : anthropic_message.value("content", Json::array())) {
    const std::string type = JsonString(block, "type");
    if (type == "text") text += JsonString(block, "text");
    if (type == "tool_use") {
      calls.push_back(ToolCall(JsonString(block, "id"), JsonString(block, "name"),
                               DumpJson(block.value("input", Json::object()))));
    }
  }
  message["content"] = text.empty() ? Json() : Json(text);
  if (!calls.empty()) message["tool_calls"] = calls;
  const std::string stop = JsonString(anthropic_message, "stop_reason");
  const std::string finish = stop == "max_tokens" ? "length"
                             : calls.empty()      ? "stop"
                                                  : "tool_calls";
  Json body = {{"id", "chatcmpl-scripted"},
               {"object", "chat.completion"},
               {"model", model},
               {"choices", Json::array({Json{{"index", 0},
                                             {"message", std::move(message)},
                                             {"finish_reason", finish}}})}};
  if (anthropic_message.contains("usage")) {
    const Json& u = anthropic_message["usage"];
    const long long cached = JsonInt(u, "cache_read_input_tokens");
    body["usage"] = {{"prompt_tokens", JsonInt(u, "input_tokens") + cached +
                                           JsonInt(u, "cache_creation_input_tokens")},
                     {"completion_tokens", JsonInt(u, "output_tokens")},
                     {"prompt_tokens_details", {{"cached_tokens", cached}}}};
  }
  return body;
}

// What a Chat Completions server would refuse in `request`; empty when it is acceptable.
std::vector<std::string> ChatRequestProblems(const ReceivedRequest& request,
                                             const std::string& expected_key,
                                             bool strict_allowed) {
  std::vector<std::string> problems;
  auto problem = [&](std::string what) { problems.push_back(std::move(what)); };
  if (request.target != "/v1/chat/completions") problem("path " + request.target);
  auto header = [&](const std::string& name) {
    auto found = request.headers.find(name);
    return found == request.headers.end() ? std::string() : found->second;
  };
  if (expected_key.empty() ? request.headers.contains("authorization")
                           : header("authorization") != "Bearer " + expected_key) {
    problem("authorization header");
  }
  if (header("content-type").rfind("application/json", 0) != 0) problem("content-type");
  const Json& body = request.body;
  if (!body.is_object()) return {"the body is not JSON"};
  if (JsonString(body, "model").empty()) problem("no model");
  if (request.body_text.find("cache_control") != std::string::npos) problem("cache_control sent");
  if (body.contains("system") || body.contains("thinking") || body.contains("metadata")) {
    problem("Anthropic-only fields sent");
  }
  if (body.contains("tools")) {
    for (const Json& tool : body["tools"]) {
      if (JsonString(tool, "type") != "function" || !tool["function"]["parameters"].is_object() ||
          JsonString(tool["function"], "name").empty() ||
          (!strict_allowed && tool["function"].contains("strict"))) {
        problem("bad tool " + tool.dump().substr(0, 80));
      }
    }
  }
  const Json& messages = body["messages"];
  if (!messages.is_array() || messages.empty()) return {"no messages"};
  std::vector<std::string> pending;  // tool_call ids awaiting their tool message
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& message = messages[i];
    const std::string role = JsonString(message, "role");
    if (role == "tool") {
      if (pending.empty() || JsonString(message, "tool_call_id") != pending.front()) {
        problem("tool message " + std::to_string(i) + " answers no pending call in order");
      } else {
        pending.erase(pending.begin());
      }
      if (!message["content"].is_string()) problem("tool content is not a string");
      continue;
    }
    if (!pending.empty()) problem("message " + std::to_string(i) + " before every call answered");
    pending.clear();
    if (role == "system" && i != 0) problem("system message not first");
    if (role != "system" && role != "user" && role != "assistant") problem("role " + role);
    if (role == "assistant" && message.contains("tool_calls")) {
      for (const Json& call : message["tool_calls"]) {
        if (!call["function"]["arguments"].is_string()) problem("arguments not a string");
        pending.push_back(JsonString(call, "id"));
      }
    }
  }
  if (!pending.empty()) problem("the last assistant's calls are unanswered");
  return problems;
}

}  // namespace rh::testing
