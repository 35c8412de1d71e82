// Helpers shared by the simulator tests: table checksums that compare equal across SQLite and
// MariaDB, per-cluster metric series, and alert lookups.
#pragma once

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ids.h"
#include "core/time_format.h"
#include "store/database.h"

namespace rh::simulator::testing {

// Every table the simulator writes.
inline const std::vector<std::string>& SimulatedTables() {
  static const std::vector<std::string> tables = {
      "dim_customer_profile", "cluster_info", "cluster_node_groups", "amv_hourly_snapshots_v1",
      "lark_alerts",          "cluster_operations", "fleet_meta", "sim_ground_truth"};
  return tables;
}

// A cell as text that does not depend on the backend (MySQL returns every cell as text).
inline std::string CanonicalCell(const store::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (!text->empty()) {
      char* end = nullptr;
      const double number = std::strtod(text->c_str(), &end);
      if (end == text->c_str() + text->size()) return store::ValueToString(store::Value(number));
    }
    return *text;
  }
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    return store::ValueToString(store::Value(static_cast<double>(*integer)));
  }
  return store::ValueToString(value);
}

inline std::string TableChecksum(store::Database& db, const std::string& table) {
  auto result = db.Query("SELECT * FROM " + table + " ORDER BY 1, 2");
  EXPECT_TRUE(result) << table << ": " << result.error().ToString();
  if (!result) return "";
  std::string text;
  for (const store::Row row : *result) {
    for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
      text += CanonicalCell(row.Get(column_idx));
      text.push_back('\x1f');
    }
    text.push_back('\n');
  }
  return Sha256Hex(text);
}

inline std::map<std::string, std::string> FleetChecksums(store::Database& db) {
  std::map<std::string, std::string> sums;
  for (const std::string& table : SimulatedTables()) sums[table] = TableChecksum(db, table);
  return sums;
}

// avg_value per hour of one metric of one cluster, oldest first, with the hours.
struct Series {
  std::vector<std::string> hours;
  std::vector<double> values;
  double Last() const { return values.empty() ? 0 : values.back(); }
  // Mean over [from, to] (indices clamped).
  double Mean(int from, int to) const {
    double sum = 0;
    int count = 0;
    for (int idx = std::max(0, from); idx <= to && idx < static_cast<int>(values.size()); ++idx) {
      sum += values[static_cast<size_t>(idx)];
      ++count;
    }
    return count ? sum / count : 0;
  }
  // Index of the first hour at or after `time` ("YYYY-MM-DD HH:MM:SS").
  int IndexAt(const std::string& time) const {
    for (size_t idx = 0; idx < hours.size(); ++idx) {
      if (hours[idx] >= time) return static_cast<int>(idx);
    }
    return static_cast<int>(hours.size());
  }
};

inline Series MetricSeries(store::Database& db, const std::string& cluster_id,
                           const std::string& metric) {
  Series series;
  auto result = db.Query(
      "SELECT snapshot_hour, avg_value FROM amv_hourly_snapshots_v1 WHERE cluster_id = ? AND "
      "metric_name = ? ORDER BY snapshot_hour",
      {store::Text(cluster_id), store::Text(metric)});
  EXPECT_TRUE(result);
  if (!result) return series;
  for (const store::Row row : *result) {
    auto hour = row.GetTime(0);
    series.hours.push_back(hour ? FormatSqlTime(*hour) : row.GetString(0));
    series.values.push_back(row.GetDouble(1));
  }
  return series;
}

// Alert names still firing (a Firing message without a Resolved one for the same start).
inline std::vector<std::string> FiringAlerts(store::Database& db, const std::string& cluster_id) {
  std::vector<std::string> names;
  auto result = db.Query(
      "SELECT alert_name FROM lark_alerts WHERE cluster_id = ? GROUP BY alert_name, starts_at "
      "HAVING SUM(CASE WHEN status = 'Resolved' THEN 1 ELSE 0 END) = 0 ORDER BY alert_name",
      {store::Text(cluster_id)});
  EXPECT_TRUE(result);
  if (!result) return names;
  for (const store::Row row : *result) names.push_back(row.GetString(0));
  return names;
}

inline bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace rh::simulator::testing
