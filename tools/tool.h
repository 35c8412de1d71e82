// Tool: one investigation tool as the investigator (Claude or the playbook engine), the MCP
// server and `rockhound tool run` see it — a name, a description written for a model (kept in
// prompts/text/tool_<name>.md), a JSON input schema, and Run(input) -> ToolResult.
//
// Tools never throw and never write: a bad input, a missing cluster or a database failure is
// a ToolResult with is_error = true whose content says what was wrong and how to fix the call.
// Output is compact, decision-ready JSON text (summaries, top-N, change points; never raw
// dumps), within the configured budget, secrets redacted.
// Thread-safety: Run may be called concurrently from several threads (parallel tool_use).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace rh::tools {

struct ToolResult {
  std::string content;  // what the caller (model) sees
  bool is_error = false;
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // A JSON Schema object ({"type":"object", "properties":..., "required":...}).
  virtual const Json& input_schema() const = 0;
  // Runs with input that already passed schema validation (ToolRegistry::Call validates).
  virtual ToolResult Run(const Json& input) = 0;
  // How to ask for less when the output budget cut this tool's result (shown in the
  // truncation marker), e.g. "pass fewer dimensions or a shorter window_hours".
  virtual std::string_view narrowing_hint() const {
    return "ask for less: a shorter window, fewer items or a narrower filter";
  }
};

}  // namespace rh::tools
