// HealthScorer: scores every cluster of the fleet at one snapshot hour and records the result.
//
// The snapshot hour scored is the latest hour H <= floor_to_hour(now) that has telemetry in
// amv_hourly_snapshots_v1, looking back at most 24 hours (the platform writes each hour's
// snapshot once the hour is aggregated, so at 10:07 the latest may be 09:00 or 10:00). With no
// telemetry at all in those 24 hours the scorer fails with `unavailable` and writes nothing:
// scoring a whole fleet as "no data" would flood the queue.
//
// For each cluster (cluster_info, except status 'stopped', which has no telemetry by design) it
// reads only the hours it needs, one indexed query per hour for the whole fleet: H, H - 1h (the
// previous snapshot, for the score-cliff rule), H - 7d and H - 1h - 7d (baselines of the volume
// dimensions and of the trend); and the alert messages of lark_alerts from 7 days before H up to
// now. It computes the health of H and of H - 1h with sentinel/health_formula.h, then upserts one
// row per cluster into cluster_health_scores and cluster_risk_snapshots for H in one transaction
// (re-running rewrites the same rows: SQLite ON CONFLICT ... DO UPDATE, MySQL ON DUPLICATE KEY
// UPDATE). A running cluster with no snapshot at H is scored honestly as "no telemetry" (metric
// component 0, which makes it Critical) and its last snapshot hour is reported.
//
// Alert semantics (lark_alerts: one row per message, Firing or Resolved):
//   - "Firing messages in a window [a, b)": rows with status 'Firing' and a <= alert_time < b;
//     every Firing notification counts (a re-notification of a still-firing alert counts again).
//   - "firing at time t": the latest message before t for that (cluster, alert_name), among the
//     messages of the 7-day window, is Firing (a Firing and a Resolved message with the same
//     time count as resolved).
//   - The alert component of snapshot hour X is taken as of t = min(X + 1h, now).
//   - The alert-storm count is the Firing messages in (now - alert_storm_window, now].
// Thread-safety: a HealthScorer is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "sentinel/health_formula.h"
#include "store/database.h"

namespace rh::sentinel {

struct FiringAlert {
  std::string name;
  std::string severity;
  TimePoint since{};  // alert_time of the latest Firing message
};

struct ClusterScore {
  std::string cluster_id;
  std::string account_id;
  std::string tier;                        // S | A | B | C ("" when the account has no profile)
  std::string status;                      // cluster_info.status
  bool has_telemetry = false;              // any snapshot row at the scored hour
  std::optional<TimePoint> last_snapshot;  // latest snapshot hour <= H (set when !has_telemetry)
  std::vector<DimensionScore> dimensions;  // indexed like store::MetricCatalog()
  AlertCounts alerts;
  std::vector<FiringAlert> firing_now;  // worst severity first
  int storm_firing_messages = 0;        // Firing messages in the alert-storm window
  HealthBreakdown health;
  std::optional<double> baseline_metric;    // metric component at H - 7d
  std::optional<double> trend;              // health.metric - baseline_metric
  std::optional<HealthBreakdown> previous;  // the same cluster at H - 1h

  std::vector<const DimensionScore*> WorstDimensions(size_t limit) const;  // non-healthy only
};

struct ScoringRun {
  TimePoint now{};
  TimePoint snapshot_time{};           // H
  std::vector<ClusterScore> clusters;  // ordered by cluster_id
  int skipped_stopped = 0;
  int missing_telemetry = 0;
  double read_seconds = 0;
  double compute_seconds = 0;
  double write_seconds = 0;
};

class HealthScorer {
 public:
  HealthScorer(store::Database& fleet, Clock& clock, SentinelConfig config);

  // Scores the fleet at the latest snapshot hour and upserts the two output tables.
  Result<ScoringRun> ScoreFleet();
  // Scores one cluster exactly as ScoreFleet would, without writing anything (explain).
  // not_found when the cluster is not in cluster_info.
  Result<ScoringRun> ScoreCluster(std::string_view cluster_id);
  // The snapshot hour a pass at `now` scores (see above).
  Result<TimePoint> ResolveSnapshotHour(TimePoint now);

 private:
  Result<ScoringRun> Score(std::optional<std::string> only_cluster);
  Status Write(const ScoringRun& run);

  store::Database& fleet_;
  Clock& clock_;
  SentinelConfig config_;
};

}  // namespace rh::sentinel
