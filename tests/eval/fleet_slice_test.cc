// Fleet slices load through the store API on SQLite and MariaDB and are scored.
#include "eval/fleet_slice.h"

#include <gtest/gtest.h>

#include "tests/fakes/database_fixture.h"

namespace rh::eval {
namespace {

using FleetSliceTest = rh::testing::DatabaseBackendTest;

EvalCase SliceCase() {
  auto json = ParseJson(R"({
    "id": "slice", "title": "slice", "source": "ops", "now": "2026-03-10T12:05:00Z",
    "fleet": {
      "accounts": [{"id": "a-1", "tier": "S"}],
      "clusters": [
        {"id": "c-1", "account": "a-1", "version": "3.3.9",
         "nodes": [{"type": "FE", "count": 3}, {"type": "BE", "count": 3, "disk_gb": 1000}],
         "metrics": {"disk": {"base": 50, "points": [[10, 50], [0, 95]]}}},
        {"id": "c-2", "account": "a-1", "nodes": [{"type": "BE"}], "gap_hours": 24}],
      "alerts": [
        {"cluster": "c-1", "name": "Data Disk Capacity Alert", "hours_ago": 2},
        {"cluster": "c-2", "name": "BE CPU Alert", "hours_ago": 1,
         "repeat": {"count": 3, "every_hours": 2, "resolve_after_minutes": 10}}],
      "operations": [{"cluster": "c-1", "type": "UPGRADE", "hours_ago": 30,
                      "params": {"from": "3.3.4", "to": "3.3.9"}}]},
    "trigger": {"kind": "question", "cluster": "c-1", "question": "ok?"},
    "expect": {"category": "disk_capacity"}
  })");
  auto parsed = ParseCase(*json, "slice.json");
  EXPECT_TRUE(parsed) << parsed.error().ToString();
  return *parsed;
}

int64_t Count(store::Database& db, const std::string& sql) {
  auto rows = db.Query(sql);
  EXPECT_TRUE(rows) << rows.error().ToString();
  return rows ? rows->front().GetInt(size_t{0}) : -1;
}

TEST_P(FleetSliceTest, WritesEveryTableAndScoresTheSlice) {
  ASSERT_TRUE(LoadFleetSlice(db(), SliceCase()));
  // 8 days of 14 metrics for c-1; c-2 stops 24 hours early.
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM amv_hourly_snapshots_v1 WHERE cluster_id = 'c-1'"),
            8 * 24 * 14);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM amv_hourly_snapshots_v1 WHERE cluster_id = 'c-2'"),
            7 * 24 * 14);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM lark_alerts"), 1 + 3 * 2);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM cluster_operations"), 1);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM cluster_node_groups"), 3);
  auto disk = db().Query(
      "SELECT avg_value FROM amv_hourly_snapshots_v1 WHERE cluster_id = 'c-1' AND "
      "metric_name = 'starrocks_be_disks_data_used_pct' ORDER BY snapshot_hour DESC LIMIT 1");
  ASSERT_TRUE(disk);
  EXPECT_DOUBLE_EQ(disk->front().GetDouble(size_t{0}), 95.0);
  auto score = db().Query("SELECT risk_level FROM cluster_health_scores WHERE cluster_id = 'c-1'");
  ASSERT_TRUE(score);
  ASSERT_EQ(score->size(), 1u);
  EXPECT_NE(score->front().GetString(size_t{0}), "Healthy");
}

TEST_P(FleetSliceTest, UnknownMetricIsRefusedAndNothingIsLeft) {
  EvalCase c = SliceCase();
  c.fleet["clusters"][0]["metrics"]["disk_free"] = {{"base", 1}};
  auto loaded = LoadFleetSlice(db(), c);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("unknown metric 'disk_free'"), std::string::npos);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM cluster_info"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FleetSliceTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::eval
