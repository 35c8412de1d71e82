// The metric catalogue: the 14 dimensions of amv_hourly_snapshots_v1, their units, and the
// Healthy/Warning/Critical thresholds the scorer, the tools and the simulator share.
//
// The first six thresholds are the platform's own (DESIGN.md §4). The other eight are our
// documented choices (README "Health scoring"), grounded in StarRocks' alert rules
// (../shared/reference/starrocks-alert-rules.md):
//   BE memory       < 70 / 70–85 / > 85 % of the BE memory limit (Memory Exceed Limit near 90)
//   FE JVM heap     < 60 / 60–80 / > 80 % (Grafana "FE JVM Heap Stat" >= 80)
//   QPS, load rows/s, scan rows/s: volume, healthy unless > 3x / > 6x its 7-day baseline
//   tablet count    < 50k / 50k–100k / > 100k tablets per BE
//   alive BE ratio  >= 99.9 / 80–99.9 / < 80 % (one of three BEs down is critical)
//   txn failures    < 5 / 5–50 / > 50 failed load transactions per hour
// Thread-safety: immutable data.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rh::store {

enum class HealthState { kHealthy, kWarning, kCritical };
std::string_view HealthStateName(HealthState state);  // "healthy" | "warning" | "critical"

enum class ThresholdKind {
  kHigherIsWorse,   // value compared with warning/critical directly
  kLowerIsWorse,    // value below warning is Warning, below critical is Critical
  kBaselineRatio,   // value / baseline compared with warning/critical (volume metrics)
};
// "higher_is_worse" | "lower_is_worse" | "baseline_ratio" (the API's and the web page's word).
std::string_view ThresholdKindName(ThresholdKind kind);

struct MetricSpec {
  std::string_view name;          // "starrocks_be_cpu_util_percent"
  std::string_view short_name;    // "cpu" (what tools accept as a dimension alias)
  std::string_view unit;          // "%", "ms", "score", "qps", ...
  std::string_view description;   // one line for people and models
  ThresholdKind kind;
  double warning;                 // boundary into Warning
  double critical;                // boundary into Critical
  bool platform_threshold;        // true for the six thresholds given by the platform
};

const std::vector<MetricSpec>& MetricCatalog();
// By full name or short name; nullptr when unknown.
const MetricSpec* FindMetric(std::string_view name_or_alias);

// The state of `value` for `spec`. For kBaselineRatio, `baseline` is the 7-days-ago value
// (no baseline or a baseline <= 0 means Healthy).
HealthState ClassifyMetric(const MetricSpec& spec, double value, std::optional<double> baseline = {});

}  // namespace rh::store
