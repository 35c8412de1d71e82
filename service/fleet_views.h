// FleetViews: the fleet as people look at it — the overview (every cluster with its latest health
// score, risk level, newest report and investigation in flight; filtered, sorted and paged) and
// one cluster in depth (configuration, node groups, score history, recent alerts and operations,
// its reports and tasks). The one implementation behind the web page, GET /api/v1/clusters[/{id}]
// and the CLI.
//
// The overview reads each cluster's newest score row (the scorer's cluster_risk_snapshots) into a
// snapshot kept in the Runtime and rebuilt when the fleet is re-scored or gains clusters (and at
// most 30 s after it was built); pages walk the snapshot from a keyset cursor, so a page of 50
// costs the same at 10,000 clusters as at 100. Reports and tasks are joined in from the agent
// memory for the clusters of the page only. A cluster the
// scorer has not scored yet is listed without a risk level, after the scored ones.
// Errors: invalid_argument for a bad filter or cursor, not_found for an unknown cluster,
// unavailable when a database is down.
// Thread-safety: safe to call from several threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/risk_level.h"
#include "service/reports.h"
#include "service/runtime.h"

namespace rh::service {

struct OverviewSnapshot;

enum class OverviewSort {
  kWorstFirst,  // unscored last; lowest health score first; then cluster id
  kName,        // cluster name, then cluster id
};
std::string_view OverviewSortName(OverviewSort sort);  // "worst" | "name"
Result<OverviewSort> ParseOverviewSort(std::string_view text);

struct OverviewQuery {
  std::optional<RiskLevel> risk;  // keep only this band (unscored clusters have none)
  std::string account_id;         // empty: every account
  OverviewSort sort = OverviewSort::kWorstFirst;
  int limit = 50;                 // 1..1000
  std::string cursor;             // Overview::next_cursor of the previous page
  int history_hours = 0;          // > 0: attach each cluster's scores over this many hours
};

struct ScorePoint {
  TimePoint time{};
  double score = 0;
};

struct ActiveTask {
  std::string task_id;
  std::string status;  // queued | running
};

struct ClusterRow {
  std::string cluster_id;
  std::string cluster_name;
  std::string account_id;
  std::string account_name;
  std::string customer_tier;
  std::string region;
  std::string version;
  std::string run_mode;
  std::string package_type;
  std::string status;
  std::optional<RiskLevel> risk_level;  // nullopt: not scored yet
  std::optional<double> health_score;
  std::optional<double> previous_score;
  std::optional<double> score_delta;
  std::optional<TimePoint> snapshot_time;
  std::optional<int64_t> firing_alerts;
  Json top_risks = Json::array();
  std::vector<ScorePoint> history;  // when asked for
  std::optional<LatestReport> latest_report;
  std::optional<ActiveTask> active_task;
};

struct Overview {
  std::optional<TimePoint> as_of;  // newest snapshot scored in the fleet
  std::map<std::string, int> counts;  // "Critical", "Warning", "Healthy", "Unscored" (filters apply)
  int total = 0;                      // clusters matching the filters, over every page
  std::vector<ClusterRow> clusters;   // this page
  std::string next_cursor;            // empty on the last page
};

class FleetViews {
 public:
  explicit FleetViews(Runtime& runtime) : runtime_(runtime) {}

  Result<Overview> ListClusters(const OverviewQuery& query);
  // The scored clusters, worst first as the overview sorts them, at most `max` of them (without
  // history, reports or tasks), and how many were scored in all: what /metrics exports as
  // per-cluster gauges, capped so that a huge fleet cannot blow up a scrape.
  struct ScoredClusters {
    std::vector<ClusterRow> worst_first;
    size_t scored = 0;
  };
  Result<ScoredClusters> ScoredWorstFirst(size_t max);
  // One cluster in depth (server/README.md lists the fields), with history over
  // `history_hours`, its 10 newest reports and tasks.
  Result<Json> GetCluster(const std::string& cluster_id, int history_hours = 72);

 private:
  // The Runtime's overview snapshot, rebuilt when the fleet has changed
  // (service/internal/overview_cache.h).
  Result<std::shared_ptr<const OverviewSnapshot>> Snapshot(store::Database& fleet);

  Runtime& runtime_;
};

// The JSON of the overview (the web page and the API) and of one of its rows; `history` is
// included when it was asked for.
Json OverviewJson(const Overview& overview, bool with_history);
Json ClusterRowJson(const ClusterRow& row, bool with_history);

}  // namespace rh::service
