#include "sentinel/scorer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alerts/lark_alert_store.h"
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

// A Lark card with two sections on two clusters is one row ("c-healthy|c-surge",
// "Firing|Resolved"): each cluster's alert input gets its own section, nothing else.
TEST_P(ScorerTest, AMultiSectionLarkRowCountsSectionBySection) {
  BuildFleet();
  HealthScorer scorer(db(), clock(), Config());
  auto before = scorer.ScoreCluster("c-healthy");
  ASSERT_TRUE(before) << before.error().ToString();
  alerts::LarkAlertSection cpu;
  cpu.cluster_id = "c-healthy";
  cpu.status = alerts::LarkAlertStatus::kFiring;
  cpu.alert_name = "BE CPU Alert";
  cpu.severity = "critical";
  alerts::LarkAlertSection memory = cpu;
  memory.cluster_id = "c-surge";
  memory.status = alerts::LarkAlertStatus::kResolved;
  memory.alert_name = "Memory Alert";
  memory.severity = "warning";
  alerts::LarkAlertRow row =
      alerts::LarkAlertRowFromSections("om_card", "oc_chat", kNow - minutes(30), {cpu, memory});
  ASSERT_EQ(row.cluster_id, "c-healthy|c-surge");
  ASSERT_TRUE(alerts::LarkAlertStore(db(), clock()).Insert({row}, {}));
  auto after = scorer.ScoreCluster("c-healthy");
  ASSERT_TRUE(after) << after.error().ToString();
  const ClusterScore& healthy = Find(*after, "c-healthy");
  EXPECT_EQ(healthy.alerts.firing_messages,
            Find(*before, "c-healthy").alerts.firing_messages + 1);
  EXPECT_EQ(healthy.alerts.firing_now_critical,
            Find(*before, "c-healthy").alerts.firing_now_critical + 1);
  EXPECT_EQ(healthy.storm_firing_messages, Find(*before, "c-healthy").storm_firing_messages + 1);
  const ClusterScore& surge = Find(*after, "c-surge");
  EXPECT_EQ(surge.alerts.firing_messages, Find(*before, "c-surge").alerts.firing_messages);
  EXPECT_EQ(surge.alerts.firing_now_critical + surge.alerts.firing_now_other,
            Find(*before, "c-surge").alerts.firing_now_critical +
                Find(*before, "c-surge").alerts.firing_now_other);
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

TEST_P(ScorerTest, AVolumeCollapseAgainstTheSameHourOfTheWeekScoresCritical) {
  BuildFleet();
  rows().Account("acct-vvvvvv", "C");
  rows().Cluster("c-paused", "acct-vvvvvv");
  rows().Cluster("c-quiet", "acct-vvvvvv");
  const std::map<std::string, double> quiet = {{"starrocks_fe_qps", 0.4},
                                               {"starrocks_be_load_rows_per_sec", 20}};
  for (int day = 1; day <= 7; ++day) {
    for (TimePoint sample : {kHour - hours(24 * day), kHour - hours(1 + 24 * day)}) {
      // The load rate at this hour usually runs 4,000..6,000 rows/s.
      rows().Snapshot("c-paused", sample, {{"starrocks_be_load_rows_per_sec", 4000 + 250.0 * day}});
      rows().Snapshot("c-quiet", sample, quiet);
    }
  }
  rows().Snapshot("c-paused", kHour - hours(1));
  // The routine load paused: nothing loaded this hour; QPS unchanged.
  rows().Snapshot("c-paused", kHour, {{"starrocks_be_load_rows_per_sec", 0}});
  rows().Snapshot("c-quiet", kHour - hours(1), quiet);
  rows().Snapshot("c-quiet", kHour,
                  {{"starrocks_fe_qps", 0}, {"starrocks_be_load_rows_per_sec", 0}});

  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreFleet();
  ASSERT_TRUE(run) << run.error().ToString();
  const ClusterScore& paused = Find(*run, "c-paused");
  const VolumeScore& load = paused.volume.signals[1];
  EXPECT_EQ(load.signal, VolumeSignal::kLoadRate);
  EXPECT_TRUE(load.judged) << load.not_judged;
  EXPECT_EQ(load.baseline_samples, 7);
  EXPECT_DOUBLE_EQ(*load.baseline, 5000);  // the median of 4,250 .. 5,750
  EXPECT_DOUBLE_EQ(load.ratio, 0);
  EXPECT_EQ(load.state, store::HealthState::kCritical);
  EXPECT_DOUBLE_EQ(paused.health.metric, 0);
  EXPECT_EQ(paused.health.risk, RiskLevel::kCritical);  // tier C, no alert at all
  EXPECT_TRUE(paused.volume.signals[0].judged);         // QPS at its usual level
  EXPECT_EQ(paused.volume.signals[0].state, store::HealthState::kHealthy);
  ASSERT_TRUE(paused.previous);
  EXPECT_EQ(paused.previous->risk, RiskLevel::kHealthy);  // the hour before was normal
  // The hourly data of the previous hour is not mistaken for a drop: its own same-hour median.
  EXPECT_EQ(paused.Symptoms(), (std::vector<std::string>{"volume:load_rate"}));

  // A cluster whose usual traffic is under the low-traffic floors never fires on a drop.
  const ClusterScore& quiet_cluster = Find(*run, "c-quiet");
  EXPECT_FALSE(quiet_cluster.volume.signals[0].judged);
  EXPECT_FALSE(quiet_cluster.volume.signals[1].judged);
  EXPECT_EQ(quiet_cluster.volume.worst().state, store::HealthState::kHealthy);
  EXPECT_EQ(quiet_cluster.health.risk, RiskLevel::kHealthy);
  EXPECT_NE(quiet_cluster.volume.signals[0].not_judged.find("low-traffic floor"),
            std::string::npos);

  // Stored: the volume sub-scores and a volume risk item.
  auto stored = db().QueryOne(
      "SELECT h.dimension_scores, r.top_risks FROM cluster_health_scores h JOIN "
      "cluster_risk_snapshots r ON r.cluster_id = h.cluster_id AND r.snapshot_time = "
      "h.snapshot_time WHERE h.cluster_id = 'c-paused'");
  ASSERT_TRUE(stored) << stored.error().ToString();
  auto dimensions = ParseJson(stored->front().GetString(size_t{0}));
  ASSERT_TRUE(dimensions);
  EXPECT_DOUBLE_EQ((*dimensions)["volume_load_rate"].get<double>(), 0);
  EXPECT_DOUBLE_EQ((*dimensions)["volume_qps"].get<double>(), 100);
  auto top = ParseJson(stored->front().GetString(size_t{1}));
  ASSERT_TRUE(top);
  ASSERT_EQ(top->size(), 1u) << top->dump();
  EXPECT_EQ((*top)[0]["kind"], "volume");
  EXPECT_EQ((*top)[0]["signal"], "load_rate");
  EXPECT_DOUBLE_EQ((*top)[0]["baseline"].get<double>(), 5000);
}

TEST_P(ScorerTest, ARegressionAfterARecentOperationIsTheChangeDimension) {
  BuildFleet();
  rows().Account("acct-oooooo", "B");
  // c-scaled: a SCALE-in at 03:59, CPU 15 % -> 33 % and p99 2.2 s -> 4.6 s (both under their
  // absolute warnings). c-old: the same rise, but its SCALE was 30 hours ago (outside the 24 h
  // window). c-restart: the same rise after a RESTART (not a change_operations type). c-flat: a
  // SCALE and nothing regressed.
  for (const char* cluster : {"c-scaled", "c-old", "c-restart", "c-flat"}) {
    rows().Cluster(cluster, "acct-oooooo");
  }
  const std::map<std::string, double> before = {{"starrocks_be_cpu_util_percent", 15},
                                                {"starrocks_fe_query_latency_ms_p99", 2200}};
  const std::map<std::string, double> after = {{"starrocks_be_cpu_util_percent", 33},
                                               {"starrocks_fe_query_latency_ms_p99", 4600}};
  for (const char* cluster : {"c-scaled", "c-old", "c-restart", "c-flat"}) {
    for (int day = 1; day <= 7; ++day) {
      rows().Snapshot(cluster, kHour - hours(24 * day), before);
      rows().Snapshot(cluster, kHour - hours(1 + 24 * day), before);
    }
  }
  rows().Snapshot("c-scaled", kHour - hours(1), after);
  rows().Snapshot("c-scaled", kHour, after);
  rows().Operation("c-scaled", "SCALE", kHour - hours(6) - minutes(1));
  rows().Snapshot("c-old", kHour - hours(1), after);
  rows().Snapshot("c-old", kHour, after);
  rows().Operation("c-old", "SCALE", kHour - hours(30));
  rows().Snapshot("c-restart", kHour - hours(1), after);
  rows().Snapshot("c-restart", kHour, after);
  rows().Operation("c-restart", "RESTART", kHour - hours(6));
  rows().Snapshot("c-flat", kHour - hours(1), before);
  rows().Snapshot("c-flat", kHour, before);
  rows().Operation("c-flat", "scale", kHour - hours(2));  // any case

  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreFleet();
  ASSERT_TRUE(run) << run.error().ToString();
  const ClusterScore& scaled = Find(*run, "c-scaled");
  ASSERT_TRUE(scaled.operation);
  EXPECT_EQ(scaled.operation->type, "SCALE");
  EXPECT_EQ(scaled.operation->started_at, kHour - hours(6) - minutes(1));
  ASSERT_EQ(scaled.change.signals.size(), ChangeWatchedMetrics().size());
  const ChangeScore* worst = scaled.change.worst();
  ASSERT_NE(worst, nullptr);
  EXPECT_EQ(worst->spec->short_name, "cpu");  // x2.2 beats latency's x2.09
  EXPECT_EQ(worst->baseline_samples, 7);
  EXPECT_DOUBLE_EQ(*worst->baseline, 15);
  EXPECT_DOUBLE_EQ(worst->ratio, 2.2);
  EXPECT_EQ(worst->state, store::HealthState::kWarning);
  EXPECT_EQ(scaled.Symptoms(), (std::vector<std::string>{"change:cpu", "change:latency"}));
  // In M as one more dimension: its worst signal (cpu x2.2: 65.47), counted once in the breadth
  // penalty (every catalogue dimension is healthy).
  EXPECT_NEAR(scaled.health.metric, 79 - 29 * (0.7 / 1.5), 0.01);
  // The hour before was after the operation too: scored with the same dimension.
  ASSERT_TRUE(scaled.previous);
  EXPECT_DOUBLE_EQ(scaled.previous->metric, scaled.health.metric);

  EXPECT_FALSE(Find(*run, "c-old").operation);
  EXPECT_TRUE(Find(*run, "c-old").change.signals.empty());
  EXPECT_FALSE(Find(*run, "c-restart").operation);
  const ClusterScore& flat = Find(*run, "c-flat");
  ASSERT_TRUE(flat.operation);
  EXPECT_TRUE(flat.change.judged());
  EXPECT_EQ(flat.change.worst()->state, store::HealthState::kHealthy);
  EXPECT_TRUE(flat.Symptoms().empty());

  // Stored: a change risk item naming the operation.
  auto stored = db().QueryOne(
      "SELECT top_risks FROM cluster_risk_snapshots WHERE cluster_id = 'c-scaled'");
  ASSERT_TRUE(stored) << stored.error().ToString();
  auto top = ParseJson(stored->front().GetString(size_t{0}));
  ASSERT_TRUE(top);
  ASSERT_EQ(top->size(), 2u) << top->dump();
  EXPECT_EQ((*top)[0]["kind"], "change");
  EXPECT_EQ((*top)[0]["metric"], "starrocks_be_cpu_util_percent");
  EXPECT_EQ((*top)[0]["operation"], "SCALE");
  EXPECT_DOUBLE_EQ((*top)[0]["ratio"].get<double>(), 2.2);
}

TEST_P(ScorerTest, TheChangeBaselineTakesOnlyHoursBeforeTheOperation) {
  BuildFleet();
  rows().Account("acct-pppppp", "B");
  rows().Cluster("c-recent", "acct-pppppp");
  // Latency 2 s at this hour every day; 7 s now, after a config UPDATE.
  for (int day = 1; day <= 7; ++day) {
    rows().Snapshot("c-recent", kHour - hours(24 * day),
                    {{"starrocks_fe_query_latency_ms_p99", 2000}});
    rows().Snapshot("c-recent", kHour - hours(1 + 24 * day),
                    {{"starrocks_fe_query_latency_ms_p99", 2000}});
  }
  rows().Snapshot("c-recent", kHour - hours(1), {{"starrocks_fe_query_latency_ms_p99", 2000}});
  rows().Snapshot("c-recent", kHour, {{"starrocks_fe_query_latency_ms_p99", 7000}});
  // Started inside yesterday's same hour: that sample is partly after it, so it is left out.
  rows().Operation("c-recent", "UPDATE", kHour - hours(24) + minutes(30));
  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreFleet();
  ASSERT_TRUE(run) << run.error().ToString();
  const ClusterScore& recent = Find(*run, "c-recent");
  ASSERT_TRUE(recent.operation);
  const ChangeScore* worst = recent.change.worst();
  ASSERT_NE(worst, nullptr);
  EXPECT_EQ(worst->spec->short_name, "latency");
  EXPECT_EQ(worst->baseline_samples, 6);  // days 2..7
  EXPECT_DOUBLE_EQ(worst->ratio, 3.5);
  EXPECT_EQ(worst->state, store::HealthState::kCritical);
  // The hour before: its window (ending at H) holds the operation too; its samples are days
  // 1..7 before H - 1h, the first of which (H - 25 h) ends before the operation.
  ASSERT_TRUE(recent.previous);
  EXPECT_EQ(recent.previous->risk, RiskLevel::kHealthy);
}

TEST_P(ScorerTest, ACriticalAlertFlappingInTheLastDayWeighsEvenWhenResolved) {
  BuildFleet();
  // c-healthy: a BE crash loop. BE Service Suspension (critical) fired and resolved four times
  // in the last 24 h, once re-notified while firing; resolved now.
  for (int episode = 0; episode < 4; ++episode) {
    const TimePoint start = kHour - hours(20) + hours(5 * episode);
    rows().Alert("c-healthy", "BE Service Suspension", "Firing", start,
                 episode == 0 ? "Critical" : "critical");
    if (episode == 1)
      rows().Alert("c-healthy", "BE Service Suspension", "Firing", start + minutes(10));
    rows().Alert("c-healthy", "BE Service Suspension", "Resolved", start + minutes(20));
  }
  // An episode 30 hours ago is outside the 24-hour flap window.
  rows().Alert("c-healthy", "BE Service Suspension", "Firing", kHour - hours(30));
  rows().Alert("c-healthy", "BE Service Suspension", "Resolved", kHour - hours(29));
  // c-surge: a warning-level alert flapping five times is noise, not a flapping critical alert.
  for (int episode = 0; episode < 5; ++episode) {
    const TimePoint start = kHour - hours(10) + hours(episode);
    rows().Alert("c-surge", "Disk Load Alert", "Firing", start, "warning");
    rows().Alert("c-surge", "Disk Load Alert", "Resolved", start + minutes(8), "warning");
  }
  HealthScorer scorer(db(), clock(), Config());
  auto run = scorer.ScoreFleet();
  ASSERT_TRUE(run) << run.error().ToString();
  const ClusterScore& loop = Find(*run, "c-healthy");
  EXPECT_TRUE(loop.firing_now.empty());
  ASSERT_EQ(loop.flapping.size(), 1u);
  EXPECT_EQ(loop.flapping[0].name, "BE Service Suspension");
  EXPECT_EQ(loop.flapping[0].episodes, 4);  // the re-notification is not an episode
  EXPECT_FALSE(loop.flapping[0].firing_now);
  EXPECT_EQ(loop.alerts.firing_messages, 6);
  EXPECT_EQ(loop.alerts.flapping_critical, 1);
  EXPECT_EQ(loop.alerts.flapping_resolved_now, 1);
  EXPECT_EQ(loop.alerts.flap_episodes, 4);
  EXPECT_DOUBLE_EQ(loop.health.alert, 20);           // 100 - 6 x 5 - 30 - 4 x 5
  EXPECT_EQ(loop.health.risk, RiskLevel::kWarning);  // Healthy metrics, no longer Healthy
  EXPECT_EQ(loop.Symptoms(), (std::vector<std::string>{"alert:be service suspension"}));

  const ClusterScore& noise = Find(*run, "c-surge");
  EXPECT_TRUE(noise.flapping.empty());
  EXPECT_EQ(noise.alerts.flap_episodes, 0);

  // With a higher episode minimum the same history is not flapping.
  SentinelConfig tolerant = Config();
  tolerant.flap_min_episodes = 5;
  HealthScorer tolerant_scorer(db(), clock(), tolerant);
  auto relaxed = tolerant_scorer.ScoreCluster("c-healthy");
  ASSERT_TRUE(relaxed);
  EXPECT_TRUE(Find(*relaxed, "c-healthy").flapping.empty());
  EXPECT_DOUBLE_EQ(Find(*relaxed, "c-healthy").health.alert, 70);

  auto top =
      ParseJson(*db().QueryOne("SELECT top_risks FROM cluster_risk_snapshots WHERE "
                               "cluster_id = 'c-healthy'")
                     .map([](store::QueryResult r) { return r.front().GetString(size_t{0}); }));
  ASSERT_TRUE(top);
  ASSERT_EQ(top->size(), 1u) << top->dump();
  EXPECT_EQ((*top)[0]["kind"], "flapping");
  EXPECT_EQ((*top)[0]["episodes"], 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, ScorerTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::sentinel
