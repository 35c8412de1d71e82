// FleetSummary: what a fleet database holds, at a glance — accounts by tier, clusters by
// architecture, version line and region, the snapshot range and row counts, alerts still
// firing, operations, and (for a simulated fleet) its parameters and labelled incidents.
//
// Works on any fleet database with the fleet schema (simulated or a copy of real telemetry);
// the simulation block is present only when fleet_meta holds sim_* keys. The incident count is
// read from sim_ground_truth by this reporting code only; tools never read that table.
// Thread-safety: stateless functions over a Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::simulator {

// The sim_* keys of fleet_meta.
struct SimulationMeta {
  uint64_t seed = 0;
  int clusters = 0;
  int days = 0;
  int incidents = 0;
  TimePoint end_hour{};        // sim_end: the last snapshot hour
  std::string generated_at;    // as recorded
  std::string status;          // "complete" once generation finished, "generating" before
  bool complete() const { return status == "complete"; }
};

// nullopt when the database holds no simulated fleet (no sim_seed in fleet_meta).
Result<std::optional<SimulationMeta>> ReadSimulationMeta(store::Database& db);

using Counts = std::vector<std::pair<std::string, int64_t>>;  // label -> count, sorted by label

struct FleetSummary {
  std::string database;  // Database::description()
  std::optional<SimulationMeta> simulation;
  int64_t accounts = 0;
  Counts accounts_by_tier;
  int64_t clusters = 0;
  Counts clusters_by_run_mode;
  Counts clusters_by_version_line;  // "3.2", "3.3", ...
  Counts clusters_by_region;
  int64_t snapshot_rows = 0;
  std::optional<TimePoint> first_snapshot;
  std::optional<TimePoint> last_snapshot;
  int64_t alert_messages = 0;
  int64_t firing_alerts = 0;  // distinct (cluster, alert, start) with no Resolved message
  int64_t clusters_with_firing_alerts = 0;
  int64_t operations = 0;
  Counts operations_by_type;
  std::optional<int64_t> labelled_incidents;  // distinct incident ids in sim_ground_truth
  std::optional<int64_t> labelled_clusters;   // rows of sim_ground_truth
};

Result<FleetSummary> SummarizeFleet(store::Database& db);

// The multi-line text `rockhound fleet summary` and `rockhound demo` print.
std::string FormatFleetSummary(const FleetSummary& summary);

}  // namespace rh::simulator
