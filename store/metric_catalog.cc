#include "store/metric_catalog.h"

namespace rh::store {

std::string_view HealthStateName(HealthState state) {
  switch (state) {
    case HealthState::kHealthy: return "healthy";
    case HealthState::kWarning: return "warning";
    case HealthState::kCritical: return "critical";
  }
  return "healthy";
}

std::string_view ThresholdKindName(ThresholdKind kind) {
  switch (kind) {
    case ThresholdKind::kHigherIsWorse: return "higher_is_worse";
    case ThresholdKind::kLowerIsWorse: return "lower_is_worse";
    case ThresholdKind::kBaselineRatio: return "baseline_ratio";
  }
  return "higher_is_worse";
}

const std::vector<MetricSpec>& MetricCatalog() {
  using K = ThresholdKind;
  static const std::vector<MetricSpec> catalog = {
      {"starrocks_be_cpu_util_percent", "cpu", "%", "BE CPU utilisation (hourly average)",
       K::kHigherIsWorse, 55, 70, true},
      {"starrocks_be_jvm_heap_used_percent", "jvm_heap", "%", "BE JVM heap used",
       K::kHigherIsWorse, 55, 75, true},
      {"starrocks_be_disks_data_used_pct", "disk", "%", "BE data disk used",
       K::kHigherIsWorse, 70, 85, true},
      {"starrocks_be_compaction_score_average", "compaction", "score",
       "average tablet compaction score across BEs", K::kHigherIsWorse, 100, 500, true},
      {"starrocks_fe_query_latency_ms_p99", "latency", "ms", "query latency p99",
       K::kHigherIsWorse, 5000, 15000, true},
      {"starrocks_fe_query_err", "query_err", "%", "query error rate (failed / total)",
       K::kHigherIsWorse, 0.1, 2.0, true},
      {"starrocks_be_mem_used_percent", "be_mem", "%", "BE process memory / BE memory limit",
       K::kHigherIsWorse, 70, 85, false},
      {"starrocks_fe_jvm_heap_used_percent", "fe_heap", "%", "FE JVM heap used",
       K::kHigherIsWorse, 60, 80, false},
      {"starrocks_fe_qps", "qps", "qps", "queries per second", K::kBaselineRatio, 3, 6, false},
      {"starrocks_be_load_rows_per_sec", "load_rate", "rows/s", "rows loaded per second",
       K::kBaselineRatio, 3, 6, false},
      {"starrocks_be_tablet_num", "tablets", "tablets", "tablets per BE (average)",
       K::kHigherIsWorse, 50000, 100000, false},
      {"starrocks_be_alive_ratio", "alive_be", "%", "share of BE/CN nodes alive",
       K::kLowerIsWorse, 99.9, 80, false},
      {"starrocks_fe_txn_failed", "txn_failed", "txn/h", "failed load transactions per hour",
       K::kHigherIsWorse, 5, 50, false},
      {"starrocks_be_scan_rows_per_sec", "scan_rows", "rows/s", "rows scanned per second",
       K::kBaselineRatio, 3, 6, false},
  };
  return catalog;
}

const MetricSpec* FindMetric(std::string_view name_or_alias) {
  for (const MetricSpec& spec : MetricCatalog()) {
    if (spec.name == name_or_alias || spec.short_name == name_or_alias) return &spec;
  }
  return nullptr;
}

HealthState ClassifyMetric(const MetricSpec& spec, double value, std::optional<double> baseline) {
  switch (spec.kind) {
    case ThresholdKind::kHigherIsWorse:
      if (value > spec.critical) return HealthState::kCritical;
      if (value >= spec.warning) return HealthState::kWarning;
      return HealthState::kHealthy;
    case ThresholdKind::kLowerIsWorse:
      if (value < spec.critical) return HealthState::kCritical;
      if (value < spec.warning) return HealthState::kWarning;
      return HealthState::kHealthy;
    case ThresholdKind::kBaselineRatio: {
      if (!baseline || *baseline <= 0) return HealthState::kHealthy;
      double ratio = value / *baseline;
      if (ratio > spec.critical) return HealthState::kCritical;
      if (ratio >= spec.warning) return HealthState::kWarning;
      return HealthState::kHealthy;
    }
  }
  return HealthState::kHealthy;
}

}  // namespace rh::store
