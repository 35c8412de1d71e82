#include "tools/internal/metric_analysis.h"

#include <algorithm>
#include <cmath>

namespace rh::tools::internal {
namespace {

constexpr size_t kMinSeries = 12;     // hours needed before looking for a change
constexpr size_t kMinSegment = 3;     // hours on each side of a split
constexpr double kShiftSigmas = 4.0;  // shift must exceed this many noise sigmas
constexpr double kOnsetSigmas = 2.0;  // an hour deviating this much belongs to the change
constexpr size_t kActiveHours = 3;    // the change must still hold over the last hours
constexpr size_t kLevelNowHours = 6;

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2;
}

}  // namespace

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0.0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

double SlopePerHour(const std::vector<HourlySample>& samples) {
  if (samples.size() < 2) return 0.0;
  const TimePoint origin = samples.front().hour;
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_xy = 0;
  for (const HourlySample& sample : samples) {
    double x = std::chrono::duration<double, std::ratio<3600>>(sample.hour - origin).count();
    sum_x += x;
    sum_y += sample.avg;
    sum_xx += x * x;
    sum_xy += x * sample.avg;
  }
  double n = static_cast<double>(samples.size());
  double denominator = n * sum_xx - sum_x * sum_x;
  if (denominator == 0) return 0.0;
  return (n * sum_xy - sum_x * sum_y) / denominator;
}

double MinimumShift(const store::MetricSpec& spec, double level_before) {
  if (spec.kind == store::ThresholdKind::kBaselineRatio) {
    return std::max(0.3 * std::fabs(level_before), 1e-9);
  }
  return std::max({0.05 * std::fabs(level_before), 0.05 * std::fabs(spec.warning), 1e-9});
}

std::optional<ChangePoint> FindChangePoint(const std::vector<HourlySample>& series,
                                           const std::vector<std::optional<double>>& week_earlier,
                                           const store::MetricSpec& spec) {
  const size_t n = series.size();
  if (n < kMinSeries || week_earlier.size() != n) return std::nullopt;
  // Seasonally adjust only when most hours have their week-earlier value.
  size_t with_reference = 0;
  for (const auto& reference : week_earlier) with_reference += reference.has_value();
  bool adjust = with_reference * 4 >= n * 3;
  std::vector<double> values(n);
  std::optional<double> carried;  // a missing reference reuses the previous one
  for (const auto& reference : week_earlier) {
    if (reference) {
      carried = reference;
      break;
    }
  }
  for (size_t hour_idx = 0; hour_idx < n; ++hour_idx) {
    if (week_earlier[hour_idx]) carried = week_earlier[hour_idx];
    double reference = adjust && carried ? *carried : 0.0;
    values[hour_idx] = series[hour_idx].avg - reference;
  }

  std::vector<double> prefix(n + 1, 0.0);
  for (size_t hour_idx = 0; hour_idx < n; ++hour_idx) {
    prefix[hour_idx + 1] = prefix[hour_idx] + values[hour_idx];
  }
  size_t best_split = 0;
  double best_stat = -1.0;
  for (size_t split = kMinSegment * 2; split + kMinSegment <= n; ++split) {
    double before = prefix[split] / static_cast<double>(split);
    double after = (prefix[n] - prefix[split]) / static_cast<double>(n - split);
    double weight = std::sqrt(static_cast<double>(split) * static_cast<double>(n - split) /
                              static_cast<double>(n));
    double stat = std::fabs(after - before) * weight;
    if (stat > best_stat) {
      best_stat = stat;
      best_split = split;
    }
  }
  if (best_split == 0) return std::nullopt;

  std::vector<double> differences;
  for (size_t hour_idx = 1; hour_idx < n; ++hour_idx) {
    differences.push_back(values[hour_idx] - values[hour_idx - 1]);
  }
  double center = Median(differences);
  std::vector<double> deviations;
  for (double difference : differences) deviations.push_back(std::fabs(difference - center));
  double sigma = 1.4826 * Median(deviations) / std::sqrt(2.0);

  double mean_before = prefix[best_split] / static_cast<double>(best_split);
  double mean_after = (prefix[n] - prefix[best_split]) / static_cast<double>(n - best_split);
  double shift = mean_after - mean_before;
  std::vector<double> raw_head;
  for (size_t hour_idx = 0; hour_idx < best_split; ++hour_idx) {
    raw_head.push_back(series[hour_idx].avg);
  }
  const double min_shift = MinimumShift(spec, Mean(raw_head));
  if (std::fabs(shift) < std::max(kShiftSigmas * sigma, min_shift)) return std::nullopt;
  double direction = shift > 0 ? 1.0 : -1.0;
  std::vector<double> last(values.end() - kActiveHours, values.end());
  if ((Mean(last) - mean_before) * direction < std::fabs(shift) / 2) return std::nullopt;

  size_t start = best_split;
  while (start > 1 && (values[start - 1] - mean_before) * direction > kOnsetSigmas * sigma &&
         (values[start - 1] - mean_before) * direction > min_shift / 4) {
    --start;
  }
  std::vector<double> raw_before;
  for (size_t hour_idx = 0; hour_idx < start; ++hour_idx)
    raw_before.push_back(series[hour_idx].avg);
  std::vector<double> raw_now;
  for (size_t hour_idx = n - std::min(kLevelNowHours, n); hour_idx < n; ++hour_idx) {
    raw_now.push_back(series[hour_idx].avg);
  }
  return ChangePoint{series[start].hour, shift > 0, Mean(raw_before), Mean(raw_now)};
}

}  // namespace rh::tools::internal
