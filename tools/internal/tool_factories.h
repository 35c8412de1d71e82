// Factories of the eight investigation tools (one .cc each under tools/internal/), used by
// BuildInvestigationTools. `description` is the text of prompts/text/tool_<name>.md.
#pragma once

#include <memory>
#include <string>

#include "tools/internal/tool_support.h"
#include "tools/tool.h"

namespace rh::tools::internal {

using ContextPtr = std::shared_ptr<const ToolContext>;

std::unique_ptr<Tool> MakeClusterInfoTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeClusterAlertsTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeClusterMetricsTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeClusterOperationsTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeKnowledgeSearchTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeAgentMemoryTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeSimilarClustersTool(std::string description, ContextPtr context);
std::unique_ptr<Tool> MakeRunSqlTool(std::string description, ContextPtr context);

}  // namespace rh::tools::internal
