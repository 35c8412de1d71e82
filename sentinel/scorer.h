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
// previous snapshot, for the score-cliff rule), H - 7d and H - 1h - 7d (baselines of the surge
// ratios and of the trend), and in one more query the three volume metrics (QPS, load rows/s,
// failed loads) at the same hour of each of the last sentinel.volume_baseline_days days, for H
// and for H - 1h (the volume dimension's baseline); the operations of sentinel.change_operations
// started in sentinel.change_window before the end of H, and for the clusters that had one, the
// change dimension's metrics at the same hour of the last days (primary-key reads, 200 clusters a
// query); and the alert messages of lark_alerts from 7
// days before H up to now. It computes the health of H and of H - 1h with
// sentinel/health_formula.h, then upserts one row per cluster into cluster_health_scores and
// cluster_risk_snapshots for H in one transaction (re-running rewrites the same rows: SQLite ON
// CONFLICT ... DO UPDATE, MySQL ON DUPLICATE KEY UPDATE). A running cluster with no snapshot at H
// is scored honestly as "no telemetry" (metric component 0, which makes it Critical) and its last
// snapshot hour is reported.
//
// Alert semantics (lark_alerts: one row per message, Firing or Resolved):
//   - "Firing messages in a window [a, b)": rows with status 'Firing' and a <= alert_time < b;
//     every Firing notification counts (a re-notification of a still-firing alert counts again).
//   - "firing at time t": the latest message before t for that (cluster, alert_name), among the
//     messages of the 7-day window, is Firing (a Firing and a Resolved message with the same
//     time count as resolved).
//   - The alert component of snapshot hour X is taken as of t = min(X + 1h, now).
//   - The alert-storm count is the Firing messages in (now - alert_storm_window, now].
//   - An episode starts with a Firing message when the alert was not firing; a critical alert
//     (core/severity.h AlertLabelSeverity) with at least sentinel.flap_min_episodes episodes
//     starting in the sentinel.flap_window before t is flapping at t, firing or not.
// Thread-safety: a HealthScorer is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/severity.h"
#include "sentinel/health_formula.h"
#include "store/database.h"

namespace rh::sentinel {

struct FiringAlert {
  std::string name;
  std::string severity;  // the alert's own label, lower case, as the alert rule wrote it
  Severity level = Severity::kMedium;  // that label on the one scale (AlertLabelSeverity)
  TimePoint since{};                   // alert_time of the latest Firing message
};

// A critical alert that fired and resolved again and again in the flap window (a crash loop):
// it weighs in the alert component even while it is resolved.
struct FlappingAlert {
  std::string name;
  int episodes = 0;  // episodes starting in the flap window
  bool firing_now = false;
  TimePoint last_message{};
};

// The operation the change dimension measures from: the earliest of sentinel.change_operations
// started in sentinel.change_window before the end of the scored hour.
struct RecentOperation {
  std::string type;    // SCALE | UPDATE | UPGRADE (as cluster_operations wrote it)
  std::string result;  // SUCCESS | FAILED | RUNNING
  TimePoint started_at{};
};

struct ClusterScore {
  std::string cluster_id;
  std::string account_id;
  std::string tier;                        // S | A | B | C ("" when the account has no profile)
  std::string status;                      // cluster_info.status
  bool has_telemetry = false;              // any snapshot row at the scored hour
  std::optional<TimePoint> last_snapshot;  // latest snapshot hour <= H (set when !has_telemetry)
  std::vector<DimensionScore> dimensions;  // indexed like store::MetricCatalog()
  VolumeDimension volume;                  // QPS, load rate, failed loads vs their usual level
  std::optional<RecentOperation> operation;  // a recent operation (the change dimension)
  ChangeDimension change;                    // watched dimensions vs their pre-operation level
  AlertCounts alerts;
  std::vector<FiringAlert> firing_now;  // worst severity first
  std::vector<FlappingAlert> flapping;  // most episodes first
  int storm_firing_messages = 0;        // Firing messages in the alert-storm window
  HealthBreakdown health;
  std::optional<double> baseline_metric;    // metric component at H - 7d
  std::optional<double> trend;              // health.metric - baseline_metric
  std::optional<HealthBreakdown> previous;  // the same cluster at H - 1h

  std::vector<const DimensionScore*> WorstDimensions(size_t limit) const;  // non-healthy only
  // What is wrong, as names another cluster can share (the account_wide rule): every alert
  // firing now or flapping ("alert:<name>", lower case), every non-healthy dimension
  // ("metric:<short name>", "volume:<signal>", "change:<short name>"), and
  // "telemetry:missing". Sorted, unique.
  std::vector<std::string> Symptoms() const;
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

// The per-dimension sub-scores ({"disk_used_pct": 71.2, ..., "volume_qps": null}) and the
// worst risks (metric, volume, alert, flapping, telemetry items) of a scored cluster, as the
// cluster_health table stores them and the API and `sentinel explain --format json` show them.
Json DimensionScoresJson(const ClusterScore& cluster);
Json TopRisksJson(const ClusterScore& cluster);

class HealthScorer {
 public:
  HealthScorer(store::Database& fleet, Clock& clock, SentinelConfig config);

  // Scores the fleet at the latest snapshot hour and upserts the two output tables
  // (Evaluate, then Record).
  Result<ScoringRun> ScoreFleet();
  // Scores the fleet without writing anything.
  Result<ScoringRun> Evaluate();
  // Upserts the two output tables for `run` (sets run.write_seconds).
  Status Record(ScoringRun& run);
  // Scores one cluster and the other clusters of its account (the account_wide rule needs
  // them) exactly as ScoreFleet would, without writing anything (explain). not_found when the
  // cluster is not in cluster_info.
  Result<ScoringRun> ScoreCluster(std::string_view cluster_id);
  // The snapshot hour a pass at `now` scores (see above).
  Result<TimePoint> ResolveSnapshotHour(TimePoint now);

 private:
  // Which clusters a pass scores: `column` (cluster_id or account_id) of cluster_info = value.
  struct ScoringScope {
    std::string column;
    std::string value;
  };
  // The whole fleet, or only the clusters of `scope`.
  Result<ScoringRun> Score(std::optional<ScoringScope> scope);
  Status Write(const ScoringRun& run);

  store::Database& fleet_;
  Clock& clock_;
  SentinelConfig config_;
};

}  // namespace rh::sentinel
