// The eight investigation tools, built over one ToolEnvironment into a ToolRegistry.
//
// In protocol order (DESIGN.md §5): query_cluster_info, query_cluster_alerts,
// query_cluster_metrics, query_cluster_operations, search_knowledge_lake, query_agent_memory,
// query_similar_clusters, run_sql. Each reads only: the fleet telemetry through `fleet` (and
// run_sql through its own guarded read-only connection to `fleet_url`), the agent memory's
// investigation_reports through `memory`, the Knowledge Lake through `knowledge`. "Now" is
// always `clock->Now()` (the demo pins it to the end of the simulated fleet); every time window
// ends there. Output fields are documented in tools/README.md and kept stable: the offline
// playbook engine parses them. Tools never read store::ForbiddenTables().
//
// A missing memory or knowledge backend is not a build error: the tool that needs it answers
// every call with an is_error result saying what to configure.
// Thread-safety: the registry's tools may run concurrently; the environment's objects must
// outlive the registry.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "knowledge/search.h"
#include "store/database.h"
#include "tools/registry.h"

namespace rh::tools {

struct ToolEnvironment {
  store::Database* fleet = nullptr;                 // required
  store::Database* memory = nullptr;                // optional: query_agent_memory
  knowledge::KnowledgeSearch* knowledge = nullptr;  // optional: search_knowledge_lake
  Clock* clock = nullptr;                           // required: "now"
  ToolsConfig config;
  std::string fleet_url;       // run_sql's guarded connection (SQLite path or mysql:// URL)
  std::string fleet_password;  // for a mysql:// fleet_url
  std::string prompts_dir;     // overrides of prompts/text/tool_<name>.md (empty: embedded)
};

inline constexpr std::array<std::string_view, 8> kInvestigationToolNames = {
    "query_cluster_info",     "query_cluster_alerts",
    "query_cluster_metrics",  "query_cluster_operations",
    "search_knowledge_lake",  "query_agent_memory",
    "query_similar_clusters", "run_sql"};

// invalid_argument when fleet or clock is missing; not_found when a tool description is
// missing from the prompts.
Result<ToolRegistry> BuildInvestigationTools(const ToolEnvironment& env);

}  // namespace rh::tools
