// Labelled incident scenarios: the pipeline that runs the scenario families
// (scenarios/scenario.h, listed in scenarios/registry.h) over a fleet. Each incident is one
// coherent story across metrics, alerts and operations, still active at the fleet's last hour,
// with an expected severity and sometimes a red herring (scenarios/red_herrings.h).
//
// Life of an incident, in generation order:
//   1. PlanIncidentShapes: the i-th incident belongs to the (i mod n)-th family of the registry;
//      a family that hits several siblings of one account draws how many.
//   2. AssignIncidents: the families that need an account of their own are planned first, on
//      the accounts the planner built for them; every other family gets a free cluster it
//      prefers, then plans its timing, magnitudes, operations and severity (Scenario::Plan,
//      Scenario::Severity). Red herrings are planted last.
//   3. ApplyIncident: the red herring's QPS blip, then Scenario::Apply, on the cluster's
//      background series.
//   4. BuildIncidentEvents: Scenario::Derive fires the alerts where the final data crosses
//      their thresholds and writes the ground-truth description with the numbers.
// simulator/README.md explains how to add a scenario. Internal to rh::simulator.
// Thread-safety: functions over a FleetPlan owned by the caller.
#pragma once

#include <string>
#include <vector>

#include "simulator/internal/fleet_model.h"
#include "simulator/scenario_catalog.h"

namespace rh::simulator::internal {

// The number of scenario families of `set` (a fleet with at least this many incidents has one of
// each).
int ScenarioFamilyCount(ScenarioSet set = ScenarioSet::kClassic);

// Clusters the incident with 0-based position `ordinal` in a fleet of `set` may need (the
// planner's capacity check).
int MaxClustersForIncident(int ordinal, ScenarioSet set = ScenarioSet::kClassic);

// `count` incidents dealt from the families of `set`, with family, category, id and cluster
// count set; families that hit several siblings of one account also set Incident::count and
// Incident::account_size.
std::vector<Incident> PlanIncidentShapes(uint64_t seed, int count,
                                         ScenarioSet set = ScenarioSet::kClassic);

// Whether the incident needs an account built for it (of Incident::account_size clusters).
bool NeedsOwnAccount(const Incident& incident);

// `reserved_accounts[i]` is the account built for the i-th incident that NeedsOwnAccount.
void AssignIncidents(FleetPlan& plan, const std::vector<int>& reserved_accounts);

// Modifies `series` (the cluster's background) with its incident; no-op for background clusters.
void ApplyIncident(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series);

// Appends the story's alert episodes for this cluster to `alerts` and stores the cluster's
// ground-truth description in its incident.
void BuildIncidentEvents(FleetPlan& plan, int cluster_index, const std::vector<HourValues>& series,
                         std::vector<AlertEpisode>& alerts);

// Whether `hour_idx` of `cluster_index` lies inside (or within `margin_hours` before) its
// incident's window; background events avoid it.
bool InIncidentWindow(const FleetPlan& plan, int cluster_index, int hour_idx, int margin_hours);

}  // namespace rh::simulator::internal
