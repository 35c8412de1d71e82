// AlertIntake: alerts arriving from outside (the Alertmanager and Grafana webhooks today) become
// rows of the fleet's lark_alerts table — each alert exactly once, whatever the re-posts — and
// the trigger policy decides which of them start an investigation: with
// server.investigate_critical_alerts, a NEW firing alert of severity critical queues one webhook
// task per cluster (priority 1; the queue returns the task already in flight for the same
// cluster and question instead of a second one). A re-post stores nothing new and so queues
// nothing. The HTTP route only hands the body over and renders the answer.
// Errors: invalid_argument for a body that cannot be used (nothing stored), unavailable when the
// fleet database is down. A task that cannot be queued does not fail the intake (the alerts are
// stored and the sentinel's next cycle sees them): it is counted in enqueue_failures and logged.
// Thread-safety: safe to call from several threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/webhook.h"
#include "core/error.h"
#include "service/runtime.h"

namespace rh::service {

struct QueuedFromAlert {
  std::string task_id;
  std::string cluster_id;
  bool created = false;  // false: an equal task was already in flight
};

struct AlertIntakeResult {
  alerts::IngestResult ingested;
  std::vector<QueuedFromAlert> tasks;
  int enqueue_failures = 0;
};

class AlertIntake {
 public:
  explicit AlertIntake(Runtime& runtime) : runtime_(runtime) {}

  // An Alertmanager (v4) or Grafana webhook body.
  Result<AlertIntakeResult> IngestWebhook(std::string_view body);
  // Alerts already parsed.
  Result<AlertIntakeResult> Ingest(const std::vector<alerts::WebhookAlert>& alerts);

 private:
  Runtime& runtime_;
};

}  // namespace rh::service
