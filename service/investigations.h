// Investigations: asking for an investigation and following it — the one implementation behind
// `rockhound investigate` / `tasks ...`, POST/GET /api/v1/investigations and the MCP tools
// request_investigation / get_investigation.
//
// Request validates the cluster id and the question (at most 2,000 characters; secrets typed
// into it are masked before it is stored), checks the cluster exists in the fleet, and queues a
// task (no cooldown; while a task for the same cluster and question is queued or running, that
// task is returned with created = false). A worker (`serve`, `run`, `cycle`) works it.
// RunNow investigates on the calling thread without the queue (the CLI's `investigate`).
// Errors: invalid_argument naming the field, not_found for an unknown cluster or task,
// unavailable when a database is down.
// Thread-safety: safe to call from several threads (a fresh TaskQueue per call, pooled
// databases underneath).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/investigation.h"
#include "agent/investigator.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "service/progress_hub.h"
#include "service/runtime.h"
#include "store/report_store.h"
#include "store/task_queue.h"

namespace rh::service {

inline constexpr size_t kMaxQuestionChars = 2000;

struct InvestigationSpec {
  std::string cluster_id;
  std::string question;   // empty: "what is wrong with this cluster, if anything?"
  int priority = 2;       // 1 (most urgent) .. 3
  std::string requester;  // who asks: a user name, "http", "mcp", "alertmanager"
  store::TaskSource source = store::TaskSource::kAdhoc;
  // What triggered it (alerts, issue) as a JSON object; carried by the task for the brief.
  std::string context_json;
  // At most one open task of this source per cluster (store::EnqueueRequest::one_per_cluster).
  bool one_per_cluster = false;
};

struct RequestedInvestigation {
  store::Task task;
  bool created = false;  // false: an equal task was already queued or running
};

struct InvestigationStatus {
  store::Task task;
  std::optional<store::StoredReport> report;  // once the task is done
};

// The status filter of an investigation list (`tasks list --status`, GET
// /api/v1/investigations?status=), in any case; invalid_argument naming the allowed values.
Result<store::TaskStatus> ParseTaskStatusFilter(std::string_view text);

class Investigations {
 public:
  explicit Investigations(Runtime& runtime) : runtime_(runtime) {}

  Result<RequestedInvestigation> Request(const InvestigationSpec& spec);
  Result<InvestigationStatus> Get(std::string_view task_id);
  Result<store::TaskPage> List(const store::TaskFilter& filter);
  // Cancels a queued or running task; `by` is recorded. invalid_argument when it already ended.
  Result<store::Task> Cancel(std::string_view task_id, std::string_view by);
  // Follows the live events of investigation `task_id` (service/progress_hub.h) after event id
  // `after` (0: from the start; an EventSource's Last-Event-ID), calling `on_event` for each in
  // order until the stream's final ("final" with the report id, or "failed") has been passed
  // on. A task this process has no stream for that has already ended (run by another process,
  // or its stream expired) gets one "final"/"failed" built from the stored task and report.
  // While nothing happens, `on_idle` is called every `heartbeat`. Returns when the final event
  // was passed on, when a callback returns false (the client went away), or after
  // `max_duration` (real time; the client reconnects with its Last-Event-ID).
  // not_found for an unknown task, before any callback.
  Status FollowEvents(std::string_view task_id, long long after,
                      std::chrono::milliseconds heartbeat, std::chrono::milliseconds max_duration,
                      const std::function<bool(const ProgressMessage&)>& on_event,
                      const std::function<bool()>& on_idle);
  // The final event of an ended task from what is stored: "final" {status, report_id,
  // severity, category} for a done task, "failed" {status, error} for a failed or cancelled
  // one; nullopt while it is queued or running.
  Result<std::optional<ProgressMessage>> StoredFinalEvent(std::string_view task_id);

  // Investigates `cluster_id` now, on this thread, and stores the report.
  Result<agent::InvestigationResult> RunNow(const std::string& cluster_id,
                                            const std::string& question, EngineKind engine,
                                            const agent::ProgressFn& progress = {});

 private:
  Result<store::TaskQueue> Queue();
  Runtime& runtime_;
};

// Checks that `cluster_id` has the shape of a cluster id (lower-case letters, digits and '-', at
// most 64); `what` names the field in the error.
Status ValidateClusterId(std::string_view cluster_id, std::string_view what);

// Whether the fleet has the cluster.
Result<bool> ClusterExists(store::Database& fleet, std::string_view cluster_id);

}  // namespace rh::service
