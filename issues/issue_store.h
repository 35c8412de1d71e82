// IssueStore: reading issues and moving them through their lifecycles (issues/issue.h), and the
// links between issues and the investigations (and reports) they led to.
//
// List pages open issues first (Ongoing before Resolved), then the most recent alert first, with
// an opaque cursor. Get returns one issue with its alert timeline (oldest first), its lifecycle
// events and its linked investigations. SetTriage / SetDisposition are compare-and-set on the
// current state, so two people moving one issue at once cannot both win: an invalid (or lost)
// transition is `conflict` naming the current state and the allowed next ones. Every change is
// recorded in alert_issue_events with who and when.
// Errors: not_found for an unknown issue, invalid_argument for a bad filter, cursor or a JIRA
// disposition without a ticket reference, conflict for a transition the state does not allow.
// Thread-safety: as thread-safe as the Database (a pool).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "issues/issue.h"
#include "store/database.h"

namespace rh::issues {

struct IssueFilter {
  std::string cluster_id;                      // "" = every cluster
  std::optional<IssueStatus> issue_status;
  std::optional<TriageStatus> triage_status;
  std::optional<IssueKind> kind;
  bool escalated_only = false;
  int limit = 50;      // 1..500
  std::string cursor;  // IssuePage::next_cursor of the previous page
};

struct IssuePage {
  std::vector<Issue> issues;  // open first, then the latest alert first
  std::string next_cursor;    // empty when there are no more
};

struct IssueDetail {
  Issue issue;
  std::vector<IssueAlert> alerts;  // the timeline, oldest first (at most 500, the newest)
  std::vector<IssueEvent> events;  // oldest first
  std::vector<IssueLink> links;    // oldest first
};

// Open issues by triage status, and escalated open issues (for /metrics).
struct IssueCounts {
  std::map<TriageStatus, int> open_by_triage;
  int open_escalated = 0;
  int open_total = 0;
};

class IssueStore {
 public:
  IssueStore(store::Database& fleet, Clock& clock) : fleet_(fleet), clock_(clock) {}

  Result<IssuePage> List(const IssueFilter& filter);
  Result<IssueDetail> Get(const std::string& issue_id);
  Result<Issue> GetIssue(const std::string& issue_id);

  Result<Issue> SetTriage(const std::string& issue_id, TriageStatus to, const std::string& actor,
                          const std::string& note = "");
  // `ticket_ref` is required for JIRA Created (e.g. "OPS-1234").
  Result<Issue> SetDisposition(const std::string& issue_id, DispositionStatus to,
                               const std::string& ticket_ref, const std::string& actor,
                               const std::string& note = "");

  // Records that `task_id` investigates the issue (idempotent).
  Status Link(const std::string& issue_id, const std::string& task_id, const std::string& reason);
  // Records the report of `task_id` on every issue linked to it. Returns how many links.
  Result<int> LinkReport(const std::string& task_id, const std::string& report_id);
  // Issues linked to a task.
  Result<std::vector<std::string>> IssuesOfTask(const std::string& task_id);

  Result<IssueCounts> Counts();

 private:
  // Severity, source and detail of `alert`, section `section` of lark_alerts row `message_id`.
  Status FillSection(IssueAlert& alert, const std::string& message_id, int section);

  store::Database& fleet_;
  Clock& clock_;
};

}  // namespace rh::issues
