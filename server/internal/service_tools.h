// The MCP server's own tools, beside the eight investigation tools: Knowledge Lake search in
// each mode, the stored reports, and the investigation queue. They are ordinary tools::Tool
// objects in a ToolRegistry, so their input is validated against their schema and their output
// is redacted and held to a budget exactly like the investigation tools'.
//   search_hybrid, search_fulltext, search_vector  {query, k?, kinds?, version?}
//   list_reports     {cluster_id?, severity? (minimum), category?, since?, limit?, cursor?}
//   get_report       {report_id, format? ("markdown" | "json"), include_transcript?}
//   request_investigation {cluster_id, question?}
//   get_investigation {task_id}
//   list_issues      {cluster_id?, status?, triage?, kind?, escalated_only?, limit?, cursor?}
//   get_issue        {issue_id, max_alerts?}
// Thread-safety: as the registry (tools may run concurrently).
#pragma once

#include "core/error.h"
#include "service/runtime.h"
#include "tools/registry.h"

namespace rh::server::internal {

// The tools call the service use cases (service::Reports, service::Investigations) and the
// runtime's Knowledge Lake, so they answer exactly as the HTTP API and the CLI do.
Result<tools::ToolRegistry> BuildServiceTools(service::Runtime& runtime, int output_budget_tokens);

}  // namespace rh::server::internal
