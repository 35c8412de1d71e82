// Reports: reading the investigation reports in the agent memory — the one implementation behind
// `rockhound reports list|show`, GET /api/v1/reports[/{id}] and the MCP tools list_reports /
// get_report. Filters are typed (core/severity.h, core/root_cause.h), so every front end parses
// and validates them the same way (ParseReportQuery below).
// Errors: invalid_argument naming the filter, not_found for an unknown report, unavailable when
// the memory database is down.
// Thread-safety: safe to call from several threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "service/runtime.h"
#include "store/report_store.h"

namespace rh::service {

struct ReportQuery {
  std::string cluster_id;               // empty: every cluster
  std::string account_id;               // empty: every account
  std::optional<Severity> min_severity;  // kHigh keeps critical and high
  std::optional<RootCause> category;
  std::optional<TimePoint> since;
  int limit = 20;                        // 1..200
  std::string cursor;                    // ReportPage::next_cursor of the previous page
};

// The newest report of a cluster, as the fleet overview shows it.
struct LatestReport {
  std::string report_id;
  Severity severity = Severity::kInfo;
  RootCause category = RootCause::kInsufficientData;
  std::string root_cause;
  TimePoint created_at{};
  double confidence = 0;    // 0..1
  std::string next_action;  // the first recommendation's action; empty when it has none
};

enum class ReportFormat { kMarkdown, kJson };

class Reports {
 public:
  explicit Reports(Runtime& runtime) : runtime_(runtime) {}

  Result<store::ReportPage> List(const ReportQuery& query);
  Result<store::StoredReport> Get(std::string_view report_id);
  // The report as people read it (Markdown, with its linked issues after it) or as programs do
  // (Detail).
  Result<std::string> Render(std::string_view report_id, ReportFormat format);
  // service::ReportDetailJson plus "issues": the issues linked to the report's task
  // (service::LinkedIssueJson each; [] when none).
  Result<Json> Detail(std::string_view report_id);
  // The newest report of each of `cluster_ids` that has one (data_loss for a row whose severity
  // or category is none of the vocabulary's names).
  Result<std::map<std::string, LatestReport>> LatestFor(const std::vector<std::string>& cluster_ids);

 private:
  Runtime& runtime_;
};

// "since" as every front end accepts it: a time (RFC 3339 or "YYYY-MM-DD HH:MM:SS", UTC) or a
// look-back such as 24h or 7d before `now`. Empty text gives nullopt. `what` names the field.
Result<std::optional<TimePoint>> ParseSince(std::string_view text, TimePoint now,
                                            std::string_view what = "since");

// The report filters from their text forms (empty text = no filter); errors name the field and
// list the valid values.
struct ReportQueryText {
  std::string cluster_id;
  std::string account_id;
  std::string severity;
  std::string category;
  std::string since;
  std::string cursor;
  int limit = 20;
};
Result<ReportQuery> ParseReportQuery(const ReportQueryText& text, TimePoint now);

}  // namespace rh::service
