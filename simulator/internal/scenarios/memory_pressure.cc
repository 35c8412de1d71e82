// memory_pressure: a query surge (QPS x2.4-3.2, scanned rows x3.5-5.5) drives BE memory to
// 88-96%; some queries fail with "memory limit exceeded". Never on the versions with the
// PageCache bug (that is known_bug's story).
#include <algorithm>

#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class MemoryPressure final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kMemoryPressure; }
  bool Prefers(const Cluster& cluster) const override { return !HasPageCacheBug(cluster.version); }
  // The workload is the point of the story: no QPS blip beside it.
  RedHerringPolicy red_herrings() const override { return {.qps_blip = false}; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Cluster& cluster = story.cluster();
    Rng& rng = story.rng;
    if (HasPageCacheBug(cluster.version)) cluster.version = "3.2.8";
    const int start = StartIdx(story.plan, rng.UniformInt(6, 36));
    incident.scenario = "memory_pressure_query_surge";
    incident.target = rng.Uniform(88, 96);      // BE memory %
    incident.factor = rng.Uniform(2.4, 3.2);    // QPS
    incident.factor2 = rng.Uniform(3.5, 5.5);   // scan rows
    incident.target2 = rng.Uniform(0.15, 0.6);  // error rate % (memory limit exceeded)
    incident.node = rng.UniformInt(1, cluster.compute.count);
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override { return {"Memory Alert"}; }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    const double mem_mean = story.baseline[kBeMem];
    const double err_mean = story.baseline[kQueryErr];
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 2);
      Multiply(m[kQps], 1.0 + (incident.factor - 1.0) * step);
      Multiply(m[kScanRows], 1.0 + (incident.factor2 - 1.0) * step);
      const double shape = std::min(1.0, 1.6 * Ramp(hour_idx, start, story.last, 1.0));
      Shift(m[kBeMem], (incident.target - mem_mean) * shape);
      Multiply(m[kLatency], 1.0 + 0.6 * shape);
      Shift(m[kCpu], 8.0 * step);
      if (shape > 0.6) LevelTo(m[kQueryErr], err_mean, incident.target2, shape);
    }
  }

  std::string Derive(StoryEvents& story) const override {
    FireMemoryAlert(story);
    return "A query surge on " + story.cluster.name + " since " + story.since + " (QPS " +
           PctChange(story.Before(kQps), story.End(kQps)) + ", scanned rows " +
           PctChange(story.Before(kScanRows), story.End(kScanRows)) + ") drove BE memory from " +
           Pct(story.Before(kBeMem)) + " to " + Pct(story.At(story.last, kBeMem).avg) +
           "; some queries fail with memory limit exceeded. Memory Alert is firing.";
  }
};

}  // namespace

const Scenario& MemoryPressureFamily() {
  static const MemoryPressure family;
  return family;
}

}  // namespace rh::simulator::internal
