// insufficient_data: the metrics collector is down: no snapshots at all for the last 6-30
// hours, so the cluster's current health cannot be judged.
#include <algorithm>

#include "core/time_format.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class InsufficientData final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kInsufficientData; }
  // No QPS blip beside a telemetry gap.
  RedHerringPolicy red_herrings() const override { return {.qps_blip = false}; }

  void Plan(StoryPlan& story) const override {
    const int hours = story.plan.hours;
    const int start = hours - std::min(story.rng.UniformInt(6, 30), hours / 3);
    story.incident.scenario = "telemetry_gap_collector_down";
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view) const override {
    return Severity::kLow;
  }

  std::vector<std::string> AlertNames(const Incident&) const override { return {}; }

  void Apply(StorySeries& story) const override {
    for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
      story.series[static_cast<size_t>(hour_idx)].present = false;
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const int last_seen = LastPresent(story.series);
    return "Telemetry from " + story.cluster.name + " stopped after " +
           FormatSqlTime(story.plan.HourTime(last_seen)) + ": no snapshots for the last " +
           std::to_string(story.last - last_seen) +
           " hours (the metrics collector is down), so its current health cannot be "
           "judged. Restore the collector before drawing conclusions.";
  }
};

}  // namespace

const Scenario& InsufficientDataFamily() {
  static const InsufficientData family;
  return family;
}

}  // namespace rh::simulator::internal
