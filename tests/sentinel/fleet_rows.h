// Hand-made fleet rows for the sentinel tests: accounts, clusters, hourly snapshots of the 14
// catalogue metrics (healthy values unless overridden) and alert messages, written through the
// real fleet schema into a real database.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/time_format.h"
#include "store/database.h"
#include "store/metric_catalog.h"
#include "store/schema.h"

namespace rh::sentinel::testing {

// Healthy hourly averages for every catalogue metric (sub-scores 85..100; worst is the BE JVM
// heap at 40 %, sub-score 85.45).
inline std::map<std::string, double> HealthyMetrics() {
  return {{"starrocks_be_cpu_util_percent", 30},
          {"starrocks_be_jvm_heap_used_percent", 40},
          {"starrocks_be_disks_data_used_pct", 50},
          {"starrocks_be_compaction_score_average", 20},
          {"starrocks_fe_query_latency_ms_p99", 800},
          {"starrocks_fe_query_err", 0.02},
          {"starrocks_be_mem_used_percent", 50},
          {"starrocks_fe_jvm_heap_used_percent", 40},
          {"starrocks_fe_qps", 100},
          {"starrocks_be_load_rows_per_sec", 5000},
          {"starrocks_be_tablet_num", 20000},
          {"starrocks_be_alive_ratio", 100},
          {"starrocks_fe_txn_failed", 0},
          {"starrocks_be_scan_rows_per_sec", 1000000}};
}

class FleetRows {
 public:
  explicit FleetRows(store::Database& db) : db_(db) {}

  void Migrate() {
    auto migrated = store::Migrate(db_, store::SchemaSet::kFleet);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
  }

  void Account(const std::string& account_id, const std::string& tier) {
    Check(
        db_.Execute("INSERT INTO dim_customer_profile (account_id, account_name, customer_tier, "
                    "created_at) VALUES (?, ?, ?, ?)",
                    {store::Text(account_id), store::Text(account_id + " Inc"), store::Text(tier),
                     store::Time(MakeUtcTime(2025, 1, 1))}));
  }

  void Cluster(const std::string& cluster_id, const std::string& account_id,
               const std::string& status = "running") {
    Check(db_.Execute(
        "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
        "run_mode, package_type, status, created_at, updated_at) VALUES (?, ?, ?, 'cn-hangzhou', "
        "'3.3.4', 'shared_nothing', 'official', ?, ?, ?)",
        {store::Text(cluster_id), store::Text(cluster_id), store::Text(account_id),
         store::Text(status), store::Time(MakeUtcTime(2025, 1, 1)),
         store::Time(MakeUtcTime(2025, 1, 1))}));
  }

  // One hour of every metric: healthy values with `overrides` applied (a NaN override leaves the
  // metric out).
  void Snapshot(const std::string& cluster_id, TimePoint hour,
                const std::map<std::string, double>& overrides = {}) {
    std::map<std::string, double> values = HealthyMetrics();
    for (const auto& [name, value] : overrides) values[name] = value;
    for (const auto& [name, value] : values) {
      if (value != value) continue;  // NaN: not reported
      Check(
          db_.Execute("INSERT INTO amv_hourly_snapshots_v1 (cluster_id, snapshot_hour, "
                      "metric_name, avg_value, max_value, p99_value) VALUES (?, ?, ?, ?, ?, ?)",
                      {store::Text(cluster_id), store::Time(hour), store::Text(name),
                       store::Real(value), store::Real(value), store::Real(value)}));
    }
  }

  // Snapshots for every hour in [from, to].
  void Snapshots(const std::string& cluster_id, TimePoint from, TimePoint to,
                 const std::map<std::string, double>& overrides = {}) {
    for (TimePoint hour = from; hour <= to; hour += std::chrono::hours(1)) {
      Snapshot(cluster_id, hour, overrides);
    }
  }

  void Alert(const std::string& cluster_id, const std::string& name, const std::string& status,
             TimePoint at, const std::string& severity = "critical") {
    const std::string id = "om_" + std::to_string(++alert_seq_) + "_" + cluster_id;
    Check(db_.Execute(
        "INSERT INTO lark_alerts (message_id, cluster_id, alert_name, severity, "
        "status, alert_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {store::Text(id), store::Text(cluster_id), store::Text(name), store::Text(severity),
         store::Text(status), store::Time(at), store::Time(at)}));
  }

  // One cluster_operations row (SCALE, UPDATE, UPGRADE, RESTART, ...) started at `at`.
  void Operation(const std::string& cluster_id, const std::string& type, TimePoint at,
                 const std::string& result = "SUCCESS") {
    const std::string id = "op_" + std::to_string(++operation_seq_) + "_" + cluster_id;
    Check(db_.Execute(
        "INSERT INTO cluster_operations (operation_id, cluster_id, operation_type, actor, "
        "parameters, result, started_at, finished_at) VALUES (?, ?, ?, 'on-call', '{}', ?, ?, ?)",
        {store::Text(id), store::Text(cluster_id), store::Text(type), store::Text(result),
         store::Time(at), store::Time(at + std::chrono::minutes(15))}));
  }

 private:
  static void Check(const Result<int64_t>& result) {
    ASSERT_TRUE(result) << result.error().ToString();
  }

  store::Database& db_;
  int alert_seq_ = 0;
  int operation_seq_ = 0;
};

}  // namespace rh::sentinel::testing
