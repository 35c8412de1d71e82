#include "simulator/internal/scenarios.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/json.h"
#include "core/time_format.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/planner.h"
#include "simulator/internal/random.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using C = IncidentCategory;

// Alert thresholds of the simulated alerting (the platform's critical thresholds from
// store/metric_catalog.h where the StarRocks rule would fire later than the platform cares).
constexpr double kDiskAlertPct = 85;
constexpr double kMemoryAlertPct = 85;
constexpr double kCpuAlertPct = 70;
constexpr double kLatencyAlertMs = 5000;
constexpr double kErrorAlertPct = 2;
constexpr double kCompactionPressure = 100;
constexpr double kVersionCountScore = 500;
constexpr double kLoadFailureTxn = 50;
constexpr int kRepeatHours = 4;  // Lark re-notifies a firing alert every 4 hours

Cluster& ClusterAt(FleetPlan& plan, int cluster_index) {
  return plan.clusters[static_cast<size_t>(cluster_index)];
}
const Account& AccountOf(const FleetPlan& plan, const Cluster& cluster) {
  return plan.accounts[static_cast<size_t>(cluster.account_index)];
}

int MinStartIdx(const FleetPlan& plan) { return std::min(24, plan.hours / 3); }

// The hour index `hours_before_end` hours before the last one, kept inside the data with a
// baseline before it and a few hours of story after it.
int StartIdx(const FleetPlan& plan, int hours_before_end) {
  return std::clamp(plan.hours - 1 - hours_before_end, MinStartIdx(plan), plan.hours - 3);
}

// 0 before `start`, rising to 1 at the last hour (shape `gamma`).
double Ramp(int hour_idx, int start, int last, double gamma) {
  if (hour_idx < start) return 0;
  if (last <= start) return 1;
  const double position = static_cast<double>(hour_idx - start + 1) / (last - start + 1);
  return std::pow(std::min(1.0, position), gamma);
}
// 0 before `start`, reaching 1 after `rise_hours`.
double Step(int hour_idx, int start, int rise_hours) {
  if (hour_idx < start) return 0;
  return std::min(1.0, static_cast<double>(hour_idx - start + 1) / std::max(1, rise_hours));
}

double MeanAvg(const std::vector<HourValues>& series, MetricIndex metric, int from, int to) {
  double sum = 0;
  int count = 0;
  for (int hour_idx = std::max(0, from); hour_idx <= to && hour_idx < static_cast<int>(series.size());
       ++hour_idx) {
    if (!series[static_cast<size_t>(hour_idx)].present) continue;
    sum += series[static_cast<size_t>(hour_idx)].metrics[metric].avg;
    ++count;
  }
  return count ? sum / count : 0;
}

// Moves a sample towards `target` (keeping `keep` of its own deviation from `baseline_mean`)
// by `shape` in [0, 1]; max and p99 scale with it.
void LevelTo(MetricSample& sample, double baseline_mean, double target, double shape,
             double keep = 0.3) {
  if (shape <= 0) return;
  const double goal = target + (sample.avg - baseline_mean) * keep;
  ScaleTo(sample, sample.avg + shape * (goal - sample.avg));
}
void Multiply(MetricSample& sample, double factor) { ScaleTo(sample, sample.avg * factor); }

std::string NodeName(const Cluster& cluster, int node) {
  return (cluster.compute.node_type == "BE" ? "be-" : "cn-") + std::to_string(node);
}

std::string Pct(double value) { return FormatNumber(value, 1) + "%"; }

std::string SeverityFor(const Incident& incident, const std::string& tier) {
  const bool top = tier == "S";
  const bool high_tier = tier == "S" || tier == "A";
  switch (incident.category) {
    case C::kDiskCapacity: return incident.target >= 95 || top ? "critical" : "high";
    case C::kNodeFailure:
      return high_tier || incident.target < 80 ? "critical" : "high";
    case C::kCompactionBacklog: return incident.target >= 1000 ? "critical" : "high";
    case C::kMemoryPressure: return top ? "critical" : "high";
    case C::kCpuSaturation: return top ? "critical" : "high";
    case C::kQueryErrors: return incident.target >= 10 || top ? "critical" : "high";
    case C::kSlowQueries: return high_tier ? "high" : "medium";
    case C::kOperationInduced: return top ? "critical" : "high";
    case C::kIngestionFailure: return tier == "C" ? "medium" : "high";
    case C::kKnownBug: return "high";
    case C::kAccountWide: return top ? "critical" : "high";
    case C::kAlertNoise: return "info";
    case C::kInsufficientData: return "low";
  }
  return "medium";
}

// Picks an unused cluster, preferring those `prefer` accepts; `order` is a shuffled index list.
int PickCluster(const FleetPlan& plan, const std::vector<int>& order,
                const std::function<bool(const Cluster&)>& prefer) {
  int fallback = -1;
  for (int cluster_index : order) {
    const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
    if (cluster.incident >= 0) continue;
    if (!prefer || prefer(cluster)) return cluster_index;
    if (fallback < 0) fallback = cluster_index;
  }
  return fallback;
}

void MakeSharedNothing(Cluster& cluster, Rng& rng) {
  if (cluster.run_mode == RunMode::kSharedNothing) return;
  cluster.run_mode = RunMode::kSharedNothing;
  cluster.compute = MakeComputeGroup(rng, RunMode::kSharedNothing,
                                     cluster.package_type == "trial");
}

bool IsSharedNothing(const Cluster& cluster) {
  return cluster.run_mode == RunMode::kSharedNothing;
}

std::string PickUpgradeTarget(Rng& rng, const Cluster& cluster, std::string* from) {
  const auto& versions = Versions();
  std::vector<int> targets;
  for (int rank = VersionRank("3.2.6"); rank < static_cast<int>(versions.size()); ++rank) {
    targets.push_back(rank);
  }
  const int to_rank = rng.Pick(targets);
  std::vector<std::string> sources;
  for (int back = 1; back <= 5 && to_rank - back >= 0; ++back) {
    const auto& info = versions[static_cast<size_t>(to_rank - back)];
    if (HasPageCacheBug(info.version)) continue;
    if (cluster.run_mode == RunMode::kSharedData && info.version < std::string_view("3")) continue;
    sources.emplace_back(info.version);
  }
  *from = sources.empty() ? std::string("3.1.14") : rng.Pick(sources);
  return std::string(versions[static_cast<size_t>(to_rank)].version);
}

// ---- planning per category ---------------------------------------------------------------

void PlanStory(FleetPlan& plan, int incident_index, Rng& rng) {
  Incident& incident = plan.incidents[static_cast<size_t>(incident_index)];
  const int first = incident.clusters.front();
  Cluster& cluster = ClusterAt(plan, first);
  const std::string tier = AccountOf(plan, cluster).tier;
  int start = 0;
  switch (incident.category) {
    case C::kDiskCapacity:
      MakeSharedNothing(cluster, rng);
      start = StartIdx(plan, rng.UniformInt(36, 120));
      incident.variant = rng.UniformInt(0, 1);
      incident.scenario = incident.variant == 0 ? "disk_fill_new_ingest_job"
                                                : "disk_fill_expired_partitions_not_dropped";
      incident.target = rng.Uniform(88, 97);         // disk % at the end
      incident.target2 = rng.Uniform(55, 68);        // disk % when the fill starts
      incident.factor = incident.variant == 0 ? rng.Uniform(1.3, 1.8) : 1.0;  // load rate
      incident.node = rng.UniformInt(1, cluster.compute.count);
      break;
    case C::kNodeFailure:
      MakeSharedNothing(cluster, rng);
      start = StartIdx(plan, rng.UniformInt(2, 9));
      incident.scenario = "be_node_down_heartbeat_lost";
      incident.count = cluster.compute.count >= 8 && rng.Bernoulli(0.3) ? 2 : 1;
      incident.target = 100.0 * (cluster.compute.count - incident.count) / cluster.compute.count;
      incident.minute = rng.UniformInt(5, 50);
      incident.node = rng.UniformInt(1, cluster.compute.count);
      incident.factor = rng.Uniform(1.6, 2.4);   // latency
      incident.target2 = rng.Uniform(0.3, 1.4);  // error rate %
      break;
    case C::kCompactionBacklog:
      MakeSharedNothing(cluster, rng);
      start = StartIdx(plan, rng.UniformInt(12, 48));
      incident.variant = rng.UniformInt(0, 1);
      incident.scenario = incident.variant == 0 ? "compaction_backlog_heavy_loading"
                                                : "compaction_backlog_high_frequency_inserts";
      incident.target = rng.Uniform(600, 1500);  // average compaction score at the end
      incident.factor = rng.Uniform(2.5, 4.0);   // load rate
      incident.target2 = rng.Uniform(8, 14);     // CPU points spent compacting
      break;
    case C::kMemoryPressure:
      if (HasPageCacheBug(cluster.version)) cluster.version = "3.2.8";
      start = StartIdx(plan, rng.UniformInt(6, 36));
      incident.scenario = "memory_pressure_query_surge";
      incident.target = rng.Uniform(88, 96);   // BE memory %
      incident.factor = rng.Uniform(2.4, 3.2);  // QPS
      incident.factor2 = rng.Uniform(3.5, 5.5);  // scan rows
      incident.target2 = rng.Uniform(0.15, 0.6);  // error rate % (memory limit exceeded)
      incident.node = rng.UniformInt(1, cluster.compute.count);
      break;
    case C::kCpuSaturation:
      start = StartIdx(plan, rng.UniformInt(4, 30));
      incident.scenario = "cpu_saturation_heavy_queries";
      incident.target = rng.Uniform(78, 94);       // CPU %
      incident.factor = rng.Uniform(3.5, 5.5);     // scan rows
      incident.factor2 = rng.Uniform(1.0, 1.3);    // QPS
      incident.target2 = rng.Uniform(6000, 12000);  // latency p99 ms
      incident.node = rng.UniformInt(1, cluster.compute.count);
      break;
    case C::kQueryErrors:
      start = StartIdx(plan, rng.UniformInt(2, 12));
      incident.variant = rng.UniformInt(0, 1);
      incident.scenario = incident.variant == 0 ? "query_errors_bad_client_release"
                                                : "query_errors_timeouts";
      incident.target = rng.Uniform(3, 15);  // error rate %
      incident.factor = incident.variant == 1 ? rng.Uniform(1.3, 1.7) : 1.0;  // latency
      break;
    case C::kSlowQueries:
      start = StartIdx(plan, rng.UniformInt(4, 30));
      incident.variant = rng.UniformInt(0, 1);
      incident.scenario =
          incident.variant == 0 ? "slow_queries_big_scans" : "slow_queries_data_skew";
      incident.target = rng.Uniform(16000, 45000);  // latency p99 ms
      incident.factor = incident.variant == 0 ? rng.Uniform(1.8, 2.8) : 1.0;  // scan rows
      incident.node = rng.UniformInt(1, cluster.compute.count);
      break;
    case C::kOperationInduced: {
      start = StartIdx(plan, rng.UniformInt(3, 30));
      incident.variant = rng.UniformInt(0, 2);
      incident.op_minutes_before = rng.UniformInt(10, 90);
      Operation op;
      op.cluster_index = first;
      op.preset = true;
      op.actor = AccountOf(plan, cluster).owner;
      op.started_at = plan.HourTime(start) - minutes(incident.op_minutes_before);
      OrderedJson params = OrderedJson::object();
      if (incident.variant == 0) {
        incident.scenario = "regression_after_upgrade";
        op.kind = OperationKind::kUpgrade;
        std::string from;
        cluster.version = PickUpgradeTarget(rng, cluster, &from);
        op.from_version = from;
        params["from_version"] = from;
        params["to_version"] = cluster.version;
        op.finished_at = op.started_at + minutes(std::min(incident.op_minutes_before - 2,
                                                          rng.UniformInt(15, 45)));
        incident.factor = rng.Uniform(3.0, 6.0);    // latency
        incident.target2 = rng.Uniform(0.4, 1.5);   // error rate %
      } else if (incident.variant == 1) {
        incident.scenario = "regression_after_config_update";
        op.kind = OperationKind::kUpdate;
        if (rng.Bernoulli(0.5)) {
          params["scope"] = "global_variable";
          params["changes"] = OrderedJson::object({{"pipeline_dop", "1"}});
        } else {
          params["scope"] = cluster.compute.node_type;
          params["changes"] = OrderedJson::object({{"storage_page_cache_limit", "1%"}});
        }
        op.finished_at = op.started_at + minutes(rng.UniformInt(1, 4));
        incident.factor = rng.Uniform(3.0, 6.0);  // latency
      } else {
        incident.scenario = "regression_after_scale_in";
        op.kind = OperationKind::kScale;
        const int to_cu = std::min(cluster.compute.cu, 32);
        cluster.compute.cu = to_cu;
        op.from_cu = to_cu * 2;
        params["node_type"] = cluster.compute.node_type;
        params["from_cu"] = op.from_cu;
        params["to_cu"] = to_cu;
        op.finished_at = op.started_at + minutes(std::min(incident.op_minutes_before - 2,
                                                          rng.UniformInt(8, 30)));
        incident.target = rng.Uniform(74, 90);     // CPU %
        incident.factor2 = rng.Uniform(1.8, 3.0);  // latency
      }
      op.parameters = DumpJson(params);
      plan.operations.push_back(std::move(op));
      break;
    }
    case C::kIngestionFailure:
      start = StartIdx(plan, rng.UniformInt(3, 24));
      incident.variant = rng.UniformInt(0, 1);
      incident.scenario = incident.variant == 0 ? "ingestion_failure_kafka_schema_change"
                                                : "ingestion_failure_txn_limit_exceeded";
      incident.target = rng.Uniform(60, 400);  // failed txns per hour
      incident.factor = rng.Uniform(0.1, 0.4);  // load rate
      break;
    case C::kKnownBug: {
      MakeSharedNothing(cluster, rng);
      static const std::vector<std::string> buggy = {"3.2.0", "3.2.1", "3.2.2"};
      cluster.version = rng.Pick(buggy);
      start = StartIdx(plan, rng.UniformInt(48, 120));
      incident.scenario = "known_bug_pagecache_exceeds_limit_37740";
      incident.target = rng.Uniform(89, 96);  // BE memory %
      incident.node = rng.UniformInt(1, cluster.compute.count);
      break;
    }
    case C::kAccountWide:
      break;  // PlanAccountWide
    case C::kAlertNoise: {
      start = StartIdx(plan, rng.UniformInt(3, 10));
      static const std::vector<std::string> noisy = {"Query Overload Alert",
                                                     "User Connection Limit Exceeded Alert",
                                                     "Disk Load Alert"};
      incident.variant = rng.UniformInt(0, static_cast<int>(noisy.size()) - 1);
      incident.scenario = "alert_noise_flapping";
      incident.minute = rng.UniformInt(0, 20);
      incident.count = rng.UniformInt(6, 10);  // minutes between flaps (at most)
      break;
    }
    case C::kInsufficientData:
      start = plan.hours - std::min(rng.UniformInt(6, 30), plan.hours / 3);
      incident.scenario = "telemetry_gap_collector_down";
      break;
  }
  incident.start_idx = {start};
  TimePoint window_start = plan.HourTime(start);
  if (incident.category == C::kOperationInduced) {
    window_start -= minutes(incident.op_minutes_before);
  } else if (incident.category == C::kNodeFailure || incident.category == C::kAlertNoise) {
    window_start += minutes(incident.minute);
  }
  incident.window_start = {window_start};
  incident.severity = SeverityFor(incident, tier);

  if (incident.category == C::kNodeFailure) {
    const TimePoint failed_at = window_start;
    Operation restart;
    restart.cluster_index = first;
    restart.preset = true;
    restart.kind = OperationKind::kRestart;
    restart.actor = "ops-bot";
    restart.started_at = failed_at + minutes(rng.UniformInt(8, 25));
    OrderedJson params = OrderedJson::object();
    params["node_type"] = "BE";
    OrderedJson nodes = OrderedJson::array();
    for (int node_idx = 0; node_idx < incident.count; ++node_idx) {
      nodes.push_back(NodeName(cluster, (incident.node - 1 + node_idx) % cluster.compute.count + 1));
    }
    params["nodes"] = nodes;
    params["mode"] = "single";
    params["reason"] = "auto-recovery: BE heartbeat lost";
    restart.parameters = DumpJson(params);
    const TimePoint finished = restart.started_at + minutes(rng.UniformInt(3, 10));
    if (restart.started_at <= plan.end_hour) {
      restart.result = finished <= plan.end_hour ? "FAILED" : "RUNNING";
      if (finished <= plan.end_hour) restart.finished_at = finished;
      plan.operations.push_back(std::move(restart));
    }
  }
}

void PlanAccountWide(FleetPlan& plan, int incident_index, int account_index, Rng& rng) {
  Incident& incident = plan.incidents[static_cast<size_t>(incident_index)];
  const Account& account = plan.accounts[static_cast<size_t>(account_index)];
  std::vector<int> members = account.cluster_indices;
  rng.Shuffle(members);
  const int affected = std::min<int>(incident.count, static_cast<int>(members.size()));
  incident.variant = rng.UniformInt(0, 1);
  incident.scenario = incident.variant == 0 ? "account_wide_bi_dashboard_rollout"
                                            : "account_wide_upstream_kafka_outage";
  if (incident.variant == 0) {
    incident.factor = rng.Uniform(1.8, 2.5);       // QPS
    incident.target = rng.Uniform(7000, 14000);    // latency p99 ms
    incident.target2 = rng.Uniform(10, 20);        // CPU points
  } else {
    incident.target = rng.Uniform(60, 200);        // failed txns per hour
    incident.factor = rng.Uniform(0.1, 0.3);       // load rate
  }
  const int base_start = StartIdx(plan, rng.UniformInt(4, 24));
  incident.clusters.clear();
  for (int member_idx = 0; member_idx < affected; ++member_idx) {
    const int cluster_index = members[static_cast<size_t>(member_idx)];
    const int start = std::clamp(base_start + rng.UniformInt(0, 1), MinStartIdx(plan),
                                 plan.hours - 3);
    incident.clusters.push_back(cluster_index);
    incident.start_idx.push_back(start);
    incident.window_start.push_back(plan.HourTime(start));
    Cluster& cluster = ClusterAt(plan, cluster_index);
    cluster.incident = incident_index;
    cluster.incident_role = member_idx;
  }
  incident.severity = SeverityFor(incident, account.tier);
}

std::vector<std::string> StoryAlertNames(const Incident& incident) {
  switch (incident.category) {
    case C::kDiskCapacity: return {"Data Disk Capacity Alert"};
    case C::kNodeFailure: return {"BE Service Suspension"};
    case C::kCompactionBacklog:
      return {"High Compaction Pressure Alert", "Exceeding Version Count Alert"};
    case C::kMemoryPressure: return {"Memory Alert"};
    case C::kCpuSaturation: return {"BE CPU Alert", "Query Latency Alert"};
    case C::kQueryErrors: return {"Query Failure Alert"};
    case C::kSlowQueries: return {"Query Latency Alert"};
    case C::kOperationInduced: return {"Query Latency Alert", "BE CPU Alert"};
    case C::kIngestionFailure:
      return {"Loading Failure Alert", "Routine Load Consumption Delay Alert"};
    case C::kKnownBug: return {"Memory Alert"};
    case C::kAccountWide: return {"Query Latency Alert", "Loading Failure Alert"};
    case C::kAlertNoise:
      return {"Query Overload Alert", "User Connection Limit Exceeded Alert", "Disk Load Alert"};
    case C::kInsufficientData: return {};
  }
  return {};
}

void PlanRedHerring(FleetPlan& plan, int incident_index, Rng& rng) {
  Incident& incident = plan.incidents[static_cast<size_t>(incident_index)];
  if (incident.category == C::kAlertNoise || !rng.Bernoulli(0.45)) return;
  const int cluster_index = incident.clusters.front();
  const int start = incident.start_idx.front();
  std::vector<double> weights = {0.4, 0.3, 0.3};
  if (incident.category == C::kOperationInduced) weights[1] = 0;
  if (incident.category == C::kKnownBug || incident.category == C::kMemoryPressure ||
      incident.category == C::kInsufficientData) {
    weights[2] = 0;
  }
  const size_t kind = rng.PickWeighted(weights);
  if (kind == 1) {
    Operation op;
    op.cluster_index = cluster_index;
    op.kind = OperationKind::kScale;
    op.scale_out = true;
    op.red_herring_of = incident_index;
    op.actor = AccountOf(plan, ClusterAt(plan, cluster_index)).owner;
    op.started_at = std::min(plan.end_hour - hours(24 * rng.UniformInt(8, 20)),
                             incident.window_start.front() - hours(48)) -
                    minutes(rng.UniformInt(0, 600));
    op.finished_at = op.started_at + minutes(rng.UniformInt(10, 35));
    incident.red_herring = RedHerringKind::kRoutineScale;
    plan.operations.push_back(std::move(op));
    return;
  }
  if (kind == 2) {
    const int lo = std::max(0, start - 72);
    const int hi = start - 12;
    if (hi < lo) return;
    incident.red_herring = RedHerringKind::kQpsBlip;
    incident.red_herring_idx = rng.UniformInt(lo, hi);
    incident.red_herring_factor = rng.Uniform(2.0, 2.6);
    incident.red_herring_text =
        "A one-hour QPS blip (x" + FormatNumber(incident.red_herring_factor, 1) + ") at " +
        FormatSqlTime(plan.HourTime(incident.red_herring_idx)) + ", " +
        std::to_string(start - incident.red_herring_idx) +
        " h before the incident; traffic was back to normal the next hour";
    return;
  }
  const int lo = std::max(0, start - 120);
  const int hi = start - 6;
  if (hi < lo) return;
  const std::vector<std::string> story = StoryAlertNames(incident);
  std::vector<std::string> candidates;
  for (const std::string name :
       {"Query Latency Alert", "High Compaction Pressure Alert",
        "Materialized View Refresh Exception Alert", "Query Overload Alert",
        "Routine Load Consumption Delay Alert"}) {
    if (std::find(story.begin(), story.end(), name) == story.end()) candidates.push_back(name);
  }
  const int hour_idx = rng.UniformInt(lo, hi);
  AlertEpisode episode;
  episode.cluster_index = cluster_index;
  episode.alert_name = rng.Pick(candidates);
  episode.severity = "warning";
  episode.starts_at = plan.HourTime(hour_idx) + minutes(rng.UniformInt(2, 40));
  episode.ends_at = episode.starts_at + minutes(rng.UniformInt(6, 18));
  if (episode.alert_name == "Query Latency Alert") {
    const double value = rng.Uniform(5300, 7800);
    episode.value = FormatNumber(value, 0);
    episode.summary = "query latency p99 " + episode.value + " ms > 5000 ms";
    plan.spikes[static_cast<size_t>(cluster_index)].push_back(Spike{hour_idx, kLatency, value});
  } else if (episode.alert_name == "High Compaction Pressure Alert") {
    const double value = rng.Uniform(105, 160);
    episode.value = FormatNumber(value, 0);
    episode.summary = "max tablet compaction score " + episode.value + " > 100";
    plan.spikes[static_cast<size_t>(cluster_index)].push_back(Spike{hour_idx, kCompaction, value});
  } else if (episode.alert_name == "Materialized View Refresh Exception Alert") {
    episode.value = "1";
    episode.summary = "1 materialized view refresh(es) failed in 5 minutes";
  } else if (episode.alert_name == "Query Overload Alert") {
    episode.value = FormatNumber(rng.Uniform(120, 240), 0);
    episode.summary = "QPS changed by " + episode.value + "% within 1 minute (threshold 100%)";
  } else {
    episode.value = FormatNumber(rng.Uniform(320000, 700000), 0);
    episode.summary = "routine load max lag " + episode.value + " messages > 300000";
  }
  incident.red_herring = RedHerringKind::kResolvedAlert;
  incident.red_herring_idx = hour_idx;
  incident.red_herring_text =
      "'" + episode.alert_name + "' fired at " + FormatSqlTime(episode.starts_at) +
      " and resolved after " + FormatDurationShort(*episode.ends_at - episode.starts_at) + ", " +
      std::to_string(start - hour_idx) + " h before the incident; unrelated to it";
  plan.alerts.push_back(std::move(episode));
}

// ---- events derived from the final series -------------------------------------------------

int FirstAbove(const std::vector<HourValues>& series, MetricIndex metric, double threshold,
               int from) {
  for (int hour_idx = std::max(0, from); hour_idx < static_cast<int>(series.size()); ++hour_idx) {
    const HourValues& hour = series[static_cast<size_t>(hour_idx)];
    if (hour.present && hour.metrics[metric].avg > threshold) return hour_idx;
  }
  return -1;
}

struct EventContext {
  FleetPlan& plan;
  int cluster_index;
  const std::vector<HourValues>& series;
  std::vector<AlertEpisode>& alerts;
  Rng& rng;
};

// Fires `name` in the hour the metric crossed `threshold` (or the hour before the end if the
// data never crossed it), and returns that hour index.
int FireAt(EventContext& ctx, int hour_idx, const std::string& name, const std::string& severity,
           const std::string& summary, const std::string& value) {
  const FleetPlan& plan = ctx.plan;
  if (hour_idx < 0) hour_idx = plan.hours - 2;
  AlertEpisode episode;
  episode.cluster_index = ctx.cluster_index;
  episode.alert_name = name;
  episode.severity = severity;
  episode.summary = summary;
  episode.value = value;
  episode.starts_at = std::min(plan.end_hour, plan.HourTime(hour_idx) + minutes(ctx.rng.UniformInt(3, 40)));
  episode.repeat_hours = kRepeatHours;
  ctx.alerts.push_back(std::move(episode));
  return hour_idx;
}

const MetricSample& At(const std::vector<HourValues>& series, int hour_idx, MetricIndex metric) {
  return series[static_cast<size_t>(std::clamp<int>(hour_idx, 0, static_cast<int>(series.size()) - 1))]
      .metrics[metric];
}

// The median, over up to six days before the incident, of the mean of the same three hours of
// the day as the last three hours: a baseline that daily seasonality and one-hour blips do not
// move.
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

}  // namespace

int MaxClustersFor(IncidentCategory category) { return category == C::kAccountWide ? 4 : 1; }

std::vector<Incident> PlanIncidentShapes(uint64_t seed, int count) {
  Rng rng(seed, kStreamIncidents, 1);
  std::vector<Incident> incidents;
  const auto& categories = AllCategories();
  for (int incident_idx = 0; incident_idx < count; ++incident_idx) {
    Incident incident;
    incident.category = categories[static_cast<size_t>(incident_idx) % categories.size()];
    char id[16];
    std::snprintf(id, sizeof(id), "inc-%03d", incident_idx + 1);
    incident.id = id;
    if (incident.category == C::kAccountWide) {
      incident.count = 2 + static_cast<int>(rng.PickWeighted({0.4, 0.4, 0.2}));
      incident.factor2 = std::min(4, incident.count + rng.UniformInt(0, 1));  // account size
    }
    incidents.push_back(std::move(incident));
  }
  return incidents;
}

void AssignIncidents(FleetPlan& plan, const std::vector<int>& reserved_accounts) {
  Rng rng(plan.seed, kStreamIncidents, 2);
  std::vector<int> order(plan.clusters.size());
  for (size_t cluster_idx = 0; cluster_idx < order.size(); ++cluster_idx) {
    order[cluster_idx] = static_cast<int>(cluster_idx);
  }
  rng.Shuffle(order);
  // Account-wide incidents first: their reserved accounts' clusters are theirs.
  size_t account_wide_seen = 0;
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    if (plan.incidents[incident_idx].category != C::kAccountWide) continue;
    PlanAccountWide(plan, static_cast<int>(incident_idx), reserved_accounts[account_wide_seen++],
                    rng);
  }
  // Keep the reserved accounts' unaffected siblings healthy (they are the comparison group).
  std::vector<bool> reserved(plan.clusters.size(), false);
  for (int account_index : reserved_accounts) {
    for (int cluster_index : plan.accounts[static_cast<size_t>(account_index)].cluster_indices) {
      reserved[static_cast<size_t>(cluster_index)] = true;
    }
  }
  std::vector<int> open_order;
  for (int cluster_index : order) {
    if (!reserved[static_cast<size_t>(cluster_index)]) open_order.push_back(cluster_index);
  }
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    Incident& incident = plan.incidents[incident_idx];
    if (incident.category == C::kAccountWide) continue;
    std::function<bool(const Cluster&)> prefer;
    switch (incident.category) {
      case C::kDiskCapacity:
      case C::kNodeFailure:
      case C::kCompactionBacklog:
      case C::kKnownBug:
        prefer = IsSharedNothing;
        break;
      case C::kMemoryPressure:
        prefer = [](const Cluster& cluster) { return !HasPageCacheBug(cluster.version); };
        break;
      default:
        break;
    }
    const int cluster_index = PickCluster(plan, open_order, prefer);
    Cluster& cluster = ClusterAt(plan, cluster_index);
    cluster.incident = static_cast<int>(incident_idx);
    cluster.incident_role = 0;
    incident.clusters = {cluster_index};
    PlanStory(plan, static_cast<int>(incident_idx), rng);
  }
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    PlanRedHerring(plan, static_cast<int>(incident_idx), rng);
  }
  for (Incident& incident : plan.incidents) {
    incident.descriptions.assign(incident.clusters.size(), "");
  }
}

void DescribeRedHerringOperations(FleetPlan& plan) {
  for (const Operation& op : plan.operations) {
    if (op.red_herring_of < 0) continue;
    Incident& incident = plan.incidents[static_cast<size_t>(op.red_herring_of)];
    const auto days_before = std::chrono::duration_cast<hours>(incident.window_start.front() -
                                                               op.started_at).count() / 24;
    incident.red_herring_text = "A routine SCALE " + op.parameters + " at " +
                                FormatSqlTime(op.started_at) + ", " + std::to_string(days_before) +
                                " days before the incident; it completed normally";
  }
}

bool InIncidentWindow(const FleetPlan& plan, int cluster_index, int hour_idx, int margin_hours) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  if (cluster.incident < 0) return false;
  const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const int start = incident.start_idx[static_cast<size_t>(cluster.incident_role)];
  return hour_idx >= start - margin_hours;
}

void ApplyIncident(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  if (cluster.incident < 0) return;
  const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const int start = incident.start_idx[static_cast<size_t>(cluster.incident_role)];
  const int last = plan.hours - 1;
  Rng rng(plan.seed, kStreamIncidentEffects, static_cast<uint64_t>(cluster_index));
  auto mean = [&](MetricIndex metric) { return MeanAvg(series, metric, start - 24, start - 1); };
  const double cpu_mean = mean(kCpu);
  const double mem_mean = mean(kBeMem);
  const double latency_mean = mean(kLatency);
  const double err_mean = mean(kQueryErr);
  const double txn_mean = mean(kTxnFailed);
  const double compaction_mean = mean(kCompaction);

  if (incident.red_herring == RedHerringKind::kQpsBlip && cluster.incident_role == 0) {
    auto& m = series[static_cast<size_t>(incident.red_herring_idx)].metrics;
    Multiply(m[kQps], incident.red_herring_factor);
    Multiply(m[kScanRows], incident.red_herring_factor * 0.9);
    Multiply(m[kCpu], 1.0 + 0.15 * (incident.red_herring_factor - 1.0));
  }

  if (incident.category == C::kDiskCapacity) {
    // The cluster already sat at a higher (but healthy) disk level before the fill.
    const double shift = incident.target2 - MeanAvg(series, kDisk, start - 24, start - 1);
    for (HourValues& hour : series) Shift(hour.metrics[kDisk], shift);
  }

  for (int hour_idx = start; hour_idx <= last; ++hour_idx) {
    auto& m = series[static_cast<size_t>(hour_idx)].metrics;
    switch (incident.category) {
      case C::kDiskCapacity: {
        const double ramp = Ramp(hour_idx, start, last, 1.0);
        Shift(m[kDisk], (incident.target - incident.target2) * ramp);
        Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * Step(hour_idx, start, 1));
        break;
      }
      case C::kNodeFailure: {
        const double ratio = incident.target;
        if (hour_idx == start) {
          const double down_share = (60.0 - incident.minute) / 60.0;
          m[kAliveRatio] = MetricSample{100.0 - (100.0 - ratio) * down_share, 100.0, 100.0, true};
        } else {
          m[kAliveRatio] = MetricSample{ratio, ratio, ratio, true};
        }
        const double survivors = 100.0 / ratio;
        Multiply(m[kCpu], 1.0 + (survivors - 1.0) * Step(hour_idx, start, 1));
        // Tablets are re-replicated onto the surviving BEs over a few hours (clone/repair).
        Multiply(m[kTablets], 1.0 + (survivors - 1.0) * Step(hour_idx, start, 6));
        Multiply(m[kLatency], 1.0 + (incident.factor - 1.0) * Step(hour_idx, start, 1));
        LevelTo(m[kQueryErr], err_mean, incident.target2, Step(hour_idx, start, 1));
        break;
      }
      case C::kCompactionBacklog: {
        const double step = Step(hour_idx, start, 2);
        Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
        const double ramp = Ramp(hour_idx, start, last, 1.4);
        LevelTo(m[kCompaction], compaction_mean, incident.target * (0.85 + 0.15 * ramp), ramp,
                0.5);
        Shift(m[kCpu], incident.target2 * step);
        if (ramp > 0.8) m[kTxnFailed].avg = m[kTxnFailed].max = m[kTxnFailed].avg + rng.UniformInt(1, 3);
        break;
      }
      case C::kMemoryPressure: {
        const double step = Step(hour_idx, start, 2);
        Multiply(m[kQps], 1.0 + (incident.factor - 1.0) * step);
        Multiply(m[kScanRows], 1.0 + (incident.factor2 - 1.0) * step);
        const double shape = std::min(1.0, 1.6 * Ramp(hour_idx, start, last, 1.0));
        Shift(m[kBeMem], (incident.target - mem_mean) * shape);
        Multiply(m[kLatency], 1.0 + 0.6 * shape);
        Shift(m[kCpu], 8.0 * step);
        if (shape > 0.6) LevelTo(m[kQueryErr], err_mean, incident.target2, shape);
        break;
      }
      case C::kCpuSaturation: {
        const double step = Step(hour_idx, start, 2);
        LevelTo(m[kCpu], cpu_mean, incident.target, step);
        Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
        Multiply(m[kQps], 1.0 + (incident.factor2 - 1.0) * step);
        LevelTo(m[kLatency], latency_mean, incident.target2, step);
        break;
      }
      case C::kSlowQueries: {
        const double step = Step(hour_idx, start, 2);
        LevelTo(m[kLatency], latency_mean, incident.target, step);
        Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
        if (incident.variant == 1) {
          // One BE holds the skewed tablets: its peak runs hot while the average stays calm.
          m[kCpu].max = std::min(97.0, std::max(m[kCpu].max, m[kCpu].avg * 2.4));
          m[kCpu].p99 = m[kCpu].avg + (m[kCpu].max - m[kCpu].avg) * 0.8;
        }
        break;
      }
      case C::kQueryErrors: {
        const double step = Step(hour_idx, start, 1);
        LevelTo(m[kQueryErr], err_mean, incident.target, step);
        Multiply(m[kLatency], 1.0 + (incident.factor - 1.0) * step);
        break;
      }
      case C::kOperationInduced: {
        if (incident.variant == 2) {
          LevelTo(m[kCpu], cpu_mean, incident.target, 1.0);
          Multiply(m[kLatency], incident.factor2);
        } else {
          LevelTo(m[kLatency], latency_mean,
                  std::max(latency_mean * incident.factor, rng.Uniform(6500, 7500)), 1.0);
          if (incident.variant == 0) LevelTo(m[kQueryErr], err_mean, incident.target2, 1.0);
          if (incident.variant == 1) Multiply(m[kCpu], 0.75);
        }
        break;
      }
      case C::kIngestionFailure: {
        const double step = Step(hour_idx, start, 1);
        const double failures = incident.target * rng.Uniform(0.8, 1.2);
        m[kTxnFailed].avg = m[kTxnFailed].max =
            std::round(m[kTxnFailed].avg + step * (failures - txn_mean));
        Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
        Multiply(m[kCompaction], 1.0 - 0.4 * step);
        break;
      }
      case C::kKnownBug: {
        // PageCache grows past storage_page_cache_limit: memory climbs with no workload change.
        Shift(m[kBeMem], (incident.target - mem_mean) * Ramp(hour_idx, start, last, 1.0));
        break;
      }
      case C::kAccountWide: {
        const double step = Step(hour_idx, start, 2);
        if (incident.variant == 0) {
          Multiply(m[kQps], 1.0 + (incident.factor - 1.0) * step);
          Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
          LevelTo(m[kLatency], latency_mean, incident.target, step);
          Shift(m[kCpu], incident.target2 * step);
        } else {
          const double failures = incident.target * rng.Uniform(0.8, 1.2);
          m[kTxnFailed].avg = m[kTxnFailed].max =
              std::round(m[kTxnFailed].avg + step * (failures - txn_mean));
          Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
        }
        break;
      }
      case C::kAlertNoise:
        break;  // healthy metrics: the alert is the problem
      case C::kInsufficientData:
        series[static_cast<size_t>(hour_idx)].present = false;
        break;
    }
  }
}

void BuildIncidentEvents(FleetPlan& plan, int cluster_index,
                         const std::vector<HourValues>& series, std::vector<AlertEpisode>& alerts) {
  Cluster& cluster = ClusterAt(plan, cluster_index);
  if (cluster.incident < 0) return;
  Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const size_t role = static_cast<size_t>(cluster.incident_role);
  const int start = incident.start_idx[role];
  const int last = plan.hours - 1;
  Rng rng(plan.seed, kStreamIncidentEvents, static_cast<uint64_t>(cluster_index));
  EventContext ctx{plan, cluster_index, series, alerts, rng};
  const std::string node = NodeName(cluster, incident.node);
  const std::string since = FormatSqlTime(incident.window_start[role]);
  auto pct_change = [](double before, double after) {
    const double change = 100.0 * (after / std::max(1e-9, before) - 1.0);
    return (change >= 0 ? "+" : "") + FormatNumber(change, 0) + "%";
  };
  // "Before" is the same three hours of the day on the days before the incident, so daily
  // seasonality does not pass for a change.
  auto before = [&](MetricIndex metric) { return SameHoursBefore(series, metric, start, last); };
  const double before_qps = before(kQps);
  const double before_scan = before(kScanRows);
  const double before_load = before(kLoadRate);
  const double before_latency = before(kLatency);
  const double before_cpu = before(kCpu);
  const double before_mem = before(kBeMem);
  const double end_qps = MeanAvg(series, kQps, last - 2, last);
  const double end_scan = MeanAvg(series, kScanRows, last - 2, last);
  const double end_load = MeanAvg(series, kLoadRate, last - 2, last);
  const double end_latency = MeanAvg(series, kLatency, last - 2, last);
  const double end_cpu = MeanAvg(series, kCpu, last - 2, last);
  std::string& description = incident.descriptions[role];

  switch (incident.category) {
    case C::kDiskCapacity: {
      const int hour_idx = FirstAbove(series, kDisk, kDiskAlertPct, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kDisk).max;
      FireAt(ctx, hour_idx, "Data Disk Capacity Alert", "critical",
             "BE data disk used " + Pct(value) + " > 85% on " + node + " (/data1)",
             FormatNumber(value, 1));
      const double from = At(series, start, kDisk).avg;
      const double to = At(series, last, kDisk).avg;
      const double per_day = (to - from) / std::max(1.0, (last - start) / 24.0);
      description = "BE data disk on " + cluster.name + " filled steadily from " + Pct(from) +
                    " to " + Pct(to) + " since " + since + " (+" + FormatNumber(per_day, 1) +
                    " points/day) " +
                    (incident.variant == 0
                         ? "after a new ingestion job raised the load rate by " +
                               pct_change(before_load, end_load)
                         : "with a flat load rate: expired partitions are no longer dropped") +
                    "; Data Disk Capacity Alert is firing. Expand the disk or free space.";
      break;
    }
    case C::kNodeFailure: {
      AlertEpisode episode;
      episode.cluster_index = cluster_index;
      episode.alert_name = "BE Service Suspension";
      episode.severity = "critical";
      episode.value = std::to_string(incident.count);
      episode.summary = std::to_string(incident.count) + " BE node(s) dead, starting with " +
                        node + " (heartbeat lost)";
      episode.starts_at = incident.window_start[role] + minutes(rng.UniformInt(1, 3));
      episode.repeat_hours = kRepeatHours;
      alerts.push_back(std::move(episode));
      description = std::to_string(incident.count) + " of " + std::to_string(cluster.compute.count) +
                    " BE nodes of " + cluster.name + " went down at " + since + " (" + node +
                    " first; alive ratio " + Pct(incident.target) +
                    "); the auto-restart failed, tablets are being re-replicated onto the "
                    "survivors, CPU rose " + pct_change(before_cpu, end_cpu) + " and latency p99 " +
                    pct_change(before_latency, end_latency) + ". BE Service Suspension is firing.";
      break;
    }
    case C::kCompactionBacklog: {
      const int pressure_idx = FirstAbove(series, kCompaction, kCompactionPressure, start);
      FireAt(ctx, pressure_idx, "High Compaction Pressure Alert", "warning",
             "max tablet compaction score " +
                 FormatNumber(At(series, pressure_idx < 0 ? last : pressure_idx, kCompaction).max, 0) +
                 " > 100",
             FormatNumber(At(series, pressure_idx < 0 ? last : pressure_idx, kCompaction).max, 0));
      const int versions_idx = FirstAbove(series, kCompaction, kVersionCountScore, start);
      const double score = At(series, versions_idx < 0 ? last : versions_idx, kCompaction).avg;
      const std::string versions = FormatNumber(700 + 0.25 * (score - kVersionCountScore) +
                                                    rng.UniformInt(5, 60), 0);
      FireAt(ctx, versions_idx, "Exceeding Version Count Alert", "critical",
             "max tablet rowset (version) count " + versions + " > 700 on " + node, versions);
      description = "Heavy loading on " + cluster.name + " since " + since + " (load rate " +
                    pct_change(before_load, end_load) + (incident.variant == 0
                        ? ", large batch loads"
                        : ", INSERT INTO VALUES about once a second") +
                    ") outpaces compaction: the average compaction score climbed from " +
                    FormatNumber(At(series, start, kCompaction).avg, 0) + " to " +
                    FormatNumber(At(series, last, kCompaction).avg, 0) +
                    "; High Compaction Pressure and Exceeding Version Count alerts are firing.";
      break;
    }
    case C::kMemoryPressure: {
      const int hour_idx = FirstAbove(series, kBeMem, kMemoryAlertPct, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kBeMem).avg;
      FireAt(ctx, hour_idx, "Memory Alert", "critical",
             "BE memory used " + Pct(value) + " of mem_limit > 85% on " + node,
             FormatNumber(value, 1));
      description = "A query surge on " + cluster.name + " since " + since + " (QPS " +
                    pct_change(before_qps, end_qps) + ", scanned rows " +
                    pct_change(before_scan, end_scan) + ") drove BE memory from " +
                    Pct(before_mem) + " to " + Pct(At(series, last, kBeMem).avg) +
                    "; some queries fail with memory limit exceeded. Memory Alert is firing.";
      break;
    }
    case C::kCpuSaturation: {
      const int hour_idx = FirstAbove(series, kCpu, kCpuAlertPct, start);
      const MetricSample& cpu = At(series, hour_idx < 0 ? last : hour_idx, kCpu);
      FireAt(ctx, hour_idx, "BE CPU Alert", "warning",
             "BE CPU utilisation " + Pct(cpu.max) + " (hour average " + Pct(cpu.avg) + ") on " +
                 node,
             FormatNumber(cpu.max, 1));
      const int latency_idx = FirstAbove(series, kLatency, kLatencyAlertMs, start);
      if (latency_idx >= 0) {
        const double latency = At(series, latency_idx, kLatency).avg;
        FireAt(ctx, latency_idx, "Query Latency Alert", "warning",
               "query latency p99 " + FormatNumber(latency, 0) + " ms > 5000 ms",
               FormatNumber(latency, 0));
      }
      description = "Heavy queries on " + cluster.name + " since " + since +
                    " saturate the BEs: CPU from " + Pct(before_cpu) + " to " + Pct(end_cpu) +
                    ", scanned rows " + pct_change(before_scan, end_scan) + ", latency p99 " +
                    FormatNumber(before_latency, 0) + " -> " + FormatNumber(end_latency, 0) +
                    " ms with QPS " + pct_change(before_qps, end_qps) + ".";
      break;
    }
    case C::kSlowQueries: {
      const int hour_idx = FirstAbove(series, kLatency, kLatencyAlertMs, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kLatency).avg;
      FireAt(ctx, hour_idx, "Query Latency Alert", "warning",
             "query latency p99 " + FormatNumber(value, 0) + " ms > 5000 ms", FormatNumber(value, 0));
      description = "Query latency p99 on " + cluster.name + " rose from " +
                    FormatNumber(before_latency, 0) + " to " + FormatNumber(end_latency, 0) +
                    " ms since " + since + " while CPU stayed at " + Pct(end_cpu) + " (" +
                    (incident.variant == 0
                         ? "queries scan " + pct_change(before_scan, end_scan) + " more rows"
                         : "data skew: one BE (" + node + ") holds the hot tablets") +
                    "); Query Latency Alert is firing.";
      break;
    }
    case C::kQueryErrors: {
      const int hour_idx = FirstAbove(series, kQueryErr, kErrorAlertPct, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kQueryErr).avg;
      FireAt(ctx, hour_idx, "Query Failure Alert", "critical",
             "query error rate " + Pct(value) + " > 2%", FormatNumber(value, 2));
      description = "The query error rate of " + cluster.name + " jumped to " +
                    Pct(At(series, last, kQueryErr).avg) + " since " + since + " with QPS " +
                    pct_change(before_qps, end_qps) + " (" +
                    (incident.variant == 0 ? "analysis errors from a client release"
                                           : "queries timing out") +
                    "); Query Failure Alert is firing.";
      break;
    }
    case C::kOperationInduced: {
      const std::string op_type = incident.variant == 0   ? "UPGRADE"
                                  : incident.variant == 1 ? "UPDATE"
                                                          : "SCALE";
      if (incident.variant == 2) {
        const int hour_idx = FirstAbove(series, kCpu, kCpuAlertPct, start);
        const MetricSample& cpu = At(series, hour_idx < 0 ? last : hour_idx, kCpu);
        FireAt(ctx, hour_idx, "BE CPU Alert", "warning",
               "BE CPU utilisation " + Pct(cpu.max) + " (hour average " + Pct(cpu.avg) + ") on " +
                   node,
               FormatNumber(cpu.max, 1));
      } else {
        const int hour_idx = FirstAbove(series, kLatency, kLatencyAlertMs, start);
        const double value = At(series, hour_idx < 0 ? last : hour_idx, kLatency).avg;
        FireAt(ctx, hour_idx, "Query Latency Alert", "warning",
               "query latency p99 " + FormatNumber(value, 0) + " ms > 5000 ms",
               FormatNumber(value, 0));
      }
      std::string parameters;
      for (const Operation& op : plan.operations) {
        if (op.cluster_index == cluster_index && op.preset &&
            op.started_at == incident.window_start[role]) {
          parameters = op.parameters;
        }
      }
      description = "The " + op_type + " " + parameters + " on " + cluster.name + " at " + since +
                    " was followed " + std::to_string(incident.op_minutes_before) +
                    " min later by a regression: " +
                    (incident.variant == 2
                         ? "CPU " + Pct(before_cpu) + " -> " + Pct(end_cpu) +
                               " on the smaller nodes"
                         : "latency p99 " + FormatNumber(before_latency, 0) + " -> " +
                               FormatNumber(end_latency, 0) + " ms") +
                    " with an unchanged workload (QPS " + pct_change(before_qps, end_qps) +
                    "). Roll the change back.";
      break;
    }
    case C::kIngestionFailure: {
      const int hour_idx = FirstAbove(series, kTxnFailed, kLoadFailureTxn, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kTxnFailed).avg;
      FireAt(ctx, hour_idx, "Loading Failure Alert", "warning",
             FormatNumber(value, 0) + " load transactions failed in the last hour",
             FormatNumber(value, 0));
      if (incident.variant == 0) {
        FireAt(ctx, start, "Routine Load Consumption Delay Alert", "warning",
               "routine load job paused: Kafka message schema no longer matches the table",
               FormatNumber(rng.Uniform(350000, 2000000), 0));
      }
      description = "Loads into " + cluster.name + " fail since " + since + " (" +
                    FormatNumber(At(series, last, kTxnFailed).avg, 0) +
                    " failed transactions/hour, load rate " + pct_change(before_load, end_load) +
                    ") " +
                    (incident.variant == 0
                         ? "after the upstream Kafka topic changed its message schema"
                         : "because the database hit its running-transaction limit") +
                    "; Loading Failure Alert is firing.";
      break;
    }
    case C::kKnownBug: {
      const int hour_idx = FirstAbove(series, kBeMem, kMemoryAlertPct, start);
      const double value = At(series, hour_idx < 0 ? last : hour_idx, kBeMem).avg;
      FireAt(ctx, hour_idx, "Memory Alert", "critical",
             "BE memory used " + Pct(value) + " of mem_limit > 85% on " + node,
             FormatNumber(value, 1));
      description = cluster.name + " runs StarRocks " + cluster.version +
                    ": BE memory climbed steadily from " + Pct(before_mem) + " to " +
                    Pct(At(series, last, kBeMem).avg) + " since " + since +
                    " with a flat workload (QPS " + pct_change(before_qps, end_qps) +
                    ", load rate " + pct_change(before_load, end_load) +
                    "): PageCache exceeds storage_page_cache_limit, a known bug fixed in 3.2.3 "
                    "(StarRocks #37740). Upgrade to 3.2.3+; meanwhile lower "
                    "storage_page_cache_limit or disable the page cache.";
      break;
    }
    case C::kAccountWide: {
      std::string siblings;
      for (int sibling : incident.clusters) {
        if (sibling == cluster_index) continue;
        siblings += (siblings.empty() ? "" : ", ") + plan.clusters[static_cast<size_t>(sibling)].id;
      }
      const Account& account = AccountOf(plan, cluster);
      if (incident.variant == 0) {
        const int hour_idx = FirstAbove(series, kLatency, kLatencyAlertMs, start);
        const double value = At(series, hour_idx < 0 ? last : hour_idx, kLatency).avg;
        FireAt(ctx, hour_idx, "Query Latency Alert", "warning",
               "query latency p99 " + FormatNumber(value, 0) + " ms > 5000 ms",
               FormatNumber(value, 0));
        description = "Account " + account.id + " rolled out new BI dashboards: since " + since +
                      " QPS on " + cluster.name + " rose " + pct_change(before_qps, end_qps) +
                      " and latency p99 reached " + FormatNumber(end_latency, 0) +
                      " ms, together with its siblings " + siblings +
                      " (same Query Latency Alert).";
      } else {
        const int hour_idx = FirstAbove(series, kTxnFailed, kLoadFailureTxn, start);
        const double value = At(series, hour_idx < 0 ? last : hour_idx, kTxnFailed).avg;
        FireAt(ctx, hour_idx, "Loading Failure Alert", "warning",
               FormatNumber(value, 0) + " load transactions failed in the last hour",
               FormatNumber(value, 0));
        description = "The Kafka cluster that feeds account " + account.id +
                      " is unreachable: since " + since + " loads into " + cluster.name +
                      " fail (load rate " + pct_change(before_load, end_load) +
                      "), together with its siblings " + siblings + " (same Loading Failure Alert).";
      }
      break;
    }
    case C::kAlertNoise: {
      static const std::vector<std::string> noisy = {"Query Overload Alert",
                                                     "User Connection Limit Exceeded Alert",
                                                     "Disk Load Alert"};
      const std::string& name = noisy[static_cast<size_t>(incident.variant)];
      TimePoint flap = incident.window_start[role];
      int flaps = 0;
      while (flap <= plan.end_hour) {
        AlertEpisode episode;
        episode.cluster_index = cluster_index;
        episode.alert_name = name;
        episode.severity = "warning";
        if (incident.variant == 0) {
          episode.value = FormatNumber(rng.Uniform(105, 180), 0);
          episode.summary = "QPS changed by " + episode.value + "% within 1 minute (threshold 100%)";
        } else if (incident.variant == 1) {
          episode.value = FormatNumber(rng.UniformInt(91, 97), 0);
          episode.summary = "user 'etl_scheduler' holds " + episode.value + " connections > 90";
        } else {
          episode.value = FormatNumber(rng.Uniform(90.2, 94.0), 1);
          episode.summary = "disk IO util " + episode.value + "% > 90% on " + node;
        }
        episode.starts_at = flap;
        const TimePoint resolved = flap + minutes(rng.UniformInt(1, 3));
        const TimePoint next = flap + minutes(rng.UniformInt(5, incident.count));
        if (next <= plan.end_hour && resolved <= plan.end_hour) episode.ends_at = resolved;
        alerts.push_back(std::move(episode));
        ++flaps;
        flap = next;
      }
      description = "'" + name + "' on " + cluster.name + " has flapped " + std::to_string(flaps) +
                    " times since " + since + " (firing and resolving within minutes) while "
                    "every metric stays healthy: alert noise. Tune the rule's threshold or "
                    "pending period, or silence it.";
      break;
    }
    case C::kInsufficientData: {
      const int last_seen = LastPresent(series);
      description = "Telemetry from " + cluster.name + " stopped after " +
                    FormatSqlTime(plan.HourTime(last_seen)) + ": no snapshots for the last " +
                    std::to_string(last - last_seen) +
                    " hours (the metrics collector is down), so its current health cannot be "
                    "judged. Restore the collector before drawing conclusions.";
      break;
    }
  }
}

}  // namespace rh::simulator::internal
