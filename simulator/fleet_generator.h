// FleetGenerator: writes a deterministic, realistic simulated StarRocks fleet with labelled
// incidents into any fleet database (SQLite or MySQL), for the embedded demo, tests and
// benchmarks.
//
// What it writes (schema: store/schema.cc, SchemaSet::kFleet, migrated here first):
//   dim_customer_profile (accounts, tiers S/A/B/C), cluster_info + cluster_node_groups (both
//   architectures, real-looking node groups), amv_hourly_snapshots_v1 (every hour of `days` days
//   up to `end_hour`, all 14 metrics of store/metric_catalog.h), lark_alerts (Firing/Resolved
//   messages), cluster_operations, fleet_meta (sim_seed, sim_clusters, sim_days, sim_end,
//   generated_at, ...), and the labelled incidents in sim_ground_truth (simulator/ground_truth.h).
// How the model works, and how to add a scenario: simulator/README.md.
//
// Contract:
//  - Deterministic: the same FleetParams (seed included) give byte-identical tables; another
//    seed gives another fleet. The generator never reads the clock: `end_hour` (the last snapshot
//    hour) and `generated_at` come from the caller.
//  - Bad parameters are rejected by ValidateFleetParams before anything is written.
//  - A database that already holds a fleet is refused unless `replace_existing` is set, in which
//    case every fleet table (scorer outputs and ground truth included) is emptied first.
//  - A failure half-way empties the fleet tables again (best effort), so no half fleet is left;
//    fleet_meta.sim_status reads "complete" only once everything is written.
// Thread-safety: GenerateFleet uses the Database from the calling thread only; run one
// generation per database at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "simulator/scenario_catalog.h"
#include "store/database.h"

namespace rh::simulator {

struct FleetParams {
  int clusters = 200;                     // 1..100000
  int days = 14;                          // 1..366 days of hourly snapshots
  uint64_t seed = 42;
  TimePoint end_hour{};                   // the last snapshot hour; must be on the hour
  std::optional<int> incidents;           // labelled incidents; default DefaultIncidentCount()
  std::optional<TimePoint> generated_at;  // recorded in fleet_meta; default end_hour
  bool replace_existing = false;          // empty a non-empty fleet first instead of refusing
  // Which scenario families incidents are dealt from (simulator/scenario_catalog.h); the
  // classic set keeps every seed's fleet as it was.
  ScenarioSet scenarios = ScenarioSet::kClassic;
};

struct GenerationProgress {
  std::string_view stage;  // "snapshots" (the long part), "alerts and operations", "done"
  int64_t done = 0;        // clusters (snapshots) or steps done
  int64_t total = 0;
};
using ProgressCallback = std::function<void(const GenerationProgress&)>;

struct GenerationStats {
  int64_t accounts = 0;
  int64_t clusters = 0;
  int64_t node_groups = 0;
  int64_t snapshot_rows = 0;
  int64_t alert_messages = 0;
  int64_t operations = 0;
  int64_t incidents = 0;           // stories (an account-wide incident counts once)
  int64_t ground_truth_rows = 0;   // one per affected cluster
  TimePoint first_hour{};
  TimePoint end_hour{};
};

// One incident of every scenario family of `set` for small fleets, about 4% of the clusters for
// large ones (never more than MaxIncidentCount).
int DefaultIncidentCount(int clusters, ScenarioSet set = ScenarioSet::kClassic);
// The most incidents a fleet of `clusters` can hold: incident clusters may take at most 60% of
// the fleet (an account-wide incident reserves 4 clusters), so a healthy background remains.
int MaxIncidentCount(int clusters, ScenarioSet set = ScenarioSet::kClassic);

// invalid_argument naming the parameter and the accepted range when something is off.
Status ValidateFleetParams(const FleetParams& params);

// Clusters currently in cluster_info (0 for an empty or freshly migrated database).
Result<int64_t> ExistingClusterCount(store::Database& db);

// Empties every fleet table (telemetry, scorer outputs, fleet_meta, sim_ground_truth) in one
// transaction.
Status ClearFleet(store::Database& db);

// Migrates the fleet schema, then writes the whole fleet. `progress` (optional) is called from
// the calling thread as clusters are written.
Result<GenerationStats> GenerateFleet(store::Database& db, const FleetParams& params,
                                      const ProgressCallback& progress = {});

}  // namespace rh::simulator
