// query_similar_clusters: the cluster's siblings (same account) and peers (same version, same
// compute spec) with their health and the firing alerts they share with it, to tell an
// account-wide or version-wide problem from a cluster-specific one.
#include <algorithm>
#include <set>

#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

struct Peer {
  std::string cluster_id;
  std::string account_id;
  std::string version;
  std::string run_mode;
  bool same_account = false;
  bool same_version = false;
  bool same_spec = false;
  std::optional<HealthSnapshot> health;
  std::vector<std::string> firing;
  std::vector<std::string> shared;
};

class SimilarClustersTool final : public InvestigationTool {
 public:
  SimilarClustersTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_similar_clusters", std::move(description),
            ObjectSchema(
                {{"cluster_id", ClusterIdProperty("The cluster whose siblings to compare.")},
                 {"limit", IntegerProperty("At most this many siblings/peers listed.", 1, 30, 10)}},
                {"cluster_id"}),
            "pass a smaller limit", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const size_t limit = input["limit"].get<size_t>();
    const TimePoint now = context().Now();
    store::Database& fleet = *context().fleet;
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(fleet, cluster_id));
    RH_ASSIGN_OR_RETURN(std::vector<NodeGroup> groups, LoadNodeGroups(fleet, cluster_id));
    const NodeGroup* compute = ComputeGroup(groups);

    std::map<std::string, Peer> peers;
    RH_ASSIGN_OR_RETURN(
        store::QueryResult siblings,
        fleet.Query("SELECT cluster_id, account_id, version, run_mode FROM cluster_info WHERE "
                    "account_id = ? AND cluster_id <> ?",
                    {store::Text(facts.account_id), store::Text(cluster_id)}));
    for (store::Row row : siblings) {
      Peer& peer = peers[row.GetString("cluster_id")];
      peer.cluster_id = row.GetString("cluster_id");
      peer.account_id = row.GetString("account_id");
      peer.version = row.GetString("version");
      peer.run_mode = row.GetString("run_mode");
      peer.same_account = true;
      peer.same_version = peer.version == facts.version;
    }
    RH_ASSIGN_OR_RETURN(
        store::QueryResult version_peers,
        fleet.Query("SELECT c.cluster_id, c.account_id, c.version, c.run_mode, g.spec_type, g.cu "
                    "FROM cluster_info c LEFT JOIN cluster_node_groups g ON g.cluster_id = "
                    "c.cluster_id AND g.node_type IN ('BE', 'CN') WHERE c.version = ? AND "
                    "c.cluster_id <> ?",
                    {store::Text(facts.version), store::Text(cluster_id)}));
    for (store::Row row : version_peers) {
      std::string id = row.GetString("cluster_id");
      Peer& peer = peers[id];
      if (peer.cluster_id.empty()) {
        peer.cluster_id = id;
        peer.account_id = row.GetString("account_id");
        peer.version = row.GetString("version");
        peer.run_mode = row.GetString("run_mode");
      }
      peer.same_version = true;
      if (compute && row.GetString("spec_type") == compute->spec_type &&
          row.GetInt("cu") == compute->cu && peer.run_mode == facts.run_mode) {
        peer.same_spec = true;
      }
    }

    std::vector<std::string> ids = {cluster_id};
    for (const auto& [id, peer] : peers) ids.push_back(id);
    RH_ASSIGN_OR_RETURN(auto health, LatestHealth(fleet, ids, now));
    RH_ASSIGN_OR_RETURN(std::vector<AlertMessage> messages,
                        LoadAlerts(fleet, ids, now - kFiringLookback, now, false));
    std::map<std::string, std::vector<AlertMessage>> by_cluster;
    for (AlertMessage& message : messages) by_cluster[message.cluster_id].push_back(message);
    auto firing_names = [&](const std::string& id) {
      std::vector<std::string> names;
      for (const auto& [name, alert] : CurrentlyFiring(by_cluster[id])) names.push_back(name);
      return names;
    };
    const std::vector<std::string> own_firing = firing_names(cluster_id);

    int account_degraded = 0, account_sharing = 0, account_degraded_sharing = 0;
    int version_total = 0, version_degraded = 0, version_sharing = 0;
    std::map<std::string, int> shared_counts;  // alert name -> peers firing it too
    std::vector<Peer*> ordered;
    for (auto& [id, peer] : peers) {
      auto found = health.find(id);
      if (found != health.end()) peer.health = found->second;
      peer.firing = firing_names(id);
      std::set_intersection(own_firing.begin(), own_firing.end(), peer.firing.begin(),
                            peer.firing.end(), std::back_inserter(peer.shared));
      bool degraded = peer.health && peer.health->risk_level != RiskLevel::kHealthy;
      if (peer.same_account) {
        account_degraded += degraded;
        account_sharing += !peer.shared.empty();
        account_degraded_sharing += degraded && !peer.shared.empty();
      } else if (peer.same_version) {
        ++version_total;
        version_degraded += degraded;
        version_sharing += !peer.shared.empty();
      }
      for (const std::string& name : peer.shared) ++shared_counts[name];
      ordered.push_back(&peer);
    }
    std::sort(ordered.begin(), ordered.end(), [](const Peer* a, const Peer* b) {
      if (a->shared.size() != b->shared.size()) return a->shared.size() > b->shared.size();
      if (a->same_account != b->same_account) return a->same_account;
      // Worst risk first; peers never scored last.
      const int unscored = static_cast<int>(kAllRiskLevels.size());
      int a_risk = a->health ? WorstFirstRank(a->health->risk_level) : unscored;
      int b_risk = b->health ? WorstFirstRank(b->health->risk_level) : unscored;
      if (a_risk != b_risk) return a_risk < b_risk;
      if (a->same_spec != b->same_spec) return a->same_spec;
      return a->cluster_id < b->cluster_id;
    });

    // The pattern (documented in tools/README.md).
    std::string pattern;
    std::string reason;
    const int account_total = static_cast<int>(siblings.size());
    if (own_firing.empty()) {
      pattern = "no_firing_alerts";
      reason = "this cluster has no currently firing alert to compare";
    } else if (account_degraded_sharing >= 1 || account_sharing >= 2) {
      pattern = "account_wide";
      reason = std::to_string(account_sharing) + " of " + std::to_string(account_total) +
               " sibling clusters in the account fire the same alert(s), " +
               std::to_string(account_degraded_sharing) + " of them also degraded";
    } else if (version_sharing >= 2) {
      pattern = "version_wide";
      reason = std::to_string(version_sharing) + " clusters of other accounts on version " +
               facts.version + " fire the same alert(s)";
    } else {
      pattern = "cluster_specific";
      reason =
          "no sibling in the account" +
          std::string(version_sharing == 1 ? " and only one version peer" : " or version peer") +
          " fires the same alerts";
    }

    Json listed = Json::array();
    for (const Peer* peer : ordered) {
      if (listed.size() >= limit) break;
      Json relation = Json::array();
      if (peer->same_account) relation.push_back("same_account");
      if (peer->same_version) relation.push_back("same_version");
      if (peer->same_spec) relation.push_back("same_spec");
      Json item = {{"cluster_id", peer->cluster_id},
                   {"relation", std::move(relation)},
                   {"version", peer->version},
                   {"architecture", peer->run_mode},
                   {"health_score", peer->health ? Json(Tidy(peer->health->score)) : Json()},
                   {"risk_level", peer->health
                                      ? Json(std::string(RiskLevelName(peer->health->risk_level)))
                                      : Json()},
                   {"trend", peer->health ? TidyOrNull(peer->health->trend) : Json()},
                   {"firing_alerts", peer->firing.size()},
                   {"shared_alerts", peer->shared}};
      if (!peer->same_account) item["account_id"] = peer->account_id;
      listed.push_back(std::move(item));
    }
    auto own_health = health.find(cluster_id);
    Json this_cluster = {
        {"cluster_id", cluster_id},
        {"account_id", facts.account_id},
        {"version", facts.version},
        {"architecture", facts.run_mode},
        {"compute_spec", compute ? Json{{"node_type", compute->node_type},
                                        {"spec_type", compute->spec_type},
                                        {"cu", compute->cu}}
                                 : Json()},
        {"health_score",
         own_health != health.end() ? Json(Tidy(own_health->second.score)) : Json()},
        {"risk_level", own_health != health.end()
                           ? Json(std::string(RiskLevelName(own_health->second.risk_level)))
                           : Json()},
        {"firing_alerts", own_firing}};
    Json out = {{"this_cluster", std::move(this_cluster)},
                {"pattern", pattern},
                {"pattern_reason", reason},
                {"account",
                 {{"siblings", account_total},
                  {"degraded", account_degraded},
                  {"sharing_alerts", account_sharing},
                  {"degraded_and_sharing", account_degraded_sharing}}},
                {"version_peers",
                 {{"version", facts.version},
                  {"clusters", version_total},
                  {"degraded", version_degraded},
                  {"sharing_alerts", version_sharing}}},
                {"shared_alert_counts", shared_counts},
                {"peers", std::move(listed)}};
    if (peers.size() > limit) out["peers_not_listed"] = peers.size() - limit;
    if (health.empty()) {
      out["note"] = "no health scores yet (the scorer has not run): health fields are null";
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeSimilarClustersTool(std::string description, ContextPtr context) {
  return std::make_unique<SimilarClustersTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
