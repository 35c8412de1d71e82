// Schemas and versioned migrations for the two databases Rockhound uses.
//
//  - Fleet telemetry (DESIGN.md §3): dim_customer_profile, cluster_info, cluster_node_groups,
//    amv_hourly_snapshots_v1, lark_alerts, cluster_operations, fleet_meta, and the scorer's
//    output tables cluster_health_scores and cluster_risk_snapshots. In production these come
//    from the platform's StarRocks; Migrate() creates whichever are missing ("IF NOT EXISTS").
//  - Agent memory: investigation_tasks (the queue), investigation_reports and report_messages
//    (follow-up questions on a report and their answers).
//
// Each migration has SQL for both dialects and is recorded in schema_migrations(schema_name,
// version); Migrate() applies the ones not yet recorded, in order, and is safe to run from
// several processes at once (every statement is idempotent). Times are DATETIME on MySQL and
// 'YYYY-MM-DD HH:MM:SS' text on SQLite.
// Thread-safety: stateless functions over a Database.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace rh::store {

enum class SchemaSet { kFleet, kMemory };

struct Migration {
  int version;
  std::string description;
  std::string sqlite_sql;
  std::string mysql_sql;
};

const std::vector<Migration>& Migrations(SchemaSet set);
std::string_view SchemaName(SchemaSet set);

// Applies every pending migration of `set`. Returns the version now in place.
Result<int> Migrate(Database& db, SchemaSet set);
// The highest applied version (0 when none).
Result<int> SchemaVersion(Database& db, SchemaSet set);

// Tables that neither tools nor investigation engines may read: the simulator's ground truth.
const std::vector<std::string>& ForbiddenTables();

}  // namespace rh::store
