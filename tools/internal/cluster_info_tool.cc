// query_cluster_info: who the cluster belongs to, what it runs on, and how healthy it is now.
#include "core/time_format.h"
#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr double kTrendPoints = 5.0;  // score change over 24 h read as declining/improving

class ClusterInfoTool final : public InvestigationTool {
 public:
  ClusterInfoTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_cluster_info", std::move(description),
            ObjectSchema({{"cluster_id", ClusterIdProperty("The cluster to describe.")}},
                         {"cluster_id"}),
            "the output is one cluster; if it was cut, its top_risks list was long", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    store::Database& fleet = *context().fleet;
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const TimePoint now = context().Now();
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(fleet, cluster_id));
    RH_ASSIGN_OR_RETURN(std::vector<NodeGroup> groups, LoadNodeGroups(fleet, cluster_id));
    RH_ASSIGN_OR_RETURN(int64_t account_clusters,
                        fleet.QueryInt("SELECT COUNT(*) FROM cluster_info WHERE account_id = ?",
                                       {store::Text(facts.account_id)}));

    Json out = {{"cluster_id", facts.cluster_id},
                {"cluster_name", facts.cluster_name},
                {"account",
                 {{"account_id", facts.account_id},
                  {"account_name", facts.account_name},
                  {"customer_tier", facts.customer_tier},
                  {"owner", facts.owner},
                  {"industry", facts.industry},
                  {"clusters", account_clusters}}},
                {"region", facts.region},
                {"version", facts.version},
                {"architecture", facts.run_mode},
                {"package_type", facts.package_type},
                {"status", facts.status},
                {"created_at", IsoTimeOrNull(facts.created_at)}};
    Json node_groups = Json::array();
    int64_t total_nodes = 0;
    int64_t total_cu = 0;
    for (const NodeGroup& group : groups) {
      Json item = {{"node_type", group.node_type},
                   {"count", group.count},
                   {"cu", group.cu},
                   {"spec_type", group.spec_type},
                   {"disk_size_gb", group.disk_size_gb}};
      item["essd_level"] = group.essd_level.empty() ? Json(nullptr) : Json(group.essd_level);
      node_groups.push_back(std::move(item));
      total_nodes += group.count;
      total_cu += group.count * group.cu;
    }
    out["node_groups"] = std::move(node_groups);
    out["totals"] = {{"nodes", total_nodes}, {"cu", total_cu}};
    RH_ASSIGN_OR_RETURN(out["health"], Health(cluster_id, now));
    return out;
  }

 private:
  Result<std::optional<double>> ScoreAtOrBefore(const std::string& cluster_id, TimePoint time) {
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        context().fleet->Query("SELECT health_score FROM cluster_health_scores WHERE "
                               "cluster_id = ? AND snapshot_time <= ? ORDER BY snapshot_time "
                               "DESC LIMIT 1",
                               {store::Text(cluster_id), store::Time(time)}));
    if (rows.empty()) return std::optional<double>();
    return std::optional<double>(rows.front().GetDouble("health_score"));
  }

  Result<Json> Health(const std::string& cluster_id, TimePoint now) {
    RH_ASSIGN_OR_RETURN(auto latest, LatestHealth(*context().fleet, {cluster_id}, now));
    auto found = latest.find(cluster_id);
    if (found == latest.end()) {
      return Json{{"available", false},
                  {"note",
                   "no health score yet for this cluster: the scorer (rockhound cycle) "
                   "has not scored it; use query_cluster_metrics and "
                   "query_cluster_alerts"}};
    }
    const HealthSnapshot& snapshot = found->second;
    RH_ASSIGN_OR_RETURN(auto day_ago, ScoreAtOrBefore(cluster_id, now - std::chrono::hours(24)));
    RH_ASSIGN_OR_RETURN(auto week_ago,
                        ScoreAtOrBefore(cluster_id, now - std::chrono::hours(24 * 7)));
    Json health = {{"available", true},
                   {"score", Tidy(snapshot.score)},
                   {"risk_level", std::string(RiskLevelName(snapshot.risk_level))},
                   {"snapshot_time", IsoTime(snapshot.time)},
                   {"metric_score", Tidy(snapshot.metric_score)},
                   {"alert_score", Tidy(snapshot.alert_score)},
                   {"tier_score", Tidy(snapshot.tier_score)},
                   {"firing_alerts", snapshot.firing_alerts},
                   {"metric_trend_vs_baseline", TidyOrNull(snapshot.trend)},
                   {"score_24h_ago", TidyOrNull(day_ago)},
                   {"score_7d_ago", TidyOrNull(week_ago)}};
    std::string direction = "unknown";
    if (day_ago) {
      double change = snapshot.score - *day_ago;
      direction = change <= -kTrendPoints  ? "declining"
                  : change >= kTrendPoints ? "improving"
                                           : "stable";
      health["change_24h"] = Tidy(change);
    }
    health["direction"] = direction;

    RH_ASSIGN_OR_RETURN(
        store::QueryResult risk,
        context().fleet->Query("SELECT previous_score, score_delta, top_risks FROM "
                               "cluster_risk_snapshots WHERE cluster_id = ? AND snapshot_time = ?",
                               {store::Text(cluster_id), store::Time(snapshot.time)}));
    if (!risk.empty()) {
      store::Row row = risk.front();
      health["previous_score"] = row.IsNull("previous_score")
                                     ? Json(nullptr)
                                     : Json(Tidy(row.GetDouble("previous_score")));
      health["score_delta"] =
          row.IsNull("score_delta") ? Json(nullptr) : Json(Tidy(row.GetDouble("score_delta")));
      auto top = ParseJson(row.GetString("top_risks", "[]"), "top_risks");
      health["top_risks"] = top && top->is_array() ? *top : Json::array();
    }
    return health;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeClusterInfoTool(std::string description, ContextPtr context) {
  return std::make_unique<ClusterInfoTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
