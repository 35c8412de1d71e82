// Alert webhook: Alertmanager (v4) and Grafana (v1) webhook bodies turned into rows of the fleet's
// `lark_alerts` table, the same table the Lark alert feed fills, so the scorer, the sentinel and
// the tools see webhook alerts like any other.
//
// Two steps. ParseAlertWebhook validates a whole body and returns one WebhookAlert per alert, or
// invalid_argument naming the first problem ("alerts[2].labels: no 'cluster_id' label ...").
// AlertIngestor::Ingest then checks every cluster against cluster_info and inserts all alerts in
// ONE transaction with INSERT IGNORE semantics: the message_id
//   "wh_" + Sha256Hex(alertname + cluster_id + status + startsAt)
// (status as stored, "Firing" or "Resolved"; startsAt normalised to RFC 3339 seconds) is the
// primary key, so a re-post, or the same body posted concurrently by several Alertmanager
// replicas, inserts each alert exactly once. A body with any unknown cluster writes nothing.
// Thread-safety: ParseAlertWebhook is pure; Ingest may be called concurrently (the database
// serialises the transactions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::alerts {

struct WebhookOptions {
  // The alert label naming the cluster (server.cluster_label). When an alert lacks it, the
  // labels "cluster_id" and then "cluster" are tried, in that order.
  std::string cluster_label = "cluster_id";
};

// One alert, ready to store.
struct WebhookAlert {
  std::string message_id;  // "wh_" + sha256 hex (see above)
  std::string cluster_id;
  std::string alert_name;  // labels.alertname
  std::string severity;    // labels.severity, lower case; empty when absent
  std::string status;      // "Firing" | "Resolved"
  std::string detail;      // annotations summary/description, or the labels when none
  std::string dashboard_url;
  std::string silence_url;
  std::string source;  // "alertmanager" | "grafana"
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;  // set for resolved alerts that carry an end time
};

// The cluster-label names tried, in order, for `options`.
std::vector<std::string> ClusterLabelCandidates(const WebhookOptions& options);

// The idempotency key of one alert.
std::string WebhookMessageId(std::string_view alert_name, std::string_view cluster_id,
                             std::string_view status, TimePoint starts_at);

// Parses and validates a webhook body (JSON text). Alerts of one body that share a message id
// are kept once (the first). Errors are invalid_argument naming the field at fault.
Result<std::vector<WebhookAlert>> ParseAlertWebhook(std::string_view body,
                                                    const WebhookOptions& options);

struct IngestResult {
  int received = 0;                           // alerts in the body (after in-body de-duplication)
  int inserted = 0;                           // new rows
  int duplicates = 0;                         // already stored (re-posts)
  std::vector<std::string> message_ids;       // every alert's id, in body order
  std::vector<WebhookAlert> inserted_alerts;  // the alerts that were new (in key order)
};

class AlertIngestor {
 public:
  AlertIngestor(store::Database& fleet, Clock& clock) : fleet_(fleet), clock_(clock) {}

  // Stores `alerts` all-or-nothing. invalid_argument (nothing written) when a cluster is not in
  // cluster_info; unavailable/internal database errors roll the whole request back.
  Result<IngestResult> Ingest(const std::vector<WebhookAlert>& alerts);

 private:
  store::Database& fleet_;
  Clock& clock_;
};

}  // namespace rh::alerts
