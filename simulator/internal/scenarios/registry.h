// The scenario families of the simulator, in one list (scenarios/registry.cc). The i-th
// incident of a fleet belongs to the (i mod n)-th family, so a fleet with at least n incidents
// has one of each. The list is part of what a seed generates: a new family (appended at the
// end) changes the fleets of every seed.
// Internal to rh::simulator. Thread-safety: immutable after first use.
#pragma once

#include <vector>

#include "simulator/internal/scenarios/scenario.h"

namespace rh::simulator::internal {

const std::vector<const Scenario*>& ScenarioFamilies();

}  // namespace rh::simulator::internal
