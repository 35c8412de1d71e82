// The scenario pipeline (simulator/internal/scenarios.h) with a family written for the test:
// the cluster it prefers is picked, its Plan opens the window, the severity comes from the
// account's tier, Apply changes only its cluster's hours from the start, Derive's alerts and
// description reach the incident; a family that leaves its incident half planned stops the
// process with its name.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/time_format.h"
#include "simulator/internal/scenarios.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// CPU pinned at Incident::target for the last five hours of the preferred cluster.
class CpuPinnedFamily final : public Scenario {
 public:
  std::string_view name() const override { return "test_cpu_pinned"; }
  RootCause category() const override { return RootCause::kCpuSaturation; }
  bool Prefers(const Cluster& cluster) const override { return cluster.id == "c-preferred"; }
  RedHerringPolicy red_herrings() const override { return {.any = false}; }

  void Plan(StoryPlan& story) const override {
    story.incident.scenario = "cpu_pinned";
    story.incident.target = 99;
    story.Open(story.plan.hours - 5, minutes(7));
  }
  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" ? Severity::kCritical : Severity::kHigh;
  }
  std::vector<std::string> AlertNames(const Incident&) const override { return {"BE CPU Alert"}; }
  void Apply(StorySeries& story) const override {
    for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
      LevelTo(story.Hour(hour_idx)[kCpu], story.baseline[kCpu], story.incident.target, 1.0);
    }
  }
  std::string Derive(StoryEvents& story) const override {
    FireBeCpuAlert(story);
    return "CPU " + Pct(story.Before(kCpu)) + " -> " + Pct(story.End(kCpu)) + " on " + story.node;
  }
};

// Plans nothing at all.
class HalfPlannedFamily final : public Scenario {
 public:
  std::string_view name() const override { return "test_half_planned"; }
  RootCause category() const override { return RootCause::kDiskCapacity; }
  void Plan(StoryPlan& story) const override { story.incident.scenario = "half"; }
  Severity ExpectedSeverity(const Incident&, std::string_view) const override {
    return Severity::kLow;
  }
  std::vector<std::string> AlertNames(const Incident&) const override { return {}; }
  void Apply(StorySeries&) const override {}
  std::string Derive(StoryEvents&) const override { return ""; }
};

FleetPlan TwoClusterFleet(const Scenario& family) {
  FleetPlan plan;
  plan.seed = 5;
  plan.hours = 48;
  plan.end_hour = MakeUtcTime(2026, 11, 21, 10);
  plan.first_hour = plan.end_hour - hours(plan.hours - 1);
  Account account;
  account.id = "acct-000001";
  account.tier = "S";
  account.cluster_indices = {0, 1};
  plan.accounts.push_back(account);
  for (const char* id : {"c-other", "c-preferred"}) {
    Cluster cluster;
    cluster.id = id;
    cluster.name = std::string(id) + "-prod";
    cluster.compute.node_type = "BE";
    cluster.compute.count = 3;
    plan.clusters.push_back(cluster);
  }
  plan.spikes.assign(plan.clusters.size(), {});
  Incident incident;
  incident.family = &family;
  incident.category = family.category();
  incident.id = "inc-001";
  plan.incidents.push_back(incident);
  return plan;
}

std::vector<HourValues> FlatSeries(int hour_count, double cpu) {
  std::vector<HourValues> series(static_cast<size_t>(hour_count));
  for (HourValues& hour : series)
    hour.metrics[kCpu] = MetricSample{cpu, cpu * 1.2, cpu * 1.1, true};
  return series;
}

TEST(ScenarioPipeline, RunsAFamilyThroughPlanApplyAndDerive) {
  const CpuPinnedFamily family;
  FleetPlan plan = TwoClusterFleet(family);
  AssignIncidents(plan, {});
  const Incident& incident = plan.incidents.front();
  ASSERT_EQ(incident.clusters, std::vector<int>{1}) << "the cluster the family prefers";
  EXPECT_EQ(plan.clusters[1].incident, 0);
  EXPECT_EQ(plan.clusters[0].incident, -1);
  EXPECT_EQ(incident.start_idx, std::vector<int>{43});
  ASSERT_EQ(incident.window_start.size(), 1u);
  EXPECT_EQ(FormatSqlTime(incident.window_start[0]), "2026-11-21 06:07:00");
  EXPECT_EQ(incident.severity, Severity::kCritical) << "tier S";
  EXPECT_EQ(incident.red_herring, RedHerringKind::kNone);
  EXPECT_TRUE(InIncidentWindow(plan, 1, 40, 3));
  EXPECT_FALSE(InIncidentWindow(plan, 1, 39, 3));
  EXPECT_FALSE(InIncidentWindow(plan, 0, 47, 24));

  std::vector<HourValues> background = FlatSeries(plan.hours, 20);
  ApplyIncident(plan, 0, background);
  EXPECT_DOUBLE_EQ(background[47].metrics[kCpu].avg, 20) << "a background cluster is untouched";

  std::vector<HourValues> series = FlatSeries(plan.hours, 20);
  ApplyIncident(plan, 1, series);
  EXPECT_DOUBLE_EQ(series[42].metrics[kCpu].avg, 20);
  EXPECT_DOUBLE_EQ(series[43].metrics[kCpu].avg, 99);
  EXPECT_DOUBLE_EQ(series[47].metrics[kCpu].avg, 99);

  std::vector<AlertEpisode> alerts;
  BuildIncidentEvents(plan, 0, background, alerts);
  EXPECT_TRUE(alerts.empty());
  BuildIncidentEvents(plan, 1, series, alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].alert_name, "BE CPU Alert");
  EXPECT_EQ(alerts[0].cluster_index, 1);
  EXPECT_GE(alerts[0].starts_at, plan.HourTime(43));
  EXPECT_LT(alerts[0].starts_at, plan.HourTime(44));
  EXPECT_FALSE(alerts[0].ends_at.has_value()) << "still firing";
  EXPECT_EQ(plan.incidents.front().descriptions,
            std::vector<std::string>{"CPU 20.0% -> 99.0% on be-1"});
}

TEST(ScenarioPipelineDeathTest, AHalfPlannedStoryStopsTheProcessNamingTheFamily) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const HalfPlannedFamily family;
  FleetPlan plan = TwoClusterFleet(family);
  EXPECT_DEATH(AssignIncidents(plan, {}), "test_half_planned.*inc-001.*needs a start");
}

}  // namespace
}  // namespace rh::simulator::internal
