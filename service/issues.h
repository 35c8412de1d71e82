// Issues: the issue tracker as every front end uses it — `rockhound issues ...`, the
// /api/v1/issues routes, the MCP issue tools, the web page's Issues view — and the policy that
// turns issues into investigations.
//
// Update() runs the tracker (issues/tracker.h) over the alerts stored since the last run (the
// webhook intake and every cycle call it), then, for every issue it opened or escalated on a
// cluster whose customer tier is in issues.investigate_tiers (default S, A), queues an
// investigation with source `issue`, respecting sentinel.cooldown (no new task while any task
// for the cluster was created within it). The task carries the issue and its latest alerts in
// its context (Task::context_json, for the brief) and is linked to the issue; when the cluster
// is cooling down, the issue is linked to the task that started the cooldown instead (and, while
// that task is still open, its alerts join that task's context). Reports reach their issues
// through those links (the task's report id).
// Lifecycle calls parse the target state from text (any case, '_'/'-' for spaces) and return
// `conflict` naming the allowed next states for a step the issue's state does not allow.
// Errors: invalid_argument for bad filters/states, not_found for an unknown issue, conflict,
// unavailable when a database is down. A task that cannot be queued does not fail Update: it is
// counted and logged.
// Thread-safety: safe to call from several threads (the tracker serialises itself).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "issues/issue.h"
#include "issues/issue_store.h"
#include "issues/tracker.h"
#include "service/runtime.h"

namespace rh::service {

struct IssueTrigger {
  std::string issue_id;
  std::string cluster_id;
  std::string reason;   // new | escalated
  std::string task_id;  // the task queued, or the one that started the cooldown
  bool created = false;
};

struct IssueUpdateResult {
  issues::TrackerOutcome tracked;
  std::vector<IssueTrigger> triggers;
  int enqueue_failures = 0;
  // New or escalated issues neither notified nor investigated because they are not current:
  // already Resolved, or nothing firing and the last alert older than
  // issues.correlation_window (a backfill of past alerts, the first cycle on an existing fleet).
  int stale = 0;
};

// The text filters of an issue list, as the CLI and the HTTP API receive them.
struct IssueQueryText {
  std::string cluster_id;
  std::string status;  // open | resolved | ongoing (issue_status)
  std::string triage;  // a triage state
  std::string kind;    // anomaly | failure
  bool escalated_only = false;
  std::string cursor;
  int limit = 50;
};

// One issue with its linked investigations' report ids resolved.
struct IssueView {
  issues::IssueDetail detail;
  // task id -> report id (empty while the investigation runs), for every linked task.
  std::vector<std::pair<std::string, std::string>> reports;
};

class Issues {
 public:
  explicit Issues(Runtime& runtime) : runtime_(runtime) {}

  Result<IssueUpdateResult> Update();
  Result<issues::IssuePage> List(const IssueQueryText& query);
  Result<IssueView> Get(const std::string& issue_id);
  Result<issues::Issue> Acknowledge(const std::string& issue_id, const std::string& actor,
                                    const std::string& note = "");
  Result<issues::Issue> Triage(const std::string& issue_id, const std::string& to,
                               const std::string& actor, const std::string& note = "");
  Result<issues::Issue> Dispose(const std::string& issue_id, const std::string& to,
                                const std::string& ticket_ref, const std::string& actor,
                                const std::string& note = "");
  Result<issues::IssueCounts> Counts();
  // Open issues of one cluster (for `sentinel explain`), newest alert first.
  Result<std::vector<issues::Issue>> OpenIssuesOf(const std::string& cluster_id);
  // Issues linked to the investigation `task_id` (a report's issues).
  Result<std::vector<std::string>> IssuesOfTask(const std::string& task_id);
  // The issues themselves (an issue deleted since is left out), in IssuesOfTask's order.
  Result<std::vector<issues::Issue>> LinkedIssuesOfTask(const std::string& task_id);

 private:
  Result<issues::IssueStore> Store();
  Runtime& runtime_;
};

// The JSON of one issue (lists) and of one issue in full (timeline, events, links).
Json IssueJson(const issues::Issue& issue);
Json IssueViewJson(const IssueView& view);
// An issue as a report lists it: {issue_id, title, kind, issue_status, triage_status, escalated}.
Json LinkedIssueJson(const issues::Issue& issue);
// The "## Linked issues" section of a report's Markdown ("" when there are none):
//   - iss_... (anomaly; Ongoing, triage New, escalated): HeapUsageTooHigh
std::string LinkedIssuesMarkdown(const std::vector<issues::Issue>& linked);

}  // namespace rh::service
