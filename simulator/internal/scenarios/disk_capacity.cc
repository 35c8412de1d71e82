// disk_capacity: a BE data disk fills up steadily over 1.5-5 days, after a new ingestion job
// (load rate +30-80%) or with a flat load (expired partitions are no longer dropped).
#include <algorithm>

#include "core/time_format.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class DiskCapacity final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kDiskCapacity; }
  bool Prefers(const Cluster& cluster) const override { return IsSharedNothing(cluster); }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Cluster& cluster = story.cluster();
    Rng& rng = story.rng;
    MakeSharedNothing(cluster, rng);
    const int start = StartIdx(story.plan, rng.UniformInt(36, 120));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario = incident.variant == 0 ? "disk_fill_new_ingest_job"
                                              : "disk_fill_expired_partitions_not_dropped";
    incident.target = rng.Uniform(88, 97);   // disk % at the end
    incident.target2 = rng.Uniform(55, 68);  // disk % when the fill starts
    incident.factor = incident.variant == 0 ? rng.Uniform(1.3, 1.8) : 1.0;  // load rate
    incident.node = rng.UniformInt(1, cluster.compute.count);
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident& incident, std::string_view tier) const override {
    return incident.target >= 95 || tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Data Disk Capacity Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    // The cluster already sat at a higher (but healthy) disk level before the fill.
    const double shift = incident.target2 - MeanAvg(story.series, kDisk, start - 24, start - 1);
    for (HourValues& hour : story.series) Shift(hour.metrics[kDisk], shift);
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double ramp = Ramp(hour_idx, start, story.last, 1.0);
      Shift(m[kDisk], (incident.target - incident.target2) * ramp);
      Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * Step(hour_idx, start, 1));
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const int start = story.start;
    const int last = story.last;
    const int hour_idx = story.FirstAbove(kDisk, kDiskAlertPct);
    const double value = story.At(hour_idx < 0 ? last : hour_idx, kDisk).max;
    story.FireAt(hour_idx, "Data Disk Capacity Alert", "critical",
                 "BE data disk used " + Pct(value) + " > 85% on " + story.node + " (/data1)",
                 FormatNumber(value, 1));
    const double from = story.At(start, kDisk).avg;
    const double to = story.At(last, kDisk).avg;
    const double per_day = (to - from) / std::max(1.0, (last - start) / 24.0);
    return "BE data disk on " + story.cluster.name + " filled steadily from " + Pct(from) + " to " +
           Pct(to) + " since " + story.since + " (+" + FormatNumber(per_day, 1) + " points/day) " +
           (story.incident.variant == 0
                ? "after a new ingestion job raised the load rate by " +
                      PctChange(story.Before(kLoadRate), story.End(kLoadRate))
                : "with a flat load rate: expired partitions are no longer dropped") +
           "; Data Disk Capacity Alert is firing. Expand the disk or free space.";
  }
};

}  // namespace

const Scenario& DiskCapacityFamily() {
  static const DiskCapacity family;
  return family;
}

}  // namespace rh::simulator::internal
