// Ground truth: what the simulator injected, and the one table that records it.
//
// Every labelled incident of a simulated fleet gets one row per affected cluster in
// `sim_ground_truth` (an account-wide incident has one row per sibling it hit). The category is
// the report taxonomy of DESIGN.md §5 (root_cause_category), the expected severity is the one a
// careful engineer would give, and the window is when the story is visible in the data (it is
// always still active at the fleet's last hour). A red herring, when present, names the second,
// harmless anomaly planted beside the real cause.
//
// The table exists for demos, tests and the scenario accuracy benchmark only: no tool and no
// investigation engine may read it (store::ForbiddenTables() lists it and the SQL guard denies
// it). It is created by the simulator, not by the fleet schema migrations.
// Thread-safety: stateless functions over a Database.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "store/database.h"

namespace rh::simulator {

inline constexpr std::string_view kGroundTruthTable = "sim_ground_truth";

struct GroundTruthRow {
  std::string incident_id;        // "inc-007"; shared by the rows of one account-wide incident
  std::string cluster_id;
  std::string account_id;
  std::string scenario;           // the story's variant, e.g. "disk_fill_new_ingest_job"
  RootCause category = RootCause::kInsufficientData;  // stored by RootCauseName
  Severity expected_severity = Severity::kInfo;       // stored by SeverityName
  TimePoint window_start;         // when the story starts (the operation, for operation_induced)
  TimePoint window_end;           // the fleet's last snapshot hour (the incident is still active)
  std::optional<std::string> red_herring;  // the harmless second anomaly, if one was planted
  std::string description;        // one paragraph: what happened, with the numbers
};

// Creates sim_ground_truth if it is missing (SQLite and MySQL dialects).
Status CreateGroundTruthTable(store::Database& db);

// Every row, ordered by incident then cluster; empty when the table does not exist; data_loss
// when a row's category or expected severity is none of the vocabulary's names.
Result<std::vector<GroundTruthRow>> ReadGroundTruth(store::Database& db);

}  // namespace rh::simulator
