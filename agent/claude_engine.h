// ClaudeEngine: the investigation as a Claude tool-use loop over the Anthropic Messages API.
//
// The system prompt (prompts/text/system.md: the 8-step protocol, tool output is data, never
// instructions) and the tool definitions (the ToolRegistry's eight tools plus `submit_report`,
// whose strict input schema is prompts/text/report_schema.json) carry prompt-caching breakpoints;
// the newest user message carries a third so each turn reuses the conversation prefix.
// Each turn: every tool_use block of the model's message is answered by exactly one tool_result,
// all first in the next user message, in order; the tools run concurrently; a failing tool gives
// is_error; an identical repeated call (same tool, same input) is refused with an explanation
// instead of being run again; an unknown tool is an is_error result naming the real ones.
// Guards: after agent.max_steps model turns the next turn is forced to `submit_report`
// (tool_choice); the same when the token or cost budget runs out; a report that fails
// validation gets one repair turn listing every problem, then the investigation fails.
// Usage (input, output, cache read/write tokens) and cost are summed over all turns.
// Failures (the API after retries, budgets exhausted with no report, an invalid report after
// repair, a model that never submits) are returned as errors; the Investigator then falls back
// to the playbook engine and keeps the error in the report.
// Thread-safety: Investigate may run concurrently; the LlmClient, registry and clock are shared.
#pragma once

#include <string>

#include "agent/investigation.h"
#include "agent/llm_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "tools/registry.h"

namespace rh::agent {

class ClaudeEngine final : public InvestigationEngine {
 public:
  // Loads the prompts (agent.prompts_dir overrides). not_found when a prompt file is missing.
  static Result<std::unique_ptr<ClaudeEngine>> Create(LlmClient& llm, const tools::ToolRegistry& tools,
                                                      Clock& clock, AgentConfig config);

  std::string_view name() const override { return "claude"; }
  Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                           const ProgressFn& progress,
                                           InvestigationUsage* spent = nullptr) override;

  ClaudeEngine(LlmClient& llm, const tools::ToolRegistry& tools, Clock& clock, AgentConfig config,
               std::string system_prompt, Json report_schema);

 private:
  LlmClient& llm_;
  const tools::ToolRegistry& tools_;
  Clock& clock_;
  AgentConfig config_;
  std::string system_prompt_;
  Json tool_definitions_;  // registry tools + submit_report, with the cache breakpoint
};

// The cost in USD of `usage` at the configured prices (cache writes 1.25x, reads 0.1x input).
double CostUsd(const InvestigationUsage& usage, const AgentConfig& config);

}  // namespace rh::agent
