// The generator writes the same fleet into SQLite and a real MariaDB server.
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/fleet_summary.h"
#include "simulator/ground_truth.h"
#include "tests/fakes/database_fixture.h"
#include "tests/simulator/sim_test_util.h"

namespace rh::simulator {
namespace {

FleetParams TinyFleet() {
  FleetParams params;
  params.clusters = 24;
  params.days = 2;
  params.seed = 99;
  params.end_hour = MakeUtcTime(2026, 11, 21, 10);
  return params;
}

class FleetBackendTest : public rh::testing::DatabaseBackendTest {};

TEST_P(FleetBackendTest, GeneratesSummarisesAndRefusesToOverwrite) {
  auto stats = GenerateFleet(db(), TinyFleet());
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->clusters, 24);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM amv_hourly_snapshots_v1"), stats->snapshot_rows);
  EXPECT_GT(stats->snapshot_rows, 24 * 40 * 14);

  auto truth = ReadGroundTruth(db());
  ASSERT_TRUE(truth) << truth.error().ToString();
  EXPECT_EQ(static_cast<int64_t>(truth->size()), stats->ground_truth_rows);
  for (const GroundTruthRow& row : *truth) {
    EXPECT_EQ(FormatSqlTime(row.window_end), "2026-11-21 10:00:00");
  }

  auto summary = SummarizeFleet(db());
  ASSERT_TRUE(summary) << summary.error().ToString();
  ASSERT_TRUE(summary->simulation);
  EXPECT_EQ(summary->simulation->seed, 99u);
  EXPECT_TRUE(summary->simulation->complete());
  EXPECT_EQ(summary->clusters, 24);
  EXPECT_EQ(summary->snapshot_rows, stats->snapshot_rows);
  ASSERT_TRUE(summary->last_snapshot);
  EXPECT_EQ(FormatSqlTime(*summary->last_snapshot), "2026-11-21 10:00:00");
  EXPECT_GT(summary->firing_alerts, 0);
  EXPECT_EQ(summary->labelled_clusters.value_or(0), stats->ground_truth_rows);
  const std::string text = FormatFleetSummary(*summary);
  EXPECT_NE(text.find("seed 99"), std::string::npos) << text;

  auto again = GenerateFleet(db(), TinyFleet());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, FleetBackendTest, RH_DATABASE_BACKENDS());

TEST(FleetCrossBackendTest, MariaDbHoldsTheSameBytesAsSqlite) {
  RH_REQUIRE_MYSQL();
  rh::testing::MysqlTestDatabase mysql;
  ASSERT_FALSE(mysql.url().empty()) << mysql.error();
  store::OpenOptions options;
  options.password = rh::testing::TestMysqlPassword();
  auto mysql_db = store::OpenDatabase(mysql.url(), options);
  ASSERT_TRUE(mysql_db) << mysql_db.error().ToString();
  rh::testing::TempDir dir;
  auto sqlite_db = store::OpenDatabase(dir.File("fleet.db"));
  ASSERT_TRUE(sqlite_db);
  ASSERT_TRUE(GenerateFleet(**mysql_db, TinyFleet()));
  ASSERT_TRUE(GenerateFleet(**sqlite_db, TinyFleet()));
  const auto mysql_sums = testing::FleetChecksums(**mysql_db);
  const auto sqlite_sums = testing::FleetChecksums(**sqlite_db);
  for (const auto& [table, sum] : sqlite_sums) {
    EXPECT_EQ(sum, mysql_sums.at(table)) << table << " differs between SQLite and MariaDB";
  }
}

}  // namespace
}  // namespace rh::simulator
