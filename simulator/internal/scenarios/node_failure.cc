// node_failure: one BE (two on clusters of 8 or more, sometimes) stops heartbeating. The alive
// ratio drops to (n-k)/n, the survivors take the load and the re-replicated tablets, latency and
// errors rise, and ops-bot's automatic restart fails.
#include <algorithm>

#include "core/json.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::minutes;

class NodeFailure final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kNodeFailure; }
  bool Prefers(const Cluster& cluster) const override { return IsSharedNothing(cluster); }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Cluster& cluster = story.cluster();
    Rng& rng = story.rng;
    MakeSharedNothing(cluster, rng);
    const int start = StartIdx(story.plan, rng.UniformInt(2, 9));
    incident.scenario = "be_node_down_heartbeat_lost";
    incident.count = cluster.compute.count >= 8 && rng.Bernoulli(0.3) ? 2 : 1;
    incident.target = 100.0 * (cluster.compute.count - incident.count) / cluster.compute.count;
    incident.minute = rng.UniformInt(5, 50);
    incident.node = rng.UniformInt(1, cluster.compute.count);
    incident.factor = rng.Uniform(1.6, 2.4);   // latency
    incident.target2 = rng.Uniform(0.3, 1.4);  // error rate %
    story.Open(start, minutes(incident.minute));

    // ops-bot's automatic restart of the dead node(s), which fails (or is still running).
    const TimePoint failed_at = incident.window_start.front();
    Operation restart;
    restart.cluster_index = incident.clusters.front();
    restart.preset = true;
    restart.kind = OperationKind::kRestart;
    restart.actor = "ops-bot";
    restart.started_at = failed_at + minutes(rng.UniformInt(8, 25));
    OrderedJson params = OrderedJson::object();
    params["node_type"] = "BE";
    OrderedJson nodes = OrderedJson::array();
    for (int node_idx = 0; node_idx < incident.count; ++node_idx) {
      nodes.push_back(
          NodeName(cluster, (incident.node - 1 + node_idx) % cluster.compute.count + 1));
    }
    params["nodes"] = nodes;
    params["mode"] = "single";
    params["reason"] = "auto-recovery: BE heartbeat lost";
    restart.parameters = DumpJson(params);
    const TimePoint finished = restart.started_at + minutes(rng.UniformInt(3, 10));
    if (restart.started_at <= story.plan.end_hour) {
      restart.result = finished <= story.plan.end_hour ? "FAILED" : "RUNNING";
      if (finished <= story.plan.end_hour) restart.finished_at = finished;
      story.plan.operations.push_back(std::move(restart));
    }
  }

  Severity ExpectedSeverity(const Incident& incident, std::string_view tier) const override {
    const bool high_tier = tier == "S" || tier == "A";
    return high_tier || incident.target < 80 ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"BE Service Suspension"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    const double err_mean = story.baseline[kQueryErr];
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
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
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const Incident& incident = story.incident;
    const Cluster& cluster = story.cluster;
    AlertEpisode episode;
    episode.cluster_index = story.cluster_index;
    episode.alert_name = "BE Service Suspension";
    episode.severity = "critical";
    episode.value = std::to_string(incident.count);
    episode.summary = std::to_string(incident.count) + " BE node(s) dead, starting with " +
                      story.node + " (heartbeat lost)";
    episode.starts_at = incident.window_start[story.role] + minutes(story.rng.UniformInt(1, 3));
    episode.repeat_hours = kRepeatHours;
    story.alerts.push_back(std::move(episode));
    return std::to_string(incident.count) + " of " + std::to_string(cluster.compute.count) +
           " BE nodes of " + cluster.name + " went down at " + story.since + " (" + story.node +
           " first; alive ratio " + Pct(incident.target) +
           "); the auto-restart failed, tablets are being re-replicated onto the "
           "survivors, CPU rose " +
           PctChange(story.Before(kCpu), story.End(kCpu)) + " and latency p99 " +
           PctChange(story.Before(kLatency), story.End(kLatency)) +
           ". BE Service Suspension is firing.";
  }
};

}  // namespace

const Scenario& NodeFailureFamily() {
  static const NodeFailure family;
  return family;
}

}  // namespace rh::simulator::internal
