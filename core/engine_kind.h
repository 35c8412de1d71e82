// EngineKind: which investigation engine writes a report. `claude` is the Anthropic Messages API
// tool-use loop, `playbook` the offline rule-based engine; `auto` (a request, never a stored
// engine) means Claude when an API key is configured, else the playbook.
// Thread-safety: constants and pure functions.
#pragma once

#include <string_view>

#include "core/error.h"

namespace rh {

enum class EngineKind { kAuto, kClaude, kPlaybook };

std::string_view EngineKindName(EngineKind kind);  // "auto" | "claude" | "playbook"
Result<EngineKind> ParseEngineKind(std::string_view text);
std::string_view EngineKindNames();  // "auto, claude, playbook"

}  // namespace rh
