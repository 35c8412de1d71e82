// Follow-up questions on a stored report: the answer to an engineer's question about an
// investigation already written, with cited evidence. Two answerers, one result:
//
//  - FollowUpEngine: the model (the LlmClient of agent.provider: Anthropic Messages or an
//    OpenAI-compatible server) in a tool-use loop. Its first message holds the report, the
//    investigation's tool calls with their results compacted (CompactCalls: the calls the report
//    cites first, then those matching the question's words, then the rest; each output cut, the
//    whole bounded, the least relevant listed by id only), the earlier questions and answers, and
//    the question (prompts/text/follow_up.md is the system prompt). It has the same eight
//    read-only tools through the same ToolRegistry (guards, redaction, output budget) on the
//    same ToolExecutor, plus `submit_answer` {answer, citations: [{tool_call_id, tool, finding}]}.
//    Citations follow the investigation's rules (agent/report.h CheckCitation): a cited call must
//    be one of the report's calls (or of an earlier follow-up) or one made in this conversation
//    whose result the model had read, succeeded, and name its tool. An invalid answer gets one
//    repair turn; agent.max_steps (at most kMaxFollowUpTurns), agent.token_budget and
//    agent.cost_budget_usd bound the loop as they bound an investigation (the last turn must
//    answer; without thinking it is forced to). Errors: the client's (after its retries),
//    refusal (permission_denied), no answer (resource_exhausted), an answer still invalid after
//    the repair (invalid_argument).
//  - AnswerWithoutModel: the playbook's deterministic answerer. Without a model it can (1) run a
//    tool again when the question names it or what it shows ("re-run query_cluster_metrics",
//    "show disk", "current alerts"), (2) show the evidence behind a finding of the report (by
//    its number, "finding 2", or by words of the question), (3) list the tool calls. Anything
//    else is answered with what it can do and how to configure a model — never a made-up answer.
//
// Thread-safety: both may run concurrently; the client, registry, executor and clock are shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/investigation.h"
#include "agent/llm_client.h"
#include "agent/report.h"
#include "agent/tool_executor.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "core/json.h"
#include "tools/registry.h"

namespace rh::agent {

// Model turns one follow-up may take at most (agent.max_steps when lower).
inline constexpr int kMaxFollowUpTurns = 8;
// The compacted transcript in the model's first message is at most this many characters.
inline constexpr size_t kCompactedCallsBudget = 24000;

struct FollowUpRequest {
  std::string report_id;
  std::string cluster_id;
  std::string question;  // already checked for size and masked
  Json report;           // the stored report JSON (agent/report.h ReportToJson)
  // Every call that may be cited: the report's transcript, then the calls earlier follow-ups
  // made, in order.
  std::vector<ToolCallRecord> calls;
  Json earlier = Json::array();  // [{question, answer}] of this report, oldest first
};

struct FollowUpAnswer {
  std::string answer;
  std::vector<Evidence> citations;  // validated
  std::vector<ToolCallRecord> transcript;  // the calls made to answer this question
  EngineKind engine = EngineKind::kPlaybook;  // claude | playbook
  std::string model;
  InvestigationUsage usage;
  long long duration_ms = 0;
};

// The calls of `request` as the model's first message shows them: most relevant first (cited by
// the report, then matching the question's words, then the rest; failed calls last), each
// output cut to a share of `budget_chars`, those that do not fit listed by id and tool only.
std::string CompactCalls(const FollowUpRequest& request, size_t budget_chars);

// The citations of `input` (submit_answer's "citations", or an answer stored) as Evidence.
// invalid_argument listing every problem, each as a line a model can act on.
Result<std::vector<Evidence>> ParseCitations(const Json& citations);

class FollowUpEngine {
 public:
  // Loads prompts/text/follow_up.md (agent.prompts_dir overrides). The arguments must outlive
  // the engine.
  static Result<std::unique_ptr<FollowUpEngine>> Create(LlmClient& llm,
                                                        const tools::ToolRegistry& tools,
                                                        ToolExecutor& executor, Clock& clock,
                                                        AgentConfig config);
  FollowUpEngine(LlmClient& llm, const tools::ToolRegistry& tools, ToolExecutor& executor,
                 Clock& clock, AgentConfig config, std::string system_prompt);

  // `spent`, when given, receives the usage even when answering fails.
  Result<FollowUpAnswer> Answer(const FollowUpRequest& request,
                                InvestigationUsage* spent = nullptr);

 private:
  LlmClient& llm_;
  const tools::ToolRegistry& tools_;
  ToolExecutor& executor_;
  Clock& clock_;
  AgentConfig config_;
  std::string system_prompt_;
  Json tool_definitions_;
};

// The playbook's answer (see above). New calls get ids "call_<n>" after every id in
// request.calls.
FollowUpAnswer AnswerWithoutModel(const FollowUpRequest& request,
                                  const tools::ToolRegistry& tools, ToolExecutor& executor,
                                  const Clock& clock);

}  // namespace rh::agent
