#include "store/report_messages.h"

#include "core/ids.h"

namespace rh::store {

Result<ReportMessage> ReportMessageStore::Insert(ReportMessage m) {
  if (m.report_id.empty()) return InvalidArgument("report message", "report_id is required");
  if (m.question.empty()) return InvalidArgument("report message", "question is required");
  if (m.answer.empty()) return InvalidArgument("report message", "answer is required");
  if (m.message_id.empty()) m.message_id = NewId("msg", m.created_at);
  Status status = db_.Transaction([&]() -> Status {
    // MySQL transactions run at once (REPEATABLE READ): two questions on one report would read
    // the same MAX(seq) and the second would hit the unique index. Locking the report's row
    // serializes them per report; SQLite write transactions already run one at a time.
    if (db_.dialect() == Dialect::kMysql) {
      RH_RETURN_IF_ERROR(db_.Query(
          "SELECT report_id FROM investigation_reports WHERE report_id = ? FOR UPDATE",
          {Text(m.report_id)}));
    }
    RH_ASSIGN_OR_RETURN(int64_t last,
                        db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM report_messages WHERE "
                                     "report_id = ?",
                                     {Text(m.report_id)}));
    m.seq = static_cast<int>(last) + 1;
    RH_RETURN_IF_ERROR(db_.Execute(
        "INSERT INTO report_messages (message_id, report_id, seq, question, answer, "
        "citations_json, transcript_json, engine, model, input_tokens, output_tokens, "
        "cache_read_tokens, cache_write_tokens, cost_usd, duration_ms, requester, llm_error, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {Text(m.message_id), Text(m.report_id), Int(m.seq), Text(m.question), Text(m.answer),
         Text(m.citations_json), Text(m.transcript_json),
         Text(std::string(EngineKindName(m.engine))), m.model.empty() ? Null() : Text(m.model),
         Int(m.input_tokens), Int(m.output_tokens), Int(m.cache_read_tokens),
         Int(m.cache_write_tokens), Real(m.cost_usd), Int(m.duration_ms),
         m.requester.empty() ? Null() : Text(m.requester),
         m.llm_error.empty() ? Null() : Text(m.llm_error), Time(m.created_at)}));
    return {};
  });
  if (!status) return Fail(status.error().WithContext("storing a message of " + m.report_id));
  return m;
}

Result<std::vector<ReportMessage>> ReportMessageStore::List(const std::string& report_id) {
  RH_ASSIGN_OR_RETURN(
      QueryResult rows,
      db_.Query("SELECT message_id, report_id, seq, question, answer, citations_json, transcript_json, "
                "engine, model, input_tokens, output_tokens, cache_read_tokens, "
                "cache_write_tokens, cost_usd, duration_ms, requester, llm_error, created_at FROM "
                "report_messages WHERE report_id = ? ORDER BY seq LIMIT " +
                    std::to_string(kMaxReportMessages),
                {Text(report_id)}));
  std::vector<ReportMessage> out;
  for (const Row& row : rows) {
    ReportMessage m;
    m.message_id = row.GetString("message_id");
    m.report_id = row.GetString("report_id");
    m.seq = static_cast<int>(row.GetInt("seq"));
    m.question = row.GetString("question");
    m.answer = row.GetString("answer");
    m.citations_json = row.GetString("citations_json", "[]");
    m.transcript_json = row.GetString("transcript_json", "[]");
    auto engine = ParseEngineKind(row.GetString("engine"));
    if (!engine) {
      return DataLoss(m.message_id, "report_messages.engine: " + engine.error().message);
    }
    m.engine = *engine;
    m.model = row.GetString("model");
    m.input_tokens = row.GetInt("input_tokens");
    m.output_tokens = row.GetInt("output_tokens");
    m.cache_read_tokens = row.GetInt("cache_read_tokens");
    m.cache_write_tokens = row.GetInt("cache_write_tokens");
    m.cost_usd = row.GetDouble("cost_usd");
    m.duration_ms = row.GetInt("duration_ms");
    m.requester = row.GetString("requester");
    m.llm_error = row.GetString("llm_error");
    m.created_at = row.GetTime("created_at").value_or(TimePoint{});
    out.push_back(std::move(m));
  }
  return out;
}

Result<double> ReportMessageStore::CostSince(TimePoint since) {
  RH_ASSIGN_OR_RETURN(QueryResult rows,
                      db_.Query("SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM report_messages "
                                "WHERE created_at >= ?",
                                {Time(since)}));
  return rows.empty() ? 0.0 : rows.front().GetDouble("spent");
}

}  // namespace rh::store
