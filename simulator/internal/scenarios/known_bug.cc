// known_bug: StarRocks 3.2.0-3.2.2, where PageCache exceeds storage_page_cache_limit (fixed in
// 3.2.3, StarRocks #37740): BE memory climbs linearly to 89-96% over 2-5 days while QPS, scans
// and loads stay flat.
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class KnownBug final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kKnownBug; }
  bool Prefers(const Cluster& cluster) const override { return IsSharedNothing(cluster); }
  // A flat workload is the point of the story: no QPS blip beside it.
  RedHerringPolicy red_herrings() const override { return {.qps_blip = false}; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Cluster& cluster = story.cluster();
    Rng& rng = story.rng;
    MakeSharedNothing(cluster, rng);
    static const std::vector<std::string> buggy = {"3.2.0", "3.2.1", "3.2.2"};
    cluster.version = rng.Pick(buggy);
    const int start = StartIdx(story.plan, rng.UniformInt(48, 120));
    incident.scenario = "known_bug_pagecache_exceeds_limit_37740";
    incident.target = rng.Uniform(89, 96);  // BE memory %
    incident.node = rng.UniformInt(1, cluster.compute.count);
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view) const override {
    return Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override { return {"Memory Alert"}; }

  void Apply(StorySeries& story) const override {
    const double mem_mean = story.baseline[kBeMem];
    for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      // PageCache grows past storage_page_cache_limit: memory climbs with no workload change.
      Shift(m[kBeMem],
            (story.incident.target - mem_mean) * Ramp(hour_idx, story.start, story.last, 1.0));
    }
  }

  std::string Derive(StoryEvents& story) const override {
    FireMemoryAlert(story);
    return story.cluster.name + " runs StarRocks " + story.cluster.version +
           ": BE memory climbed steadily from " + Pct(story.Before(kBeMem)) + " to " +
           Pct(story.At(story.last, kBeMem).avg) + " since " + story.since +
           " with a flat workload (QPS " + PctChange(story.Before(kQps), story.End(kQps)) +
           ", load rate " + PctChange(story.Before(kLoadRate), story.End(kLoadRate)) +
           "): PageCache exceeds storage_page_cache_limit, a known bug fixed in 3.2.3 "
           "(StarRocks #37740). Upgrade to 3.2.3+; meanwhile lower "
           "storage_page_cache_limit or disable the page cache.";
  }
};

}  // namespace

const Scenario& KnownBugFamily() {
  static const KnownBug family;
  return family;
}

}  // namespace rh::simulator::internal
