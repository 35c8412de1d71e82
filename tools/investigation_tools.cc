#include "tools/investigation_tools.h"

#include <functional>

#include "prompts/prompts.h"
#include "tools/internal/tool_factories.h"

namespace rh::tools {

Result<ToolRegistry> BuildInvestigationTools(const ToolEnvironment& env) {
  if (env.fleet == nullptr) return InvalidArgument("tools", "no fleet database given");
  if (env.clock == nullptr) return InvalidArgument("tools", "no clock given");
  auto context = std::make_shared<internal::ToolContext>();
  context->fleet = env.fleet;
  context->memory = env.memory;
  context->knowledge = env.knowledge;
  context->clock = env.clock;
  context->config = env.config;
  context->fleet_url = env.fleet_url;
  context->fleet_password = env.fleet_password;

  using Factory = std::function<std::unique_ptr<Tool>(std::string, internal::ContextPtr)>;
  const std::array<Factory, kInvestigationToolNames.size()> factories = {
      internal::MakeClusterInfoTool,     internal::MakeClusterAlertsTool,
      internal::MakeClusterMetricsTool,  internal::MakeClusterOperationsTool,
      internal::MakeKnowledgeSearchTool, internal::MakeAgentMemoryTool,
      internal::MakeSimilarClustersTool, internal::MakeRunSqlTool};

  ToolRegistry registry(env.config.output_budget_tokens);
  for (size_t tool_idx = 0; tool_idx < factories.size(); ++tool_idx) {
    std::string name(kInvestigationToolNames[tool_idx]);
    RH_ASSIGN_OR_RETURN(std::string description,
                        prompts::LoadPrompt("tool_" + name + ".md", env.prompts_dir));
    std::unique_ptr<Tool> tool = factories[tool_idx](std::move(description), context);
    if (tool->name() != name) {
      return Internal(name, "factory built tool '" + std::string(tool->name()) + "'");
    }
    RH_RETURN_IF_ERROR(registry.Register(std::move(tool)));
  }
  return registry;
}

}  // namespace rh::tools
