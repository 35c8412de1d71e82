// The tools on a simulated fleet (rh::simulator, one labelled incident per category): for each
// incident, the tool an investigator would use shows the story. The ground truth is read here,
// by the test, only to pick the incident's cluster; the tools never see it.
//
// The fleet (30 clusters x 14 days, seed 42) is generated once per test binary build and cached
// under the build directory, so the many test processes ctest starts share it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace rh::testing {
namespace {

using simulator::GroundTruthRow;

const TimePoint kEnd = MakeUtcTime(2026, 11, 21, 10);

// The cached fleet file for this build of the test binary (keyed by the binary's mtime, so a
// rebuilt simulator regenerates it). Generated into a private file and renamed into place, so
// concurrent test processes never see half a fleet.
std::string CachedFleet() {
  struct stat self {};
  EXPECT_EQ(stat("/proc/self/exe", &self), 0);
  std::filesystem::path dir = std::filesystem::path(RH_BINARY_DIR) / "test-cache";
  std::filesystem::create_directories(dir);
  std::string path =
      (dir / ("tools-sim-30c-14d-s42-" + std::to_string(self.st_mtime) + ".db")).string();
  if (std::filesystem::exists(path)) return path;
  std::string building = path + ".building-" + std::to_string(::getpid());
  {
    auto db = store::OpenDatabase(building);
    EXPECT_TRUE(db) << db.error().ToString();
    simulator::FleetParams params;
    params.clusters = 30;
    params.days = 14;
    params.seed = 42;
    params.end_hour = kEnd;
    auto stats = simulator::GenerateFleet(**db, params);
    EXPECT_TRUE(stats) << stats.error().ToString();
    auto memory = store::Migrate(**db, store::SchemaSet::kMemory);
    EXPECT_TRUE(memory) << memory.error().ToString();
    auto checkpoint = (*db)->Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    EXPECT_TRUE(checkpoint) << checkpoint.error().ToString();
  }
  std::filesystem::remove(building + "-wal");
  std::filesystem::remove(building + "-shm");
  std::filesystem::rename(building, path);
  return path;
}

class SimulatedFleetTest : public ::testing::Test {
 protected:
  // One fleet file per process (and per build, through the cache).
  static const std::string& Path() {
    static const std::string path = CachedFleet();
    return path;
  }

  void SetUp() override {
    auto db = store::OpenDatabase(Path());
    ASSERT_TRUE(db) << db.error().ToString();
    db_ = std::move(*db);
    auto truth = simulator::ReadGroundTruth(*db_);
    ASSERT_TRUE(truth) << truth.error().ToString();
    truth_ = *truth;
    ASSERT_FALSE(truth_.empty());
    clock_ = std::make_unique<ManualClock>(kEnd);
    tools::ToolEnvironment env;
    env.fleet = db_.get();
    env.memory = db_.get();
    env.clock = clock_.get();
    env.fleet_url = Path();
    auto built = tools::BuildInvestigationTools(env);
    ASSERT_TRUE(built) << built.error().ToString();
    registry_ = std::make_unique<tools::ToolRegistry>(std::move(*built));
  }

  const GroundTruthRow& Incident(RootCause category) {
    for (const GroundTruthRow& row : truth_) {
      if (row.category == category) return row;
    }
    ADD_FAILURE() << "the simulated fleet has no " << RootCauseName(category) << " incident";
    static const GroundTruthRow kNone;
    return kNone;
  }

  Json Ok(const std::string& tool, const Json& input) {
    tools::ToolResult result = registry_->Call(tool, input);
    EXPECT_FALSE(result.is_error) << tool << " " << input.dump() << ": " << result.content;
    auto parsed = ParseJson(result.content);
    EXPECT_TRUE(parsed) << result.content;
    return parsed ? *parsed : Json::object();
  }

  // One dimension of query_cluster_metrics over a window that covers the incident.
  Json Dimension(const GroundTruthRow& row, const std::string& dimension) {
    int hours = std::max<int>(24, static_cast<int>(HoursBefore(row.window_start)) + 6);
    Json out = Ok("query_cluster_metrics", {{"cluster_id", row.cluster_id},
                                            {"dimensions", {dimension}},
                                            {"window_hours", std::min(hours, 24 * 7)}});
    if (!out.contains("dimensions") || out["dimensions"].empty()) return Json::object();
    return out["dimensions"][0];
  }

  static double HoursBefore(TimePoint time) {
    return std::chrono::duration<double, std::ratio<3600>>(kEnd - time).count();
  }
  static double HoursBefore(const Json& iso) {
    auto time = ParseIsoTime(iso.get<std::string>());
    EXPECT_TRUE(time) << iso;
    return time ? HoursBefore(*time) : -1;
  }
  static bool Abnormal(const Json& dimension) {
    return dimension["state"] == "warning" || dimension["state"] == "critical" ||
           dimension["worst_state"] == "warning" || dimension["worst_state"] == "critical";
  }
  // A change point that started within `tolerance` hours of the incident's start.
  static void ExpectChangeNear(const Json& dimension, const GroundTruthRow& row,
                               const std::string& direction, double tolerance) {
    ASSERT_TRUE(dimension.contains("change_point"))
        << RootCauseName(row.category) << " " << row.cluster_id << ": no change point in "
        << dimension.dump();
    EXPECT_EQ(dimension["change_point"]["direction"], direction) << dimension.dump();
    EXPECT_NEAR(HoursBefore(dimension["change_point"]["started"]), HoursBefore(row.window_start),
                tolerance)
        << RootCauseName(row.category) << " " << row.cluster_id << " (" << row.description
        << "): " << dimension.dump();
  }

  std::unique_ptr<store::Database> db_;
  std::vector<GroundTruthRow> truth_;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<tools::ToolRegistry> registry_;
};

TEST_F(SimulatedFleetTest, DiskFillingShowsTheRiseTheCrossingAndTheStartHour) {
  const GroundTruthRow& row = Incident(RootCause::kDiskCapacity);
  Json disk = Dimension(row, "disk");
  EXPECT_EQ(disk["state"], "critical") << disk.dump();
  EXPECT_GT(disk["latest"].get<double>(), 85);
  EXPECT_GT(disk["trend_per_hour"].get<double>(), 0);
  ASSERT_TRUE(disk.contains("state_since")) << disk.dump();
  EXPECT_LT(HoursBefore(disk["state_since"]), HoursBefore(row.window_start));
  ExpectChangeNear(disk, row, "rising", 12);
  Json alerts = Ok("query_cluster_alerts", {{"cluster_id", row.cluster_id}, {"window_hours", 72}});
  bool disk_alert = false;
  for (const Json& alert : alerts["currently_firing"]) {
    disk_alert |= alert["alert_name"].get<std::string>().find("Disk") != std::string::npos;
  }
  EXPECT_TRUE(disk_alert) << alerts.dump();
}

TEST_F(SimulatedFleetTest, NodeFailureShowsTheAliveRatioDrop) {
  const GroundTruthRow& row = Incident(RootCause::kNodeFailure);
  Json alive = Dimension(row, "alive_be");
  EXPECT_TRUE(Abnormal(alive)) << alive.dump();
  ExpectChangeNear(alive, row, "falling", 3);
}

TEST_F(SimulatedFleetTest, CompactionBacklogShowsTheScoreClimbing) {
  const GroundTruthRow& row = Incident(RootCause::kCompactionBacklog);
  Json compaction = Dimension(row, "compaction");
  EXPECT_TRUE(Abnormal(compaction)) << compaction.dump();
  ExpectChangeNear(compaction, row, "rising", 12);
}

TEST_F(SimulatedFleetTest, MemoryPressureShowsBeMemoryHigh) {
  const GroundTruthRow& row = Incident(RootCause::kMemoryPressure);
  Json memory = Dimension(row, "be_mem");
  EXPECT_TRUE(Abnormal(memory)) << memory.dump();
  ExpectChangeNear(memory, row, "rising", 12);
}

TEST_F(SimulatedFleetTest, CpuSaturationShowsCpuHigh) {
  const GroundTruthRow& row = Incident(RootCause::kCpuSaturation);
  Json cpu = Dimension(row, "cpu");
  EXPECT_TRUE(Abnormal(cpu)) << cpu.dump();
  ExpectChangeNear(cpu, row, "rising", 12);
}

TEST_F(SimulatedFleetTest, QueryErrorsShowTheErrorRateSpike) {
  const GroundTruthRow& row = Incident(RootCause::kQueryErrors);
  Json errors = Dimension(row, "query_err");
  EXPECT_TRUE(Abnormal(errors)) << errors.dump();
  ExpectChangeNear(errors, row, "rising", 6);
}

TEST_F(SimulatedFleetTest, SlowQueriesShowLatencyWithoutCpuSaturation) {
  const GroundTruthRow& row = Incident(RootCause::kSlowQueries);
  Json latency = Dimension(row, "latency");
  EXPECT_TRUE(Abnormal(latency)) << latency.dump();
  ExpectChangeNear(latency, row, "rising", 12);
  EXPECT_NE(Dimension(row, "cpu")["state"], "critical");
}

TEST_F(SimulatedFleetTest, OperationInducedShowsTheOperationBeforeTheAlerts) {
  const GroundTruthRow& row = Incident(RootCause::kOperationInduced);
  Json ops = Ok("query_cluster_operations", {{"cluster_id", row.cluster_id}});
  const Json* culprit = nullptr;
  for (const Json& op : ops["operations"]) {
    if (std::fabs(HoursBefore(op["started_at"]) - HoursBefore(row.window_start)) < 0.25) {
      culprit = &op;
    }
  }
  ASSERT_NE(culprit, nullptr) << "no operation at the incident start: " << ops.dump();
  EXPECT_TRUE((*culprit)["type"] == "UPDATE" || (*culprit)["type"] == "UPGRADE" ||
              (*culprit)["type"] == "SCALE")
      << culprit->dump();
  ASSERT_TRUE((*culprit)["next_alert"].is_object()) << culprit->dump();
  EXPECT_GT((*culprit)["next_alert"]["minutes_after"].get<int>(), 0);
  EXPECT_LT((*culprit)["next_alert"]["minutes_after"].get<int>(), 6 * 60);
}

TEST_F(SimulatedFleetTest, IngestionFailureShowsFailedTransactions) {
  const GroundTruthRow& row = Incident(RootCause::kIngestionFailure);
  Json failed = Dimension(row, "txn_failed");
  EXPECT_TRUE(Abnormal(failed)) << failed.dump();
  ExpectChangeNear(failed, row, "rising", 6);
}

TEST_F(SimulatedFleetTest, KnownBugShowsMemoryClimbOnAnAffectedVersion) {
  const GroundTruthRow& row = Incident(RootCause::kKnownBug);
  Json info = Ok("query_cluster_info", {{"cluster_id", row.cluster_id}});
  std::string version = info["version"];
  EXPECT_TRUE(version == "3.2.0" || version == "3.2.1" || version == "3.2.2") << version;
  Json memory = Dimension(row, "be_mem");
  EXPECT_TRUE(memory.contains("change_point")) << memory.dump();
  EXPECT_EQ(memory["change_point"]["direction"], "rising");
  Json qps = Dimension(row, "qps");
  EXPECT_EQ(qps["state"], "healthy") << "no workload growth: " << qps.dump();
}

TEST_F(SimulatedFleetTest, AccountWideIsRecognisedFromTheSiblings) {
  const GroundTruthRow& row = Incident(RootCause::kAccountWide);
  Json similar = Ok("query_similar_clusters", {{"cluster_id", row.cluster_id}});
  EXPECT_EQ(similar["pattern"], "account_wide") << similar.dump();
  EXPECT_GE(similar["account"]["sharing_alerts"].get<int>(), 1);
}

TEST_F(SimulatedFleetTest, AlertNoiseFlapsWhileMetricsStayHealthy) {
  const GroundTruthRow& row = Incident(RootCause::kAlertNoise);
  Json alerts = Ok("query_cluster_alerts", {{"cluster_id", row.cluster_id}, {"window_hours", 48}});
  EXPECT_FALSE(alerts["flapping_alerts"].empty()) << alerts.dump();
  Json metrics = Ok("query_cluster_metrics", {{"cluster_id", row.cluster_id}});
  EXPECT_TRUE(metrics["summary"]["critical"].empty()) << metrics["summary"].dump();
}

TEST_F(SimulatedFleetTest, InsufficientDataIsReportedAsATelemetryGap) {
  const GroundTruthRow& row = Incident(RootCause::kInsufficientData);
  Json metrics = Ok("query_cluster_metrics", {{"cluster_id", row.cluster_id}});
  ASSERT_TRUE(metrics["data_gap_hours"].is_number()) << metrics.dump();
  EXPECT_GE(metrics["data_gap_hours"].get<int>(), 2);
  EXPECT_NE(metrics["note"].get<std::string>().find("telemetry gap"), std::string::npos);
}

TEST_F(SimulatedFleetTest, HealthyClustersRaiseFewFlags) {
  std::set<std::string> incident_clusters;
  for (const GroundTruthRow& row : truth_) incident_clusters.insert(row.cluster_id);
  auto ids = db_->Query("SELECT cluster_id FROM cluster_info ORDER BY cluster_id");
  ASSERT_TRUE(ids);
  int healthy = 0;
  int flagged = 0;
  for (store::Row id : *ids) {
    std::string cluster = id.GetString(size_t{0});
    if (incident_clusters.count(cluster)) continue;
    ++healthy;
    Json metrics = Ok("query_cluster_metrics", {{"cluster_id", cluster}});
    if (!metrics["summary"]["critical"].empty()) ++flagged;
  }
  ASSERT_GT(healthy, 5);
  EXPECT_LE(flagged, healthy / 10)
      << flagged << " of " << healthy << " background clusters show a critical dimension";
}

TEST_F(SimulatedFleetTest, EveryToolAnswersForEveryIncidentCluster) {
  for (const GroundTruthRow& row : truth_) {
    for (std::string_view tool : tools::kInvestigationToolNames) {
      if (tool == "search_knowledge_lake" || tool == "run_sql") continue;
      tools::ToolResult result = registry_->Call(tool, {{"cluster_id", row.cluster_id}});
      EXPECT_FALSE(result.is_error) << tool << " " << row.cluster_id << ": " << result.content;
      EXPECT_LE(result.content.size(), registry_->budget_chars());
    }
  }
  tools::ToolResult leak = registry_->Call("run_sql", {{"sql",
                                                        "SELECT category FROM "
                                                        "sim_ground_truth"}});
  EXPECT_TRUE(leak.is_error) << "run_sql read the ground truth: " << leak.content;
}

}  // namespace
}  // namespace rh::testing
