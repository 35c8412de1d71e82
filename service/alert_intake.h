// AlertIntake: alerts arriving from outside (the Alertmanager and Grafana webhooks) become rows
// of the fleet's lark_alerts table through alerts::AlertStore — every alert that can be stored,
// exactly once whatever the re-posts; alerts for an unknown cluster or without a cluster label
// are kept as orphans (with the reason) and matched later by cluster name — and the trigger
// policy decides which of them start an investigation: with server.investigate_critical_alerts,
// a NEW firing critical alert of a known cluster queues a webhook task (priority 1), at most one
// open webhook task per cluster: alerts that arrive while it is queued or running attach to its
// context (Task::context_json, the alerts the brief carries) instead of queueing another. A
// re-post stores nothing new and so queues nothing. The new alerts are then grouped into
// issues (service/issues.h), whose own policy may queue an issue task. Lists of stored alerts
// (`alerts list`, GET /api/v1/alerts) are here too. The HTTP route only hands the body over and renders.
// Errors: invalid_argument for a body that cannot be used at all (nothing stored; the reason is
// logged), unavailable when the fleet database is down. A task that cannot be queued does not
// fail the intake (the alerts are stored and the sentinel's next cycle sees them): it is
// counted in enqueue_failures and logged.
// Thread-safety: safe to call from several threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/webhook.h"
#include "core/error.h"
#include "core/json.h"
#include "service/issues.h"
#include "service/runtime.h"

namespace rh::service {

struct QueuedFromAlert {
  std::string task_id;
  std::string cluster_id;
  bool created = false;  // false: the cluster's open webhook task took the alerts
};

struct AlertIntakeResult {
  alerts::StoreOutcome stored;
  std::vector<std::string> rejected;  // alerts of the body that could not be stored, why
  int orphans_matched = 0;            // earlier orphans whose cluster is now known
  std::vector<QueuedFromAlert> tasks;
  int enqueue_failures = 0;
  // The issue tracker's pass over the new alerts (service/issues.h); a failure there is logged
  // and leaves the alerts stored (the next cycle groups them).
  IssueUpdateResult issues;
};

// The text filters of an alert list, as the CLI and the HTTP API receive them.
struct AlertQueryText {
  std::string cluster_id;
  std::string status;  // firing | resolved | orphan (any case)
  std::string source;
  std::string since;   // "24h", "7d" or an RFC 3339 / SQL time
  std::string cursor;
  int limit = 50;
};

class AlertIntake {
 public:
  explicit AlertIntake(Runtime& runtime) : runtime_(runtime) {}

  // An Alertmanager (v4) or Grafana webhook body.
  Result<AlertIntakeResult> IngestWebhook(std::string_view body);
  // Alert records already parsed (any source).
  Result<AlertIntakeResult> Ingest(const std::vector<alerts::AlertRecord>& records);

  // Stored alerts, newest first. invalid_argument naming a bad filter.
  Result<alerts::AlertPage> List(const AlertQueryText& query);

 private:
  Runtime& runtime_;
};

// One stored alert as the API, MCP and the CLI's JSON show it ("section": which section of a
// multi-section Lark row it is, null for a whole row).
Json AlertJson(const alerts::StoredAlert& alert);
// One alert as an investigation's context carries it (no URLs; detail cut to 500 characters;
// a webhook alert's labels and annotations).
Json AlertBriefJson(const alerts::AlertRecord& alert);

}  // namespace rh::service
