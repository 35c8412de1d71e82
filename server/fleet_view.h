// FleetView: the read side of the fleet as the API, the web page and MCP show it — every cluster
// with its latest health score and risk level (the scorer's cluster_risk_snapshots and
// cluster_health_scores), and one cluster in depth (configuration, node groups, score history,
// recent alerts and operations).
//
// It only reads, and only the fleet database; reports and tasks come from the agent memory
// (ReportStore, TaskQueue) and are joined in by the caller. A cluster the scorer has not scored
// yet is listed with an empty risk_level. Results are JSON objects because they go straight to
// the edges (HTTP, MCP); field names are documented in server/README.md.
// Thread-safety: as thread-safe as the Database it is given.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "store/database.h"

namespace rh::server {

struct ClusterListOptions {
  std::string risk_level;  // "Critical" | "Warning" | "Healthy"; empty keeps all
  std::string account_id;  // empty keeps all
  int history_hours = 0;   // > 0: attach each cluster's scores over this many hours (sparklines)
};

class FleetView {
 public:
  explicit FleetView(store::Database& fleet) : fleet_(fleet) {}

  // {"as_of": ISO time of the newest snapshot or null,
  //  "clusters": [{cluster_id, cluster_name, account_id, account_name, customer_tier, region,
  //                version, run_mode, status, risk_level, health_score, previous_score,
  //                score_delta, snapshot_time, firing_alerts, top_risks[], history[]?}],
  //  "counts": {"Critical": n, "Warning": n, "Healthy": n, "Unscored": n}}
  // sorted worst first (no score last).
  Result<Json> ListClusters(const ClusterListOptions& options);

  // One cluster: the ListClusters fields plus node_groups[], dimension_scores{},
  // metric/alert/tier scores, history[{snapshot_time, health_score, risk_level}] over
  // `history_hours`, recent_alerts[] (20 newest) and recent_operations[] (10 newest).
  // not_found when the cluster is not in cluster_info.
  Result<Json> GetCluster(const std::string& cluster_id, int history_hours = 72);

  // Whether cluster_info has the cluster.
  Result<bool> ClusterExists(const std::string& cluster_id);

 private:
  store::Database& fleet_;
};

}  // namespace rh::server
