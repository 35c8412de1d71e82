// ReportStore: investigation reports in the agent memory (table investigation_reports).
//
// A report is stored once per task: Insert is idempotent on task_id (a task reclaimed after a
// crash cannot leave two reports; the second Insert returns the first report's id). Reports are
// immutable once stored. List returns newest first with an opaque cursor for the next page.
// The report JSON itself is produced and validated by agent/ (agent/report.h); this class only
// stores and finds it. Engine, severity and category are typed here and stored by their names
// (core/engine_kind.h, core/severity.h, core/root_cause.h); a row whose name is none of them
// reads as data_loss.
// Thread-safety: as thread-safe as the Database it is given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "store/database.h"

namespace rh::store {

struct StoredReport {
  std::string report_id;
  std::string task_id;  // empty for reports not tied to a queued task
  std::string cluster_id;
  std::string account_id;
  EngineKind engine = EngineKind::kPlaybook;  // claude | playbook (never auto)
  std::string model;
  Severity severity = Severity::kInfo;
  double confidence = 0.0;
  RootCause category = RootCause::kInsufficientData;
  std::string root_cause;
  std::string summary;
  std::string report_json;
  std::string markdown;
  std::string transcript_json;
  long long input_tokens = 0;
  long long output_tokens = 0;
  long long cache_read_tokens = 0;
  long long cache_write_tokens = 0;
  double cost_usd = 0.0;
  long long duration_ms = 0;
  std::string llm_error;
  TimePoint created_at{};
};

struct ReportFilter {
  std::string cluster_id;
  std::string account_id;
  std::optional<RootCause> category;
  std::optional<Severity> min_severity;  // kHigh keeps critical and high
  std::optional<TimePoint> since;
  int limit = 20;                // 1..200
  std::string cursor;            // from ReportPage::next_cursor
  bool include_bodies = false;   // report_json/markdown/transcript (heavy) in List results
};

struct ReportPage {
  std::vector<StoredReport> reports;
  std::string next_cursor;  // empty when there are no more
};

class ReportStore {
 public:
  explicit ReportStore(Database& db) : db_(db) {}

  // Stores `report` (report_id assigned when empty). Returns the stored id: the existing one if
  // a report for the same non-empty task_id already exists.
  Result<std::string> Insert(StoredReport report);
  Result<StoredReport> Get(const std::string& report_id);
  Result<std::optional<StoredReport>> FindByTask(const std::string& task_id);
  Result<ReportPage> List(const ReportFilter& filter);

 private:
  Database& db_;
};

}  // namespace rh::store
