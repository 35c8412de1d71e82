#include "store/report_store.h"

#include "core/ids.h"
#include "core/time_format.h"

namespace rh::store {
namespace {

constexpr const char* kSummaryColumns =
    "report_id, task_id, cluster_id, account_id, engine, model, severity, confidence, category, "
    "root_cause, summary, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
    "cost_usd, duration_ms, llm_error, created_at";
constexpr const char* kBodyColumns = ", report_json, markdown, transcript_json";

// A vocabulary column of a stored report, parsed by its enum; data_loss naming the report when
// the row holds none of the names (only a hand-edited table can).
template <typename Enum>
Result<Enum> VocabularyColumn(const Row& row, std::string_view column,
                              Result<Enum> (*parse)(std::string_view)) {
  auto parsed = parse(row.GetString(column));
  if (!parsed) {
    return DataLoss(row.GetString("report_id"),
                    "investigation_reports." + std::string(column) + ": " +
                        parsed.error().message);
  }
  return *parsed;
}

Result<StoredReport> FromRow(const Row& row, bool with_bodies) {
  StoredReport r;
  r.report_id = row.GetString("report_id");
  r.task_id = row.GetString("task_id");
  r.cluster_id = row.GetString("cluster_id");
  r.account_id = row.GetString("account_id");
  RH_ASSIGN_OR_RETURN(r.engine, VocabularyColumn(row, "engine", &ParseEngineKind));
  r.model = row.GetString("model");
  RH_ASSIGN_OR_RETURN(r.severity, VocabularyColumn(row, "severity", &ParseSeverity));
  r.confidence = row.GetDouble("confidence");
  RH_ASSIGN_OR_RETURN(r.category, VocabularyColumn(row, "category", &ParseRootCause));
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
         Text(std::string(EngineKindName(report.engine))),
         report.model.empty() ? Null() : Text(report.model),
         Text(std::string(SeverityName(report.severity))), Real(report.confidence),
         Text(std::string(RootCauseName(report.category))),
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
  RH_ASSIGN_OR_RETURN(StoredReport report, FromRow(rows.front(), true));
  return std::optional<StoredReport>(std::move(report));
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
  if (filter.category) {
    sql += " AND category = ?";
    params.push_back(Text(std::string(RootCauseName(*filter.category))));
  }
  if (filter.min_severity) {
    // The names of the severities at least this severe (a prefix of kAllSeverities).
    std::string names;
    for (Severity severity : kAllSeverities) {
      if (!AtLeast(severity, *filter.min_severity)) continue;
      names += names.empty() ? "?" : ", ?";
      params.push_back(Text(std::string(SeverityName(severity))));
    }
    sql += " AND severity IN (" + names + ")";
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
    RH_ASSIGN_OR_RETURN(StoredReport report, FromRow(rows[row_idx], filter.include_bodies));
    page.reports.push_back(std::move(report));
  }
  if (rows.size() > size_t(filter.limit)) {
    const StoredReport& last = page.reports.back();
    page.next_cursor = FormatSqlTime(last.created_at) + "|" + last.report_id;
  }
  return page;
}

}  // namespace rh::store
