#include "server/fleet_view.h"

#include <algorithm>
#include <map>

#include "core/time_format.h"

namespace rh::server {
namespace {

using store::Row;

Json TimeOrNull(const Row& row, std::string_view column) {
  auto time = row.GetTime(column);
  return time ? Json(FormatIsoTime(*time)) : Json(nullptr);
}

Json NumberOrNull(const Row& row, std::string_view column) {
  return row.IsNull(column) ? Json(nullptr) : Json(row.GetDouble(column));
}

Json TextOrNull(const Row& row, std::string_view column) {
  return row.IsNull(column) ? Json(nullptr) : Json(row.GetString(column));
}

// A JSON column (top_risks, dimension_scores); `fallback` when empty or unparsable.
Json JsonColumn(const Row& row, std::string_view column, Json fallback) {
  std::string text = row.GetString(column);
  if (text.empty()) return fallback;
  auto parsed = ParseJson(text, column);
  return parsed ? *parsed : fallback;
}

// Worst first: Critical, Warning, Healthy, then clusters without a score.
int RiskRank(const std::string& risk_level) {
  if (risk_level == "Critical") return 0;
  if (risk_level == "Warning") return 1;
  if (risk_level == "Healthy") return 2;
  return 3;
}

constexpr const char* kClusterColumns =
    "SELECT c.cluster_id, c.cluster_name, c.account_id, c.region, c.version, c.run_mode, "
    "c.package_type, c.status, p.account_name, p.customer_tier "
    "FROM cluster_info c LEFT JOIN dim_customer_profile p ON p.account_id = c.account_id";

Json ClusterBase(const Row& row) {
  return Json{{"cluster_id", row.GetString("cluster_id")},
              {"cluster_name", row.GetString("cluster_name")},
              {"account_id", row.GetString("account_id")},
              {"account_name", TextOrNull(row, "account_name")},
              {"customer_tier", TextOrNull(row, "customer_tier")},
              {"region", row.GetString("region")},
              {"version", row.GetString("version")},
              {"run_mode", row.GetString("run_mode")},
              {"package_type", row.GetString("package_type")},
              {"status", row.GetString("status")},
              {"risk_level", ""},
              {"health_score", nullptr},
              {"previous_score", nullptr},
              {"score_delta", nullptr},
              {"snapshot_time", nullptr},
              {"firing_alerts", nullptr},
              {"top_risks", Json::array()}};
}

void AddRisk(Json& cluster, const Row& risk) {
  cluster["risk_level"] = risk.GetString("risk_level");
  cluster["health_score"] = NumberOrNull(risk, "health_score");
  cluster["previous_score"] = NumberOrNull(risk, "previous_score");
  cluster["score_delta"] = NumberOrNull(risk, "score_delta");
  cluster["snapshot_time"] = TimeOrNull(risk, "snapshot_time");
  cluster["top_risks"] = JsonColumn(risk, "top_risks", Json::array());
}

}  // namespace

Result<bool> FleetView::ClusterExists(const std::string& cluster_id) {
  RH_ASSIGN_OR_RETURN(int64_t count,
                      fleet_.QueryInt("SELECT COUNT(*) FROM cluster_info WHERE cluster_id = ?",
                                      {store::Text(cluster_id)}));
  return count > 0;
}

Result<Json> FleetView::ListClusters(const ClusterListOptions& options) {
  std::string sql = kClusterColumns;
  std::vector<store::Value> params;
  if (!options.account_id.empty()) {
    sql += " WHERE c.account_id = ?";
    params.push_back(store::Text(options.account_id));
  }
  RH_ASSIGN_OR_RETURN(store::QueryResult clusters, fleet_.Query(sql, params));
  // The newest snapshot of every cluster, and the firing-alert count the scorer saw then.
  RH_ASSIGN_OR_RETURN(
      store::QueryResult risks,
      fleet_.Query("SELECT r.cluster_id, r.snapshot_time, r.risk_level, r.health_score, "
                   "r.previous_score, r.score_delta, r.top_risks, h.firing_alerts "
                   "FROM cluster_risk_snapshots r "
                   "JOIN (SELECT cluster_id, MAX(snapshot_time) AS latest "
                   "FROM cluster_risk_snapshots GROUP BY cluster_id) m "
                   "ON m.cluster_id = r.cluster_id AND m.latest = r.snapshot_time "
                   "LEFT JOIN cluster_health_scores h "
                   "ON h.cluster_id = r.cluster_id AND h.snapshot_time = r.snapshot_time"));
  std::map<std::string, size_t> risk_index;
  std::optional<TimePoint> as_of;
  for (size_t row_idx = 0; row_idx < risks.size(); ++row_idx) {
    Row risk = risks[row_idx];
    risk_index[risk.GetString("cluster_id")] = row_idx;
    auto time = risk.GetTime("snapshot_time");
    if (time && (!as_of || *time > *as_of)) as_of = *time;
  }
  std::map<std::string, Json> history;
  if (options.history_hours > 0 && as_of) {
    RH_ASSIGN_OR_RETURN(
        store::QueryResult points,
        fleet_.Query("SELECT cluster_id, snapshot_time, health_score FROM cluster_risk_snapshots "
                     "WHERE snapshot_time > ? ORDER BY cluster_id, snapshot_time",
                     {store::Time(*as_of - std::chrono::hours(options.history_hours))}));
    for (const Row& point : points) {
      Json& series = history[point.GetString("cluster_id")];
      if (series.is_null()) series = Json::array();
      series.push_back(Json{{"t", TimeOrNull(point, "snapshot_time")},
                            {"score", point.GetDouble("health_score")}});
    }
  }
  Json list = Json::array();
  Json counts = {{"Critical", 0}, {"Warning", 0}, {"Healthy", 0}, {"Unscored", 0}};
  for (const Row& row : clusters) {
    Json cluster = ClusterBase(row);
    const std::string cluster_id = row.GetString("cluster_id");
    if (auto found = risk_index.find(cluster_id); found != risk_index.end()) {
      Row risk = risks[found->second];
      AddRisk(cluster, risk);
      cluster["firing_alerts"] =
          risk.IsNull("firing_alerts") ? Json(nullptr) : Json(risk.GetInt("firing_alerts"));
    }
    const std::string risk_level = cluster["risk_level"].get<std::string>();
    if (!options.risk_level.empty() && risk_level != options.risk_level) continue;
    std::string bucket = RiskRank(risk_level) == 3 ? "Unscored" : risk_level;
    counts[bucket] = counts[bucket].get<int>() + 1;
    if (options.history_hours > 0) {
      auto series = history.find(cluster_id);
      cluster["history"] = series == history.end() ? Json::array() : series->second;
    }
    list.push_back(std::move(cluster));
  }
  std::stable_sort(list.begin(), list.end(), [](const Json& a, const Json& b) {
    int rank_a = RiskRank(a["risk_level"].get<std::string>());
    int rank_b = RiskRank(b["risk_level"].get<std::string>());
    if (rank_a != rank_b) return rank_a < rank_b;
    double score_a = a["health_score"].is_number() ? a["health_score"].get<double>() : 101.0;
    double score_b = b["health_score"].is_number() ? b["health_score"].get<double>() : 101.0;
    if (score_a != score_b) return score_a < score_b;
    return a["cluster_id"].get<std::string>() < b["cluster_id"].get<std::string>();
  });
  return Json{{"as_of", as_of ? Json(FormatIsoTime(*as_of)) : Json(nullptr)},
              {"clusters", std::move(list)},
              {"counts", std::move(counts)}};
}

Result<Json> FleetView::GetCluster(const std::string& cluster_id, int history_hours) {
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet_.Query(std::string(kClusterColumns) + " WHERE c.cluster_id = ?",
                                   {store::Text(cluster_id)}));
  if (rows.empty()) {
    return NotFound("cluster '" + cluster_id + "'", "is not in the fleet (cluster_info)");
  }
  Json cluster = ClusterBase(rows.front());

  RH_ASSIGN_OR_RETURN(store::QueryResult groups,
                      fleet_.Query("SELECT node_type, node_count, cu, spec_type, disk_size_gb, "
                                   "essd_level FROM cluster_node_groups WHERE cluster_id = ? "
                                   "ORDER BY node_type",
                                   {store::Text(cluster_id)}));
  Json node_groups = Json::array();
  for (const Row& group : groups) {
    node_groups.push_back(Json{{"node_type", group.GetString("node_type")},
                               {"node_count", group.GetInt("node_count")},
                               {"cu", group.GetInt("cu")},
                               {"spec_type", group.GetString("spec_type")},
                               {"disk_size_gb", group.GetInt("disk_size_gb")},
                               {"essd_level", TextOrNull(group, "essd_level")}});
  }
  cluster["node_groups"] = std::move(node_groups);

  RH_ASSIGN_OR_RETURN(
      store::QueryResult latest,
      fleet_.Query("SELECT r.snapshot_time, r.risk_level, r.health_score, r.previous_score, "
                   "r.score_delta, r.top_risks, h.metric_score, h.alert_score, h.tier_score, "
                   "h.baseline_score, h.trend, h.firing_alerts, h.dimension_scores "
                   "FROM cluster_risk_snapshots r LEFT JOIN cluster_health_scores h "
                   "ON h.cluster_id = r.cluster_id AND h.snapshot_time = r.snapshot_time "
                   "WHERE r.cluster_id = ? ORDER BY r.snapshot_time DESC LIMIT 1",
                   {store::Text(cluster_id)}));
  cluster["metric_score"] = nullptr;
  cluster["alert_score"] = nullptr;
  cluster["tier_score"] = nullptr;
  cluster["baseline_score"] = nullptr;
  cluster["trend"] = nullptr;
  cluster["dimension_scores"] = Json::object();
  Json history = Json::array();
  if (!latest.empty()) {
    Row risk = latest.front();
    AddRisk(cluster, risk);
    cluster["metric_score"] = NumberOrNull(risk, "metric_score");
    cluster["alert_score"] = NumberOrNull(risk, "alert_score");
    cluster["tier_score"] = NumberOrNull(risk, "tier_score");
    cluster["baseline_score"] = NumberOrNull(risk, "baseline_score");
    cluster["trend"] = NumberOrNull(risk, "trend");
    cluster["firing_alerts"] =
        risk.IsNull("firing_alerts") ? Json(nullptr) : Json(risk.GetInt("firing_alerts"));
    cluster["dimension_scores"] = JsonColumn(risk, "dimension_scores", Json::object());
    auto newest = risk.GetTime("snapshot_time");
    if (newest && history_hours > 0) {
      RH_ASSIGN_OR_RETURN(
          store::QueryResult points,
          fleet_.Query(
              "SELECT snapshot_time, health_score, risk_level FROM "
              "cluster_risk_snapshots WHERE cluster_id = ? AND snapshot_time > ? "
              "ORDER BY snapshot_time",
              {store::Text(cluster_id), store::Time(*newest - std::chrono::hours(history_hours))}));
      for (const Row& point : points) {
        history.push_back(Json{{"snapshot_time", TimeOrNull(point, "snapshot_time")},
                               {"health_score", point.GetDouble("health_score")},
                               {"risk_level", point.GetString("risk_level")}});
      }
    }
  }
  cluster["history"] = std::move(history);

  RH_ASSIGN_OR_RETURN(
      store::QueryResult alerts,
      fleet_.Query("SELECT message_id, alert_name, severity, status, detail, source, alert_time, "
                   "starts_at, ends_at, dashboard_url, silence_url FROM lark_alerts "
                   "WHERE cluster_id = ? ORDER BY alert_time DESC, message_id LIMIT 20",
                   {store::Text(cluster_id)}));
  Json recent_alerts = Json::array();
  for (const Row& alert : alerts) {
    recent_alerts.push_back(Json{{"message_id", alert.GetString("message_id")},
                                 {"alert_name", alert.GetString("alert_name")},
                                 {"severity", TextOrNull(alert, "severity")},
                                 {"status", alert.GetString("status")},
                                 {"detail", TextOrNull(alert, "detail")},
                                 {"source", TextOrNull(alert, "source")},
                                 {"alert_time", TimeOrNull(alert, "alert_time")},
                                 {"starts_at", TimeOrNull(alert, "starts_at")},
                                 {"ends_at", TimeOrNull(alert, "ends_at")},
                                 {"dashboard_url", TextOrNull(alert, "dashboard_url")},
                                 {"silence_url", TextOrNull(alert, "silence_url")}});
  }
  cluster["recent_alerts"] = std::move(recent_alerts);

  RH_ASSIGN_OR_RETURN(
      store::QueryResult operations,
      fleet_.Query("SELECT operation_id, operation_type, actor, result, started_at, finished_at "
                   "FROM cluster_operations WHERE cluster_id = ? "
                   "ORDER BY started_at DESC, operation_id LIMIT 10",
                   {store::Text(cluster_id)}));
  Json recent_operations = Json::array();
  for (const Row& operation : operations) {
    recent_operations.push_back(Json{{"operation_id", operation.GetString("operation_id")},
                                     {"operation_type", operation.GetString("operation_type")},
                                     {"actor", TextOrNull(operation, "actor")},
                                     {"result", operation.GetString("result")},
                                     {"started_at", TimeOrNull(operation, "started_at")},
                                     {"finished_at", TimeOrNull(operation, "finished_at")}});
  }
  cluster["recent_operations"] = std::move(recent_operations);
  return cluster;
}

}  // namespace rh::server
