#include "sentinel/rules.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "store/metric_catalog.h"

namespace rh::sentinel {
namespace {

ClusterScore Scored(double health, std::string tier = "B") {
  ClusterScore cluster;
  cluster.cluster_id = "c-0000rule";
  cluster.tier = std::move(tier);
  cluster.has_telemetry = true;
  cluster.health.health = health;
  cluster.health.risk = ClassifyRisk(health);
  return cluster;
}

const RuleOutcome& Outcome(const std::vector<RuleOutcome>& outcomes, RuleId rule) {
  for (const RuleOutcome& outcome : outcomes) {
    if (outcome.rule == rule) return outcome;
  }
  static RuleOutcome none;
  ADD_FAILURE() << "rule missing";
  return none;
}

bool Fires(const ClusterScore& cluster, RuleId rule, const SentinelConfig& config = {}) {
  return Outcome(EvaluateRules(cluster, {}, config), rule).fired;
}

TEST(RulesTest, NewCriticalFiresBelowFifty) {
  EXPECT_TRUE(Fires(Scored(49.99), RuleId::kNewCritical));
  EXPECT_FALSE(Fires(Scored(50), RuleId::kNewCritical));
  EXPECT_FALSE(Fires(Scored(50.01), RuleId::kNewCritical));
  auto outcome = Outcome(EvaluateRules(Scored(32.4), {}, {}), RuleId::kNewCritical);
  EXPECT_EQ(outcome.priority, 1);
  EXPECT_EQ(outcome.reason, "health 32.4 < 50 (Critical)");
  EXPECT_DOUBLE_EQ(*outcome.value, 32.4);
  EXPECT_DOUBLE_EQ(*outcome.threshold, 50);
}

TEST(RulesTest, ScoreCliffFiresOnADropOfMoreThanTheConfiguredPoints) {
  auto with_previous = [](double previous, double now) {
    ClusterScore cluster = Scored(now);
    HealthBreakdown before;
    before.health = previous;
    before.risk = ClassifyRisk(previous);
    cluster.previous = before;
    return cluster;
  };
  EXPECT_FALSE(Fires(with_previous(90, 75), RuleId::kScoreCliff));     // exactly 15
  EXPECT_TRUE(Fires(with_previous(90, 74.99), RuleId::kScoreCliff));   // 15.01
  EXPECT_FALSE(Fires(with_previous(90, 75.01), RuleId::kScoreCliff));  // 14.99
  EXPECT_FALSE(Fires(with_previous(40, 90), RuleId::kScoreCliff));     // a rise
  SentinelConfig sensitive;
  sensitive.score_cliff_points = 5;
  EXPECT_TRUE(Fires(with_previous(90, 84), RuleId::kScoreCliff, sensitive));
  auto outcome = Outcome(EvaluateRules(with_previous(88.5, 61), {}, {}), RuleId::kScoreCliff);
  EXPECT_EQ(outcome.priority, 2);
  EXPECT_DOUBLE_EQ(*outcome.value, 27.5);
  EXPECT_NE(outcome.reason.find("88.5 -> 61"), std::string::npos) << outcome.reason;
  // Without a previous snapshot the rule cannot run, and says so.
  auto first = Outcome(EvaluateRules(Scored(10), {}, {}), RuleId::kScoreCliff);
  EXPECT_FALSE(first.fired);
  EXPECT_FALSE(first.evaluated);
  EXPECT_NE(first.reason.find("no previous snapshot"), std::string::npos);
}

TEST(RulesTest, AlertStormFiresAboveTheCount) {
  ClusterScore cluster = Scored(90);
  cluster.storm_firing_messages = 5;
  EXPECT_FALSE(Fires(cluster, RuleId::kAlertStorm));
  cluster.storm_firing_messages = 6;
  EXPECT_TRUE(Fires(cluster, RuleId::kAlertStorm));
  auto outcome = Outcome(EvaluateRules(cluster, {}, {}), RuleId::kAlertStorm);
  EXPECT_EQ(outcome.priority, 2);
  EXPECT_EQ(outcome.reason, "6 Firing alert messages in the last 1h; fires above 5");
  SentinelConfig tolerant;
  tolerant.alert_storm_count = 10;
  EXPECT_FALSE(Fires(cluster, RuleId::kAlertStorm, tolerant));
}

TEST(RulesTest, TierWarningCoversSAndAAtWarningOrCritical) {
  EXPECT_TRUE(Fires(Scored(79.99, "S"), RuleId::kTierWarning));
  EXPECT_TRUE(Fires(Scored(79.99, "A"), RuleId::kTierWarning));
  EXPECT_TRUE(Fires(Scored(20, "A"), RuleId::kTierWarning));
  EXPECT_FALSE(Fires(Scored(80, "S"), RuleId::kTierWarning));
  EXPECT_FALSE(Fires(Scored(60, "B"), RuleId::kTierWarning));
  EXPECT_FALSE(Fires(Scored(20, "C"), RuleId::kTierWarning));
  EXPECT_FALSE(Fires(Scored(60, ""), RuleId::kTierWarning));
  SentinelConfig off;
  off.tier_warning = false;
  auto disabled = Outcome(EvaluateRules(Scored(60, "S"), {}, off), RuleId::kTierWarning);
  EXPECT_FALSE(disabled.fired);
  EXPECT_FALSE(disabled.evaluated);
  EXPECT_EQ(Outcome(EvaluateRules(Scored(60, "A"), {}, {}), RuleId::kTierWarning).priority, 3);
}

TEST(RulesTest, SeveralRulesGiveTheBestPriorityAndEveryReason) {
  ClusterScore cluster = Scored(30, "S");
  cluster.storm_firing_messages = 9;
  auto outcomes = EvaluateRules(cluster, {}, {});
  ASSERT_EQ(outcomes.size(), kRuleIds.size());
  for (size_t idx = 0; idx < outcomes.size(); ++idx) EXPECT_EQ(outcomes[idx].rule, kRuleIds[idx]);
  EXPECT_EQ(BestPriority(outcomes), 1);
  Json fired = RulesFiredJson(outcomes);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0]["rule"], "new_critical");
  EXPECT_EQ(fired[0]["priority"], 1);
  EXPECT_EQ(fired[1]["rule"], "alert_storm");
  EXPECT_EQ(fired[1]["value"], 9);
  EXPECT_EQ(fired[1]["threshold"], 5);
  EXPECT_EQ(fired[2]["rule"], "tier_warning");
  for (const auto& item : fired) EXPECT_FALSE(item["reason"].get<std::string>().empty());

  ClusterScore storm_only = Scored(85, "C");
  storm_only.storm_firing_messages = 6;
  EXPECT_EQ(BestPriority(EvaluateRules(storm_only, {}, {})), 2);
  EXPECT_EQ(BestPriority(EvaluateRules(Scored(85, "C"), {}, {})), std::nullopt);
  EXPECT_TRUE(RulesFiredJson(EvaluateRules(Scored(85, "C"), {}, {})).empty());
}

// ---- node_lost ---------------------------------------------------------------------------

// A tier C cluster at `health` with the BE/CN alive share `alive` (nullopt: not reported) and
// `alerts` firing now.
ClusterScore WithNodes(double health, std::optional<double> alive,
                       std::vector<std::string> alerts = {}) {
  ClusterScore cluster = Scored(health, "C");
  std::vector<std::optional<double>> values(store::MetricCatalog().size());
  values[store::FindMetric("alive_be") - store::MetricCatalog().data()] = alive;
  cluster.dimensions = ScoreDimensions(values, values);
  for (std::string& alert : alerts) {
    cluster.firing_now.push_back({alert, "critical", Severity::kCritical, TimePoint{}});
  }
  return cluster;
}

TEST(NodeLostRuleTest, ABeOrCnDownFiresOnAnyTier) {
  // One of three BEs down on a tier C cluster that is only at Warning.
  auto outcome = Outcome(EvaluateRules(WithNodes(62, 66.67), {}, {}), RuleId::kNodeLost);
  EXPECT_TRUE(outcome.fired);
  EXPECT_EQ(outcome.priority, 2);
  EXPECT_EQ(RuleName(outcome.rule), "node_lost");
  EXPECT_DOUBLE_EQ(*outcome.value, 66.67);
  EXPECT_DOUBLE_EQ(*outcome.threshold, 99.9);
  EXPECT_EQ(outcome.reason, "BE/CN alive 66.67% < 99.9%; no node-loss alert firing");
  Json fired = RulesFiredJson(EvaluateRules(WithNodes(62, 66.67), {}, {}));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0]["rule"], "node_lost");
  EXPECT_EQ(fired[0]["priority"], 2);
  EXPECT_EQ(BestPriority(EvaluateRules(WithNodes(62, 66.67), {}, {})), 2);
}

TEST(NodeLostRuleTest, AllAliveOrNotReportedDoesNotFireAndTheEdgeIsStrict) {
  auto all_alive = Outcome(EvaluateRules(WithNodes(85, 100), {}, {}), RuleId::kNodeLost);
  EXPECT_FALSE(all_alive.fired);
  EXPECT_EQ(all_alive.reason, "BE/CN alive 100% >= 99.9%; no node-loss alert firing");
  EXPECT_FALSE(Fires(WithNodes(85, std::nullopt), RuleId::kNodeLost));
  EXPECT_EQ(Outcome(EvaluateRules(WithNodes(85, std::nullopt), {}, {}), RuleId::kNodeLost).reason,
            "BE/CN alive share not reported; no node-loss alert firing");
  // Exactly at the threshold is not lost; just under it is.
  EXPECT_FALSE(Fires(WithNodes(85, 99.9), RuleId::kNodeLost));
  EXPECT_TRUE(Fires(WithNodes(85, 99.89), RuleId::kNodeLost));
  SentinelConfig lenient;
  lenient.node_lost_alive_below = 50;
  EXPECT_FALSE(Fires(WithNodes(62, 66.67), RuleId::kNodeLost, lenient));
  EXPECT_TRUE(Fires(WithNodes(40, 33.3), RuleId::kNodeLost, lenient));
}

TEST(NodeLostRuleTest, ANodeLossAlertFiresWithoutTheMetricAnyCase) {
  // An FE follower has no alive metric: its Service Suspension alert is the signal.
  auto fe = Outcome(EvaluateRules(WithNodes(70, 100, {"FE Service Suspension"}), {}, {}),
                    RuleId::kNodeLost);
  EXPECT_TRUE(fe.fired);
  EXPECT_EQ(fe.reason, "BE/CN alive 100% >= 99.9%; FE Service Suspension firing");
  EXPECT_TRUE(Fires(WithNodes(70, std::nullopt, {"bealiveabnormal"}), RuleId::kNodeLost));
  // Teams rename the StarRocks rules: a name containing a listed phrase counts.
  EXPECT_TRUE(Fires(WithNodes(70, 100, {"[P1] starrocks_fe_node_down"}), RuleId::kNodeLost));
  EXPECT_TRUE(Fires(WithNodes(70, 100, {"FE节点宕机"}), RuleId::kNodeLost));
  EXPECT_TRUE(Fires(WithNodes(70, 100, {"[P1] CN node offline"}), RuleId::kNodeLost));
  EXPECT_TRUE(Fires(WithNodes(70, 100, {"BE Service Suspension"}), RuleId::kNodeLost));
  // Another alert is not a lost node; an empty list leaves only the metric.
  EXPECT_FALSE(Fires(WithNodes(70, 100, {"BE CPU Alert"}), RuleId::kNodeLost));
  SentinelConfig metric_only;
  metric_only.node_lost_alerts = "";
  EXPECT_FALSE(
      Fires(WithNodes(70, 100, {"FE Service Suspension"}), RuleId::kNodeLost, metric_only));
  SentinelConfig custom;
  custom.node_lost_alerts = "Custom Node Down";
  EXPECT_TRUE(Fires(WithNodes(70, 100, {"custom node down"}), RuleId::kNodeLost, custom));
}

// ---- sustained_warning -----------------------------------------------------------------------

ClusterScore Sustained(double before, double now, std::string tier = "C") {
  ClusterScore cluster = Scored(now, std::move(tier));
  HealthBreakdown previous;
  previous.health = before;
  previous.risk = ClassifyRisk(before);
  cluster.previous = previous;
  return cluster;
}

TEST(SustainedWarningRuleTest, WarningBelowTheThresholdTwoSnapshotsRunningFires) {
  auto outcome = Outcome(EvaluateRules(Sustained(56, 55.5), {}, {}), RuleId::kSustainedWarning);
  EXPECT_TRUE(outcome.fired);
  EXPECT_EQ(outcome.priority, 3);
  EXPECT_EQ(RuleName(outcome.rule), "sustained_warning");
  EXPECT_DOUBLE_EQ(*outcome.value, 55.5);
  EXPECT_DOUBLE_EQ(*outcome.threshold, 70);
  EXPECT_EQ(outcome.reason, "risk Warning, health 55.5 < 70 now and 56 < 70 at H - 1h");
  Json fired = RulesFiredJson(EvaluateRules(Sustained(56, 55.5), {}, {}));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0]["rule"], "sustained_warning");
  EXPECT_EQ(BestPriority(EvaluateRules(Sustained(56, 55.5), {}, {})), 3);
}

TEST(SustainedWarningRuleTest, OneSnapshotOrCriticalOrNoHistoryDoesNotFireAndTheEdgeIsStrict) {
  EXPECT_FALSE(Fires(Sustained(75, 55), RuleId::kSustainedWarning));  // only now
  EXPECT_FALSE(Fires(Sustained(55, 75), RuleId::kSustainedWarning));  // only before
  EXPECT_FALSE(Fires(Sustained(40, 45), RuleId::kSustainedWarning));  // Critical: new_critical
  EXPECT_FALSE(Fires(Sustained(70, 69.99), RuleId::kSustainedWarning));  // 70 is not below 70
  EXPECT_FALSE(Fires(Sustained(69.99, 70), RuleId::kSustainedWarning));
  EXPECT_TRUE(Fires(Sustained(69.99, 69.99), RuleId::kSustainedWarning));
  EXPECT_FALSE(Fires(Sustained(85, 85), RuleId::kSustainedWarning));  // Healthy
  auto first = Outcome(EvaluateRules(Scored(55), {}, {}), RuleId::kSustainedWarning);
  EXPECT_FALSE(first.evaluated);
  EXPECT_FALSE(first.fired);
  SentinelConfig higher;
  higher.sustained_warning_below = 75;
  EXPECT_TRUE(Fires(Sustained(72, 73), RuleId::kSustainedWarning, higher));
  EXPECT_FALSE(Fires(Sustained(72, 73), RuleId::kSustainedWarning));
  SentinelConfig off;
  off.sustained_warning_below = 0;
  auto disabled = Outcome(EvaluateRules(Sustained(56, 55.5), {}, off), RuleId::kSustainedWarning);
  EXPECT_FALSE(disabled.evaluated);
  EXPECT_FALSE(disabled.fired);
  EXPECT_EQ(disabled.reason, "disabled (sentinel.sustained_warning_below = 0)");
}

// A cluster of `account` at `health` with `alerts` firing now and the catalogue metrics in
// `metrics` (short name -> value; the others unreported).
ClusterScore Member(const std::string& cluster_id, const std::string& account, double health,
                    std::vector<std::string> alerts = {},
                    const std::map<std::string, double>& metrics = {}) {
  ClusterScore cluster = Scored(health, "C");
  cluster.cluster_id = cluster_id;
  cluster.account_id = account;
  for (std::string& alert : alerts) {
    cluster.firing_now.push_back({alert, "warning", Severity::kMedium, TimePoint{}});
  }
  std::vector<std::optional<double>> values(store::MetricCatalog().size());
  for (const auto& [name, value] : metrics) {
    values[store::FindMetric(name) - store::MetricCatalog().data()] = value;
  }
  cluster.dimensions = ScoreDimensions(values, values);
  return cluster;
}

RuleOutcome AccountWideOf(const ClusterScore& cluster, const std::vector<ClusterScore>& account,
                          const SentinelConfig& config = {}) {
  std::vector<const ClusterScore*> pointers;
  for (const ClusterScore& member : account) pointers.push_back(&member);
  return Outcome(EvaluateRules(cluster, pointers, config), RuleId::kAccountWide);
}

TEST(AccountWideRuleTest, TwoClustersAtWarningSharingAnAlertFireBothWays) {
  std::vector<ClusterScore> account = {
      Member("c-bi-1", "acct-x", 65, {"Query Latency Alert"}),
      Member("c-bi-2", "acct-x", 70, {"query latency alert", "Memory Alert"}),
      Member("c-etl", "acct-x", 95)};
  const RuleOutcome first = AccountWideOf(account[0], account);
  EXPECT_TRUE(first.fired) << first.reason;
  EXPECT_EQ(first.priority, 2);
  EXPECT_DOUBLE_EQ(*first.value, 2);
  EXPECT_DOUBLE_EQ(*first.threshold, 2);
  EXPECT_EQ(first.reason,
            "2 clusters of account acct-x at Warning or worse share alert:query latency alert "
            "(with c-bi-2); fires at 2");
  // Symmetric: the sibling fires too, naming the first.
  const RuleOutcome second = AccountWideOf(account[1], account);
  EXPECT_TRUE(second.fired);
  EXPECT_NE(second.reason.find("(with c-bi-1)"), std::string::npos) << second.reason;
  // The healthy sibling never fires, whatever it shares.
  const RuleOutcome healthy = AccountWideOf(account[2], account);
  EXPECT_FALSE(healthy.fired);
  EXPECT_NE(healthy.reason.find("Healthy"), std::string::npos) << healthy.reason;
}

TEST(AccountWideRuleTest, ASharedDegradedDimensionIsASymptomToo) {
  // No alert at all: both clusters have latency p99 in Warning (an account-wide dashboard
  // rollout); one also has CPU in Warning.
  std::vector<ClusterScore> account = {
      Member("c-a", "acct-y", 72, {}, {{"latency", 9000}, {"cpu", 20}}),
      Member("c-b", "acct-y", 60, {}, {{"latency", 7000}, {"cpu", 60}})};
  const RuleOutcome outcome = AccountWideOf(account[0], account);
  EXPECT_TRUE(outcome.fired) << outcome.reason;
  EXPECT_NE(outcome.reason.find("metric:latency"), std::string::npos) << outcome.reason;
  EXPECT_EQ(outcome.reason.find("metric:cpu"), std::string::npos) << outcome.reason;
  // Volume signals and missing telemetry count as symptoms.
  ClusterScore silent_a = Member("c-s1", "acct-z", 36);
  ClusterScore silent_b = Member("c-s2", "acct-z", 36);
  silent_a.has_telemetry = silent_b.has_telemetry = false;
  EXPECT_TRUE(AccountWideOf(silent_a, {silent_a, silent_b}).fired);
  ClusterScore paused_a = Member("c-p1", "acct-v", 40);
  ClusterScore paused_b = Member("c-p2", "acct-v", 45);
  for (ClusterScore* cluster : {&paused_a, &paused_b}) {
    cluster->volume.signals[1] =
        ScoreVolumeSignal(VolumeSignal::kLoadRate, 0, std::vector<double>(7, 5000), {});
  }
  const RuleOutcome paused = AccountWideOf(paused_a, {paused_a, paused_b});
  EXPECT_TRUE(paused.fired) << paused.reason;
  EXPECT_NE(paused.reason.find("volume:load_rate"), std::string::npos) << paused.reason;
}

TEST(AccountWideRuleTest, NothingSharedOrOneClusterOrAnotherAccountDoesNotFire) {
  // Both at Warning, nothing in common.
  std::vector<ClusterScore> unrelated = {Member("c-1", "acct-q", 60, {"BE CPU Alert"}),
                                         Member("c-2", "acct-q", 60, {"Memory Alert"})};
  const RuleOutcome outcome = AccountWideOf(unrelated[0], unrelated);
  EXPECT_FALSE(outcome.fired);
  EXPECT_DOUBLE_EQ(*outcome.value, 1);
  EXPECT_EQ(outcome.reason,
            "no other cluster of account acct-q at Warning or worse shares an alert or symptom "
            "(1 at risk of 1 other cluster)");
  // The same alert on a Healthy sibling does not count.
  std::vector<ClusterScore> healthy_sibling = {Member("c-1", "acct-q", 60, {"BE CPU Alert"}),
                                               Member("c-2", "acct-q", 85, {"BE CPU Alert"})};
  EXPECT_FALSE(AccountWideOf(healthy_sibling[0], healthy_sibling).fired);
  // A cluster of another account passed in by mistake is ignored.
  std::vector<ClusterScore> other_account = {Member("c-1", "acct-q", 60, {"BE CPU Alert"}),
                                             Member("c-9", "acct-w", 60, {"BE CPU Alert"})};
  EXPECT_FALSE(AccountWideOf(other_account[0], other_account).fired);
  // No account: not evaluated.
  ClusterScore orphan = Member("c-o", "", 40, {"BE CPU Alert"});
  const RuleOutcome no_account = AccountWideOf(orphan, {orphan});
  EXPECT_FALSE(no_account.fired);
  EXPECT_FALSE(no_account.evaluated);
}

TEST(AccountWideRuleTest, TheMinimumNumberOfClustersIsConfiguration) {
  std::vector<ClusterScore> account = {Member("c-1", "acct-m", 60, {"Loading Failure Alert"}),
                                       Member("c-2", "acct-m", 55, {"Loading Failure Alert"}),
                                       Member("c-3", "acct-m", 90)};
  SentinelConfig three;
  three.account_wide_min_clusters = 3;
  EXPECT_FALSE(AccountWideOf(account[0], account, three).fired);
  account[2] = Member("c-3", "acct-m", 45, {"Loading Failure Alert"});
  const RuleOutcome outcome = AccountWideOf(account[0], account, three);
  EXPECT_TRUE(outcome.fired);
  EXPECT_DOUBLE_EQ(*outcome.value, 3);
  EXPECT_NE(outcome.reason.find("(with c-2, c-3)"), std::string::npos) << outcome.reason;
}

// ---- operation_regression --------------------------------------------------------------------

// A tier-B cluster, Healthy by its score, whose latency p99 is `ratio` x its level before a SCALE.
ClusterScore AfterScale(double before_ms, double now_ms, const SentinelConfig& config = {}) {
  ClusterScore cluster = Scored(88, "B");
  cluster.operation = RecentOperation{"SCALE", "SUCCESS", MakeUtcTime(2026, 11, 21, 3, 59)};
  cluster.change.signals.push_back(ScoreChangeSignal(*store::FindMetric("latency"), now_ms,
                                                     {before_ms, before_ms, before_ms}, config));
  return cluster;
}

TEST(OperationRegressionRuleTest, ARegressionAfterAnOperationFiresOnAnyTierAndRisk) {
  auto outcome = Outcome(EvaluateRules(AfterScale(2000, 4600), {}, {}),
                         RuleId::kOperationRegression);
  EXPECT_TRUE(outcome.fired);
  EXPECT_EQ(outcome.priority, 2);
  EXPECT_EQ(RuleName(outcome.rule), "operation_regression");
  EXPECT_DOUBLE_EQ(*outcome.value, 2.3);
  EXPECT_DOUBLE_EQ(*outcome.threshold, 1.5);
  EXPECT_EQ(outcome.reason,
            "latency 4600 ms = x2.3 its level before the SCALE (SUCCESS) at 2026-11-21 03:59:00 "
            "(2000 ms) >= x1.5 with a rise of at least 1000 ms");
  auto fired = RulesFiredJson(EvaluateRules(AfterScale(2000, 4600), {}, {}));
  ASSERT_EQ(fired.size(), 1u);  // the cluster is Healthy: no other rule
  EXPECT_EQ(fired[0]["rule"], "operation_regression");
}

TEST(OperationRegressionRuleTest, TheRatioAndTheMinimumRiseAreBothBoundaries) {
  // x1.5 exactly is Warning (the rule fires); just under is not.
  EXPECT_TRUE(Fires(AfterScale(3000, 4500), RuleId::kOperationRegression));
  EXPECT_FALSE(Fires(AfterScale(3000, 4499), RuleId::kOperationRegression));
  // x2 but a rise under 20 % of the 5000 ms warning threshold (1000 ms) is no regression.
  EXPECT_FALSE(Fires(AfterScale(900, 1800), RuleId::kOperationRegression));
  EXPECT_TRUE(Fires(AfterScale(1000, 2000), RuleId::kOperationRegression));  // exactly 1000 ms
  SentinelConfig strict;
  strict.change_rise_warning = 2.5;
  strict.change_rise_critical = 4;
  EXPECT_FALSE(Fires(AfterScale(2000, 4600, strict), RuleId::kOperationRegression, strict));
  EXPECT_TRUE(Fires(AfterScale(2000, 5000, strict), RuleId::kOperationRegression, strict));
}

TEST(OperationRegressionRuleTest, NoOperationOrNoComparableDimensionIsNotEvaluated) {
  auto none = Outcome(EvaluateRules(Scored(88), {}, {}), RuleId::kOperationRegression);
  EXPECT_FALSE(none.evaluated);
  EXPECT_FALSE(none.fired);
  EXPECT_EQ(none.reason, "no SCALE, UPDATE, UPGRADE operation in the last 1d");
  ClusterScore few = Scored(88);
  few.operation = RecentOperation{"UPDATE", "SUCCESS", MakeUtcTime(2026, 11, 21, 3, 0)};
  few.change.signals.push_back(
      ScoreChangeSignal(*store::FindMetric("latency"), 9000, {2000, 2000}, {}));  // 2 samples
  auto outcome = Outcome(EvaluateRules(few, {}, {}), RuleId::kOperationRegression);
  EXPECT_FALSE(outcome.evaluated);
  EXPECT_FALSE(outcome.fired);
  EXPECT_EQ(outcome.reason,
            "no dimension can be compared with its level before the UPDATE (SUCCESS) at "
            "2026-11-21 03:00:00");
}

// The two rules' settings are configuration, validated when the configuration is loaded.
std::string LoadError(const std::vector<std::string>& overrides) {
  auto config = LoadConfig({"", {}, overrides});
  return config ? "" : config.error().ToString();
}

TEST(NewRuleConfigTest, DefaultsOverridesAndRefusals) {
  auto defaults = LoadConfig({"", {}, {}});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_DOUBLE_EQ(defaults->sentinel.node_lost_alive_below, 99.9);
  EXPECT_DOUBLE_EQ(defaults->sentinel.sustained_warning_below, 70);
  EXPECT_EQ(SplitAlertNames(defaults->sentinel.node_lost_alerts),
            (std::vector<std::string>{"bealiveabnormal", "fealiveabnormal", "service suspension",
                                      "node_down", "node down", "node offline", "节点宕机",
                                      "节点离线", "存活异常"}));
  auto set = LoadConfig({"",
                         {{"ROCKHOUND_SENTINEL_SUSTAINED_WARNING_BELOW", "0"}},
                         {"sentinel.node_lost_alive_below=90", "sentinel.node_lost_alerts=X"}});
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_DOUBLE_EQ(set->sentinel.node_lost_alive_below, 90);
  EXPECT_EQ(set->sentinel.node_lost_alerts, "X");
  EXPECT_DOUBLE_EQ(set->sentinel.sustained_warning_below, 0);
  for (const char* value : {"0", "-5", "100.5", "nan"}) {
    const std::string error = LoadError({std::string("sentinel.node_lost_alive_below=") + value});
    EXPECT_NE(error.find("sentinel.node_lost_alive_below"), std::string::npos) << value;
  }
  EXPECT_EQ(LoadError({"sentinel.node_lost_alive_below=100"}), "");
  for (const char* value : {"50", "45", "80.5", "inf"}) {
    const std::string error =
        LoadError({std::string("sentinel.sustained_warning_below=") + value});
    EXPECT_NE(error.find("sentinel.sustained_warning_below"), std::string::npos) << value;
  }
  EXPECT_NE(LoadError({"sentinel.sustained_warning_below=45"}).find("above 50 (Critical)"),
            std::string::npos);
  EXPECT_EQ(LoadError({"sentinel.sustained_warning_below=80"}), "");
  EXPECT_EQ(LoadError({"sentinel.sustained_warning_below=50.5"}), "");
}

TEST(NewRuleConfigTest, ChangeDimensionSettings) {
  auto defaults = LoadConfig({"", {}, {}});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->sentinel.change_window, std::chrono::hours(24));
  EXPECT_EQ(SplitAlertNames(defaults->sentinel.change_operations),
            (std::vector<std::string>{"scale", "update", "upgrade"}));
  EXPECT_DOUBLE_EQ(defaults->sentinel.change_rise_warning, 1.5);
  EXPECT_DOUBLE_EQ(defaults->sentinel.change_rise_critical, 3);
  EXPECT_DOUBLE_EQ(defaults->sentinel.change_min_rise_share, 0.2);
  auto set = LoadConfig({"",
                         {{"ROCKHOUND_SENTINEL_CHANGE_WINDOW", "12h"}},
                         {"sentinel.change_rise_warning=2", "sentinel.change_rise_critical=5",
                          "sentinel.change_operations=UPGRADE"}});
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(set->sentinel.change_window, std::chrono::hours(12));
  EXPECT_DOUBLE_EQ(set->sentinel.change_rise_warning, 2);
  EXPECT_EQ(set->sentinel.change_operations, "UPGRADE");
  for (const char* override_text :
       {"sentinel.change_rise_warning=1", "sentinel.change_rise_warning=nan",
        "sentinel.change_rise_critical=1.5", "sentinel.change_min_rise_share=-0.1",
        "sentinel.change_min_rise_share=1.5", "sentinel.change_window=0s"}) {
    const std::string text = override_text;
    const std::string key = text.substr(0, text.find('='));
    EXPECT_NE(LoadError({override_text}).find(key), std::string::npos) << override_text;
  }
}

}  // namespace
}  // namespace rh::sentinel
