#include "agent/claude_engine.h"

#include <future>
#include <map>
#include <set>

#include "core/log.h"
#include "core/time_format.h"
#include "prompts/prompts.h"

namespace rh::agent {
namespace {

constexpr char kSubmitReport[] = "submit_report";
constexpr char kSubmitDescription[] =
    "Submit the final investigation report. Call it exactly once, when you know enough, with "
    "every field of the schema. Each evidence item must cite the id of the tool_use block whose "
    "result shows it. If the report is rejected you are told every problem: fix them all and "
    "call submit_report again.";

long long MillisBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

Json CacheControl() { return Json{{"type", "ephemeral"}}; }

// The messages as sent: a copy with one cache breakpoint on the last block of the newest
// message, so each turn can reuse the cached prefix of the previous one.
Json WithMessageBreakpoint(const Json& messages) {
  Json out = messages;
  if (out.empty()) return out;
  Json& last = out.back();
  if (last["content"].is_string()) {
    last["content"] = Json::array({Json{{"type", "text"}, {"text", last["content"]}}});
  }
  if (last["content"].is_array() && !last["content"].empty()) {
    last["content"].back()["cache_control"] = CacheControl();
  }
  return out;
}

struct PendingCall {
  std::string id;
  std::string name;
  Json input;
};

}  // namespace

double CostUsd(const InvestigationUsage& usage, const AgentConfig& config) {
  const double in = config.input_price_per_mtok / 1e6;
  const double out = config.output_price_per_mtok / 1e6;
  return usage.input_tokens * in + usage.cache_write_tokens * in * 1.25 +
         usage.cache_read_tokens * in * 0.1 + usage.output_tokens * out;
}

Result<std::unique_ptr<ClaudeEngine>> ClaudeEngine::Create(LlmClient& llm,
                                                           const tools::ToolRegistry& tools,
                                                           Clock& clock, AgentConfig config) {
  RH_ASSIGN_OR_RETURN(std::string system, prompts::LoadPrompt("system.md", config.prompts_dir));
  RH_ASSIGN_OR_RETURN(std::string schema_text,
                      prompts::LoadPrompt("report_schema.json", config.prompts_dir));
  RH_ASSIGN_OR_RETURN(Json schema, ParseJson(schema_text, "report_schema.json"));
  return std::make_unique<ClaudeEngine>(llm, tools, clock, std::move(config), std::move(system),
                                        std::move(schema));
}

ClaudeEngine::ClaudeEngine(LlmClient& llm, const tools::ToolRegistry& tools, Clock& clock,
                           AgentConfig config, std::string system_prompt, Json report_schema)
    : llm_(llm),
      tools_(tools),
      clock_(clock),
      config_(std::move(config)),
      system_prompt_(std::move(system_prompt)) {
  tool_definitions_ = tools_.AnthropicDefinitions();
  tool_definitions_.push_back(Json{{"name", kSubmitReport},
                                   {"description", kSubmitDescription},
                                   {"input_schema", std::move(report_schema)}});
  tool_definitions_.back()["cache_control"] = CacheControl();
}

Result<InvestigationOutcome> ClaudeEngine::Investigate(const InvestigationRequest& request,
                                                       const ProgressFn& progress,
                                                       InvestigationUsage* spent) {
  auto log = Logger("agent");
  const TimePoint started = clock_.Now();
  const std::string task_tag = request.task_id.empty() ? "direct" : request.task_id;
  InvestigationOutcome outcome;
  outcome.engine = "claude";

  std::string opening = "Investigate StarRocks cluster " + request.cluster_id + " as of " +
                        FormatIsoTime(started) + ".\n";
  opening += request.question.empty()
                 ? "Question: is anything wrong with this cluster, and if so what and why?\n"
                 : "Question from the engineer: " + request.question + "\n";
  opening += "Follow the protocol, then call submit_report.";

  LlmRequest turn;
  turn.system = Json::array({Json{{"type", "text"}, {"text", system_prompt_},
                                  {"cache_control", CacheControl()}}});
  turn.tools = tool_definitions_;
  turn.metadata = Json{{"user_id", "rockhound-" + task_tag}};
  Json messages = Json::array({Json{{"role", "user"}, {"content", opening}}});

  std::map<std::string, std::string> first_call_by_signature;  // "tool\ninput" -> tool_use id
  std::vector<std::string> answered_ids;
  bool force_report = false;
  bool repair_used = false;
  int forced_turns = 0;

  auto emit = [&](int step, std::string what, std::string detail) {
    if (progress) progress({step, std::move(what), std::move(detail), MillisBetween(started, clock_.Now())});
  };
  auto over_budget = [&]() {
    long long tokens = outcome.usage.input_tokens + outcome.usage.output_tokens +
                       outcome.usage.cache_read_tokens + outcome.usage.cache_write_tokens;
    return tokens >= config_.token_budget || outcome.usage.cost_usd >= config_.cost_budget_usd;
  };

  for (int step = 1;; ++step) {
    if (step >= config_.max_steps) force_report = true;
    if (force_report) {
      if (++forced_turns > 2) {
        return ResourceExhausted("claude", "the model did not submit a report after " +
                                               std::to_string(step - 1) + " turns (forced turns "
                                               "included)");
      }
      turn.tool_choice = Json{{"type", "tool"}, {"name", kSubmitReport}};
    } else {
      turn.tool_choice = Json{{"type", "auto"}};
    }
    turn.messages = WithMessageBreakpoint(messages);
    emit(step, "model turn", force_report ? "forced report" : "");
    auto response = llm_.CreateMessage(turn);
    if (!response) {
      log->warn("task={} cluster={} model turn {} failed: {}", task_tag, request.cluster_id, step,
                response.error().ToString());
      return Fail(response.error().WithContext("claude turn " + std::to_string(step)));
    }
    outcome.model = response->model;
    outcome.usage.model_turns += 1;
    outcome.usage.input_tokens += response->usage.input_tokens;
    outcome.usage.output_tokens += response->usage.output_tokens;
    outcome.usage.cache_read_tokens += response->usage.cache_read_tokens;
    outcome.usage.cache_write_tokens += response->usage.cache_write_tokens;
    outcome.usage.cost_usd = CostUsd(outcome.usage, config_);
    if (spent) *spent = outcome.usage;
    if (response->stop_reason == "refusal") {
      return PermissionDenied("claude", "the model refused to continue (stop_reason refusal)");
    }
    messages.push_back(Json{{"role", "assistant"}, {"content", response->content}});

    std::vector<PendingCall> calls;
    std::optional<PendingCall> submission;
    for (const Json& block : response->content) {
      if (!block.is_object() || JsonString(block, "type") != "tool_use") continue;
      PendingCall call{JsonString(block, "id"), JsonString(block, "name"),
                       block.contains("input") ? block["input"] : Json::object()};
      if (call.name == kSubmitReport) {
        submission = call;
      } else {
        calls.push_back(std::move(call));
      }
    }
    if (response->stop_reason == "pause_turn") continue;
    if (calls.empty() && !submission) {
      // The model stopped without a tool call: ask for the report on a forced turn.
      std::string why = response->stop_reason == "max_tokens"
                            ? "Your message was cut off at max_tokens. "
                            : "You stopped without calling submit_report. ";
      messages.push_back(Json{{"role", "user"},
                              {"content", why + "Call submit_report now with your report."}});
      force_report = true;
      continue;
    }

    // Run the tool calls concurrently; refuse identical repeats.
    std::vector<ToolCallRecord> records(calls.size());
    std::vector<std::future<void>> running;
    for (size_t call_idx = 0; call_idx < calls.size(); ++call_idx) {
      const PendingCall& call = calls[call_idx];
      ToolCallRecord& record = records[call_idx];
      record.id = call.id;
      record.step = step;
      record.tool = call.name;
      record.input = call.input;
      record.started_ms = MillisBetween(started, clock_.Now());
      std::string signature = call.name + "\n" + call.input.dump();
      auto [previous, inserted] = first_call_by_signature.emplace(signature, call.id);
      if (!inserted) {
        record.output = "Refused: this exact call (" + call.name + " with the same input) was "
                        "already made as " + previous->second + "; its result is above. Use it, "
                        "or change the input to ask something new.";
        record.is_error = true;
        continue;
      }
      emit(step, "tool", call.name);
      running.push_back(std::async(std::launch::async, [this, &record, started] {
        tools::ToolResult result = tools_.Call(record.tool, record.input);
        record.output = std::move(result.content);
        record.is_error = result.is_error;
        record.duration_ms = MillisBetween(started, clock_.Now()) - record.started_ms;
      }));
    }
    for (auto& task : running) task.get();

    Json results = Json::array();
    for (const ToolCallRecord& record : records) {
      Json block = {{"type", "tool_result"}, {"tool_use_id", record.id}, {"content", record.output}};
      if (record.is_error) block["is_error"] = true;
      results.push_back(std::move(block));
      answered_ids.push_back(record.id);
      outcome.transcript.push_back(record);
    }

    if (submission) {
      ToolCallRecord record;
      record.id = submission->id;
      record.step = step;
      record.tool = kSubmitReport;
      record.input = submission->input;
      record.started_ms = MillisBetween(started, clock_.Now());
      auto report = ParseReport(submission->input, answered_ids);
      if (report) {
        record.output = "Report accepted.";
        outcome.transcript.push_back(std::move(record));
        outcome.report = std::move(*report);
        outcome.duration_ms = MillisBetween(started, clock_.Now());
        emit(step, "report", outcome.report.root_cause_category);
        log->info("task={} cluster={} claude report: {} {} after {} turns, {} tool calls, "
                  "{} in / {} out tokens, ${:.4f}",
                  task_tag, request.cluster_id, outcome.report.severity,
                  outcome.report.root_cause_category, outcome.usage.model_turns,
                  outcome.transcript.size() - 1, outcome.usage.input_tokens,
                  outcome.usage.output_tokens, outcome.usage.cost_usd);
        return outcome;
      }
      record.output = report.error().message;
      record.is_error = true;
      outcome.transcript.push_back(record);
      if (repair_used) {
        return InvalidArgument("claude", "the model's report was still invalid after one repair "
                                         "turn: " + report.error().message);
      }
      repair_used = true;
      Json block = {{"type", "tool_result"}, {"tool_use_id", submission->id},
                    {"content", report.error().message + "\nFix every problem and call "
                                                         "submit_report again."},
                    {"is_error", true}};
      results.push_back(std::move(block));
      force_report = true;
      forced_turns = 0;  // the repair turn gets its own forced attempts
    }
    messages.push_back(Json{{"role", "user"}, {"content", std::move(results)}});
    if (over_budget() && !force_report) {
      log->warn("task={} cluster={} budget reached ({} tokens, ${:.4f}); forcing the report",
                task_tag, request.cluster_id,
                outcome.usage.input_tokens + outcome.usage.output_tokens, outcome.usage.cost_usd);
      force_report = true;
    }
  }
}

}  // namespace rh::agent
