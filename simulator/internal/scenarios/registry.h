// The scenario families of the simulator, in one list (scenarios/registry.cc). The i-th
// incident of a fleet belongs to the (i mod n)-th family, so a fleet with at least n incidents
// has one of each, and the order is part of what a seed generates: append new families at the
// end, or every existing fleet changes.
// Internal to rh::simulator. Thread-safety: immutable after first use.
#pragma once

#include <vector>

#include "simulator/internal/scenarios/scenario.h"

namespace rh::simulator::internal {

const std::vector<const Scenario*>& ScenarioFamilies();

}  // namespace rh::simulator::internal
