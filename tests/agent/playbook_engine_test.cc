// The playbook engine over a small simulated fleet (rh::simulator, one labelled incident of
// every category), scored once by the sentinel's HealthScorer as `rockhound cycle` does, with
// the starter knowledge in a Knowledge Lake: the real eight tools, real SQLite and MariaDB.
// The ground truth is read here, by the test, to know what each cluster should get; the engine
// only sees tool outputs.
#include "agent/playbook_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "agent/cancellation.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "sentinel/scorer.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/schema.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/test_env.h"
#include "tools/investigation_tools.h"

namespace rh::agent {
namespace {

using rh::testing::MysqlTestDatabase;
using rh::testing::TempDir;

constexpr uint64_t kSeed = 7;  // not one of bench_scenarios' tuning or held-out seeds
const TimePoint kEndHour = MakeUtcTime(2026, 3, 10, 12);
const TimePoint kNow = kEndHour + std::chrono::minutes(5);

// One simulated fleet per backend, generated and scored once per process.
struct SimulatedFleet {
  TempDir dir;
  std::unique_ptr<MysqlTestDatabase> mysql;
  std::string url;
  std::unique_ptr<store::Database> fleet;
  std::unique_ptr<store::Database> memory;
  std::vector<simulator::GroundTruthRow> truth;
  std::string error;  // why the fleet could not be built
};

Status BuildFleet(const std::string& backend, SimulatedFleet& out) {
  store::OpenOptions options;
  if (backend == "mysql") {
    out.mysql = std::make_unique<MysqlTestDatabase>();
    out.url = out.mysql->url();
    options.password = rh::testing::TestMysqlPassword();
    if (out.url.empty()) return Unavailable("mariadb", out.mysql->error());
  } else {
    out.url = out.dir.File("fleet.db");
  }
  RH_ASSIGN_OR_RETURN(out.fleet, store::OpenDatabase(out.url, options));
  RH_ASSIGN_OR_RETURN(out.memory, store::OpenDatabase(out.dir.File("memory.db")));
  RH_RETURN_IF_ERROR(store::Migrate(*out.memory, store::SchemaSet::kMemory));
  simulator::FleetParams params;
  params.clusters = 40;
  params.days = 14;
  params.seed = kSeed;
  params.end_hour = kEndHour;
  RH_RETURN_IF_ERROR(simulator::GenerateFleet(*out.fleet, params));
  ManualClock clock(kNow);
  sentinel::HealthScorer scorer(*out.fleet, clock, SentinelConfig{});
  RH_RETURN_IF_ERROR(scorer.ScoreFleet());
  RH_ASSIGN_OR_RETURN(out.truth, simulator::ReadGroundTruth(*out.fleet));
  return {};
}

std::mutex fleets_mutex;
std::map<std::string, std::unique_ptr<SimulatedFleet>> fleets;

// The fleets are dropped when the test program ends, but before static destruction: dropping a
// MariaDB test database needs the connector's driver, which is itself a static.
class DropFleetsAtEnd : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard<std::mutex> lock(fleets_mutex);
    fleets.clear();
  }
};
[[maybe_unused]] ::testing::Environment* const kDropFleetsAtEnd =
    ::testing::AddGlobalTestEnvironment(new DropFleetsAtEnd);

SimulatedFleet* FleetFor(const std::string& backend) {
  std::lock_guard<std::mutex> lock(fleets_mutex);
  auto& slot = fleets[backend];
  if (slot) return slot.get();
  slot = std::make_unique<SimulatedFleet>();
  Status built = BuildFleet(backend, *slot);
  if (!built) slot->error = built.error().ToString();
  return slot.get();
}

class PlaybookTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") RH_REQUIRE_MYSQL();
    fleet_ = FleetFor(GetParam());
    ASSERT_TRUE(fleet_->error.empty()) << fleet_->error;
    Build(loop_test::StarterLake(), fleet_->memory.get());
  }

  void Build(knowledge::KnowledgeSearch* knowledge, store::Database* memory) {
    tools::ToolEnvironment env;
    env.fleet = fleet_->fleet.get();
    env.memory = memory;
    env.knowledge = knowledge;
    env.clock = &clock_;
    env.fleet_url = fleet_->url;
    env.fleet_password = rh::testing::TestMysqlPassword();
    auto built = tools::BuildInvestigationTools(env);
    ASSERT_TRUE(built) << built.error().ToString();
    registry_ = std::make_unique<tools::ToolRegistry>(std::move(*built));
    engine_ = std::make_unique<PlaybookEngine>(*registry_, executor_, clock_);
  }

  const simulator::GroundTruthRow* Incident(RootCause category) const {
    for (const auto& row : fleet_->truth) {
      if (row.category == category) return &row;
    }
    return nullptr;
  }

  std::string HealthyCluster() const {
    std::set<std::string> incident;
    for (const auto& row : fleet_->truth) incident.insert(row.cluster_id);
    auto rows = fleet_->fleet->Query(
        "SELECT cluster_id FROM cluster_info WHERE status = 'running' ORDER BY cluster_id");
    EXPECT_TRUE(rows);
    if (!rows) return "";
    for (store::Row row : *rows) {
      std::string id = row.GetString(size_t{0});
      if (!incident.count(id)) return id;
    }
    return "";
  }

  InvestigationOutcome Investigate(const std::string& cluster_id,
                                   const std::string& question = "") {
    auto outcome = engine_->Investigate({"task-1", cluster_id, question}, {});
    EXPECT_TRUE(outcome) << outcome.error().ToString();
    return outcome ? std::move(*outcome) : InvestigationOutcome{};
  }

  // Every report must pass the same validation a Claude report passes.
  static void ExpectValid(const InvestigationOutcome& outcome) {
    std::vector<std::string> ids;
    for (const ToolCallRecord& call : outcome.transcript) ids.push_back(call.id);
    auto parsed = ParseReport(ReportToJson(outcome.report), ids);
    EXPECT_TRUE(parsed) << parsed.error().ToString();
  }

  SimulatedFleet* fleet_ = nullptr;
  ManualClock clock_{kNow};
  std::unique_ptr<tools::ToolRegistry> registry_;
  ToolExecutor executor_{4};
  std::unique_ptr<PlaybookEngine> engine_;
};

std::string Describe(const InvestigationOutcome& outcome) {
  return std::string(RootCauseName(outcome.report.root_cause_category)) + "/" +
         std::string(SeverityName(outcome.report.severity)) + ": " + outcome.report.root_cause;
}

// ---- one test per category -------------------------------------------------------------------

// The engine names the incident's category, with the severity a careful engineer would give.
class PlaybookCategoryTest : public PlaybookTest {
 protected:
  void ExpectDiagnosed(RootCause category) {
    const simulator::GroundTruthRow* row = Incident(category);
    ASSERT_NE(row, nullptr) << "the test fleet has no " << RootCauseName(category);
    InvestigationOutcome outcome = Investigate(row->cluster_id);
    ExpectValid(outcome);
    EXPECT_EQ(outcome.report.root_cause_category, row->category)
        << row->scenario << " on " << row->cluster_id << ": " << Describe(outcome)
        << "\nground truth: " << row->description;
    EXPECT_EQ(outcome.report.severity, row->expected_severity) << Describe(outcome);
    EXPECT_GE(outcome.report.confidence, 0.5) << Describe(outcome);
  }
};

#define RH_PLAYBOOK_CATEGORY_TEST(name, category) \
  TEST_P(PlaybookCategoryTest, name) { ExpectDiagnosed(category); }

RH_PLAYBOOK_CATEGORY_TEST(DiskCapacity, RootCause::kDiskCapacity)
RH_PLAYBOOK_CATEGORY_TEST(NodeFailure, RootCause::kNodeFailure)
RH_PLAYBOOK_CATEGORY_TEST(CompactionBacklog, RootCause::kCompactionBacklog)
RH_PLAYBOOK_CATEGORY_TEST(MemoryPressure, RootCause::kMemoryPressure)
RH_PLAYBOOK_CATEGORY_TEST(CpuSaturation, RootCause::kCpuSaturation)
RH_PLAYBOOK_CATEGORY_TEST(QueryErrors, RootCause::kQueryErrors)
RH_PLAYBOOK_CATEGORY_TEST(SlowQueries, RootCause::kSlowQueries)
RH_PLAYBOOK_CATEGORY_TEST(OperationInduced, RootCause::kOperationInduced)
RH_PLAYBOOK_CATEGORY_TEST(IngestionFailure, RootCause::kIngestionFailure)
RH_PLAYBOOK_CATEGORY_TEST(KnownBug, RootCause::kKnownBug)
RH_PLAYBOOK_CATEGORY_TEST(AccountWide, RootCause::kAccountWide)
RH_PLAYBOOK_CATEGORY_TEST(AlertNoise, RootCause::kAlertNoise)
RH_PLAYBOOK_CATEGORY_TEST(InsufficientData, RootCause::kInsufficientData)

INSTANTIATE_TEST_SUITE_P(Backends, PlaybookCategoryTest,
                         ::testing::Values(std::string("sqlite"), std::string("mysql")),
                         [](const auto& info) { return info.param; });

// ---- behaviour -------------------------------------------------------------------------------

TEST_P(PlaybookTest, EveryAccountWideSiblingAndRedHerringIsDiagnosedRight) {
  int red_herrings = 0;
  for (const simulator::GroundTruthRow& row : fleet_->truth) {
    if (row.category != RootCause::kAccountWide && !row.red_herring) continue;
    red_herrings += row.red_herring.has_value();
    InvestigationOutcome outcome = Investigate(row.cluster_id);
    EXPECT_EQ(outcome.report.root_cause_category, row.category)
        << row.scenario << " on " << row.cluster_id
        << " (red herring: " << row.red_herring.value_or("none") << "): " << Describe(outcome);
  }
  EXPECT_GT(red_herrings, 0) << "the test fleet should plant at least one red herring";
}

TEST_P(PlaybookTest, HealthyClusterGetsALowOrInfoReport) {
  const std::string cluster = HealthyCluster();
  ASSERT_FALSE(cluster.empty());
  InvestigationOutcome outcome = Investigate(cluster);
  ExpectValid(outcome);
  EXPECT_TRUE(outcome.report.severity == Severity::kInfo ||
              outcome.report.severity == Severity::kLow)
      << Describe(outcome);
  EXPECT_FALSE(outcome.report.recommendations.empty());
}

TEST_P(PlaybookTest, TranscriptFollowsTheEightProtocolSteps) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  InvestigationOutcome outcome = Investigate(row->cluster_id);
  EXPECT_EQ(outcome.engine, EngineKind::kPlaybook);
  ASSERT_GE(outcome.transcript.size(), 8u);
  const std::vector<std::string> protocol(tools::kInvestigationToolNames.begin(),
                                          tools::kInvestigationToolNames.end());
  std::vector<std::string> steps_seen;
  int previous_step = 0;
  for (size_t call_idx = 0; call_idx < outcome.transcript.size(); ++call_idx) {
    const ToolCallRecord& call = outcome.transcript[call_idx];
    EXPECT_EQ(call.id, "call_" + std::to_string(call_idx + 1));
    ASSERT_GE(call.step, 1);
    ASSERT_LE(call.step, 8);
    EXPECT_GE(call.step, previous_step) << "steps run in protocol order";
    EXPECT_EQ(call.tool, protocol[static_cast<size_t>(call.step - 1)]);
    EXPECT_FALSE(call.is_error) << call.tool << ": " << call.output;
    if (call.step != previous_step) steps_seen.push_back(call.tool);
    previous_step = call.step;
  }
  EXPECT_EQ(steps_seen, protocol);
  // The transcript holds the tool's output exactly as the registry returned it.
  EXPECT_EQ(outcome.transcript[0].output,
            registry_->Call("query_cluster_info", outcome.transcript[0].input).content);
  // The knowledge search carries the symptoms and the cluster's version.
  const ToolCallRecord& search = outcome.transcript[4];
  EXPECT_NE(search.input["query"].get<std::string>().find("disk"), std::string::npos)
      << search.input.dump();
  EXPECT_TRUE(search.input.contains("version")) << search.input.dump();
  // Evidence cites calls of this investigation, including the SQL check.
  std::set<std::string> cited;
  for (const Evidence& item : outcome.report.evidence) cited.insert(item.tool_call_id);
  EXPECT_TRUE(cited.count("call_1"));
  EXPECT_TRUE(cited.count("call_3"));
  bool sql_cited = false;
  for (const Evidence& item : outcome.report.evidence) sql_cited |= item.tool == "run_sql";
  EXPECT_TRUE(sql_cited);
}

TEST_P(PlaybookTest, RecommendationsAreConcreteAndWithinLimits) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  InvestigationOutcome outcome = Investigate(row->cluster_id);
  ExpectValid(outcome);
  bool expand = false;
  for (const Recommendation& rec : outcome.report.recommendations) {
    if (rec.operation != "expand_disk") continue;
    expand = true;
    int64_t to_gb = rec.parameters["to_gb"].get<int64_t>();
    EXPECT_GE(to_gb, 200);
    EXPECT_LE(to_gb, 65000);
  }
  EXPECT_TRUE(expand) << DumpJson(ReportToJson(outcome.report), 2);
}

TEST_P(PlaybookTest, QuestionIsCarriedIntoTheReport) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kSlowQueries);
  ASSERT_NE(row, nullptr);
  InvestigationOutcome outcome = Investigate(row->cluster_id, "why is p99 latency up?");
  EXPECT_NE(outcome.report.summary.find("why is p99 latency up?"), std::string::npos);
}

// The report's confidence is the rules' raw confidence mapped through the engine's calibration
// (the embedded one by default), and the rank-1 hypothesis follows it.
TEST_P(PlaybookTest, TheReportCarriesTheCalibratedConfidence) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  PlaybookEngine raw_engine(*registry_, executor_, clock_,
                            ConfidenceCalibration::Identity(EngineKind::kPlaybook));
  auto raw = raw_engine.Investigate({"task-1", row->cluster_id, ""}, {});
  ASSERT_TRUE(raw) << raw.error().ToString();
  // A map that sends every raw confidence to 0.37 or 0.61, whichever side of 0.5 it is on.
  auto coarse = ConfidenceCalibration::FromJson(
      R"({"engine": "playbook", "version": 9, "method": "isotonic", "fitted_on": "test",
          "samples": 2, "points": [[0.49, 0.37], [0.51, 0.61]]})",
      "test");
  ASSERT_TRUE(coarse) << coarse.error().ToString();
  PlaybookEngine coarse_engine(*registry_, executor_, clock_, *coarse);
  auto mapped = coarse_engine.Investigate({"task-1", row->cluster_id, ""}, {});
  ASSERT_TRUE(mapped) << mapped.error().ToString();
  EXPECT_EQ(mapped->report.root_cause_category, raw->report.root_cause_category);
  EXPECT_DOUBLE_EQ(mapped->report.confidence, raw->report.confidence >= 0.51 ? 0.61 : 0.37);
  EXPECT_DOUBLE_EQ(mapped->report.hypotheses[0].likelihood, mapped->report.confidence);
  ExpectValid(*mapped);
  // The default engine applies the embedded playbook calibration.
  auto embedded = ConfidenceCalibration::Embedded(EngineKind::kPlaybook);
  ASSERT_TRUE(embedded) << embedded.error().ToString();
  InvestigationOutcome shipped = Investigate(row->cluster_id);
  EXPECT_DOUBLE_EQ(shipped.report.confidence,
                   std::round(embedded->Apply(raw->report.confidence) * 100) / 100);
}

TEST_P(PlaybookTest, WithoutKnowledgeLakeOrMemoryItDegradesGracefully) {
  Build(nullptr, nullptr);
  // The rules' own (raw) confidence: the calibration is tested on its own above.
  engine_ = std::make_unique<PlaybookEngine>(
      *registry_, executor_, clock_, ConfidenceCalibration::Identity(EngineKind::kPlaybook));
  const simulator::GroundTruthRow* row = Incident(RootCause::kKnownBug);
  ASSERT_NE(row, nullptr);
  InvestigationOutcome outcome = Investigate(row->cluster_id);
  ExpectValid(outcome);
  bool knowledge_failed = false, memory_failed = false;
  for (const ToolCallRecord& call : outcome.transcript) {
    if (call.tool == "search_knowledge_lake") knowledge_failed = call.is_error;
    if (call.tool == "query_agent_memory") memory_failed = call.is_error;
  }
  EXPECT_TRUE(knowledge_failed);
  EXPECT_TRUE(memory_failed);
  // Without the lake the bug cannot be confirmed: the symptom's own category, less sure, and
  // the report says what to check.
  EXPECT_EQ(outcome.report.root_cause_category, RootCause::kMemoryPressure) << Describe(outcome);
  EXPECT_NE(outcome.report.root_cause.find("known bugs"), std::string::npos) << Describe(outcome);
  EXPECT_LT(outcome.report.confidence, 0.8);

  // The other incidents do not need the lake.
  const simulator::GroundTruthRow* disk = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(Investigate(disk->cluster_id).report.root_cause_category, RootCause::kDiskCapacity);
}

TEST_P(PlaybookTest, UnknownClusterIsNotFound) {
  auto outcome = engine_->Investigate({"", "c-doesnotexist", ""}, {});
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kNotFound);
}

TEST_P(PlaybookTest, ProgressReportsEveryToolAndTheReport) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kNodeFailure);
  ASSERT_NE(row, nullptr);
  std::vector<ProgressEvent> events;
  auto outcome = engine_->Investigate({"", row->cluster_id, ""},
                                      [&](const ProgressEvent& event) { events.push_back(event); });
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  // Each protocol step is announced, then each of its calls starts and finishes (one at a
  // time, the same call id), then the report.
  ASSERT_EQ(events.size(), 8 + 2 * outcome->transcript.size() + 1);
  size_t call_idx = 0;
  int step = 0;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    if (events[i].what == "step") {
      EXPECT_EQ(events[i].step, ++step);
      EXPECT_EQ(events[i].detail, ProtocolSteps()[static_cast<size_t>(step - 1)].what);
      continue;
    }
    ASSERT_LT(call_idx, outcome->transcript.size());
    const ToolCallRecord& call = outcome->transcript[call_idx];
    ASSERT_EQ(events[i].what, "tool") << i;
    EXPECT_EQ(events[i].detail, call.tool);
    EXPECT_EQ(events[i].step, call.step);
    EXPECT_EQ(events[i].step, step);
    EXPECT_EQ(events[i].call_id, call.id);
    ASSERT_EQ(events[i + 1].what, "tool done");
    EXPECT_EQ(events[i + 1].call_id, call.id);
    EXPECT_EQ(events[i + 1].ok, !call.is_error);
    EXPECT_EQ(events[i + 1].duration_ms, call.duration_ms);
    ++i;
    ++call_idx;
  }
  EXPECT_EQ(step, 8);
  EXPECT_EQ(call_idx, outcome->transcript.size());
  EXPECT_EQ(events.back().what, "report");
  EXPECT_EQ(events.back().detail, "node_failure");
}

// ---- Cancellation and the deadline, between protocol steps --------------------------------------

TEST_P(PlaybookTest, CancelledRunStopsBeforeTheNextProtocolStep) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  CancellationToken cancel;
  RunLimits limits;
  limits.cancel = &cancel;
  std::vector<ProgressEvent> events;
  auto outcome = engine_->Investigate(
      {"", row->cluster_id, ""},
      [&](const ProgressEvent& event) {
        events.push_back(event);
        if (event.step == 2) cancel.Cancel("lease lost (test)");
      },
      nullptr, limits);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(outcome.error().ToString(),
              ::testing::HasSubstr("playbook step 3: cancelled: lease lost (test)"));
  std::vector<std::string> calls;
  for (const ProgressEvent& event : events) {
    if (event.what == "tool") calls.push_back(event.detail);
    EXPECT_LE(event.step, 2) << "nothing after step 2";
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"query_cluster_info", "query_cluster_alerts"}));
}

TEST_P(PlaybookTest, DeadlineBeforeStepFourLeavesSeverityInfo) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  RunLimits limits;
  limits.deadline = clock_.Monotonic() + std::chrono::minutes(10);
  auto outcome = engine_->Investigate(
      {"", row->cluster_id, ""},
      [&](const ProgressEvent& event) {
        if (event.step == 2) clock_.Advance(std::chrono::minutes(10));
      },
      nullptr, limits);
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_TRUE(outcome->timed_out.has_value());
  EXPECT_EQ(outcome->timed_out->at_step, 3);
  EXPECT_EQ(outcome->report.severity, Severity::kInfo);  // no assessment before the metrics
  EXPECT_TRUE(outcome->report.evidence.empty());
  ASSERT_EQ(outcome->transcript.size(), 2u);
  EXPECT_EQ(outcome->transcript[1].tool, "query_cluster_alerts");
}

TEST_P(PlaybookTest, DeadlineAfterStepFourKeepsWhatTheRulesFoundSoFar) {
  const simulator::GroundTruthRow* row = Incident(RootCause::kDiskCapacity);
  ASSERT_NE(row, nullptr);
  const InvestigationOutcome complete = Investigate(row->cluster_id);
  RunLimits limits;
  limits.deadline = clock_.Monotonic() + std::chrono::minutes(10);
  auto outcome = engine_->Investigate(
      {"", row->cluster_id, ""},
      [&](const ProgressEvent& event) {
        if (event.step == 4) clock_.Advance(std::chrono::minutes(10));
      },
      nullptr, limits);
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_TRUE(outcome->timed_out.has_value());
  EXPECT_EQ(outcome->timed_out->at_step, 5);
  EXPECT_EQ(outcome->report.severity, complete.report.severity);
  ASSERT_FALSE(outcome->report.evidence.empty());
  std::set<std::string> ids;
  for (const ToolCallRecord& call : outcome->transcript) ids.insert(call.id);
  for (const Evidence& item : outcome->report.evidence) {
    EXPECT_TRUE(ids.count(item.tool_call_id)) << item.tool_call_id << " was not called";
  }
  for (const ToolCallRecord& call : outcome->transcript) EXPECT_LE(call.step, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlaybookTest,
                         ::testing::Values(std::string("sqlite"), std::string("mysql")),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rh::agent
