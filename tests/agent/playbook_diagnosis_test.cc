// The playbook's decision order (agent/internal/diagnosis/decision_order.cc) on hand-built
// facts: which family wins when several could apply, and what a family that was considered
// and rejected leaves in the report. The whole engine over a simulated fleet is in
// playbook_engine_test.cc; here each case isolates one boundary of the order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/internal/diagnosis/decision_order.h"
#include "agent/internal/playbook_rules.h"
#include "core/time_format.h"

namespace rh::agent::internal {
namespace {

using std::chrono::hours;

const TimePoint kNow = MakeUtcTime(2026, 3, 10, 12) + std::chrono::minutes(5);

// A cluster with fresh telemetry, every source answered, nothing abnormal yet.
PlaybookFacts HealthyCluster() {
  PlaybookFacts facts;
  facts.cluster_id = "c-1";
  facts.now = kNow;
  facts.cluster.source = {"call_1", "query_cluster_info", true, ""};
  facts.cluster.cluster_id = "c-1";
  facts.cluster.account_id = "acct-1";
  facts.cluster.tier = "B";
  facts.cluster.version = "3.3.2";
  facts.cluster.architecture = "shared_nothing";
  facts.cluster.status = "running";
  facts.cluster.node_groups = {{"BE", 4, 16, "standard", 1000, "PL1"}};
  facts.alerts.source = {"call_2", "query_cluster_alerts", true, ""};
  facts.alerts.window_hours = 48;
  facts.metrics.source = {"call_3", "query_cluster_metrics", true, ""};
  facts.metrics.latest_snapshot = kNow - std::chrono::minutes(5);
  facts.operations.source = {"call_4", "query_cluster_operations", true, ""};
  facts.operations.window_hours = 168;
  facts.knowledge.source = {"call_5", "search_knowledge_lake", true, ""};
  facts.memory.source = {"call_6", "query_agent_memory", true, ""};
  facts.siblings.source = {"call_7", "query_similar_clusters", true, ""};
  facts.siblings.pattern = "no_firing_alerts";
  return facts;
}

// A dimension that crossed `critical` 3 hours ago, from a healthy level (a new symptom).
void AddCriticalRise(PlaybookFacts& facts, const std::string& name, double before, double now,
                     double warning, double critical) {
  DimensionFact dim;
  dim.name = name;
  dim.unit = "%";
  dim.state = "critical";
  dim.latest = now;
  dim.avg = now;
  dim.max = now;
  dim.baseline_avg = before;
  dim.warning = warning;
  dim.critical = critical;
  dim.change = ChangePointFact{kNow - hours(3), now > before, before, now, 3};
  facts.metrics.dimensions[name] = dim;
}

void AddUpgrade(PlaybookFacts& facts, TimePoint started) {
  OperationFact op;
  op.operation_id = "op-1";
  op.type = "UPGRADE";
  op.actor = "alice";
  op.result = "SUCCESS";
  op.started_at = started;
  op.parameters = Json{{"from_version", "3.3.1"}, {"to_version", "3.3.2"}};
  facts.operations.operations.push_back(op);
}

Report DiagnoseFacts(const PlaybookFacts& facts) {
  const Assessment assessment = Assess(facts);
  return Diagnose(facts, assessment, ReadSqlFindings(facts, {}));
}

TEST(PlaybookDecisionOrder, FamiliesAreAskedInTheDocumentedOrder) {
  std::vector<std::string> names;
  for (const auto& family : diagnosis::FamiliesInDecisionOrder()) {
    names.emplace_back(family->Name());
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "insufficient_data", "operation_induced", "node_failure", "account_wide",
                       "known_bug", "disk_capacity", "compaction_backlog", "memory_pressure",
                       "ingestion_failure", "query_errors", "cpu_saturation", "slow_queries",
                       "unmapped_symptom", "volume_collapse", "unmeasured_alert", "alert_noise",
                       "chronic", "healthy"}));
}

TEST(PlaybookDecisionOrder, NothingAbnormalIsHealthy) {
  const Report report = DiagnoseFacts(HealthyCluster());
  EXPECT_EQ(report.root_cause_category, RootCause::kHealthy);
  EXPECT_EQ(report.severity, Severity::kInfo);
  EXPECT_NE(report.root_cause.find("No problem found on c-1"), std::string::npos);
  ASSERT_EQ(report.hypotheses.size(), 1u);
  EXPECT_EQ(report.hypotheses[0].category, RootCause::kHealthy);
  EXPECT_TRUE(report.missing_evidence.empty());
}

TEST(PlaybookDecisionOrder, NoFactsAtAllStillGetsAReport) {
  const Report report = DiagnoseFacts(PlaybookFacts{});
  EXPECT_EQ(report.root_cause_category, RootCause::kInsufficientData);
  EXPECT_EQ(report.severity, Severity::kInfo);
  ASSERT_EQ(report.recommendations.size(), 1u);
  EXPECT_EQ(report.recommendations[0].operation, "none");
}

TEST(PlaybookDecisionOrder, ATelemetryGapComesBeforeEverySymptom) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "alive_be", 100, 75, 100, 90);
  facts.metrics.data_gap_hours = 4;
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kInsufficientData);
  EXPECT_EQ(DiagnoseFacts(facts).severity, Severity::kLow);
}

// Operations first: an upgrade an hour before a node went down explains the node loss.
TEST(PlaybookDecisionOrder, TheUpgradeBeforeANodeLossOutranksIt) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "alive_be", 100, 75, 100, 90);
  AddUpgrade(facts, kNow - hours(4));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced);
  ASSERT_GE(report.hypotheses.size(), 2u);
  EXPECT_EQ(report.hypotheses[1].category, RootCause::kNodeFailure);
}

// An upgrade days before the node loss is innocent: node_failure, with the operation ruled out.
TEST(PlaybookDecisionOrder, AnUpgradeDaysBeforeANodeLossIsRuledOut) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "alive_be", 100, 75, 100, 90);
  AddUpgrade(facts, kNow - hours(50));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure);
  EXPECT_EQ(report.severity, Severity::kCritical);  // 75% alive
  bool operation_ruled_out = false;
  for (const RuledOut& item : report.ruled_out) {
    if (item.category != RootCause::kOperationInduced) continue;
    operation_ruled_out = true;
    EXPECT_NE(item.why.find("UPGRADE at"), std::string::npos) << item.why;
    ASSERT_EQ(item.evidence.size(), 1u);
    EXPECT_EQ(item.evidence[0].tool_call_id, "call_4");
  }
  EXPECT_TRUE(operation_ruled_out);
}

TEST(PlaybookDecisionOrder, TheUpgradeBeforeTheOnsetOutranksTheSymptomsOwnCategory) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  AddUpgrade(facts, kNow - hours(4));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced);
  EXPECT_EQ(report.severity, Severity::kHigh);  // tier B
  ASSERT_FALSE(report.recommendations.empty());
  EXPECT_EQ(report.recommendations[0].operation, "upgrade_version");
  EXPECT_EQ(report.recommendations[0].parameters, (Json{{"to", "3.3.1"}}));
}

TEST(PlaybookDecisionOrder, AnAccountWideCauseOutranksTheUpgrade) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  AddUpgrade(facts, kNow - hours(4));
  facts.siblings.pattern = "account_wide";
  facts.siblings.peers.push_back({"c-2", true, true, "Critical", {"BE Memory Alert"}});
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kAccountWide);
  EXPECT_NE(report.root_cause.find("c-1 and its sibling(s) c-2"), std::string::npos);
}

TEST(PlaybookDecisionOrder, ASiblingThatDoesNotConfirmIsRuledOutAndTheNextFamilyWins) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  AddUpgrade(facts, kNow - hours(4));
  facts.siblings.pattern = "cluster_specific";
  facts.siblings.peers.push_back({"c-2", true, true, "Warning", {"BE Memory Alert"}});
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced);
  EXPECT_NE(report.summary.find("Ruled out: "), std::string::npos) << report.summary;
  bool account_ruled_out = false;
  for (const RuledOut& item : report.ruled_out) {
    if (item.category == RootCause::kAccountWide) {
      account_ruled_out = true;
      ASSERT_FALSE(item.evidence.empty());
      EXPECT_EQ(item.evidence[0].tool_call_id, "call_7");  // the siblings call
    }
  }
  EXPECT_TRUE(account_ruled_out);
}

TEST(PlaybookDecisionOrder, WithoutTheUpgradeTheSymptomsOwnCategoryWins) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure);
  EXPECT_EQ(report.severity, Severity::kHigh);
}

TEST(PlaybookDecisionOrder, AKnownBugOfThisVersionOutranksTheSymptom) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  facts.knowledge.hits.push_back({"Known bug: page cache ignores mem_limit", "release-notes-3.3",
                                  "known_bug", "3.3.5", "BE memory grows past mem_limit.", 1.0});
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug);
  ASSERT_FALSE(report.recommendations.empty());
  EXPECT_EQ(report.recommendations[0].parameters, (Json{{"to", "3.3.5"}}));
}

TEST(PlaybookDecisionOrder, AKnownBugRuledOutByAWorkloadSurgeIsNamedInTheSummary) {
  PlaybookFacts facts = HealthyCluster();
  AddCriticalRise(facts, "be_mem", 60, 95, 80, 90);
  facts.knowledge.hits.push_back({"Known bug: page cache ignores mem_limit", "release-notes-3.3",
                                  "known_bug", "3.3.5", "BE memory grows past mem_limit.", 1.0});
  DimensionFact qps;
  qps.name = "qps";
  qps.unit = "qps";
  qps.state = "healthy";
  qps.latest = 200;
  qps.change = ChangePointFact{kNow - hours(3), true, 100, 200, 3};
  facts.metrics.dimensions["qps"] = qps;
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure);
  EXPECT_NE(report.summary.find("known_bug (\"page cache ignores mem_limit\" applies, but the "
                                "workload grew: QPS x2.0)"),
            std::string::npos)
      << report.summary;
}

TEST(PlaybookDecisionOrder, AlertsWithoutASymptomAreNoise) {
  PlaybookFacts facts = HealthyCluster();
  AlertFact alert;
  alert.name = "BE CPU Alert";
  alert.firing = 6;
  alert.resolved = 6;
  alert.episodes = 6;
  alert.currently_firing = true;
  alert.flapping = true;
  alert.firing_since = kNow - hours(1);
  facts.alerts.alerts.push_back(alert);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kAlertNoise);
  EXPECT_EQ(report.severity, Severity::kInfo);
  ASSERT_FALSE(report.recommendations.empty());
  EXPECT_EQ(report.recommendations[0].operation, "silence_alert");
}

TEST(PlaybookDecisionOrder, ASymptomThatWasAlreadyThereAWeekAgoIsChronic) {
  PlaybookFacts facts = HealthyCluster();
  DimensionFact disk;
  disk.name = "disk";
  disk.unit = "%";
  disk.state = "warning";
  disk.latest = 82;
  disk.baseline_avg = 81;
  disk.warning = 80;
  disk.critical = 90;
  facts.metrics.dimensions["disk"] = disk;
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kDiskCapacity);
  EXPECT_EQ(report.severity, Severity::kLow);
  EXPECT_NE(report.root_cause.find("a standing condition"), std::string::npos);
}

}  // namespace
}  // namespace rh::agent::internal
