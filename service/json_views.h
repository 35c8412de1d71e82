// The JSON shape of every object Rockhound shows, written once and used by every front end: the
// CLI's `--format json`, the HTTP API and the MCP tools print the same fields for the same object
// (server/README.md documents them). Times are RFC 3339 UTC; absent values are null.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "store/report_messages.h"
#include "store/report_store.h"
#include "store/task_queue.h"

namespace rh::service {

// A task: task_id, cluster_id, source, status, priority, question, rules_fired[], requester,
// attempts, max_attempts, lease_owner, lease_expires_at, not_before, last_error, report_id,
// created_at, updated_at, started_at, finished_at.
Json TaskJson(const store::Task& task);
struct InvestigationStatus;
// One task with its report (null until done): GET /api/v1/investigations/{id} and
// `tasks show --format json`.
Json InvestigationStatusJson(const InvestigationStatus& status);

// A report in a list: report_id, task_id, cluster_id, account_id, engine, model, severity,
// confidence, category, root_cause, summary, token usage, cost_usd, duration_ms, llm_error,
// created_at.
Json ReportSummaryJson(const store::StoredReport& report);

// One page of a list, the paging shape of every list (reports, investigations, alerts, issues;
// the cluster overview adds its counts): {"<items_key>": items, "next_cursor": the cursor of the
// next page, null on the last}. The caller pages with `limit` and that cursor.
Json PageJson(std::string_view items_key, Json items, const std::string& next_cursor);

// A page of reports, as `GET /api/v1/reports` and `reports list --format json` print it:
// reports[] (ReportSummaryJson each) and next_cursor (null on the last page).
Json ReportPageJson(const store::ReportPage& page);

// A page of tasks, as `GET /api/v1/investigations` and `tasks list --format json` print it:
// investigations[] (TaskJson each) and next_cursor.
Json TaskPageJson(const store::TaskPage& page);

// One report in full: the summary plus cache token counts, report{} (the structured report),
// transcript[] (every tool call) and markdown.
Json ReportDetailJson(const store::StoredReport& report);

// One message: message_id, report_id, question, answer, citations[{tool_call_id, tool,
// finding}], tool_calls[] (the calls made to answer, as a report's transcript), engine, model,
// input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, duration_ms,
// requester, llm_error, created_at.
Json ReportMessageJson(const store::ReportMessage& message);
// {"report_id", "messages": [ReportMessageJson...]}: GET /api/v1/reports/{id}/messages,
// `rockhound ask <id> --list --format json` and the MCP tool.
Json ReportMessagesJson(std::string_view report_id,
                        const std::vector<store::ReportMessage>& messages);

}  // namespace rh::service
