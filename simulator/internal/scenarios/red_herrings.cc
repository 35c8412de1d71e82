#include "simulator/internal/scenarios/red_herrings.h"

#include <algorithm>

#include "core/time_format.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {

using std::chrono::hours;
using std::chrono::minutes;

void PlanRedHerring(FleetPlan& plan, int incident_index, Rng& rng) {
  Incident& incident = plan.incidents[static_cast<size_t>(incident_index)];
  const RedHerringPolicy policy = incident.family->red_herrings();
  if (!policy.any || !rng.Bernoulli(0.45)) return;
  const int cluster_index = incident.clusters.front();
  const int start = incident.start_idx.front();
  std::vector<double> weights = {0.4, 0.3, 0.3};
  if (!policy.routine_scale) weights[1] = 0;
  if (!policy.qps_blip) weights[2] = 0;
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
    incident.red_herring_text = "A one-hour QPS blip (x" +
                                FormatNumber(incident.red_herring_factor, 1) + ") at " +
                                FormatSqlTime(plan.HourTime(incident.red_herring_idx)) + ", " +
                                std::to_string(start - incident.red_herring_idx) +
                                " h before the incident; traffic was back to normal the next hour";
    return;
  }
  const int lo = std::max(0, start - 120);
  const int hi = start - 6;
  if (hi < lo) return;
  const std::vector<std::string> story = incident.family->AlertNames(incident);
  std::vector<std::string> candidates;
  for (const std::string name : {"Query Latency Alert", "High Compaction Pressure Alert",
                                 "Materialized View Refresh Exception Alert",
                                 "Query Overload Alert", "Routine Load Consumption Delay Alert"}) {
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

void DescribeRedHerringOperations(FleetPlan& plan) {
  for (const Operation& op : plan.operations) {
    if (op.red_herring_of < 0) continue;
    Incident& incident = plan.incidents[static_cast<size_t>(op.red_herring_of)];
    const auto days_before =
        std::chrono::duration_cast<hours>(incident.window_start.front() - op.started_at).count() /
        24;
    incident.red_herring_text = "A routine SCALE " + op.parameters + " at " +
                                FormatSqlTime(op.started_at) + ", " + std::to_string(days_before) +
                                " days before the incident; it completed normally";
  }
}

void ApplyRedHerring(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  if (cluster.incident < 0 || cluster.incident_role != 0) return;
  const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  if (incident.red_herring != RedHerringKind::kQpsBlip) return;
  auto& m = series[static_cast<size_t>(incident.red_herring_idx)].metrics;
  Multiply(m[kQps], incident.red_herring_factor);
  Multiply(m[kScanRows], incident.red_herring_factor * 0.9);
  Multiply(m[kCpu], 1.0 + 0.15 * (incident.red_herring_factor - 1.0));
}

}  // namespace rh::simulator::internal
