#include "agent/investigator.h"

#include <optional>

#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/redact.h"
#include "core/time_format.h"

namespace rh::agent {

Investigator::Investigator(InvestigatorDeps deps) : deps_(std::move(deps)) {}

void Investigator::AddListener(ReportListener listener) { listeners_.push_back(std::move(listener)); }

Result<InvestigationResult> Investigator::Run(const InvestigationRequest& request,
                                              std::string_view engine_name,
                                              const ProgressFn& progress) {
  auto log = Logger("agent");
  const std::string task_tag = request.task_id.empty() ? "direct" : request.task_id;
  if (!IsValidResourceId(request.cluster_id)) {
    return InvalidArgument(request.cluster_id, "not a cluster id (expected [a-z0-9-]{1,64})");
  }
  RH_ASSIGN_OR_RETURN(store::QueryResult cluster,
                      deps_.fleet->Query("SELECT account_id FROM cluster_info WHERE cluster_id = ?",
                                         {store::Text(request.cluster_id)}));
  if (cluster.empty()) {
    return NotFound(request.cluster_id, "no such cluster in the fleet (`rockhound fleet summary` "
                                        "shows what the fleet holds)");
  }
  const std::string account_id = cluster.front().GetString("account_id");

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

  std::string chosen(engine_name.empty() ? deps_.config.engine : std::string(engine_name));
  if (chosen == "auto") chosen = deps_.claude ? "claude" : "playbook";
  if (chosen == "claude" && !deps_.claude) {
    return InvalidArgument("engine", "claude needs ANTHROPIC_API_KEY; set it or use --engine playbook");
  }
  if (chosen != "claude" && chosen != "playbook") {
    return InvalidArgument("engine", "must be auto, claude or playbook; got '" + chosen + "'");
  }

  const TimePoint started = deps_.clock->Now();
  std::string llm_error;
  InvestigationUsage claude_spent;
  Result<InvestigationOutcome> outcome = Internal("investigator", "no engine ran");
  if (chosen == "claude") {
    outcome = deps_.claude->Investigate(request, progress, &claude_spent);
    if (!outcome) {
      llm_error = RedactSecrets(outcome.error().ToString());
      log->warn("task={} cluster={} claude failed ({}); falling back to the playbook engine",
                task_tag, request.cluster_id, llm_error);
      GlobalMetrics().Counter("rockhound_llm_fallbacks_total",
                              "Investigations where the playbook stood in for Claude").Add();
    }
  }
  if (chosen == "playbook" || !outcome) {
    auto playbook = deps_.playbook->Investigate(request, progress);
    if (!playbook) {
      GlobalMetrics().Counter("rockhound_investigations_total", "Investigations by result",
                              {{"result", "failed"}}).Add();
      return Fail(playbook.error().WithContext("playbook"));
    }
    if (!outcome) playbook->usage = claude_spent;  // what Claude spent before failing was spent
    outcome = std::move(playbook);
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
  stored.report_json = RedactSecrets(DumpJson(ReportToJson(outcome->report)));
  stored.transcript_json = RedactSecrets(DumpJson(TranscriptToJson(outcome->transcript)));
  stored.input_tokens = outcome->usage.input_tokens;
  stored.output_tokens = outcome->usage.output_tokens;
  stored.cache_read_tokens = outcome->usage.cache_read_tokens;
  stored.cache_write_tokens = outcome->usage.cache_write_tokens;
  stored.cost_usd = outcome->usage.cost_usd;
  stored.llm_error = llm_error;
  stored.created_at = deps_.clock->Now();
  stored.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(stored.created_at - started).count();
  stored.report_id = NewId("rpt", stored.created_at);

  ReportContext context;
  context.report_id = stored.report_id;
  context.cluster_id = stored.cluster_id;
  context.engine = stored.engine;
  context.model = stored.model;
  context.created_at = FormatIsoTime(stored.created_at);
  context.question = request.question;
  context.llm_error = llm_error;
  context.duration_ms = stored.duration_ms;
  context.tool_calls = static_cast<long long>(outcome->transcript.size());
  stored.markdown = RedactSecrets(RenderMarkdown(outcome->report, context));

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
                  {{"result", "done"}, {"engine", final_report.engine}}).Add();
  metrics.Histogram("rockhound_investigation_duration_seconds", "Investigation wall time",
                    {{"engine", final_report.engine}}, DefaultSecondsBuckets())
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
            request.cluster_id, report_id, final_report.severity, final_report.category,
            final_report.confidence, final_report.engine);
  for (const ReportListener& listener : listeners_) listener(final_report);
  return InvestigationResult{report_id, std::move(final_report)};
}

}  // namespace rh::agent
