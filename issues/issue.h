// Issue: alerts of one cluster grouped into one actionable thing, with three lifecycles
// (core/issue_status.h), and the rule table that says how alerts group (issues/README.md).
//
// RuleTable: each alert name is ANOMALY (an ongoing condition, e.g. HeapUsageTooHigh) or FAILURE
// (a discrete event, e.g. BeAliveAbnormal), from config (issues.anomaly_alerts,
// issues.failure_alerts, issues.default_kind), with the two windows of FAILURE grouping.
// Lifecycle rules: triage moves forward only (New -> Acknowledged -> Investigating ->
// Mitigating -> Closed, skipping steps allowed, Closed is final); disposition moves from New to
// No Action Needed or JIRA Created (a ticket reference required), and from No Action Needed to
// JIRA Created; JIRA Created is final. AllowedTriage/AllowedDisposition list the next states.
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/issue_status.h"

namespace rh::issues {

class RuleTable {
 public:
  explicit RuleTable(const IssuesConfig& config);

  IssueKind KindOf(std::string_view alert_name) const;
  Duration time_window() const { return time_window_; }
  Duration correlation_window() const { return correlation_window_; }

 private:
  std::set<std::string> anomaly_;  // lower case
  std::set<std::string> failure_;
  IssueKind default_kind_;
  Duration time_window_;
  Duration correlation_window_;
};

struct Issue {
  std::string issue_id;  // iss_...
  std::string cluster_id;
  IssueKind kind = IssueKind::kFailure;
  std::string title;
  bool escalated = false;
  std::optional<TimePoint> escalated_at;
  IssueStatus issue_status = IssueStatus::kOngoing;
  TriageStatus triage_status = TriageStatus::kNew;
  DispositionStatus disposition_status = DispositionStatus::kNew;
  std::string ticket_ref;
  std::string severity;                  // worst alert severity ("" when none)
  std::vector<std::string> alert_names;  // distinct, first seen first
  TimePoint first_alert_at{};
  TimePoint last_alert_at{};
  std::optional<TimePoint> resolved_at;
  int alert_count = 0;  // messages
  int open_alerts = 0;  // alert instances still firing
  TimePoint created_at{};
  TimePoint updated_at{};

  bool open() const { return issue_status == IssueStatus::kOngoing; }
};

// One alert message of an issue (the timeline).
struct IssueAlert {
  std::string message_id;
  std::string alert_name;
  std::string status;  // Firing | Resolved
  std::string severity;
  std::string source;
  std::string detail;
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;
  TimePoint event_at{};  // the message's alert_time
};

// One lifecycle change.
struct IssueEvent {
  std::string event_id;
  TimePoint at{};
  std::string actor;
  std::string field;  // created | issue_status | triage_status | disposition_status | escalated
  std::string from_value;
  std::string to_value;
  std::string note;
};

// An investigation an issue led to (and its report once done).
struct IssueLink {
  std::string task_id;
  std::string report_id;  // "" until the report is stored
  std::string reason;     // new | escalated
  TimePoint created_at{};
};

// Next triage states allowed from `from` (empty for Closed).
std::vector<TriageStatus> AllowedTriage(TriageStatus from);
// Next disposition states allowed from `from` (empty for JIRA Created).
std::vector<DispositionStatus> AllowedDisposition(DispositionStatus from);
// "Acknowledged, Investigating, ..." or "none (Closed is final)".
std::string AllowedTriageText(TriageStatus from);
std::string AllowedDispositionText(DispositionStatus from);

}  // namespace rh::issues
