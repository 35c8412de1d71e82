#include "simulator/fleet_summary.h"

#include <algorithm>
#include <charconv>

#include "core/time_format.h"
#include "simulator/ground_truth.h"

namespace rh::simulator {
namespace {

Result<Counts> CountBy(store::Database& db, const std::string& sql) {
  RH_ASSIGN_OR_RETURN(store::QueryResult result, db.Query(sql));
  Counts counts;
  for (const store::Row row : result) counts.emplace_back(row.GetString(0, "(none)"), row.GetInt(1));
  return counts;
}

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t digit_idx = 0; digit_idx < digits.size(); ++digit_idx) {
    if (digit_idx > 0 && (digits.size() - digit_idx) % 3 == 0) out.push_back(',');
    out.push_back(digits[digit_idx]);
  }
  return value < 0 ? "-" + out : out;
}

std::string JoinCounts(const Counts& counts) {
  std::string out;
  for (const auto& [label, count] : counts) {
    if (!out.empty()) out += ", ";
    out += label + " " + Thousands(count);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

Result<std::optional<SimulationMeta>> ReadSimulationMeta(store::Database& db) {
  RH_ASSIGN_OR_RETURN(bool exists, db.TableExists("fleet_meta"));
  if (!exists) return std::optional<SimulationMeta>();
  RH_ASSIGN_OR_RETURN(store::QueryResult result,
                      db.Query("SELECT meta_key, meta_value FROM fleet_meta"));
  SimulationMeta meta;
  bool found = false;
  for (const store::Row row : result) {
    const std::string key = row.GetString(0);
    const std::string value = row.GetString(1);
    if (key == "sim_seed") {
      found = true;
      std::from_chars(value.data(), value.data() + value.size(), meta.seed);
    } else if (key == "sim_clusters") {
      std::from_chars(value.data(), value.data() + value.size(), meta.clusters);
    } else if (key == "sim_days") {
      std::from_chars(value.data(), value.data() + value.size(), meta.days);
    } else if (key == "sim_incidents") {
      std::from_chars(value.data(), value.data() + value.size(), meta.incidents);
    } else if (key == "sim_end") {
      auto end = ParseSqlTime(value);
      if (end) meta.end_hour = *end;
    } else if (key == "generated_at") {
      meta.generated_at = value;
    } else if (key == "sim_status") {
      meta.status = value;
    }
  }
  if (!found) {
    // A generation that stopped before its last step leaves only sim_status behind.
    if (meta.status.empty()) return std::optional<SimulationMeta>();
  }
  return std::optional<SimulationMeta>(meta);
}

Result<FleetSummary> SummarizeFleet(store::Database& db) {
  FleetSummary summary;
  summary.database = db.description();
  RH_ASSIGN_OR_RETURN(summary.simulation, ReadSimulationMeta(db));
  RH_ASSIGN_OR_RETURN(summary.accounts, db.QueryInt("SELECT COUNT(*) FROM dim_customer_profile"));
  RH_ASSIGN_OR_RETURN(summary.accounts_by_tier,
                      CountBy(db, "SELECT customer_tier, COUNT(*) FROM dim_customer_profile "
                                  "GROUP BY customer_tier ORDER BY customer_tier"));
  RH_ASSIGN_OR_RETURN(summary.clusters, db.QueryInt("SELECT COUNT(*) FROM cluster_info"));
  RH_ASSIGN_OR_RETURN(summary.clusters_by_run_mode,
                      CountBy(db, "SELECT run_mode, COUNT(*) FROM cluster_info GROUP BY run_mode "
                                  "ORDER BY run_mode"));
  // The version line is everything before the second dot ("3.2.8" -> "3.2").
  RH_ASSIGN_OR_RETURN(store::QueryResult versions,
                      db.Query("SELECT version, COUNT(*) FROM cluster_info GROUP BY version"));
  std::vector<std::pair<std::string, int64_t>> lines;
  for (const store::Row row : versions) {
    std::string version = row.GetString(0);
    const size_t first_dot = version.find('.');
    const size_t second_dot =
        first_dot == std::string::npos ? std::string::npos : version.find('.', first_dot + 1);
    const std::string line = version.substr(0, second_dot);
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const auto& entry) { return entry.first == line; });
    if (it == lines.end()) {
      lines.emplace_back(line, row.GetInt(1));
    } else {
      it->second += row.GetInt(1);
    }
  }
  std::sort(lines.begin(), lines.end());
  summary.clusters_by_version_line = lines;
  RH_ASSIGN_OR_RETURN(summary.clusters_by_region,
                      CountBy(db, "SELECT region, COUNT(*) FROM cluster_info GROUP BY region "
                                  "ORDER BY region"));
  RH_ASSIGN_OR_RETURN(summary.snapshot_rows,
                      db.QueryInt("SELECT COUNT(*) FROM amv_hourly_snapshots_v1"));
  RH_ASSIGN_OR_RETURN(
      store::QueryResult range,
      db.Query("SELECT MIN(snapshot_hour), MAX(snapshot_hour) FROM amv_hourly_snapshots_v1"));
  if (!range.empty()) {
    summary.first_snapshot = range.front().GetTime(0);
    summary.last_snapshot = range.front().GetTime(1);
  }
  RH_ASSIGN_OR_RETURN(summary.alert_messages, db.QueryInt("SELECT COUNT(*) FROM lark_alerts"));
  const std::string open_alerts =
      "SELECT cluster_id FROM lark_alerts GROUP BY cluster_id, alert_name, starts_at "
      "HAVING SUM(CASE WHEN status = 'Resolved' THEN 1 ELSE 0 END) = 0";
  RH_ASSIGN_OR_RETURN(summary.firing_alerts,
                      db.QueryInt("SELECT COUNT(*) FROM (" + open_alerts + ") open_alerts"));
  RH_ASSIGN_OR_RETURN(
      summary.clusters_with_firing_alerts,
      db.QueryInt("SELECT COUNT(DISTINCT cluster_id) FROM (" + open_alerts + ") open_alerts"));
  RH_ASSIGN_OR_RETURN(summary.operations, db.QueryInt("SELECT COUNT(*) FROM cluster_operations"));
  RH_ASSIGN_OR_RETURN(summary.operations_by_type,
                      CountBy(db, "SELECT operation_type, COUNT(*) FROM cluster_operations "
                                  "GROUP BY operation_type ORDER BY operation_type"));
  RH_ASSIGN_OR_RETURN(bool has_truth, db.TableExists(kGroundTruthTable));
  if (has_truth) {
    RH_ASSIGN_OR_RETURN(int64_t incidents,
                        db.QueryInt("SELECT COUNT(DISTINCT incident_id) FROM sim_ground_truth"));
    RH_ASSIGN_OR_RETURN(int64_t rows, db.QueryInt("SELECT COUNT(*) FROM sim_ground_truth"));
    summary.labelled_incidents = incidents;
    summary.labelled_clusters = rows;
  }
  return summary;
}

std::string FormatFleetSummary(const FleetSummary& summary) {
  std::string out;
  out += "Fleet database: " + summary.database + "\n";
  if (summary.simulation) {
    const SimulationMeta& sim = *summary.simulation;
    out += "Simulated fleet: seed " + std::to_string(sim.seed) + ", " +
           Thousands(sim.clusters) + " clusters x " + std::to_string(sim.days) +
           " days, last hour " + FormatSqlTime(sim.end_hour) + " UTC, generated " +
           sim.generated_at + (sim.complete() ? "" : "  [INCOMPLETE: regenerate with --force]") +
           "\n";
  }
  out += "Accounts:   " + Thousands(summary.accounts) + " (tier " +
         JoinCounts(summary.accounts_by_tier) + ")\n";
  out += "Clusters:   " + Thousands(summary.clusters) + " (" +
         JoinCounts(summary.clusters_by_run_mode) + ")\n";
  out += "  versions: " + JoinCounts(summary.clusters_by_version_line) + "\n";
  out += "  regions:  " + JoinCounts(summary.clusters_by_region) + "\n";
  out += "Snapshots:  " + Thousands(summary.snapshot_rows) + " rows";
  if (summary.first_snapshot && summary.last_snapshot) {
    out += ", hourly from " + FormatSqlTime(*summary.first_snapshot) + " to " +
           FormatSqlTime(*summary.last_snapshot) + " UTC";
  }
  out += "\n";
  out += "Alerts:     " + Thousands(summary.alert_messages) + " messages, " +
         Thousands(summary.firing_alerts) + " still firing on " +
         Thousands(summary.clusters_with_firing_alerts) + " clusters\n";
  out += "Operations: " + Thousands(summary.operations) + " (" +
         JoinCounts(summary.operations_by_type) + ")\n";
  if (summary.labelled_incidents) {
    out += "Labelled incidents: " + Thousands(*summary.labelled_incidents) + " on " +
           Thousands(summary.labelled_clusters.value_or(0)) +
           " clusters (ground truth, hidden from tools: `rockhound fleet incidents`)\n";
  }
  return out;
}

}  // namespace rh::simulator
