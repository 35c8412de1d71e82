#include "service/followups.h"

#include <algorithm>

#include "agent/follow_up.h"
#include "agent/investigator.h"
#include "agent/report.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/redact.h"
#include "store/report_store.h"

namespace rh::service {
namespace {

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

Json CitationsJson(const std::vector<agent::Evidence>& citations) {
  Json out = Json::array();
  for (const agent::Evidence& item : citations) {
    out.push_back(
        {{"tool_call_id", item.tool_call_id}, {"tool", item.tool}, {"finding", item.finding}});
  }
  return out;
}

// The citation rules once more, whoever answered: each cited call is one of `calls` (the
// report's, earlier follow-ups') or of the answer's own transcript, succeeded, with its tool.
Status CheckAnswerCitations(const agent::FollowUpAnswer& answer,
                            const std::vector<agent::ToolCallRecord>& calls) {
  std::vector<agent::CitableCall> citable;
  auto add = [&](const agent::ToolCallRecord& call) {
    citable.push_back({call.id, call.tool,
                       call.is_error ? agent::CitableCall::State::kFailed
                                     : agent::CitableCall::State::kSeen});
  };
  for (const auto& call : calls) add(call);
  for (const auto& call : answer.transcript) add(call);
  std::vector<std::string> problems;
  for (size_t index = 0; index < answer.citations.size(); ++index) {
    agent::CheckCitation(answer.citations[index], citable, /*may_cite_failed=*/false,
                         "citations[" + std::to_string(index) + "]", &problems);
  }
  if (problems.empty()) return {};
  std::string text;
  for (const std::string& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return Internal("follow-up answer", "cites what it may not: " + text);
}

}  // namespace

Result<std::vector<store::ReportMessage>> FollowUps::List(std::string_view report_id) {
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  RH_RETURN_IF_ERROR(store::ReportStore(*memory).Get(std::string(report_id)));
  return store::ReportMessageStore(*memory).List(std::string(report_id));
}

Result<store::ReportMessage> FollowUps::Ask(const FollowUpSpec& spec) {
  auto log = Logger("service");
  const std::string question = Trim(spec.question);
  if (question.empty()) {
    return InvalidArgument("question", "is empty; ask something about the report, e.g. \"show "
                                       "the evidence for finding 1\"");
  }
  if (question.size() > kMaxQuestionChars) {
    return InvalidArgument("question", "is " + std::to_string(question.size()) +
                                           " characters; at most " +
                                           std::to_string(kMaxQuestionChars) + " are accepted");
  }
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  RH_ASSIGN_OR_RETURN(store::StoredReport report,
                      store::ReportStore(*memory).Get(spec.report_id));
  store::ReportMessageStore messages(*memory);
  RH_ASSIGN_OR_RETURN(std::vector<store::ReportMessage> earlier, messages.List(report.report_id));
  if (earlier.size() >= static_cast<size_t>(store::kMaxReportMessages)) {
    return ResourceExhausted(report.report_id,
                             "the report already has " + std::to_string(earlier.size()) +
                                 " follow-up messages (the most kept); investigate again for a "
                                 "fresh report");
  }

  agent::FollowUpRequest request;
  request.report_id = report.report_id;
  request.cluster_id = report.cluster_id;
  request.question = RedactSecrets(question);
  if (auto parsed = ParseJson(report.report_json, "report_json")) request.report = *parsed;
  if (auto transcript = ParseJson(report.transcript_json.empty() ? "[]" : report.transcript_json,
                                  "transcript_json")) {
    request.calls = agent::TranscriptFromJson(*transcript);
  }
  for (const store::ReportMessage& message : earlier) {
    request.earlier.push_back({{"question", message.question}, {"answer", message.answer}});
    if (auto calls = ParseJson(message.transcript_json, "transcript_json")) {
      for (agent::ToolCallRecord& call : agent::TranscriptFromJson(*calls)) {
        request.calls.push_back(std::move(call));
      }
    }
  }

  const AgentConfig& config = runtime_.config().agent;
  const EngineKind wanted = spec.engine.value_or(config.engine);
  RH_ASSIGN_OR_RETURN(Runtime::FollowUpParts answerers, runtime_.FollowUpAnswerers());
  if (wanted == EngineKind::kClaude && answerers.model == nullptr) {
    return InvalidArgument("engine", "claude needs a model: set ANTHROPIC_API_KEY (or "
                                     "OPENAI_API_KEY with agent.provider = openai), or ask with "
                                     "engine playbook");
  }
  bool use_model = wanted != EngineKind::kPlaybook && answerers.model != nullptr;
  std::string llm_error;
  if (use_model && config.daily_budget_usd > 0) {
    auto budget = agent::CheckDailyBudget(*memory, config, "", runtime_.clock().Now());
    if (budget && budget->reached()) {
      char text[200];
      std::snprintf(text, sizeof(text),
                    "the daily model budget is spent: $%.2f today of agent.daily_budget_usd "
                    "$%.2f",
                    budget->spent, budget->limit);
      llm_error = text;
      use_model = false;
    } else if (!budget) {
      log->warn("report={} daily budget not checked: {}", report.report_id,
                budget.error().ToString());
    }
  }
  agent::FollowUpAnswer answer;
  agent::InvestigationUsage spent;
  if (use_model) {
    auto answered = answerers.model->Answer(request, &spent);
    if (answered) {
      answer = std::move(*answered);
    } else {
      llm_error = RedactSecrets(answered.error().ToString());
      log->warn("report={} follow-up: the model failed ({}); the playbook answers instead",
                report.report_id, llm_error);
    }
  }
  if (!use_model || !llm_error.empty()) {
    answer = agent::AnswerWithoutModel(request, *answerers.tools, *answerers.executor,
                                       runtime_.clock());
    answer.usage = spent;  // what a failed model spent is spent
    if (!llm_error.empty()) {
      answer.answer = "(Answered without a model: " + llm_error + ".)\n" + answer.answer;
    }
  }
  RH_RETURN_IF_ERROR(CheckAnswerCitations(answer, request.calls));

  store::ReportMessage message;
  message.report_id = report.report_id;
  message.question = request.question;
  message.answer = RedactSecrets(answer.answer);
  message.citations_json = RedactSecrets(CitationsJson(answer.citations).dump());
  message.transcript_json = RedactSecrets(agent::TranscriptToJson(answer.transcript).dump());
  message.engine = answer.engine;
  message.model = answer.model;
  message.input_tokens = answer.usage.input_tokens;
  message.output_tokens = answer.usage.output_tokens;
  message.cache_read_tokens = answer.usage.cache_read_tokens;
  message.cache_write_tokens = answer.usage.cache_write_tokens;
  message.cost_usd = answer.usage.cost_usd;
  message.duration_ms = answer.duration_ms;
  message.requester = RedactSecrets(spec.requester);
  message.llm_error = llm_error;
  message.created_at = runtime_.clock().Now();
  RH_ASSIGN_OR_RETURN(message, messages.Insert(std::move(message)));
  GlobalMetrics()
      .Counter("rockhound_follow_ups_total", "Follow-up questions answered, by engine",
               {{"engine", std::string(EngineKindName(message.engine))}})
      .Add();
  return message;
}

}  // namespace rh::service
