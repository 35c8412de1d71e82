#include "sentinel/scorer.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "tests/sentinel/sentinel_fixture.h"

namespace rh::sentinel {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::kHour;
using testing::kNow;

class ScorerTest : public testing::SentinelFleetTest {
 protected:
  const ClusterScore& Find(const ScoringRun& run, const std::string& cluster_id) {
    for (const ClusterScore& cluster : run.clusters) {
      if (cluster.cluster_id == cluster_id) return cluster;
    }
    ADD_FAILURE() << cluster_id << " not scored";
    static ClusterScore none;
    return none;
  }
  const DimensionScore& Dimension(const ClusterScore& cluster, std::string_view short_name) {
    for (const DimensionScore& dimension : cluster.dimensions) {
      if (dimension.spec->short_name == short_name) return dimension;
    }
    ADD_FAILURE() << short_name;
    static DimensionScore none;
    return none;
  }
};

TEST_P(ScorerTest, ScoresEveryRunningClusterAtTheLatestSnapshotHour) {
  BuildFleet();
  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreFleet();
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->snapshot_time, kHour);
  EXPECT_EQ(run->now, kNow);
  ASSERT_EQ(run->clusters.size(), 5u);
  EXPECT_EQ(run->skipped_stopped, 1);
  EXPECT_EQ(run->missing_telemetry, 1);

  const ClusterScore& healthy = Find(*run, "c-healthy");
  EXPECT_TRUE(healthy.has_telemetry);
  EXPECT_EQ(healthy.health.risk, RiskLevel::kHealthy);
  EXPECT_NEAR(healthy.health.metric, 85.45, 1e-9);  // worst dimension: BE JVM heap at 40 %
  EXPECT_DOUBLE_EQ(healthy.health.alert, 100);
  EXPECT_NEAR(healthy.health.health, 90.18, 0.011);
  ASSERT_TRUE(healthy.previous);
  EXPECT_NEAR(healthy.previous->health, healthy.health.health, 1e-9);
  ASSERT_TRUE(healthy.trend);
  EXPECT_NEAR(*healthy.trend, 0, 1e-9);

  const ClusterScore& disk = Find(*run, "c-disk");
  EXPECT_EQ(disk.tier, "A");
  EXPECT_EQ(Dimension(disk, "disk").state, store::HealthState::kCritical);
  EXPECT_NEAR(Dimension(disk, "disk").score, 24.5, 1e-9);
  EXPECT_EQ(disk.alerts.firing_messages, 3);  // the 8-day-old message is outside the window
  EXPECT_EQ(disk.alerts.firing_now_critical, 1);
  ASSERT_EQ(disk.firing_now.size(), 1u);
  EXPECT_EQ(disk.firing_now[0].name, "Data Disk Capacity Alert");
  EXPECT_EQ(disk.firing_now[0].since, kHour - minutes(30));
  EXPECT_DOUBLE_EQ(disk.health.health, 34.96);  // the README's worked example
  EXPECT_EQ(disk.health.risk, RiskLevel::kCritical);
  ASSERT_TRUE(disk.previous);
  EXPECT_EQ(disk.previous->risk, RiskLevel::kWarning);  // disk was at 60 % an hour ago
  EXPECT_EQ(disk.storm_firing_messages, 1);

  const ClusterScore& gap = Find(*run, "c-gap");
  EXPECT_FALSE(gap.has_telemetry);
  EXPECT_DOUBLE_EQ(gap.health.metric, 0);
  EXPECT_DOUBLE_EQ(gap.health.health, 36.25);  // 0.25 * 100 + 0.15 * (100 - 0.25 * 100)
  EXPECT_EQ(gap.health.risk, RiskLevel::kCritical);
  ASSERT_TRUE(gap.last_snapshot);
  EXPECT_EQ(*gap.last_snapshot, kHour - hours(3));

  const ClusterScore& surge = Find(*run, "c-surge");
  const DimensionScore& qps = Dimension(surge, "qps");
  EXPECT_DOUBLE_EQ(*qps.value, 700);
  EXPECT_DOUBLE_EQ(*qps.baseline, 100);
  EXPECT_EQ(qps.state, store::HealthState::kCritical);  // 7x the baseline
  EXPECT_EQ(surge.health.risk, RiskLevel::kWarning);
  ASSERT_TRUE(surge.previous);
  EXPECT_GT(surge.previous->health - surge.health.health, 15);

  const ClusterScore& storm = Find(*run, "c-storm");
  EXPECT_EQ(storm.storm_firing_messages, 6);
  EXPECT_EQ(storm.alerts.firing_now_other, 6);
  EXPECT_DOUBLE_EQ(storm.health.alert, 10);
}

TEST_P(ScorerTest, WritesBothTablesIdempotentlyPerSnapshotHour) {
  BuildFleet();
  HealthScorer scorer(db(), clock(), Config());
  ASSERT_TRUE(scorer.ScoreFleet());
  auto count = [&](const char* table) {
    return *db().QueryInt(std::string("SELECT COUNT(*) FROM ") + table);
  };
  EXPECT_EQ(count("cluster_health_scores"), 5);
  EXPECT_EQ(count("cluster_risk_snapshots"), 5);
  auto row = db().QueryOne(
      "SELECT health_score, metric_score, alert_score, tier_score, risk_level, firing_alerts, "
      "baseline_score, trend, dimension_scores, snapshot_time FROM cluster_health_scores WHERE "
      "cluster_id = 'c-disk'");
  ASSERT_TRUE(row) << row.error().ToString();
  EXPECT_DOUBLE_EQ(row->front().GetDouble("health_score"), 34.96);
  EXPECT_EQ(row->front().GetString("risk_level"), "Critical");
  EXPECT_EQ(row->front().GetInt("firing_alerts"), 3);
  EXPECT_EQ(*row->front().GetTime("snapshot_time"), kHour);
  auto dimensions = ParseJson(row->front().GetString("dimension_scores"));
  ASSERT_TRUE(dimensions);
  EXPECT_DOUBLE_EQ((*dimensions)["starrocks_be_disks_data_used_pct"].get<double>(), 24.5);
  // The 14 catalogue dimensions and the 3 volume signals (null: not judged, no same-hour week).
  EXPECT_EQ(dimensions->size(), store::MetricCatalog().size() + 3);
  EXPECT_TRUE((*dimensions)["volume_load_rate"].is_null());

  auto risk = db().QueryOne(
      "SELECT risk_level, previous_score, score_delta, customer_tier, top_risks FROM "
      "cluster_risk_snapshots WHERE cluster_id = 'c-disk'");
  ASSERT_TRUE(risk);
  EXPECT_EQ(risk->front().GetString("customer_tier"), "A");
  EXPECT_LT(risk->front().GetDouble("score_delta"), -15);
  auto top = ParseJson(risk->front().GetString("top_risks"));
  ASSERT_TRUE(top);
  ASSERT_GE(top->size(), 2u);
  EXPECT_EQ((*top)[0]["metric"], "starrocks_be_disks_data_used_pct");
  EXPECT_EQ((*top)[0]["state"], "critical");
  EXPECT_EQ((*top)[1]["alert"], "Data Disk Capacity Alert");
  auto gap =
      ParseJson(*db().QueryOne("SELECT top_risks FROM cluster_risk_snapshots WHERE "
                               "cluster_id = 'c-gap'")
                     .map([](store::QueryResult r) { return r.front().GetString(size_t{0}); }));
  ASSERT_TRUE(gap);
  EXPECT_EQ((*gap)[0]["kind"], "telemetry");
  EXPECT_EQ((*gap)[0]["last_snapshot"], "2026-11-21 07:00:00");

  // Re-running rewrites the same rows; new alert data updates them in place.
  ASSERT_TRUE(scorer.ScoreFleet());
  clock().Advance(minutes(5));
  rows().Alert("c-healthy", "BE CPU Alert", "Firing", kNow + minutes(1), "warning");
  ASSERT_TRUE(scorer.ScoreFleet());
  EXPECT_EQ(count("cluster_health_scores"), 5);
  EXPECT_EQ(count("cluster_risk_snapshots"), 5);
  EXPECT_DOUBLE_EQ(*db().QueryOne("SELECT alert_score FROM cluster_health_scores WHERE cluster_id "
                                  "= 'c-healthy'")
                        .map([](store::QueryResult r) { return r.front().GetDouble(size_t{0}); }),
                   85);  // one Firing message (5) and firing now (10)
}

TEST_P(ScorerTest, ResolvedAlertsStopFiringAndWindowsAreHalfOpen) {
  BuildFleet();
  // c-healthy: an alert that fired and resolved, and one that fires exactly "now".
  rows().Alert("c-healthy", "Query Latency Alert", "Firing", kHour - hours(2), "warning");
  rows().Alert("c-healthy", "Query Latency Alert", "Resolved", kHour - hours(1), "warning");
  rows().Alert("c-healthy", "BE CPU Alert", "Firing", kNow, "critical");
  // The storm window is (now - 1h, now]: a message exactly an hour ago does not count.
  rows().Alert("c-healthy", "Memory Alert", "Firing", kNow - hours(1), "warning");
  rows().Alert("c-healthy", "Memory Alert", "Resolved", kNow - hours(1) + minutes(1), "warning");
  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreCluster("c-healthy");
  ASSERT_TRUE(run) << run.error().ToString();
  // The cluster and the other running cluster of its account (for account_wide).
  ASSERT_EQ(run->clusters.size(), 2u);
  const ClusterScore& cluster = Find(*run, "c-healthy");
  EXPECT_EQ(Find(*run, "c-surge").account_id, "acct-bbbbbb");
  // As of min(11:00, now = 10:20), [now - 7d, now): the message at exactly now is not yet in.
  EXPECT_EQ(cluster.alerts.firing_messages, 2);
  EXPECT_EQ(cluster.alerts.firing_now_critical, 0);
  EXPECT_EQ(cluster.alerts.firing_now_other, 0);
  EXPECT_TRUE(cluster.firing_now.empty());
  EXPECT_EQ(cluster.storm_firing_messages, 1);  // only the one at exactly now
  // ScoreCluster writes nothing.
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_health_scores"), 0);
}

TEST_P(ScorerTest, SnapshotHourFallsBackToTheLatestHourWithTelemetry) {
  BuildFleet();
  HealthScorer scorer(db(), clock(), Config());
  EXPECT_EQ(*scorer.ResolveSnapshotHour(kNow), kHour);
  // Two hours later nothing newer has landed: still 10:00.
  EXPECT_EQ(*scorer.ResolveSnapshotHour(kNow + hours(2)), kHour);
  // Before 10:00 the latest complete hour is 09:00.
  EXPECT_EQ(*scorer.ResolveSnapshotHour(kHour - minutes(1)), kHour - hours(1));
  // No telemetry in the last 24 hours: unavailable, nothing written.
  clock().Set(kNow + hours(30));
  auto stale = scorer.ScoreFleet();
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(stale.error().message.find("no telemetry"), std::string::npos);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_health_scores"), 0);
}

TEST_P(ScorerTest, UnknownAndEmptyFleetsAreHandled) {
  HealthScorer scorer(db(), clock(), Config());
  auto empty = scorer.ScoreFleet();
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kUnavailable);
  BuildFleet();
  auto unknown = scorer.ScoreCluster("c-nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  // A cluster whose account has no profile scores as tier B.
  rows().Cluster("c-orphan", "acct-nobody");
  rows().Snapshot("c-orphan", kHour);
  auto orphan = scorer.ScoreCluster("c-orphan");
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->clusters.front().tier, "");
  EXPECT_EQ(orphan->clusters.front().health.risk, RiskLevel::kHealthy);
}

INSTANTIATE_TEST_SUITE_P(Backends, ScorerTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::sentinel
