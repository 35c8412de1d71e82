#include "sentinel/health_formula.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rh::sentinel {
namespace {

using store::HealthState;
using store::MetricSpec;
using store::ThresholdKind;

// Band edges of a sub-score: Healthy 80..100, Warning 50..79, Critical 0..49.
constexpr double kHealthyTop = 100.0;
constexpr double kHealthyBottom = 80.0;
constexpr double kWarningTop = 79.0;
constexpr double kWarningBottom = 50.0;
constexpr double kCriticalTop = 49.0;

double Clamp(double value) { return std::clamp(value, 0.0, 100.0); }

// Components and the composite are kept to two decimals, so the stored, printed and classified
// values are the same number.
double Round2(double value) { return std::round(value * 100.0) / 100.0; }

// Linear from `top` at fraction 0 to `bottom` at fraction 1 (fraction clamped to 0..1).
double Lerp(double top, double bottom, double fraction) {
  return top + (bottom - top) * std::clamp(fraction, 0.0, 1.0);
}

// Beyond the critical threshold the sub-score falls from 49 to 0 over twice the width of the
// warning band, or up to 100 % for percentages, whichever comes first.
double CriticalSpan(const MetricSpec& spec) {
  double span = 2.0 * std::abs(spec.critical - spec.warning);
  if (spec.kind == ThresholdKind::kHigherIsWorse && spec.unit == "%" && spec.critical < 100.0) {
    span = std::min(span, 100.0 - spec.critical);
  }
  return span > 0 ? span : 1.0;
}

// Higher-is-worse scoring of `value` against warning `w` and critical `c`, with the healthy
// band running from 100 at `ideal` to 80 at `w`.
double ScoreHigherIsWorse(const MetricSpec& spec, double value, double ideal) {
  const double w = spec.warning;
  const double c = spec.critical;
  if (value < w) return Lerp(kHealthyTop, kHealthyBottom, (value - ideal) / (w - ideal));
  if (value <= c) return Lerp(kWarningTop, kWarningBottom, (value - w) / (c - w));
  return Lerp(kCriticalTop, 0.0, (value - c) / CriticalSpan(spec));
}

}  // namespace

RiskLevel ClassifyRisk(double health_score) {
  if (health_score >= kHealthyAtLeast) return RiskLevel::kHealthy;
  if (health_score >= kCriticalBelow) return RiskLevel::kWarning;
  return RiskLevel::kCritical;
}

double DimensionSubScore(const MetricSpec& spec, double value, std::optional<double> baseline) {
  if (!std::isfinite(value)) return 0.0;
  switch (spec.kind) {
    case ThresholdKind::kHigherIsWorse:
      return Clamp(ScoreHigherIsWorse(spec, std::max(value, 0.0), 0.0));
    case ThresholdKind::kLowerIsWorse: {
      const double w = spec.warning;
      const double c = spec.critical;
      if (value >= w) return kHealthyTop;
      if (value >= c) return Clamp(Lerp(kWarningBottom, kWarningTop, (value - c) / (w - c)));
      return Clamp(Lerp(kCriticalTop, 0.0, (c - value) / CriticalSpan(spec)));
    }
    case ThresholdKind::kBaselineRatio: {
      const double ratio = (baseline && *baseline > 0) ? value / *baseline : 1.0;
      return Clamp(ScoreHigherIsWorse(spec, std::max(ratio, 1.0), 1.0));
    }
  }
  return kHealthyTop;
}

std::string_view VolumeSignalName(VolumeSignal signal) {
  switch (signal) {
    case VolumeSignal::kQps:
      return "qps";
    case VolumeSignal::kLoadRate:
      return "load_rate";
    case VolumeSignal::kFailedLoads:
      return "failed_loads";
  }
  return "qps";
}

const MetricSpec& VolumeSignalMetric(VolumeSignal signal) {
  static const MetricSpec* const kMetrics[] = {
      store::FindMetric("qps"), store::FindMetric("load_rate"), store::FindMetric("txn_failed")};
  return *kMetrics[static_cast<size_t>(signal)];
}

namespace {

double Median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const size_t middle = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2.0;
}

HealthState StateOfScore(double score) {
  if (score >= kHealthyBottom) return HealthState::kHealthy;
  if (score >= kWarningBottom) return HealthState::kWarning;
  return HealthState::kCritical;
}

// A rise to r times the usual level against the multiples w (Warning) and c (Critical): 100 at
// r = 1 -> 80 just below w, 79 at w -> 50 at c, 49 -> 0 at c + 2 (c - w).
double RiseScore(double r, double w, double c) {
  if (r < w) return Lerp(kHealthyTop, kHealthyBottom, (r - 1.0) / (w - 1.0));
  if (r <= c) return Lerp(kWarningTop, kWarningBottom, (r - w) / (c - w));
  return Lerp(kCriticalTop, 0.0, (r - c) / (2.0 * (c - w)));
}

std::string Short(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", value);
  return buf;
}

}  // namespace

VolumeScore ScoreVolumeSignal(VolumeSignal signal, std::optional<double> value,
                              const std::vector<double>& samples, const SentinelConfig& config) {
  VolumeScore volume;
  volume.signal = signal;
  volume.value = value;
  std::vector<double> finite;
  for (double sample : samples) {
    if (std::isfinite(sample) && sample >= 0) finite.push_back(sample);
  }
  volume.baseline_samples = static_cast<int>(finite.size());
  if (!finite.empty()) volume.baseline = Median(finite);
  const std::string unit(VolumeSignalMetric(signal).unit);
  if (!value || !std::isfinite(*value)) {
    volume.not_judged = "not reported this hour";
    return volume;
  }
  if (volume.baseline_samples < config.volume_min_baseline_days) {
    volume.not_judged = std::to_string(volume.baseline_samples) + " same-hour sample(s) in " +
                        std::to_string(config.volume_baseline_days) + " days (needs " +
                        std::to_string(config.volume_min_baseline_days) + ")";
    return volume;
  }
  const double current = std::max(*value, 0.0);
  const double baseline = *volume.baseline;
  if (signal == VolumeSignal::kFailedLoads) {
    volume.judged = true;
    volume.ratio = current / std::max(baseline, kFailedLoadsBaselineFloor);
    if (current < config.volume_min_failed_loads) return volume;  // too few to count
    volume.score = RiseScore(volume.ratio, config.volume_failed_rise_warning,
                             config.volume_failed_rise_critical);
  } else {
    const double floor =
        signal == VolumeSignal::kQps ? config.volume_min_qps : config.volume_min_load_rows;
    if (baseline < floor || baseline <= 0) {
      volume.not_judged = "baseline " + Short(baseline) + " " + unit + " is under the " +
                          Short(floor) + " " + unit + " low-traffic floor";
      return volume;
    }
    volume.judged = true;
    volume.ratio = current / baseline;
    const double w = config.volume_drop_warning;
    const double c = config.volume_drop_critical;
    const double r = volume.ratio;
    if (r >= w) {
      volume.score = Lerp(kHealthyTop, kHealthyBottom, (1.0 - r) / (1.0 - w));
    } else if (r >= c) {
      volume.score = Lerp(kWarningTop, kWarningBottom, (w - r) / (w - c));
    } else {
      volume.score = Lerp(kCriticalTop, 0.0, (c - r) / c);
    }
  }
  volume.score = Clamp(volume.score);
  volume.state = StateOfScore(volume.score);
  return volume;
}

bool VolumeDimension::judged() const {
  return std::any_of(signals.begin(), signals.end(),
                     [](const VolumeScore& signal) { return signal.judged; });
}

const VolumeScore& VolumeDimension::worst() const {
  const VolumeScore* worst = &signals.front();
  for (const VolumeScore& signal : signals) {
    if (signal.judged && (!worst->judged || signal.score < worst->score)) worst = &signal;
  }
  return *worst;
}

const std::vector<const MetricSpec*>& ChangeWatchedMetrics() {
  static const std::vector<const MetricSpec*> kWatched = {
      store::FindMetric("cpu"), store::FindMetric("jvm_heap"), store::FindMetric("latency"),
      store::FindMetric("be_mem"), store::FindMetric("fe_heap")};
  return kWatched;
}

ChangeScore ScoreChangeSignal(const MetricSpec& spec, std::optional<double> value,
                              const std::vector<double>& samples, const SentinelConfig& config) {
  ChangeScore change;
  change.spec = &spec;
  change.value = value;
  change.min_rise = config.change_min_rise_share * spec.warning;
  std::vector<double> finite;
  for (double sample : samples) {
    if (std::isfinite(sample) && sample >= 0) finite.push_back(sample);
  }
  change.baseline_samples = static_cast<int>(finite.size());
  if (!finite.empty()) change.baseline = Median(finite);
  if (!value || !std::isfinite(*value)) {
    change.not_judged = "not reported this hour";
    return change;
  }
  if (change.baseline_samples < config.volume_min_baseline_days) {
    change.not_judged = std::to_string(change.baseline_samples) +
                        " same-hour sample(s) before the operation (needs " +
                        std::to_string(config.volume_min_baseline_days) + ")";
    return change;
  }
  if (*change.baseline <= 0) {
    change.not_judged = "baseline 0 before the operation";
    return change;
  }
  change.judged = true;
  const double current = std::max(*value, 0.0);
  change.ratio = current / *change.baseline;
  // A small rise is no regression whatever its ratio (CPU 2 % -> 4 %).
  if (current - *change.baseline < change.min_rise) return change;
  change.score = Clamp(RiseScore(change.ratio, config.change_rise_warning,
                                 config.change_rise_critical));
  change.state = StateOfScore(change.score);
  return change;
}

bool ChangeDimension::judged() const {
  return std::any_of(signals.begin(), signals.end(),
                     [](const ChangeScore& signal) { return signal.judged; });
}

const ChangeScore* ChangeDimension::worst() const {
  const ChangeScore* worst = nullptr;
  for (const ChangeScore& signal : signals) {
    if (signal.judged && (!worst || signal.score < worst->score)) worst = &signal;
  }
  return worst;
}

std::vector<DimensionScore> ScoreDimensions(const std::vector<std::optional<double>>& values,
                                            const std::vector<std::optional<double>>& baselines) {
  const auto& catalog = store::MetricCatalog();
  std::vector<DimensionScore> dimensions(catalog.size());
  for (size_t metric_idx = 0; metric_idx < catalog.size(); ++metric_idx) {
    DimensionScore& dimension = dimensions[metric_idx];
    dimension.spec = &catalog[metric_idx];
    if (metric_idx < values.size()) dimension.value = values[metric_idx];
    if (metric_idx < baselines.size()) dimension.baseline = baselines[metric_idx];
    if (!dimension.value) continue;
    dimension.state = store::ClassifyMetric(*dimension.spec, *dimension.value, dimension.baseline);
    dimension.score = DimensionSubScore(*dimension.spec, *dimension.value, dimension.baseline);
  }
  return dimensions;
}

double MetricComponent(const std::vector<DimensionScore>& dimensions, bool has_telemetry,
                       const VolumeDimension* volume, const ChangeDimension* change) {
  if (!has_telemetry) return 0.0;
  double worst = kHealthyTop + 1;
  int non_healthy = 0;
  for (const DimensionScore& dimension : dimensions) {
    if (!dimension.value) continue;
    worst = std::min(worst, dimension.score);
    if (dimension.state != HealthState::kHealthy) ++non_healthy;
  }
  if (volume && volume->judged()) {
    const VolumeScore& signal = volume->worst();
    worst = std::min(worst, signal.score);
    if (signal.state != HealthState::kHealthy) ++non_healthy;
  }
  if (const ChangeScore* signal = change ? change->worst() : nullptr) {
    worst = std::min(worst, signal->score);
    if (signal->state != HealthState::kHealthy) ++non_healthy;
  }
  if (worst > kHealthyTop) return 0.0;  // nothing measured
  return Clamp(worst - kBreadthPenalty * std::max(0, non_healthy - 1));
}

double AlertComponent(const AlertCounts& alerts, double flap_episode_points) {
  return Clamp(100.0 - kPenaltyPerFiringMessage * alerts.firing_messages -
               kPenaltyFiringNowCritical *
                   (alerts.firing_now_critical + alerts.flapping_resolved_now) -
               kPenaltyFiringNowOther * alerts.firing_now_other -
               flap_episode_points * alerts.flap_episodes);
}

double TierSensitivity(std::string_view tier) {
  if (tier == "S") return 1.0;
  if (tier == "A") return 0.75;
  if (tier == "C") return 0.25;
  return 0.5;  // B and unknown
}

double TierComponent(std::string_view tier, double metric_component) {
  return Clamp(100.0 - TierSensitivity(tier) * (100.0 - Clamp(metric_component)));
}

HealthBreakdown ComputeHealth(double metric_component, const AlertCounts& alerts,
                              std::string_view tier, double flap_episode_points) {
  HealthBreakdown breakdown;
  breakdown.metric = Round2(Clamp(metric_component));
  breakdown.alert = Round2(AlertComponent(alerts, flap_episode_points));
  breakdown.tier = Round2(TierComponent(tier, breakdown.metric));
  breakdown.health = Round2(Clamp(kMetricWeight * breakdown.metric +
                                  kAlertWeight * breakdown.alert + kTierWeight * breakdown.tier));
  breakdown.risk = ClassifyRisk(breakdown.health);
  return breakdown;
}

}  // namespace rh::sentinel
