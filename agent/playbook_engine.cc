// The playbook engine: the eight protocol steps in order, each input derived from what the
// earlier steps returned, then the rules of agent/internal/playbook_rules.h.
#include "agent/playbook_engine.h"

#include <optional>
#include <stdexcept>

#include "agent/internal/playbook_facts.h"
#include "agent/internal/playbook_rules.h"
#include "agent/internal/playbook_vocabulary.h"
#include "core/log.h"

namespace rh::agent {
namespace {

constexpr int kAlertWindowHours = 48;  // wide enough for a flapping pattern and a recent onset
constexpr int kKnowledgeHits = 5;

long long MillisSince(const Clock& clock, MonoTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Monotonic() - start).count();
}

// One investigation's calls: numbering, recording, progress; each call runs on the executor,
// unless the run's journal already holds a successful call of the same tool with the same input
// (Claude made it before failing): then that result is reused and the record names its id.
class CallLog {
 public:
  CallLog(const tools::ToolRegistry& tools, ToolExecutor& executor, Clock& clock,
          const ProgressFn& progress, MonoTime started, const ToolCallJournal* journal)
      : tools_(tools),
        executor_(executor),
        clock_(clock),
        progress_(progress),
        started_(started),
        journal_(journal) {}

  // A copy of the record (the log keeps the original).
  ToolCallRecord Call(int step, const std::string& tool, Json input) {
    ToolCallRecord record;
    record.id = "call_" + std::to_string(records_.size() + 1);
    record.step = step;
    record.tool = tool;
    record.input = std::move(input);
    record.started_ms = MillisSince(clock_, started_);
    EmitToolProgress(progress_, record, /*done=*/false, record.started_ms);
    if (auto earlier = journal_ ? journal_->FindSuccessful(tool, record.input) : std::nullopt) {
      record.output = std::move(earlier->output);
      record.reused_from = earlier->id;
    } else {
      tools::ToolResult result;
      executor_.RunAll({[&] { result = tools_.Call(tool, record.input); }});
      record.output = std::move(result.content);
      record.is_error = result.is_error;
    }
    record.duration_ms = MillisSince(clock_, started_) - record.started_ms;
    EmitToolProgress(progress_, record, /*done=*/true, record.started_ms + record.duration_ms);
    records_.push_back(std::move(record));
    return records_.back();
  }

  std::vector<ToolCallRecord>& records() { return records_; }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const ToolCallRecord& record : records_) ids.push_back(record.id);
    return ids;
  }

 private:
  const tools::ToolRegistry& tools_;
  ToolExecutor& executor_;
  Clock& clock_;
  const ProgressFn& progress_;
  MonoTime started_;
  const ToolCallJournal* journal_;
  std::vector<ToolCallRecord> records_;
};

// Fills `source` from a record; returns whether the output should be parsed.
bool Describe(const ToolCallRecord& record, internal::CallSource* source) {
  source->call_id = record.id;
  source->tool = record.tool;
  if (record.is_error) {
    source->ok = false;
    source->error =
        record.output.size() > 300 ? record.output.substr(0, 300) + "..." : record.output;
    return false;
  }
  return true;
}

}  // namespace

namespace {

ConfidenceCalibration EmbeddedPlaybookCalibration() {
  auto embedded = ConfidenceCalibration::Embedded(EngineKind::kPlaybook);
  // A bad embedded file is a build defect (tests/agent/calibration_test.cc loads it).
  if (!embedded) throw std::logic_error(embedded.error().ToString());
  return *embedded;
}

}  // namespace

PlaybookEngine::PlaybookEngine(const tools::ToolRegistry& tools, ToolExecutor& executor,
                               Clock& clock)
    : PlaybookEngine(tools, executor, clock, EmbeddedPlaybookCalibration()) {}

PlaybookEngine::PlaybookEngine(const tools::ToolRegistry& tools, ToolExecutor& executor,
                               Clock& clock, ConfidenceCalibration calibration)
    : tools_(tools), executor_(executor), clock_(clock), calibration_(std::move(calibration)) {}

Result<InvestigationOutcome> PlaybookEngine::Investigate(const InvestigationRequest& request,
                                                         const ProgressFn& progress,
                                                         InvestigationUsage* spent,
                                                         const RunLimits& limits) {
  auto log = Logger("agent");
  const TimePoint started = clock_.Now();
  const std::string task_tag = request.task_id.empty() ? "direct" : request.task_id;
  if (spent) *spent = InvestigationUsage{};
  const MonoTime started_mono = clock_.Monotonic();
  CallLog calls(tools_, executor_, clock_, progress, started_mono, request.journal);
  internal::PlaybookFacts facts;
  facts.cluster_id = request.cluster_id;
  facts.question = request.question;
  facts.now = started;
  const Json cluster = {{"cluster_id", request.cluster_id}};
  std::optional<internal::Assessment> assessment;  // after step 4
  std::vector<internal::SqlCheck> checks;          // step 8's plan

  // The checkpoint before `step`: nullopt to go on; the cancellation error; or, past the
  // deadline, what was found so far (the rules on the partial facts once steps 1-4 are done).
  int announced_step = 0;
  auto stop_before = [&](int step) -> std::optional<Result<InvestigationOutcome>> {
    const RunLimits::Verdict verdict = limits.Check(clock_);
    if (verdict == RunLimits::Verdict::kGoOn) {
      if (progress && step != announced_step) {
        announced_step = step;
        ProgressEvent event;
        event.step = step;
        event.what = "step";
        event.detail = std::string(ProtocolSteps()[static_cast<size_t>(step - 1)].what);
        event.elapsed_ms = MillisSince(clock_, started_mono);
        progress(event);
      }
      return std::nullopt;
    }
    if (verdict == RunLimits::Verdict::kCancelled) {
      log->warn("task={} cluster={} playbook cancelled before step {}: {}", task_tag,
                request.cluster_id, step, limits.CancelledError().message);
      return Fail(limits.CancelledError().WithContext("playbook step " + std::to_string(step)));
    }
    InvestigationOutcome partial;
    partial.engine = EngineKind::kPlaybook;
    partial.report.severity = Severity::kInfo;
    if (assessment) {
      Report so_far =
          internal::Diagnose(facts, *assessment, internal::ReadSqlFindings(facts, checks));
      partial.report.severity = so_far.severity;
      partial.report.evidence = std::move(so_far.evidence);
    }
    partial.transcript = calls.records();
    partial.timed_out = TimedOut{step};
    partial.duration_ms = MillisSince(clock_, started_mono);
    log->warn("task={} cluster={} playbook timed out before step {} after {} tool calls", task_tag,
              request.cluster_id, step, partial.transcript.size());
    return partial;
  };

  // 1. Context.
  if (auto stop = stop_before(1)) return std::move(*stop);
  const ToolCallRecord info = calls.Call(1, "query_cluster_info", cluster);
  if (info.is_error && info.output.find("not_found") != std::string::npos) {
    return NotFound("playbook", "cluster '" + request.cluster_id + "': " + info.output);
  }
  if (Describe(info, &facts.cluster.source)) internal::ReadClusterInfo(info.output, &facts.cluster);

  // 2. Alerts.
  if (auto stop = stop_before(2)) return std::move(*stop);
  const ToolCallRecord alerts =
      calls.Call(2, "query_cluster_alerts",
                 {{"cluster_id", request.cluster_id}, {"window_hours", kAlertWindowHours}});
  if (Describe(alerts, &facts.alerts.source)) internal::ReadAlerts(alerts.output, &facts.alerts);

  // 3. Metrics: all dimensions; the ones a budget cut left out in a second call.
  if (auto stop = stop_before(3)) return std::move(*stop);
  const ToolCallRecord metrics = calls.Call(3, "query_cluster_metrics", cluster);
  if (Describe(metrics, &facts.metrics.source)) {
    std::vector<std::string> omitted = internal::ReadMetrics(metrics.output, &facts.metrics);
    if (!omitted.empty()) {
      const ToolCallRecord rest =
          calls.Call(3, "query_cluster_metrics",
                     {{"cluster_id", request.cluster_id}, {"dimensions", omitted}});
      internal::CallSource extra;
      if (Describe(rest, &extra)) {
        internal::ReadMetrics(rest.output, &facts.metrics);
        facts.metrics.extra_call_ids.push_back(rest.id);
      }
    }
  }

  // 4. Operations.
  if (auto stop = stop_before(4)) return std::move(*stop);
  const ToolCallRecord operations = calls.Call(4, "query_cluster_operations", cluster);
  if (Describe(operations, &facts.operations.source)) {
    internal::ReadOperations(operations.output, &facts.operations);
  }

  assessment = internal::Assess(facts);

  // 5. Knowledge: known bugs affecting this version that the symptoms point to (kind and
  // version filters, never alert names), then the resolution of the bug that applies, or the
  // guidelines and resolutions for the symptoms.
  if (auto stop = stop_before(5)) return std::move(*stop);
  const Json search = internal::KnowledgeSearch(facts, *assessment, kKnowledgeHits);
  if (search.contains("version")) facts.knowledge.version_filter = search["version"];
  const ToolCallRecord knowledge = calls.Call(5, "search_knowledge_lake", search);
  if (Describe(knowledge, &facts.knowledge.source)) {
    internal::ReadKnowledge(knowledge.output, &facts.knowledge);
    const internal::KnowledgeHitFact* bug = internal::BugCandidate(facts, *assessment);
    if (auto followup_search = internal::FollowUpSearch(facts, *assessment, bug)) {
      const ToolCallRecord followup =
          calls.Call(5, "search_knowledge_lake", std::move(*followup_search));
      if (Describe(followup, &facts.knowledge.followup)) {
        internal::ReadKnowledgeFollowUp(followup.output, &facts.knowledge);
      }
    }
  }

  // 6. Past investigations (the fleet-wide lookup uses the category the symptoms point to).
  if (auto stop = stop_before(6)) return std::move(*stop);
  Json memory_input = cluster;
  if (const internal::Symptom* primary = assessment->Primary()) {
    memory_input["category"] =
        std::string(RootCauseName(internal::DimensionCategory(primary->dimension->name)));
  }
  const ToolCallRecord memory = calls.Call(6, "query_agent_memory", memory_input);
  if (Describe(memory, &facts.memory.source)) internal::ReadMemory(memory.output, &facts.memory);

  // 7. Siblings.
  if (auto stop = stop_before(7)) return std::move(*stop);
  const ToolCallRecord siblings = calls.Call(7, "query_similar_clusters", cluster);
  if (Describe(siblings, &facts.siblings.source)) {
    internal::ReadSiblings(siblings.output, &facts.siblings);
  }

  // 8. SQL, only for what a rule needs.
  checks = internal::PlanSql(facts, *assessment);
  for (const internal::SqlCheck& check : checks) {
    if (auto stop = stop_before(8)) return std::move(*stop);
    const ToolCallRecord sql = calls.Call(8, "run_sql", {{"sql", check.statement}});
    internal::SqlFacts result;
    result.purpose = check.purpose;
    result.statement = check.statement;
    if (Describe(sql, &result.source)) internal::ReadSql(sql.output, &result);
    facts.sql.push_back(std::move(result));
  }
  internal::SqlFindings findings = internal::ReadSqlFindings(facts, checks);

  Report report = internal::Diagnose(facts, *assessment, findings);
  CalibrateReport(calibration_, &report);
  auto validated = ParseReport(ReportToJson(report), calls.Ids());
  if (!validated) {
    return Internal("playbook", "the playbook built an invalid report (a bug in its rules): " +
                                    validated.error().message);
  }
  // The reasoning is optional for a model, never for the playbook.
  if (std::string missing = MissingReasoning(*validated); !missing.empty()) {
    return Internal("playbook", "the playbook built a report without its reasoning (a bug in "
                                "its rules): " + missing);
  }
  InvestigationOutcome outcome;
  outcome.engine = EngineKind::kPlaybook;
  outcome.report = std::move(*validated);
  outcome.transcript = std::move(calls.records());
  outcome.duration_ms = MillisSince(clock_, started_mono);
  if (progress) {
    ProgressEvent event;
    event.step = 8;
    event.what = "report";
    event.detail = std::string(RootCauseName(outcome.report.root_cause_category));
    event.elapsed_ms = outcome.duration_ms;
    progress(event);
  }
  log->info("task={} cluster={} playbook report: {} {} (confidence {:.2f}) after {} tool calls",
            task_tag, request.cluster_id, SeverityName(outcome.report.severity),
            RootCauseName(outcome.report.root_cause_category), outcome.report.confidence,
            outcome.transcript.size());
  return outcome;
}

}  // namespace rh::agent
