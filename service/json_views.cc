#include "service/json_views.h"

#include "core/time_format.h"
#include "service/investigations.h"

namespace rh::service {
namespace {

Json TimeOrNull(const std::optional<TimePoint>& time) {
  return time ? Json(FormatIsoTime(*time)) : Json(nullptr);
}

Json TextOrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

}  // namespace

Json TaskJson(const store::Task& task) {
  auto rules = ParseJson(task.rules_fired, "rules_fired");
  return Json{{"task_id", task.id},
              {"cluster_id", task.cluster_id},
              {"source", std::string(store::TaskSourceName(task.source))},
              {"status", std::string(store::TaskStatusName(task.status))},
              {"priority", task.priority},
              {"question", task.question},
              {"rules_fired", rules && rules->is_array() ? *rules : Json::array()},
              {"requester", TextOrNull(task.requester)},
              {"attempts", task.attempts},
              {"max_attempts", task.max_attempts},
              {"lease_owner", TextOrNull(task.lease_owner)},
              {"lease_expires_at", TimeOrNull(task.lease_expires_at)},
              {"not_before", TimeOrNull(task.not_before)},
              {"last_error", TextOrNull(task.last_error)},
              {"report_id", TextOrNull(task.report_id)},
              {"created_at", FormatIsoTime(task.created_at)},
              {"updated_at", FormatIsoTime(task.updated_at)},
              {"started_at", TimeOrNull(task.started_at)},
              {"finished_at", TimeOrNull(task.finished_at)}};
}

Json InvestigationStatusJson(const InvestigationStatus& status) {
  Json body = TaskJson(status.task);
  body["report"] = status.report ? ReportDetailJson(*status.report) : Json(nullptr);
  return body;
}

Json PageJson(std::string_view items_key, Json items, const std::string& next_cursor) {
  return Json{{std::string(items_key), std::move(items)}, {"next_cursor", TextOrNull(next_cursor)}};
}

Json ReportPageJson(const store::ReportPage& page) {
  Json list = Json::array();
  for (const store::StoredReport& report : page.reports) list.push_back(ReportSummaryJson(report));
  return PageJson("reports", std::move(list), page.next_cursor);
}

Json TaskPageJson(const store::TaskPage& page) {
  Json list = Json::array();
  for (const store::Task& task : page.tasks) list.push_back(TaskJson(task));
  return PageJson("investigations", std::move(list), page.next_cursor);
}

Json ReportSummaryJson(const store::StoredReport& report) {
  return Json{{"report_id", report.report_id},
              {"task_id", TextOrNull(report.task_id)},
              {"cluster_id", report.cluster_id},
              {"account_id", TextOrNull(report.account_id)},
              {"engine", std::string(EngineKindName(report.engine))},
              {"model", TextOrNull(report.model)},
              {"severity", std::string(SeverityName(report.severity))},
              {"confidence", report.confidence},
              {"category", std::string(RootCauseName(report.category))},
              {"root_cause", report.root_cause},
              {"summary", report.summary},
              {"input_tokens", report.input_tokens},
              {"output_tokens", report.output_tokens},
              {"cost_usd", report.cost_usd},
              {"duration_ms", report.duration_ms},
              {"llm_error", TextOrNull(report.llm_error)},
              {"created_at", FormatIsoTime(report.created_at)}};
}

Json ReportDetailJson(const store::StoredReport& report) {
  Json detail = ReportSummaryJson(report);
  detail["cache_read_tokens"] = report.cache_read_tokens;
  detail["cache_write_tokens"] = report.cache_write_tokens;
  auto parsed = ParseJson(report.report_json, "report_json");
  detail["report"] = parsed ? *parsed : Json(nullptr);
  Json transcript = Json::array();
  if (!report.transcript_json.empty()) {
    if (auto parsed_transcript = ParseJson(report.transcript_json, "transcript_json")) {
      transcript = *parsed_transcript;
    }
  }
  detail["transcript"] = std::move(transcript);
  detail["markdown"] = report.markdown;
  return detail;
}

Json ReportMessageJson(const store::ReportMessage& message) {
  auto parsed_array = [](const std::string& text, const char* what) {
    auto parsed = ParseJson(text.empty() ? "[]" : text, what);
    return parsed && parsed->is_array() ? *parsed : Json::array();
  };
  return Json{{"message_id", message.message_id},
              {"report_id", message.report_id},
              {"seq", message.seq},
              {"question", message.question},
              {"answer", message.answer},
              {"citations", parsed_array(message.citations_json, "citations_json")},
              {"tool_calls", parsed_array(message.transcript_json, "transcript_json")},
              {"engine", std::string(EngineKindName(message.engine))},
              {"model", TextOrNull(message.model)},
              {"input_tokens", message.input_tokens},
              {"output_tokens", message.output_tokens},
              {"cache_read_tokens", message.cache_read_tokens},
              {"cache_write_tokens", message.cache_write_tokens},
              {"cost_usd", message.cost_usd},
              {"duration_ms", message.duration_ms},
              {"requester", TextOrNull(message.requester)},
              {"llm_error", TextOrNull(message.llm_error)},
              {"created_at", FormatIsoTime(message.created_at)}};
}

Json ReportMessagesJson(std::string_view report_id,
                        const std::vector<store::ReportMessage>& messages) {
  Json list = Json::array();
  for (const store::ReportMessage& message : messages) list.push_back(ReportMessageJson(message));
  return Json{{"report_id", std::string(report_id)}, {"messages", std::move(list)}};
}

}  // namespace rh::service
