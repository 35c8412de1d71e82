// FollowUps: questions about a stored report and their answers — the one implementation behind
// `rockhound ask <report-id> "question"` (and `ask <report-id> --list`),
// POST/GET /api/v1/reports/{id}/messages, the report page's chat box and the MCP tool ask_report.
//
// Ask checks the question (1..kMaxQuestionChars characters once trimmed; secrets masked), loads
// the report, its transcript and the conversation so far, and answers with the engine asked for
// (nullopt: agent.engine — `auto` uses the model when one is configured, else the playbook;
// `claude` requires a model; `playbook` answers without one, agent/follow_up.h says what it can
// answer). A model answer cites the tool calls of the report (or earlier follow-ups) and the
// calls it made, validated with the investigation's citation rules; when the daily model budget
// (agent.daily_budget_usd, shared with investigations) is spent, or the model fails after its
// retries, the playbook answers instead and the message keeps why (llm_error), as an
// investigation's fallback does. Every citation of a stored answer is checked once more against
// the calls it may cite. The message (question, answer, citations, the new calls, engine, model,
// tokens, cost, time) is stored with the report; nothing is stored when Ask fails.
// Errors: not_found for an unknown report; invalid_argument for an empty or oversized question,
// or engine claude without a model; resource_exhausted when the report already has
// store::kMaxReportMessages messages; unavailable when the memory database is down.
// Thread-safety: safe to call from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine_kind.h"
#include "core/error.h"
#include "core/json.h"
#include "service/runtime.h"
#include "service/investigations.h"  // kMaxQuestionChars, shared with investigation questions
#include "service/json_views.h"
#include "store/report_messages.h"

namespace rh::service {

struct FollowUpSpec {
  std::string report_id;
  std::string question;
  std::optional<EngineKind> engine;  // nullopt: agent.engine
  std::string requester;             // "cli", "http", "mcp", ... (free text, masked)
};

class FollowUps {
 public:
  explicit FollowUps(Runtime& runtime) : runtime_(runtime) {}

  Result<store::ReportMessage> Ask(const FollowUpSpec& spec);
  // The conversation of a report, oldest first; not_found for an unknown report.
  Result<std::vector<store::ReportMessage>> List(std::string_view report_id);

 private:
  Runtime& runtime_;
};

}  // namespace rh::service
