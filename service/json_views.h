// The JSON shape of every object Rockhound shows, written once and used by every front end: the
// CLI's `--format json`, the HTTP API and the MCP tools print the same fields for the same object
// (server/README.md documents them). Times are RFC 3339 UTC; absent values are null.
// Thread-safety: pure functions.
#pragma once

#include "core/json.h"
#include "store/report_store.h"
#include "store/task_queue.h"

namespace rh::service {

// A task: task_id, cluster_id, source, status, priority, question, rules_fired[], requester,
// attempts, max_attempts, lease_owner, lease_expires_at, not_before, last_error, report_id,
// created_at, updated_at, started_at, finished_at.
Json TaskJson(const store::Task& task);
// A page of tasks: {"investigations": [TaskJson...], "next_cursor": "..." | null}
// (GET /api/v1/investigations and `tasks list --format json`).
Json TaskPageJson(const store::TaskPage& page);
struct InvestigationStatus;
// One task with its report (null until done): GET /api/v1/investigations/{id} and
// `tasks show --format json`.
Json InvestigationStatusJson(const InvestigationStatus& status);

// A report in a list: report_id, task_id, cluster_id, account_id, engine, model, severity,
// confidence, category, root_cause, summary, token usage, cost_usd, duration_ms, llm_error,
// created_at.
Json ReportSummaryJson(const store::StoredReport& report);

// A page of reports, as `GET /api/v1/reports` and `reports list --format json` print it:
// reports[] (ReportSummaryJson each) and next_cursor (null on the last page).
Json ReportPageJson(const store::ReportPage& page);

// One report in full: the summary plus cache token counts, report{} (the structured report),
// transcript[] (every tool call) and markdown.
Json ReportDetailJson(const store::StoredReport& report);

}  // namespace rh::service
