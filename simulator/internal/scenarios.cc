#include "simulator/internal/scenarios.h"

#include <cstdio>
#include <cstdlib>

#include "core/time_format.h"
#include "simulator/internal/random.h"
#include "simulator/internal/scenarios/red_herrings.h"
#include "simulator/internal/scenarios/registry.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

// A family that leaves its incident half planned is a programming error: stop loudly rather
// than write a fleet whose ground truth does not match its data.
[[noreturn]] void BrokenStory(const Incident& incident, const char* what) {
  std::fprintf(stderr, "simulator: scenario family '%.*s' (%s): %s\n",
               static_cast<int>(incident.family->name().size()), incident.family->name().data(),
               incident.id.c_str(), what);
  std::abort();
}

// Picks an unused cluster, preferring those `family` prefers; `order` is a shuffled index list.
int PickCluster(const FleetPlan& plan, const std::vector<int>& order, const Scenario& family) {
  int fallback = -1;
  for (int cluster_index : order) {
    const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
    if (cluster.incident >= 0) continue;
    if (family.Prefers(cluster)) return cluster_index;
    if (fallback < 0) fallback = cluster_index;
  }
  return fallback;
}

// Runs the family's Plan and sets the expected severity.
void PlanStory(FleetPlan& plan, int incident_index, int account_index, Rng& rng) {
  Incident& incident = plan.incidents[static_cast<size_t>(incident_index)];
  const std::string tier = account_index >= 0
                               ? plan.accounts[static_cast<size_t>(account_index)].tier
                               : AccountOf(plan, ClusterAt(plan, incident.clusters.front())).tier;
  StoryPlan story{plan, incident, incident_index, rng, tier, account_index};
  incident.family->Plan(story);
  if (incident.clusters.empty()) BrokenStory(incident, "no cluster");
  if (incident.start_idx.size() != incident.clusters.size() ||
      incident.window_start.size() != incident.clusters.size()) {
    BrokenStory(incident, "every cluster needs a start (StoryPlan::Open or AddCluster)");
  }
  if (incident.scenario.empty()) BrokenStory(incident, "no scenario name");
  incident.severity = incident.family->ExpectedSeverity(incident, tier);
}

}  // namespace

int ScenarioFamilyCount(ScenarioSet set) { return static_cast<int>(FamiliesFor(set).size()); }

int MaxClustersForIncident(int ordinal, ScenarioSet set) {
  const auto& families = FamiliesFor(set);
  return families[static_cast<size_t>(ordinal) % families.size()]->max_clusters();
}

std::vector<Incident> PlanIncidentShapes(uint64_t seed, int count, ScenarioSet set) {
  Rng rng(seed, kStreamIncidents, 1);
  std::vector<Incident> incidents;
  const auto& families = FamiliesFor(set);
  for (int incident_idx = 0; incident_idx < count; ++incident_idx) {
    Incident incident;
    incident.family = families[static_cast<size_t>(incident_idx) % families.size()];
    incident.category = incident.family->category();
    char id[16];
    std::snprintf(id, sizeof(id), "inc-%03d", incident_idx + 1);
    incident.id = id;
    incident.family->PlanFootprint(incident, rng);
    incidents.push_back(std::move(incident));
  }
  return incidents;
}

bool NeedsOwnAccount(const Incident& incident) {
  return incident.family->footprint() == Footprint::kAccountSiblings;
}

void AssignIncidents(FleetPlan& plan, const std::vector<int>& reserved_accounts) {
  Rng rng(plan.seed, kStreamIncidents, 2);
  std::vector<int> order(plan.clusters.size());
  for (size_t cluster_idx = 0; cluster_idx < order.size(); ++cluster_idx) {
    order[cluster_idx] = static_cast<int>(cluster_idx);
  }
  rng.Shuffle(order);
  // Incidents on an account of their own first: the reserved accounts' clusters are theirs.
  size_t own_accounts_seen = 0;
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    if (!NeedsOwnAccount(plan.incidents[incident_idx])) continue;
    PlanStory(plan, static_cast<int>(incident_idx), reserved_accounts[own_accounts_seen++], rng);
  }
  // Keep the reserved accounts' unaffected siblings healthy (they are the comparison group).
  std::vector<bool> reserved(plan.clusters.size(), false);
  for (int account_index : reserved_accounts) {
    for (int cluster_index : plan.accounts[static_cast<size_t>(account_index)].cluster_indices) {
      reserved[static_cast<size_t>(cluster_index)] = true;
    }
  }
  std::vector<int> open_order;
  for (int cluster_index : order) {
    if (!reserved[static_cast<size_t>(cluster_index)]) open_order.push_back(cluster_index);
  }
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    Incident& incident = plan.incidents[incident_idx];
    if (NeedsOwnAccount(incident)) continue;
    const int cluster_index = PickCluster(plan, open_order, *incident.family);
    Cluster& cluster = ClusterAt(plan, cluster_index);
    cluster.incident = static_cast<int>(incident_idx);
    cluster.incident_role = 0;
    incident.clusters = {cluster_index};
    PlanStory(plan, static_cast<int>(incident_idx), -1, rng);
  }
  for (size_t incident_idx = 0; incident_idx < plan.incidents.size(); ++incident_idx) {
    PlanRedHerring(plan, static_cast<int>(incident_idx), rng);
  }
  for (Incident& incident : plan.incidents) {
    incident.descriptions.assign(incident.clusters.size(), "");
  }
}

bool InIncidentWindow(const FleetPlan& plan, int cluster_index, int hour_idx, int margin_hours) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  if (cluster.incident < 0) return false;
  const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const int start = incident.start_idx[static_cast<size_t>(cluster.incident_role)];
  return hour_idx >= start - margin_hours;
}

void ApplyIncident(const FleetPlan& plan, int cluster_index, std::vector<HourValues>& series) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  if (cluster.incident < 0) return;
  const Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const int start = incident.start_idx[static_cast<size_t>(cluster.incident_role)];
  Rng rng(plan.seed, kStreamIncidentEffects, static_cast<uint64_t>(cluster_index));
  StorySeries story{plan, cluster, incident, cluster_index, start, plan.hours - 1, series, rng, {}};
  for (int metric_idx = 0; metric_idx < kMetricCount; ++metric_idx) {
    const auto metric = static_cast<MetricIndex>(metric_idx);
    story.baseline[static_cast<size_t>(metric_idx)] =
        MeanAvg(series, metric, start - 24, start - 1);
  }
  ApplyRedHerring(plan, cluster_index, series);
  incident.family->Apply(story);
}

void BuildIncidentEvents(FleetPlan& plan, int cluster_index, const std::vector<HourValues>& series,
                         std::vector<AlertEpisode>& alerts) {
  const Cluster& cluster = ClusterAt(plan, cluster_index);
  if (cluster.incident < 0) return;
  Incident& incident = plan.incidents[static_cast<size_t>(cluster.incident)];
  const size_t role = static_cast<size_t>(cluster.incident_role);
  Rng rng(plan.seed, kStreamIncidentEvents, static_cast<uint64_t>(cluster_index));
  StoryEvents story{plan,
                    cluster,
                    incident,
                    cluster_index,
                    role,
                    incident.start_idx[role],
                    plan.hours - 1,
                    series,
                    alerts,
                    rng,
                    NodeName(cluster, incident.node),
                    FormatSqlTime(incident.window_start[role])};
  incident.descriptions[role] = incident.family->Derive(story);
}

}  // namespace rh::simulator::internal
