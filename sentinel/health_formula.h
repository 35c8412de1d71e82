// The health formula: how raw observations of one cluster at one snapshot hour become a 0..100
// health score and a risk level. This is the ONE place the formula lives; sentinel/README.md
// ("Health scoring") documents it with the same constants.
//
//   sub-score per dimension (14, store/metric_catalog.h), in the same bands as the risk levels:
//     Healthy state -> 80..100, Warning -> 50..79, Critical -> 0..49, linear inside each band;
//   volume dimension  QPS, load rows/s and failed loads/h against the median of the same hour of
//                     day over the last 7 days: a drop to sentinel.volume_drop_warning (0.5) of
//                     the baseline is Warning, to volume_drop_critical (0.2) Critical, 0 at a
//                     stop; failed loads at 5x / 20x their baseline (floor 1/h, at least 5/h);
//                     baselines under the low-traffic floors are not judged. One dimension:
//                     the worst of its judged signals;
//   change dimension  after a recent operation (sentinel.change_operations: SCALE, UPDATE,
//                     UPGRADE, started in the last sentinel.change_window, 24 h), CPU, BE JVM heap,
//                     BE memory, FE heap and latency p99 against the median of the same hour of
//                     day on earlier days *before the operation*: x1.5 (change_rise_warning) is
//                     Warning, x3 (change_rise_critical) Critical, when the rise is also at least
//                     sentinel.change_min_rise_share (0.2) of the dimension's warning threshold.
//                     One dimension: the worst of its judged signals;
//   metric component  M = worst measured sub-score (14 catalogue dimensions + volume + change)
//                         - 5 per other non-healthy dimension (0..100);
//                     a cluster with no snapshot at the scored hour has M = 0 (no telemetry);
//   alert component   A = 100 - 5 per Firing message in the 7-day window
//                         - 30 per alert firing now with severity critical, - 10 for others
//                         - 30 per flapping critical alert resolved right now
//                         - sentinel.flap_episode_points (5) per fire/resolve episode of a
//                           flapping critical alert (>= 3 episodes in 24 h);
//   tier component    T = 100 - k_tier * (100 - M), k = S 1.0, A 0.75, B 0.5, C 0.25;
//   health            H = 0.60 M + 0.25 A + 0.15 T;
//   risk              Healthy H >= 80, Warning 50 <= H < 80, Critical H < 50.
//
// Pure functions over plain values: no I/O, no clock. Thread-safety: stateless, safe anywhere.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/risk_level.h"
#include "store/metric_catalog.h"

namespace rh::sentinel {

// Weights of the composite and the risk bands (DESIGN.md §4).
inline constexpr double kMetricWeight = 0.60;
inline constexpr double kAlertWeight = 0.25;
inline constexpr double kTierWeight = 0.15;
inline constexpr double kHealthyAtLeast = 80.0;
inline constexpr double kCriticalBelow = 50.0;

// Our documented choices (README "Health scoring").
inline constexpr double kBreadthPenalty = 5.0;           // per extra non-healthy dimension
inline constexpr double kPenaltyPerFiringMessage = 5.0;  // in the 7-day alert window
inline constexpr double kPenaltyFiringNowCritical = 30.0;
inline constexpr double kPenaltyFiringNowOther = 10.0;

// The risk band of a health score (RiskLevel, core/risk_level.h).
RiskLevel ClassifyRisk(double health_score);

// 0..100 for one observation of one dimension. `baseline` is the value 7 days earlier (only
// baseline-ratio dimensions use it; none or <= 0 counts as "at its baseline").
double DimensionSubScore(const store::MetricSpec& spec, double value,
                         std::optional<double> baseline);

// One dimension as scored: the observation, its state and sub-score.
struct DimensionScore {
  const store::MetricSpec* spec = nullptr;
  std::optional<double> value;     // avg_value at the scored hour; nullopt when not reported
  std::optional<double> baseline;  // the same metric 7 days earlier
  store::HealthState state = store::HealthState::kHealthy;
  double score = 100.0;  // meaningless when !value
};

// Scores every catalogue dimension present in `values` (indexed like store::MetricCatalog()).
std::vector<DimensionScore> ScoreDimensions(const std::vector<std::optional<double>>& values,
                                            const std::vector<std::optional<double>>& baselines);

// The volume dimension: a collapse of the workload (a paused routine load, an upstream Kafka
// outage, clients gone) or a surge of failed loads, against the cluster's own usual level at
// this hour of day.
enum class VolumeSignal { kQps, kLoadRate, kFailedLoads };
inline constexpr std::array<VolumeSignal, 3> kVolumeSignals = {
    VolumeSignal::kQps, VolumeSignal::kLoadRate, VolumeSignal::kFailedLoads};
std::string_view VolumeSignalName(VolumeSignal signal);  // "qps" | "load_rate" | "failed_loads"
// The catalogue metric a signal reads (starrocks_fe_qps, starrocks_be_load_rows_per_sec,
// starrocks_fe_txn_failed).
const store::MetricSpec& VolumeSignalMetric(VolumeSignal signal);

// Failed loads are compared with max(baseline, this): a cluster that never fails a load is not
// "infinitely worse" after one failure.
inline constexpr double kFailedLoadsBaselineFloor = 1.0;

struct VolumeScore {
  VolumeSignal signal = VolumeSignal::kQps;
  std::optional<double> value;     // the scored hour
  std::optional<double> baseline;  // median of the same-hour samples
  int baseline_samples = 0;
  bool judged = false;     // false: no value, too few samples, or a baseline under its floor
  std::string not_judged;  // why not, when !judged
  double ratio = 1.0;      // value / baseline (failed loads: / max(baseline, 1))
  store::HealthState state = store::HealthState::kHealthy;
  double score = 100.0;  // sub-score in the risk bands; 100 when not judged
};

// One signal: `value` at the scored hour against the same hour on earlier days (`samples`).
VolumeScore ScoreVolumeSignal(VolumeSignal signal, std::optional<double> value,
                              const std::vector<double>& samples, const SentinelConfig& config);

struct VolumeDimension {
  std::array<VolumeScore, 3> signals;  // in kVolumeSignals order
  bool judged() const;                 // any signal judged
  const VolumeScore& worst() const;    // the lowest sub-score (a judged one when any)
};

// The change dimension: a regression since a recent operation (a SCALE-in that leaves fewer BEs
// with the same work, a config UPDATE such as pipeline_dop = 1, an UPGRADE) of a dimension whose
// absolute thresholds sit far above the cluster's normal level (CPU at 15 % doubling to 30 % is
// healthy in absolute terms and a regression all the same).
struct ChangeScore {
  const store::MetricSpec* spec = nullptr;
  std::optional<double> value;     // the scored hour
  std::optional<double> baseline;  // median of the same-hour samples before the operation
  int baseline_samples = 0;
  bool judged = false;     // false: no value, too few samples before the operation, baseline 0
  std::string not_judged;  // why not, when !judged
  double ratio = 1.0;      // value / baseline
  double min_rise = 0;     // change_min_rise_share x the dimension's warning threshold
  store::HealthState state = store::HealthState::kHealthy;
  double score = 100.0;  // sub-score in the risk bands; 100 when not judged or the rise is small
};

// The dimensions the change dimension watches (cpu, jvm_heap, be_mem, fe_heap, latency), in
// catalogue order. Not the error rate (its absolute warning of 0.1 % already sees a regression),
// nor disk, tablets or compaction (a SCALE-in moves tablets and data by design), nor the
// volume signals (the volume dimension's).
const std::vector<const store::MetricSpec*>& ChangeWatchedMetrics();

// One watched dimension: `value` at the scored hour against `samples`, the same hour on earlier
// days, all before the operation.
ChangeScore ScoreChangeSignal(const store::MetricSpec& spec, std::optional<double> value,
                              const std::vector<double>& samples, const SentinelConfig& config);

struct ChangeDimension {
  std::vector<ChangeScore> signals;  // one per watched dimension; empty: no recent operation
  bool judged() const;               // any signal judged
  const ChangeScore* worst() const;  // the lowest judged sub-score; nullptr when none judged
};

// The metric component; 0 when `has_telemetry` is false or no dimension was measured. The
// volume and change dimensions, when judged, are one more dimension each.
double MetricComponent(const std::vector<DimensionScore>& dimensions, bool has_telemetry,
                       const VolumeDimension* volume = nullptr,
                       const ChangeDimension* change = nullptr);

struct AlertCounts {
  int firing_messages = 0;      // Firing messages in the alert window
  int firing_now_critical = 0;  // alerts whose latest message is Firing, severity critical
  int firing_now_other = 0;     // ... any other severity
  // Critical alerts with at least sentinel.flap_min_episodes fire/resolve episodes in
  // sentinel.flap_window ("flapping"), and how many of those are resolved right now.
  int flapping_critical = 0;
  int flapping_resolved_now = 0;
  int flap_episodes = 0;  // episodes of the flapping critical alerts in the flap window
};
double AlertComponent(const AlertCounts& alerts, double flap_episode_points);

// k_tier for "S", "A", "B", "C"; unknown tiers count as B.
double TierSensitivity(std::string_view tier);
double TierComponent(std::string_view tier, double metric_component);

struct HealthBreakdown {
  double metric = 0;
  double alert = 0;
  double tier = 0;
  double health = 0;
  RiskLevel risk = RiskLevel::kHealthy;
};

HealthBreakdown ComputeHealth(double metric_component, const AlertCounts& alerts,
                              std::string_view tier, double flap_episode_points);

}  // namespace rh::sentinel
