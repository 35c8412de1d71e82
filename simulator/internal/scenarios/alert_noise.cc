// alert_noise: a healthy cluster where one alert (Query Overload, User Connection Limit
// Exceeded or Disk Load) fires and resolves every 5-10 minutes for the last 3-10 hours (an
// alert storm); the metrics are untouched, the alert is the problem.
#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::minutes;

// By Incident::variant.
const std::vector<std::string>& NoisyAlerts() {
  static const std::vector<std::string> noisy = {
      "Query Overload Alert", "User Connection Limit Exceeded Alert", "Disk Load Alert"};
  return noisy;
}

class AlertNoise final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kAlertNoise; }
  // The storm is the only anomaly.
  RedHerringPolicy red_herrings() const override { return {.any = false}; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(3, 10));
    incident.variant = rng.UniformInt(0, static_cast<int>(NoisyAlerts().size()) - 1);
    incident.scenario = "alert_noise_flapping";
    incident.minute = rng.UniformInt(0, 20);
    incident.count = rng.UniformInt(6, 10);  // minutes between flaps (at most)
    story.Open(start, minutes(incident.minute));
  }

  Severity ExpectedSeverity(const Incident&, std::string_view) const override {
    return Severity::kInfo;
  }

  std::vector<std::string> AlertNames(const Incident&) const override { return NoisyAlerts(); }

  void Apply(StorySeries&) const override {}  // healthy metrics: the alert is the problem

  std::string Derive(StoryEvents& story) const override {
    const Incident& incident = story.incident;
    const FleetPlan& plan = story.plan;
    Rng& rng = story.rng;
    const std::string& name = NoisyAlerts()[static_cast<size_t>(incident.variant)];
    TimePoint flap = incident.window_start[story.role];
    int flaps = 0;
    while (flap <= plan.end_hour) {
      AlertEpisode episode;
      episode.cluster_index = story.cluster_index;
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
        episode.summary = "disk IO util " + episode.value + "% > 90% on " + story.node;
      }
      episode.starts_at = flap;
      const TimePoint resolved = flap + minutes(rng.UniformInt(1, 3));
      const TimePoint next = flap + minutes(rng.UniformInt(5, incident.count));
      if (next <= plan.end_hour && resolved <= plan.end_hour) episode.ends_at = resolved;
      story.alerts.push_back(std::move(episode));
      ++flaps;
      flap = next;
    }
    return "'" + name + "' on " + story.cluster.name + " has flapped " + std::to_string(flaps) +
           " times since " + story.since +
           " (firing and resolving within minutes) while "
           "every metric stays healthy: alert noise. Tune the rule's threshold or "
           "pending period, or silence it.";
  }
};

}  // namespace

const Scenario& AlertNoiseFamily() {
  static const AlertNoise family;
  return family;
}

}  // namespace rh::simulator::internal
