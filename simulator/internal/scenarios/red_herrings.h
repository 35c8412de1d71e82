// Red herrings: a harmless second anomaly planted beside about 45% of the incidents, on their
// first cluster, so an investigation must tell the cause from a coincidence. Three kinds: an
// unrelated alert that fired and resolved 6-120 hours before (with its metric peak), a routine
// scale-out 8-20 days before, or a one-hour QPS blip 12-72 hours before. A family rules kinds
// out through Scenario::red_herrings(). The text goes to sim_ground_truth.red_herring only.
// Internal to rh::simulator. Thread-safety: functions over a FleetPlan owned by the caller.
#pragma once

#include <vector>

#include "simulator/internal/fleet_model.h"
#include "simulator/internal/random.h"

namespace rh::simulator::internal {

// After every story is planned: maybe plants the red herring of `incident_index` (an alert
// episode and its spike, a routine SCALE operation, or a QPS blip applied by ApplyRedHerring).
void PlanRedHerring(FleetPlan& plan, int incident_index, Rng& rng);

// After ChainOperations: words the text of red herrings that are a routine SCALE (its
// parameters are only known once the operation history is chained).
void DescribeRedHerringOperations(FleetPlan& plan);

// Applies the QPS blip of the cluster's incident, if it has one and the cluster is the
// incident's first; before the story itself is applied.
void ApplyRedHerring(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series);

}  // namespace rh::simulator::internal
