// The fleet planner: builds the whole FleetPlan (accounts, clusters and node groups, incidents,
// background alerts and operations with chained parameters) from the parameters and the seed,
// before anything is written. Internal to rh::simulator.
// Thread-safety: pure function of its inputs.
#pragma once

#include "simulator/fleet_generator.h"
#include "simulator/internal/fleet_model.h"
#include "simulator/internal/random.h"

namespace rh::simulator::internal {

// `params` must have passed ValidateFleetParams; `incident_count` is the resolved count.
FleetPlan PlanFleet(const FleetParams& params, int incident_count);

// Fills the parameters (JSON) of every non-preset operation so that each cluster's history is
// consistent: UPGRADE chains end at the cluster's current version, SCALE chains at its current
// node group. Sorts plan.operations by cluster, then time.
void ChainOperations(FleetPlan& plan);

// Node groups as the cloud console offers them (limits: DESIGN.md §5).
NodeGroup MakeFeGroup(Rng& rng, bool trial);
NodeGroup MakeComputeGroup(Rng& rng, RunMode mode, bool trial);

// "op-" + 16 hex, stable for (seed, cluster, ordinal).
std::string OperationId(uint64_t seed, const std::string& cluster_id, int ordinal);

}  // namespace rh::simulator::internal
