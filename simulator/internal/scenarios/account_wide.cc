// account_wide: 2-4 siblings of one account degrade within an hour of each other, from one
// cause upstream of them all: a BI dashboard rollout (QPS x1.8-2.5, latency 7-14 s) or an
// upstream Kafka outage (loads fail). The planner builds the account for the story, with at
// most one unaffected sibling; one ground-truth row per affected cluster.
#include <algorithm>
#include <cmath>

#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class AccountWide final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kAccountWide; }
  Footprint footprint() const override { return Footprint::kAccountSiblings; }
  int max_clusters() const override { return 4; }

  void PlanFootprint(Incident& incident, Rng& rng) const override {
    incident.count = 2 + static_cast<int>(rng.PickWeighted({0.4, 0.4, 0.2}));
    incident.account_size = std::min(4, incident.count + rng.UniformInt(0, 1));
  }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    std::vector<int> members = story.account().cluster_indices;
    rng.Shuffle(members);
    const int affected = std::min<int>(incident.count, static_cast<int>(members.size()));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario = incident.variant == 0 ? "account_wide_bi_dashboard_rollout"
                                              : "account_wide_upstream_kafka_outage";
    if (incident.variant == 0) {
      incident.factor = rng.Uniform(1.8, 2.5);     // QPS
      incident.target = rng.Uniform(7000, 14000);  // latency p99 ms
      incident.target2 = rng.Uniform(10, 20);      // CPU points
    } else {
      incident.target = rng.Uniform(60, 200);   // failed txns per hour
      incident.factor = rng.Uniform(0.1, 0.3);  // load rate
    }
    const int base_start = StartIdx(story.plan, rng.UniformInt(4, 24));
    for (int member_idx = 0; member_idx < affected; ++member_idx) {
      const int start = std::clamp(base_start + rng.UniformInt(0, 1), MinStartIdx(story.plan),
                                   story.plan.hours - 3);
      story.AddCluster(members[static_cast<size_t>(member_idx)], start);
    }
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Query Latency Alert", "Loading Failure Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 2);
      if (incident.variant == 0) {
        Multiply(m[kQps], 1.0 + (incident.factor - 1.0) * step);
        Multiply(m[kScanRows], 1.0 + (incident.factor - 1.0) * step);
        LevelTo(m[kLatency], story.baseline[kLatency], incident.target, step);
        Shift(m[kCpu], incident.target2 * step);
      } else {
        const double failures = incident.target * story.rng.Uniform(0.8, 1.2);
        m[kTxnFailed].avg = m[kTxnFailed].max =
            std::round(m[kTxnFailed].avg + step * (failures - story.baseline[kTxnFailed]));
        Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
      }
    }
  }

  std::string Derive(StoryEvents& story) const override {
    std::string siblings;
    for (int sibling : story.incident.clusters) {
      if (sibling == story.cluster_index) continue;
      siblings +=
          (siblings.empty() ? "" : ", ") + story.plan.clusters[static_cast<size_t>(sibling)].id;
    }
    const Account& account = AccountOf(story.plan, story.cluster);
    if (story.incident.variant == 0) {
      FireQueryLatencyAlert(story);
      return "Account " + account.id + " rolled out new BI dashboards: since " + story.since +
             " QPS on " + story.cluster.name + " rose " +
             PctChange(story.Before(kQps), story.End(kQps)) + " and latency p99 reached " +
             FormatNumber(story.End(kLatency), 0) + " ms, together with its siblings " + siblings +
             " (same Query Latency Alert).";
    }
    FireLoadingFailureAlert(story);
    return "The Kafka cluster that feeds account " + account.id + " is unreachable: since " +
           story.since + " loads into " + story.cluster.name + " fail (load rate " +
           PctChange(story.Before(kLoadRate), story.End(kLoadRate)) +
           "), together with its siblings " + siblings + " (same Loading Failure Alert).";
  }
};

}  // namespace

const Scenario& AccountWideFamily() {
  static const AccountWide family;
  return family;
}

}  // namespace rh::simulator::internal
