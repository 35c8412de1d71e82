// Alert webhook: Alertmanager (v4) and Grafana unified alerting (v1) webhook bodies turned into
// AlertRecords for the AlertStore (alerts/alert_store.h), which keeps them in the fleet's
// `lark_alerts` table beside the Lark feed's, so the scorer, the sentinel, the issue tracker and
// the tools see webhook alerts like any other.
//
// ParseAlertWebhook never drops an alert that can be stored: one without a usable cluster label
// comes back as an orphan (with the reason), one that cannot be stored at all is listed in
// `rejected`, and only a body with nothing usable is an error. The message_id
//   "wh_" + Sha256Hex(alertname + cluster key + status + startsAt)
// (cluster key: the cluster label's value; status as stored, "Firing" or "Resolved"; startsAt
// normalised to RFC 3339 seconds) is the table's primary key, so a re-post, or the same body
// posted concurrently by several Alertmanager replicas, stores each alert exactly once.
// Grafana's extra fields are accepted: `valueString` and `values` are appended to the detail,
// `panelURL`/`dashboardURL` become the dashboard link, `silenceURL` the silence link.
// Thread-safety: ParseAlertWebhook is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_store.h"
#include "core/clock.h"
#include "core/error.h"

namespace rh::alerts {

struct WebhookOptions {
  // The alert label naming the cluster (server.cluster_label). When an alert lacks it, the
  // labels "cluster_id" and then "cluster" are tried, in that order.
  std::string cluster_label = "cluster_id";
};

// The parse of one webhook body.
struct ParsedWebhook {
  std::string source;               // "alertmanager" | "grafana"
  std::vector<AlertRecord> alerts;  // every storable alert (in-body duplicates kept once)
  // Alerts that cannot be stored at all (not an object, no labels or alertname, a status or
  // startsAt that is not one), each "alerts[3]: <what is wrong>", in body order.
  std::vector<std::string> rejected;
};

// The cluster-label names tried, in order, for `options`.
std::vector<std::string> ClusterLabelCandidates(const WebhookOptions& options);

// The idempotency key of one alert. `cluster_key` is the cluster label's value as sent; for an
// alert without one, the claimed cluster name or the sorted labels (see webhook.cc).
std::string WebhookMessageId(std::string_view alert_name, std::string_view cluster_key,
                             std::string_view status, TimePoint starts_at);

// Parses a webhook body (JSON text). invalid_argument naming the problem only when the body
// itself is unusable: empty, not JSON, no `alerts` array, an unsupported version, or no alert
// in it that can be stored. An alert without a usable cluster label is returned with its
// orphan_reason set (stored, matched later); an alert that cannot be stored is listed in
// `rejected` and the others are kept.
Result<ParsedWebhook> ParseAlertWebhook(std::string_view body, const WebhookOptions& options);

}  // namespace rh::alerts
