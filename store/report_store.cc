#include "store/report_store.h"

#include <algorithm>

#include "core/ids.h"
#include "core/time_format.h"

namespace rh::store {
namespace {

constexpr const char* kSummaryColumns =
    "report_id, task_id, cluster_id, account_id, engine, model, severity, confidence, category, "
    "root_cause, summary, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
    "cost_usd, duration_ms, llm_error, created_at";
constexpr const char* kBodyColumns = ", report_json, markdown, transcript_json";

StoredReport FromRow(const Row& row, bool with_bodies) {
  StoredReport r;
  r.report_id = row.GetString("report_id");
  r.task_id = row.GetString("task_id");
  r.cluster_id = row.GetString("cluster_id");
  r.account_id = row.GetString("account_id");
  r.engine = row.GetString("engine");
  r.model = row.GetString("model");
  r.severity = row.GetString("severity");
  r.confidence = row.GetDouble("confidence");
  r.category = row.GetString("category");
  r.root_cause = row.GetString("root_cause");
  r.summary = row.GetString("summary");
  r.input_tokens = row.GetInt("input_tokens");
  r.output_tokens = row.GetInt("output_tokens");
  r.cache_read_tokens = row.GetInt("cache_read_tokens");
  r.cache_write_tokens = row.GetInt("cache_write_tokens");
  r.cost_usd = row.GetDouble("cost_usd");
  r.duration_ms = row.GetInt("duration_ms");
  r.llm_error = row.GetString("llm_error");
  r.created_at = row.GetTime("created_at").value_or(TimePoint{});
  if (with_bodies) {
    r.report_json = row.GetString("report_json");
    r.markdown = row.GetString("markdown");
    r.transcript_json = row.GetString("transcript_json");
  }
  return r;
}

// Severities from most to least severe; a min_severity keeps this prefix.
const std::vector<std::string>& SeverityOrder() {
  static const std::vector<std::string> order = {"critical", "high", "medium", "low", "info"};
  return order;
}

}  // namespace

Result<std::string> ReportStore::Insert(StoredReport report) {
  if (report.cluster_id.empty()) return InvalidArgument("report", "cluster_id is required");
  if (report.report_json.empty()) return InvalidArgument("report", "report_json is required");
  if (report.report_id.empty()) report.report_id = NewId("rpt", report.created_at);
  std::string stored_id;
  Status status = db_.Transaction([&]() -> Status {
    if (!report.task_id.empty()) {
      RH_ASSIGN_OR_RETURN(QueryResult existing,
                          db_.Query("SELECT report_id FROM investigation_reports WHERE task_id = ?",
                                    {Text(report.task_id)}));
      if (!existing.empty()) {
        stored_id = existing.front().GetString("report_id");
        return {};
      }
    }
    RH_RETURN_IF_ERROR(db_.Execute(
        "INSERT INTO investigation_reports (report_id, task_id, cluster_id, account_id, engine, "
        "model, severity, confidence, category, root_cause, summary, report_json, markdown, "
        "transcript_json, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
        "cost_usd, duration_ms, llm_error, created_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(report.report_id), report.task_id.empty() ? Null() : Text(report.task_id),
         Text(report.cluster_id), report.account_id.empty() ? Null() : Text(report.account_id),
         Text(report.engine), report.model.empty() ? Null() : Text(report.model),
         Text(report.severity), Real(report.confidence), Text(report.category),
         Text(report.root_cause), Text(report.summary), Text(report.report_json),
         Text(report.markdown),
         report.transcript_json.empty() ? Null() : Text(report.transcript_json),
         Int(report.input_tokens), Int(report.output_tokens), Int(report.cache_read_tokens),
         Int(report.cache_write_tokens), Real(report.cost_usd), Int(report.duration_ms),
         report.llm_error.empty() ? Null() : Text(report.llm_error), Time(report.created_at)}));
    stored_id = report.report_id;
    return {};
  });
  if (!status) return Fail(status.error().WithContext("storing report"));
  return stored_id;
}

Result<StoredReport> ReportStore::Get(const std::string& report_id) {
  RH_ASSIGN_OR_RETURN(QueryResult rows,
                      db_.Query(std::string("SELECT ") + kSummaryColumns + kBodyColumns +
                                    " FROM investigation_reports WHERE report_id = ?",
                                {Text(report_id)}));
  if (rows.empty()) {
    return NotFound(report_id, "no such report; `rockhound reports list` shows the stored ones");
  }
  return FromRow(rows.front(), true);
}

Result<std::optional<StoredReport>> ReportStore::FindByTask(const std::string& task_id) {
  RH_ASSIGN_OR_RETURN(QueryResult rows,
                      db_.Query(std::string("SELECT ") + kSummaryColumns + kBodyColumns +
                                    " FROM investigation_reports WHERE task_id = ?",
                                {Text(task_id)}));
  if (rows.empty()) return std::optional<StoredReport>();
  return std::optional<StoredReport>(FromRow(rows.front(), true));
}

Result<ReportPage> ReportStore::List(const ReportFilter& filter) {
  if (filter.limit < 1 || filter.limit > 200) {
    return InvalidArgument("limit", "must be between 1 and 200");
  }
  std::string sql = std::string("SELECT ") + kSummaryColumns +
                    (filter.include_bodies ? kBodyColumns : "") +
                    " FROM investigation_reports WHERE 1 = 1";
  std::vector<Value> params;
  if (!filter.cluster_id.empty()) {
    sql += " AND cluster_id = ?";
    params.push_back(Text(filter.cluster_id));
  }
  if (!filter.account_id.empty()) {
    sql += " AND account_id = ?";
    params.push_back(Text(filter.account_id));
  }
  if (!filter.category.empty()) {
    sql += " AND category = ?";
    params.push_back(Text(filter.category));
  }
  if (!filter.min_severity.empty()) {
    const auto& order = SeverityOrder();
    auto it = std::find(order.begin(), order.end(), filter.min_severity);
    if (it == order.end()) {
      return InvalidArgument("severity", "must be critical, high, medium, low or info; got '" +
                                             filter.min_severity + "'");
    }
    sql += " AND severity IN (";
    for (auto sev = order.begin(); sev <= it; ++sev) {
      sql += sev == order.begin() ? "?" : ", ?";
      params.push_back(Text(*sev));
    }
    sql += ")";
  }
  if (filter.since) {
    sql += " AND created_at >= ?";
    params.push_back(Time(*filter.since));
  }
  if (!filter.cursor.empty()) {
    // Cursor: "<created_at SQL time>|<report_id>" of the last row of the previous page.
    size_t bar = filter.cursor.find('|');
    auto at = bar == std::string::npos ? Result<TimePoint>(InvalidArgument("", ""))
                                       : ParseSqlTime(filter.cursor.substr(0, bar));
    if (!at) return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
    sql += " AND (created_at < ? OR (created_at = ? AND report_id < ?))";
    params.push_back(Time(*at));
    params.push_back(Time(*at));
    params.push_back(Text(filter.cursor.substr(bar + 1)));
  }
  sql += " ORDER BY created_at DESC, report_id DESC LIMIT " + std::to_string(filter.limit + 1);
  RH_ASSIGN_OR_RETURN(QueryResult rows, db_.Query(sql, params));
  ReportPage page;
  for (size_t row_idx = 0; row_idx < rows.size() && row_idx < size_t(filter.limit); ++row_idx) {
    page.reports.push_back(FromRow(rows[row_idx], filter.include_bodies));
  }
  if (rows.size() > size_t(filter.limit)) {
    const StoredReport& last = page.reports.back();
    page.next_cursor = FormatSqlTime(last.created_at) + "|" + last.report_id;
  }
  return page;
}

}  // namespace rh::store
