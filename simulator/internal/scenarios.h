// Labelled incident scenarios: each one a coherent story across metrics, alerts and operations,
// still active at the fleet's last hour, with an expected severity and sometimes a red herring.
//
// Life of a scenario, in generation order:
//   1. PlanIncidentShapes: which categories (round-robin over AllCategories()) and how many
//      clusters each needs (an account-wide incident hits 2-4 siblings of one account).
//   2. AssignIncidents: picks the clusters (adjusting architecture or version where the story
//      needs it), the timing and magnitudes, the expected severity, the red herring, and the
//      operations the story contains (they are known before any metric is drawn).
//   3. ApplyIncident: layers the story onto the cluster's background series.
//   4. BuildIncidentEvents: derives the alerts from the final series (an alert fires when the
//      data crosses its threshold) and writes the ground-truth description with the numbers.
// simulator/README.md explains how to add a scenario. Internal to rh::simulator.
// Thread-safety: functions over a FleetPlan owned by the caller.
#pragma once

#include <string>
#include <vector>

#include "simulator/internal/fleet_model.h"

namespace rh::simulator::internal {

// Clusters an incident of `category` may need (the planner's capacity check).
int MaxClustersFor(IncidentCategory category);

// `count` incidents with category, id and cluster count set; account_wide incidents also get
// Incident::count (affected siblings) and Incident::factor2 (the account's cluster count).
std::vector<Incident> PlanIncidentShapes(uint64_t seed, int count);

// `reserved_accounts[i]` is the account built for the i-th account-wide incident.
void AssignIncidents(FleetPlan& plan, const std::vector<int>& reserved_accounts);

// After ChainOperations: words the red-herring text of incidents whose red herring is a routine
// SCALE (its parameters are only known once the operation history is chained).
void DescribeRedHerringOperations(FleetPlan& plan);

// Modifies `series` (the cluster's background) with its incident; no-op for background clusters.
void ApplyIncident(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series);

// Appends the story's alert episodes for this cluster to `alerts` and stores the cluster's
// ground-truth description in its incident.
void BuildIncidentEvents(FleetPlan& plan, int cluster_index,
                         const std::vector<HourValues>& series, std::vector<AlertEpisode>& alerts);

// Whether `hour_idx` of `cluster_index` lies inside (or within `margin_hours` before) its
// incident's window; background events avoid it.
bool InIncidentWindow(const FleetPlan& plan, int cluster_index, int hour_idx, int margin_hours);

}  // namespace rh::simulator::internal
