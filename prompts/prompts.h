// Prompts: the text Rockhound shows a model — the system prompt (the 8-step protocol), the
// report schema, and one description per tool — kept as files in prompts/text/ so they can be
// read and reviewed as prose, embedded into the binary at build time, and overridable by
// dropping a file of the same name into agent.prompts_dir.
// Thread-safety: read-only after start-up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::prompts {

// The text of prompt file `name` (e.g. "system.md", "tool_query_cluster_info.md"): from
// `override_dir` when that directory has the file, else the embedded copy. not_found when
// neither has it.
Result<std::string> LoadPrompt(std::string_view name, std::string_view override_dir = "");

// Names of every embedded prompt file.
std::vector<std::string> EmbeddedPromptNames();

}  // namespace rh::prompts
