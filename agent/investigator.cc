#include "agent/investigator.h"

#include <cstdio>
#include <optional>
#include <set>

#include "agent/trigger_brief.h"
#include "core/ids.h"
#include "core/model_prices.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "store/report_messages.h"

namespace rh::agent {
namespace {

// The report of a run that reached agent.investigation_timeout: what was found so far (severity,
// evidence) around a root cause that says so, and the protocol steps not done.
Report TimedOutReport(const InvestigationOutcome& outcome, Duration timeout,
                      const std::string& cluster_id) {
  const int step = outcome.timed_out->at_step;
  const bool claude = outcome.engine == EngineKind::kClaude;
  const std::string engine(EngineKindName(outcome.engine));
  std::string where = claude ? "model turn " + std::to_string(step)
                             : "protocol step " + std::to_string(step);
  if (!claude && step >= 1 && step <= static_cast<int>(ProtocolSteps().size())) {
    where += " " + std::string(ProtocolSteps()[step - 1].tool);
  }
  const std::string what = "investigation timed out after " + FormatDurationShort(timeout) +
                           " at step " + std::to_string(step);
  Report report;
  report.severity = outcome.report.severity;
  report.evidence = outcome.report.evidence;
  report.confidence = 0.0;
  report.root_cause_category = RootCause::kInsufficientData;
  report.timed_out = what + " (" + engine + " engine, " + where + ")";
  report.root_cause =
      "The " + report.timed_out + " before reaching a diagnosis; the cause is not known.";
  std::set<std::string> called;
  for (const ToolCallRecord& call : outcome.transcript) called.insert(call.tool);
  std::string not_done;
  for (const ProtocolStep& protocol_step : ProtocolSteps()) {
    if (called.count(std::string(protocol_step.tool))) continue;
    report.missing_evidence.push_back("step " + std::to_string(protocol_step.number) + " " +
                                      std::string(protocol_step.tool) + ": " +
                                      std::string(protocol_step.what));
    not_done += (not_done.empty() ? "" : ", ") + std::string("step ") +
                std::to_string(protocol_step.number) + " " + std::string(protocol_step.tool);
  }
  if (not_done.empty()) not_done = "none of the protocol steps";
  report.summary = "The " + what + " (" + engine + " engine, " + where + ") after " +
                   std::to_string(outcome.transcript.size()) + " tool calls. Not done: " +
                   not_done + ". Severity " + std::string(SeverityName(report.severity)) +
                   " is what was found so far" +
                   (report.evidence.empty() ? " (nothing)" : "") + "; no root cause was reached.";
  Recommendation again;
  again.action = "Investigate " + cluster_id +
                 " again; if it times out again, raise agent.investigation_timeout or find the "
                 "slow model turn or tool call in the transcript.";
  again.rationale = "The " + what + "; the steps it did not reach are listed as missing evidence.";
  again.operation = "none";
  report.recommendations.push_back(std::move(again));
  return report;
}

}  // namespace

Result<DailyBudget> CheckDailyBudget(store::Database& memory, const AgentConfig& config,
                                     const std::string& tier, TimePoint now) {
  const TimePoint day = std::chrono::floor<std::chrono::days>(now);
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      memory.Query("SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM "
                                   "investigation_reports WHERE created_at >= ?",
                                   {store::Time(day)}));
  RH_ASSIGN_OR_RETURN(double follow_ups, store::ReportMessageStore(memory).CostSince(day));
  DailyBudget budget;
  budget.spent = (rows.empty() ? 0.0 : rows.front().GetDouble("spent")) + follow_ups;
  auto shares = ParseTierShares(config.daily_budget_tiers);
  if (shares) {
    if (auto share = shares->find(tier); share != shares->end()) budget.share = share->second;
  }
  budget.limit = config.daily_budget_usd * budget.share;
  auto& metrics = GlobalMetrics();
  metrics.Gauge("rockhound_llm_daily_spend_usd", "Model spend since 00:00 UTC (stored reports)")
      .Set(budget.spent);
  metrics.Gauge("rockhound_llm_daily_budget_usd", "agent.daily_budget_usd").Set(
      config.daily_budget_usd);
  return budget;
}

Investigator::Investigator(InvestigatorDeps deps) : deps_(std::move(deps)) {}

void Investigator::AddListener(ReportListener listener) { listeners_.push_back(std::move(listener)); }

Result<InvestigationResult> Investigator::Run(const InvestigationRequest& original,
                                              std::optional<EngineKind> engine,
                                              const ProgressFn& progress,
                                              const CancellationToken* cancel) {
  auto log = Logger("agent");
  const std::string task_tag = original.task_id.empty() ? "direct" : original.task_id;
  if (!IsValidResourceId(original.cluster_id)) {
    return InvalidArgument(original.cluster_id, "not a cluster id (expected [a-z0-9-]{1,64})");
  }
  RH_ASSIGN_OR_RETURN(store::QueryResult cluster,
                      deps_.fleet->Query("SELECT account_id FROM cluster_info WHERE cluster_id = ?",
                                         {store::Text(original.cluster_id)}));
  if (cluster.empty()) {
    return NotFound(original.cluster_id, "no such cluster in the fleet (`rockhound fleet summary` "
                                         "shows what the fleet holds)");
  }
  const std::string account_id = cluster.front().GetString("account_id");

  // The trigger brief (the model's first message, the stored report) and the run's journal of
  // tool calls (kept when Claude fails, reused by the playbook fallback).
  InvestigationRequest request = original;
  ToolCallJournal journal;
  request.journal = &journal;
  if (request.trigger.is_null()) {
    if (auto brief = BuildTriggerBrief(*deps_.fleet, request, deps_.clock->Now())) {
      request.trigger = std::move(*brief);
    } else if (brief.error().code == ErrorCode::kDataLoss) {
      // A corrupt fleet database: every tool would read garbage or fail, and a report written
      // from that ("healthy", "insufficient data") would be a lie. Nothing is stored.
      log->error("task={} cluster={} the fleet database is corrupt; not investigating: {}",
                 task_tag, request.cluster_id, brief.error().ToString());
      return Fail(brief.error());
    } else {
      log->warn("task={} cluster={} no trigger brief: {}", task_tag, request.cluster_id,
                brief.error().ToString());
    }
  }

  store::ReportStore reports(*deps_.memory);
  if (!request.task_id.empty()) {
    // A task reclaimed after its report was stored (the worker died before Complete): the
    // report stands; investigating again would only spend tokens and notify twice.
    RH_ASSIGN_OR_RETURN(std::optional<store::StoredReport> existing,
                        reports.FindByTask(request.task_id));
    if (existing) {
      log->info("task={} cluster={} already has report {}; not investigating again", task_tag,
                request.cluster_id, existing->report_id);
      std::string report_id = existing->report_id;
      return InvestigationResult{std::move(report_id), std::move(*existing)};
    }
  }

  EngineKind chosen = engine.value_or(deps_.config.engine);
  if (chosen == EngineKind::kAuto) {
    chosen = deps_.claude ? EngineKind::kClaude : EngineKind::kPlaybook;
  }
  if (chosen == EngineKind::kClaude && !deps_.claude) {
    return InvalidArgument("engine",
                           "claude needs the model API's credentials (ANTHROPIC_API_KEY; "
                           "OPENAI_API_KEY with agent.provider=openai; a token or a signing "
                           "proxy with bedrock/vertex, docs/gateways.md); set them or use "
                           "--engine playbook");
  }

  const MonoTime started = deps_.clock->Monotonic();
  RunLimits limits;
  limits.cancel = cancel;
  limits.deadline = started + deps_.config.investigation_timeout;
  auto cancelled = [&]() { return cancel && cancel->cancelled(); };
  // A cancelled run (the lease was lost: another worker owns the task now) stores nothing.
  auto give_up = [&]() -> Result<InvestigationResult> {
    log->warn("task={} cluster={} investigation cancelled; nothing stored: {}", task_tag,
              request.cluster_id, limits.CancelledError().message);
    GlobalMetrics().Counter("rockhound_investigations_total", "Investigations by result",
                            {{"result", "cancelled"}}).Add();
    return Fail(limits.CancelledError());
  };

  std::string llm_error;
  InvestigationUsage claude_spent;
  Result<InvestigationOutcome> outcome = Internal("investigator", "no engine ran");
  if (chosen == EngineKind::kClaude && deps_.config.daily_budget_usd > 0) {
    const std::string tier =
        request.trigger.is_object() && request.trigger.contains("cluster")
            ? JsonString(request.trigger["cluster"], "tier")
            : std::string();
    auto budget = CheckDailyBudget(*deps_.memory, deps_.config, tier, deps_.clock->Now());
    if (!budget) {
      log->warn("task={} cluster={} daily budget not checked: {}", task_tag, request.cluster_id,
                budget.error().ToString());
    } else if (budget->reached()) {
      char text[256];
      std::snprintf(text, sizeof(text),
                    "the daily Claude budget is spent: $%.2f today of $%.2f (%.0f%% of "
                    "agent.daily_budget_usd $%.2f for tier %s)",
                    budget->spent, budget->limit, budget->share * 100,
                    deps_.config.daily_budget_usd, tier.empty() ? "?" : tier.c_str());
      llm_error = text;
      outcome = ResourceExhausted("daily budget", llm_error);
      log->warn("task={} cluster={} {}; the playbook engine investigates instead", task_tag,
                request.cluster_id, llm_error);
      GlobalMetrics().Counter("rockhound_llm_budget_fallbacks_total",
                              "Investigations the playbook ran because the daily budget was "
                              "spent").Add();
      chosen = EngineKind::kPlaybook;
    }
  }
  if (chosen == EngineKind::kClaude) {
    outcome = deps_.claude->Investigate(request, progress, &claude_spent, limits);
    if (cancelled()) return give_up();
    if (!outcome) {
      llm_error = RedactSecrets(outcome.error().ToString());
      log->warn("task={} cluster={} claude failed ({}); falling back to the playbook engine",
                task_tag, request.cluster_id, llm_error);
      GlobalMetrics().Counter("rockhound_llm_fallbacks_total",
                              "Investigations where the playbook stood in for Claude").Add();
    }
  }
  if (chosen == EngineKind::kPlaybook || !outcome) {
    auto playbook = deps_.playbook->Investigate(request, progress, nullptr, limits);
    if (cancelled()) return give_up();
    if (!playbook) {
      GlobalMetrics().Counter("rockhound_investigations_total", "Investigations by result",
                              {{"result", "failed"}}).Add();
      return Fail(playbook.error().WithContext("playbook"));
    }
    if (!outcome) {
      playbook->usage = claude_spent;  // what Claude spent before failing was spent
      // Claude's calls stay in the transcript (those the playbook reused appear once, as its
      // own records naming the call they came from).
      std::set<std::string> reused;
      for (const ToolCallRecord& call : playbook->transcript) reused.insert(call.reused_from);
      std::vector<ToolCallRecord> calls;
      for (ToolCallRecord& call : journal.Records()) {
        if (!reused.count(call.id)) calls.push_back(std::move(call));
      }
      for (ToolCallRecord& call : playbook->transcript) calls.push_back(std::move(call));
      playbook->transcript = std::move(calls);
    }
    outcome = std::move(playbook);
  }
  if (outcome->timed_out) {
    outcome->report =
        TimedOutReport(*outcome, deps_.config.investigation_timeout, request.cluster_id);
    log->warn("task={} cluster={} {}", task_tag, request.cluster_id, outcome->report.timed_out);
  }

  store::StoredReport stored;
  stored.task_id = request.task_id;
  stored.cluster_id = request.cluster_id;
  stored.account_id = account_id;
  stored.engine = outcome->engine;
  stored.model = outcome->model;
  stored.severity = outcome->report.severity;
  stored.confidence = outcome->report.confidence;
  stored.category = outcome->report.root_cause_category;
  stored.root_cause = RedactSecrets(outcome->report.root_cause);
  stored.summary = RedactSecrets(outcome->report.summary);
  Json report_json = ReportToJson(outcome->report);
  if (request.trigger.is_object()) report_json["trigger"] = request.trigger;
  stored.report_json = RedactSecrets(DumpJson(report_json));
  stored.transcript_json = RedactSecrets(DumpJson(TranscriptToJson(outcome->transcript)));
  stored.input_tokens = outcome->usage.input_tokens;
  stored.output_tokens = outcome->usage.output_tokens;
  stored.cache_read_tokens = outcome->usage.cache_read_tokens;
  stored.cache_write_tokens = outcome->usage.cache_write_tokens;
  stored.cost_usd = outcome->usage.cost_usd;
  stored.llm_error = llm_error;
  stored.created_at = deps_.clock->Now();
  stored.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           deps_.clock->Monotonic() - started)
                           .count();
  stored.report_id = NewId("rpt", stored.created_at);

  ReportContext context;
  context.report_id = stored.report_id;
  context.cluster_id = stored.cluster_id;
  context.engine = stored.engine;
  context.model = stored.model;
  context.created_at = FormatIsoTime(stored.created_at);
  context.question = request.question;
  context.llm_error = llm_error;
  context.trigger = TriggerBriefText(request.trigger);
  context.duration_ms = stored.duration_ms;
  context.tool_calls = static_cast<long long>(outcome->transcript.size());
  stored.markdown = RedactSecrets(RenderMarkdown(outcome->report, context));

  if (cancelled()) return give_up();  // the last moment a lost lease can still keep us quiet
  RH_ASSIGN_OR_RETURN(std::string report_id, reports.Insert(stored));
  RH_ASSIGN_OR_RETURN(store::StoredReport final_report, reports.Get(report_id));
  if (report_id != stored.report_id) {
    // Another worker stored this task's report while we investigated: keep theirs, say nothing.
    log->info("task={} cluster={} report {} was stored concurrently; discarding ours", task_tag,
              request.cluster_id, report_id);
    return InvestigationResult{report_id, std::move(final_report)};
  }

  auto& metrics = GlobalMetrics();
  metrics.Counter("rockhound_investigations_total", "Investigations by result",
                  {{"result", outcome->timed_out ? "timed_out" : "done"},
                   {"engine", std::string(EngineKindName(final_report.engine))}}).Add();
  metrics.Histogram("rockhound_investigation_duration_seconds", "Investigation wall time",
                    {{"engine", std::string(EngineKindName(final_report.engine))}},
                    DefaultSecondsBuckets())
      .Observe(final_report.duration_ms / 1000.0);
  metrics.Counter("rockhound_llm_tokens_total", "Model tokens", {{"kind", "input"}})
      .Add(double(stored.input_tokens));
  metrics.Counter("rockhound_llm_tokens_total", "Model tokens", {{"kind", "output"}})
      .Add(double(stored.output_tokens));
  metrics.Counter("rockhound_llm_tokens_total", "Model tokens", {{"kind", "cache_read"}})
      .Add(double(stored.cache_read_tokens));
  metrics.Counter("rockhound_llm_tokens_total", "Model tokens", {{"kind", "cache_write"}})
      .Add(double(stored.cache_write_tokens));
  metrics.Counter("rockhound_llm_cost_usd_total", "Model cost in USD").Add(stored.cost_usd);
  for (const ToolCallRecord& call : outcome->transcript) {
    metrics.Histogram("rockhound_tool_duration_seconds", "Tool latency", {{"tool", call.tool}},
                      DefaultSecondsBuckets())
        .Observe(call.duration_ms / 1000.0);
  }

  log->info("task={} cluster={} report {} stored: {} {} (confidence {:.2f}, engine {})", task_tag,
            request.cluster_id, report_id, SeverityName(final_report.severity),
            RootCauseName(final_report.category), final_report.confidence,
            EngineKindName(final_report.engine));
  for (const ReportListener& listener : listeners_) listener(final_report);
  return InvestigationResult{report_id, std::move(final_report)};
}

}  // namespace rh::agent
