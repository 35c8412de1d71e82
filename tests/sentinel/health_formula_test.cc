#include "sentinel/health_formula.h"

#include <gtest/gtest.h>

namespace rh::sentinel {
namespace {

using store::FindMetric;
using store::HealthState;

double Sub(const char* metric, double value, std::optional<double> baseline = {}) {
  return DimensionSubScore(*FindMetric(metric), value, baseline);
}

TEST(DimensionSubScoreTest, HigherIsWorseBandsFollowThePlatformThresholds) {
  EXPECT_DOUBLE_EQ(Sub("cpu", 0), 100);
  EXPECT_NEAR(Sub("cpu", 27.5), 90, 1e-9);
  EXPECT_GT(Sub("cpu", 54.99), 80);      // still Healthy
  EXPECT_DOUBLE_EQ(Sub("cpu", 55), 79);  // Warning starts at 55
  EXPECT_DOUBLE_EQ(Sub("cpu", 62.5), 64.5);
  EXPECT_DOUBLE_EQ(Sub("cpu", 70), 50);  // Warning up to 70 inclusive
  EXPECT_LT(Sub("cpu", 70.01), 50);      // Critical above 70
  EXPECT_NEAR(Sub("cpu", 85), 24.5, 1e-9);
  EXPECT_DOUBLE_EQ(Sub("cpu", 100), 0);
  EXPECT_DOUBLE_EQ(Sub("cpu", 140), 0);
  // Percentages reach 0 at 100 %: disk critical span is 85..100.
  EXPECT_NEAR(Sub("disk", 92.5), 24.5, 1e-9);
  // Non-percentages fall to 0 over twice the warning band: latency 15 s .. 35 s.
  EXPECT_NEAR(Sub("latency", 25000), 24.5, 1e-9);
  EXPECT_DOUBLE_EQ(Sub("latency", 35000), 0);
}

TEST(DimensionSubScoreTest, LowerIsWorseForTheAliveRatio) {
  EXPECT_DOUBLE_EQ(Sub("alive_be", 100), 100);
  EXPECT_DOUBLE_EQ(Sub("alive_be", 99.9), 100);
  EXPECT_NEAR(Sub("alive_be", 99.89), 79, 0.1);
  EXPECT_DOUBLE_EQ(Sub("alive_be", 80), 50);
  EXPECT_LT(Sub("alive_be", 79.99), 50);
  EXPECT_NEAR(Sub("alive_be", 2.0 / 3.0 * 100), 49 * (1 - (80 - 200.0 / 3) / 39.8), 1e-9);
  EXPECT_DOUBLE_EQ(Sub("alive_be", 0), 0);
}

TEST(DimensionSubScoreTest, VolumeDimensionsCompareWithTheirBaseline) {
  EXPECT_DOUBLE_EQ(Sub("qps", 100, 100.0), 100);
  EXPECT_DOUBLE_EQ(Sub("qps", 50, 100.0), 100);  // a drop in volume is not scored as risk
  EXPECT_DOUBLE_EQ(Sub("qps", 200, 100.0), 90);
  EXPECT_DOUBLE_EQ(Sub("qps", 300, 100.0), 79);  // 3x: Warning
  EXPECT_DOUBLE_EQ(Sub("qps", 600, 100.0), 50);  // 6x: still Warning
  EXPECT_LT(Sub("qps", 601, 100.0), 50);         // above 6x: Critical
  EXPECT_DOUBLE_EQ(Sub("qps", 1200, 100.0), 0);
  EXPECT_DOUBLE_EQ(Sub("qps", 5000, std::nullopt), 100);  // no baseline: at baseline
  EXPECT_DOUBLE_EQ(Sub("qps", 5000, 0.0), 100);
}

// The property the README promises: a sub-score lies in the band of the state ClassifyMetric
// gives (Healthy 80..100, Warning 50..79, Critical 0..49), for every dimension and value.
TEST(DimensionSubScoreTest, SubScoreBandAlwaysMatchesTheMetricState) {
  for (const store::MetricSpec& spec : store::MetricCatalog()) {
    const double top = std::max(spec.warning, spec.critical) * 3 + 10;
    for (int step = 0; step <= 3000; ++step) {
      const double value = top * step / 3000.0;
      const std::optional<double> baseline = spec.kind == store::ThresholdKind::kBaselineRatio
                                                 ? std::optional<double>(1.0)
                                                 : std::nullopt;
      const double score = DimensionSubScore(spec, value, baseline);
      switch (store::ClassifyMetric(spec, value, baseline)) {
        case HealthState::kHealthy:
          EXPECT_GE(score, 80) << spec.name << " = " << value;
          break;
        case HealthState::kWarning:
          EXPECT_GE(score, 50) << spec.name << " = " << value;
          EXPECT_LE(score, 79) << spec.name << " = " << value;
          break;
        case HealthState::kCritical:
          EXPECT_LT(score, 50) << spec.name << " = " << value;
          EXPECT_GE(score, 0) << spec.name << " = " << value;
          break;
      }
    }
  }
}

std::vector<DimensionScore> Dimensions(const std::map<std::string, double>& overrides) {
  std::vector<std::optional<double>> values(store::MetricCatalog().size());
  for (const auto& [name, value] : overrides) {
    const store::MetricSpec* spec = FindMetric(name);
    values[spec - store::MetricCatalog().data()] = value;
  }
  return ScoreDimensions(values, values);
}

TEST(MetricComponentTest, WorstDimensionMinusFivePerOtherUnhealthyDimension) {
  auto healthy = Dimensions({{"cpu", 27.5}, {"disk", 35}});
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, true), 90);
  auto one_warning = Dimensions({{"cpu", 62.5}, {"disk", 35}});
  EXPECT_DOUBLE_EQ(MetricComponent(one_warning, true), 64.5);
  auto three_bad = Dimensions({{"cpu", 62.5}, {"disk", 77.5}, {"latency", 25000}});
  EXPECT_NEAR(MetricComponent(three_bad, true), 24.5 - 10, 1e-9);
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, false), 0);        // no telemetry
  EXPECT_DOUBLE_EQ(MetricComponent(Dimensions({}), true), 0);  // nothing measured
}

TEST(AlertComponentTest, PenalisesFiringMessagesAndAlertsFiringNow) {
  EXPECT_DOUBLE_EQ(AlertComponent({}), 100);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 2}), 90);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 3, .firing_now_critical = 1}), 55);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 2, .firing_now_other = 2}), 70);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 30}), 0);
}

TEST(TierComponentTest, ImportantCustomersFeelMetricRiskMore) {
  EXPECT_DOUBLE_EQ(TierComponent("S", 40), 40);
  EXPECT_DOUBLE_EQ(TierComponent("A", 40), 55);
  EXPECT_DOUBLE_EQ(TierComponent("B", 40), 70);
  EXPECT_DOUBLE_EQ(TierComponent("C", 40), 85);
  EXPECT_DOUBLE_EQ(TierComponent("", 40), 70);  // unknown tier scores as B
  EXPECT_DOUBLE_EQ(TierComponent("S", 100), 100);
}

TEST(ComputeHealthTest, CompositeIsSixtyTwentyFiveFifteen) {
  // The README's worked example: disk at 92.5 % (sub-score 24.5) on a tier-A cluster with the
  // disk alert firing now and 3 Firing messages in the week.
  HealthBreakdown example =
      ComputeHealth(24.5, {.firing_messages = 3, .firing_now_critical = 1}, "A");
  EXPECT_DOUBLE_EQ(example.metric, 24.5);
  EXPECT_DOUBLE_EQ(example.alert, 55);
  EXPECT_DOUBLE_EQ(example.tier, 43.38);    // 100 - 0.75 * 75.5 = 43.375, kept to 2 decimals
  EXPECT_DOUBLE_EQ(example.health, 34.96);  // 14.7 + 13.75 + 6.507
  EXPECT_EQ(example.risk, RiskLevel::kCritical);
  HealthBreakdown perfect = ComputeHealth(100, {}, "S");
  EXPECT_DOUBLE_EQ(perfect.health, 100);
  EXPECT_EQ(perfect.risk, RiskLevel::kHealthy);
  // No telemetry at all is Critical whatever the tier.
  for (const char* tier : {"S", "A", "B", "C"}) {
    EXPECT_EQ(ComputeHealth(0, {}, tier).risk, RiskLevel::kCritical) << tier;
  }
}

TEST(ComputeHealthTest, RiskBands) {
  EXPECT_EQ(ClassifyRisk(100), RiskLevel::kHealthy);
  EXPECT_EQ(ClassifyRisk(80), RiskLevel::kHealthy);
  EXPECT_EQ(ClassifyRisk(79.99), RiskLevel::kWarning);
  EXPECT_EQ(ClassifyRisk(50), RiskLevel::kWarning);
  EXPECT_EQ(ClassifyRisk(49.99), RiskLevel::kCritical);
  EXPECT_EQ(ClassifyRisk(0), RiskLevel::kCritical);
  EXPECT_EQ(RiskLevelName(RiskLevel::kWarning), "Warning");
}

}  // namespace
}  // namespace rh::sentinel
