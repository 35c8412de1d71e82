// Investigator: engine choice, fallback to the playbook when Claude fails (the stored report
// names the engine that wrote it and keeps the LLM error), storage (one report per task),
// listeners, and bad input. Real tools over the simulated fleet, the real playbook engine, the
// real AnthropicClient against the scripted server, and the agent memory on SQLite and MariaDB.
#include "agent/investigator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "agent/cancellation.h"
#include "agent/claude_engine.h"
#include "agent/playbook_engine.h"
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
  auto report = ParseReport(ParseJson(stored.report_json).value());
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

INSTANTIATE_TEST_SUITE_P(Backends, InvestigatorTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::agent
