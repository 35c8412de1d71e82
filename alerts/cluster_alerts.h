// ClusterAlerts: the one code path that reads "the alerts of these clusters over this window"
// from the fleet's lark_alerts table, for every reader — the sentinel's scorer and its
// re-investigation check, the investigation tools, the trigger brief, the issue tracker.
//
// A row of a multi-section Lark card (sections > 1, fields pipe-delimited as the platform's
// table holds them: cluster_id "c-1|c-2", status "Firing|Resolved"; alerts/lark_alert_store.h)
// is seen section by section (SectionsOf): each section is one alert of its own cluster, with its
// own status, name, severity, detail and URLs, and StoredAlert::section set (AlertId()
// "om_...#2"). A one-section row (every webhook row, most Lark rows) is one alert. Orphans (no
// known cluster) are never returned. A row whose sections cannot be split (a status neither
// Firing nor Resolved) is returned whole rather than dropped, and logged.
// Thread-safety: pure functions over the given database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_store.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::alerts {

struct ClusterAlertQuery {
  std::vector<std::string> cluster_ids;  // empty: every cluster
  std::optional<TimePoint> from;         // alert_time bounds (nullopt: open)
  bool from_inclusive = true;
  std::optional<TimePoint> to;
  bool to_inclusive = true;
  bool firing_only = false;  // only alerts whose (section) status is Firing
  bool newest_first = false;  // default: oldest first
  int limit = 0;              // at most this many alerts (0: all)
};

// The alerts of the query, one per row or per section, ordered by alert_time, message id and
// section (oldest first unless newest_first).
Result<std::vector<StoredAlert>> ReadClusterAlerts(store::Database& fleet,
                                                   const ClusterAlertQuery& query);

// The alerts of one stored row: the row itself (sections <= 1) or one per section.
// invalid_argument when a section's status is neither Firing nor Resolved.
Result<std::vector<StoredAlert>> ExpandSections(const StoredAlert& row);

}  // namespace rh::alerts
