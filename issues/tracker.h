// IssueTracker: groups the stored alerts (lark_alerts, every source, orphans excepted) into
// issues, incrementally and idempotently (issues/README.md has the rules with examples).
//
// Each Update() takes the alert messages not yet in any issue (alert_issue_members holds one row
// per grouped message), orders them by when the alert began (starts_at, then alert_time, then
// message id) and places each:
//   1. a message of an alert instance (cluster, alert name, starts_at) already in an issue —
//      a repeat or its resolution — joins that issue;
//   2. an ANOMALY joins the cluster's ANOMALY issue whose span [first alert, resolved or still
//      open] overlaps the instance ("merge until resolved"; a flap that fires again within the
//      time window of the resolution re-opens the issue), else opens one;
//   3. a FAILURE joins the cluster's ANOMALY issue open at its start, or resolved less than the
//      correlation window before it, and ESCALATES it; else the cluster's FAILURE issue whose
//      span it falls within the time window of (30 min), or one holding the same alert name
//      within the correlation window (4 h); else opens one.
// issue_status follows the alerts: Resolved once every instance has a Resolved message
// (resolved_at the latest end), Ongoing again if a late firing joins. Spans are compared on
// the alerts' own times, not on arrival, so a late alert lands in the issue it belongs to.
// Re-running changes nothing (every grouped message is skipped). One Update runs at a time per
// fleet database (SQLite: the write transaction; MySQL: a named lock), so several processes may
// call it.
// Thread-safety: safe to call from several threads and processes (serialised as above).
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "issues/issue.h"
#include "store/database.h"

namespace rh::issues {

// What one Update did to one issue.
struct IssueChange {
  std::string issue_id;
  std::string cluster_id;
  IssueKind kind = IssueKind::kFailure;
  bool created = false;    // opened by this update
  bool escalated = false;  // escalated by this update
  bool resolved = false;   // became Resolved
  bool reopened = false;   // Resolved -> Ongoing
  int alerts_added = 0;
};

struct TrackerOutcome {
  int alerts_grouped = 0;  // alerts placed (one per section of a multi-section Lark row)
  int rows_read = 0;       // lark_alerts rows read
  std::vector<IssueChange> changes;  // issue id order
};

class IssueTracker {
 public:
  IssueTracker(store::Database& fleet, Clock& clock, const IssuesConfig& config)
      : fleet_(fleet), clock_(clock), rules_(config) {}

  // Groups every ungrouped alert (in batches of `batch` messages).
  Result<TrackerOutcome> Update(int batch = 20000);

 private:
  Result<TrackerOutcome> UpdateBatch(int batch);

  store::Database& fleet_;
  Clock& clock_;
  RuleTable rules_;
};

}  // namespace rh::issues
