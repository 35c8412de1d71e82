#include "issues/issue_store.h"

#include <cstdlib>

#include "alerts/cluster_alerts.h"

#include "core/ids.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "issues/internal/issue_rows.h"

namespace rh::issues {
namespace {

constexpr const char* kOpenRank = "(CASE WHEN issue_status = 'Ongoing' THEN 0 ELSE 1 END)";
constexpr int kMaxTimeline = 500;
constexpr size_t kMaxActor = 128;
constexpr size_t kMaxTicketRef = 255;
constexpr size_t kMaxNote = 2000;

Result<std::vector<std::string>> SplitCursor(const std::string& cursor) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int idx = 0; idx < 2; ++idx) {
    size_t bar = cursor.find('|', start);
    if (bar == std::string::npos) {
      return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
    }
    parts.push_back(cursor.substr(start, bar - start));
    start = bar + 1;
  }
  parts.push_back(cursor.substr(start));
  if (parts[0] != "0" && parts[0] != "1") {
    return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
  }
  return parts;
}

std::string Actor(const std::string& actor) {
  std::string out = actor.empty() ? "unknown" : actor;
  return RedactSecrets(out.substr(0, kMaxActor));
}

}  // namespace

Result<IssuePage> IssueStore::List(const IssueFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500) {
    return InvalidArgument("limit", "must be from 1 to 500");
  }
  std::string sql = "SELECT " + std::string(internal::IssueColumns()) + ", " + kOpenRank +
                    " AS open_rank FROM alert_issues WHERE 1 = 1";
  std::vector<store::Value> params;
  if (!filter.cluster_id.empty()) {
    sql += " AND cluster_id = ?";
    params.push_back(store::Text(filter.cluster_id));
  }
  if (filter.issue_status) {
    sql += " AND issue_status = ?";
    params.push_back(store::Text(std::string(IssueStatusName(*filter.issue_status))));
  }
  if (filter.triage_status) {
    sql += " AND triage_status = ?";
    params.push_back(store::Text(std::string(TriageStatusName(*filter.triage_status))));
  }
  if (filter.kind) {
    sql += " AND kind = ?";
    params.push_back(store::Text(std::string(IssueKindName(*filter.kind))));
  }
  if (filter.escalated_only) sql += " AND escalated = 1";
  if (!filter.cursor.empty()) {
    RH_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitCursor(filter.cursor));
    auto at = ParseSqlTime(parts[1]);
    if (!at) return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
    sql += std::string(" AND (") + kOpenRank + " > ? OR (" + kOpenRank +
           " = ? AND (last_alert_at < ? OR (last_alert_at = ? AND issue_id < ?))))";
    const int64_t rank = parts[0] == "1" ? 1 : 0;
    params.push_back(store::Int(rank));
    params.push_back(store::Int(rank));
    params.push_back(store::Time(*at));
    params.push_back(store::Time(*at));
    params.push_back(store::Text(parts[2]));
  }
  sql += std::string(" ORDER BY ") + kOpenRank + ", last_alert_at DESC, issue_id DESC LIMIT " +
         std::to_string(filter.limit + 1);
  RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet_.Query(sql, params));
  IssuePage page;
  for (size_t idx = 0; idx < rows.size() && idx < size_t(filter.limit); ++idx) {
    page.issues.push_back(internal::IssueFromRow(rows[idx]));
  }
  if (rows.size() > size_t(filter.limit)) {
    const Issue& last = page.issues.back();
    page.next_cursor = std::string(last.open() ? "0" : "1") + "|" +
                       FormatSqlTime(last.last_alert_at) + "|" + last.issue_id;
  }
  return page;
}

Result<Issue> IssueStore::GetIssue(const std::string& issue_id) {
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet_.Query("SELECT " + std::string(internal::IssueColumns()) +
                                       " FROM alert_issues WHERE issue_id = ?",
                                   {store::Text(issue_id)}));
  if (rows.empty()) {
    return NotFound("issue '" + issue_id + "'",
                    "no such issue; `rockhound issues list` or GET /api/v1/issues lists them");
  }
  return internal::IssueFromRow(rows.front());
}

Status IssueStore::FillSection(IssueAlert& alert, const std::string& message_id, int section) {
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet_.Query("SELECT " + std::string(alerts::AlertColumns()) +
                                       " FROM lark_alerts WHERE message_id = ?",
                                   {store::Text(message_id)}));
  if (rows.empty()) return {};
  auto sections = alerts::ExpandSections(alerts::AlertFromRow(rows.front()));
  if (!sections || section < 1 || static_cast<size_t>(section) > sections->size()) return {};
  const alerts::AlertRecord& own = (*sections)[static_cast<size_t>(section) - 1].alert;
  alert.severity = own.severity;
  alert.source = own.source;
  alert.detail = own.detail;
  return {};
}

Result<IssueDetail> IssueStore::Get(const std::string& issue_id) {
  IssueDetail detail;
  RH_ASSIGN_OR_RETURN(detail.issue, GetIssue(issue_id));
  RH_ASSIGN_OR_RETURN(
      store::QueryResult alerts,
      fleet_.Query("SELECT m.message_id, m.alert_name, m.status, m.starts_at, m.ends_at, "
                   "m.event_at, a.severity, a.source, a.detail FROM alert_issue_members m LEFT "
                   "JOIN lark_alerts a ON a.message_id = m.message_id WHERE m.issue_id = ? "
                   "ORDER BY m.event_at DESC, m.starts_at DESC, m.message_id DESC LIMIT " +
                       std::to_string(kMaxTimeline),
                   {store::Text(issue_id)}));
  for (const store::Row& row : alerts) {
    IssueAlert alert;
    alert.message_id = row.GetString("message_id");
    alert.alert_name = row.GetString("alert_name");
    alert.status = row.GetString("status");
    alert.severity = row.GetString("severity");
    alert.source = row.GetString("source");
    alert.detail = row.GetString("detail");
    alert.starts_at = row.GetTime("starts_at").value_or(TimePoint{});
    alert.ends_at = row.GetTime("ends_at");
    alert.event_at = row.GetTime("event_at").value_or(alert.starts_at);
    if (const size_t hash = alert.message_id.find('#'); hash != std::string::npos) {
      // One section of a multi-section Lark row ("om_...#2"): its own severity and detail.
      RH_RETURN_IF_ERROR(FillSection(alert, alert.message_id.substr(0, hash),
                                     std::atoi(alert.message_id.c_str() + hash + 1)));
    }
    detail.alerts.insert(detail.alerts.begin(), std::move(alert));
  }
  RH_ASSIGN_OR_RETURN(
      store::QueryResult events,
      fleet_.Query("SELECT event_id, at, actor, field, from_value, to_value, note FROM "
                   "alert_issue_events WHERE issue_id = ? ORDER BY seq",
                   {store::Text(issue_id)}));
  for (const store::Row& row : events) {
    detail.events.push_back(
        IssueEvent{row.GetString("event_id"), row.GetTime("at").value_or(TimePoint{}),
                   row.GetString("actor"), row.GetString("field"), row.GetString("from_value"),
                   row.GetString("to_value"), row.GetString("note")});
  }
  RH_ASSIGN_OR_RETURN(
      store::QueryResult links,
      fleet_.Query("SELECT task_id, report_id, reason, created_at FROM alert_issue_links WHERE "
                   "issue_id = ? ORDER BY created_at, task_id",
                   {store::Text(issue_id)}));
  for (const store::Row& row : links) {
    detail.links.push_back(IssueLink{row.GetString("task_id"), row.GetString("report_id"),
                                     row.GetString("reason"),
                                     row.GetTime("created_at").value_or(TimePoint{})});
  }
  return detail;
}

Result<Issue> IssueStore::SetTriage(const std::string& issue_id, TriageStatus to,
                                    const std::string& actor, const std::string& note) {
  RH_ASSIGN_OR_RETURN(Issue issue, GetIssue(issue_id));
  const std::vector<TriageStatus> allowed = AllowedTriage(issue.triage_status);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    return Conflict("issue '" + issue_id + "'",
                    "triage_status is " + std::string(TriageStatusName(issue.triage_status)) +
                        "; it cannot become " + std::string(TriageStatusName(to)) +
                        "; allowed: " + AllowedTriageText(issue.triage_status));
  }
  const TimePoint now = clock_.Now();
  int64_t changed = 0;
  Status status = fleet_.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(
        changed, fleet_.Execute("UPDATE alert_issues SET triage_status = ?, updated_at = ? WHERE "
                                "issue_id = ? AND triage_status = ?",
                                {store::Text(std::string(TriageStatusName(to))), store::Time(now),
                                 store::Text(issue_id),
                                 store::Text(std::string(TriageStatusName(issue.triage_status)))}));
    if (changed == 0) return {};
    return internal::InsertEvent(
        fleet_, issue_id,
        IssueEvent{"", now, Actor(actor), "triage_status",
                   std::string(TriageStatusName(issue.triage_status)),
                   std::string(TriageStatusName(to)), RedactSecrets(note.substr(0, kMaxNote))});
  });
  if (!status) return Fail(status.error());
  if (changed == 0) {
    RH_ASSIGN_OR_RETURN(Issue now_issue, GetIssue(issue_id));
    return Conflict("issue '" + issue_id + "'",
                    "triage_status changed to " +
                        std::string(TriageStatusName(now_issue.triage_status)) +
                        " meanwhile; allowed: " + AllowedTriageText(now_issue.triage_status));
  }
  return GetIssue(issue_id);
}

Result<Issue> IssueStore::SetDisposition(const std::string& issue_id, DispositionStatus to,
                                         const std::string& ticket_ref, const std::string& actor,
                                         const std::string& note) {
  if (to == DispositionStatus::kJiraCreated && ticket_ref.empty()) {
    return InvalidArgument("ticket_ref", "is required for JIRA Created (e.g. OPS-1234)");
  }
  if (ticket_ref.size() > kMaxTicketRef) {
    return InvalidArgument("ticket_ref", "is longer than 255 characters");
  }
  RH_ASSIGN_OR_RETURN(Issue issue, GetIssue(issue_id));
  const std::vector<DispositionStatus> allowed = AllowedDisposition(issue.disposition_status);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    return Conflict("issue '" + issue_id + "'",
                    "disposition_status is " +
                        std::string(DispositionStatusName(issue.disposition_status)) +
                        "; it cannot become " + std::string(DispositionStatusName(to)) +
                        "; allowed: " + AllowedDispositionText(issue.disposition_status));
  }
  const TimePoint now = clock_.Now();
  const std::string ticket = to == DispositionStatus::kJiraCreated ? ticket_ref : "";
  int64_t changed = 0;
  Status status = fleet_.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(
        changed, fleet_.Execute(
                     "UPDATE alert_issues SET disposition_status = ?, ticket_ref = ?, "
                     "updated_at = ? WHERE issue_id = ? AND disposition_status = ?",
                     {store::Text(std::string(DispositionStatusName(to))),
                      ticket.empty() ? store::Null() : store::Text(RedactSecrets(ticket)),
                      store::Time(now), store::Text(issue_id),
                      store::Text(std::string(DispositionStatusName(issue.disposition_status)))}));
    if (changed == 0) return {};
    std::string event_note = RedactSecrets(note.substr(0, kMaxNote));
    if (!ticket.empty())
      event_note =
          "ticket " + RedactSecrets(ticket) + (event_note.empty() ? "" : "; " + event_note);
    return internal::InsertEvent(
        fleet_, issue_id,
        IssueEvent{"", now, Actor(actor), "disposition_status",
                   std::string(DispositionStatusName(issue.disposition_status)),
                   std::string(DispositionStatusName(to)), event_note});
  });
  if (!status) return Fail(status.error());
  if (changed == 0) {
    RH_ASSIGN_OR_RETURN(Issue now_issue, GetIssue(issue_id));
    return Conflict(
        "issue '" + issue_id + "'",
        "disposition_status changed to " +
            std::string(DispositionStatusName(now_issue.disposition_status)) +
            " meanwhile; allowed: " + AllowedDispositionText(now_issue.disposition_status));
  }
  return GetIssue(issue_id);
}

Status IssueStore::Link(const std::string& issue_id, const std::string& task_id,
                        const std::string& reason) {
  RH_RETURN_IF_ERROR(fleet_.Execute(
      fleet_.InsertIgnore() +
          " INTO alert_issue_links (issue_id, task_id, report_id, reason, created_at) VALUES "
          "(?, ?, NULL, ?, ?)",
      {store::Text(issue_id), store::Text(task_id), store::Text(reason),
       store::Time(clock_.Now())}));
  return {};
}

Result<int> IssueStore::LinkReport(const std::string& task_id, const std::string& report_id) {
  RH_ASSIGN_OR_RETURN(int64_t changed,
                      fleet_.Execute("UPDATE alert_issue_links SET report_id = ? WHERE task_id = ?",
                                     {store::Text(report_id), store::Text(task_id)}));
  return static_cast<int>(changed);
}

Result<std::vector<std::string>> IssueStore::IssuesOfTask(const std::string& task_id) {
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet_.Query("SELECT issue_id FROM alert_issue_links WHERE task_id = ? "
                                   "ORDER BY issue_id",
                                   {store::Text(task_id)}));
  std::vector<std::string> ids;
  for (const store::Row& row : rows) ids.push_back(row.GetString("issue_id"));
  return ids;
}

Result<IssueCounts> IssueStore::Counts() {
  IssueCounts counts;
  for (TriageStatus status : kAllTriageStatuses) counts.open_by_triage[status] = 0;
  RH_ASSIGN_OR_RETURN(
      store::QueryResult rows,
      fleet_.Query("SELECT triage_status, escalated, COUNT(*) AS n FROM alert_issues WHERE "
                   "issue_status = 'Ongoing' GROUP BY triage_status, escalated"));
  for (const store::Row& row : rows) {
    const int n = static_cast<int>(row.GetInt("n"));
    auto triage = ParseTriageStatus(row.GetString("triage_status"));
    if (triage) counts.open_by_triage[*triage] += n;
    if (row.GetInt("escalated") != 0) counts.open_escalated += n;
    counts.open_total += n;
  }
  return counts;
}

}  // namespace rh::issues
