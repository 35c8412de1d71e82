// Metric analysis for query_cluster_metrics: window statistics, the 7-days-ago baseline,
// threshold state and a simple change-point detector, over one dimension's hourly series.
//
// Change point (documented in tools/README.md): the series analysed is the last `span` hours
// ending at the latest snapshot, seasonally adjusted by subtracting the value 168 hours (one
// week) earlier where it exists. The split maximising |mean(after) - mean(before)| *
// sqrt(k(n-k)/n) (the CUSUM mean-shift statistic) is kept when the shift is at least
// max(4 sigma, MinimumShift) - sigma estimated robustly from the median absolute deviation of
// hour-to-hour differences, so slow ramps do not inflate it - and the change is still active
// (the last 3 hours sit beyond half the shift). The start hour is then moved back while the
// earlier hours already deviate by more than 2 sigma in the same direction, so a ramp reports
// the hour it left the noise band rather than its middle.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "store/metric_catalog.h"

namespace rh::tools::internal {

struct HourlySample {
  TimePoint hour;
  double avg = 0.0;
  std::optional<double> max;
};

struct ChangePoint {
  TimePoint started;
  bool rising = true;
  double level_before = 0.0;  // mean of the raw values before the start
  double level_now = 0.0;     // mean of the raw values of the last (up to) 6 hours
};

// `series` is ordered by hour, at most one sample per hour; `week_earlier[i]` is the value 168
// hours before series[i] (nullopt when missing). The smallest shift reported is
// MinimumShift(spec, level before the split).
std::optional<ChangePoint> FindChangePoint(const std::vector<HourlySample>& series,
                                           const std::vector<std::optional<double>>& week_earlier,
                                           const store::MetricSpec& spec);

// The smallest shift worth reporting for `spec` given the level before the change: 5% of that
// level or 5% of the warning threshold, whichever is larger (30% of the level for the volume
// metrics judged against their baseline).
double MinimumShift(const store::MetricSpec& spec, double level_before);

double Mean(const std::vector<double>& values);
// Nearest-rank percentile (0 < fraction <= 1) of unsorted values; 0 for none.
double Percentile(std::vector<double> values, double fraction);
// Least-squares slope per hour of (hour, value) points; 0 with fewer than 2 points.
double SlopePerHour(const std::vector<HourlySample>& samples);

}  // namespace rh::tools::internal
