// A small hand-made fleet for the tool tests, written through store::Database so the same rows
// land in SQLite and in MariaDB. Each cluster gets 14 days of hourly snapshots of all 14
// metrics (healthy levels with daily seasonality and seeded noise) unless told otherwise;
// incidents are overrides of a metric's value per hour. Times are relative to kNow.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace rh::testing {

// 2026-03-10 12:00:00 UTC, the "now" of every tools test.
TimePoint ToolsTestNow();

// hours_before_now -> value override (nullopt keeps the healthy value).
using MetricOverride =
    std::function<std::optional<double>(const std::string& metric, int hours_before_now)>;

class TestFleet {
 public:
  explicit TestFleet(store::Database& db) : db_(db) {}

  // Migrates the fleet and memory schemas.
  void Migrate();

  void AddAccount(const std::string& account_id, const std::string& tier);
  // run_mode shared_nothing gets FE 3 + BE `compute_nodes`; shared_data FE 3 + CN.
  void AddCluster(const std::string& cluster_id, const std::string& account_id,
                  const std::string& version, const std::string& run_mode = "shared_nothing",
                  int compute_nodes = 3, int cu = 16, const std::string& spec = "standard");
  // `hours` of hourly snapshots ending at now (at most max_metric_hours; skip_last_hours
  // leaves a telemetry gap).
  void AddMetrics(const std::string& cluster_id, unsigned seed,
                  const MetricOverride& incident = nullptr, int skip_last_hours = 0,
                  int hours = 14 * 24);
  // Caps every cluster's snapshot history (a smaller fleet for tests that need no analysis).
  void set_max_metric_hours(int hours) { max_metric_hours_ = hours; }
  void AddAlert(const std::string& cluster_id, const std::string& alert_name,
                const std::string& status, int minutes_before_now, const std::string& detail,
                const std::string& severity = "warning");
  void AddOperation(const std::string& cluster_id, const std::string& type, int minutes_before_now,
                    const std::string& parameters, const std::string& result = "SUCCESS",
                    const std::string& actor = "ops-bot");
  void AddHealth(const std::string& cluster_id, int hours_before_now, double score,
                 const std::string& risk, int firing_alerts = 0);
  void AddReport(const std::string& report_id, const std::string& cluster_id,
                 const std::string& account_id, const std::string& category, int days_before_now,
                 const std::string& root_cause);

  // The standard scenario used by most tests: see the .cc for the story of each cluster.
  void BuildStandardFleet();

 private:
  void Exec(const std::string& sql, const std::vector<store::Value>& params);
  store::Database& db_;
  int next_message_ = 0;
  int next_operation_ = 0;
  int max_metric_hours_ = 14 * 24;
};

// SHA-256 over every table's rows (sorted) and the schema: changes when anything changes.
std::string ChecksumDatabase(store::Database& db);

}  // namespace rh::testing
