#include "service/fleet_views.h"

#include <algorithm>
#include <cstdio>

#include "alerts/cluster_alerts.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "service/internal/overview_cache.h"
#include "service/investigations.h"
#include "service/json_views.h"

namespace rh::service {
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

std::optional<double> OptDouble(const Row& row, std::string_view column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.GetDouble(column);
}

// A JSON column (top_risks, dimension_scores); `fallback` when empty or unparsable.
Json JsonColumn(const Row& row, std::string_view column, Json fallback) {
  std::string text = row.GetString(column);
  if (text.empty()) return fallback;
  auto parsed = ParseJson(text, column);
  return parsed ? *parsed : fallback;
}

// Every cluster with its newest score row (the correlated MAX uses the (cluster_id,
// snapshot_time) primary key: one index seek per cluster).
constexpr const char* kOverviewBase =
    "SELECT c.cluster_id, c.cluster_name, c.account_id, c.region, c.version, c.run_mode, "
    "c.package_type, c.status, p.account_name, p.customer_tier, r.snapshot_time, r.risk_level, "
    "r.health_score, r.previous_score, r.score_delta, r.top_risks, h.firing_alerts, "
    "CASE WHEN r.health_score IS NULL THEN 1 ELSE 0 END AS unscored "
    "FROM cluster_info c "
    "LEFT JOIN dim_customer_profile p ON p.account_id = c.account_id "
    "LEFT JOIN cluster_risk_snapshots r ON r.cluster_id = c.cluster_id AND r.snapshot_time = "
    "(SELECT MAX(r2.snapshot_time) FROM cluster_risk_snapshots r2 "
    "WHERE r2.cluster_id = c.cluster_id) "
    "LEFT JOIN cluster_health_scores h "
    "ON h.cluster_id = r.cluster_id AND h.snapshot_time = r.snapshot_time";

constexpr const char* kClusterColumns =
    "SELECT c.cluster_id, c.cluster_name, c.account_id, c.region, c.version, c.run_mode, "
    "c.package_type, c.status, p.account_name, p.customer_tier "
    "FROM cluster_info c LEFT JOIN dim_customer_profile p ON p.account_id = c.account_id";

std::string Hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() * 2);
  for (unsigned char c : text) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t char_idx = 0; char_idx < text.size(); char_idx += 2) {
    int high = digit(text[char_idx]);
    int low = digit(text[char_idx + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

std::string FormatScore(double score) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", score);
  return buffer;
}

// The keyset of a row in `sort` order, as an opaque cursor: hex of a JSON array.
std::string CursorFor(OverviewSort sort, const ClusterRow& row) {
  Json key = Json::array();
  key.push_back(std::string(OverviewSortName(sort)));
  if (sort == OverviewSort::kName) {
    key.push_back(row.cluster_name);
  } else {
    key.push_back(row.health_score ? 0 : 1);
    key.push_back(row.health_score ? FormatScore(*row.health_score) : "0");
  }
  key.push_back(row.cluster_id);
  return Hex(DumpJson(key));
}

tl::unexpected<Error> BadCursor() {
  return InvalidArgument("cursor", "malformed or from another sort; pass next_cursor of the "
                                   "previous page unchanged");
}

// A decoded cursor: the sort key of the last row of the previous page.
struct CursorKey {
  int unscored = 0;        // kWorstFirst
  double score = 0;        // kWorstFirst
  std::string name;        // kName
  std::string cluster_id;  // both
};

Result<std::optional<CursorKey>> ParseCursor(const OverviewQuery& query) {
  if (query.cursor.empty()) return std::optional<CursorKey>();
  auto text = Unhex(query.cursor);
  if (!text) return BadCursor();
  auto parsed = ParseJson(*text, "cursor");
  if (!parsed || !parsed->is_array() || parsed->empty() || !(*parsed)[0].is_string() ||
      (*parsed)[0].get<std::string>() != OverviewSortName(query.sort)) {
    return BadCursor();
  }
  const Json& key = *parsed;
  CursorKey cursor;
  if (query.sort == OverviewSort::kName) {
    if (key.size() != 3 || !key[1].is_string() || !key[2].is_string()) return BadCursor();
    cursor.name = key[1].get<std::string>();
    cursor.cluster_id = key[2].get<std::string>();
    return std::optional<CursorKey>(std::move(cursor));
  }
  if (key.size() != 4 || !key[1].is_number_integer() || !key[2].is_string() ||
      !key[3].is_string()) {
    return BadCursor();
  }
  const int64_t unscored = key[1].get<int64_t>();
  char* end = nullptr;
  const std::string score_text = key[2].get<std::string>();
  cursor.score = std::strtod(score_text.c_str(), &end);
  if (end == score_text.c_str() || (unscored != 0 && unscored != 1)) return BadCursor();
  cursor.unscored = static_cast<int>(unscored);
  cursor.cluster_id = key[3].get<std::string>();
  return std::optional<CursorKey>(std::move(cursor));
}

// Strict weak orders of the two sorts, over rows and against a cursor key. Names and ids
// compare bytewise, the same on every backend.
bool WorstFirstLess(const ClusterRow& a, const ClusterRow& b) {
  const bool a_unscored = !a.health_score;
  const bool b_unscored = !b.health_score;
  if (a_unscored != b_unscored) return !a_unscored;
  if (!a_unscored && *a.health_score != *b.health_score) return *a.health_score < *b.health_score;
  return a.cluster_id < b.cluster_id;
}

bool NameLess(const ClusterRow& a, const ClusterRow& b) {
  if (a.cluster_name != b.cluster_name) return a.cluster_name < b.cluster_name;
  return a.cluster_id < b.cluster_id;
}

// Whether `row` comes after `cursor` in `sort` order.
bool AfterCursor(OverviewSort sort, const CursorKey& cursor, const ClusterRow& row) {
  if (sort == OverviewSort::kName) {
    if (row.cluster_name != cursor.name) return row.cluster_name > cursor.name;
    return row.cluster_id > cursor.cluster_id;
  }
  const int unscored = row.health_score ? 0 : 1;
  if (unscored != cursor.unscored) return unscored > cursor.unscored;
  if (unscored == 0 && *row.health_score != cursor.score) return *row.health_score > cursor.score;
  return row.cluster_id > cursor.cluster_id;
}

ClusterRow RowFrom(const Row& row) {
  ClusterRow cluster;
  cluster.cluster_id = row.GetString("cluster_id");
  cluster.cluster_name = row.GetString("cluster_name");
  cluster.account_id = row.GetString("account_id");
  cluster.account_name = row.GetString("account_name");
  cluster.customer_tier = row.GetString("customer_tier");
  cluster.region = row.GetString("region");
  cluster.version = row.GetString("version");
  cluster.run_mode = row.GetString("run_mode");
  cluster.package_type = row.GetString("package_type");
  cluster.status = row.GetString("status");
  if (!row.IsNull("health_score")) {
    if (auto risk = ParseRiskLevel(row.GetString("risk_level"))) cluster.risk_level = *risk;
    cluster.health_score = row.GetDouble("health_score");
    cluster.previous_score = OptDouble(row, "previous_score");
    cluster.score_delta = OptDouble(row, "score_delta");
    cluster.snapshot_time = row.GetTime("snapshot_time");
    if (!row.IsNull("firing_alerts")) cluster.firing_alerts = row.GetInt("firing_alerts");
    cluster.top_risks = JsonColumn(row, "top_risks", Json::array());
  }
  return cluster;
}

std::string Placeholders(size_t count) {
  std::string out;
  for (size_t idx = 0; idx < count; ++idx) out += idx ? ", ?" : "?";
  return out;
}

Json OptionalNumber(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

std::string_view OverviewSortName(OverviewSort sort) {
  return sort == OverviewSort::kName ? "name" : "worst";
}

Result<OverviewSort> ParseOverviewSort(std::string_view text) {
  if (text == "worst") return OverviewSort::kWorstFirst;
  if (text == "name") return OverviewSort::kName;
  return InvalidArgument("sort", "must be worst or name; got '" + std::string(text) + "'");
}

Result<std::shared_ptr<const OverviewSnapshot>> FleetViews::Snapshot(store::Database& fleet) {
  RH_ASSIGN_OR_RETURN(
      store::QueryResult key,
      fleet.Query("SELECT (SELECT MAX(snapshot_time) FROM cluster_risk_snapshots) AS latest, "
                  "(SELECT COUNT(*) FROM cluster_info) AS clusters"));
  std::optional<TimePoint> as_of;
  int64_t cluster_count = 0;
  if (!key.empty()) {
    as_of = key.front().GetTime("latest");
    cluster_count = key.front().GetInt("clusters");
  }
  OverviewCache& cache = runtime_.overview_cache();
  auto fresh = [&](const std::shared_ptr<const OverviewSnapshot>& snapshot) {
    return snapshot && snapshot->as_of == as_of && snapshot->cluster_count == cluster_count &&
           MachineMonotonic() - snapshot->built_at < OverviewSnapshot::kMaxAge;
  };
  if (auto current = cache.Current(); fresh(current)) return current;

  std::lock_guard<std::mutex> rebuilding(cache.rebuild_mutex());
  if (auto current = cache.Current(); fresh(current)) return current;  // built meanwhile
  auto snapshot = std::make_shared<OverviewSnapshot>();
  snapshot->as_of = as_of;
  snapshot->cluster_count = cluster_count;
  snapshot->built_at = MachineMonotonic();
  RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(kOverviewBase));
  snapshot->rows.reserve(rows.size());
  for (const Row& row : rows) snapshot->rows.push_back(RowFrom(row));
  const std::vector<ClusterRow>& all = snapshot->rows;
  for (std::vector<size_t>* order : {&snapshot->worst_first, &snapshot->by_name}) {
    order->resize(all.size());
    for (size_t row_idx = 0; row_idx < all.size(); ++row_idx) (*order)[row_idx] = row_idx;
  }
  std::sort(snapshot->worst_first.begin(), snapshot->worst_first.end(),
            [&](size_t a, size_t b) { return WorstFirstLess(all[a], all[b]); });
  std::sort(snapshot->by_name.begin(), snapshot->by_name.end(),
            [&](size_t a, size_t b) { return NameLess(all[a], all[b]); });
  std::shared_ptr<const OverviewSnapshot> built = std::move(snapshot);
  cache.Replace(built);
  return built;
}

Result<FleetViews::ScoredClusters> FleetViews::ScoredWorstFirst(size_t max) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(std::shared_ptr<const OverviewSnapshot> snapshot, Snapshot(*fleet));
  ScoredClusters result;
  for (size_t index : snapshot->worst_first) {
    const ClusterRow& row = snapshot->rows[index];
    if (!row.health_score || !row.risk_level) continue;  // unscored sort last
    ++result.scored;
    if (result.worst_first.size() < max) result.worst_first.push_back(row);
  }
  return result;
}

Result<Overview> FleetViews::ListClusters(const OverviewQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return InvalidArgument("limit", "must be a whole number from 1 to 1000");
  }
  if (query.history_hours < 0 || query.history_hours > 24 * 31) {
    return InvalidArgument("history_hours", "must be a whole number from 0 to 744");
  }
  if (!query.account_id.empty() && !IsValidResourceId(query.account_id)) {
    return InvalidArgument("account", "'" + query.account_id + "' is not an account id");
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(std::optional<CursorKey> cursor, ParseCursor(query));
  RH_ASSIGN_OR_RETURN(std::shared_ptr<const OverviewSnapshot> snapshot, Snapshot(*fleet));

  Overview overview;
  overview.as_of = snapshot->as_of;
  overview.counts = {{"Unscored", 0}};
  for (RiskLevel level : kAllRiskLevels) overview.counts[std::string(RiskLevelName(level))] = 0;
  auto matches = [&](const ClusterRow& row) {
    if (!query.account_id.empty() && row.account_id != query.account_id) return false;
    if (query.risk && row.risk_level != query.risk) return false;
    return true;
  };
  for (const ClusterRow& row : snapshot->rows) {
    if (!matches(row)) continue;
    ++overview.total;
    if (!row.health_score) {
      ++overview.counts["Unscored"];
    } else if (row.risk_level) {
      ++overview.counts[std::string(RiskLevelName(*row.risk_level))];
    }
  }

  const bool by_name = query.sort == OverviewSort::kName;
  const std::vector<size_t>& order = by_name ? snapshot->by_name : snapshot->worst_first;
  auto position = order.begin();
  if (cursor) {
    position = std::partition_point(order.begin(), order.end(), [&](size_t row_idx) {
      return !AfterCursor(query.sort, *cursor, snapshot->rows[row_idx]);
    });
  }
  for (; position != order.end(); ++position) {
    const ClusterRow& row = snapshot->rows[*position];
    if (!matches(row)) continue;
    if (overview.clusters.size() == size_t(query.limit)) {
      overview.next_cursor = CursorFor(query.sort, overview.clusters.back());
      break;
    }
    overview.clusters.push_back(row);
  }
  if (overview.clusters.empty()) return overview;

  std::vector<std::string> ids;
  std::map<std::string, size_t> index_of;
  std::vector<store::Value> id_params;
  for (size_t cluster_idx = 0; cluster_idx < overview.clusters.size(); ++cluster_idx) {
    const std::string& cluster_id = overview.clusters[cluster_idx].cluster_id;
    ids.push_back(cluster_id);
    index_of[cluster_id] = cluster_idx;
    id_params.push_back(store::Text(cluster_id));
  }
  if (query.history_hours > 0 && overview.as_of) {
    std::vector<store::Value> history_params = id_params;
    history_params.push_back(store::Time(*overview.as_of - std::chrono::hours(query.history_hours)));
    RH_ASSIGN_OR_RETURN(
        store::QueryResult points,
        fleet->Query("SELECT cluster_id, snapshot_time, health_score FROM cluster_risk_snapshots "
                     "WHERE cluster_id IN (" + Placeholders(ids.size()) + ") AND snapshot_time > ? "
                     "ORDER BY cluster_id, snapshot_time",
                     history_params));
    for (const Row& point : points) {
      auto found = index_of.find(point.GetString("cluster_id"));
      if (found == index_of.end()) continue;
      overview.clusters[found->second].history.push_back(
          ScorePoint{point.GetTime("snapshot_time").value_or(TimePoint{}),
                     point.GetDouble("health_score")});
    }
  }

  Reports reports(runtime_);
  RH_ASSIGN_OR_RETURN(auto latest, reports.LatestFor(ids));
  for (auto& [cluster_id, report] : latest) {
    overview.clusters[index_of[cluster_id]].latest_report = std::move(report);
  }
  // An investigation in flight per cluster: a running one, else the newest queued one.
  RH_ASSIGN_OR_RETURN(store::Database * memory, runtime_.Memory());
  RH_ASSIGN_OR_RETURN(
      store::QueryResult tasks,
      memory->Query("SELECT task_id, cluster_id, status FROM investigation_tasks WHERE cluster_id "
                    "IN (" + Placeholders(ids.size()) + ") AND status IN ('queued', 'running') "
                    "ORDER BY cluster_id, created_at DESC, task_id DESC",
                    id_params));
  for (const Row& row : tasks) {
    ClusterRow& cluster = overview.clusters[index_of[row.GetString("cluster_id")]];
    ActiveTask task{row.GetString("task_id"), row.GetString("status")};
    if (!cluster.active_task || (cluster.active_task->status != "running" &&
                                 task.status == "running")) {
      cluster.active_task = std::move(task);
    }
  }
  return overview;
}

Json ClusterRowJson(const ClusterRow& row, bool with_history) {
  auto text_or_null = [](const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); };
  Json out = {{"cluster_id", row.cluster_id},
              {"cluster_name", row.cluster_name},
              {"account_id", row.account_id},
              {"account_name", text_or_null(row.account_name)},
              {"customer_tier", text_or_null(row.customer_tier)},
              {"region", row.region},
              {"version", row.version},
              {"run_mode", row.run_mode},
              {"package_type", row.package_type},
              {"status", row.status},
              {"risk_level", row.risk_level ? std::string(RiskLevelName(*row.risk_level)) : ""},
              {"health_score", OptionalNumber(row.health_score)},
              {"previous_score", OptionalNumber(row.previous_score)},
              {"score_delta", OptionalNumber(row.score_delta)},
              {"snapshot_time",
               row.snapshot_time ? Json(FormatIsoTime(*row.snapshot_time)) : Json(nullptr)},
              {"firing_alerts", row.firing_alerts ? Json(*row.firing_alerts) : Json(nullptr)},
              {"top_risks", row.top_risks}};
  if (with_history) {
    Json history = Json::array();
    for (const ScorePoint& point : row.history) {
      history.push_back(Json{{"t", FormatIsoTime(point.time)}, {"score", point.score}});
    }
    out["history"] = std::move(history);
  }
  if (row.latest_report) {
    out["latest_report"] = Json{{"report_id", row.latest_report->report_id},
                                {"severity",
                                 std::string(SeverityName(row.latest_report->severity))},
                                {"category",
                                 std::string(RootCauseName(row.latest_report->category))},
                                {"root_cause", row.latest_report->root_cause},
                                {"created_at", FormatIsoTime(row.latest_report->created_at)},
                                {"confidence", row.latest_report->confidence},
                                {"next_action", row.latest_report->next_action.empty()
                                                    ? Json(nullptr)
                                                    : Json(row.latest_report->next_action)}};
  } else {
    out["latest_report"] = nullptr;
  }
  out["active_task"] = row.active_task ? Json{{"task_id", row.active_task->task_id},
                                              {"status", row.active_task->status}}
                                       : Json(nullptr);
  return out;
}

Json OverviewJson(const Overview& overview, bool with_history) {
  Json clusters = Json::array();
  for (const ClusterRow& row : overview.clusters) {
    clusters.push_back(ClusterRowJson(row, with_history));
  }
  Json counts = Json::object();
  for (const auto& [name, count] : overview.counts) counts[name] = count;
  return Json{{"as_of", overview.as_of ? Json(FormatIsoTime(*overview.as_of)) : Json(nullptr)},
              {"clusters", std::move(clusters)},
              {"counts", std::move(counts)},
              {"total", overview.total},
              {"next_cursor",
               overview.next_cursor.empty() ? Json(nullptr) : Json(overview.next_cursor)}};
}

Result<Json> FleetViews::GetCluster(const std::string& cluster_id, int history_hours) {
  RH_RETURN_IF_ERROR(ValidateClusterId(cluster_id, "cluster"));
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet->Query(std::string(kClusterColumns) + " WHERE c.cluster_id = ?",
                                   {store::Text(cluster_id)}));
  if (rows.empty()) {
    return NotFound("cluster '" + cluster_id + "'", "is not in the fleet (cluster_info)");
  }
  const Row base = rows.front();
  Json cluster = {{"cluster_id", base.GetString("cluster_id")},
                  {"cluster_name", base.GetString("cluster_name")},
                  {"account_id", base.GetString("account_id")},
                  {"account_name", TextOrNull(base, "account_name")},
                  {"customer_tier", TextOrNull(base, "customer_tier")},
                  {"region", base.GetString("region")},
                  {"version", base.GetString("version")},
                  {"run_mode", base.GetString("run_mode")},
                  {"package_type", base.GetString("package_type")},
                  {"status", base.GetString("status")},
                  {"risk_level", ""},
                  {"health_score", nullptr},
                  {"previous_score", nullptr},
                  {"score_delta", nullptr},
                  {"snapshot_time", nullptr},
                  {"firing_alerts", nullptr},
                  {"top_risks", Json::array()},
                  {"metric_score", nullptr},
                  {"alert_score", nullptr},
                  {"tier_score", nullptr},
                  {"baseline_score", nullptr},
                  {"trend", nullptr},
                  {"dimension_scores", Json::object()}};

  RH_ASSIGN_OR_RETURN(store::QueryResult groups,
                      fleet->Query("SELECT node_type, node_count, cu, spec_type, disk_size_gb, "
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
      fleet->Query("SELECT r.snapshot_time, r.risk_level, r.health_score, r.previous_score, "
                   "r.score_delta, r.top_risks, h.metric_score, h.alert_score, h.tier_score, "
                   "h.baseline_score, h.trend, h.firing_alerts, h.dimension_scores "
                   "FROM cluster_risk_snapshots r LEFT JOIN cluster_health_scores h "
                   "ON h.cluster_id = r.cluster_id AND h.snapshot_time = r.snapshot_time "
                   "WHERE r.cluster_id = ? ORDER BY r.snapshot_time DESC LIMIT 1",
                   {store::Text(cluster_id)}));
  Json history = Json::array();
  if (!latest.empty()) {
    const Row risk = latest.front();
    cluster["risk_level"] = risk.GetString("risk_level");
    cluster["health_score"] = NumberOrNull(risk, "health_score");
    cluster["previous_score"] = NumberOrNull(risk, "previous_score");
    cluster["score_delta"] = NumberOrNull(risk, "score_delta");
    cluster["snapshot_time"] = TimeOrNull(risk, "snapshot_time");
    cluster["top_risks"] = JsonColumn(risk, "top_risks", Json::array());
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
          fleet->Query(
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

  // The one reader of a cluster's alerts (a multi-section Lark row shows its own section).
  alerts::ClusterAlertQuery recent;
  recent.cluster_ids = {cluster_id};
  recent.newest_first = true;
  recent.limit = 20;
  RH_ASSIGN_OR_RETURN(std::vector<alerts::StoredAlert> alerts,
                      alerts::ReadClusterAlerts(*fleet, recent));
  Json recent_alerts = Json::array();
  for (const alerts::StoredAlert& stored : alerts) {
    const alerts::AlertRecord& alert = stored.alert;
    auto text = [](const std::string& value) {
      return value.empty() ? Json(nullptr) : Json(value);
    };
    auto time = [](const std::optional<TimePoint>& at) {
      return at ? Json(FormatIsoTime(*at)) : Json(nullptr);
    };
    recent_alerts.push_back(Json{{"message_id", alert.message_id},
                                 {"section",
                                  stored.section > 0 ? Json(stored.section) : Json(nullptr)},
                                 {"alert_name", alert.alert_name},
                                 {"severity", text(alert.severity)},
                                 {"status", alert.status},
                                 {"detail", text(alert.detail)},
                                 {"source", text(alert.source)},
                                 {"alert_time", time(alert.alert_time)},
                                 {"starts_at", time(alert.starts_at)},
                                 {"ends_at", time(alert.ends_at)},
                                 {"dashboard_url", text(alert.dashboard_url)},
                                 {"silence_url", text(alert.silence_url)}});
  }
  cluster["recent_alerts"] = std::move(recent_alerts);

  RH_ASSIGN_OR_RETURN(
      store::QueryResult operations,
      fleet->Query("SELECT operation_id, operation_type, actor, result, started_at, finished_at "
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

  Reports reports(runtime_);
  ReportQuery report_query;
  report_query.cluster_id = cluster_id;
  report_query.limit = 10;
  RH_ASSIGN_OR_RETURN(store::ReportPage page, reports.List(report_query));
  Json report_list = Json::array();
  for (const store::StoredReport& report : page.reports) {
    report_list.push_back(ReportSummaryJson(report));
  }
  cluster["reports"] = std::move(report_list);
  Investigations investigations(runtime_);
  store::TaskFilter task_filter;
  task_filter.cluster_id = cluster_id;
  task_filter.limit = 10;
  RH_ASSIGN_OR_RETURN(store::TaskPage tasks, investigations.List(task_filter));
  Json task_list = Json::array();
  for (const store::Task& task : tasks.tasks) task_list.push_back(TaskJson(task));
  cluster["investigations"] = std::move(task_list);
  return cluster;
}

}  // namespace rh::service
