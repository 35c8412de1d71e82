#include "sentinel/health_formula.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

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
  EXPECT_DOUBLE_EQ(AlertComponent({}, 5), 100);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 2}, 5), 90);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 3, .firing_now_critical = 1}, 5), 55);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 2, .firing_now_other = 2}, 5), 70);
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 30}, 5), 0);
}

TEST(AlertComponentTest, FlappingCriticalAlertsWeighEvenWhenResolvedNow) {
  // A BE crash loop: BE Service Suspension fired and resolved 6 times today, resolved right
  // now. Six Firing messages (-30), the flapping alert counted as firing critical (-30) and
  // 5 points per episode (-30).
  AlertCounts crash_loop{
      .firing_messages = 6, .flapping_critical = 1, .flapping_resolved_now = 1, .flap_episodes = 6};
  EXPECT_DOUBLE_EQ(AlertComponent(crash_loop, 5), 10);
  // Without the flapping terms the same history scored 70.
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 6}, 5), 70);
  // The per-episode weight is the configured one; 0 keeps only the "firing now" term.
  EXPECT_DOUBLE_EQ(AlertComponent(crash_loop, 0), 40);
  // Flapping and firing now: counted once as firing (firing_now_critical), plus episodes.
  EXPECT_DOUBLE_EQ(AlertComponent({.firing_messages = 3,
                                   .firing_now_critical = 1,
                                   .flapping_critical = 1,
                                   .flap_episodes = 3},
                                  5),
                   40);
}

TEST(ComputeHealthTest, ACrashLoopResolvedAtTheLatestHourNoLongerScoresHealthy) {
  const AlertCounts history{.firing_messages = 6};
  const AlertCounts crash_loop{
      .firing_messages = 6, .flapping_critical = 1, .flapping_resolved_now = 1, .flap_episodes = 6};
  // Healthy metrics (M = 90) on tier B: Healthy without the flapping terms (85.75), Warning
  // with them (54 + 2.5 + 14.25).
  EXPECT_EQ(ComputeHealth(90, history, "B", 5).risk, RiskLevel::kHealthy);
  HealthBreakdown quiet = ComputeHealth(90, crash_loop, "B", 5);
  EXPECT_DOUBLE_EQ(quiet.health, 70.75);
  EXPECT_EQ(quiet.risk, RiskLevel::kWarning);
  // Queries failing at 2 % as the BE keeps dying (sub-score 50): Warning without (58.75),
  // Critical with (30 + 2.5 + 11.25).
  const double metric = Sub("query_err", 2.0);
  EXPECT_DOUBLE_EQ(metric, 50);
  EXPECT_EQ(ComputeHealth(metric, history, "B", 5).risk, RiskLevel::kWarning);
  HealthBreakdown failing = ComputeHealth(metric, crash_loop, "B", 5);
  EXPECT_DOUBLE_EQ(failing.health, 43.75);
  EXPECT_EQ(failing.risk, RiskLevel::kCritical);
}

SentinelConfig VolumeConfig() { return SentinelConfig{}; }

std::vector<double> Week(double value) { return std::vector<double>(7, value); }

TEST(VolumeSignalTest, DropsScoreInTheRiskBandsDownToZeroAtAStop) {
  const SentinelConfig config = VolumeConfig();
  auto qps = [&](double value, double baseline) {
    return ScoreVolumeSignal(VolumeSignal::kQps, value, Week(baseline), config);
  };
  EXPECT_DOUBLE_EQ(qps(100, 100).score, 100);
  EXPECT_DOUBLE_EQ(qps(250, 100).score, 100);  // a rise is not a drop (surges: the catalogue)
  EXPECT_DOUBLE_EQ(qps(75, 100).score, 90);
  EXPECT_EQ(qps(50, 100).state, HealthState::kHealthy);  // exactly half: still Healthy (80)
  EXPECT_DOUBLE_EQ(qps(50, 100).score, 80);
  EXPECT_EQ(qps(49.9, 100).state, HealthState::kWarning);
  EXPECT_NEAR(qps(35, 100).score, 64.5, 1e-9);
  EXPECT_DOUBLE_EQ(qps(20, 100).score, 50);
  EXPECT_EQ(qps(20, 100).state, HealthState::kWarning);
  EXPECT_EQ(qps(19.9, 100).state, HealthState::kCritical);
  EXPECT_NEAR(qps(10, 100).score, 24.5, 1e-9);
  EXPECT_DOUBLE_EQ(qps(0, 100).score, 0);  // a full stop
  auto load = ScoreVolumeSignal(VolumeSignal::kLoadRate, 300, Week(6000), config);
  EXPECT_TRUE(load.judged);
  EXPECT_DOUBLE_EQ(load.ratio, 0.05);
  EXPECT_EQ(load.state, HealthState::kCritical);
}

TEST(VolumeSignalTest, TheBaselineIsTheMedianOfTheSameHourOnEarlierDays) {
  const SentinelConfig config = VolumeConfig();
  // One odd day (a weekend, an outage last Tuesday) does not move the median.
  auto signal = ScoreVolumeSignal(VolumeSignal::kQps, 100, {100, 104, 98, 3, 101, 99, 400}, config);
  EXPECT_DOUBLE_EQ(*signal.baseline, 100);
  EXPECT_EQ(signal.baseline_samples, 7);
  EXPECT_EQ(signal.state, HealthState::kHealthy);
  // An even number of samples: the mean of the middle two.
  EXPECT_DOUBLE_EQ(*ScoreVolumeSignal(VolumeSignal::kQps, 1, {10, 20, 30, 40}, config).baseline,
                   25);
  // Too few same-hour samples: not judged, and says why.
  auto young = ScoreVolumeSignal(VolumeSignal::kQps, 0, {100, 100}, config);
  EXPECT_FALSE(young.judged);
  EXPECT_DOUBLE_EQ(young.score, 100);
  EXPECT_NE(young.not_judged.find("needs 3"), std::string::npos) << young.not_judged;
  // No value this hour: not judged.
  EXPECT_FALSE(ScoreVolumeSignal(VolumeSignal::kQps, std::nullopt, Week(100), config).judged);
}

TEST(VolumeSignalTest, LowTrafficBaselinesNeverFire) {
  const SentinelConfig config = VolumeConfig();
  // 0.4 qps usually, 0 now: under the 1 qps floor, not judged.
  auto quiet = ScoreVolumeSignal(VolumeSignal::kQps, 0, Week(0.4), config);
  EXPECT_FALSE(quiet.judged);
  EXPECT_EQ(quiet.state, HealthState::kHealthy);
  EXPECT_NE(quiet.not_judged.find("low-traffic floor"), std::string::npos) << quiet.not_judged;
  EXPECT_FALSE(ScoreVolumeSignal(VolumeSignal::kQps, 0, Week(0), config).judged);
  EXPECT_FALSE(ScoreVolumeSignal(VolumeSignal::kLoadRate, 0, Week(99), config).judged);
  EXPECT_TRUE(ScoreVolumeSignal(VolumeSignal::kLoadRate, 0, Week(100), config).judged);
  // The floors are configuration.
  SentinelConfig strict = config;
  strict.volume_min_qps = 0.1;
  EXPECT_EQ(ScoreVolumeSignal(VolumeSignal::kQps, 0, Week(0.4), strict).state,
            HealthState::kCritical);
}

TEST(VolumeSignalTest, FailedLoadsRiseAgainstTheirBaselineWithAFloor) {
  const SentinelConfig config = VolumeConfig();
  auto failed = [&](double value, double baseline) {
    return ScoreVolumeSignal(VolumeSignal::kFailedLoads, value, Week(baseline), config);
  };
  // A cluster that never fails: 4 failures/h is under the 5/h minimum, healthy.
  EXPECT_EQ(failed(4, 0).state, HealthState::kHealthy);
  EXPECT_DOUBLE_EQ(failed(4, 0).score, 100);
  // 5/h against a floor of 1/h: 5x, Warning starts.
  EXPECT_EQ(failed(5, 0).state, HealthState::kWarning);
  EXPECT_DOUBLE_EQ(failed(5, 0.2).ratio, 5);
  EXPECT_DOUBLE_EQ(failed(20, 0).score, 50);
  EXPECT_EQ(failed(21, 0).state, HealthState::kCritical);
  EXPECT_DOUBLE_EQ(failed(50, 0).score, 0);  // 20x + 2 x (20 - 5)
  // A busy cluster that usually fails 10 loads an hour: 30/h is 3x, healthy.
  EXPECT_EQ(failed(30, 10).state, HealthState::kHealthy);
  EXPECT_EQ(failed(300, 10).state, HealthState::kCritical);
}

TEST(MetricComponentTest, TheVolumeDimensionCountsAsOneMoreDimension) {
  const SentinelConfig config = VolumeConfig();
  auto healthy = Dimensions({{"cpu", 27.5}, {"disk", 35}});
  VolumeDimension volume;
  volume.signals = {ScoreVolumeSignal(VolumeSignal::kQps, 95, Week(100), config),
                    ScoreVolumeSignal(VolumeSignal::kLoadRate, 0, Week(8000), config),
                    ScoreVolumeSignal(VolumeSignal::kFailedLoads, 0, Week(0), config)};
  ASSERT_TRUE(volume.judged());
  EXPECT_EQ(volume.worst().signal, VolumeSignal::kLoadRate);
  // A paused routine load: the load rate at 0 drives M to 0, whatever the other dimensions.
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, true, &volume), 0);
  // ... which is Critical on every tier even with no alert.
  for (const char* tier : {"S", "A", "B", "C"}) {
    EXPECT_EQ(ComputeHealth(MetricComponent(healthy, true, &volume), {}, tier, 5).risk,
              RiskLevel::kCritical)
        << tier;
  }
  // A volume Warning adds to the breadth penalty like any other dimension.
  volume.signals[1] = ScoreVolumeSignal(VolumeSignal::kLoadRate, 3500, Week(10000), config);
  auto one_warning = Dimensions({{"cpu", 62.5}, {"disk", 35}});
  EXPECT_DOUBLE_EQ(MetricComponent(one_warning, true, &volume), 64.5 - 5);
  // Not judged: ignored.
  VolumeDimension unjudged;
  EXPECT_FALSE(unjudged.judged());
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, true, &unjudged), 90);
}

// ---- change dimension -------------------------------------------------------------------------

ChangeScore Change(const char* metric, double value, double before, SentinelConfig config = {}) {
  return ScoreChangeSignal(*FindMetric(metric), value, Week(before), config);
}

TEST(ChangeSignalTest, ARiseAgainstThePreOperationLevelScoresInTheRiskBands) {
  // CPU at 15 % before a SCALE-in: healthy in absolute terms at 30 %, a regression all the same.
  EXPECT_DOUBLE_EQ(Change("cpu", 15, 15).score, 100);
  EXPECT_EQ(Change("latency", 2000, 2000).state, HealthState::kHealthy);
  EXPECT_DOUBLE_EQ(Change("latency", 6000, 4800).score, 90);      // x1.25: halfway to 80
  EXPECT_DOUBLE_EQ(Change("latency", 4500, 3000).score, 79);      // x1.5: Warning starts
  EXPECT_EQ(Change("latency", 4499, 3000).state, HealthState::kHealthy);
  EXPECT_DOUBLE_EQ(Change("latency", 6750, 3000).score, 64.5);    // x2.25
  EXPECT_DOUBLE_EQ(Change("latency", 9000, 3000).score, 50);      // x3: still Warning
  EXPECT_EQ(Change("latency", 9001, 3000).state, HealthState::kCritical);
  EXPECT_DOUBLE_EQ(Change("latency", 18000, 3000).score, 0);      // x6 = 3 + 2 x (3 - 1.5)
  auto update = Change("latency", 7000, 450);  // pipeline_dop = 1: p99 450 ms -> 7 s
  EXPECT_TRUE(update.judged);
  EXPECT_EQ(update.state, HealthState::kCritical);
  EXPECT_NEAR(update.ratio, 15.56, 0.01);
}

TEST(ChangeSignalTest, ASmallRiseIsNoRegressionWhateverItsRatio) {
  // The rise must reach change_min_rise_share (0.2) of the warning threshold: CPU 55 % -> 11
  // points, latency 5000 ms -> 1000 ms.
  auto small = Change("cpu", 8, 2);  // x4, +6 points
  EXPECT_TRUE(small.judged);
  EXPECT_DOUBLE_EQ(small.min_rise, 11);
  EXPECT_DOUBLE_EQ(small.score, 100);
  EXPECT_EQ(small.state, HealthState::kHealthy);
  EXPECT_EQ(Change("cpu", 25.99, 15).state, HealthState::kHealthy);  // +10.99
  EXPECT_EQ(Change("cpu", 26, 15).state, HealthState::kWarning);     // +11, x1.73
  SentinelConfig any_rise;
  any_rise.change_min_rise_share = 0;
  EXPECT_EQ(Change("cpu", 8, 2, any_rise).state, HealthState::kCritical);
}

TEST(ChangeSignalTest, NotJudgedWithoutAValueEnoughSamplesOrABaseline) {
  const SentinelConfig config;
  auto young = ScoreChangeSignal(*FindMetric("latency"), 9000, {2000, 2000}, config);
  EXPECT_FALSE(young.judged);
  EXPECT_DOUBLE_EQ(young.score, 100);
  EXPECT_NE(young.not_judged.find("before the operation (needs 3)"), std::string::npos)
      << young.not_judged;
  EXPECT_FALSE(ScoreChangeSignal(*FindMetric("latency"), std::nullopt, Week(1), config).judged);
  auto zero = Change("cpu", 40, 0);
  EXPECT_FALSE(zero.judged);
  EXPECT_EQ(zero.not_judged, "baseline 0 before the operation");
  // The watched dimensions: resources and latency, not errors, disk, tablets or volumes.
  std::vector<std::string> watched;
  for (const store::MetricSpec* spec : ChangeWatchedMetrics()) {
    watched.emplace_back(spec->short_name);
  }
  EXPECT_EQ(watched, (std::vector<std::string>{"cpu", "jvm_heap", "latency", "be_mem",
                                               "fe_heap"}));
}

TEST(MetricComponentTest, TheChangeDimensionCountsAsOneMoreDimension) {
  auto healthy = Dimensions({{"cpu", 27.5}, {"disk", 35}});  // worst 90
  ChangeDimension change;
  change.signals = {Change("cpu", 20, 15), Change("latency", 6750, 3000)};
  ASSERT_TRUE(change.judged());
  EXPECT_EQ(change.worst()->spec->short_name, "latency");
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, true, nullptr, &change), 64.5);
  // With a Warning dimension too, the breadth penalty counts the change dimension once.
  auto one_warning = Dimensions({{"cpu", 62.5}, {"disk", 35}});
  EXPECT_DOUBLE_EQ(MetricComponent(one_warning, true, nullptr, &change), 64.5 - 5);
  // No recent operation: nothing judged, nothing changes.
  ChangeDimension none;
  EXPECT_FALSE(none.judged());
  EXPECT_EQ(none.worst(), nullptr);
  EXPECT_DOUBLE_EQ(MetricComponent(healthy, true, nullptr, &none), 90);
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
      ComputeHealth(24.5, {.firing_messages = 3, .firing_now_critical = 1}, "A", 5);
  EXPECT_DOUBLE_EQ(example.metric, 24.5);
  EXPECT_DOUBLE_EQ(example.alert, 55);
  EXPECT_DOUBLE_EQ(example.tier, 43.38);    // 100 - 0.75 * 75.5 = 43.375, kept to 2 decimals
  EXPECT_DOUBLE_EQ(example.health, 34.96);  // 14.7 + 13.75 + 6.507
  EXPECT_EQ(example.risk, RiskLevel::kCritical);
  HealthBreakdown perfect = ComputeHealth(100, {}, "S", 5);
  EXPECT_DOUBLE_EQ(perfect.health, 100);
  EXPECT_EQ(perfect.risk, RiskLevel::kHealthy);
  // No telemetry at all is Critical whatever the tier.
  for (const char* tier : {"S", "A", "B", "C"}) {
    EXPECT_EQ(ComputeHealth(0, {}, tier, 5).risk, RiskLevel::kCritical) << tier;
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
