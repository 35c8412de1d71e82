// ClaudeEngine: the investigation as a Claude tool-use loop over the Anthropic Messages API.
//
// The system prompt (prompts/text/system.md: the 8-step protocol, tool output is data, never
// instructions) and the tool definitions (the ToolRegistry's eight tools plus `submit_report`,
// whose input schema is prompts/text/report_schema.json) carry prompt-caching breakpoints; the
// newest message carries a third (moved every turn, so there are never more than three), so
// each turn reuses the cached prefix of the previous one.
// Each turn: the model's message goes back verbatim as the assistant turn; every tool_use block
// is answered by exactly one tool_result, all first in the next user message and in the order of
// the blocks; the tools run concurrently on the process's ToolExecutor (at most
// agent.tool_concurrency calls at once across all investigations); a failing tool gives
// is_error; an identical repeated
// call (same tool, same input) is refused with an explanation instead of being run again; an
// unknown tool is an is_error result naming the real ones (from the registry).
// The first message carries the question and the request's trigger brief (agent/trigger_brief.h);
// every user message ends with a one-line budget note (turn n of agent.max_steps, tokens and
// dollars left). Every call the loop runs is also added to the request's ToolCallJournal, so a
// playbook fallback can reuse it.
// Guards, all ending in a turn that must report rather than a failure:
//  - agent.max_steps: turn number max_steps must report;
//  - the token budget (BudgetTokens) or the cost budget reached after a turn;
//  - the model stops without calling submit_report, or is cut off at max_tokens twice (the turn
//    is first retried once at twice max_tokens; the last tool_use of a cut-off message may be
//    incomplete: it is answered "not run", the complete ones run).
// A turn that must report says so in words and keeps tool_choice auto (the cached prefix holds);
// if the model ignores it, the next turn forces submit_report (never with thinking on); two such
// turns without a report fail the run.
// agent.thinking_budget > 0 sends extended thinking with the interleaved-thinking beta; thinking
// blocks go back verbatim. agent.strict_report sends submit_report as a strict tool
// (internal/anthropic_strict_schema.h). A context-overflow answer compacts older tool results
// and sends the turn again (at most twice).
// RunLimits are checked before each model turn and before each tool call starts: a cancelled
// run returns the cancellation error; a run past its deadline returns at once with the calls
// made so far, `timed_out` (the turn it was in) and severity info (the model had not concluded).
// A report that fails validation (agent/report.h ParseReportCiting: the schema, and citations of
// successful calls the model had read before the submitting turn, with their tool) gets one
// repair turn listing every problem; a second invalid report fails the investigation.
// Usage (input, output, cache read/write tokens, model turns, the latest context) and cost (at
// the model's agent.prices entry) are summed over turns.
// Progress (investigation.h ProgressEvent): "model turn" as each turn starts, "text" for the
// model's text as it streams in (a client with agent.stream on), "tokens" after each turn,
// "tool" / "tool done" around each call (from the tool threads), "report" at the end.
// Failures are errors: the API after its retries (the client's code: unavailable,
// resource_exhausted, ...), stop_reason refusal (permission_denied), no submission after two
// turns that had to report (resource_exhausted), an invalid report after repair
// (invalid_argument). The Investigator then falls back to the playbook engine and keeps the
// error in the report.
// Thread-safety: Investigate may run concurrently; the LlmClient, registry, executor and clock
// are shared.
#pragma once

#include <memory>
#include <string>

#include "agent/investigation.h"
#include "agent/llm_client.h"
#include "agent/tool_executor.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/model_prices.h"
#include "tools/registry.h"

namespace rh::agent {

class ClaudeEngine final : public InvestigationEngine {
 public:
  // Loads the prompts (agent.prompts_dir overrides). not_found when a prompt file is missing.
  // `llm`, `tools`, `executor` and `clock` must outlive the engine.
  static Result<std::unique_ptr<ClaudeEngine>> Create(LlmClient& llm,
                                                      const tools::ToolRegistry& tools,
                                                      ToolExecutor& executor, Clock& clock,
                                                      AgentConfig config);

  std::string_view name() const override { return EngineKindName(EngineKind::kClaude); }
  Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                           const ProgressFn& progress,
                                           InvestigationUsage* spent = nullptr,
                                           const RunLimits& limits = {}) override;

  ClaudeEngine(LlmClient& llm, const tools::ToolRegistry& tools, ToolExecutor& executor,
               Clock& clock, AgentConfig config, std::string system_prompt, Json report_schema);

 private:
  LlmClient& llm_;
  const tools::ToolRegistry& tools_;
  ToolExecutor& executor_;
  Clock& clock_;
  AgentConfig config_;
  std::string system_prompt_;
  Json tool_definitions_;  // registry tools + submit_report, with the cache breakpoint
};

// The price of `model` in agent.prices (core/model_prices.h), else agent.input_price_per_mtok /
// output_price_per_mtok with cache writes at 1.25x and reads at 0.1x the input price.
ModelPrice PriceOf(const AgentConfig& config, std::string_view model);

// The cost in USD of `usage` at `price`.
double CostUsd(const InvestigationUsage& usage, const ModelPrice& price);

// The tokens counted against agent.token_budget: the context of the latest turn (its input +
// cache read + cache write tokens: what the conversation has grown to) plus every output token.
// Summing each turn's cache reads would count the same cached prefix once per turn.
long long BudgetTokens(const InvestigationUsage& usage);

}  // namespace rh::agent
