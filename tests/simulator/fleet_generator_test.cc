// The generator's contract: validation before any write, determinism, refusal to overwrite,
// and the shape of what it writes (ids, node groups, hourly metrics, alerts, operations, meta).
#include "simulator/fleet_generator.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/ids.h"
#include "core/json.h"
#include "core/time_format.h"
#include "simulator/ground_truth.h"
#include "store/metric_catalog.h"
#include "tests/fakes/test_env.h"
#include "tests/simulator/sim_test_util.h"

namespace rh::simulator {
namespace {

using testing::FleetChecksums;
using testing::MetricSeries;

const TimePoint kEnd = MakeUtcTime(2026, 11, 21, 10);

FleetParams SmallFleet(uint64_t seed = 42) {
  FleetParams params;
  params.clusters = 40;
  params.days = 7;
  params.seed = seed;
  params.end_hour = kEnd;
  return params;
}

std::unique_ptr<store::Database> OpenSqlite(const std::string& path) {
  auto db = store::OpenDatabase(path);
  EXPECT_TRUE(db) << db.error().ToString();
  return db ? std::move(*db) : nullptr;
}

class GeneratedFleet : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new rh::testing::TempDir();
    db_ = OpenSqlite(dir_->File("fleet.db")).release();
    auto stats = GenerateFleet(*db_, SmallFleet());
    ASSERT_TRUE(stats) << stats.error().ToString();
    stats_ = *stats;
  }
  static void TearDownTestSuite() {
    delete db_;
    delete dir_;
  }
  store::Database& db() { return *db_; }

  static rh::testing::TempDir* dir_;
  static store::Database* db_;
  static GenerationStats stats_;
};
rh::testing::TempDir* GeneratedFleet::dir_ = nullptr;
store::Database* GeneratedFleet::db_ = nullptr;
GenerationStats GeneratedFleet::stats_;

// "3.2.11" -> {3, 2, 11}: versions compared as numbers.
std::vector<int> VersionKey(const std::string& version) {
  std::vector<int> key;
  size_t pos = 0;
  while (pos <= version.size()) {
    const size_t dot = version.find('.', pos);
    key.push_back(std::stoi(version.substr(pos, dot - pos)));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return key;
}

std::set<std::string> IncidentClusters(store::Database& db) {
  std::set<std::string> clusters;
  auto truth = ReadGroundTruth(db);
  EXPECT_TRUE(truth);
  for (const GroundTruthRow& row : *truth) clusters.insert(row.cluster_id);
  return clusters;
}

TEST(FleetParamsTest, RejectsBadInputWithAClearMessage) {
  FleetParams params = SmallFleet();
  params.clusters = 0;
  auto status = ValidateFleetParams(params);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().ToString().find("clusters"), std::string::npos);

  params = SmallFleet();
  params.days = 0;
  EXPECT_FALSE(ValidateFleetParams(params));
  params.days = 400;
  EXPECT_FALSE(ValidateFleetParams(params));

  params = SmallFleet();
  params.end_hour = kEnd + std::chrono::minutes(30);
  status = ValidateFleetParams(params);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("on the hour"), std::string::npos);

  params = SmallFleet();
  params.incidents = MaxIncidentCount(params.clusters) + 1;
  status = ValidateFleetParams(params);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("at most"), std::string::npos);
  params.incidents = -1;
  EXPECT_FALSE(ValidateFleetParams(params));
  params.incidents = 0;
  EXPECT_TRUE(ValidateFleetParams(params));
}

TEST(FleetParamsTest, BadInputWritesNothing) {
  rh::testing::TempDir dir;
  auto db = OpenSqlite(dir.File("fleet.db"));
  FleetParams params = SmallFleet();
  params.end_hour = kEnd + std::chrono::seconds(1);
  auto stats = GenerateFleet(*db, params);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, ErrorCode::kInvalidArgument);
  auto tables = db->TableExists("cluster_info");
  ASSERT_TRUE(tables);
  EXPECT_FALSE(*tables) << "validation must run before the schema is even touched";
}

TEST(FleetParamsTest, DefaultIncidentCountCoversEveryCategoryThenFourPercent) {
  EXPECT_EQ(DefaultIncidentCount(40), 13);
  EXPECT_EQ(DefaultIncidentCount(200), 13);
  EXPECT_EQ(DefaultIncidentCount(1000), 40);
  EXPECT_EQ(DefaultIncidentCount(10000), 400);
  // Tiny fleets get what fits in 60% of their clusters.
  EXPECT_EQ(DefaultIncidentCount(5), 3);
  EXPECT_EQ(MaxIncidentCount(1), 0);
  EXPECT_GE(MaxIncidentCount(30), 13);
}

TEST(FleetDeterminismTest, SameSeedSameBytesOtherSeedOtherFleet) {
  rh::testing::TempDir dir;
  auto first = OpenSqlite(dir.File("a.db"));
  auto second = OpenSqlite(dir.File("b.db"));
  auto third = OpenSqlite(dir.File("c.db"));
  ASSERT_TRUE(GenerateFleet(*first, SmallFleet(7)));
  ASSERT_TRUE(GenerateFleet(*second, SmallFleet(7)));
  ASSERT_TRUE(GenerateFleet(*third, SmallFleet(8)));
  const auto sums_first = FleetChecksums(*first);
  const auto sums_second = FleetChecksums(*second);
  const auto sums_third = FleetChecksums(*third);
  for (const auto& [table, sum] : sums_first) {
    EXPECT_EQ(sum, sums_second.at(table)) << table << " differs between two runs of seed 7";
    if (table != "fleet_meta") {
      EXPECT_NE(sum, sums_third.at(table)) << table << " is identical for seeds 7 and 8";
    }
  }
}

TEST(FleetDeterminismTest, RefusesToOverwriteUnlessAskedThenReplacesCleanly) {
  rh::testing::TempDir dir;
  auto db = OpenSqlite(dir.File("fleet.db"));
  FleetParams params = SmallFleet(3);
  params.clusters = 25;
  params.days = 3;
  ASSERT_TRUE(GenerateFleet(*db, params));
  const auto before = FleetChecksums(*db);

  params.seed = 4;
  auto refused = GenerateFleet(*db, params);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("already holds a fleet (25 clusters)"), std::string::npos)
      << refused.error().ToString();
  EXPECT_EQ(FleetChecksums(*db), before) << "a refused generation must not touch the fleet";

  params.replace_existing = true;
  params.clusters = 30;
  ASSERT_TRUE(GenerateFleet(*db, params));
  EXPECT_EQ(*ExistingClusterCount(*db), 30);
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(DISTINCT cluster_id) FROM amv_hourly_snapshots_v1"), 30 - 0)
      << "old snapshots must be gone";

  // The replacement equals a fresh generation with the same parameters.
  auto fresh = OpenSqlite(dir.File("fresh.db"));
  params.replace_existing = false;
  ASSERT_TRUE(GenerateFleet(*fresh, params));
  EXPECT_EQ(FleetChecksums(*db), FleetChecksums(*fresh));
}

TEST(FleetProgressTest, ReportsEveryClusterInOrder) {
  rh::testing::TempDir dir;
  auto db = OpenSqlite(dir.File("fleet.db"));
  FleetParams params = SmallFleet(5);
  params.clusters = 12;
  params.days = 1;
  std::vector<int64_t> done;
  int64_t total = 0;
  bool finished = false;
  auto stats = GenerateFleet(*db, params, [&](const GenerationProgress& progress) {
    if (progress.stage == "snapshots") {
      done.push_back(progress.done);
      total = progress.total;
    }
    if (progress.stage == "done") finished = true;
  });
  ASSERT_TRUE(stats) << stats.error().ToString();
  ASSERT_FALSE(done.empty());
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(done.back(), 12);
  EXPECT_EQ(total, 12);
  EXPECT_TRUE(finished);
}

TEST_F(GeneratedFleet, StatsMatchTheTables) {
  EXPECT_EQ(stats_.clusters, 40);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_info"), 40);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM dim_customer_profile"), stats_.accounts);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_node_groups"), 80);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM amv_hourly_snapshots_v1"), stats_.snapshot_rows);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM lark_alerts"), stats_.alert_messages);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_operations"), stats_.operations);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM sim_ground_truth"), stats_.ground_truth_rows);
  EXPECT_EQ(stats_.incidents, 13);
  EXPECT_EQ(stats_.first_hour, kEnd - std::chrono::hours(7 * 24 - 1));
}

TEST_F(GeneratedFleet, FleetMetaDescribesTheSimulation) {
  auto result = db().Query("SELECT meta_key, meta_value FROM fleet_meta");
  ASSERT_TRUE(result);
  std::map<std::string, std::string> meta;
  for (const store::Row row : *result) meta[row.GetString(0)] = row.GetString(1);
  EXPECT_EQ(meta["sim_seed"], "42");
  EXPECT_EQ(meta["sim_clusters"], "40");
  EXPECT_EQ(meta["sim_days"], "7");
  EXPECT_EQ(meta["sim_end"], "2026-11-21 10:00:00");
  EXPECT_EQ(meta["generated_at"], "2026-11-21 10:00:00");
  EXPECT_EQ(meta["sim_status"], "complete");
  EXPECT_EQ(meta["sim_incidents"], "13");
}

TEST_F(GeneratedFleet, IdsAreValidResourceIdsAndUnique) {
  auto clusters = db().Query("SELECT cluster_id, account_id, cluster_name FROM cluster_info");
  ASSERT_TRUE(clusters);
  const std::regex cluster_shape("c-[a-z0-9]{8}");
  const std::regex account_shape("acct-[a-z0-9]{6}");
  std::set<std::string> accounts;
  for (const store::Row row : *clusters) {
    EXPECT_TRUE(IsValidResourceId(row.GetString(0))) << row.GetString(0);
    EXPECT_TRUE(std::regex_match(row.GetString(0), cluster_shape)) << row.GetString(0);
    EXPECT_TRUE(IsValidResourceId(row.GetString(1))) << row.GetString(1);
    EXPECT_TRUE(std::regex_match(row.GetString(1), account_shape)) << row.GetString(1);
    EXPECT_FALSE(row.GetString(2).empty());
    accounts.insert(row.GetString(1));
  }
  // Every cluster's account exists, with a tier; every account has 1-6 clusters.
  auto profiles = db().Query(
      "SELECT p.account_id, p.customer_tier, COUNT(c.cluster_id) FROM dim_customer_profile p "
      "LEFT JOIN cluster_info c ON c.account_id = p.account_id GROUP BY p.account_id, "
      "p.customer_tier");
  ASSERT_TRUE(profiles);
  EXPECT_EQ(profiles->size(), accounts.size());
  std::set<std::string> tiers;
  for (const store::Row row : *profiles) {
    EXPECT_TRUE(accounts.count(row.GetString(0))) << row.GetString(0);
    tiers.insert(row.GetString(1));
    EXPECT_GE(row.GetInt(2), 1);
    EXPECT_LE(row.GetInt(2), 6);
  }
  for (const std::string& tier : tiers) EXPECT_TRUE(tier == "S" || tier == "A" || tier == "B" || tier == "C");
}

TEST_F(GeneratedFleet, NodeGroupsRespectTheInstanceLimits) {
  auto result = db().Query(
      "SELECT c.run_mode, g.node_type, g.node_count, g.cu, g.spec_type, g.disk_size_gb, "
      "g.essd_level, c.version FROM cluster_node_groups g JOIN cluster_info c ON "
      "c.cluster_id = g.cluster_id");
  ASSERT_TRUE(result);
  std::set<std::string> run_modes;
  const std::set<int64_t> cu_sizes = {8, 16, 32, 64};
  const std::set<std::string> specs = {"standard", "ramEnhanced", "networkEnhanced", "localSSD",
                                       "bigData"};
  for (const store::Row row : *result) {
    const std::string run_mode = row.GetString(0);
    const std::string node_type = row.GetString(1);
    const int64_t count = row.GetInt(2);
    run_modes.insert(run_mode);
    if (node_type == "FE") {
      EXPECT_TRUE(count == 1 || count == 3 || count == 5) << count;
    } else if (node_type == "BE") {
      EXPECT_EQ(run_mode, "shared_nothing");
      EXPECT_GE(count, 3);
      EXPECT_LE(count, 12);
    } else {
      EXPECT_EQ(node_type, "CN");
      EXPECT_EQ(run_mode, "shared_data");
      EXPECT_GE(count, 1);
      EXPECT_LE(count, 16);
      EXPECT_GE(row.GetString(7), "3") << "shared-data needs StarRocks 3.0+";
    }
    EXPECT_TRUE(cu_sizes.count(row.GetInt(3))) << row.GetInt(3);
    EXPECT_TRUE(specs.count(row.GetString(4))) << row.GetString(4);
    EXPECT_GE(row.GetInt(5), 200);
    EXPECT_LE(row.GetInt(5), 8000);
    if (!row.IsNull(6)) {
      const std::string essd = row.GetString(6);
      EXPECT_TRUE(essd == "PL0" || essd == "PL1" || essd == "PL2" || essd == "PL3") << essd;
      if (essd == "PL2") {
        EXPECT_GE(row.GetInt(5), 500) << "PL2 needs >= 500 GB";
      }
    }
  }
  EXPECT_EQ(run_modes.size(), 2u) << "both architectures appear";
}

TEST_F(GeneratedFleet, EveryMetricEveryHourForClustersWithTelemetry) {
  auto truth = ReadGroundTruth(db());
  ASSERT_TRUE(truth);
  std::set<std::string> gap_clusters;
  for (const GroundTruthRow& row : *truth) {
    if (row.category == RootCause::kInsufficientData) gap_clusters.insert(row.cluster_id);
  }
  ASSERT_EQ(gap_clusters.size(), 1u);
  auto per_cluster = db().Query(
      "SELECT cluster_id, COUNT(*), COUNT(DISTINCT snapshot_hour), COUNT(DISTINCT metric_name), "
      "MIN(snapshot_hour), MAX(snapshot_hour) FROM amv_hourly_snapshots_v1 GROUP BY cluster_id");
  ASSERT_TRUE(per_cluster);
  EXPECT_EQ(per_cluster->size(), 40u);
  for (const store::Row row : *per_cluster) {
    const std::string cluster = row.GetString(0);
    EXPECT_EQ(row.GetInt(3), 14) << cluster;
    EXPECT_EQ(FormatSqlTime(*row.GetTime(4)), "2026-11-14 11:00:00") << cluster;
    if (gap_clusters.count(cluster)) {
      EXPECT_LT(row.GetInt(2), 7 * 24) << cluster;
      continue;
    }
    EXPECT_EQ(row.GetInt(1), 7 * 24 * 14) << cluster;
    EXPECT_EQ(row.GetInt(2), 7 * 24) << cluster;
    EXPECT_EQ(FormatSqlTime(*row.GetTime(5)), "2026-11-21 10:00:00") << cluster;
  }
  // Every metric name is one of the catalogue's.
  auto names = db().Query("SELECT DISTINCT metric_name FROM amv_hourly_snapshots_v1");
  ASSERT_TRUE(names);
  for (const store::Row row : *names) {
    EXPECT_NE(store::FindMetric(row.GetString(0)), nullptr) << row.GetString(0);
  }
  // max >= p99 >= avg wherever p99 is present.
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM amv_hourly_snapshots_v1 WHERE max_value < "
                           "avg_value OR (p99_value IS NOT NULL AND (p99_value < avg_value OR "
                           "p99_value > max_value))"),
            0);
}

TEST_F(GeneratedFleet, BackgroundClustersStayHealthy) {
  const std::set<std::string> incident_clusters = IncidentClusters(db());
  auto rows = db().Query("SELECT cluster_id, metric_name, avg_value FROM amv_hourly_snapshots_v1");
  ASSERT_TRUE(rows);
  std::map<std::string, std::pair<int64_t, int64_t>> per_metric;  // metric -> (healthy, total)
  for (const store::Row row : *rows) {
    if (incident_clusters.count(row.GetString(0))) continue;
    const store::MetricSpec* spec = store::FindMetric(row.GetString(1));
    ASSERT_NE(spec, nullptr);
    if (spec->kind == store::ThresholdKind::kBaselineRatio) continue;  // checked below
    auto& [healthy, total] = per_metric[row.GetString(1)];
    ++total;
    if (store::ClassifyMetric(*spec, row.GetDouble(2)) == store::HealthState::kHealthy) ++healthy;
  }
  ASSERT_EQ(per_metric.size(), 11u);
  for (const auto& [metric, counts] : per_metric) {
    EXPECT_GE(static_cast<double>(counts.first) / counts.second, 0.99)
        << metric << ": background clusters must be Healthy at least 99% of the hours";
  }
  // Volume metrics never reach 3x their value 7 days earlier on background clusters.
  auto ratios = db().Query(
      "SELECT a.cluster_id, a.avg_value, b.avg_value FROM amv_hourly_snapshots_v1 a JOIN "
      "amv_hourly_snapshots_v1 b ON a.cluster_id = b.cluster_id AND a.metric_name = "
      "b.metric_name AND b.snapshot_hour = datetime(a.snapshot_hour, '-7 days') WHERE "
      "a.metric_name IN ('starrocks_fe_qps', 'starrocks_be_load_rows_per_sec', "
      "'starrocks_be_scan_rows_per_sec')");
  ASSERT_TRUE(ratios);
  for (const store::Row row : *ratios) {
    if (incident_clusters.count(row.GetString(0))) continue;
    EXPECT_LT(row.GetDouble(1) / row.GetDouble(2), 3.0) << row.GetString(0);
  }
}

TEST_F(GeneratedFleet, DailySeasonalityIsVisible) {
  // Across background clusters, CPU at the local afternoon peak beats CPU at local night.
  const std::set<std::string> incident_clusters = IncidentClusters(db());
  auto clusters = db().Query("SELECT cluster_id FROM cluster_info WHERE region LIKE 'cn-%'");
  ASSERT_TRUE(clusters);
  int checked = 0;
  int seasonal = 0;
  for (const store::Row row : *clusters) {
    const std::string cluster = row.GetString(0);
    if (incident_clusters.count(cluster)) continue;
    const auto qps = MetricSeries(db(), cluster, "starrocks_fe_qps");
    double day = 0;
    double night = 0;
    for (size_t hour_idx = 0; hour_idx < qps.hours.size(); ++hour_idx) {
      const int utc_hour = std::stoi(qps.hours[hour_idx].substr(11, 2));
      const int local_hour = (utc_hour + 8) % 24;
      if (local_hour >= 12 && local_hour <= 17) day += qps.values[hour_idx];
      if (local_hour >= 1 && local_hour <= 6) night += qps.values[hour_idx];
    }
    ++checked;
    if (day > night * 1.1) ++seasonal;
  }
  ASSERT_GT(checked, 5);
  EXPECT_GE(seasonal, checked * 9 / 10);
}

TEST_F(GeneratedFleet, AlertMessagesLookLikeLark) {
  auto alerts = db().Query(
      "SELECT message_id, cluster_id, account_id, region, alert_name, severity, status, detail, "
      "dashboard_url, silence_url, alert_time, starts_at, ends_at FROM lark_alerts");
  ASSERT_TRUE(alerts);
  ASSERT_GT(alerts->size(), 20u);
  const std::regex id_shape("om_[0-9a-f]{32}");
  std::set<std::string> ids;
  const std::set<std::string> known_names = {
      "BE CPU Alert", "Data Disk Capacity Alert", "High Compaction Pressure Alert",
      "Exceeding Version Count Alert", "Query Latency Alert", "Query Failure Alert",
      "BE Service Suspension", "Loading Failure Alert", "High FE JVM Usage Alert", "Memory Alert",
      "Query Overload Alert", "Disk Load Alert", "Routine Load Consumption Delay Alert",
      "User Connection Limit Exceeded Alert", "Materialized View Refresh Exception Alert",
      "Cumulative Compaction Failure Alert"};
  int resolved = 0;
  for (const store::Row row : *alerts) {
    const std::string id = row.GetString(0);
    EXPECT_TRUE(std::regex_match(id, id_shape)) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate message id " << id;
    EXPECT_TRUE(known_names.count(row.GetString(4))) << row.GetString(4);
    const std::string severity = row.GetString(5);
    EXPECT_TRUE(severity == "critical" || severity == "warning" || severity == "info");
    const std::string status = row.GetString(6);
    ASSERT_TRUE(status == "Firing" || status == "Resolved") << status;
    const std::string detail = row.GetString(7);
    EXPECT_NE(detail.find("[" + status + "] " + row.GetString(4)), std::string::npos) << detail;
    EXPECT_NE(detail.find(row.GetString(1)), std::string::npos);
    EXPECT_NE(detail.find("Value: "), std::string::npos);
    EXPECT_NE(row.GetString(8).find("var-cluster=" + row.GetString(1)), std::string::npos);
    EXPECT_NE(row.GetString(9).find("silences/new"), std::string::npos);
    const TimePoint alert_time = *row.GetTime(10);
    const TimePoint starts_at = *row.GetTime(11);
    EXPECT_LE(alert_time, kEnd) << "no message after the fleet's last hour";
    EXPECT_GE(alert_time, starts_at);
    if (status == "Resolved") {
      ++resolved;
      ASSERT_FALSE(row.IsNull(12));
      EXPECT_EQ(*row.GetTime(12), alert_time);
    } else {
      EXPECT_TRUE(row.IsNull(12));
    }
  }
  EXPECT_GT(resolved, 0);
  // Every Resolved message has its Firing message, earlier.
  EXPECT_EQ(*db().QueryInt(
                "SELECT COUNT(*) FROM lark_alerts r WHERE r.status = 'Resolved' AND NOT EXISTS "
                "(SELECT 1 FROM lark_alerts f WHERE f.status = 'Firing' AND f.cluster_id = "
                "r.cluster_id AND f.alert_name = r.alert_name AND f.starts_at = r.starts_at AND "
                "f.alert_time <= r.alert_time)"),
            0);
}

TEST_F(GeneratedFleet, BackgroundAlertsResolveQuickly) {
  const std::set<std::string> incident_clusters = IncidentClusters(db());
  auto episodes = db().Query(
      "SELECT cluster_id, alert_name, starts_at, MAX(ends_at) FROM lark_alerts GROUP BY "
      "cluster_id, alert_name, starts_at");
  ASSERT_TRUE(episodes);
  int background = 0;
  for (const store::Row row : *episodes) {
    if (incident_clusters.count(row.GetString(0))) continue;
    ++background;
    ASSERT_FALSE(row.IsNull(3)) << row.GetString(0) << " " << row.GetString(1)
                                << " is still firing on a background cluster";
    EXPECT_LE(*row.GetTime(3) - *row.GetTime(2), std::chrono::minutes(45));
  }
  EXPECT_GT(background, 0) << "a sprinkle of background alerts is expected";
}

TEST_F(GeneratedFleet, OperationsAreConsistentWithTheClusters) {
  auto ops = db().Query(
      "SELECT o.operation_id, o.cluster_id, o.operation_type, o.actor, o.parameters, o.result, "
      "o.started_at, o.finished_at, c.version FROM cluster_operations o JOIN cluster_info c ON "
      "c.cluster_id = o.cluster_id ORDER BY o.cluster_id, o.started_at");
  ASSERT_TRUE(ops);
  ASSERT_GT(ops->size(), 5u);
  const std::set<std::string> types = {"START", "STOP", "UPDATE", "SCALE", "RESTART", "UPGRADE"};
  std::map<std::string, std::string> last_upgrade_to;
  std::set<std::string> ids;
  for (const store::Row row : *ops) {
    EXPECT_TRUE(ids.insert(row.GetString(0)).second);
    EXPECT_EQ(row.GetString(0).rfind("op-", 0), 0u);
    EXPECT_TRUE(types.count(row.GetString(2))) << row.GetString(2);
    EXPECT_FALSE(row.GetString(3).empty());
    auto params = ParseJson(row.GetString(4), "parameters");
    ASSERT_TRUE(params) << row.GetString(4);
    ASSERT_TRUE(params->is_object());
    const std::string result = row.GetString(5);
    EXPECT_TRUE(result == "SUCCESS" || result == "FAILED" || result == "RUNNING") << result;
    EXPECT_LE(*row.GetTime(6), kEnd);
    if (!row.IsNull(7)) {
      EXPECT_GE(*row.GetTime(7), *row.GetTime(6));
    }
    if (row.GetString(2) == "UPGRADE") {
      EXPECT_TRUE(params->contains("from_version") && params->contains("to_version"));
      EXPECT_LT(VersionKey(JsonString(*params, "from_version")),
                VersionKey(JsonString(*params, "to_version")))
          << row.GetString(4);
      last_upgrade_to[row.GetString(1)] = JsonString(*params, "to_version");
    }
    if (row.GetString(2) == "SCALE") {
      const bool counts = params->contains("from_count") && params->contains("to_count");
      const bool cus = params->contains("from_cu") && params->contains("to_cu");
      EXPECT_TRUE(counts || cus) << row.GetString(4);
    }
  }
  // The latest UPGRADE of a cluster ends at the version the cluster runs.
  auto versions = db().Query("SELECT cluster_id, version FROM cluster_info");
  ASSERT_TRUE(versions);
  for (const store::Row row : *versions) {
    auto it = last_upgrade_to.find(row.GetString(0));
    if (it != last_upgrade_to.end()) {
      EXPECT_EQ(it->second, row.GetString(1)) << row.GetString(0);
    }
  }
}

}  // namespace
}  // namespace rh::simulator
