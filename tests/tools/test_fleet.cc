#include "tests/tools/test_fleet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "core/ids.h"
#include "core/time_format.h"
#include "store/metric_catalog.h"
#include "store/schema.h"

namespace rh::testing {
namespace {

constexpr size_t kRowsPerInsert = 500;
constexpr int kShortHistoryHours = 48;  // clusters whose metrics no test analyses

struct HealthyLevel {
  double base;
  double seasonal;  // relative amplitude of the daily cycle
  double noise;     // relative noise
};

HealthyLevel LevelOf(const std::string& metric) {
  if (metric == "starrocks_be_cpu_util_percent") return {32, 0.25, 0.05};
  if (metric == "starrocks_be_jvm_heap_used_percent") return {40, 0.05, 0.03};
  if (metric == "starrocks_be_disks_data_used_pct") return {55, 0.0, 0.005};
  if (metric == "starrocks_be_compaction_score_average") return {30, 0.1, 0.08};
  if (metric == "starrocks_fe_query_latency_ms_p99") return {800, 0.2, 0.06};
  if (metric == "starrocks_fe_query_err") return {0.02, 0.1, 0.1};
  if (metric == "starrocks_be_mem_used_percent") return {50, 0.05, 0.02};
  if (metric == "starrocks_fe_jvm_heap_used_percent") return {40, 0.05, 0.03};
  if (metric == "starrocks_fe_qps") return {200, 0.4, 0.05};
  if (metric == "starrocks_be_load_rows_per_sec") return {50000, 0.3, 0.05};
  if (metric == "starrocks_be_tablet_num") return {20000, 0.0, 0.001};
  if (metric == "starrocks_be_alive_ratio") return {100, 0.0, 0.0};
  if (metric == "starrocks_fe_txn_failed") return {1, 0.0, 0.3};
  return {1000000, 0.3, 0.05};  // scan rows
}

// Exact and cheap: doubles by their bits (ValueToString's shortest round-trip is slow).
std::string CellText(const store::Value& value) {
  if (auto real = std::get_if<double>(&value)) {
    uint64_t bits = 0;
    std::memcpy(&bits, real, sizeof(bits));
    return "d" + std::to_string(bits);
  }
  if (std::holds_alternative<std::monostate>(value)) return "\x01";
  return store::ValueToString(value);
}

}  // namespace

TimePoint ToolsTestNow() { return MakeUtcTime(2026, 3, 10, 12); }

void TestFleet::Exec(const std::string& sql, const std::vector<store::Value>& params) {
  auto result = db_.Execute(sql, params);
  ASSERT_TRUE(result) << result.error().ToString() << " in " << sql.substr(0, 200);
}

void TestFleet::Migrate() {
  auto fleet = store::Migrate(db_, store::SchemaSet::kFleet);
  ASSERT_TRUE(fleet) << fleet.error().ToString();
  auto memory = store::Migrate(db_, store::SchemaSet::kMemory);
  ASSERT_TRUE(memory) << memory.error().ToString();
}

void TestFleet::AddAccount(const std::string& account_id, const std::string& tier) {
  Exec(
      "INSERT INTO dim_customer_profile (account_id, account_name, customer_tier, owner, "
      "industry, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      {store::Text(account_id), store::Text("Account " + account_id), store::Text(tier),
       store::Text("owner@" + account_id + ".example"), store::Text("retail"),
       store::Time(MakeUtcTime(2024, 1, 1))});
}

void TestFleet::AddCluster(const std::string& cluster_id, const std::string& account_id,
                           const std::string& version, const std::string& run_mode,
                           int compute_nodes, int cu, const std::string& spec) {
  TimePoint created = MakeUtcTime(2025, 6, 1);
  Exec(
      "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
      "run_mode, package_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?)",
      {store::Text(cluster_id), store::Text("name-" + cluster_id), store::Text(account_id),
       store::Text("cn-hangzhou"), store::Text(version), store::Text(run_mode),
       store::Text("official"), store::Text("running"), store::Time(created),
       store::Time(created)});
  const char* insert =
      "INSERT INTO cluster_node_groups (cluster_id, node_type, node_count, cu, spec_type, "
      "disk_size_gb, essd_level) VALUES (?, ?, ?, ?, ?, ?, ?)";
  Exec(insert, {store::Text(cluster_id), store::Text("FE"), store::Int(3), store::Int(8),
                store::Text("standard"), store::Int(200), store::Text("PL1")});
  Exec(insert, {store::Text(cluster_id), store::Text(run_mode == "shared_data" ? "CN" : "BE"),
                store::Int(compute_nodes), store::Int(cu), store::Text(spec), store::Int(1000),
                store::Text("PL2")});
}

void TestFleet::AddMetrics(const std::string& cluster_id, unsigned seed,
                           const MetricOverride& incident, int skip_last_hours, int hours) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  const TimePoint now = ToolsTestNow();
  std::vector<store::Value> params;
  size_t rows = 0;
  auto flush = [&] {
    if (rows == 0) return;
    std::string sql =
        "INSERT INTO amv_hourly_snapshots_v1 (cluster_id, snapshot_hour, metric_name, avg_value, "
        "max_value, p99_value) VALUES ";
    for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
      sql += row_idx == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
    }
    Exec(sql, params);
    params.clear();
    rows = 0;
  };
  auto status = db_.Transaction([&]() -> Status {
    for (int hours_before = std::min(hours, max_metric_hours_) - 1; hours_before >= skip_last_hours;
         --hours_before) {
      TimePoint hour = now - std::chrono::hours(hours_before);
      int hour_of_day = static_cast<int>(
          (std::chrono::duration_cast<std::chrono::hours>(hour.time_since_epoch()).count()) % 24);
      for (const store::MetricSpec& spec : store::MetricCatalog()) {
        std::string metric(spec.name);
        HealthyLevel level = LevelOf(metric);
        double cycle = std::sin(2 * M_PI * (hour_of_day - 8) / 24.0);
        double value = level.base * (1 + level.seasonal * cycle + level.noise * gauss(rng));
        if (incident) {
          if (auto forced = incident(metric, hours_before)) value = *forced;
        }
        if (metric == "starrocks_be_alive_ratio") value = std::min(value, 100.0);
        value = std::max(value, 0.0);
        params.insert(params.end(),
                      {store::Text(cluster_id), store::Time(hour), store::Text(metric),
                       store::Real(value), store::Real(value * 1.15), store::Real(value * 1.1)});
        if (++rows == kRowsPerInsert) flush();
      }
    }
    flush();
    return {};
  });
  ASSERT_TRUE(status) << status.error().ToString();
}

void TestFleet::AddAlert(const std::string& cluster_id, const std::string& alert_name,
                         const std::string& status, int minutes_before_now,
                         const std::string& detail, const std::string& severity) {
  TimePoint time = ToolsTestNow() - std::chrono::minutes(minutes_before_now);
  char id[32];
  std::snprintf(id, sizeof(id), "om_%06d", ++next_message_);
  Exec(
      "INSERT INTO lark_alerts (message_id, cluster_id, account_id, region, alert_name, "
      "severity, status, detail, dashboard_url, silence_url, source, alert_time, starts_at, "
      "ends_at, created_at) VALUES (?, ?, NULL, 'cn-hangzhou', ?, ?, ?, ?, ?, NULL, 'lark', ?, "
      "?, NULL, ?)",
      {store::Text(id), store::Text(cluster_id), store::Text(alert_name), store::Text(severity),
       store::Text(status), store::Text(detail),
       store::Text("https://grafana.example/d/" + cluster_id), store::Time(time), store::Time(time),
       store::Time(time)});
}

void TestFleet::AddOperation(const std::string& cluster_id, const std::string& type,
                             int minutes_before_now, const std::string& parameters,
                             const std::string& result, const std::string& actor) {
  TimePoint started = ToolsTestNow() - std::chrono::minutes(minutes_before_now);
  char id[32];
  std::snprintf(id, sizeof(id), "op_%06d", ++next_operation_);
  Exec(
      "INSERT INTO cluster_operations (operation_id, cluster_id, account_id, operation_type, "
      "actor, parameters, result, started_at, finished_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)",
      {store::Text(id), store::Text(cluster_id), store::Text(type), store::Text(actor),
       store::Text(parameters), store::Text(result), store::Time(started),
       store::Time(started + std::chrono::minutes(12))});
}

void TestFleet::AddHealth(const std::string& cluster_id, int hours_before_now, double score,
                          const std::string& risk, int firing_alerts) {
  TimePoint time = ToolsTestNow() - std::chrono::hours(hours_before_now);
  Exec(
      "INSERT INTO cluster_health_scores (cluster_id, snapshot_time, health_score, "
      "metric_score, alert_score, tier_score, risk_level, baseline_score, trend, firing_alerts, "
      "dimension_scores, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)",
      {store::Text(cluster_id), store::Time(time), store::Real(score), store::Real(score),
       store::Real(score), store::Real(100), store::Text(risk), store::Real(95),
       store::Real(score - 95), store::Int(firing_alerts), store::Time(time)});
  Exec(
      "INSERT INTO cluster_risk_snapshots (cluster_id, snapshot_time, risk_level, "
      "health_score, previous_score, score_delta, customer_tier, top_risks) VALUES (?, ?, ?, ?, "
      "NULL, NULL, 'S', ?)",
      {store::Text(cluster_id), store::Time(time), store::Text(risk), store::Real(score),
       store::Text(R"([{"metric":"disk","value":91.2,"state":"critical"}])")});
}

void TestFleet::AddReport(const std::string& report_id, const std::string& cluster_id,
                          const std::string& account_id, const std::string& category,
                          int days_before_now, const std::string& root_cause) {
  TimePoint created = ToolsTestNow() - std::chrono::hours(24 * days_before_now);
  Exec(
      "INSERT INTO investigation_reports (report_id, task_id, cluster_id, account_id, engine, "
      "model, severity, confidence, category, root_cause, summary, report_json, markdown, "
      "created_at) VALUES (?, NULL, ?, ?, 'playbook', NULL, 'high', 0.8, ?, ?, ?, '{}', '', ?)",
      {store::Text(report_id), store::Text(cluster_id), store::Text(account_id),
       store::Text(category), store::Text(root_cause), store::Text("summary of " + report_id),
       store::Time(created)});
}

// The standard fleet:
//  acct-alpha1 (tier S)
//    c-disk0001  3.2.1 BE 3x16: data disk ramps from 55% (48 h ago) to 92% now; Data Disk
//                Capacity Alert fired 28 h ago (warning) and 9 h ago (critical); health
//                Critical 45 now, Warning 72 a day ago, Healthy 92 a week ago.
//    c-sib00001  3.2.1 healthy sibling; c-sib00002 3.3.4 healthy sibling, one resolved alert.
//  acct-beta01 (tier B)
//    c-flap0001  3.3.4 shared_data: "BE CPU Alert" fires and resolves 4 times in 24 h, firing
//                now; metrics healthy.
//    c-gap00001  3.3.4: no snapshots for the last 6 hours.
//    c-oper0001  3.1.9: UPGRADE 3.1.8 -> 3.1.9 20h30m ago, latency p99 ~9 s from 20 h ago,
//                Query Latency Alert 19h30m ago; an UPDATE 5 days ago whose parameters hold a
//                password; a routine SCALE 10 days ago (outside the default window).
//  acct-gamma1 (tier A): c-acct0001..3 all fire "Query Failure Alert" since 5 h ago, query
//                errors at 3%; 0001 and 0002 Warning.
//  acct-delta1 (tier C): c-peer0001 3.2.1 BE 3x16 standard (a version/spec peer of c-disk0001).
// Memory: c-disk0001 had a disk_capacity report 20 days ago; c-sib00001 a memory_pressure
// report 3 days ago; c-flap0001 a disk_capacity report 10 days ago.
void TestFleet::BuildStandardFleet() {
  Migrate();
  AddAccount("acct-alpha1", "S");
  AddAccount("acct-beta01", "B");
  AddAccount("acct-gamma1", "A");
  AddAccount("acct-delta1", "C");
  AddCluster("c-disk0001", "acct-alpha1", "3.2.1");
  AddCluster("c-sib00001", "acct-alpha1", "3.2.1");
  AddCluster("c-sib00002", "acct-alpha1", "3.3.4");
  AddCluster("c-flap0001", "acct-beta01", "3.3.4", "shared_data", 4, 32, "ramEnhanced");
  AddCluster("c-gap00001", "acct-beta01", "3.3.4");
  AddCluster("c-oper0001", "acct-beta01", "3.1.9");
  AddCluster("c-acct0001", "acct-gamma1", "3.3.4");
  AddCluster("c-acct0002", "acct-gamma1", "3.3.4");
  AddCluster("c-acct0003", "acct-gamma1", "3.3.4");
  AddCluster("c-peer0001", "acct-delta1", "3.2.1");

  AddMetrics("c-disk0001", 1, [](const std::string& metric, int hours_before) {
    if (metric != "starrocks_be_disks_data_used_pct" || hours_before > 48) {
      return std::optional<double>();
    }
    return std::optional<double>(55.0 + (92.0 - 55.0) * (48 - hours_before) / 48.0);
  });
  AddMetrics("c-sib00001", 2);
  AddMetrics("c-sib00002", 3, nullptr, 0, kShortHistoryHours);
  AddMetrics("c-flap0001", 4, nullptr, 0, kShortHistoryHours);
  AddMetrics("c-gap00001", 5, nullptr, 6, kShortHistoryHours);
  AddMetrics("c-oper0001", 6, [](const std::string& metric, int hours_before) {
    if (metric != "starrocks_fe_query_latency_ms_p99" || hours_before > 20) {
      return std::optional<double>();
    }
    return std::optional<double>(9000.0 + 50 * (hours_before % 3));
  });
  for (int cluster_idx = 1; cluster_idx <= 3; ++cluster_idx) {
    AddMetrics(
        "c-acct000" + std::to_string(cluster_idx), 10 + cluster_idx,
        [](const std::string& metric, int hours_before) {
          if (metric != "starrocks_fe_query_err" || hours_before > 5) {
            return std::optional<double>();
          }
          return std::optional<double>(3.0);
        },
        0, kShortHistoryHours);
  }
  AddMetrics("c-peer0001", 20, nullptr, 0, kShortHistoryHours);

  AddAlert("c-disk0001", "Data Disk Capacity Alert", "Firing", 28 * 60,
           "BE data disk used 70.4% on be-1 (threshold 70%)", "warning");
  AddAlert("c-disk0001", "Data Disk Capacity Alert", "Firing", 9 * 60,
           "BE data disk used 85.6% on be-1 (threshold 85%)", "critical");
  AddAlert("c-sib00002", "BE CPU Alert", "Firing", 50 * 60, "BE CPU 72%", "warning");
  AddAlert("c-sib00002", "BE CPU Alert", "Resolved", 49 * 60, "BE CPU 40%", "warning");
  for (int minutes : {22 * 60, 16 * 60, 10 * 60, 4 * 60}) {
    AddAlert("c-flap0001", "BE CPU Alert", "Firing", minutes, "BE CPU 71%", "warning");
    AddAlert("c-flap0001", "BE CPU Alert", "Resolved", minutes - 20, "BE CPU 54%", "warning");
  }
  AddAlert("c-flap0001", "BE CPU Alert", "Firing", 60, "BE CPU 71%", "warning");
  AddAlert("c-oper0001", "Query Latency Alert", "Firing", 19 * 60 + 30,
           "query latency p99 9.1 s (threshold 5 s)", "critical");
  for (int cluster_idx = 1; cluster_idx <= 3; ++cluster_idx) {
    AddAlert("c-acct000" + std::to_string(cluster_idx), "Query Failure Alert", "Firing",
             5 * 60 - cluster_idx, "query error rate 3.0%", "critical");
  }

  AddOperation("c-oper0001", "UPGRADE", 20 * 60 + 30,
               R"({"from_version":"3.1.8","to_version":"3.1.9"})");
  AddOperation("c-oper0001", "UPDATE", 5 * 24 * 60,
               R"({"config":"query_timeout=300","AdminPassword":"hunter2-very-secret"})", "SUCCESS",
               "alice");
  AddOperation("c-oper0001", "SCALE", 10 * 24 * 60, R"({"node_type":"BE","from_cu":8,"to_cu":16})");

  AddHealth("c-disk0001", 24 * 7, 92, "Healthy");
  AddHealth("c-disk0001", 24, 72, "Warning", 1);
  AddHealth("c-disk0001", 0, 45, "Critical", 1);
  AddHealth("c-sib00001", 0, 95, "Healthy");
  AddHealth("c-acct0001", 0, 65, "Warning", 1);
  AddHealth("c-acct0002", 0, 66, "Warning", 1);
  AddHealth("c-acct0003", 0, 81, "Healthy", 1);

  AddReport("rpt_disk_old", "c-disk0001", "acct-alpha1", "disk_capacity", 20,
            "data disk filled by an unbounded log table");
  AddReport("rpt_sib_mem", "c-sib00001", "acct-alpha1", "memory_pressure", 3,
            "BE memory exceeded the limit during a large join");
  AddReport("rpt_flap_disk", "c-flap0001", "acct-beta01", "disk_capacity", 10,
            "data disk filled after a backfill");
}

std::string ChecksumDatabase(store::Database& db) {
  bool sqlite = db.dialect() == store::Dialect::kSqlite;
  auto tables = db.Query(sqlite ? "SELECT name, COALESCE(sql, '') FROM sqlite_master ORDER BY "
                                  "type, name"
                                : "SELECT table_name, table_type FROM information_schema.tables "
                                  "WHERE table_schema = DATABASE() ORDER BY table_name");
  EXPECT_TRUE(tables) << tables.error().ToString();
  if (!tables) return "";
  std::string digest_input;
  if (!sqlite) {
    auto columns = db.Query(
        "SELECT table_name, column_name, column_type FROM "
        "information_schema.columns WHERE table_schema = DATABASE() ORDER BY "
        "table_name, ordinal_position");
    EXPECT_TRUE(columns) << columns.error().ToString();
    if (columns) {
      for (store::Row column : *columns) {
        digest_input += "col:" + column.GetString(size_t{0}) + "." + column.GetString(size_t{1}) +
                        ":" + column.GetString(size_t{2}) + "\n";
      }
    }
  }
  for (store::Row table : *tables) {
    std::string name = table.GetString(size_t{0});
    digest_input += "table:" + name + ":" + table.GetString(size_t{1}) + "\n";
    if (sqlite && name.rfind("sqlite_", 0) == 0) continue;
    if (sqlite) {
      auto type = db.Query("SELECT type FROM sqlite_master WHERE name = ?", {store::Text(name)});
      if (type && !type->empty() && type->front().GetString(size_t{0}) != "table") continue;
    }
    auto rows = db.Query("SELECT * FROM " + name);
    EXPECT_TRUE(rows) << rows.error().ToString();
    if (!rows) continue;
    std::vector<std::string> lines;
    for (store::Row row : *rows) {
      std::string line;
      for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
        line += CellText(row.Get(column_idx));
        line.push_back('\x1f');
      }
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
    digest_input += "rows:" + std::to_string(lines.size()) + "\n";
    for (const std::string& line : lines) digest_input += line + "\n";
  }
  return Sha256Hex(digest_input);
}

}  // namespace rh::testing
