// Each labelled incident's story must be visible in the data a tool can read (metrics, alerts,
// operations), for several seeds; the ground truth is complete, varies by seed, and lives only
// in sim_ground_truth.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "tests/fakes/test_env.h"
#include "tests/simulator/sim_test_util.h"

namespace rh::simulator {
namespace {

using testing::Contains;
using testing::FiringAlerts;
using testing::MetricSeries;
using testing::Series;

const TimePoint kEnd = MakeUtcTime(2026, 11, 21, 10);
const std::string kEndText = "2026-11-21 10:00:00";

constexpr const char* kCpu = "starrocks_be_cpu_util_percent";
constexpr const char* kDisk = "starrocks_be_disks_data_used_pct";
constexpr const char* kCompaction = "starrocks_be_compaction_score_average";
constexpr const char* kLatency = "starrocks_fe_query_latency_ms_p99";
constexpr const char* kErrors = "starrocks_fe_query_err";
constexpr const char* kMemory = "starrocks_be_mem_used_percent";
constexpr const char* kQps = "starrocks_fe_qps";
constexpr const char* kLoad = "starrocks_be_load_rows_per_sec";
constexpr const char* kAlive = "starrocks_be_alive_ratio";
constexpr const char* kTxnFailed = "starrocks_fe_txn_failed";
constexpr const char* kScan = "starrocks_be_scan_rows_per_sec";

// One generated fleet per seed, shared by the tests of that seed.
struct SeededFleet {
  rh::testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  std::vector<GroundTruthRow> truth;
};

SeededFleet& FleetFor(uint64_t seed) {
  static std::map<uint64_t, std::unique_ptr<SeededFleet>> fleets;
  auto& fleet = fleets[seed];
  if (!fleet) {
    fleet = std::make_unique<SeededFleet>();
    auto db = store::OpenDatabase(fleet->dir.File("fleet.db"));
    EXPECT_TRUE(db);
    fleet->db = std::move(*db);
    FleetParams params;
    params.clusters = 40;
    params.days = 7;
    params.seed = seed;
    params.end_hour = kEnd;
    auto stats = GenerateFleet(*fleet->db, params);
    EXPECT_TRUE(stats) << stats.error().ToString();
    auto truth = ReadGroundTruth(*fleet->db);
    EXPECT_TRUE(truth);
    fleet->truth = *truth;
  }
  return *fleet;
}

// Baseline: the median over the days before the incident of the same three hours of the day as
// the last three hours (robust to daily seasonality and to a one-hour red-herring blip).
double Before(const Series& series, int start) {
  const int last = static_cast<int>(series.values.size()) - 1;
  std::vector<double> days;
  for (int back = 24; back <= 24 * 6 + (last - start); back += 24) {
    const int to = last - back;
    if (to - 2 < 0) break;
    if (to >= start) continue;
    days.push_back(series.Mean(to - 2, to));
  }
  if (days.empty()) return series.Mean(start - 24, start - 1);
  std::sort(days.begin(), days.end());
  return days[days.size() / 2];
}
double End(const Series& series) {
  const int last = static_cast<int>(series.values.size()) - 1;
  return series.Mean(last - 2, last);
}

class ScenarioTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  store::Database& db() { return *FleetFor(GetParam()).db; }
  const std::vector<GroundTruthRow>& truth() { return FleetFor(GetParam()).truth; }
  // Every ground-truth row of `category` (one per affected cluster).
  std::vector<GroundTruthRow> All(RootCause category) {
    std::vector<GroundTruthRow> rows;
    for (const GroundTruthRow& row : truth()) {
      if (row.category == category) rows.push_back(row);
    }
    EXPECT_FALSE(rows.empty()) << "no incident of category " << RootCauseName(category);
    return rows;
  }
  Series Metric(const GroundTruthRow& row, const char* metric) {
    return MetricSeries(db(), row.cluster_id, metric);
  }
  int Start(const Series& series, const GroundTruthRow& row) {
    return series.IndexAt(FormatSqlTime(FloorToHour(row.window_start)));
  }
};

TEST_P(ScenarioTest, GroundTruthCoversEveryCategoryOnce) {
  std::map<RootCause, std::set<std::string>> incidents_by_category;
  for (const GroundTruthRow& row : truth()) {
    incidents_by_category[row.category].insert(row.incident_id);
    EXPECT_EQ(FormatSqlTime(row.window_end), kEndText) << "incidents are active at the end";
    EXPECT_LT(row.window_start, row.window_end) << row.incident_id;
    EXPECT_GE(row.window_start, kEnd - std::chrono::hours(6 * 24)) << row.incident_id;
    EXPECT_FALSE(row.scenario.empty());
    EXPECT_GT(row.description.size(), 60u) << row.incident_id;
  }
  // Every category but healthy (the no-incident case: every other cluster) has one incident.
  EXPECT_EQ(incidents_by_category.size(), kAllRootCauses.size() - 1);
  EXPECT_FALSE(incidents_by_category.contains(RootCause::kHealthy));
  for (RootCause category : kAllRootCauses) {
    if (category == RootCause::kHealthy) continue;
    EXPECT_EQ(incidents_by_category[category].size(), 1u) << RootCauseName(category);
  }
  for (const GroundTruthRow& row : All(RootCause::kAlertNoise)) {
    EXPECT_EQ(row.expected_severity, Severity::kInfo);
  }
}

TEST_P(ScenarioTest, DiskFillsSteadilyPastEightyFive) {
  for (const GroundTruthRow& row : All(RootCause::kDiskCapacity)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series disk = Metric(row, kDisk);
    const int start = Start(disk, row);
    const int last = static_cast<int>(disk.values.size()) - 1;
    EXPECT_GT(disk.Last(), 85.0);
    EXPECT_LT(disk.Mean(start - 24, start - 1), 70.0) << "healthy before the window";
    // Rising across the window: each quarter's mean above the previous one.
    const int quarter = std::max(1, (last - start + 1) / 4);
    double previous = disk.Mean(start, start + quarter - 1);
    for (int part = 1; part < 4; ++part) {
      const double mean = disk.Mean(start + part * quarter, start + (part + 1) * quarter - 1);
      EXPECT_GT(mean, previous) << "quarter " << part;
      previous = mean;
    }
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Data Disk Capacity Alert"));
    EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_node_groups WHERE cluster_id = ? AND "
                             "node_type = 'BE'",
                             {store::Text(row.cluster_id)}),
              1)
        << "disk capacity is a shared-nothing story";
  }
}

TEST_P(ScenarioTest, CompactionBacklogFollowsHeavyLoading) {
  for (const GroundTruthRow& row : All(RootCause::kCompactionBacklog)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series compaction = Metric(row, kCompaction);
    const Series load = Metric(row, kLoad);
    const int start = Start(compaction, row);
    EXPECT_LT(compaction.Mean(start - 24, start - 1), 100.0);
    EXPECT_GT(compaction.Last(), 500.0);
    EXPECT_GT(End(load), 2.0 * Before(load, start)) << "heavy loading drives the backlog";
    const auto firing = FiringAlerts(db(), row.cluster_id);
    EXPECT_TRUE(Contains(firing, "Exceeding Version Count Alert"));
    EXPECT_TRUE(Contains(firing, "High Compaction Pressure Alert"));
  }
}

TEST_P(ScenarioTest, MemoryPressureComesWithAQuerySurge) {
  for (const GroundTruthRow& row : All(RootCause::kMemoryPressure)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series memory = Metric(row, kMemory);
    const Series qps = Metric(row, kQps);
    const Series scan = Metric(row, kScan);
    const int start = Start(memory, row);
    EXPECT_GT(memory.Last(), 85.0);
    EXPECT_LT(memory.Mean(start - 24, start - 1), 70.0);
    EXPECT_GT(End(qps), 1.5 * Before(qps, start));
    EXPECT_GT(End(scan), 2.2 * Before(scan, start));
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Memory Alert"));
  }
}

TEST_P(ScenarioTest, CpuSaturationByHeavyQueries) {
  for (const GroundTruthRow& row : All(RootCause::kCpuSaturation)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series cpu = Metric(row, kCpu);
    const Series scan = Metric(row, kScan);
    const Series latency = Metric(row, kLatency);
    const int start = Start(cpu, row);
    EXPECT_GT(End(cpu), 70.0);
    EXPECT_LT(cpu.Mean(start - 24, start - 1), 55.0);
    EXPECT_GT(End(scan), 2.2 * Before(scan, start));
    EXPECT_GT(End(latency), 5000.0);
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "BE CPU Alert"));
  }
}

TEST_P(ScenarioTest, SlowQueriesWithoutCpuSaturation) {
  for (const GroundTruthRow& row : All(RootCause::kSlowQueries)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series latency = Metric(row, kLatency);
    const Series cpu = Metric(row, kCpu);
    const int start = Start(latency, row);
    EXPECT_GT(End(latency), 15000.0);
    EXPECT_LT(latency.Mean(start - 24, start - 1), 5000.0);
    EXPECT_LT(End(cpu), 55.0) << "slow queries here are not a CPU problem";
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Query Latency Alert"));
  }
}

TEST_P(ScenarioTest, QueryErrorSpikeOnAFlatWorkload) {
  for (const GroundTruthRow& row : All(RootCause::kQueryErrors)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series errors = Metric(row, kErrors);
    const Series qps = Metric(row, kQps);
    const int start = Start(errors, row);
    EXPECT_GT(errors.Last(), 2.0);
    EXPECT_LT(errors.Mean(start - 24, start - 1), 0.1);
    const double qps_ratio = End(qps) / Before(qps, start);
    EXPECT_GT(qps_ratio, 0.6);
    EXPECT_LT(qps_ratio, 1.6);
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Query Failure Alert"));
  }
}

TEST_P(ScenarioTest, NodeFailureDropsTheAliveRatio) {
  for (const GroundTruthRow& row : All(RootCause::kNodeFailure)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series alive = Metric(row, kAlive);
    const int start = Start(alive, row);
    for (int hour_idx = 0; hour_idx < start; ++hour_idx) {
      ASSERT_EQ(alive.values[static_cast<size_t>(hour_idx)], 100.0) << hour_idx;
    }
    auto be_count = db().QueryInt(
        "SELECT node_count FROM cluster_node_groups WHERE cluster_id = ? AND node_type = 'BE'",
        {store::Text(row.cluster_id)});
    ASSERT_TRUE(be_count);
    ASSERT_GE(*be_count, 3);
    EXPECT_LE(alive.Last(), 100.0 * (*be_count - 1) / *be_count + 0.01);
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "BE Service Suspension"));
    if (row.expected_severity != Severity::kCritical) {
      EXPECT_GE(alive.Last(), 80.0) << "below 80% alive is critical";
    }
  }
}

TEST_P(ScenarioTest, OperationPrecedesTheRegressionByLessThanTwoHours) {
  for (const GroundTruthRow& row : All(RootCause::kOperationInduced)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    auto ops = db().Query(
        "SELECT operation_type, started_at, parameters FROM cluster_operations WHERE cluster_id = ? "
        "AND started_at >= ? ORDER BY started_at",
        {store::Text(row.cluster_id), store::Time(row.window_start - std::chrono::hours(24))});
    ASSERT_TRUE(ops);
    ASSERT_EQ(ops->size(), 1u) << "exactly one recent operation: the cause";
    const std::string type = ops->front().GetString(0);
    EXPECT_TRUE(type == "UPDATE" || type == "UPGRADE" || type == "SCALE") << type;
    const TimePoint op_time = *ops->front().GetTime(1);
    EXPECT_EQ(op_time, row.window_start);

    const Series latency = Metric(row, kLatency);
    const Series cpu = Metric(row, kCpu);
    const double latency_base = latency.Mean(latency.IndexAt(FormatSqlTime(op_time)) - 24,
                                             latency.IndexAt(FormatSqlTime(op_time)) - 1);
    int regression = -1;
    for (size_t hour_idx = 0; hour_idx < latency.values.size(); ++hour_idx) {
      if (latency.values[hour_idx] > std::max(5000.0, 2.5 * latency_base) ||
          cpu.values[hour_idx] > 70.0) {
        regression = static_cast<int>(hour_idx);
        break;
      }
    }
    ASSERT_GE(regression, 0) << "a regression must be visible";
    const TimePoint regression_hour = *ParseSqlTime(latency.hours[static_cast<size_t>(regression)]);
    EXPECT_GT(regression_hour, op_time) << "nothing regressed before the operation";
    EXPECT_LT(regression_hour - op_time, std::chrono::hours(2));
    const auto firing = FiringAlerts(db(), row.cluster_id);
    EXPECT_TRUE(Contains(firing, "Query Latency Alert") || Contains(firing, "BE CPU Alert"));
  }
}

TEST_P(ScenarioTest, IngestionFailureStopsTheLoads) {
  for (const GroundTruthRow& row : All(RootCause::kIngestionFailure)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    const Series failed = Metric(row, kTxnFailed);
    const Series load = Metric(row, kLoad);
    const int start = Start(load, row);
    EXPECT_GT(failed.Last(), 50.0);
    EXPECT_LT(failed.Mean(start - 24, start - 1), 5.0);
    EXPECT_LT(End(load), 0.5 * Before(load, start));
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Loading Failure Alert"));
  }
}

TEST_P(ScenarioTest, KnownBugMemoryClimbsWithoutWorkloadGrowth) {
  for (const GroundTruthRow& row : All(RootCause::kKnownBug)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    auto version = db().Query("SELECT version FROM cluster_info WHERE cluster_id = ?",
                              {store::Text(row.cluster_id)});
    ASSERT_TRUE(version);
    const std::string running = version->front().GetString(0);
    EXPECT_TRUE(running == "3.2.0" || running == "3.2.1" || running == "3.2.2") << running;
    const Series memory = Metric(row, kMemory);
    const int start = Start(memory, row);
    const int last = static_cast<int>(memory.values.size()) - 1;
    EXPECT_GT(memory.Last(), 85.0);
    EXPECT_LT(memory.Mean(start - 12, start), 70.0);
    EXPECT_GT(memory.Mean(start + (last - start) / 2, last),
              memory.Mean(start, start + (last - start) / 2) + 5.0)
        << "a steady climb";
    for (const char* metric : {kQps, kScan, kLoad}) {
      const Series workload = Metric(row, metric);
      const double ratio = workload.Mean(last - 23, last) / workload.Mean(start - 24, start - 1);
      // Weekends move the workload by up to 30%; a surge would double it.
      EXPECT_GT(ratio, 0.65) << metric;
      EXPECT_LT(ratio, 1.45) << metric << ": the bug needs no workload increase";
    }
    EXPECT_TRUE(Contains(FiringAlerts(db(), row.cluster_id), "Memory Alert"));
    EXPECT_NE(row.description.find("3.2.3"), std::string::npos);
  }
}

TEST_P(ScenarioTest, AccountWideHitsSiblingsOfOneAccountWithTheSameAlert) {
  std::map<std::string, std::vector<GroundTruthRow>> by_incident;
  for (const GroundTruthRow& row : All(RootCause::kAccountWide))
    by_incident[row.incident_id].push_back(row);
  for (const auto& [incident, rows] : by_incident) {
    SCOPED_TRACE(incident);
    ASSERT_GE(rows.size(), 2u);
    ASSERT_LE(rows.size(), 4u);
    std::set<std::string> accounts;
    std::vector<std::set<std::string>> firing;
    for (const GroundTruthRow& row : rows) {
      accounts.insert(row.account_id);
      const auto names = FiringAlerts(db(), row.cluster_id);
      firing.emplace_back(names.begin(), names.end());
      const Series latency = Metric(row, kLatency);
      const Series failed = Metric(row, kTxnFailed);
      EXPECT_TRUE(latency.Last() > 5000.0 || failed.Last() > 50.0) << row.cluster_id;
      auto cluster_account = db().Query("SELECT account_id FROM cluster_info WHERE cluster_id = ?",
                                        {store::Text(row.cluster_id)});
      ASSERT_TRUE(cluster_account);
      EXPECT_EQ(cluster_account->front().GetString(0), row.account_id);
    }
    EXPECT_EQ(accounts.size(), 1u) << "siblings of ONE account";
    // One alert name fires on every affected sibling.
    std::set<std::string> shared = firing.front();
    for (const auto& names : firing) {
      std::set<std::string> both;
      for (const std::string& name : names) {
        if (shared.count(name)) both.insert(name);
      }
      shared = both;
    }
    EXPECT_FALSE(shared.empty());
  }
}

TEST_P(ScenarioTest, AlertNoiseFlapsOnAHealthyCluster) {
  for (const GroundTruthRow& row : All(RootCause::kAlertNoise)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    EXPECT_EQ(End(Metric(row, kCpu)) < 55.0, true);
    EXPECT_LT(End(Metric(row, kLatency)), 5000.0);
    EXPECT_LT(End(Metric(row, kErrors)), 0.1);
    EXPECT_LT(End(Metric(row, kMemory)), 70.0);
    EXPECT_LT(End(Metric(row, kDisk)), 70.0);
    auto flaps = db().Query(
        "SELECT alert_name, COUNT(*) FROM lark_alerts WHERE cluster_id = ? AND status = 'Firing' "
        "AND alert_time > ? GROUP BY alert_name ORDER BY COUNT(*) DESC",
        {store::Text(row.cluster_id), store::Time(kEnd - std::chrono::hours(1))});
    ASSERT_TRUE(flaps);
    ASSERT_FALSE(flaps->empty());
    EXPECT_GT(flaps->front().GetInt(1), 5) << "more than 5 firings in the last hour (alert storm)";
    const int64_t resolved = *db().QueryInt(
        "SELECT COUNT(*) FROM lark_alerts WHERE cluster_id = ? AND status = 'Resolved' AND "
        "alert_name = ?",
        {store::Text(row.cluster_id), store::Text(flaps->front().GetString(0))});
    EXPECT_GT(resolved, 5) << "it keeps resolving too";
  }
}

TEST_P(ScenarioTest, InsufficientDataIsATelemetryGap) {
  for (const GroundTruthRow& row : All(RootCause::kInsufficientData)) {
    SCOPED_TRACE(row.incident_id + " on " + row.cluster_id);
    auto last = db().Query("SELECT MAX(snapshot_hour) FROM amv_hourly_snapshots_v1 WHERE cluster_id = ?",
                           {store::Text(row.cluster_id)});
    ASSERT_TRUE(last);
    const TimePoint last_hour = *last->front().GetTime(0);
    EXPECT_LE(last_hour, kEnd - std::chrono::hours(5));
    EXPECT_EQ(last_hour + std::chrono::hours(1), row.window_start);
  }
}

TEST_P(ScenarioTest, GroundTruthLeaksIntoNoOtherTable) {
  std::vector<std::string> secrets = {"inc-0", "red herring", "ground truth"};
  for (const GroundTruthRow& row : truth()) {
    secrets.push_back(row.scenario);
    secrets.emplace_back(RootCauseName(row.category));
  }
  for (const std::string& table : testing::SimulatedTables()) {
    if (table == "sim_ground_truth" || table == "amv_hourly_snapshots_v1") continue;
    auto rows = db().Query("SELECT * FROM " + table);
    ASSERT_TRUE(rows);
    for (const store::Row row : *rows) {
      for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
        const std::string cell = row.GetString(column_idx);
        for (const std::string& secret : secrets) {
          EXPECT_EQ(cell.find(secret), std::string::npos)
              << table << " leaks '" << secret << "': " << cell;
        }
      }
    }
  }
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(DISTINCT metric_name) FROM amv_hourly_snapshots_v1"), 14);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ScenarioTest, ::testing::Values(42u, 7u, 20261121u));

TEST(ScenarioVariety, SeedsDifferInClustersTimingAndMagnitude) {
  std::set<std::string> signatures;
  std::set<std::string> red_herrings;
  int red_herring_rows = 0;
  for (uint64_t seed : {42u, 7u, 20261121u}) {
    std::string signature;
    for (const GroundTruthRow& row : FleetFor(seed).truth) {
      signature += row.cluster_id + FormatSqlTime(row.window_start) + row.scenario + "|";
      if (row.red_herring) {
        ++red_herring_rows;
        red_herrings.insert(row.red_herring->substr(0, 12));
      }
    }
    signatures.insert(signature);
  }
  EXPECT_EQ(signatures.size(), 3u);
  EXPECT_GE(red_herring_rows, 3) << "some incidents carry a red herring";
}

TEST(ScenarioScale, LargeFleetsGetAboutFourPercentIncidents) {
  rh::testing::TempDir dir;
  auto db = store::OpenDatabase(dir.File("fleet.db"));
  ASSERT_TRUE(db);
  FleetParams params;
  params.clusters = 500;
  params.days = 2;
  params.seed = 11;
  params.end_hour = kEnd;
  auto stats = GenerateFleet(**db, params);
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->incidents, 20);
  auto truth = ReadGroundTruth(**db);
  ASSERT_TRUE(truth);
  std::set<RootCause> categories;
  std::set<std::string> clusters;
  for (const GroundTruthRow& row : *truth) {
    categories.insert(row.category);
    EXPECT_TRUE(clusters.insert(row.cluster_id).second) << "one incident per cluster";
  }
  EXPECT_EQ(categories.size(), kAllRootCauses.size() - 1);  // all but healthy (no incident)
  EXPECT_FALSE(categories.contains(RootCause::kHealthy));
}

}  // namespace
}  // namespace rh::simulator
