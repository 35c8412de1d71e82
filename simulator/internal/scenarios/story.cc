#include "simulator/internal/scenarios/story.h"

#include <algorithm>
#include <cmath>

#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/planner.h"

namespace rh::simulator::internal {

int MinStartIdx(const FleetPlan& plan) { return std::min(24, plan.hours / 3); }

int StartIdx(const FleetPlan& plan, int hours_before_end) {
  return std::clamp(plan.hours - 1 - hours_before_end, MinStartIdx(plan), plan.hours - 3);
}

double Ramp(int hour_idx, int start, int last, double gamma) {
  if (hour_idx < start) return 0;
  if (last <= start) return 1;
  const double position = static_cast<double>(hour_idx - start + 1) / (last - start + 1);
  return std::pow(std::min(1.0, position), gamma);
}

double Step(int hour_idx, int start, int rise_hours) {
  if (hour_idx < start) return 0;
  return std::min(1.0, static_cast<double>(hour_idx - start + 1) / std::max(1, rise_hours));
}

void LevelTo(MetricSample& sample, double baseline_mean, double target, double shape, double keep) {
  if (shape <= 0) return;
  const double goal = target + (sample.avg - baseline_mean) * keep;
  ScaleTo(sample, sample.avg + shape * (goal - sample.avg));
}

void Multiply(MetricSample& sample, double factor) { ScaleTo(sample, sample.avg * factor); }

double MeanAvg(const std::vector<HourValues>& series, MetricIndex metric, int from, int to) {
  double sum = 0;
  int count = 0;
  for (int hour_idx = std::max(0, from);
       hour_idx <= to && hour_idx < static_cast<int>(series.size()); ++hour_idx) {
    if (!series[static_cast<size_t>(hour_idx)].present) continue;
    sum += series[static_cast<size_t>(hour_idx)].metrics[metric].avg;
    ++count;
  }
  return count ? sum / count : 0;
}

double SameHoursBefore(const std::vector<HourValues>& series, MetricIndex metric, int start,
                       int last) {
  std::vector<double> days;
  for (int back = 24; back <= 24 * 6 + (last - start); back += 24) {
    const int to = last - back;
    if (to - 2 < 0) break;
    if (to >= start) continue;
    days.push_back(MeanAvg(series, metric, to - 2, to));
  }
  if (days.empty()) return MeanAvg(series, metric, start - 24, start - 1);
  std::sort(days.begin(), days.end());
  return days[days.size() / 2];
}

int LastPresent(const std::vector<HourValues>& series) {
  for (int hour_idx = static_cast<int>(series.size()) - 1; hour_idx >= 0; --hour_idx) {
    if (series[static_cast<size_t>(hour_idx)].present) return hour_idx;
  }
  return 0;
}

Cluster& ClusterAt(FleetPlan& plan, int cluster_index) {
  return plan.clusters[static_cast<size_t>(cluster_index)];
}

const Account& AccountOf(const FleetPlan& plan, const Cluster& cluster) {
  return plan.accounts[static_cast<size_t>(cluster.account_index)];
}

std::string NodeName(const Cluster& cluster, int node) {
  return (cluster.compute.node_type == "BE" ? "be-" : "cn-") + std::to_string(node);
}

bool IsSharedNothing(const Cluster& cluster) { return cluster.run_mode == RunMode::kSharedNothing; }

void MakeSharedNothing(Cluster& cluster, Rng& rng) {
  if (cluster.run_mode == RunMode::kSharedNothing) return;
  cluster.run_mode = RunMode::kSharedNothing;
  cluster.compute = MakeComputeGroup(rng, RunMode::kSharedNothing, cluster.package_type == "trial");
}

std::string Pct(double value) { return FormatNumber(value, 1) + "%"; }

std::string PctChange(double before, double after) {
  const double change = 100.0 * (after / std::max(1e-9, before) - 1.0);
  return (change >= 0 ? "+" : "") + FormatNumber(change, 0) + "%";
}

void FireBeCpuAlert(StoryEvents& story) {
  const int hour_idx = story.FirstAbove(kCpu, kCpuAlertPct);
  const MetricSample& cpu = story.At(hour_idx < 0 ? story.last : hour_idx, kCpu);
  story.FireAt(hour_idx, "BE CPU Alert", "warning",
               "BE CPU utilisation " + Pct(cpu.max) + " (hour average " + Pct(cpu.avg) + ") on " +
                   story.node,
               FormatNumber(cpu.max, 1));
}

void FireQueryLatencyAlert(StoryEvents& story) {
  const int hour_idx = story.FirstAbove(kLatency, kLatencyAlertMs);
  const double value = story.At(hour_idx < 0 ? story.last : hour_idx, kLatency).avg;
  story.FireAt(hour_idx, "Query Latency Alert", "warning",
               "query latency p99 " + FormatNumber(value, 0) + " ms > 5000 ms",
               FormatNumber(value, 0));
}

void FireMemoryAlert(StoryEvents& story) {
  const int hour_idx = story.FirstAbove(kBeMem, kMemoryAlertPct);
  const double value = story.At(hour_idx < 0 ? story.last : hour_idx, kBeMem).avg;
  story.FireAt(hour_idx, "Memory Alert", "critical",
               "BE memory used " + Pct(value) + " of mem_limit > 85% on " + story.node,
               FormatNumber(value, 1));
}

void FireLoadingFailureAlert(StoryEvents& story) {
  const int hour_idx = story.FirstAbove(kTxnFailed, kLoadFailureTxn);
  const double value = story.At(hour_idx < 0 ? story.last : hour_idx, kTxnFailed).avg;
  story.FireAt(hour_idx, "Loading Failure Alert", "warning",
               FormatNumber(value, 0) + " load transactions failed in the last hour",
               FormatNumber(value, 0));
}

}  // namespace rh::simulator::internal
