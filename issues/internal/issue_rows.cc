#include "issues/internal/issue_rows.h"

#include "core/ids.h"

namespace rh::issues::internal {
namespace {

constexpr std::string_view kColumns =
    "issue_id, cluster_id, kind, title, escalated, escalated_at, issue_status, triage_status, "
    "disposition_status, ticket_ref, severity, alert_names, first_alert_at, last_alert_at, "
    "resolved_at, alert_count, open_alerts, created_at, updated_at";

store::Value OptText(const std::string& text) {
  return text.empty() ? store::Null() : store::Text(text);
}
store::Value OptTime(const std::optional<TimePoint>& at) {
  return at ? store::Time(*at) : store::Null();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : "\n") + name;
  return out;
}

std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    if (newline == std::string::npos) newline = text.size();
    if (newline > start) names.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  return names;
}

}  // namespace

std::string_view IssueColumns() { return kColumns; }

Issue IssueFromRow(const store::Row& row) {
  Issue issue;
  issue.issue_id = row.GetString("issue_id");
  issue.cluster_id = row.GetString("cluster_id");
  issue.kind = ParseIssueKind(row.GetString("kind")).value_or(IssueKind::kFailure);
  issue.title = row.GetString("title");
  issue.escalated = row.GetInt("escalated") != 0;
  issue.escalated_at = row.GetTime("escalated_at");
  issue.issue_status =
      ParseIssueStatus(row.GetString("issue_status")).value_or(IssueStatus::kOngoing);
  issue.triage_status =
      ParseTriageStatus(row.GetString("triage_status")).value_or(TriageStatus::kNew);
  issue.disposition_status =
      ParseDispositionStatus(row.GetString("disposition_status")).value_or(DispositionStatus::kNew);
  issue.ticket_ref = row.GetString("ticket_ref");
  issue.severity = row.GetString("severity");
  issue.alert_names = SplitNames(row.GetString("alert_names"));
  issue.first_alert_at = row.GetTime("first_alert_at").value_or(TimePoint{});
  issue.last_alert_at = row.GetTime("last_alert_at").value_or(TimePoint{});
  issue.resolved_at = row.GetTime("resolved_at");
  issue.alert_count = static_cast<int>(row.GetInt("alert_count"));
  issue.open_alerts = static_cast<int>(row.GetInt("open_alerts"));
  issue.created_at = row.GetTime("created_at").value_or(TimePoint{});
  issue.updated_at = row.GetTime("updated_at").value_or(TimePoint{});
  return issue;
}

Status InsertIssue(store::Database& db, const Issue& issue) {
  RH_RETURN_IF_ERROR(db.Execute(
      "INSERT INTO alert_issues (" + std::string(kColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {store::Text(issue.issue_id), store::Text(issue.cluster_id),
       store::Text(std::string(IssueKindName(issue.kind))), store::Text(issue.title),
       store::Int(issue.escalated ? 1 : 0), OptTime(issue.escalated_at),
       store::Text(std::string(IssueStatusName(issue.issue_status))),
       store::Text(std::string(TriageStatusName(issue.triage_status))),
       store::Text(std::string(DispositionStatusName(issue.disposition_status))),
       OptText(issue.ticket_ref), OptText(issue.severity),
       store::Text(JoinNames(issue.alert_names)), store::Time(issue.first_alert_at),
       store::Time(issue.last_alert_at), OptTime(issue.resolved_at), store::Int(issue.alert_count),
       store::Int(issue.open_alerts), store::Time(issue.created_at),
       store::Time(issue.updated_at)}));
  return {};
}

Status UpdateDerived(store::Database& db, const Issue& issue) {
  RH_RETURN_IF_ERROR(db.Execute(
      "UPDATE alert_issues SET title = ?, escalated = ?, escalated_at = ?, issue_status = ?, "
      "severity = ?, alert_names = ?, first_alert_at = ?, last_alert_at = ?, resolved_at = ?, "
      "alert_count = ?, open_alerts = ?, updated_at = ? WHERE issue_id = ?",
      {store::Text(issue.title), store::Int(issue.escalated ? 1 : 0), OptTime(issue.escalated_at),
       store::Text(std::string(IssueStatusName(issue.issue_status))), OptText(issue.severity),
       store::Text(JoinNames(issue.alert_names)), store::Time(issue.first_alert_at),
       store::Time(issue.last_alert_at), OptTime(issue.resolved_at), store::Int(issue.alert_count),
       store::Int(issue.open_alerts), store::Time(issue.updated_at),
       store::Text(issue.issue_id)}));
  return {};
}

Status InsertEvent(store::Database& db, const std::string& issue_id, const IssueEvent& event) {
  RH_ASSIGN_OR_RETURN(int64_t last,
                      db.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM alert_issue_events WHERE "
                                  "issue_id = ?",
                                  {store::Text(issue_id)}));
  RH_RETURN_IF_ERROR(db.Execute(
      "INSERT INTO alert_issue_events (event_id, issue_id, seq, at, actor, field, from_value, "
      "to_value, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {store::Text(event.event_id.empty() ? NewId("evt", event.at) : event.event_id),
       store::Text(issue_id), store::Int(last + 1), store::Time(event.at),
       store::Text(event.actor), store::Text(event.field), OptText(event.from_value),
       OptText(event.to_value), OptText(event.note)}));
  return {};
}

int SeverityRank(std::string_view severity) {
  constexpr std::string_view kOrder[] = {"critical", "high", "warning", "medium", "low", "info"};
  for (size_t idx = 0; idx < std::size(kOrder); ++idx) {
    if (severity == kOrder[idx]) return static_cast<int>(idx);
  }
  return static_cast<int>(std::size(kOrder));
}

std::string TitleOf(const std::vector<std::string>& names) {
  if (names.empty()) return "(no alert)";
  if (names.size() == 1) return names[0];
  return names[0] + " (+" + std::to_string(names.size() - 1) + " more)";
}

}  // namespace rh::issues::internal
