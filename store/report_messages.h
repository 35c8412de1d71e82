// ReportMessageStore: the follow-up conversation of each stored report (table report_messages):
// one row per question asked about a report, with the answer, the tool calls it cites
// (validated by whoever answered, agent/follow_up.h), the tool calls made to answer it, the
// engine and model, tokens, cost and time.
//
// Messages are appended, never changed; List gives a report's conversation oldest first.
// Insert writes one row or nothing. The answers' cost counts against agent.daily_budget_usd with
// the reports' (agent/investigator.h DailySpend).
// Thread-safety: as thread-safe as the Database it is given.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::store {

struct ReportMessage {
  std::string message_id;  // "msg_..." (assigned by Insert when empty)
  std::string report_id;
  int seq = 0;  // 1, 2, ... within the report (assigned by Insert)
  std::string question;
  std::string answer;
  std::string citations_json = "[]";  // [{tool_call_id, tool, finding}]
  std::string transcript_json = "[]";  // the calls made to answer, as a report's transcript
  EngineKind engine = EngineKind::kPlaybook;  // claude | playbook
  std::string model;
  long long input_tokens = 0;
  long long output_tokens = 0;
  long long cache_read_tokens = 0;
  long long cache_write_tokens = 0;
  double cost_usd = 0.0;
  long long duration_ms = 0;
  std::string requester;
  std::string llm_error;  // why the model failed (or was not used) when the playbook answered
  TimePoint created_at{};
};

// At most this many messages per report are listed (and kept: Ask refuses more).
inline constexpr int kMaxReportMessages = 200;

class ReportMessageStore {
 public:
  explicit ReportMessageStore(Database& db) : db_(db) {}

  // Stores `message` as the next of its report (seq assigned, and message_id when empty);
  // returns it as stored. invalid_argument when report_id, question or answer is empty.
  Result<ReportMessage> Insert(ReportMessage message);
  // The conversation of `report_id`, oldest first (at most kMaxReportMessages).
  Result<std::vector<ReportMessage>> List(const std::string& report_id);
  // The cost of every message stored at or after `since` (the daily budget's share of follow-ups).
  Result<double> CostSince(TimePoint since);

 private:
  Database& db_;
};

}  // namespace rh::store
