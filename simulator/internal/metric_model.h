// The background metric model: per-cluster baselines and the hourly series of the 14 metrics
// for a healthy cluster (daily seasonality in the cluster's local time, weekday/weekend, slow
// growth, autocorrelated noise, rare mild blips). Incidents are layered on top by
// scenarios.h; FinishSeries then makes max/p99 consistent with avg and rounds every value.
//
// Semantics of a snapshot row: avg_value is the hour's mean (the value thresholds apply to),
// max_value the hour's peak, p99_value the 99th percentile of the hour's samples (NULL for the
// count-like metrics tablets and txn_failed).
// Internal to rh::simulator. Thread-safety: pure functions of their inputs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/error.h"
#include "simulator/internal/fleet_model.h"

namespace rh::simulator::internal {

struct ClusterProfile {
  double diurnal_amplitude = 0.25;  // relative swing of the daily load curve
  int peak_local_hour = 15;
  double weekend_factor = 0.85;     // load on Saturday/Sunday relative to weekdays
  double growth_per_day = 0.003;    // slow organic load growth
  double cpu_base = 20;             // BE CPU % at average load
  double be_jvm_base = 25;
  double be_jvm_sawtooth = 6;
  int be_jvm_period = 9;
  double disk_start = 40;
  double disk_growth_per_day = 0.1;
  double compaction_base = 15;
  double latency_base_ms = 800;
  double err_base = 0.01;           // query error rate, %
  double mem_base = 40;
  double fe_heap_base = 30;
  double fe_heap_sawtooth = 8;
  int fe_heap_period = 14;
  double qps_base = 20;
  double load_base = 5000;          // rows/s
  bool nightly_batch = false;       // load peaks at night instead of following the day
  double tablets_base = 10000;
  double tablets_growth_per_day = 20;
  double rows_per_query = 100000;
  double txn_fail_lambda = 0.1;     // failed load transactions per hour
  double blip_probability = 0.002;  // per hour: a mild, brief load blip
};

// The metric names in MetricIndex order, taken from store::MetricCatalog().
const std::array<std::string, kMetricCount>& MetricNames();
// internal error when store/metric_catalog.h no longer matches MetricIndex.
Status CheckMetricCatalog();

ClusterProfile MakeProfile(const FleetPlan& plan, int cluster_index);

// Fills `series` (resized to plan.hours) with the cluster's background.
void GenerateBackground(const FleetPlan& plan, int cluster_index, const ClusterProfile& profile,
                        std::vector<HourValues>& series);

// Re-derives max/p99 that fell below avg, clamps percentages to [0, 100] and counts to >= 0,
// and rounds every value to its metric's precision.
void FinishSeries(std::vector<HourValues>& series);

// Sets a sample's mean, moving max and p99 with it (proportionally).
void ScaleTo(MetricSample& sample, double new_avg);
// Adds `delta` to mean, max and p99.
void Shift(MetricSample& sample, double delta);

// Hours since the epoch and helpers for local time.
int64_t EpochHour(TimePoint t);

}  // namespace rh::simulator::internal
