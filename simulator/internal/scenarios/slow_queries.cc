// slow_queries: latency p99 rises to 16-45 s with CPU unchanged: big scans (rows x1.8-2.8), or
// data skew (one BE holds the hot tablets: its CPU peak runs hot while the average stays calm).
#include <algorithm>

#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class SlowQueries final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kSlowQueries; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(4, 30));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario = incident.variant == 0 ? "slow_queries_big_scans" : "slow_queries_data_skew";
    incident.target = rng.Uniform(16000, 45000);                            // latency p99 ms
    incident.factor = incident.variant == 0 ? rng.Uniform(1.8, 2.8) : 1.0;  // scan rows
    incident.node = rng.UniformInt(1, story.cluster().compute.count);
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" || tier == "A" ? Severity::kHigh : Severity::kMedium;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Query Latency Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 2);
      LevelTo(m[kLatency], story.baseline[kLatency], incident.target, step);
      Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
      if (incident.variant == 1) {
        // One BE holds the skewed tablets: its peak runs hot while the average stays calm.
        m[kCpu].max = std::min(97.0, std::max(m[kCpu].max, m[kCpu].avg * 2.4));
        m[kCpu].p99 = m[kCpu].avg + (m[kCpu].max - m[kCpu].avg) * 0.8;
      }
    }
  }

  std::string Derive(StoryEvents& story) const override {
    FireQueryLatencyAlert(story);
    return "Query latency p99 on " + story.cluster.name + " rose from " +
           FormatNumber(story.Before(kLatency), 0) + " to " + FormatNumber(story.End(kLatency), 0) +
           " ms since " + story.since + " while CPU stayed at " + Pct(story.End(kCpu)) + " (" +
           (story.incident.variant == 0
                ? "queries scan " + PctChange(story.Before(kScanRows), story.End(kScanRows)) +
                      " more rows"
                : "data skew: one BE (" + story.node + ") holds the hot tablets") +
           "); Query Latency Alert is firing.";
  }
};

}  // namespace

const Scenario& SlowQueriesFamily() {
  static const SlowQueries family;
  return family;
}

}  // namespace rh::simulator::internal
