#include "service/reports.h"

#include "core/ids.h"
#include "core/time_format.h"
#include "service/investigations.h"
#include "service/issues.h"
#include "service/json_views.h"

namespace rh::service {
namespace {

// The first recommendation's action of a stored report JSON; empty when there is none or the
// JSON cannot be read (the list still shows the report's root cause).
std::string NextAction(std::string_view report_json) {
  auto parsed = ParseJson(report_json, "report_json");
  if (!parsed || !parsed->is_object()) return "";
  auto found = parsed->find("recommendations");
  if (found == parsed->end() || !found->is_array() || found->empty()) return "";
  const Json& first = found->front();
  if (!first.is_object() || !first.contains("action") || !first["action"].is_string()) return "";
  return first["action"].get<std::string>();
}

}  // namespace

Result<std::optional<TimePoint>> ParseSince(std::string_view text, TimePoint now,
                                            std::string_view what) {
  if (text.empty()) return std::optional<TimePoint>();
  if (auto time = ParseAnyTime(text)) return std::optional<TimePoint>(*time);
  if (auto look_back = ParseDurationShort(text)) return std::optional<TimePoint>(now - *look_back);
  return InvalidArgument(std::string(what),
                         "must be a time (2026-11-21T10:00:00Z) or a look-back such as 24h or "
                         "7d; got '" + std::string(text) + "'");
}

Result<ReportQuery> ParseReportQuery(const ReportQueryText& text, TimePoint now) {
  ReportQuery query;
  if (!text.cluster_id.empty()) RH_RETURN_IF_ERROR(ValidateClusterId(text.cluster_id, "cluster"));
  query.cluster_id = text.cluster_id;
  if (!text.account_id.empty() && !IsValidResourceId(text.account_id)) {
    return InvalidArgument("account", "'" + text.account_id + "' is not an account id");
  }
  query.account_id = text.account_id;
  if (!text.severity.empty()) {
    auto severity = ParseSeverity(text.severity);
    if (!severity) return Fail(Error{severity.error().code, severity.error().message, "severity"});
    query.min_severity = *severity;
  }
  if (!text.category.empty()) {
    auto category = ParseRootCause(text.category);
    if (!category) return Fail(Error{category.error().code, category.error().message, "category"});
    query.category = *category;
  }
  RH_ASSIGN_OR_RETURN(query.since, ParseSince(text.since, now));
  if (text.limit < 1 || text.limit > 200) {
    return InvalidArgument("limit", "must be a whole number from 1 to 200; got " +
                                        std::to_string(text.limit));
  }
  query.limit = text.limit;
  query.cursor = text.cursor;
  return query;
}

Result<store::ReportPage> Reports::List(const ReportQuery& query) {
  if (query.limit < 1 || query.limit > 200) {
    return InvalidArgument("limit", "must be a whole number from 1 to 200");
  }
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  store::ReportFilter filter;
  filter.cluster_id = query.cluster_id;
  filter.account_id = query.account_id;
  filter.min_severity = query.min_severity;
  filter.category = query.category;
  filter.since = query.since;
  filter.limit = query.limit;
  filter.cursor = query.cursor;
  return store::ReportStore(*memory).List(filter);
}

Result<store::StoredReport> Reports::Get(std::string_view report_id) {
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  return store::ReportStore(*memory).Get(std::string(report_id));
}

Result<std::string> Reports::Render(std::string_view report_id, ReportFormat format) {
  if (format == ReportFormat::kJson) {
    RH_ASSIGN_OR_RETURN(Json detail, Detail(report_id));
    return DumpJson(detail, 2);
  }
  RH_ASSIGN_OR_RETURN(store::StoredReport report, Get(report_id));
  // The issues the report's task was queued for or linked to (issues/ links tasks, so a report
  // stored before its issue was linked still lists it).
  RH_ASSIGN_OR_RETURN(std::vector<issues::Issue> linked,
                      Issues(runtime_).LinkedIssuesOfTask(report.task_id));
  std::string markdown = report.markdown;
  if (!linked.empty() && !markdown.empty() && markdown.back() != '\n') markdown += "\n";
  return markdown + LinkedIssuesMarkdown(linked);
}

Result<Json> Reports::Detail(std::string_view report_id) {
  RH_ASSIGN_OR_RETURN(store::StoredReport report, Get(report_id));
  RH_ASSIGN_OR_RETURN(std::vector<issues::Issue> linked,
                      Issues(runtime_).LinkedIssuesOfTask(report.task_id));
  Json detail = ReportDetailJson(report);
  detail["issues"] = Json::array();
  for (const issues::Issue& issue : linked) detail["issues"].push_back(LinkedIssueJson(issue));
  return detail;
}

Result<std::map<std::string, LatestReport>> Reports::LatestFor(
    const std::vector<std::string>& cluster_ids) {
  std::map<std::string, LatestReport> latest;
  if (cluster_ids.empty()) return latest;
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  std::string placeholders;
  std::vector<store::Value> params;
  for (const std::string& cluster_id : cluster_ids) {
    placeholders += placeholders.empty() ? "?" : ", ?";
    params.push_back(store::Text(cluster_id));
  }
  // Newest first per cluster; ties on created_at keep the highest report id.
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      memory->Query("SELECT cluster_id, report_id, severity, category, "
                                    "root_cause, created_at, confidence, report_json "
                                    "FROM investigation_reports "
                                    "WHERE cluster_id IN (" + placeholders + ") "
                                    "ORDER BY cluster_id, created_at DESC, report_id DESC",
                                    params));
  for (const store::Row& row : rows) {
    std::string cluster_id = row.GetString("cluster_id");
    if (latest.contains(cluster_id)) continue;
    LatestReport report;
    report.report_id = row.GetString("report_id");
    auto severity = ParseSeverity(row.GetString("severity"));
    auto category = ParseRootCause(row.GetString("category"));
    if (!severity || !category) {
      return DataLoss(
          report.report_id,
          "investigation_reports: " + (severity ? category.error() : severity.error()).message);
    }
    report.severity = *severity;
    report.category = *category;
    report.root_cause = row.GetString("root_cause");
    report.created_at = row.GetTime("created_at").value_or(TimePoint{});
    report.confidence = row.GetDouble("confidence");
    report.next_action = NextAction(row.GetString("report_json"));
    latest.emplace(std::move(cluster_id), std::move(report));
  }
  return latest;
}

}  // namespace rh::service
