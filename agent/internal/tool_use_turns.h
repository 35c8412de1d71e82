// The pieces of a Claude tool-use conversation shared by the investigation loop
// (agent/claude_engine.h) and the follow-up loop (agent/follow_up.h): prompt-caching markers,
// the per-turn usage and cost sum, and running one turn's tool calls on the shared executor.
// Thread-safety: pure functions; RunToolCalls runs its jobs on the executor's threads, each
// writing only its own record.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/investigation.h"
#include "agent/llm_client.h"
#include "agent/tool_executor.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "tools/registry.h"

namespace rh::agent::internal {

// Milliseconds of clock.Monotonic() since `start`.
long long MillisSince(const Clock& clock, MonoTime start);

// {"type": "ephemeral"}: a prompt-caching breakpoint.
Json CacheControl();

// The messages as sent: a copy with one cache breakpoint on the last cacheable block of the
// newest message, so each turn can reuse the cached prefix of the previous one. The stored
// conversation keeps no markers, so there are never more than three (system, tools, this one).
Json WithMessageBreakpoint(const Json& messages);

// The tool_result block answering `record` (its output; is_error when it failed).
Json ToolResultBlock(const ToolCallRecord& record);

// Adds one model turn's usage to `usage` (turns, tokens, the latest context) and prices the sum
// at the model's agent.prices entry.
void AddTurnUsage(const LlmResponse& response, const AgentConfig& config,
                  InvestigationUsage* usage);

// Runs `records` (id, step, tool, input filled in) on `executor` through `tools`, each job
// filling in its own output, is_error and timing (ms since `started`). A record whose call
// `may_start` refuses when its turn comes is left unrun and its index returned in `not_run`
// (may be null). `on_event` (may be empty) is told each call as it starts (done false) and as
// it ends (done true, with its output and timing filled in).
void RunToolCalls(std::vector<ToolCallRecord*> records, const tools::ToolRegistry& tools,
                  ToolExecutor& executor, const Clock& clock, MonoTime started,
                  const std::function<bool()>& may_start,
                  const std::function<void(const ToolCallRecord&, bool done)>& on_event,
                  std::vector<size_t>* not_run);

}  // namespace rh::agent::internal
