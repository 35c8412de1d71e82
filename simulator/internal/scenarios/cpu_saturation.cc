// cpu_saturation: heavy queries (scanned rows x3.5-5.5, QPS about flat) drive BE CPU to
// 78-94% and latency p99 to 6-12 s.
#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class CpuSaturation final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kCpuSaturation; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(4, 30));
    incident.scenario = "cpu_saturation_heavy_queries";
    incident.target = rng.Uniform(78, 94);        // CPU %
    incident.factor = rng.Uniform(3.5, 5.5);      // scan rows
    incident.factor2 = rng.Uniform(1.0, 1.3);     // QPS
    incident.target2 = rng.Uniform(6000, 12000);  // latency p99 ms
    incident.node = rng.UniformInt(1, story.cluster().compute.count);
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"BE CPU Alert", "Query Latency Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 2);
      LevelTo(m[kCpu], story.baseline[kCpu], incident.target, step);
      Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
      Multiply(m[kQps], 1.0 + (incident.factor2 - 1.0) * step);
      LevelTo(m[kLatency], story.baseline[kLatency], incident.target2, step);
    }
  }

  std::string Derive(StoryEvents& story) const override {
    FireBeCpuAlert(story);
    // Latency follows the CPU but need not cross the threshold: fire only where it does.
    if (story.FirstAbove(kLatency, kLatencyAlertMs) >= 0) FireQueryLatencyAlert(story);
    return "Heavy queries on " + story.cluster.name + " since " + story.since +
           " saturate the BEs: CPU from " + Pct(story.Before(kCpu)) + " to " +
           Pct(story.End(kCpu)) + ", scanned rows " +
           PctChange(story.Before(kScanRows), story.End(kScanRows)) + ", latency p99 " +
           FormatNumber(story.Before(kLatency), 0) + " -> " + FormatNumber(story.End(kLatency), 0) +
           " ms with QPS " + PctChange(story.Before(kQps), story.End(kQps)) + ".";
  }
};

}  // namespace

const Scenario& CpuSaturationFamily() {
  static const CpuSaturation family;
  return family;
}

}  // namespace rh::simulator::internal
