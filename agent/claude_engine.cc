#include "agent/claude_engine.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
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
// Forced turns (tool_choice = submit_report) allowed without a submission before giving up.
constexpr int kMaxForcedTurns = 2;

long long MillisSince(const Clock& clock, MonoTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Monotonic() - start).count();
}

Json CacheControl() { return Json{{"type", "ephemeral"}}; }

// Whether the API accepts a cache_control marker on `block` (not on thinking blocks, not on
// empty text blocks, not on server-tool blocks we know nothing about).
bool Cacheable(const Json& block) {
  if (!block.is_object()) return false;
  const std::string type = JsonString(block, "type");
  if (type == "text") return !JsonString(block, "text").empty();
  return type == "tool_result" || type == "tool_use" || type == "image" || type == "document";
}

// The messages as sent: a copy with one cache breakpoint on the last cacheable block of the
// newest message, so each turn can reuse the cached prefix of the previous one. The stored
// conversation keeps no markers, so there are never more than three (system, tools, this one).
Json WithMessageBreakpoint(const Json& messages) {
  Json out = messages;
  if (out.empty()) return out;
  Json& last = out.back();
  if (last["content"].is_string()) {
    if (last["content"].get<std::string>().empty()) return out;
    last["content"] = Json::array({Json{{"type", "text"}, {"text", last["content"]}}});
  }
  if (!last["content"].is_array()) return out;
  for (auto block = last["content"].rbegin(); block != last["content"].rend(); ++block) {
    if (Cacheable(*block)) {
      (*block)["cache_control"] = CacheControl();
      break;
    }
  }
  return out;
}

// One tool_use block of the model's message and what becomes of it.
struct ToolUse {
  enum class Fate {
    kRun,         // a tool call to run
    kRepeated,    // identical to an earlier call: refused with an explanation
    kTruncated,   // the last block of a message cut off at max_tokens: not run
    kSubmission,  // the (first) submit_report of the message
    kExtraSubmission,  // a second submit_report in the same message: refused
  };
  Fate fate = Fate::kRun;
  bool not_run = false;   // kRun, but the run was cancelled or timed out before it started
  ToolCallRecord record;  // id, step, tool, input; output/is_error once decided
};

std::string RefuseRepeat(const std::string& tool, const std::string& first_id) {
  return "Refused: this exact call (" + tool + " with the same input) was already made as " +
         first_id + "; its result is in the conversation. Use it, or change the input to ask "
                    "something new.";
}

}  // namespace

double CostUsd(const InvestigationUsage& usage, const AgentConfig& config) {
  const double in = config.input_price_per_mtok / 1e6;
  const double out = config.output_price_per_mtok / 1e6;
  return usage.input_tokens * in + usage.cache_write_tokens * in * 1.25 +
         usage.cache_read_tokens * in * 0.1 + usage.output_tokens * out;
}

long long BudgetTokens(const InvestigationUsage& usage) {
  return usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens +
         usage.output_tokens;
}

Result<std::unique_ptr<ClaudeEngine>> ClaudeEngine::Create(LlmClient& llm,
                                                           const tools::ToolRegistry& tools,
                                                           ToolExecutor& executor, Clock& clock,
                                                           AgentConfig config) {
  RH_ASSIGN_OR_RETURN(std::string system, prompts::LoadPrompt("system.md", config.prompts_dir));
  RH_ASSIGN_OR_RETURN(std::string schema_text,
                      prompts::LoadPrompt("report_schema.json", config.prompts_dir));
  RH_ASSIGN_OR_RETURN(Json schema, ParseJson(schema_text, "report_schema.json"));
  return std::make_unique<ClaudeEngine>(llm, tools, executor, clock, std::move(config),
                                        std::move(system), std::move(schema));
}

ClaudeEngine::ClaudeEngine(LlmClient& llm, const tools::ToolRegistry& tools, ToolExecutor& executor,
                           Clock& clock, AgentConfig config, std::string system_prompt,
                           Json report_schema)
    : llm_(llm),
      tools_(tools),
      executor_(executor),
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
                                                       InvestigationUsage* spent,
                                                       const RunLimits& limits) {
  auto log = Logger("agent");
  const TimePoint started = clock_.Now();
  const MonoTime started_mono = clock_.Monotonic();
  const std::string task_tag = request.task_id.empty() ? "direct" : request.task_id;
  InvestigationOutcome outcome;
  outcome.engine = EngineKind::kClaude;

  std::string opening = "Investigate StarRocks cluster " + request.cluster_id + " as of " +
                        FormatIsoTime(started) + ".\n";
  opening += request.question.empty()
                 ? "Question: is anything wrong with this cluster, and if so what and why?\n"
                 : "Question from the engineer: " + request.question + "\n";
  opening += "Follow the protocol, then call submit_report.";

  LlmRequest turn;
  turn.system = Json::array(
      {Json{{"type", "text"}, {"text", system_prompt_}, {"cache_control", CacheControl()}}});
  turn.tools = tool_definitions_;
  turn.metadata = Json{{"user_id", "rockhound-" + task_tag}};
  Json messages = Json::array({Json{{"role", "user"}, {"content", opening}}});

  std::map<std::string, std::string> first_call_by_signature;  // "tool\ninput" -> tool_use id
  std::vector<std::string> answered_ids;
  bool force_report = false;
  std::string force_reason;
  bool repair_used = false;
  int forced_turns = 0;

  auto emit = [&](int step, std::string what, std::string detail) {
    if (progress) {
      progress({step, std::move(what), std::move(detail), MillisSince(clock_, started_mono)});
    }
  };
  auto force = [&](std::string reason) {
    if (force_report) return;
    force_report = true;
    force_reason = std::move(reason);
  };
  auto over_budget = [&]() {
    return BudgetTokens(outcome.usage) >= config_.token_budget ||
           outcome.usage.cost_usd >= config_.cost_budget_usd;
  };
  // Ends the run at a checkpoint: cancelled -> the cancellation error; timed out -> the calls
  // made so far, for the Investigator's timed-out report (the model had not concluded: info).
  auto interrupted = [&](int step, RunLimits::Verdict verdict) -> Result<InvestigationOutcome> {
    if (verdict == RunLimits::Verdict::kCancelled) {
      log->warn("task={} cluster={} claude investigation cancelled at turn {}: {}", task_tag,
                request.cluster_id, step, limits.CancelledError().message);
      return Fail(limits.CancelledError().WithContext("claude turn " + std::to_string(step)));
    }
    outcome.report = Report{};
    outcome.report.severity = Severity::kInfo;
    outcome.timed_out = TimedOut{step};
    outcome.duration_ms = MillisSince(clock_, started_mono);
    log->warn("task={} cluster={} claude investigation timed out at turn {} after {} tool calls",
              task_tag, request.cluster_id, step, outcome.transcript.size());
    return outcome;
  };

  for (int step = 1;; ++step) {
    if (auto verdict = limits.Check(clock_); verdict != RunLimits::Verdict::kGoOn) {
      return interrupted(step, verdict);
    }
    if (step >= config_.max_steps) force("max_steps");
    if (force_report) {
      if (++forced_turns > kMaxForcedTurns) {
        return ResourceExhausted(
            "claude", "the model did not call submit_report on " +
                          std::to_string(kMaxForcedTurns) + " turns that required it (" +
                          force_reason + ", " + std::to_string(step - 1) + " turns in all)");
      }
      turn.tool_choice = Json{{"type", "tool"}, {"name", kSubmitReport}};
    } else {
      turn.tool_choice = Json{{"type", "auto"}};
    }
    turn.messages = WithMessageBreakpoint(messages);
    emit(step, "model turn", force_report ? "forced report (" + force_reason + ")" : "");
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
    const bool cut_off = response->stop_reason == "max_tokens";
    // The assistant turn goes back exactly as returned (an empty one cannot: the API rejects
    // empty non-final assistant messages).
    if (!response->content.empty()) {
      messages.push_back(Json{{"role", "assistant"}, {"content", response->content}});
    }
    if (response->stop_reason == "pause_turn") continue;  // the API asks us to send it back

    // Every tool_use block, in order, and what becomes of it.
    std::vector<ToolUse> uses;
    for (const Json& block : response->content) {
      if (!block.is_object() || JsonString(block, "type") != "tool_use") continue;
      ToolUse use;
      use.record.id = JsonString(block, "id");
      use.record.step = step;
      use.record.tool = JsonString(block, "name");
      use.record.input = block.contains("input") ? block["input"] : Json::object();
      uses.push_back(std::move(use));
    }
    if (cut_off && !uses.empty()) uses.back().fate = ToolUse::Fate::kTruncated;
    bool has_submission = false;
    for (ToolUse& use : uses) {
      if (use.fate == ToolUse::Fate::kTruncated) {
        use.record.output = "Not run: your message was cut off at max_tokens inside this call, "
                            "so its input may be incomplete.";
        use.record.is_error = true;
      } else if (use.record.tool == kSubmitReport) {
        use.fate = has_submission ? ToolUse::Fate::kExtraSubmission : ToolUse::Fate::kSubmission;
        if (has_submission) {
          use.record.output = "Refused: submit_report may be called once per message.";
          use.record.is_error = true;
        }
        has_submission = true;
      } else {
        const std::string signature = use.record.tool + "\n" + use.record.input.dump();
        auto [previous, inserted] = first_call_by_signature.emplace(signature, use.record.id);
        if (!inserted) {
          use.fate = ToolUse::Fate::kRepeated;
          use.record.output = RefuseRepeat(use.record.tool, previous->second);
          use.record.is_error = true;
        }
      }
    }
    // A truncated submit_report is still validated below (a complete one is accepted).
    if (cut_off && !uses.empty() && uses.back().record.tool == kSubmitReport &&
        uses.back().fate == ToolUse::Fate::kTruncated && !has_submission) {
      uses.back().fate = ToolUse::Fate::kSubmission;
      uses.back().record.output.clear();
      uses.back().record.is_error = false;
      has_submission = true;
    }

    if (uses.empty()) {
      // The model stopped without a tool call: ask for the report on a forced turn.
      std::string why = cut_off ? "Your message was cut off at max_tokens. "
                                : "You stopped without calling submit_report. ";
      messages.push_back(
          Json{{"role", "user"}, {"content", why + "Call submit_report now with your report."}});
      force(cut_off ? "cut off at max_tokens" : "stopped without a report");
      continue;
    }

    // Run the tool calls on the shared executor; each job writes only its own record, so the
    // results keep the order of the tool_use blocks. Each call checks the limits as it starts.
    std::vector<std::function<void()>> jobs;
    for (ToolUse& use : uses) {
      if (use.fate != ToolUse::Fate::kRun) continue;
      jobs.push_back([&, use_ptr = &use] {
        if (limits.Check(clock_) != RunLimits::Verdict::kGoOn) {
          use_ptr->not_run = true;
          return;
        }
        ToolCallRecord& record = use_ptr->record;
        record.started_ms = MillisSince(clock_, started_mono);
        emit(step, "tool", record.tool);
        tools::ToolResult result = tools_.Call(record.tool, record.input);
        record.output = result.content.empty() ? "(no output)" : std::move(result.content);
        record.is_error = result.is_error;
        record.duration_ms = MillisSince(clock_, started_mono) - record.started_ms;
      });
    }
    executor_.RunAll(std::move(jobs));
    if (std::any_of(uses.begin(), uses.end(), [](const ToolUse& use) { return use.not_run; })) {
      for (ToolUse& use : uses) {
        if (use.fate == ToolUse::Fate::kRun && !use.not_run) {
          outcome.transcript.push_back(std::move(use.record));
        }
      }
      return interrupted(step, limits.Check(clock_));
    }
    for (const ToolUse& use : uses) {
      if (use.fate != ToolUse::Fate::kSubmission) answered_ids.push_back(use.record.id);
    }

    Json results = Json::array();
    std::optional<std::string> rejection;  // why the submitted report was refused
    for (ToolUse& use : uses) {
      if (use.fate == ToolUse::Fate::kSubmission) {
        use.record.started_ms = MillisSince(clock_, started_mono);
        auto report = ParseReport(use.record.input, answered_ids);
        if (report) {
          use.record.output = "Report accepted.";
          for (ToolUse& other : uses) outcome.transcript.push_back(std::move(other.record));
          outcome.report = std::move(*report);
          outcome.duration_ms = MillisSince(clock_, started_mono);
          emit(step, "report", std::string(RootCauseName(outcome.report.root_cause_category)));
          log->info("task={} cluster={} claude report: {} {} after {} turns, {} tool calls, "
                    "{} tokens ({} in, {} cache read, {} cache write, {} out), ${:.4f}",
                    task_tag, request.cluster_id, SeverityName(outcome.report.severity),
                    RootCauseName(outcome.report.root_cause_category), outcome.usage.model_turns,
                    answered_ids.size(), BudgetTokens(outcome.usage),
                    outcome.usage.input_tokens, outcome.usage.cache_read_tokens,
                    outcome.usage.cache_write_tokens, outcome.usage.output_tokens,
                    outcome.usage.cost_usd);
          return outcome;
        }
        rejection = report.error().message;
        use.record.output = *rejection + "\nFix every problem and call submit_report again.";
        use.record.is_error = true;
      }
      Json block = {{"type", "tool_result"},
                    {"tool_use_id", use.record.id},
                    {"content", use.record.output}};
      if (use.record.is_error) block["is_error"] = true;
      results.push_back(std::move(block));
    }
    for (ToolUse& use : uses) outcome.transcript.push_back(std::move(use.record));

    if (rejection) {
      if (repair_used) {
        return InvalidArgument("claude", "the model's report was still invalid after one repair "
                                         "turn: " + *rejection);
      }
      repair_used = true;
      // The repair turn is forced and gets its own forced attempts.
      force_report = false;
      forced_turns = 0;
      force("repair the rejected report");
    }
    if (cut_off) {
      results.push_back(Json{{"type", "text"},
                             {"text", "Your message was cut off at max_tokens. Call "
                                      "submit_report now with your report; keep it concise."}});
      force("cut off at max_tokens");
    }
    messages.push_back(Json{{"role", "user"}, {"content", std::move(results)}});
    if (!force_report && over_budget()) {
      log->warn("task={} cluster={} budget reached ({} tokens of {}, ${:.4f} of ${:.2f}); "
                "forcing the report",
                task_tag, request.cluster_id, BudgetTokens(outcome.usage), config_.token_budget,
                outcome.usage.cost_usd, config_.cost_budget_usd);
      force("budget reached");
    }
  }
}

}  // namespace rh::agent
