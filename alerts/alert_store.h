// AlertStore: the one place alert messages from every source (Alertmanager and Grafana
// webhooks, the Lark alert feed) are stored, listed and matched to clusters. All sources
// converge into the fleet's `lark_alerts` table, one row per message, told apart by `source`.
//
// Never loses an alert that can be stored:
//   - an alert whose cluster is known (by id in cluster_info, else by cluster_name) is stored
//     against that cluster, with the cluster's account and region;
//   - an alert with no cluster label, a label that is not an id, or an id that is not in the
//     fleet is stored as an ORPHAN: `orphan_reason` says why, `cluster_id` keeps the claimed
//     id ("" when none), `cluster_name` the claimed name. MatchOrphans() (run on every intake
//     and every cycle) re-attaches orphans whose cluster has since appeared, by id or by name.
// Idempotent: `message_id` is the primary key and Store inserts with INSERT IGNORE semantics,
// in key order inside one transaction, so re-posts and concurrent replicas store each message
// exactly once. List pages newest first (alert_time, then message_id) with an opaque cursor.
// Errors: invalid_argument for a record missing what every row needs (id, name, status,
// source) or a malformed cursor; unavailable/internal database errors roll a Store back.
// Thread-safety: as thread-safe as the Database (a pool); Store may run concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "store/database.h"

namespace rh::alerts {

// Alert status as stored ("Firing" / "Resolved", the Lark feed's spelling).
inline constexpr const char* kFiring = "Firing";
inline constexpr const char* kResolved = "Resolved";

// Every value of AlertRecord::source, in the order the docs list them.
inline constexpr const char* kAlertSources[] = {"alertmanager", "grafana", "lark", "simulator"};

// One alert message, ready to store, from any source.
struct AlertRecord {
  std::string message_id;    // primary key: "wh_<sha256>" (webhook), "om_..." (Lark)
  std::string source;        // "alertmanager" | "grafana" | "lark" | "simulator"
  std::string cluster_id;    // the claimed cluster id; "" when the alert named none
  std::string cluster_name;  // the claimed cluster name; "" when none
  std::string account_id;    // filled from cluster_info when the cluster is known
  std::string region;
  std::string alert_name;
  std::string severity;  // lower case; "" when absent
  std::string status;    // kFiring | kResolved
  std::string detail;
  std::string dashboard_url;
  std::string silence_url;
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;
  std::optional<TimePoint> alert_time;  // when the message was sent; nullopt: when stored
  // Set by the parser when it already knows the alert has no usable cluster (no label, or a
  // label that is not an id); Store sets it when the cluster is not in the fleet.
  std::string orphan_reason;
  // The webhook alert's labels and annotations ({"name": "value"}), as received; null for Lark
  // rows. Not stored in lark_alerts (the detail holds their text): they travel to the
  // investigation brief through the task's context (service/alert_intake.h).
  Json labels = nullptr;
  Json annotations = nullptr;
};

// A stored row.
struct StoredAlert {
  AlertRecord alert;  // alert_time always set
  TimePoint created_at{};
  // A multi-section Lark row (alerts/lark_alert_store.h) read section by section
  // (alerts/cluster_alerts.h): `sections` of the row, `section` this alert's (1-based); 0 for a
  // row read whole.
  int sections = 1;
  int section = 0;
  bool orphan() const { return !alert.orphan_reason.empty(); }
  // The alert's own id: the message id, with "#<section>" for one section of a multi-section
  // row (the issue tracker's member key).
  std::string AlertId() const {
    return section > 0 ? alert.message_id + "#" + std::to_string(section) : alert.message_id;
  }
};

struct StoreOutcome {
  int received = 0;    // records given (after de-duplication by message id)
  int inserted = 0;    // new rows
  int duplicates = 0;  // already stored
  int orphans = 0;     // new rows stored as orphans
  std::vector<std::string> message_ids;     // every record's id, in the order given
  std::vector<AlertRecord> inserted_alerts;  // the new rows as stored (cluster resolved)
};

struct AlertFilter {
  std::string cluster_id;                // "" = every cluster
  std::optional<std::string> status;     // kFiring | kResolved
  std::string source;                    // "" = every source
  std::optional<TimePoint> since;        // alert_time >= since
  bool orphans_only = false;
  int limit = 50;      // 1..1000
  std::string cursor;  // AlertPage::next_cursor of the previous page
};

struct AlertPage {
  // Newest first; `limit` counts rows. With a cluster or status filter a multi-section Lark row
  // is listed as its matching sections (StoredAlert::section set), else whole.
  std::vector<StoredAlert> alerts;
  std::string next_cursor;          // empty when there are no more
};

class AlertStore {
 public:
  AlertStore(store::Database& fleet, Clock& clock) : fleet_(fleet), clock_(clock) {}

  // Stores every record (resolving clusters, orphaning the unknown); one transaction.
  Result<StoreOutcome> Store(const std::vector<AlertRecord>& records);
  Result<AlertPage> List(const AlertFilter& filter);
  Result<std::optional<StoredAlert>> Get(const std::string& message_id);
  // Re-attaches orphans whose cluster is now in cluster_info (by claimed id, then by claimed
  // name). Returns how many were matched.
  Result<int> MatchOrphans();
  // Number of orphans now stored.
  Result<int64_t> CountOrphans();

 private:
  store::Database& fleet_;
  Clock& clock_;
};

// The columns of lark_alerts AlertStore reads, for other readers (the issue tracker).
std::string_view AlertColumns();
// A row read with AlertColumns() as a StoredAlert.
StoredAlert AlertFromRow(const store::Row& row);

}  // namespace rh::alerts
