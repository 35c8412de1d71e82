// The scripted OpenAI-compatible server: the scripted Anthropic server's scaffolding (real
// sockets, turns, faults) serving Chat Completions bodies — verbatim turns, or with
// Options::chat_completions every message turn translated as it is served (usage included) and
// every request checked by ChatRequestProblems. Used by the OpenAI provider tests and by the eval harness's
// openai-scripted engine (tests/fakes/scripted_eval_session.h), so both providers replay the
// same scenarios: an Anthropic scenario turn is translated into the answer an
// OpenAI-compatible server would give (text -> content, tool_use -> tool_calls with their ids
// and JSON-string arguments, usage with the cached tokens inside prompt_tokens, stop_reason ->
// finish_reason).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "tests/fakes/scripted_anthropic_server.h"

namespace rh::testing {

// A 200 Chat Completions answer whose choices[0] is `message` (role assistant added), with an
// x-request-id header; `usage` left out when null (as local servers do).
ScriptedTurn ChatCompletion(Json message, const std::string& finish_reason,
                            const std::string& model, Json usage = Json());

// {id, type: function, function: {name, arguments}}.
Json ToolCall(const std::string& id, const std::string& name, const std::string& arguments);

// An Anthropic scenario turn (a model message) as the Chat Completions answer; other turn
// kinds (errors, faults) are returned unchanged. `with_usage` false drops the usage.
ScriptedTurn ChatCompletionOf(const ScriptedTurn& turn, const std::string& model,
                              bool with_usage = true);

// The Chat Completions answer body for a completed Anthropic Message (content, stop_reason,
// usage): what ScriptedAnthropicServer::Options::chat_completions serves for a message turn.
Json ChatCompletionBody(const Json& anthropic_message, const std::string& model);

// What a Chat Completions server would refuse in `request`: the path /v1/chat/completions, the
// bearer key (`expected_key` empty: no authorization header at all), JSON content type,
// message roles and order (system first, every assistant tool call answered by a `tool`
// message in order), function tools (with `strict` only when `strict_allowed`), no
// Anthropic-only fields or cache_control. Empty when acceptable.
std::vector<std::string> ChatRequestProblems(const ReceivedRequest& request,
                                             const std::string& expected_key,
                                             bool strict_allowed = false);

}  // namespace rh::testing
