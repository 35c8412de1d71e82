// Investigator: engine choice, fallback to the playbook when Claude fails (the stored report
// names the engine that wrote it and keeps the LLM error), storage (one report per task),
// listeners, and bad input. Real tools over the simulated fleet, the real playbook engine, the
// real AnthropicClient against the scripted server, and the agent memory on SQLite and MariaDB.
#include "agent/investigator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "agent/cancellation.h"
#include "agent/claude_engine.h"
#include "agent/playbook_engine.h"
#include "core/metrics.h"
#include "store/report_store.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/database_fixture.h"

namespace rh::agent {
namespace {

using loop_test::ClientOptions;
using loop_test::Fleet;
using loop_test::LoadScenario;
using loop_test::RecordingClock;
using loop_test::TestMemory;
using rh::testing::ScriptedAnthropicServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class InvestigatorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") RH_REQUIRE_MYSQL();
    ASSERT_TRUE(Fleet().error.empty()) << Fleet().error;
    cluster_ = Fleet().IncidentCluster(RootCause::kDiskCapacity);
    ASSERT_FALSE(cluster_.empty());
    memory_ = std::make_unique<TestMemory>(GetParam());
    ASSERT_TRUE(memory_->error().empty()) << memory_->error();
    auto tools = loop_test::BuildTools(memory_->db(), clock_);
    ASSERT_TRUE(tools) << tools.error().ToString();
    tools_ = std::move(*tools);
    playbook_ = std::make_unique<PlaybookEngine>(*tools_, executor_, clock_);
    config_.max_steps = 20;
  }

  // Claude against a scripted server replaying `scenario` (with the cluster id filled in).
  void StartClaude(const std::string& scenario) {
    server_ = std::make_unique<ScriptedAnthropicServer>(
        LoadScenario(scenario, {{"cluster_id", cluster_}}));
    auto client = AnthropicClient::Create(ClientOptions(*server_), clock_);
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::move(*client);
    auto claude = ClaudeEngine::Create(*client_, *tools_, executor_, clock_, config_);
    ASSERT_TRUE(claude) << claude.error().ToString();
    claude_ = std::move(*claude);
  }

  Investigator MakeInvestigator() {
    InvestigatorDeps deps;
    deps.fleet = Fleet().fleet.get();
    deps.memory = memory_->db();
    deps.claude = claude_.get();
    deps.playbook = playbook_.get();
    deps.clock = &clock_;
    deps.config = config_;
    Investigator investigator(deps);
    investigator.AddListener([this](const store::StoredReport& report) {
      announced_.push_back(report.report_id);
    });
    return investigator;
  }

  int64_t StoredReports() {
    auto count = memory_->db()->QueryInt("SELECT COUNT(*) FROM investigation_reports");
    EXPECT_TRUE(count) << count.error().ToString();
    return count ? *count : -1;
  }

  // Runs and checks that what Run returned is what the memory holds.
  store::StoredReport RunAndLoad(Investigator& investigator, const InvestigationRequest& request,
                                 std::optional<EngineKind> engine = std::nullopt) {
    auto result = investigator.Run(request, engine);
    EXPECT_TRUE(result) << result.error().ToString();
    if (!result) return {};
    store::ReportStore reports(*memory_->db());
    auto stored = reports.Get(result->report_id);
    EXPECT_TRUE(stored) << stored.error().ToString();
    if (!stored) return {};
    EXPECT_EQ(stored->report_json, result->stored.report_json);
    return *stored;
  }

  RecordingClock clock_;
  std::unique_ptr<TestMemory> memory_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  ToolExecutor executor_{4};
  std::unique_ptr<PlaybookEngine> playbook_;
  AgentConfig config_;
  std::string cluster_;
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<AnthropicClient> client_;
  std::unique_ptr<ClaudeEngine> claude_;
  std::vector<std::string> announced_;
};

TEST_P(InvestigatorTest, AutoPicksThePlaybookWithoutAnApiKey) {
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_EQ(stored.llm_error, "");
  EXPECT_EQ(stored.cluster_id, cluster_);
  EXPECT_FALSE(stored.account_id.empty());
  EXPECT_FALSE(stored.markdown.empty());
  EXPECT_EQ(stored.input_tokens, 0);
  // The report JSON is the report plus the trigger brief it was investigated with.
  Json report_json = ParseJson(stored.report_json).value();
  ASSERT_TRUE(report_json.contains("trigger"));
  EXPECT_EQ(report_json["trigger"]["trigger"]["source"], "direct");
  report_json.erase("trigger");
  auto report = ParseReport(report_json);
  EXPECT_TRUE(report) << report.error().ToString();
  EXPECT_THAT(announced_, SizeIs(1));
}

TEST_P(InvestigatorTest, AutoPicksClaudeWhenAClientIsConfiguredAndStoresEverything) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"tsk_claude_1", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kClaude);
  EXPECT_EQ(stored.model, "claude-sonnet-4-5");
  EXPECT_EQ(stored.task_id, "tsk_claude_1");
  EXPECT_EQ(stored.severity, Severity::kCritical);
  EXPECT_EQ(stored.category, RootCause::kDiskCapacity);
  EXPECT_DOUBLE_EQ(stored.confidence, 0.85);
  EXPECT_EQ(stored.llm_error, "");
  EXPECT_EQ(stored.input_tokens, 9550);
  EXPECT_EQ(stored.output_tokens, 882);
  EXPECT_EQ(stored.cache_write_tokens, 10300);
  EXPECT_EQ(stored.cache_read_tokens, 23100);
  EXPECT_GT(stored.cost_usd, 0.0);
  const Json transcript = ParseJson(stored.transcript_json).value();
  ASSERT_THAT(transcript, SizeIs(9));
  EXPECT_EQ(transcript[2]["id"], "toolu_01DiskMetrics00000000003");
  EXPECT_EQ(transcript[2]["tool"], "query_cluster_metrics");
  EXPECT_FALSE(transcript[2]["output"].get<std::string>().empty());
  EXPECT_THAT(stored.markdown, HasSubstr("Expand the BE data disks to 2000 GB each."));
  EXPECT_TRUE(server_->finished());
}

TEST_P(InvestigatorTest, ExplicitPlaybookIsHonouredEvenWithAClient) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""}, EngineKind::kPlaybook);
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(server_->requests(), SizeIs(0));
}

TEST_P(InvestigatorTest, ClaudeFailingAfterRetriesFallsBackToAStoredPlaybookReport) {
  StartClaude("overloaded");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"tsk_overloaded", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_EQ(stored.task_id, "tsk_overloaded");
  EXPECT_THAT(stored.llm_error, HasSubstr("unavailable"));
  EXPECT_THAT(stored.llm_error, HasSubstr("529"));
  EXPECT_THAT(stored.llm_error, HasSubstr("3 attempts"));
  EXPECT_THAT(stored.markdown, HasSubstr("Claude could not complete this investigation"));
  EXPECT_THAT(server_->requests(), SizeIs(3));
  EXPECT_EQ(clock_.waits(), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(StoredReports(), 1);
}

TEST_P(InvestigatorTest, MalformedJsonFallsBackAndRecordsWhatClaudeSpent) {
  StartClaude("investigation_malformed_json");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("unavailable"));
  EXPECT_EQ(stored.input_tokens, 1200);
  EXPECT_EQ(stored.cache_write_tokens, 5000);
  EXPECT_GT(stored.cost_usd, 0.0);
}

TEST_P(InvestigatorTest, ReportInvalidAfterRepairFallsBackAndSaysWhy) {
  StartClaude("investigation_report_invalid_twice");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("still invalid after one repair turn"));
  EXPECT_THAT(stored.llm_error, HasSubstr("severity: must be one of"));
  EXPECT_EQ(stored.input_tokens, 2700);
}

TEST_P(InvestigatorTest, ModelThatNeverSubmitsFallsBack) {
  config_.max_steps = 3;
  StartClaude("never_stops_calling_tools");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("did not call submit_report"));
}

TEST_P(InvestigatorTest, RefusalFallsBack) {
  StartClaude("investigation_refusal");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("refusal"));
}

TEST_P(InvestigatorTest, OneReportPerTaskEvenWhenRunTwice) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  auto first = investigator.Run({"tsk_twice", cluster_, ""}, std::nullopt);
  ASSERT_TRUE(first) << first.error().ToString();
  // The second run (a reclaimed task) finds the report: no new investigation (the script has
  // no turn left, so a model call would fail the test), no second row, no second announcement.
  auto second = investigator.Run({"tsk_twice", cluster_, ""}, std::nullopt);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->report_id, first->report_id);
  EXPECT_EQ(second->stored.engine, EngineKind::kClaude);
  EXPECT_EQ(second->stored.report_json, first->stored.report_json);
  EXPECT_EQ(StoredReports(), 1);
  EXPECT_THAT(announced_, SizeIs(1));
  EXPECT_THAT(server_->requests(), SizeIs(4));
  // Investigations without a task are each their own report.
  store::StoredReport direct = RunAndLoad(investigator, {"", cluster_, ""}, EngineKind::kPlaybook);
  EXPECT_NE(direct.report_id, first->report_id);
  EXPECT_EQ(StoredReports(), 2);
}

TEST_P(InvestigatorTest, RejectsWhatItCannotInvestigate) {
  Investigator investigator = MakeInvestigator();
  auto missing = investigator.Run({"", "c-doesnotexist", ""}, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("no such cluster"));
  auto bad_id = investigator.Run({"", "C_PROD; DROP TABLE", ""}, std::nullopt);
  ASSERT_FALSE(bad_id);
  EXPECT_EQ(bad_id.error().code, ErrorCode::kInvalidArgument);
  auto no_key = investigator.Run({"", cluster_, ""}, EngineKind::kClaude);
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(no_key.error().message, HasSubstr("ANTHROPIC_API_KEY"));
  EXPECT_EQ(StoredReports(), 0);
  EXPECT_THAT(announced_, SizeIs(0));
}

// ---- The investigation timeout and cancellation ----------------------------------------------

// Loads the stored report `report_id` and its JSON.
std::pair<store::StoredReport, Json> LoadReport(store::Database& memory,
                                                const std::string& report_id) {
  store::ReportStore reports(memory);
  auto stored = reports.Get(report_id);
  EXPECT_TRUE(stored) << stored.error().ToString();
  if (!stored) return {};
  auto json = ParseJson(stored->report_json);
  EXPECT_TRUE(json) << json.error().ToString();
  return {*stored, json ? *json : Json()};
}

// The clock passes agent.investigation_timeout while Claude's third request is out: the run
// ends before that turn's tool call and the stored report says it timed out, with the seven
// calls made and the step not done (8, run_sql) as missing evidence. No playbook fallback.
TEST_P(InvestigatorTest, ClaudeRunPastTheTimeoutStoresATimedOutReport) {
  config_.investigation_timeout = std::chrono::minutes(10);
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  ProgressFn progress = [this](const ProgressEvent& event) {
    if (event.what == "model turn" && event.step == 3) clock_.Advance(std::chrono::minutes(11));
  };
  auto result = investigator.Run({"tsk_timeout", cluster_, ""}, std::nullopt, progress);
  ASSERT_TRUE(result) << result.error().ToString();
  auto [stored, report] = LoadReport(*memory_->db(), result->report_id);
  EXPECT_EQ(stored.engine, EngineKind::kClaude);
  EXPECT_EQ(stored.task_id, "tsk_timeout");
  EXPECT_EQ(stored.severity, Severity::kInfo);  // the model had not concluded
  EXPECT_EQ(stored.category, RootCause::kInsufficientData);
  EXPECT_EQ(stored.llm_error, "");
  EXPECT_THAT(stored.root_cause, HasSubstr("investigation timed out after 10m at step 3"));
  EXPECT_THAT(stored.summary, HasSubstr("investigation timed out after 10m at step 3"));
  EXPECT_THAT(stored.summary, HasSubstr("Not done: step 8 run_sql"));
  EXPECT_THAT(
      report["timed_out"].get<std::string>(),
      HasSubstr("investigation timed out after 10m at step 3 (claude engine, model turn 3)"));
  ASSERT_THAT(report["missing_evidence"], SizeIs(1));
  EXPECT_THAT(report["missing_evidence"][0].get<std::string>(), HasSubstr("step 8 run_sql"));
  EXPECT_EQ(report["recommendations"][0]["operation"], "none");
  EXPECT_THAT(report["recommendations"][0]["action"].get<std::string>(),
              HasSubstr("agent.investigation_timeout"));
  EXPECT_THAT(ParseJson(stored.transcript_json).value(), SizeIs(7));
  EXPECT_THAT(stored.markdown, HasSubstr("the investigation timed out after 10m at step 3"));
  EXPECT_THAT(stored.markdown, HasSubstr("## Missing evidence"));
  EXPECT_EQ(stored.duration_ms, 11 * 60 * 1000);  // on the clock's monotonic reading
  EXPECT_THAT(server_->requests(), SizeIs(3));
  EXPECT_EQ(StoredReports(), 1);
  EXPECT_THAT(announced_, SizeIs(1));
}

// The playbook passes the timeout during step 5: it stops before step 6 and the report keeps
// what steps 1-5 found (the severity the rules give on them) and lists steps 6-8 as missing.
TEST_P(InvestigatorTest, PlaybookRunPastTheTimeoutStoresWhatWasFoundSoFar) {
  Investigator investigator = MakeInvestigator();
  store::StoredReport complete =
      RunAndLoad(investigator, {"", cluster_, ""}, EngineKind::kPlaybook);
  ASSERT_NE(complete.severity, Severity::kInfo);

  ProgressFn progress = [this](const ProgressEvent& event) {
    if (event.what == "tool" && event.step == 5) clock_.Advance(std::chrono::minutes(10));
  };
  auto result =
      investigator.Run({"tsk_playbook_timeout", cluster_, ""}, EngineKind::kPlaybook, progress);
  ASSERT_TRUE(result) << result.error().ToString();
  auto [stored, report] = LoadReport(*memory_->db(), result->report_id);
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_EQ(stored.severity, complete.severity);
  EXPECT_EQ(stored.category, RootCause::kInsufficientData);
  EXPECT_THAT(stored.root_cause, HasSubstr("investigation timed out after 10m at step 6"));
  EXPECT_THAT(report["timed_out"].get<std::string>(),
              HasSubstr("(playbook engine, protocol step 6 query_agent_memory)"));
  ASSERT_THAT(report["missing_evidence"], SizeIs(3));
  EXPECT_THAT(report["missing_evidence"][0].get<std::string>(), HasSubstr("query_agent_memory"));
  EXPECT_THAT(report["missing_evidence"][1].get<std::string>(),
              HasSubstr("query_similar_clusters"));
  EXPECT_THAT(report["missing_evidence"][2].get<std::string>(), HasSubstr("run_sql"));
  const Json transcript = ParseJson(stored.transcript_json).value();
  std::set<std::string> call_ids;
  for (const Json& call : transcript) {
    EXPECT_LE(call["step"].get<int>(), 5);
    call_ids.insert(call["id"].get<std::string>());
  }
  ASSERT_FALSE(report["evidence"].empty());
  for (const Json& item : report["evidence"]) {
    EXPECT_TRUE(call_ids.count(item["tool_call_id"].get<std::string>())) << item.dump();
  }
  EXPECT_THAT(stored.markdown, HasSubstr("timed out after 10m at step 6"));
}

// Claude fails after its retries (which take 1.5 s of the clock); the playbook that stands in
// shares the one-second deadline, so it stops before its first step: the report keeps the LLM
// error and says it timed out with every step missing.
TEST_P(InvestigatorTest, FallbackSharesTheDeadlineOfTheRun) {
  config_.investigation_timeout = std::chrono::seconds(1);
  StartClaude("overloaded");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("529"));
  EXPECT_EQ(stored.severity, Severity::kInfo);
  EXPECT_THAT(stored.root_cause, HasSubstr("investigation timed out after 1s at step 1"));
  const Json report = ParseJson(stored.report_json).value();
  EXPECT_THAT(report["missing_evidence"], SizeIs(8));
  EXPECT_THAT(ParseJson(stored.transcript_json).value(), SizeIs(0));
}

// Cancelled (the lease was lost) while Claude's second request is out: nothing is stored,
// nobody is told, the playbook does not stand in, and the error says why.
TEST_P(InvestigatorTest, CancelledRunStoresNothingAndDoesNotFallBack) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  CancellationToken cancel;
  int playbook_events = 0;
  ProgressFn progress = [&](const ProgressEvent& event) {
    if (event.what == "model turn" && event.step == 2) cancel.Cancel("lease lost (test)");
    if (event.detail == "query_cluster_info" && event.step == 1 && cancel.cancelled()) {
      ++playbook_events;
    }
  };
  auto result = investigator.Run({"tsk_cancelled", cluster_, ""}, std::nullopt, progress, &cancel);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(result.error().ToString(), HasSubstr("cancelled: lease lost (test)"));
  EXPECT_EQ(playbook_events, 0);
  EXPECT_THAT(server_->requests(), SizeIs(2));
  EXPECT_EQ(StoredReports(), 0);
  EXPECT_THAT(announced_, SizeIs(0));
}

TEST_P(InvestigatorTest, PlaybookCancelledBeforeItStartsStoresNothing) {
  Investigator investigator = MakeInvestigator();
  CancellationToken cancel;
  cancel.Cancel("task cancelled (test)");
  auto result =
      investigator.Run({"tsk_cancelled_early", cluster_, ""}, EngineKind::kPlaybook, {}, &cancel);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(StoredReports(), 0);
}

// Claude fails on turn 3 (overloaded on every attempt): the playbook writes the report, reusing
// the four successful results of turns 1-2 instead of calling those tools again, and the stored
// transcript keeps what Claude did.
TEST_P(InvestigatorTest, ATurnThreeFailureReachesThePlaybookWithTheEarlierResultsReused) {
  StartClaude("investigation_fails_on_turn_3");
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"tsk_turn3", cluster_, ""});
  EXPECT_TRUE(server_->finished());
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(stored.llm_error, HasSubstr("claude turn 3"));
  EXPECT_THAT(stored.llm_error, HasSubstr("overloaded"));
  EXPECT_GT(stored.input_tokens, 0);  // what Claude spent is kept
  const Json transcript = ParseJson(stored.transcript_json).value();
  std::map<std::string, std::string> reused;  // tool -> the Claude call it came from
  std::multiset<std::string> executed;        // tool + input of every call actually run
  for (const Json& call : transcript) {
    if (call.contains("reused_from")) {
      reused[call["tool"]] = call["reused_from"];
    } else {
      executed.insert(call["tool"].get<std::string>() + call["input"].dump());
    }
  }
  EXPECT_EQ(reused["query_cluster_info"], "toolu_01FailInfo00000000000001");
  EXPECT_EQ(reused["query_cluster_alerts"], "toolu_01FailAlerts0000000000002");
  EXPECT_EQ(reused["query_cluster_metrics"], "toolu_01FailMetrics000000000003");
  EXPECT_EQ(reused["query_cluster_operations"], "toolu_01FailOps0000000000000004");
  for (const std::string& call : executed) EXPECT_EQ(executed.count(call), 1u) << call;
  // No tool of steps 1-4 ran again with the same input.
  for (const Json& call : transcript) {
    if (call.contains("reused_from")) {
      EXPECT_EQ(executed.count(call["tool"].get<std::string>() + call["input"].dump()), 0u);
    }
  }
  // The report cites the reused calls by the playbook's own ids.
  EXPECT_EQ(stored.category, RootCause::kDiskCapacity);
}

// The brief of a sentinel task: the rules with their values and thresholds, the latest score
// with its sub-scores, tier and version — in the model's first message, in the stored report
// JSON and in the Markdown.
TEST_P(InvestigatorTest, TheTriggerBriefIsSentStoredAndShown) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  InvestigationRequest request{"tsk_brief", cluster_, ""};
  request.source = "sentinel";
  request.rules_fired = Json::parse(
      R"([{"rule": "score_cliff", "priority": 2, "value": 41.2, "threshold": 20,
           "reason": "score fell 41.2 points"}])");
  store::StoredReport stored = RunAndLoad(investigator, request);
  EXPECT_EQ(stored.engine, EngineKind::kClaude);
  const Json brief = ParseJson(stored.report_json).value()["trigger"];
  EXPECT_EQ(brief["trigger"]["source"], "sentinel");
  EXPECT_EQ(brief["trigger"]["rules"][0]["rule"], "score_cliff");
  EXPECT_EQ(brief["trigger"]["rules"][0]["value"], 41.2);
  EXPECT_EQ(brief["trigger"]["rules"][0]["threshold"], 20);
  ASSERT_TRUE(brief.contains("score")) << brief.dump();
  EXPECT_TRUE(brief["score"]["health"].is_number());
  EXPECT_EQ(brief["score"]["risk_level"], "Critical");
  EXPECT_FALSE(brief["score"]["worst_dimensions"].empty());
  EXPECT_EQ(brief["cluster"]["tier"], "C");
  EXPECT_EQ(brief["cluster"]["version"], "3.2.11");
  const std::string opening =
      server_->requests().front().body["messages"][0]["content"][0]["text"];
  EXPECT_THAT(opening, HasSubstr("\"rule\":\"score_cliff\""));
  EXPECT_THAT(opening, HasSubstr("\"worst_dimensions\""));
  EXPECT_THAT(stored.markdown, HasSubstr("## Trigger"));
  EXPECT_THAT(stored.markdown, HasSubstr("rule score_cliff: value 41.2 vs threshold 20"));
}

// A webhook task's brief carries the firing alerts with their details and times.
TEST_P(InvestigatorTest, AWebhookBriefCarriesTheFiringAlerts) {
  Investigator investigator = MakeInvestigator();
  InvestigationRequest request{"", cluster_, "Critical alert firing: Data Disk Capacity Alert"};
  request.source = "webhook";
  store::StoredReport stored = RunAndLoad(investigator, request, EngineKind::kPlaybook);
  const Json brief = ParseJson(stored.report_json).value()["trigger"];
  ASSERT_FALSE(brief["trigger"]["alerts"].empty()) << brief.dump();
  const Json& alert = brief["trigger"]["alerts"][0];
  EXPECT_EQ(alert["alert_name"], "Data Disk Capacity Alert");
  EXPECT_EQ(alert["status"], "Firing");
  EXPECT_TRUE(alert["starts_at"].is_string());
  EXPECT_THAT(alert["detail"].get<std::string>(), HasSubstr("BE data disk used"));
  EXPECT_THAT(stored.markdown, HasSubstr("- alert Data Disk Capacity Alert [critical, Firing"));
}

// A task queued by the issue tracker (or a webhook) carries its issue and alerts in its context
// (store::Task::context_json): Claude's first message and the stored brief carry the issue, its
// status and escalation, and each alert with its labels, annotations, start and end; the
// Markdown shows them.
TEST_P(InvestigatorTest, AnIssueTaskBriefCarriesTheIssueAndItsAlerts) {
  StartClaude("investigation_disk_full");
  Investigator investigator = MakeInvestigator();
  InvestigationRequest request{"tsk_issue", cluster_, "Escalated issue: ANOMALY disk (iss_7)"};
  request.source = "issue";
  request.context = Json::parse(R"({
    "trigger": "issue",
    "issue": {"issue_id": "iss_7", "kind": "ANOMALY", "title": "HeapUsageTooHigh on c",
              "escalated": true, "escalated_at": "2026-03-01T10:40:00Z",
              "issue_status": "Ongoing", "triage_status": "New", "reason": "escalated",
              "alert_names": ["HeapUsageTooHigh", "BeAliveAbnormal"]},
    "alerts": [
      {"message_id": "wh_1", "alert_name": "HeapUsageTooHigh", "status": "Firing",
       "severity": "warning", "source": "alertmanager", "starts_at": "2026-03-01T10:00:00Z",
       "ends_at": null, "detail": "heap 93%",
       "labels": {"alertname": "HeapUsageTooHigh", "instance": "be-3:8040"},
       "annotations": {"summary": "heap 93%"}},
      {"message_id": "wh_2", "alert_name": "BeAliveAbnormal", "status": "Resolved",
       "severity": "critical", "starts_at": "2026-03-01T10:35:00Z",
       "ends_at": "2026-03-01T10:38:00Z", "detail": "be-3 restarted",
       "labels": {"alertname": "BeAliveAbnormal", "password": "hunter2hunter2"}}]})");
  store::StoredReport stored = RunAndLoad(investigator, request);
  EXPECT_EQ(stored.engine, EngineKind::kClaude);
  const Json brief = ParseJson(stored.report_json).value()["trigger"];
  EXPECT_EQ(brief["trigger"]["source"], "issue");
  EXPECT_EQ(brief["trigger"]["issue"]["issue_id"], "iss_7");
  EXPECT_EQ(brief["trigger"]["issue"]["escalated"], true);
  EXPECT_EQ(brief["trigger"]["issue"]["issue_status"], "Ongoing");
  ASSERT_EQ(brief["trigger"]["alerts"].size(), 2u) << brief.dump();
  EXPECT_EQ(brief["trigger"]["alerts"][0]["labels"]["instance"], "be-3:8040");
  EXPECT_EQ(brief["trigger"]["alerts"][0]["annotations"]["summary"], "heap 93%");
  EXPECT_EQ(brief["trigger"]["alerts"][1]["ends_at"], "2026-03-01T10:38:00Z");
  const std::string opening =
      server_->requests().front().body["messages"][0]["content"][0]["text"];
  EXPECT_THAT(opening, HasSubstr("\"issue_id\":\"iss_7\""));
  EXPECT_THAT(opening, HasSubstr("\"instance\":\"be-3:8040\""));
  EXPECT_THAT(opening, HasSubstr("\"alert_name\":\"BeAliveAbnormal\""));
  EXPECT_THAT(opening, HasSubstr("\"ends_at\":\"2026-03-01T10:38:00Z\""));
  EXPECT_THAT(opening, Not(HasSubstr("hunter2hunter2")));
  EXPECT_THAT(stored.markdown,
              HasSubstr("- issue iss_7 (ANOMALY, Ongoing, triage New, escalated "
                        "2026-03-01T10:40:00Z): HeapUsageTooHigh on c [queued: escalated]"));
  EXPECT_THAT(stored.markdown,
              HasSubstr("- alert BeAliveAbnormal [critical, Resolved since 2026-03-01T10:35:00Z "
                        "until 2026-03-01T10:38:00Z]: be-3 restarted"));
  EXPECT_THAT(stored.markdown, HasSubstr("labels: instance=be-3:8040"));
}

// When today's spend reaches the tier's share of agent.daily_budget_usd, Claude is not called:
// the playbook writes the report and says why; the spend is in /metrics.
TEST_P(InvestigatorTest, TheDailyBudgetFallsBackToThePlaybookTierAware) {
  config_.daily_budget_usd = 1.0;  // the cluster is tier C: it may use 50%, $0.50
  StartClaude("investigation_disk_full");
  store::StoredReport earlier;
  earlier.cluster_id = cluster_;
  earlier.engine = EngineKind::kClaude;
  earlier.severity = Severity::kLow;
  earlier.category = RootCause::kAlertNoise;
  earlier.root_cause = "earlier";
  earlier.summary = "earlier";
  earlier.report_json = "{}";
  earlier.cost_usd = 0.60;
  earlier.created_at = clock_.Now() - std::chrono::minutes(1);
  ASSERT_TRUE(store::ReportStore(*memory_->db()).Insert(earlier));
  Investigator investigator = MakeInvestigator();
  store::StoredReport stored = RunAndLoad(investigator, {"tsk_daily", cluster_, ""});
  EXPECT_EQ(stored.engine, EngineKind::kPlaybook);
  EXPECT_THAT(server_->requests(), SizeIs(0));
  EXPECT_THAT(stored.llm_error, HasSubstr("the daily Claude budget is spent: $0.60 today of "
                                          "$0.50 (50% of agent.daily_budget_usd $1.00 for tier C)"));
  EXPECT_THAT(stored.markdown, HasSubstr("daily Claude budget is spent"));
  const std::string metrics = GlobalMetrics().RenderPrometheus();
  EXPECT_THAT(metrics, HasSubstr("rockhound_llm_daily_spend_usd 0.6"));
  EXPECT_THAT(metrics, HasSubstr("rockhound_llm_daily_budget_usd 1"));
  EXPECT_THAT(metrics, HasSubstr("rockhound_llm_budget_fallbacks_total"));

  // A day later the budget is fresh: Claude investigates again.
  clock_.Advance(std::chrono::hours(24));
  store::StoredReport next = RunAndLoad(investigator, {"tsk_daily_2", cluster_, ""});
  EXPECT_EQ(next.engine, EngineKind::kClaude);
}

INSTANTIATE_TEST_SUITE_P(Backends, InvestigatorTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::agent
