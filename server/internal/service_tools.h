// The MCP server's own tools, beside the eight investigation tools: Knowledge Lake search in
// each mode, the stored reports, and the investigation queue. They are ordinary tools::Tool
// objects in a ToolRegistry, so their input is validated against their schema and their output
// is redacted and held to a budget exactly like the investigation tools'.
//   search_hybrid, search_fulltext, search_vector  {query, k?, kinds?, version?}
//   list_reports     {cluster_id?, severity? (minimum), category?, since?, limit?, cursor?}
//   get_report       {report_id, format? ("markdown" | "json"), include_transcript?}
//   request_investigation {cluster_id, question?}
//   get_investigation {task_id}
// Thread-safety: as the registry (tools may run concurrently).
#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "knowledge/search.h"
#include "store/database.h"
#include "tools/registry.h"

namespace rh::server::internal {

struct ServiceToolEnvironment {
  knowledge::KnowledgeSearch* knowledge = nullptr;  // optional
  store::Database* fleet = nullptr;                 // required
  store::Database* memory = nullptr;                // required
  Clock* clock = nullptr;                           // required
  QueueConfig queue;
  int output_budget_tokens = 4000;
};

Result<tools::ToolRegistry> BuildServiceTools(const ServiceToolEnvironment& env);

}  // namespace rh::server::internal
