#include "sentinel/rules.h"

#include <gtest/gtest.h>

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
  ASSERT_EQ(outcomes.size(), 5u);
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

}  // namespace
}  // namespace rh::sentinel
