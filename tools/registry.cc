#include "tools/registry.h"

#include <exception>

#include "core/log.h"
#include "core/redact.h"
#include "tools/input_schema.h"
#include "tools/output_budget.h"

namespace rh::tools {
namespace {

bool IsValidToolName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

ToolResult ErrorResult(std::string message) { return ToolResult{std::move(message), true}; }

}  // namespace

ToolRegistry::ToolRegistry(int output_budget_tokens)
    : budget_chars_(static_cast<size_t>(std::max(100, output_budget_tokens)) * kCharsPerToken) {}

Status ToolRegistry::Register(std::unique_ptr<Tool> tool) {
  if (!tool) return InvalidArgument("tool", "null tool");
  std::string name(tool->name());
  if (!IsValidToolName(name)) {
    return InvalidArgument(name, "tool names are 1 to 64 characters of [a-z0-9_]");
  }
  if (Find(name) != nullptr) return InvalidArgument(name, "a tool with this name is registered");
  if (tool->description().empty()) return InvalidArgument(name, "the tool has no description");
  Status schema = CheckSchemaSupported(tool->input_schema());
  if (!schema) return Fail(schema.error().WithContext(name));
  tools_.push_back(std::move(tool));
  return {};
}

const Tool* ToolRegistry::Find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool->name() == name) return tool.get();
  }
  return nullptr;
}

std::vector<std::string> ToolRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& tool : tools_) names.emplace_back(tool->name());
  return names;
}

ToolResult ToolRegistry::Finish(ToolResult result, std::string_view how_to_narrow) const {
  BudgetedOutput fitted = FitToBudget(RedactSecrets(result.content), budget_chars_, how_to_narrow);
  result.content = std::move(fitted.content);
  return result;
}

ToolResult ToolRegistry::Call(std::string_view name, const Json& input) const noexcept {
  std::string tool_name(name.substr(0, 100));
  try {
    Tool* found = nullptr;
    for (const auto& tool : tools_) {
      if (tool->name() == name) found = tool.get();
    }
    if (found == nullptr) {
      std::string known;
      for (const std::string& each : Names()) known += (known.empty() ? "" : ", ") + each;
      return Finish(ErrorResult("error: unknown tool '" + tool_name + "'; the tools are: " + known),
                    "call one of the listed tools");
    }
    auto validated = ValidateInput(found->input_schema(), input);
    if (!validated) {
      return Finish(
          ErrorResult("error: invalid input for " + tool_name + ": " + validated.error().message +
                      ". Input schema: " +
                      DumpJson(found->input_schema().value("properties", Json::object()))),
          found->narrowing_hint());
    }
    ToolResult result = found->Run(*validated);  // Run is safe to call concurrently

    return Finish(std::move(result), found->narrowing_hint());
  } catch (const std::exception& e) {
    Logger("tools")->error("tool {} threw: {}", tool_name, e.what());
    return Finish(ErrorResult("error: internal error in tool " + tool_name + ": " + e.what() +
                              "; the call can be retried, or use another tool"),
                  "retry or use another tool");
  } catch (...) {
    Logger("tools")->error("tool {} threw a non-standard exception", tool_name);
    return ErrorResult("error: internal error in tool " + tool_name +
                       "; the call can be retried, or use another tool");
  }
}

ToolResult ToolRegistry::CallWithText(std::string_view name,
                                      std::string_view input_json) const noexcept {
  try {
    std::string_view text = input_json;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    if (text.empty()) return Call(name, Json::object());
    auto parsed = ParseJson(input_json, "tool input");
    if (!parsed) {
      return Finish(ErrorResult("error: the input is not valid JSON (" + parsed.error().message +
                                "); send a JSON object such as "
                                "{\"cluster_id\": \"c-1a2b3c4d\"}"),
                    "send a JSON object");
    }
    return Call(name, *parsed);
  } catch (...) {
    return ErrorResult("error: internal error reading the tool input");
  }
}

Json ToolRegistry::AnthropicDefinitions() const {
  Json definitions = Json::array();
  for (const auto& tool : tools_) {
    definitions.push_back({{"name", std::string(tool->name())},
                           {"description", std::string(tool->description())},
                           {"input_schema", tool->input_schema()}});
  }
  return definitions;
}

Json ToolRegistry::McpDefinitions() const {
  Json definitions = Json::array();
  for (const auto& tool : tools_) {
    definitions.push_back({{"name", std::string(tool->name())},
                           {"description", std::string(tool->description())},
                           {"inputSchema", tool->input_schema()},
                           {"annotations",
                            {{"readOnlyHint", true},
                             {"destructiveHint", false},
                             {"idempotentHint", true},
                             {"openWorldHint", false}}}});
  }
  return definitions;
}

}  // namespace rh::tools
