// EngineKind: which investigation engine writes a report. `claude` is the Anthropic Messages API
// tool-use loop, `playbook` the offline rule-based engine; `auto` (a request, never a stored
// engine) means Claude when an API key is configured, else the playbook.
// LlmProvider (agent.provider): which model API the `claude` engine's tool-use loop speaks:
// `anthropic` (the Messages API), `openai` (an OpenAI-compatible Chat Completions server:
// OpenAI, vLLM, Ollama, llama.cpp, LiteLLM), or Claude's Messages API through a cloud gateway:
// `bedrock` (Amazon Bedrock InvokeModel) or `vertex` (Google Vertex AI rawPredict); see
// docs/gateways.md. The engine kind stays `claude` either way; the report's model field names
// the model that wrote it.
// Thread-safety: constants and pure functions.
#pragma once

#include <string_view>

#include "core/error.h"

namespace rh {

enum class EngineKind { kAuto, kClaude, kPlaybook };

std::string_view EngineKindName(EngineKind kind);  // "auto" | "claude" | "playbook"
Result<EngineKind> ParseEngineKind(std::string_view text);
std::string_view EngineKindNames();  // "auto, claude, playbook"

enum class LlmProvider { kAnthropic, kOpenAi, kBedrock, kVertex };

// "anthropic" | "openai" | "bedrock" | "vertex"
std::string_view LlmProviderName(LlmProvider provider);
Result<LlmProvider> ParseLlmProvider(std::string_view text);
std::string_view LlmProviderNames();  // "anthropic, openai, bedrock, vertex"

}  // namespace rh
