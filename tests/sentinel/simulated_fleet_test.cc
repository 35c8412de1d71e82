// The sentinel on the simulator's fleet: are the clusters with injected incidents the ones
// queued? The ground truth is read here, in the test, never by sentinel code.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "core/time_format.h"
#include "sentinel/sentinel.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/schema.h"
#include "store/task_queue.h"
#include "tests/fakes/test_env.h"

namespace rh::sentinel {
namespace {

TEST(SimulatedFleetTest, IncidentClustersAreQueuedAndHealthyOnesAreNot) {
  rh::testing::TempDir dir;
  auto fleet = store::OpenDatabase(dir.File("fleet.db"));
  ASSERT_TRUE(fleet) << fleet.error().ToString();
  simulator::FleetParams params;
  params.clusters = 80;
  params.days = 8;  // a week of baseline plus the day scored
  params.seed = 7;
  params.end_hour = MakeUtcTime(2026, 11, 21, 10);
  auto generated = simulator::GenerateFleet(**fleet, params);
  ASSERT_TRUE(generated) << generated.error().ToString();

  auto memory = store::OpenDatabase(dir.File("memory.db"));
  ASSERT_TRUE(memory);
  ASSERT_TRUE(store::Migrate(**memory, store::SchemaSet::kMemory));
  ManualClock clock(params.end_hour + std::chrono::minutes(5));
  store::TaskQueue queue(**memory, clock, QueueConfig{});
  Sentinel sentinel(**fleet, queue, clock, SentinelConfig{});
  auto pass = sentinel.RunPass();
  ASSERT_TRUE(pass) << pass.error().ToString();

  auto truth = simulator::ReadGroundTruth(**fleet);
  ASSERT_TRUE(truth) << truth.error().ToString();
  ASSERT_FALSE(truth->empty());
  std::map<std::string, simulator::GroundTruthRow> incidents;
  for (const auto& row : *truth) incidents.emplace(row.cluster_id, row);
  std::set<std::string> queued;
  for (const ClusterDecision& decision : pass->created) queued.insert(decision.cluster_id);
  std::map<std::string, const ClusterScore*> scores;
  for (const ClusterScore& cluster : pass->scoring.clusters) scores[cluster.cluster_id] = &cluster;

  int incidents_queued = 0;
  for (const auto& [cluster_id, incident] : incidents) {
    ASSERT_TRUE(scores.count(cluster_id))
        << cluster_id << " (" << RootCauseName(incident.category) << ") was not scored";
    const ClusterScore& score = *scores[cluster_id];
    // Every injected incident shows in the score...
    EXPECT_NE(score.health.risk, RiskLevel::kHealthy)
        << cluster_id << " " << RootCauseName(incident.category)
        << " scored Healthy: " << score.health.health;
    if (queued.count(cluster_id)) {
      ++incidents_queued;
      continue;
    }
    // ... and the only incidents left unqueued are the ones DESIGN §4 leaves alone: Warning
    // (not Critical) on a tier B/C cluster, with no cliff and no storm.
    EXPECT_NE(incident.expected_severity, Severity::kCritical)
        << cluster_id << " " << RootCauseName(incident.category);
    EXPECT_EQ(score.health.risk, RiskLevel::kWarning)
        << cluster_id << " " << RootCauseName(incident.category);
    EXPECT_TRUE(score.tier != "S" && score.tier != "A")
        << cluster_id << " " << RootCauseName(incident.category) << " tier " << score.tier;
  }
  int healthy_clusters = 0;
  int healthy_queued = 0;
  for (const ClusterScore& cluster : pass->scoring.clusters) {
    if (incidents.count(cluster.cluster_id)) continue;
    ++healthy_clusters;
    if (queued.count(cluster.cluster_id)) {
      ++healthy_queued;
      ADD_FAILURE() << "healthy cluster " << cluster.cluster_id << " was queued (health "
                    << cluster.health.health << ")";
    }
  }
  std::printf(
      "simulated fleet (seed %llu, %d clusters): %d of %zu incident clusters queued; %d "
      "of %d healthy clusters queued\n",
      static_cast<unsigned long long>(params.seed), params.clusters, incidents_queued,
      incidents.size(), healthy_queued, healthy_clusters);
  EXPECT_EQ(healthy_queued, 0);
  EXPECT_GE(incidents_queued * 10, static_cast<int>(incidents.size()) * 6)
      << "fewer than 60% of the incident clusters were queued";
}

}  // namespace
}  // namespace rh::sentinel
