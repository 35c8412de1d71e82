// The playbook's reasoning on hand-built facts, following how StarRocks fails: ranked
// hypotheses with evidence for and against, causes ruled out, operations first, a flapping
// critical node alert as a node failure, FE loss, a volume collapse, and a known bug blamed only
// when the cluster's version is in its affected range and its effect is the observed symptom.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/internal/playbook_rules.h"
#include "agent/internal/playbook_vocabulary.h"
#include "core/time_format.h"

namespace rh::agent::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kNow = MakeUtcTime(2026, 3, 10, 12) + minutes(5);

PlaybookFacts HealthyCluster(const std::string& version = "3.3.2") {
  PlaybookFacts facts;
  facts.cluster_id = "c-1";
  facts.now = kNow;
  facts.cluster.source = {"call_1", "query_cluster_info", true, ""};
  facts.cluster.cluster_id = "c-1";
  facts.cluster.account_id = "acct-1";
  facts.cluster.tier = "B";
  facts.cluster.version = version;
  facts.cluster.architecture = "shared_nothing";
  facts.cluster.node_groups = {{"FE", 3, 8, "standard", 200, ""},
                               {"BE", 4, 16, "standard", 1000, "PL1"}};
  facts.alerts.source = {"call_2", "query_cluster_alerts", true, ""};
  facts.alerts.window_hours = 48;
  facts.metrics.source = {"call_3", "query_cluster_metrics", true, ""};
  facts.metrics.latest_snapshot = kNow - minutes(5);
  facts.operations.source = {"call_4", "query_cluster_operations", true, ""};
  facts.operations.window_hours = 168;
  facts.knowledge.source = {"call_5", "search_knowledge_lake", true, ""};
  facts.memory.source = {"call_6", "query_agent_memory", true, ""};
  facts.siblings.source = {"call_7", "query_similar_clusters", true, ""};
  facts.siblings.pattern = "no_firing_alerts";
  // Every dimension present and healthy, as the metrics tool reports them.
  for (const char* name : {"alive_be", "cpu", "be_mem", "disk", "query_err", "latency"}) {
    DimensionFact dim;
    dim.name = name;
    dim.unit = "%";
    dim.state = "healthy";
    dim.latest = std::string(name) == "alive_be" ? 100 : 20;
    dim.baseline_avg = dim.latest;
    dim.warning = std::string(name) == "alive_be" ? 99.9 : 70;
    dim.critical = std::string(name) == "alive_be" ? 80 : 90;
    facts.metrics.dimensions[name] = dim;
  }
  return facts;
}

void AddDimension(PlaybookFacts& facts, const std::string& name, const std::string& state,
                  double before, double now, double warning, double critical,
                  TimePoint started = kNow - hours(3)) {
  DimensionFact dim;
  dim.name = name;
  dim.unit = name == "qps" ? "qps" : (name == "load_rate" ? "rows/s" : "%");
  dim.state = state;
  dim.latest = now;
  dim.avg = now;
  dim.max = std::max(now, before);
  dim.baseline_avg = before;
  dim.warning = warning;
  dim.critical = critical;
  if (before != now) dim.change = ChangePointFact{started, now > before, before, now, 3};
  facts.metrics.dimensions[name] = dim;
}

void AddOperation(PlaybookFacts& facts, const std::string& type, const std::string& result,
                  TimePoint started) {
  OperationFact op;
  op.operation_id = "op-" + std::to_string(facts.operations.operations.size() + 1);
  op.type = type;
  op.actor = "alice";
  op.result = result;
  op.started_at = started;
  op.finished_at = started + minutes(20);
  op.parameters = type == "UPGRADE" ? Json{{"from_version", "3.3.1"}, {"to_version", "3.3.2"}}
                                    : Json::object();
  facts.operations.operations.insert(facts.operations.operations.begin(), op);
}

AlertFact Alert(const std::string& name, const std::string& severity, const std::string& detail,
                bool firing, int episodes, TimePoint first, TimePoint last) {
  AlertFact alert;
  alert.name = name;
  alert.severity = severity;
  alert.detail = detail;
  alert.currently_firing = firing;
  alert.episodes = episodes;
  alert.firing = episodes;
  alert.resolved = firing ? episodes - 1 : episodes;
  alert.flapping = episodes >= 3;
  alert.first_seen = first;
  alert.last_seen = last;
  if (firing) alert.firing_since = last;
  return alert;
}

KnowledgeHitFact Bug(const std::string& title, const std::string& fixed_in,
                     const std::string& text) {
  return {"Known bug: " + title, "docs/en/release_notes/release-3.3.md", "known_bug", fixed_in,
          text, 1.0};
}

Report DiagnoseFacts(const PlaybookFacts& facts) {
  const Assessment assessment = Assess(facts);
  return Diagnose(facts, assessment, ReadSqlFindings(facts, {}));
}

bool RuledOutAs(const Report& report, RootCause category, const std::string& words = "") {
  for (const RuledOut& item : report.ruled_out) {
    if (item.category == category && item.why.find(words) != std::string::npos) return true;
  }
  return false;
}

std::string Describe(const Report& report) {
  std::string out = std::string(RootCauseName(report.root_cause_category)) + "/" +
                    std::string(SeverityName(report.severity)) + ": " + report.root_cause;
  for (const RuledOut& item : report.ruled_out) {
    out += "\n  ruled out " + std::string(RootCauseName(item.category)) + ": " + item.why;
  }
  return out;
}

// Every playbook report has valid, ranked reasoning that cites this investigation's calls.
void ExpectSoundReasoning(const Report& report) {
  const std::set<std::string> calls = {"call_1", "call_2", "call_3", "call_4",
                                       "call_5", "call_6", "call_7"};
  ASSERT_FALSE(report.hypotheses.empty());
  EXPECT_EQ(report.hypotheses[0].category, report.root_cause_category);
  EXPECT_DOUBLE_EQ(report.hypotheses[0].likelihood, report.confidence);
  std::set<RootCause> seen;
  for (size_t idx = 0; idx < report.hypotheses.size(); ++idx) {
    const Hypothesis& hypothesis = report.hypotheses[idx];
    EXPECT_EQ(hypothesis.rank, static_cast<int>(idx) + 1);
    EXPECT_TRUE(seen.insert(hypothesis.category).second) << "one hypothesis per category";
    if (idx > 0) {
      EXPECT_LE(hypothesis.likelihood, report.hypotheses[idx - 1].likelihood);
    }
    for (const auto* list : {&hypothesis.evidence_for, &hypothesis.evidence_against}) {
      for (const Evidence& item : *list) EXPECT_TRUE(calls.contains(item.tool_call_id));
    }
  }
  for (const RuledOut& item : report.ruled_out) {
    EXPECT_NE(item.category, report.root_cause_category);
    for (const Evidence& cited : item.evidence) EXPECT_TRUE(calls.contains(cited.tool_call_id));
  }
  // What the report's JSON validator checks, the playbook's own output passes.
  std::vector<std::string> ids(calls.begin(), calls.end());
  auto parsed = ParseReport(ReportToJson(report), ids);
  EXPECT_TRUE(parsed) << parsed.error().ToString();
}

// ---- hypothesis ranking ---------------------------------------------------------------------

TEST(PlaybookReasoning, HypothesesRankTheWinnerFirstAndTheOtherSymptomsAfterIt) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  AddDimension(facts, "latency", "warning", 800, 2500, 2000, 5000, kNow - hours(2));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  ExpectSoundReasoning(report);
  ASSERT_GE(report.hypotheses.size(), 2u);
  const Hypothesis& second = report.hypotheses[1];
  EXPECT_EQ(second.category, RootCause::kSlowQueries);
  EXPECT_LT(second.likelihood, report.hypotheses[0].likelihood);
  ASSERT_FALSE(second.evidence_for.empty());
  EXPECT_NE(second.evidence_for[0].finding.find("query latency p99"), std::string::npos);
  ASSERT_FALSE(second.evidence_against.empty());  // the memory symptom upstream of it
  EXPECT_NE(second.evidence_against[0].finding.find("BE memory usage"), std::string::npos);
  // Excluded with the calls that show it: a node loss, an operation, alert noise, siblings.
  EXPECT_TRUE(RuledOutAs(report, RootCause::kNodeFailure, "every node alive")) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kOperationInduced, "no UPGRADE, SCALE"));
  EXPECT_TRUE(RuledOutAs(report, RootCause::kHealthy));
}

TEST(PlaybookReasoning, AFailedToolIsMissingEvidenceNotAFinding) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  facts.knowledge.source = {"call_5", "search_knowledge_lake", false, "unavailable: lake locked"};
  facts.siblings.source = {"call_7", "query_similar_clusters", false, "internal: timeout"};
  const Report report = DiagnoseFacts(facts);
  ASSERT_EQ(report.missing_evidence.size(), 2u);
  EXPECT_EQ(report.missing_evidence[0],
            "search_knowledge_lake (call_5) failed: unavailable: lake locked");
  EXPECT_EQ(report.missing_evidence[1], "query_similar_clusters (call_7) failed: internal: timeout");
  for (const Evidence& item : report.evidence) EXPECT_NE(item.tool_call_id, "call_7");
}

// ---- raw confidence (before the calibration) -------------------------------------------------

TEST(PlaybookRawConfidence, ACompetingNewSymptomLowersIt) {
  PlaybookFacts alone = HealthyCluster();
  AddDimension(alone, "be_mem", "critical", 60, 95, 80, 90);
  PlaybookFacts contested = alone;
  AddDimension(contested, "latency", "critical", 800, 6000, 2000, 5000, kNow - hours(2));
  AddDimension(contested, "query_err", "critical", 0.5, 12, 5, 10, kNow - hours(2));
  const Report clear = DiagnoseFacts(alone);
  const Report unclear = DiagnoseFacts(contested);
  ASSERT_EQ(clear.root_cause_category, RootCause::kMemoryPressure) << Describe(clear);
  ASSERT_EQ(unclear.root_cause_category, RootCause::kMemoryPressure) << Describe(unclear);
  ASSERT_GE(unclear.hypotheses.size(), 3u);
  EXPECT_LT(unclear.confidence, clear.confidence - 0.05);
}

TEST(PlaybookRawConfidence, AFailedToolLowersIt) {
  PlaybookFacts complete = HealthyCluster();
  AddDimension(complete, "be_mem", "critical", 60, 95, 80, 90);
  PlaybookFacts failed = complete;
  failed.memory.source = {"call_6", "query_agent_memory", false, "unavailable: memory db"};
  const Report full = DiagnoseFacts(complete);
  const Report partial = DiagnoseFacts(failed);
  ASSERT_EQ(partial.root_cause_category, RootCause::kMemoryPressure) << Describe(partial);
  EXPECT_LT(partial.confidence, full.confidence);
  EXPECT_GE(partial.confidence, 0.15);  // the floor
}

// ---- explained and unexplained observations --------------------------------------------------

// The findings cited against the report's own hypothesis as "left unexplained: ...".
std::vector<std::string> LeftUnexplained(const Report& report) {
  std::vector<std::string> out;
  for (const Evidence& item : report.hypotheses.at(0).evidence_against) {
    if (item.finding.starts_with("left unexplained: ")) out.push_back(item.finding);
  }
  return out;
}

TEST(PlaybookUnexplained, AFiringAlertOfAnotherCategoryIsLeftUnexplainedAndLowersIt) {
  PlaybookFacts alone = HealthyCluster();
  AddDimension(alone, "be_mem", "critical", 60, 95, 80, 90);
  alone.alerts.alerts.push_back(Alert("BE Memory Usage High", "critical", "be_mem 95%", true, 1,
                                      kNow - hours(3), kNow - hours(3)));
  PlaybookFacts loose = alone;
  // A disk alert firing while the disk metric is healthy: memory pressure does not explain it.
  loose.alerts.alerts.push_back(Alert("BE Disk Usage High", "warning", "disk 88%", true, 1,
                                      kNow - hours(1), kNow - hours(1)));
  const Report clear = DiagnoseFacts(alone);
  const Report unclear = DiagnoseFacts(loose);
  ASSERT_EQ(clear.root_cause_category, RootCause::kMemoryPressure) << Describe(clear);
  ASSERT_EQ(unclear.root_cause_category, RootCause::kMemoryPressure) << Describe(unclear);
  EXPECT_TRUE(LeftUnexplained(clear).empty()) << clear.summary;
  const std::vector<std::string> left = LeftUnexplained(unclear);
  ASSERT_EQ(left.size(), 1u) << unclear.summary;
  EXPECT_NE(left[0].find("'BE Disk Usage High' firing"), std::string::npos) << left[0];
  EXPECT_EQ(unclear.hypotheses[0].evidence_against[0].tool_call_id, "call_2");
  EXPECT_NE(unclear.summary.find("Left unexplained: 'BE Disk Usage High' firing"),
            std::string::npos)
      << unclear.summary;
  EXPECT_LT(unclear.confidence, clear.confidence - 0.05);
  ExpectSoundReasoning(unclear);
}

TEST(PlaybookUnexplained, ASymptomDownstreamOfTheCauseIsExplained) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  // Queries slow down because memory is exhausted: an effect, not a rival.
  AddDimension(facts, "latency", "critical", 800, 6000, 2000, 5000, kNow - hours(2));
  const Report report = DiagnoseFacts(facts);
  ASSERT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  EXPECT_TRUE(LeftUnexplained(report).empty()) << report.summary;
  EXPECT_EQ(report.summary.find("Left unexplained"), std::string::npos) << report.summary;
}

TEST(PlaybookUnexplained, AResourceSymptomTheCauseDoesNotLeadToIsLeftUnexplained) {
  PlaybookFacts explained = HealthyCluster();
  AddDimension(explained, "disk", "critical", 60, 93, 80, 90);
  PlaybookFacts rival = explained;
  // BE memory exhausted as well: a full disk does not exhaust memory (resources do not follow
  // from one another in the causal order), so the disk verdict leaves it unexplained.
  AddDimension(rival, "be_mem", "critical", 60, 95, 80, 90, kNow - hours(2));
  const Report clean = DiagnoseFacts(explained);
  const Report report = DiagnoseFacts(rival);
  ASSERT_EQ(clean.root_cause_category, RootCause::kDiskCapacity) << Describe(clean);
  ASSERT_EQ(report.root_cause_category, RootCause::kDiskCapacity) << Describe(report);
  EXPECT_TRUE(LeftUnexplained(clean).empty()) << clean.summary;
  const std::vector<std::string> left = LeftUnexplained(report);
  ASSERT_EQ(left.size(), 1u) << report.summary;
  EXPECT_NE(left[0].find(DimensionLabel("be_mem")), std::string::npos) << left[0];
  EXPECT_EQ(report.hypotheses[0].evidence_against[0].tool_call_id, "call_3");
  EXPECT_LT(report.confidence, clean.confidence);
}

TEST(PlaybookUnexplained, AFallbackVerdictSaysSoAndLowersIt) {
  // A standing condition only: the chronic rule, a fallback.
  PlaybookFacts facts = HealthyCluster();
  DimensionFact& disk = facts.metrics.dimensions["disk"];
  disk.state = "warning";
  disk.latest = 82;
  disk.baseline_avg = 81;
  disk.warning = 80;
  disk.critical = 90;
  const Report report = DiagnoseFacts(facts);
  ASSERT_EQ(report.root_cause_category, RootCause::kDiskCapacity) << Describe(report);
  EXPECT_NE(report.summary.find("A fallback rule: nothing new"), std::string::npos)
      << report.summary;
  bool cited = false;
  for (const Evidence& item : report.hypotheses.at(0).evidence_against) {
    if (item.finding.starts_with("a fallback rule: ")) cited = item.tool_call_id == "call_3";
  }
  EXPECT_TRUE(cited);
  EXPECT_LE(report.confidence, 0.3);
  ExpectSoundReasoning(report);
}

// ---- healthy --------------------------------------------------------------------------------

TEST(PlaybookReasoning, AHealthyClusterInvestigatedAdHocIsHealthyAndInfo) {
  PlaybookFacts facts = HealthyCluster();
  facts.question = "Is c-1 all right?";
  AddOperation(facts, "UPGRADE", "SUCCESS", kNow - hours(24 * 5));  // an innocent old change
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kHealthy) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kInfo);
  ExpectSoundReasoning(report);
}

// ---- operations first -----------------------------------------------------------------------

TEST(PlaybookReasoning, AFailedUpgradeBeforeTheFirstAlertOutranksTheNodeSymptom) {
  PlaybookFacts facts = HealthyCluster();
  AddOperation(facts, "UPGRADE", "FAILED", kNow - hours(3) - minutes(30));
  facts.alerts.alerts.push_back(Alert("BE Service Suspension", "critical", "be-2 heartbeat lost",
                                      true, 1, kNow - hours(3), kNow - hours(3)));
  AddDimension(facts, "query_err", "warning", 0.5, 4, 2, 10);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kCritical);  // a lost node after a failed operation
  EXPECT_NE(report.root_cause.find("(which failed)"), std::string::npos) << report.root_cause;
  ExpectSoundReasoning(report);
  // The symptom it explains is the runner-up, not forgotten.
  ASSERT_GE(report.hypotheses.size(), 2u);
  std::set<RootCause> others;
  for (size_t idx = 1; idx < report.hypotheses.size(); ++idx) {
    others.insert(report.hypotheses[idx].category);
  }
  EXPECT_TRUE(others.contains(RootCause::kNodeFailure));
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAlertNoise));
}

TEST(PlaybookReasoning, AConfigUpdateBeforeAnErrorSymptomOutranksIt) {
  PlaybookFacts facts = HealthyCluster();
  AddOperation(facts, "UPDATE", "SUCCESS", kNow - hours(4));
  facts.operations.operations.front().parameters =
      Json{{"scope", "FE"}, {"changes", {{"query_timeout", "5"}}}};
  AddDimension(facts, "query_err", "critical", 0.5, 14, 2, 10);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  ASSERT_FALSE(report.recommendations.empty());
  EXPECT_EQ(report.recommendations[0].operation, "set_config");
  EXPECT_EQ(report.hypotheses.at(1).category, RootCause::kQueryErrors);
}

TEST(PlaybookReasoning, ARestartAfterTheOnsetIsAReactionNotACause) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "alive_be", "critical", 100, 75, 99.9, 80);
  AddOperation(facts, "RESTART", "FAILED", kNow - hours(2) - minutes(30));
  facts.operations.operations.front().parameters = Json{{"node", "be-3"}};
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
}

// ---- flapping -------------------------------------------------------------------------------

TEST(PlaybookReasoning, AFlappingCriticalNodeAlertWithCrashTextIsANodeFailure) {
  PlaybookFacts facts = HealthyCluster();  // the latest hour looks fine between crashes
  facts.alerts.alerts.push_back(Alert("BE crash loop", "critical",
                                      "be-2 exited: SIGSEGV in PrimaryIndex::upsert", false, 7,
                                      kNow - hours(22), kNow - hours(1)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kCritical);
  EXPECT_NE(report.root_cause.find("be-2"), std::string::npos) << report.root_cause;
  EXPECT_NE(report.root_cause.find("crash-looping"), std::string::npos) << report.root_cause;
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAlertNoise, "crash text")) << Describe(report);
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, ACustomBilingualCrashAlertFlappingIsANodeFailure) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("StarRocks BE进程重启", "P1", "BE 节点崩溃 (core dumped)",
                                      false, 4, kNow - hours(20), kNow - hours(3)));
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kNodeFailure);
}

TEST(PlaybookReasoning, AFlappingWarningAlertWithoutCrashTextStaysNoise) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(
      Alert("BE CPU Alert", "warning", "cpu above 90% for 1m", true, 6, kNow - hours(20),
            kNow - minutes(10)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kAlertNoise) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kInfo);
}

TEST(PlaybookReasoning, ANodeAlertThatStoppedFlappingDaysAgoIsNotANodeFailure) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("BE crash loop", "critical", "SIGSEGV", false, 5,
                                      kNow - hours(46), kNow - hours(40)));
  EXPECT_NE(DiagnoseFacts(facts).root_cause_category, RootCause::kNodeFailure);
}

// ---- a node lost to memory ------------------------------------------------------------------

TEST(PlaybookReasoning, AnOomKilledNodeIsMemoryPressureNotANodeFailure) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "critical", 46, 98, 80, 90, kNow - hours(20));
  AddDimension(facts, "alive_be", "warning", 100, 85, 99.9, 80, kNow - hours(16));
  facts.alerts.alerts.push_back(Alert(
      "BE Service Suspension", "critical",
      "BE be-1 was killed: Out of memory: Killed process (starrocks_be); restarted by supervisor",
      false, 17, kNow - hours(20), kNow - minutes(40)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  EXPECT_NE(report.root_cause.find("OOM-killed"), std::string::npos) << report.root_cause;
  ExpectSoundReasoning(report);
  ASSERT_GE(report.hypotheses.size(), 2u);
  EXPECT_EQ(report.hypotheses[1].category, RootCause::kNodeFailure);
}

TEST(PlaybookReasoning, MemoryCriticalHoursBeforeTheNodeWentDownIsTheCause) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "critical", 46, 96, 80, 90, kNow - hours(10));
  AddDimension(facts, "alive_be", "critical", 100, 75, 99.9, 80, kNow - hours(4));
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kMemoryPressure);
}

TEST(PlaybookReasoning, MemoryRisingAfterTheNodeLossIsItsEffect) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "alive_be", "critical", 100, 75, 99.9, 80, kNow - hours(6));
  AddDimension(facts, "be_mem", "critical", 46, 92, 80, 90, kNow - hours(5));  // survivors
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kNodeFailure);
}

// ---- intermittent symptoms --------------------------------------------------------------------

TEST(PlaybookReasoning, AFlappingDiskAlertOverIntermittentlySlowQueriesIsNotNoise) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("Disk Load Alert", "warning",
                                      "disk IO util 96.0% > 90% on be-3; ESSD throughput throttled",
                                      false, 7, kNow - hours(13), kNow - minutes(45)));
  // Healthy this hour, but 630 -> 6030 ms since a change point 15 h ago (warning 5000).
  AddDimension(facts, "latency", "healthy", 630, 6030, 5000, 15000, kNow - hours(15));
  facts.metrics.dimensions["latency"].latest = 2169;
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kSlowQueries) << Describe(report);
  EXPECT_NE(report.summary.find("intermittently over its warning threshold"), std::string::npos)
      << report.summary;
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAlertNoise));
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, RepeatedEpisodesOverWarningAreASymptomOneSpikeIsNot) {
  PlaybookFacts facts = HealthyCluster();
  DimensionFact& heap = facts.metrics.dimensions["be_mem"];
  heap.worst_state = "critical";
  heap.max = 95;
  heap.p95 = 88;  // several hours over the warning threshold (70)
  heap.baseline_avg = 40;
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kMemoryPressure);
  heap.p95 = 45;  // one spike
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
}

TEST(PlaybookReasoning, AResolvedFeAlertWithErrorsStartingTheSameHourIsAnFeLoss) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("FE Service Suspension", "critical",
                                      "FE follower fe-2 is not alive (heartbeat lost)", false, 2,
                                      kNow - hours(3), kNow - hours(2) - minutes(40)));
  AddDimension(facts, "query_err", "warning", 0.015, 0.17, 0.1, 2, kNow - hours(3));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  // Without a symptom at the same time, a resolved pair of FE alerts is no node loss.
  PlaybookFacts quiet = HealthyCluster();
  quiet.alerts.alerts = facts.alerts.alerts;
  EXPECT_NE(DiagnoseFacts(quiet).root_cause_category, RootCause::kNodeFailure);
}

// ---- telemetry -------------------------------------------------------------------------------

TEST(PlaybookReasoning, PatchyTelemetryCannotCertifyAClusterHealthy) {
  PlaybookFacts facts = HealthyCluster();
  facts.metrics.window_hours = 24;
  for (auto& [name, dim] : facts.metrics.dimensions) dim.samples = 16;
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kInsufficientData) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kLow);
  EXPECT_NE(report.root_cause.find("8 of the last 24 hours"), std::string::npos);
  for (auto& [name, dim] : facts.metrics.dimensions) dim.samples = 23;  // one hour missing
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
}

// The latest hour or two missing: the metrics before the gap cannot clear what fired since.
TEST(PlaybookReasoning, ARecentGapWithAFiringAlertIsNotHealthy) {
  PlaybookFacts facts = HealthyCluster();
  facts.metrics.latest_snapshot = kNow - hours(1) - minutes(5);
  facts.metrics.data_gap_hours = 1;
  facts.alerts.alerts.push_back(Alert("Query Latency Alert", "critical", "p95 above 5 s", true,
                                      1, kNow - minutes(40), kNow - minutes(40)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kInsufficientData) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kLow);
  EXPECT_NE(report.root_cause.find("'Query Latency Alert' is firing"), std::string::npos)
      << report.root_cause;
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, ARecentGapOnAClusterScoredCriticalIsNotHealthy) {
  PlaybookFacts facts = HealthyCluster();
  facts.metrics.latest_snapshot = kNow - hours(2) - minutes(5);
  facts.metrics.data_gap_hours = 2;
  facts.cluster.risk_level = "Critical";
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kInsufficientData);
  facts.cluster.risk_level = "Healthy";  // nothing says there is trouble in the missing hours
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
}

TEST(PlaybookReasoning, ARecentGapDoesNotHideASymptomTheMetricsAlreadyShow) {
  PlaybookFacts facts = HealthyCluster();
  facts.metrics.latest_snapshot = kNow - hours(1) - minutes(5);
  facts.metrics.data_gap_hours = 1;
  facts.cluster.risk_level = "Critical";
  AddDimension(facts, "disk", "critical", 60, 93, 80, 90);
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kDiskCapacity);
}

// ---- alerts about what the metrics do not measure --------------------------------------------

TEST(PlaybookReasoning, AnAlertAboutWhatNoDimensionMeasuresIsNotNoise) {
  const std::vector<std::pair<std::string, RootCause>> cases = {
      {"Root Path Capacity Alert", RootCause::kDiskCapacity},
      {"CheckPoint Failure Alert", RootCause::kMemoryPressure},
      {"FE Metadata Disk Capacity Alert", RootCause::kMemoryPressure},
      {"Cumulative Compaction Failure Alert", RootCause::kCompactionBacklog},
      {"Materialized View Refresh Exception Alert", RootCause::kIngestionFailure},
      {"User Connection Limit Exceeded Alert", RootCause::kQueryErrors},
      {"物化视图刷新失败", RootCause::kIngestionFailure},
      // Waits that leave the CPU idle: the query queue, object storage, the data cache.
      {"Query Queue Pending Alert", RootCause::kSlowQueries},
      {"S3 Throttling (503 Slow Down)", RootCause::kSlowQueries},
      {"Data Cache Hit Ratio Low", RootCause::kSlowQueries}};
  for (const auto& [name, category] : cases) {
    PlaybookFacts facts = HealthyCluster();
    facts.cluster.tier = "A";
    facts.alerts.alerts.push_back(
        Alert(name, "warning", "", true, 1, kNow - hours(6), kNow - hours(5)));
    const Report report = DiagnoseFacts(facts);
    EXPECT_EQ(report.root_cause_category, category) << name << ": " << Describe(report);
    EXPECT_EQ(report.severity, Severity::kHigh) << name;  // tier A
    ExpectSoundReasoning(report);
  }
  // A failure-event rule fires and resolves with every failure: repeating until an hour ago is
  // the failures going on, not noise; the same alert that stopped a day ago is history.
  PlaybookFacts repeating = HealthyCluster();
  repeating.alerts.alerts.push_back(Alert("Materialized View Refresh Exception Alert", "warning",
                                          "", false, 5, kNow - hours(20), kNow - hours(1)));
  EXPECT_EQ(DiagnoseFacts(repeating).root_cause_category, RootCause::kIngestionFailure);
  repeating.alerts.alerts.back().last_seen = kNow - hours(30);
  EXPECT_NE(DiagnoseFacts(repeating).root_cause_category, RootCause::kIngestionFailure);
  // A level rule that flaps (I/O load, connections over a threshold set too tight) is noise.
  for (const char* name : {"Disk Load Alert", "User Connection Limit Exceeded Alert"}) {
    PlaybookFacts flapping = HealthyCluster();
    flapping.alerts.alerts.push_back(
        Alert(name, "warning", "", true, 6, kNow - hours(20), kNow - minutes(10)));
    EXPECT_EQ(DiagnoseFacts(flapping).root_cause_category, RootCause::kAlertNoise) << name;
  }
  EXPECT_TRUE(FailureEventAlert("Cumulative Compaction Failure Alert"));
  EXPECT_FALSE(FailureEventAlert("Root Path Capacity Alert"));
  // An alert whose quantity the metrics measure, and show healthy, stays noise.
  PlaybookFacts measured = HealthyCluster();
  measured.alerts.alerts.push_back(
      Alert("Data Disk Capacity Alert", "warning", "", true, 1, kNow - hours(6), kNow - hours(5)));
  EXPECT_EQ(DiagnoseFacts(measured).root_cause_category, RootCause::kAlertNoise);
}

TEST(PlaybookVocabularyAlerts, OfficialCustomAndChineseAlertNamesMapToTheirDimension) {
  EXPECT_EQ(AlertDimension("Loading Failure Alert"), "txn_failed");
  EXPECT_EQ(AlertDimension("[P2] load failed"), "txn_failed");
  EXPECT_EQ(AlertDimension("导入失败告警"), "txn_failed");
  EXPECT_EQ(AlertDimension("[P2] tablet version count high"), "compaction");
  EXPECT_EQ(AlertDimension("Tablet版本数过多"), "compaction");
  EXPECT_EQ(AlertDimension("内存使用率过高"), "be_mem");
  EXPECT_EQ(AlertDimension("[PROD] BE Mem"), "be_mem");
  EXPECT_EQ(AlertDimension("[PROD] Backends Status"), "alive_be");
  EXPECT_EQ(AlertDimension("查询延迟过高"), "latency");
  EXPECT_EQ(AlertDimension("查询失败率告警"), "query_err");
  EXPECT_EQ(AlertDimension("Root Path Capacity Alert"), "disk");
  // The FE's metadata disk is not the BE data disk: it fills when checkpoints fail.
  EXPECT_EQ(AlertDimension("FE Metadata Disk Capacity Alert"), "fe_heap");
  EXPECT_EQ(AlertDimension("CheckPoint Failure Alert"), "fe_heap");
  EXPECT_EQ(AlertDimension("Data Disk Capacity Alert"), "disk");
  EXPECT_EQ(AlertDimension("Disk Load Alert"), "latency");  // I/O saturation: slow queries
  EXPECT_EQ(AlertDimension("High FE JVM Usage Alert"), "fe_heap");
  EXPECT_EQ(AlertDimension("team dashboard refresh"), "");
  EXPECT_FALSE(UnmeasuredAlertCategory("Data Disk Capacity Alert"));
  EXPECT_FALSE(UnmeasuredAlertCategory("BE CPU Alert"));
  EXPECT_EQ(UnmeasuredAlertCategory("Disk Load Alert"), RootCause::kSlowQueries);
}

// ---- confidence: what the diagnosis leaves unexplained ---------------------------------------

TEST(PlaybookRawConfidence, AFiringAlertOfAnotherCategoryIsARivalAndLowersIt) {
  PlaybookFacts alone = HealthyCluster();
  AddDimension(alone, "latency", "critical", 800, 6000, 2000, 5000);
  PlaybookFacts contested = alone;
  // Upstream of latency, and not explained by it.
  contested.alerts.alerts.push_back(Alert("Data Disk Capacity Alert", "critical", "", true, 1,
                                          kNow - hours(3), kNow - hours(3)));
  const Report clear = DiagnoseFacts(alone);
  const Report unclear = DiagnoseFacts(contested);
  ASSERT_EQ(clear.root_cause_category, RootCause::kSlowQueries) << Describe(clear);
  ASSERT_EQ(unclear.root_cause_category, RootCause::kSlowQueries) << Describe(unclear);
  EXPECT_LT(unclear.confidence, clear.confidence);
  bool rival = false;
  for (const Hypothesis& hypothesis : unclear.hypotheses) {
    if (hypothesis.category == RootCause::kDiskCapacity) rival = true;
  }
  EXPECT_TRUE(rival) << Describe(unclear);
  ExpectSoundReasoning(unclear);
  // An alert downstream of the winner is its effect, not a rival: memory explains latency.
  PlaybookFacts downstream = HealthyCluster();
  AddDimension(downstream, "be_mem", "critical", 60, 95, 80, 90);
  downstream.alerts.alerts.push_back(Alert("Query Latency Alert", "critical", "", true, 1,
                                           kNow - hours(2), kNow - hours(2)));
  const Report effect = DiagnoseFacts(downstream);
  ASSERT_EQ(effect.root_cause_category, RootCause::kMemoryPressure) << Describe(effect);
  for (const Hypothesis& hypothesis : effect.hypotheses) {
    EXPECT_NE(hypothesis.category, RootCause::kSlowQueries) << Describe(effect);
  }
}

TEST(PlaybookRawConfidence, AlertNoiseOnAClusterScoredCriticalIsLessSure) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("BE CPU Alert", "warning", "cpu above 90% for 1m", true, 6,
                                      kNow - hours(20), kNow - minutes(10)));
  facts.cluster.risk_level = "Healthy";
  const Report agreed = DiagnoseFacts(facts);
  facts.cluster.risk_level = "Critical";
  const Report disputed = DiagnoseFacts(facts);
  ASSERT_EQ(disputed.root_cause_category, RootCause::kAlertNoise) << Describe(disputed);
  EXPECT_LT(disputed.confidence, agreed.confidence);
  EXPECT_NE(disputed.summary.find("the health score says Critical"), std::string::npos);
}

// ---- a regression under the thresholds after an operation -----------------------------------

TEST(PlaybookReasoning, ASubThresholdRegressionRightAfterAScaleInIsOperationInduced) {
  PlaybookFacts facts = HealthyCluster();
  AddOperation(facts, "SCALE", "SUCCESS", kNow - hours(5) - minutes(40));
  facts.operations.operations.front().parameters =
      Json{{"node_type", "BE"}, {"from_count", 11}, {"to_count", 9}};
  AddDimension(facts, "latency", "healthy", 1160, 2390, 5000, 15000, kNow - hours(5));
  AddDimension(facts, "cpu", "healthy", 17, 32, 55, 70, kNow - hours(5));
  // Noise near zero earlier that day is no regression (and no earlier onset).
  AddDimension(facts, "txn_failed", "healthy", 0.18, 0.33, 5, 50, kNow - hours(15));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  EXPECT_NE(report.root_cause.find("under the alert thresholds"), std::string::npos)
      << report.root_cause;
  ASSERT_FALSE(report.recommendations.empty());
  EXPECT_EQ(report.recommendations[0].operation, "scale_be_nodes");
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, ASubThresholdRegressionWithoutAnOperationIsNoIncident) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "latency", "healthy", 1160, 2390, 5000, 15000, kNow - hours(5));
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
  AddOperation(facts, "SCALE", "SUCCESS", kNow - hours(40));  // days before: innocent
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
}

// ---- FE loss --------------------------------------------------------------------------------

TEST(PlaybookReasoning, AnFeFollowerDownIsANodeFailureNotQueryErrors) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("FE follower down", "critical",
                                      "fe-2 (FOLLOWER) not alive for 3h", true, 1,
                                      kNow - hours(3), kNow - hours(3)));
  AddDimension(facts, "qps", "healthy", 400, 250, 3, 6);
  AddDimension(facts, "query_err", "warning", 0.5, 4, 2, 10);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  EXPECT_NE(report.root_cause.find("fe-2"), std::string::npos) << report.root_cause;
  EXPECT_NE(report.root_cause.find("FE quorum"), std::string::npos);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAlertNoise));
  ExpectSoundReasoning(report);
  ASSERT_GE(report.hypotheses.size(), 2u);
  EXPECT_EQ(report.hypotheses[1].category, RootCause::kQueryErrors);
}

TEST(PlaybookReasoning, TheOfficialFeSuspensionAlertIsAnFeLoss) {
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("FE Service Suspension", "warning", "", true, 1,
                                      kNow - hours(5), kNow - hours(5)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  EXPECT_NE(report.root_cause.find("an FE node"), std::string::npos) << report.root_cause;
}

// ---- volume collapse ------------------------------------------------------------------------

TEST(PlaybookReasoning, ALoadRateCollapseIsAnIngestionFailure) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "load_rate", "healthy", 50000, 300, 3, 6);
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kIngestionFailure) << Describe(report);
  EXPECT_EQ(report.severity, Severity::kHigh);
  EXPECT_NE(report.root_cause.find("collapsed"), std::string::npos);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kHealthy, "volume collapsed"));
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, AModestDropInLoadIsNotACollapse) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "load_rate", "healthy", 50000, 30000, 3, 6);
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kHealthy);
}

// ---- known bugs: version range and symptom agreement ----------------------------------------

TEST(KnownBugApplicability, TheVersionMustBeInsideTheAffectedRange) {
  EXPECT_EQ(VersionAffected("3.3.2", "3.3.5"), true);
  EXPECT_EQ(VersionAffected("3.3.5", "3.3.5"), false);  // the fixing version has the fix
  EXPECT_EQ(VersionAffected("3.3.9", "3.3.5"), false);
  EXPECT_EQ(VersionAffected("3.2.11", "3.3.6,3.2.12"), true);  // the fix on its own line
  EXPECT_EQ(VersionAffected("3.2.12", "3.3.6,3.2.12"), false);
  EXPECT_EQ(VersionAffected("3.3.10", "3.3.9"), false);  // numbers, not text
  EXPECT_EQ(VersionAffected("3.3.2", "3.2.9"), std::nullopt);  // no fix on the 3.3 line
  EXPECT_EQ(VersionAffected("3.3", "3.3.5"), true);
  EXPECT_EQ(VersionAffected("", "3.3.5"), std::nullopt);
  EXPECT_EQ(VersionAffected("3.3.2", ""), std::nullopt);
  EXPECT_EQ(VersionAffected("3.3.2-rc1", "3.3.5"), true);
}

TEST(KnownBugApplicability, TheBugsEffectMustBeTheObservedSymptom) {
  EXPECT_EQ(BugEffectDimension("be memory grows past mem_limit because the page cache ignores "
                               "it"),
            "be_mem");
  EXPECT_EQ(BugEffectDimension("be crashes with sigsegv when a primary key table is compacted"),
            "alive_be");
  EXPECT_EQ(BugEffectDimension("routine load jobs pause after a kafka rebalance"), "txn_failed");
  // Shares words with failing queries; describes a wrong metric value, not failing queries.
  const std::string metric_bug = Lower(
      "Incorrect calculation logic for query error rate monitoring metrics (Internal/Analysis/"
      "Timeout error rate), resulting in negative values.");
  EXPECT_TRUE(MetricArtifact(metric_bug));
  EXPECT_EQ(BugEffectDimension(metric_bug), "");
  EXPECT_FALSE(MetricArtifact("queries fail with 'memory exceed limit' on large joins"));
}

TEST(KnownBugApplicability, BugAppliesNeedsBothTheRangeAndTheSymptom) {
  const KnowledgeHitFact leak =
      Bug("PageCache over its limit (#37740)", "3.2.3,3.1.7",
          "BE memory keeps growing because the page cache ignores mem_limit.");
  std::string why;
  EXPECT_TRUE(BugApplies(leak, "3.2.1", "be_mem", &why)) << why;
  EXPECT_FALSE(BugApplies(leak, "3.2.3", "be_mem", &why));
  EXPECT_NE(why.find("already has the fix"), std::string::npos) << why;
  EXPECT_FALSE(BugApplies(leak, "3.3.0", "be_mem", &why));
  EXPECT_NE(why.find("lists no fix on the 3.3.0 line"), std::string::npos) << why;
  EXPECT_FALSE(BugApplies(leak, "3.2.1", "query_err", &why));
  EXPECT_NE(why.find("causes BE memory usage, not the observed query error rate"),
            std::string::npos)
      << why;
}

TEST(KnownBugApplicability, AMetricBugIsNotBlamedForRealQueryFailures) {
  PlaybookFacts facts = HealthyCluster("3.3.20");
  AddDimension(facts, "query_err", "critical", 0.5, 18, 2, 10);
  facts.knowledge.hits.push_back(
      Bug("Incorrect query error rate metric (#65891)", "3.3.21",
          "Incorrect calculation logic for query error rate monitoring metrics "
          "(Internal/Analysis/Timeout error rate), resulting in negative values."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kQueryErrors) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "monitoring metric")) << Describe(report);
  for (const RuledOut& item : report.ruled_out) {
    if (item.category == RootCause::kKnownBug) {
      ASSERT_EQ(item.evidence.size(), 1u);
      EXPECT_EQ(item.evidence[0].tool_call_id, "call_5");
    }
  }
}

TEST(KnownBugApplicability, ABugSharingWordsButCausingSomethingElseIsRuledOut) {
  PlaybookFacts facts = HealthyCluster("3.3.2");
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  // "memory" and "page cache" in common; its effect is a crash, not memory growth.
  facts.knowledge.hits.push_back(
      Bug("BE crash reading page cache memory statistics", "3.3.5",
          "BE crashes when SHOW PROC reads the page cache memory statistics."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "causes alive BE ratio")) << Describe(report);
}

TEST(KnownBugApplicability, ABeMemoryBugDoesNotExplainTheFeHeap) {
  const KnowledgeHitFact page_cache =
      Bug("PageCache memory exceeds storage_page_cache_limit", "3.3.9",
          "BE memory keeps growing past mem_limit because the page cache ignores its limit.");
  std::string why;
  EXPECT_TRUE(BugApplies(page_cache, "3.3.2", "be_mem", &why)) << why;
  EXPECT_TRUE(BugApplies(page_cache, "3.3.2", "jvm_heap", &why)) << why;  // the same process
  EXPECT_FALSE(BugApplies(page_cache, "3.3.2", "fe_heap", &why));
  EXPECT_NE(why.find("causes BE memory usage, not the observed FE JVM heap"), std::string::npos)
      << why;
}

TEST(KnownBugApplicability, ABugFixedBeforeThisVersionIsRuledOut) {
  PlaybookFacts facts = HealthyCluster("3.3.8");
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  facts.knowledge.hits.push_back(Bug("page cache ignores mem_limit", "3.3.5",
                                     "BE memory grows past mem_limit."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "already has the fix"));
}

TEST(KnownBugApplicability, ABugInRangeWithTheSameEffectIsBlamed) {
  PlaybookFacts facts = HealthyCluster("3.3.2");
  AddDimension(facts, "be_mem", "critical", 60, 95, 80, 90);
  facts.knowledge.hits.push_back(Bug("page cache ignores mem_limit", "3.3.5,3.2.12",
                                     "BE memory grows past mem_limit."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug) << Describe(report);
  ExpectSoundReasoning(report);
}

// ---- known bugs on real release-note text -----------------------------------------------------
// The fixtures are sentences of the StarRocks release notes (../shared/data/starrocks/
// known_bugs.jsonl, with their PR numbers), the text a deployment's Knowledge Lake holds.

TEST(KnownBugEffect, ReadsTheEffectAsReleaseNotesWordIt) {
  struct Case {
    std::string text, dimension, process;
  };
  const std::vector<Case> cases = {
      {"Memory leaks in `INSERT` tasks.", "be_mem", "BE"},  // #53809
      {"FE OOM caused by incorrect `UNION` execution plans.", "fe_heap", "FE"},  // #59040
      {"Incorrect UNION plan causing FE out-of-memory (OOM).", "fe_heap", "FE"},
      {"Leader FE's heap size increases quickly as many Stream Load jobs using "
       "non-transactional interface finishes.",
       "fe_heap", "FE"},
      // The FE is named, but the OOM is the BEs'.
      {"During tablet migration between SSDs and HDDs, if the FE sends excessive migration tasks "
       "to BEs, BEs will encounter OOM issues.",
       "be_mem", "BE"},
      {"The memory consumption by PageCache exceeds the threshold specified by the BE dynamic "
       "parameter `storage_page_cache_limit` in certain circumstances.",  // #37740
       "be_mem", "BE"},
      {"BEs crash when libcurl is invoked.", "alive_be", "BE"},
      {"There is a low probability that an FE restart may cause BEs to crash.", "alive_be", "BE"},
      {"Under high-frequency loading scenarios, Compaction could be delayed.", "compaction",
       ""},  // #59998
      {"Base Compaction tasks blocking other compaction tasks.", "compaction", ""},
      {"Routine Load tasks were canceled due to expired transactions (now tasks are canceled "
       "only if the database or table no longer exists).",  // #50334
       "txn_failed", ""},
      {"In shared-data mode, the garbage collection and thread eviction mechanisms for handling "
       "persistent indexes created on Primary Key tables cannot take effect on CN nodes. As a "
       "result, obsolete data cannot be deleted.",
       "disk", ""},
      {"Query fails when BE nodes are in suspended animation.", "query_err", ""},
      {"After a follower FE is restarted, CpuCores statistics are not up-to-date, resulting in "
       "query performance degradation.",
       "latency", ""},
  };
  for (const Case& c : cases) {
    const BugEffect effect = ReadBugEffect(c.text);
    EXPECT_EQ(effect.dimension, c.dimension) << c.text;
    EXPECT_EQ(effect.process, c.process) << c.text;
    EXPECT_EQ(effect.not_a_defect, "") << c.text;
  }
}

TEST(KnownBugEffect, NotesThatShareWordsButDescribeNoSymptom) {
  struct Case {
    std::string text, why;
  };
  const std::vector<Case> cases = {
      {"Incorrect calculation logic for query error rate monitoring metrics (Internal/Analysis/"
       "Timeout error rate), resulting in negative values.",  // #65891
       "monitoring metric"},
      {"`SHOW CREATE ROUTINE LOAD` without explicit DB returned job from another database with "
       "the same name.",  // #62745
       "SHOW/DESC statement"},
      {"Executing `SHOW CREATE ROUTINE LOAD` without specifying a database causes wrong results.",
       "SHOW/DESC statement"},
      {"In a shared-data cluster, running `SHOW PROC '/current_queries'` resulted in the error "
       "\"Error 1064 (HY000): Sending collect query statistics request fails\".",
       "SHOW/DESC statement"},
      {"After users execute ALTER TABLE COMPACT by hand, the memory usage statistics for "
       "compaction operations are abnormal.",
       "how memory usage is counted"},
      {"Memory information is incorrect in the container environment.",
       "how memory usage is counted"},
      {"The query result is incorrect when you query compressed HIVE data.",
       "wrong query results"},
      {"Added FE logs to help diagnose FE out-of-memory (OOM) issues.", "feature or an improvement"},
      {"Supports adaptive phased scheduling to alleviate OOM issues caused by complex queries.",
       "feature or an improvement"},
  };
  for (const Case& c : cases) {
    const BugEffect effect = ReadBugEffect(c.text);
    EXPECT_EQ(effect.dimension, "") << c.text;
    EXPECT_NE(effect.not_a_defect.find(c.why), std::string::npos)
        << c.text << ": " << effect.not_a_defect;
  }
  // An improvement that names the defect it removes is still about that defect.
  EXPECT_EQ(BugEffectDimension("Optimized memory allocation and statistics in BE for certain "
                               "complex query scenarios to avoid OOM."),
            "be_mem");
  // Words inside other words do not count: "bloom" holds no OOM (a made-up note).
  EXPECT_NE(BugEffectDimension("Bloom filter index is not used when the predicate is a "
                               "constant."),
            "be_mem");
}

TEST(KnownBugEffect, TriggersTheNotesName) {
  auto has = [](const std::string& text, BugTrigger trigger) {
    const std::vector<BugTrigger> triggers = TriggersIn(text);
    return std::find(triggers.begin(), triggers.end(), trigger) != triggers.end();
  };
  EXPECT_TRUE(has("Under high-frequency loading scenarios, Compaction could be delayed.",
                  BugTrigger::kHighFrequencyLoading));
  EXPECT_TRUE(has("BE crashes due to disk failure.", BugTrigger::kDiskFailure));
  EXPECT_TRUE(has("There is a low probability that an FE restart may cause BEs to crash.",
                  BugTrigger::kRestartOrUpgrade));
  EXPECT_TRUE(has("In shared-data mode, ... obsolete data cannot be deleted.",
                  BugTrigger::kSharedData));
  EXPECT_TRUE(TriggersIn("Memory leaks in `INSERT` tasks.").empty());
  // Both architectures named: neither is a condition.
  EXPECT_TRUE(TriggersIn("Inconsistent information returned by the SHOW PARTITIONS command in "
                         "shared-data clusters and shared-nothing clusters.")
                  .empty());
}

TEST(KnownBugApplicability, TheReleaseNoteVersionRangeDecides) {
  const KnowledgeHitFact insert_leak = Bug("Memory leaks in `INSERT` tasks", "3.3.8",
                                           "Memory leaks in `INSERT` tasks.");
  std::string why;
  EXPECT_TRUE(BugApplies(insert_leak, "3.3.4", "be_mem", &why)) << why;
  EXPECT_TRUE(BugApplies(insert_leak, "3.3.7", "be_mem", &why)) << why;
  EXPECT_FALSE(BugApplies(insert_leak, "3.3.8", "be_mem", &why));
  EXPECT_NE(why.find("already has the fix"), std::string::npos) << why;
  EXPECT_FALSE(BugApplies(insert_leak, "3.4.1", "be_mem", &why));
  EXPECT_NE(why.find("lists no fix on the 3.4.1 line"), std::string::npos) << why;
  // The merged corpus row: one fix listed under three release lines.
  const KnowledgeHitFact page_cache = Bug(
      "The memory consumption by PageCache exceeds the threshold specified by the BE dynamic "
      "parameter `storage_page_cache_limit` in certain circumstances",
      "2.5.19,3.1.7,3.2.3",
      "The memory consumption by PageCache exceeds the threshold specified by the BE dynamic "
      "parameter `storage_page_cache_limit` in certain circumstances.");
  EXPECT_TRUE(BugApplies(page_cache, "3.2.1", "be_mem", &why)) << why;
  EXPECT_TRUE(BugApplies(page_cache, "3.1.6", "be_mem", &why)) << why;
  EXPECT_FALSE(BugApplies(page_cache, "3.2.6", "be_mem", &why));
}

TEST(KnownBugApplicability, AnFeHeapBugDoesNotExplainBeMemoryNorTheReverse) {
  const KnowledgeHitFact union_oom =
      Bug("FE OOM caused by incorrect `UNION` execution plans", "3.4.4",
          "FE OOM caused by incorrect `UNION` execution plans.");
  const KnowledgeHitFact insert_leak = Bug("Memory leaks in `INSERT` tasks", "3.3.8",
                                           "Memory leaks in `INSERT` tasks.");
  std::string why;
  EXPECT_TRUE(BugApplies(union_oom, "3.4.1", "fe_heap", &why)) << why;
  EXPECT_FALSE(BugApplies(union_oom, "3.4.1", "be_mem", &why));
  EXPECT_NE(why.find("causes FE JVM heap, not the observed BE memory usage"), std::string::npos)
      << why;
  EXPECT_FALSE(BugApplies(insert_leak, "3.3.4", "fe_heap", &why));
  EXPECT_NE(why.find("causes BE memory usage, not the observed FE JVM heap"), std::string::npos)
      << why;
}

TEST(KnownBugApplicability, ARoutineLoadDisplayBugIsNotBlamedForFailingLoads) {
  PlaybookFacts facts = HealthyCluster("3.4.3");
  AddDimension(facts, "txn_failed", "critical", 0, 120, 5, 50);
  facts.knowledge.hits.push_back(
      Bug("`SHOW CREATE ROUTINE LOAD` without explicit DB returned job from another database "
          "with the same name",
          "3.4.8",
          "`SHOW CREATE ROUTINE LOAD` without explicit DB returned job from another database "
          "with the same name."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kIngestionFailure) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "SHOW/DESC statement")) << Describe(report);
}

TEST(KnownBugApplicability, ABugIsBlamedOnlyWhenTheTriggerItNamesIsInTheTelemetry) {
  const KnowledgeHitFact delayed =
      Bug("Under high-frequency loading scenarios, Compaction could be delayed", "3.4.5",
          "Under high-frequency loading scenarios, Compaction could be delayed.");
  // Compaction climbing while nothing is loaded: not the bug's scenario.
  PlaybookFacts idle = HealthyCluster("3.4.3");
  AddDimension(idle, "compaction", "critical", 20, 800, 100, 500);
  AddDimension(idle, "load_rate", "healthy", 0, 0, 3, 6);
  idle.knowledge.hits.push_back(delayed);
  Report report = DiagnoseFacts(idle);
  EXPECT_EQ(report.root_cause_category, RootCause::kCompactionBacklog) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "needs loads running at a high rate"))
      << Describe(report);
  // Loads running at their usual rate: the bug applies.
  PlaybookFacts loading = HealthyCluster("3.4.3");
  AddDimension(loading, "compaction", "critical", 20, 800, 100, 500);
  AddDimension(loading, "load_rate", "healthy", 50000, 50000, 3, 6);
  loading.metrics.dimensions["load_rate"].samples = 24;
  loading.knowledge.hits.push_back(delayed);
  report = DiagnoseFacts(loading);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug) << Describe(report);
  ExpectSoundReasoning(report);
}

TEST(KnownBugApplicability, DiskFailureAndArchitectureTriggers) {
  PlaybookFacts facts = HealthyCluster("3.3.4");
  AddDimension(facts, "alive_be", "critical", 100, 75, 99.9, 80);
  facts.knowledge.hits.push_back(
      Bug("BE crashes due to disk failure", "3.3.11", "BE crashes due to disk failure."));
  std::vector<BugVerdict> verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].applies);
  EXPECT_NE(verdicts[0].why_not.find("needs a failed or read-only data disk"), std::string::npos)
      << verdicts[0].why_not;
  facts.alerts.alerts.push_back(Alert("BE Disk Failure", "critical",
                                      "disk /data2 on be-3 is offline: I/O error", true, 1,
                                      kNow - hours(4), kNow - hours(4)));
  verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].applies) << verdicts[0].why_not;

  // A shared-data note on a shared-nothing cluster.
  PlaybookFacts disk = HealthyCluster("3.1.8");
  AddDimension(disk, "disk", "critical", 60, 92, 70, 85);
  disk.knowledge.hits.push_back(
      Bug("In shared-data mode, the garbage collection and thread eviction mechanisms",
          "3.1.10,3.2.5",
          "In shared-data mode, the garbage collection and thread eviction mechanisms for "
          "handling persistent indexes created on Primary Key tables cannot take effect on CN "
          "nodes. As a result, obsolete data cannot be deleted."));
  verdicts = JudgeKnownBugs(disk, Assess(disk));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].applies);
  EXPECT_NE(verdicts[0].why_not.find("needs a shared-data cluster"), std::string::npos)
      << verdicts[0].why_not;
  disk.cluster.architecture = "shared_data";
  verdicts = JudgeKnownBugs(disk, Assess(disk));
  EXPECT_TRUE(verdicts[0].applies) << verdicts[0].why_not;
}

TEST(KnownBugApplicability, AFailureBugNeedsItsConditionInTheErrorText) {
  const KnowledgeHitFact chinese_names =
      Bug("Stream Load failures when the target table name contains Chinese characters",
          "3.3.16",
          "Stream Load failures when the target table name contains Chinese characters.");
  EXPECT_TRUE(FailureEffect(ReadBugEffect(chinese_names.snippet).dimension));
  // Ordinary Stream Load failures (filtered rows): the note's condition is not in their error.
  PlaybookFacts facts = HealthyCluster("3.3.4");
  AddDimension(facts, "txn_failed", "critical", 0, 120, 5, 50);
  facts.alerts.alerts.push_back(Alert("Loading Failure Alert", "critical",
                                      "120 Stream Load transactions failed: too many filtered rows",
                                      true, 1, kNow - hours(3), kNow - hours(3)));
  facts.knowledge.hits.push_back(chinese_names);
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kIngestionFailure) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "error text does not show"))
      << Describe(report);
  // The failures' error names the condition: the bug is the cause.
  facts.alerts.alerts.back().detail =
      "120 Stream Load transactions failed: table name contains Chinese characters";
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug) << Describe(report);
}

TEST(KnownBugApplicability, AMemoryBugNeedsMemoryHeldUntilARestart) {
  const KnowledgeHitFact union_oom =
      Bug("FE OOM caused by incorrect `UNION` execution plans", "3.4.4",
          "FE OOM caused by incorrect `UNION` execution plans.");
  // The FE heap at its limit now: the bug applies.
  PlaybookFacts held = HealthyCluster("3.4.1");
  AddDimension(held, "fe_heap", "critical", 30, 96, 60, 80);
  held.knowledge.hits.push_back(union_oom);
  std::vector<BugVerdict> verdicts = JudgeKnownBugs(held, Assess(held));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].applies) << verdicts[0].why_not;
  // Episodes of a high heap that came back down with no FE loss: garbage collected, not OOM.
  PlaybookFacts released = HealthyCluster("3.4.1");
  AddDimension(released, "fe_heap", "healthy", 38, 60, 60, 80, kNow - hours(6));
  released.metrics.dimensions["fe_heap"].latest = 49;
  released.knowledge.hits.push_back(union_oom);
  const Assessment assessment = Assess(released);
  ASSERT_TRUE(assessment.Primary());
  ASSERT_TRUE(assessment.Primary()->intermittent);
  verdicts = JudgeKnownBugs(released, assessment);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].applies);
  EXPECT_NE(verdicts[0].why_not.find("came back down by itself"), std::string::npos)
      << verdicts[0].why_not;
}

TEST(KnownBugApplicability, ALeakDoesNotRefillWithinHours) {
  PlaybookFacts facts = HealthyCluster("3.3.4");
  AddDimension(facts, "be_mem", "critical", 40, 97, 70, 85);
  facts.knowledge.hits.push_back(
      Bug("Memory leaks in `INSERT` tasks", "3.3.8", "Memory leaks in `INSERT` tasks."));
  std::vector<BugVerdict> verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].applies) << verdicts[0].why_not;
  // The BE OOM-killed and back ten times in the window: the memory refills within hours.
  facts.alerts.alerts.push_back(Alert("BE Service Suspension", "critical", "", false, 10,
                                      kNow - hours(30), kNow - hours(2)));
  verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].applies);
  EXPECT_NE(verdicts[0].why_not.find("refills faster than a leak accumulates"), std::string::npos)
      << verdicts[0].why_not;
}

TEST(KnownBugApplicability, CompactionBugsAndTheirOrdinaryDriver) {
  // "Compaction failures may occur" needs failing compactions, not failing loads.
  const KnowledgeHitFact failures =
      Bug("When data is continuously loaded into a Primary Key table with a sort key specified "
          "at a high frequency, compaction failures may occur",
          "3.0.8",
          "When data is continuously loaded into a Primary Key table with a sort key specified "
          "at a high frequency, compaction failures may occur.");
  PlaybookFacts facts = HealthyCluster("3.0.6");
  AddDimension(facts, "compaction", "critical", 20, 700, 100, 500);
  AddDimension(facts, "txn_failed", "critical", 0, 60, 5, 50);
  facts.knowledge.hits.push_back(failures);
  std::vector<BugVerdict> verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].applies);
  EXPECT_NE(verdicts[0].why_not.find("needs failing compactions"), std::string::npos)
      << verdicts[0].why_not;
  facts.alerts.alerts.push_back(Alert("Cumulative Compaction Failure Alert", "warning", "", true,
                                      1, kNow - hours(3), kNow - hours(3)));
  verdicts = JudgeKnownBugs(facts, Assess(facts));
  EXPECT_TRUE(verdicts[0].applies) << verdicts[0].why_not;

  // A compaction bug that applies, but loads fail with "Too many versions": the loads outpace
  // compaction, the ordinary cause the operations docs name.
  PlaybookFacts versions = HealthyCluster("3.3.7");
  AddDimension(versions, "compaction", "critical", 20, 600, 100, 500);
  versions.knowledge.hits.push_back(Bug("Base Compaction tasks blocking other compaction tasks",
                                        "3.3.17",
                                        "Base Compaction tasks blocking other compaction tasks."));
  Report report = DiagnoseFacts(versions);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug) << Describe(report);
  versions.alerts.alerts.push_back(
      Alert("Loading Failure Alert", "critical",
            "80 load transactions failed in the last hour: Too many versions", true, 1,
            kNow - hours(2), kNow - hours(2)));
  report = DiagnoseFacts(versions);
  EXPECT_EQ(report.root_cause_category, RootCause::kCompactionBacklog) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kKnownBug, "Too many versions")) << Describe(report);
}

TEST(KnownBugEffect, TheResolutionIsNotPartOfTheBug) {
  // The starter note of #53809: its workaround restarts BEs; that is no trigger of the bug.
  const std::string note =
      "Fixed in 3.3.8, StarRocks PR #53809: \"Memory leaks in INSERT tasks.\" What it looks "
      "like: BE memory grows with every INSERT INTO ... SELECT job. Resolution: upgrade to 3.3.8 "
      "or later. Meanwhile schedule rolling BE restarts.";
  EXPECT_TRUE(TriggersIn(note).empty());
  EXPECT_EQ(BugEffectDimension(note), "be_mem");
  // The FE's own components name the FE.
  EXPECT_EQ(BugEffectDimension("High memory usage in CatalogRecycleBin due to retaining deleted "
                               "partition information."),
            "fe_heap");
  // How memory is counted is not memory used.
  EXPECT_NE(ReadBugEffect("Duplicate memory statistics in FE leads to excessive memory usage.")
                .not_a_defect.find("counted"),
            std::string::npos);
}

TEST(KnownBugApplicability, TheMostSpecificBugIsBlamedAndTheOthersRuledOut) {
  PlaybookFacts facts = HealthyCluster("3.3.4");
  AddDimension(facts, "fe_heap", "critical", 40, 93, 60, 80);
  AddDimension(facts, "load_rate", "healthy", 50000, 52000, 3, 6);
  facts.metrics.dimensions["load_rate"].samples = 24;
  // Both in range and both the FE heap; the second names a condition the telemetry confirms
  // (Stream Load jobs running), the first one none it can check (UNION plans). (The second
  // note was fixed in 3.3.0; its fixing versions are moved here to put 3.3.4 in range.)
  facts.knowledge.hits.push_back(Bug("Incorrect UNION plan causing FE out-of-memory (OOM)",
                                     "3.3.15",
                                     "Incorrect UNION plan causing FE out-of-memory (OOM)."));
  facts.knowledge.hits.push_back(
      Bug("Leader FE's heap size increases quickly as many Stream Load jobs using "
          "non-transactional interface finishes",
          "3.3.9,3.2.14",
          "Leader FE's heap size increases quickly as many Stream Load jobs using "
          "non-transactional interface finishes."));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kKnownBug) << Describe(report);
  EXPECT_NE(report.root_cause.find("Stream Load"), std::string::npos) << report.root_cause;
  // Both apply; the one whose condition the telemetry confirms ranks first.
  const std::vector<BugVerdict> verdicts = JudgeKnownBugs(facts, Assess(facts));
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].hit, &facts.knowledge.hits[1]);
  EXPECT_TRUE(verdicts[1].applies);
  EXPECT_GT(verdicts[0].specificity, verdicts[1].specificity);
  EXPECT_EQ(BugCandidate(facts, Assess(facts)), &facts.knowledge.hits[1]);
  ExpectSoundReasoning(report);
}

// ---- the knowledge query --------------------------------------------------------------------

TEST(PlaybookKnowledgeQuery, SearchesKnownBugsOfThisVersionWithoutTheAlertName) {
  PlaybookFacts facts = HealthyCluster("3.3.2");
  AddDimension(facts, "query_err", "critical", 0.5, 18, 2, 10);
  facts.alerts.alerts.push_back(Alert("Query Failure Alert: error rate metric", "critical", "",
                                      true, 1, kNow - hours(3), kNow - hours(3)));
  const Assessment assessment = Assess(facts);
  const Json search = KnowledgeSearch(facts, assessment, 5);
  EXPECT_EQ(search["kinds"], Json::array({"known_bug"}));
  EXPECT_EQ(search["version"], "3.3.2");
  // Among thousands of release-note fixes the one that describes the symptom may not rank first.
  EXPECT_GE(search["k"].get<int>(), 10);
  const std::string query = search["query"];
  EXPECT_EQ(query.find("Query Failure Alert"), std::string::npos) << query;
  EXPECT_NE(query.find("queries failing"), std::string::npos) << query;
  // No bug candidate: the follow-up looks for resolutions and guidelines of the symptom.
  auto followup = FollowUpSearch(facts, assessment, nullptr);
  ASSERT_TRUE(followup);
  EXPECT_EQ((*followup)["kinds"], Json::array({"resolution", "guideline", "oncall_log"}));
}

TEST(PlaybookKnowledgeQuery, AHealthyClusterAsksForGuidelinesOnly) {
  PlaybookFacts facts = HealthyCluster("3.3.2");
  const Assessment assessment = Assess(facts);
  const Json search = KnowledgeSearch(facts, assessment, 5);
  EXPECT_EQ(search["kinds"], Json::array({"guideline", "resolution", "oncall_log"}));
  EXPECT_FALSE(search.contains("version"));
  EXPECT_FALSE(FollowUpSearch(facts, assessment, nullptr));
}

TEST(PlaybookVocabularyNodes, LostNodeTypeReadsOfficialCustomAndBilingualAlerts) {
  EXPECT_EQ(LostNodeType("FE Service Suspension", ""), "FE");
  EXPECT_EQ(LostNodeType("BE Service Suspension", ""), "BE");
  EXPECT_EQ(LostNodeType("[PROD] Frontends Status", ""), "FE");
  EXPECT_EQ(LostNodeType("fe leader lost", ""), "FE");
  EXPECT_EQ(LostNodeType("Observer down", ""), "FE");
  EXPECT_EQ(LostNodeType("CN node down", ""), "CN");
  EXPECT_EQ(LostNodeType("Process restarted", "be-3 SIGSEGV"), "BE");
  EXPECT_EQ(LostNodeType("BE CPU Alert", "cpu 95%"), "");
  EXPECT_EQ(LostNodeType("Data Disk Capacity Alert", ""), "");
  EXPECT_TRUE(CrashText("Segmentation fault (core dumped)"));
  EXPECT_FALSE(CrashText("checkpoint finished"));
}


// ---- rules from how StarRocks fails, not from one simulator shape ---------------------------

// The metrics tool's view of a dimension over a whole window: samples, peak and worst state.
void SetWindow(PlaybookFacts& facts, const std::string& name, double peak,
               const std::string& worst) {
  DimensionFact& dim = facts.metrics.dimensions[name];
  dim.samples = 24;
  dim.max = peak;
  dim.worst_state = worst;
}

TEST(PlaybookVocabularyAlerts, CausesOfSlowQueriesThatLeaveTheCpuIdleAreLatencyAlerts) {
  for (const char* name :
       {"Query Queue Pending Alert", "query_queue_timeout > 0", "[P2] queries queued on FE",
        "查询排队告警", "Resource Group Concurrency Limit Reached", "资源组并发超限",
        "S3 Throttling (503 Slow Down)", "OSS 限流告警", "Object Storage Latency High",
        "对象存储读取慢", "Data Cache Hit Ratio Low", "CN datacache miss rate high"}) {
    EXPECT_TRUE(SlowQueryCauseAlert(name)) << name;
    EXPECT_EQ(AlertDimension(name), "latency") << name;
    EXPECT_EQ(UnmeasuredAlertCategory(name), RootCause::kSlowQueries) << name;
  }
  // Whole words only: "loss" holds "oss", "cost" holds "cos"; and nothing else is a queue.
  for (const char* name : {"BE node loss", "Query cost too high", "Routine Load Consumption "
                           "Delay Alert", "Page Cache Memory Alert", "BE CPU Alert"}) {
    EXPECT_FALSE(SlowQueryCauseAlert(name)) << name;
  }
}

TEST(PlaybookReasoning, CpuUnderItsAlertDoesNotExplainPagingLatency) {
  // CPU at warning with no CPU alert, latency critical with its own alert: the queue, the disk
  // or object storage slows queries, not the CPU.
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "cpu", "warning", 30, 60, 55, 70);
  AddDimension(facts, "latency", "critical", 800, 18000, 5000, 15000);
  facts.alerts.alerts.push_back(Alert("Query Latency Alert", "critical", "p95 > 5000 ms", true,
                                      1, kNow - hours(3), kNow - hours(3)));
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kSlowQueries) << Describe(report);
  ExpectSoundReasoning(report);
  // The official BE CPU Alert firing: the CPU is saturated and explains the latency.
  facts.alerts.alerts.push_back(Alert("BE CPU Alert", "critical", "cpu > 90%", true, 1,
                                      kNow - hours(3), kNow - hours(3)));
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kCpuSaturation) << Describe(report);
  // CPU critical explains latency too, alert or not.
  facts.alerts.alerts.pop_back();
  AddDimension(facts, "cpu", "critical", 30, 85, 55, 70);
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kCpuSaturation);
}

TEST(PlaybookReasoning, ANodeAlertWhileEveryNodeIsAliveAndNothingSuffersIsNoise) {
  // A persistent critical BE alert (and a flapping one) with the alive ratio at 100% all
  // window, no new symptom, no crash text: a wrong rule.
  for (const bool flapping : {false, true}) {
    PlaybookFacts facts = HealthyCluster();
    SetWindow(facts, "alive_be", 100, "healthy");
    facts.alerts.alerts.push_back(Alert("BE Service Suspension", "critical",
                                        "be_node_num{state=dead} > 1", true, flapping ? 6 : 1,
                                        kNow - hours(30), kNow - hours(flapping ? 0 : 30)));
    const Report report = DiagnoseFacts(facts);
    EXPECT_EQ(report.root_cause_category, RootCause::kAlertNoise) << Describe(report);
    EXPECT_TRUE(RuledOutAs(report, RootCause::kNodeFailure, "alive ratio stayed at 100"))
        << Describe(report);
    ExpectSoundReasoning(report);
  }
  // Crash text: a crash loop between crashes, never noise.
  PlaybookFacts crash = HealthyCluster();
  SetWindow(crash, "alive_be", 100, "healthy");
  crash.alerts.alerts.push_back(Alert("BE Service Suspension", "critical",
                                      "be-3 exited: SIGSEGV, restarted by supervisor", true, 6,
                                      kNow - hours(20), kNow - minutes(20)));
  EXPECT_EQ(DiagnoseFacts(crash).root_cause_category, RootCause::kNodeFailure);
  // Errors rising with the flapping alert: the node takes queries down with it.
  PlaybookFacts errors = HealthyCluster();
  SetWindow(errors, "alive_be", 100, "healthy");
  errors.alerts.alerts.push_back(Alert("BE Service Suspension", "critical", "", true, 6,
                                       kNow - hours(20), kNow - minutes(20)));
  AddDimension(errors, "query_err", "warning", 0.02, 1.5, 0.1, 2, kNow - hours(20));
  EXPECT_EQ(DiagnoseFacts(errors).root_cause_category, RootCause::kNodeFailure);
  // A dip in the alive ratio during the window: a real loss.
  PlaybookFacts dipped = HealthyCluster();
  SetWindow(dipped, "alive_be", 100, "warning");
  dipped.alerts.alerts = crash.alerts.alerts;
  dipped.alerts.alerts.back().detail = "";
  EXPECT_EQ(DiagnoseFacts(dipped).root_cause_category, RootCause::kNodeFailure);
}

TEST(PlaybookReasoning, AnAlertWhoseMetricNeverApproachedItsThresholdIsNoise) {
  PlaybookFacts facts = HealthyCluster();
  SetWindow(facts, "cpu", 24, "healthy");  // warning at 70 in these facts
  facts.alerts.alerts.push_back(Alert("BE CPU Alert", "critical", "cpu > 90%", true, 1,
                                      kNow - hours(26), kNow - hours(26)));
  Assessment assessment = Assess(facts);
  ASSERT_EQ(assessment.contradicted_alerts.size(), 1u);
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kAlertNoise) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kCpuSaturation, "peaked at 24.0%"))
      << Describe(report);
  ExpectSoundReasoning(report);
  // Shared with a sibling (one wrong rule deployed account-wide): still noise.
  facts.siblings.pattern = "account_wide";
  facts.siblings.peers.push_back({"c-2", true, true, "Critical", {"BE CPU Alert"}});
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kAlertNoise) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAccountWide, "shared wrong rule"));
  // A peak near the threshold is no contradiction; an alert about what no dimension measures
  // (the queue) cannot be contradicted by latency.
  SetWindow(facts, "cpu", 65, "healthy");
  EXPECT_TRUE(Assess(facts).contradicted_alerts.empty());
  PlaybookFacts queue = HealthyCluster();
  SetWindow(queue, "latency", 900, "healthy");
  queue.alerts.alerts.push_back(Alert("Query Queue Pending Alert", "warning", "", true, 1,
                                      kNow - hours(4), kNow - hours(4)));
  EXPECT_TRUE(Assess(queue).contradicted_alerts.empty());
}

TEST(PlaybookReasoning, AnFeAlertOfAnySeverityBeforeALoadDropIsTheLeaderLost) {
  // The FE leader lost: loads stop (load rate down), the FE alert resolved once a new leader
  // was elected; the rule was set to warning.
  PlaybookFacts facts = HealthyCluster();
  facts.alerts.alerts.push_back(Alert("FE Service Suspension", "warning",
                                      "fe-1 (LEADER) not alive", false, 1, kNow - hours(4),
                                      kNow - hours(3)));
  AddDimension(facts, "load_rate", "healthy", 40000, 22000, 3, 6, kNow - hours(4) + minutes(30));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  ExpectSoundReasoning(report);
  // A BE warning alert that resolved is no loss on its own (it does not page).
  PlaybookFacts be = HealthyCluster();
  be.alerts.alerts.push_back(Alert("BE Service Suspension", "warning", "", false, 1,
                                   kNow - hours(4), kNow - hours(3)));
  AddDimension(be, "load_rate", "healthy", 40000, 22000, 3, 6, kNow - hours(4) + minutes(30));
  EXPECT_NE(DiagnoseFacts(be).root_cause_category, RootCause::kNodeFailure);
}

TEST(PlaybookReasoning, AnUpgradeStillRunningAtTheOnsetIsSuspectHoweverLongAgoItStarted) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "query_err", "critical", 0.02, 4, 0.1, 2);
  AddOperation(facts, "UPGRADE", "RUNNING", kNow - hours(12));
  facts.operations.operations.front().finished_at.reset();
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  ExpectSoundReasoning(report);
  // The same upgrade finished twelve hours ago is history.
  facts.operations.operations.front().result = "SUCCESS";
  facts.operations.operations.front().finished_at = kNow - hours(11);
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kQueryErrors);
}

TEST(PlaybookReasoning, CompactionFailingOnAFlatLoadIsACompactionBacklog) {
  // The score climbs x3 but is still under the warning threshold; the failure alert repeats;
  // loads start failing with too many versions; CPU falls.
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "compaction", "healthy", 25, 80, 100, 500, kNow - hours(10));
  AddDimension(facts, "txn_failed", "warning", 0, 12, 5, 50, kNow - hours(4));
  AddDimension(facts, "cpu", "healthy", 45, 20, 55, 70, kNow - hours(10));
  AddDimension(facts, "load_rate", "healthy", 30000, 30000, 3, 6);
  facts.alerts.alerts.push_back(Alert("Cumulative Compaction Failure Alert", "warning",
                                      "failed cumulative_compaction > 3 in 1m", false, 7,
                                      kNow - hours(9), kNow - hours(1)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kCompactionBacklog) << Describe(report);
  EXPECT_NE(report.root_cause.find("is failing"), std::string::npos) << report.root_cause;
  EXPECT_TRUE(RuledOutAs(report, RootCause::kIngestionFailure, "load rate did not grow"));
  EXPECT_TRUE(RuledOutAs(report, RootCause::kCpuSaturation, "not running"));
  ExpectSoundReasoning(report);
  // Without the failure alert the failed loads are the primary symptom.
  facts.alerts.alerts.clear();
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kIngestionFailure);
}

TEST(PlaybookReasoning, ANodeLostAndBackExplainsTheLatencyItLeftBehind) {
  // A shared-data CN replaced: the alive ratio dipped, no alert, then queries read cold data.
  PlaybookFacts facts = HealthyCluster();
  facts.cluster.architecture = "shared_data";
  facts.cluster.node_groups = {{"FE", 3, 8, "standard", 200, ""}, {"CN", 6, 16, "", 0, ""}};
  SetWindow(facts, "alive_be", 100, "warning");
  AddDimension(facts, "latency", "critical", 900, 16000, 5000, 15000, kNow - hours(5));
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  EXPECT_NE(report.root_cause.find("cold data cache"), std::string::npos) << report.root_cause;
  ASSERT_GE(report.hypotheses.size(), 2u);
  EXPECT_EQ(report.hypotheses[1].category, RootCause::kSlowQueries);
  ExpectSoundReasoning(report);
  // Without the dip, the latency is its own symptom.
  SetWindow(facts, "alive_be", 100, "healthy");
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kSlowQueries);
  // A dip with memory rising is the OOM killer's: the memory rule tells it.
  SetWindow(facts, "alive_be", 100, "warning");
  AddDimension(facts, "be_mem", "critical", 40, 95, 70, 85, kNow - hours(8));
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kMemoryPressure);
}

TEST(PlaybookReasoning, AVolumeCollapseOnSiblingsThatDoNotAlertIsAccountWide) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "load_rate", "healthy", 50000, 300, 3, 6, kNow - hours(6));
  facts.siblings.pattern = "cluster_specific";
  facts.siblings.peers.push_back({"c-2", true, false, "Healthy", {}});
  facts.siblings.peers.push_back({"c-3", true, false, "Healthy", {}});
  facts.siblings.peers.push_back({"c-9", false, true, "Healthy", {}});  // another account
  const Assessment assessment = Assess(facts);
  const std::vector<SqlCheck> checks = PlanSql(facts, assessment);
  const SqlCheck* shift = nullptr;
  for (const SqlCheck& check : checks) {
    if (check.kind == "sibling_shift") shift = &check;
  }
  ASSERT_NE(shift, nullptr);
  EXPECT_NE(shift->statement.find("'c-2', 'c-3'"), std::string::npos) << shift->statement;
  EXPECT_EQ(shift->statement.find("c-9"), std::string::npos);
  auto answer = [&](double c2_since, double c3_since) {
    facts.sql.clear();
    for (const SqlCheck& check : checks) {
      SqlFacts sql;
      sql.source = {"call_8", "run_sql", true, ""};
      if (check.kind == "sibling_shift") {
        sql.columns = {"cluster_id", "metric_name", "period", "mean_value", "peak_value", "hours"};
        sql.rows = {{"c-2", "starrocks_be_load_rows_per_sec", "before", 30000, 35000, 6},
                    {"c-2", "starrocks_be_load_rows_per_sec", "since_onset", c2_since, 900, 6},
                    {"c-3", "starrocks_be_load_rows_per_sec", "before", 20000, 25000, 6},
                    {"c-3", "starrocks_be_load_rows_per_sec", "since_onset", c3_since, 900, 6}};
      }
      facts.sql.push_back(sql);
    }
    return Diagnose(facts, assessment, ReadSqlFindings(facts, checks));
  };
  std::set<std::string> calls = {"call_1", "call_2", "call_3", "call_4",
                                 "call_5", "call_6", "call_7", "call_8"};
  Report report = answer(400, 19000);  // c-2 collapsed with us, c-3 did not
  EXPECT_EQ(report.root_cause_category, RootCause::kAccountWide) << Describe(report);
  EXPECT_NE(report.root_cause.find("c-2"), std::string::npos) << report.root_cause;
  ASSERT_GE(report.hypotheses.size(), 2u);
  EXPECT_EQ(report.hypotheses[1].category, RootCause::kIngestionFailure);
  std::vector<std::string> ids(calls.begin(), calls.end());
  EXPECT_TRUE(ParseReport(ReportToJson(report), ids));
  // No sibling collapsed: a local ingestion failure.
  report = answer(29000, 19000);
  EXPECT_EQ(report.root_cause_category, RootCause::kIngestionFailure) << Describe(report);
  EXPECT_TRUE(RuledOutAs(report, RootCause::kAccountWide, "c-2 at 96.7%")) << Describe(report);
}

TEST(PlaybookReasoning, AnAlertAboutAnotherDimensionDoesNotDateTheSymptom) {
  // A config UPDATE an hour before the errors began; a CPU rule has fired since yesterday. The
  // CPU alert is not about the errors, so it does not move their onset before the UPDATE.
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "query_err", "critical", 0.02, 4, 0.1, 2, kNow - hours(3));
  AddOperation(facts, "UPDATE", "SUCCESS", kNow - hours(4));
  facts.operations.operations.front().parameters =
      Json{{"scope", "BE"}, {"changes", {{"pipeline_dop", "64"}}}};
  facts.alerts.alerts.push_back(Alert("BE CPU Alert", "warning", "", true, 1, kNow - hours(30),
                                      kNow - hours(30)));
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  ExpectSoundReasoning(report);
}

TEST(PlaybookReasoning, SlowQueriesNameTheWaitTheirAlertShows) {
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "latency", "critical", 800, 17000, 5000, 15000);
  facts.alerts.alerts.push_back(Alert("查询排队告警", "warning", "", true, 1, kNow - hours(3),
                                      kNow - hours(3)));
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kSlowQueries) << Describe(report);
  EXPECT_NE(report.root_cause.find("names the wait"), std::string::npos) << report.root_cause;
  EXPECT_TRUE(RuledOutAs(report, RootCause::kCpuSaturation, "under its warning level"));
  bool queue = false;
  for (const Recommendation& item : report.recommendations) {
    if (item.action.find("query_queue_concurrency_limit") != std::string::npos) queue = true;
  }
  EXPECT_TRUE(queue);
  ExpectSoundReasoning(report);
  facts.alerts.alerts.back().name = "S3 Throttling (503 Slow Down)";
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kSlowQueries);
  bool storage = false;
  for (const Recommendation& item : report.recommendations) {
    if (item.action.find("object-storage throttling") != std::string::npos) storage = true;
  }
  EXPECT_TRUE(storage);
}

TEST(PlaybookReasoning, AnyRegressedDimensionMayDateTheChangeAnOperationPreceded) {
  // A SCALE-in at 23:09: the CPU's ramp was dated two hours earlier by its change point, the
  // latency's an hour later. The latency dates it, so the SCALE is the cause.
  PlaybookFacts facts = HealthyCluster();
  const TimePoint scale = kNow - hours(13);
  AddDimension(facts, "cpu", "healthy", 15, 33, 55, 70, scale - hours(2));
  AddDimension(facts, "latency", "healthy", 1650, 3000, 5000, 15000, scale + hours(1));
  AddOperation(facts, "SCALE", "SUCCESS", scale);
  facts.operations.operations.front().parameters =
      Json{{"node_type", "BE"}, {"from_count", 5}, {"to_count", 3}};
  const Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  ExpectSoundReasoning(report);
  // With every regression dated hours before the SCALE, it is not the cause.
  AddDimension(facts, "latency", "healthy", 1650, 3000, 5000, 15000, scale - hours(2));
  EXPECT_NE(DiagnoseFacts(facts).root_cause_category, RootCause::kOperationInduced);
}

TEST(PlaybookReasoning, MemoryThatPeakedCriticalBeforeTheNodeLossIsTheCause) {
  // The OOM killer acts at the peak; after the restart the hourly memory is back at warning.
  PlaybookFacts facts = HealthyCluster();
  AddDimension(facts, "be_mem", "warning", 42, 79, 70, 85, kNow - hours(26));
  facts.metrics.dimensions["be_mem"].worst_state = "critical";
  AddDimension(facts, "alive_be", "warning", 100, 85, 99.9, 80, kNow - hours(17));
  AddDimension(facts, "query_err", "warning", 0.02, 0.7, 0.1, 2, kNow - hours(24));
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kMemoryPressure) << Describe(report);
  // Memory that never reached its critical level does not explain the loss.
  facts.metrics.dimensions["be_mem"].worst_state = "warning";
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
}

TEST(PlaybookReasoning, ARollingUpgradeStillRunningWhoseRestartsFlapTheNodeAlert) {
  // The BEs restart one by one: the alive ratio dips between restarts and the node alert (a
  // warning rule) fires and resolves; the upgrade is still RUNNING. The upgrade explains it.
  PlaybookFacts facts = HealthyCluster();
  SetWindow(facts, "alive_be", 100, "warning");
  facts.alerts.alerts.push_back(Alert("BE Service Suspension", "warning", "", false, 4,
                                      kNow - hours(7), kNow - hours(1)));
  AddOperation(facts, "UPGRADE", "RUNNING", kNow - hours(8));
  facts.operations.operations.front().finished_at.reset();
  Report report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kOperationInduced) << Describe(report);
  ExpectSoundReasoning(report);
  // Without the upgrade the same flapping alert over real dips is a node failure, not noise.
  facts.operations.operations.clear();
  report = DiagnoseFacts(facts);
  EXPECT_EQ(report.root_cause_category, RootCause::kNodeFailure) << Describe(report);
  // With every node alive all window it is a wrong rule.
  SetWindow(facts, "alive_be", 100, "healthy");
  EXPECT_EQ(DiagnoseFacts(facts).root_cause_category, RootCause::kAlertNoise);
}

}  // namespace
}  // namespace rh::agent::internal
