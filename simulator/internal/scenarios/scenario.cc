#include "simulator/internal/scenarios/scenario.h"

#include <algorithm>

#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {

using std::chrono::minutes;

Cluster& StoryPlan::cluster() const { return ClusterAt(plan, incident.clusters.front()); }

const Account& StoryPlan::account() const {
  return account_index >= 0 ? plan.accounts[static_cast<size_t>(account_index)]
                            : AccountOf(plan, cluster());
}

void StoryPlan::Open(int start, minutes offset) {
  incident.start_idx = {start};
  incident.window_start = {plan.HourTime(start) + offset};
}

void StoryPlan::AddCluster(int cluster_index, int start) {
  Cluster& member = ClusterAt(plan, cluster_index);
  member.incident = incident_index;
  member.incident_role = static_cast<int>(incident.clusters.size());
  incident.clusters.push_back(cluster_index);
  incident.start_idx.push_back(start);
  incident.window_start.push_back(plan.HourTime(start));
}

double StoryEvents::Before(MetricIndex metric) const {
  return SameHoursBefore(series, metric, start, last);
}

double StoryEvents::End(MetricIndex metric) const {
  return MeanAvg(series, metric, last - 2, last);
}

const MetricSample& StoryEvents::At(int hour_idx, MetricIndex metric) const {
  return series[static_cast<size_t>(
                    std::clamp<int>(hour_idx, 0, static_cast<int>(series.size()) - 1))]
      .metrics[metric];
}

int StoryEvents::FirstAbove(MetricIndex metric, double threshold) const {
  for (int hour_idx = std::max(0, start); hour_idx < static_cast<int>(series.size()); ++hour_idx) {
    const HourValues& hour = series[static_cast<size_t>(hour_idx)];
    if (hour.present && hour.metrics[metric].avg > threshold) return hour_idx;
  }
  return -1;
}

int StoryEvents::FireAt(int hour_idx, const std::string& name, const std::string& severity,
                        const std::string& summary, const std::string& value) {
  if (hour_idx < 0) hour_idx = plan.hours - 2;
  AlertEpisode episode;
  episode.cluster_index = cluster_index;
  episode.alert_name = name;
  episode.severity = severity;
  episode.summary = summary;
  episode.value = value;
  episode.starts_at =
      std::min(plan.end_hour, plan.HourTime(hour_idx) + minutes(rng.UniformInt(3, 40)));
  episode.repeat_hours = kRepeatHours;
  alerts.push_back(std::move(episode));
  return hour_idx;
}

}  // namespace rh::simulator::internal
