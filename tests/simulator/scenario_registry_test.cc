// The scenario registry (simulator/internal/scenarios/registry.h): family names are unique,
// every root-cause category is told by at least one family, incidents are dealt round-robin over
// the families, and families on several clusters size their account within their capacity.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "simulator/ground_truth.h"
#include "simulator/internal/scenarios.h"
#include "simulator/internal/scenarios/registry.h"

namespace rh::simulator::internal {
namespace {

TEST(ScenarioRegistry, NamesAreUniqueAndEveryCategoryHasAFamily) {
  const auto& families = ScenarioFamilies();
  ASSERT_FALSE(families.empty());
  EXPECT_EQ(ScenarioFamilyCount(), static_cast<int>(families.size()));
  std::set<std::string> names;
  std::set<RootCause> categories;
  for (const Scenario* family : families) {
    ASSERT_NE(family, nullptr);
    EXPECT_FALSE(family->name().empty());
    EXPECT_TRUE(names.insert(std::string(family->name())).second)
        << "duplicate family " << family->name();
    categories.insert(family->category());
    EXPECT_GE(family->max_clusters(), 1) << family->name();
  }
  for (RootCause category : kAllRootCauses) {
    if (category == RootCause::kHealthy) continue;  // healthy is the no-incident case
    EXPECT_TRUE(categories.contains(category)) << "no family tells " << RootCauseName(category);
  }
}

TEST(ScenarioRegistry, IncidentsAreDealtRoundRobinOverTheFamilies) {
  const auto& families = ScenarioFamilies();
  const int count = 2 * ScenarioFamilyCount() + 3;
  const std::vector<Incident> incidents = PlanIncidentShapes(42, count);
  ASSERT_EQ(static_cast<int>(incidents.size()), count);
  for (int incident_idx = 0; incident_idx < count; ++incident_idx) {
    const Incident& incident = incidents[static_cast<size_t>(incident_idx)];
    const Scenario* expected = families[static_cast<size_t>(incident_idx) % families.size()];
    EXPECT_EQ(incident.family, expected) << incident.id;
    EXPECT_EQ(incident.category, expected->category()) << incident.id;
    EXPECT_EQ(MaxClustersForIncident(incident_idx), expected->max_clusters());
  }
  EXPECT_EQ(incidents.front().id, "inc-001");
  EXPECT_EQ(incidents.back().id, "inc-0" + std::to_string(count));
}

TEST(ScenarioRegistry, FamiliesOnSeveralClustersSizeTheirAccountWithinTheirCapacity) {
  int own_accounts = 0;
  for (uint64_t seed : {1u, 7u, 42u, 20261121u}) {
    for (const Incident& incident : PlanIncidentShapes(seed, 4 * ScenarioFamilyCount())) {
      if (!NeedsOwnAccount(incident)) continue;
      ++own_accounts;
      EXPECT_GE(incident.count, 2) << incident.id;
      EXPECT_LE(incident.count, incident.account_size) << incident.id;
      EXPECT_LE(incident.account_size, incident.family->max_clusters()) << incident.id;
    }
  }
  EXPECT_GT(own_accounts, 0);
}

}  // namespace
}  // namespace rh::simulator::internal
