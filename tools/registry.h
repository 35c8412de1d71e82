// ToolRegistry: the one door through which investigators (Claude, the playbook engine), the MCP
// server and `rockhound tool run` call tools.
//
// Call(name, input) never throws and always returns a ToolResult:
//  - unknown tool: is_error, naming the known tools;
//  - input that fails the tool's JSON Schema (tools/input_schema.h): is_error listing what to
//    fix; the tool does not run;
//  - otherwise the tool runs on the validated, normalised input (defaults filled in); an
//    exception escaping a tool becomes an is_error "internal error" result;
//  - every result (errors too) then has its secrets masked (core/redact.h RedactSecrets) and is
//    cut to the output budget with an explicit marker (tools/output_budget.h).
// Definitions are emitted for the Anthropic Messages API ([{name, description, input_schema}])
// and for MCP tools/list ([{name, description, inputSchema, annotations}]).
// Thread-safety: Register before sharing; after that Call and the accessors may be used from
// any number of threads (tools are required to allow concurrent Run).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "tools/tool.h"

namespace rh::tools {

class ToolRegistry {
 public:
  // output_budget_tokens: the hard cap per result (tools.output_budget_tokens).
  explicit ToolRegistry(int output_budget_tokens = 2000);

  ToolRegistry(ToolRegistry&&) = default;
  ToolRegistry& operator=(ToolRegistry&&) = default;

  // invalid_argument for a duplicate name, a name outside [a-z0-9_]{1,64}, an empty
  // description or a schema outside the supported subset.
  Status Register(std::unique_ptr<Tool> tool);

  ToolResult Call(std::string_view name, const Json& input) const noexcept;
  // The same with the input as JSON text (what an API or a command line hands over).
  ToolResult CallWithText(std::string_view name, std::string_view input_json) const noexcept;

  const Tool* Find(std::string_view name) const;
  std::vector<std::string> Names() const;
  size_t budget_chars() const { return budget_chars_; }

  Json AnthropicDefinitions() const;
  Json McpDefinitions() const;

 private:
  ToolResult Finish(ToolResult result, std::string_view how_to_narrow) const;

  size_t budget_chars_;
  std::vector<std::unique_ptr<Tool>> tools_;
};

}  // namespace rh::tools
