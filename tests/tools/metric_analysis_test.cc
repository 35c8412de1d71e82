#include "tools/internal/metric_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/time_format.h"

namespace rh::tools::internal {
namespace {

const store::MetricSpec& Spec(const char* name) { return *store::FindMetric(name); }

// 14 days of hourly values from `value(hours_before_end)`; returns the last 7 days as the
// series and the week before as references.
struct Series {
  std::vector<HourlySample> last_week;
  std::vector<std::optional<double>> week_earlier;
};

Series Make(const std::function<double(int)>& value) {
  TimePoint end = MakeUtcTime(2026, 3, 10, 12);
  Series series;
  for (int hours_before = 7 * 24 - 1; hours_before >= 0; --hours_before) {
    series.last_week.push_back({end - std::chrono::hours(hours_before), value(hours_before), {}});
    series.week_earlier.push_back(value(hours_before + 7 * 24));
  }
  return series;
}

double HoursBefore(TimePoint time) {
  return std::chrono::duration<double, std::ratio<3600>>(MakeUtcTime(2026, 3, 10, 12) - time)
      .count();
}

double Daily(int hours_before) { return std::sin(2 * M_PI * (hours_before % 24) / 24.0); }

TEST(MetricAnalysisTest, FindsTheStartOfARamp) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 0.3);
  Series series = Make([&](int hours_before) {
    double base = 55 + noise(rng);
    return hours_before <= 40 ? base + 0.9 * (40 - hours_before) : base;
  });
  auto change = FindChangePoint(series.last_week, series.week_earlier, Spec("disk"));
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->rising);
  EXPECT_NEAR(HoursBefore(change->started), 40, 3);
  EXPECT_NEAR(change->level_before, 55, 1);
  EXPECT_GT(change->level_now, 85);
}

TEST(MetricAnalysisTest, FindsAStepDown) {
  Series series = Make([](int hours_before) { return hours_before < 10 ? 66.7 : 100.0; });
  auto change = FindChangePoint(series.last_week, series.week_earlier, Spec("alive_be"));
  ASSERT_TRUE(change);
  EXPECT_FALSE(change->rising);
  EXPECT_NEAR(HoursBefore(change->started), 9, 0.01);
}

TEST(MetricAnalysisTest, IgnoresDailySeasonalityAndNoise) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 1.5);
    Series series =
        Make([&](int hours_before) { return 35 + 10 * Daily(hours_before) + noise(rng); });
    EXPECT_FALSE(FindChangePoint(series.last_week, series.week_earlier, Spec("cpu")))
        << "seed " << seed;
  }
}

TEST(MetricAnalysisTest, IgnoresAChangeThatAlreadyEnded) {
  Series series =
      Make([](int hours_before) { return hours_before > 50 && hours_before < 60 ? 80.0 : 30.0; });
  EXPECT_FALSE(FindChangePoint(series.last_week, series.week_earlier, Spec("cpu")));
}

TEST(MetricAnalysisTest, IgnoresTinyShiftsBelowTheMinimum) {
  Series series = Make([](int hours_before) { return hours_before < 30 ? 55.5 : 55.0; });
  EXPECT_FALSE(FindChangePoint(series.last_week, series.week_earlier, Spec("disk")));
}

TEST(MetricAnalysisTest, Statistics) {
  EXPECT_DOUBLE_EQ(Mean({1, 2, 3, 4}), 2.5);
  EXPECT_DOUBLE_EQ(Percentile({5, 1, 4, 2, 3}, 0.95), 5);
  EXPECT_DOUBLE_EQ(Percentile({5, 1, 4, 2, 3}, 0.5), 3);
  TimePoint start = MakeUtcTime(2026, 1, 1);
  std::vector<HourlySample> line;
  for (int hour = 0; hour < 10; ++hour) {
    line.push_back({start + std::chrono::hours(hour), 10.0 + 2.0 * hour, {}});
  }
  EXPECT_NEAR(SlopePerHour(line), 2.0, 1e-9);
}

}  // namespace
}  // namespace rh::tools::internal
