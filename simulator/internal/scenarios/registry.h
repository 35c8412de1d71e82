// The scenario families of the simulator (scenarios/registry.cc): the 13 classic families, one
// per category, and the catalogue (simulator/scenario_catalog.h), every family with its fixed
// tuning / held-out split. The i-th incident of a fleet belongs to the (i mod n)-th family of
// its ScenarioSet, so a fleet with at least n incidents has one of each. The lists are part of
// what a seed generates: a new family (appended at the end of its block) changes the fleets of
// every seed of that set.
// Internal to rh::simulator. Thread-safety: immutable after first use.
#pragma once

#include <vector>

#include "simulator/internal/scenarios/scenario.h"
#include "simulator/scenario_catalog.h"

namespace rh::simulator::internal {

// The classic families, in dealing order (ScenarioSet::kClassic).
const std::vector<const Scenario*>& ScenarioFamilies();

struct CatalogueEntry {
  const Scenario* family = nullptr;
  FamilySplit split = FamilySplit::kTuning;
  bool classic = false;
};

// Every family: the tuning families (the classic ones first), then the held-out families.
const std::vector<CatalogueEntry>& Catalogue();

// The families `set` deals incidents from, in dealing order.
const std::vector<const Scenario*>& FamiliesFor(ScenarioSet set);

}  // namespace rh::simulator::internal
