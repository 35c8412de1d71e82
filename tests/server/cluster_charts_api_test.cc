// GET /api/v1/clusters/{id}/metrics (service::ClusterCharts) over real sockets, on SQLite and
// MariaDB: the catalogue's metrics with their thresholds and per-point states, the baseline of a
// ratio metric, the health score series with its bands, the ranges and errors; and the fleet
// list's latest_report fields the fleet page shows (confidence, next action).
#include <gtest/gtest.h>

#include <chrono>

#include "core/time_format.h"
#include "sentinel/health_formula.h"
#include "store/metric_catalog.h"
#include "store/report_store.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

constexpr int kHoursOfTelemetry = 24 * 10;

class ClusterChartsApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Ten days of hourly telemetry for the Critical cluster: the data disk climbs from 60 % to
    // 94.6 % at the last hour; QPS is 100 until the last day, then 400 (4x its value a week
    // earlier: Warning by the catalogue's 3x / 6x ratio thresholds). No other metric reported.
    auto seeded = fleet().Transaction([&]() -> Status {
      for (int hour_idx = kHoursOfTelemetry - 1; hour_idx >= 0; --hour_idx) {
        const TimePoint at = SeedNow() - std::chrono::hours(hour_idx);
        const double disk = 94.6 - 34.6 * hour_idx / (kHoursOfTelemetry - 1);
        const double qps = hour_idx < 24 ? 400 : 100;
        for (const auto& [name, value] : {std::pair{"starrocks_be_disks_data_used_pct", disk},
                                          std::pair{"starrocks_fe_qps", qps}}) {
          RH_RETURN_IF_ERROR(fleet().Execute(
              "INSERT INTO amv_hourly_snapshots_v1 (cluster_id, snapshot_hour, metric_name, "
              "avg_value, max_value, p99_value) VALUES (?, ?, ?, ?, ?, ?)",
              {store::Text(kCriticalCluster), store::Time(at), store::Text(name),
               store::Real(value), store::Real(value), store::Real(value)}));
        }
      }
      return {};
    });
    ASSERT_TRUE(seeded) << seeded.error().ToString();
    config_.sentinel.volume_drop_warning = 0.4;
    StartServer();
  }

  static const Json* FindMetric(const Json& body, std::string_view name) {
    for (const Json& metric : body["metrics"]) {
      if (metric["name"] == name) return &metric;
    }
    return nullptr;
  }
};

TEST_P(ClusterChartsApiTest, MetricsCarryTheCatalogueThresholdsAndPerPointStates) {
  HttpReply reply = Get(std::string("/api/v1/clusters/") + kCriticalCluster + "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["end"], FormatIsoTime(SeedNow()));
  EXPECT_EQ(reply.json["days"], 7);
  ASSERT_EQ(reply.json["metrics"].size(), store::MetricCatalog().size());
  for (size_t metric_idx = 0; metric_idx < store::MetricCatalog().size(); ++metric_idx) {
    const store::MetricSpec& spec = store::MetricCatalog()[metric_idx];
    const Json& metric = reply.json["metrics"][metric_idx];
    EXPECT_EQ(metric["name"], spec.name);  // catalogue order, the catalogue's own thresholds
    EXPECT_EQ(metric["unit"], spec.unit);
    EXPECT_EQ(metric["label"], spec.description);
    EXPECT_DOUBLE_EQ(metric["warning"].get<double>(), spec.warning);
    EXPECT_DOUBLE_EQ(metric["critical"].get<double>(), spec.critical);
  }

  const Json* disk = FindMetric(reply.json, "starrocks_be_disks_data_used_pct");
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ((*disk)["kind"], "higher_is_worse");
  EXPECT_EQ((*disk)["short_name"], "disk");
  ASSERT_EQ((*disk)["points"].size(), 7u * 24u);  // the window only, not the baseline week
  EXPECT_EQ((*disk)["points"].front()["t"],
            FormatIsoTime(SeedNow() - std::chrono::hours(7 * 24 - 1)));
  EXPECT_NEAR((*disk)["latest"]["value"].get<double>(), 94.6, 1e-9);
  EXPECT_EQ((*disk)["latest"]["state"], "critical");
  EXPECT_EQ((*disk)["latest"]["t"], FormatIsoTime(SeedNow()));
  // Each point is classified as the catalogue classifies it.
  const store::MetricSpec& disk_spec = *store::FindMetric("disk");
  int warning_points = 0;
  for (const Json& point : (*disk)["points"]) {
    const auto state = store::ClassifyMetric(disk_spec, point["value"].get<double>());
    EXPECT_EQ(point["state"], store::HealthStateName(state));
    EXPECT_FALSE(point.contains("baseline"));
    warning_points += state == store::HealthState::kWarning ? 1 : 0;
  }
  EXPECT_GT(warning_points, 0);

  const Json* qps = FindMetric(reply.json, "starrocks_fe_qps");
  ASSERT_NE(qps, nullptr);
  EXPECT_EQ((*qps)["kind"], "baseline_ratio");
  EXPECT_DOUBLE_EQ((*qps)["latest"]["baseline"].get<double>(), 100);
  EXPECT_EQ((*qps)["latest"]["state"], "warning");
  // Two days before the end: 100 against 100 a week earlier. At the window's start the week
  // before is not in the data: no baseline, so not judged (Healthy), never a guessed one.
  const Json& two_days_before = (*qps)["points"][7 * 24 - 1 - 48];
  EXPECT_EQ(two_days_before["t"], FormatIsoTime(SeedNow() - std::chrono::hours(48)));
  EXPECT_DOUBLE_EQ(two_days_before["baseline"].get<double>(), 100);
  EXPECT_EQ(two_days_before["state"], "healthy");
  EXPECT_TRUE((*qps)["points"].front()["baseline"].is_null());
  EXPECT_EQ((*qps)["points"].front()["state"], "healthy");

  EXPECT_EQ((*FindMetric(reply.json, "starrocks_be_alive_ratio"))["kind"], "lower_is_worse");
  // The scorer's volume rule rides along, from the running config (not the defaults).
  EXPECT_EQ((*qps)["volume"]["signal"], "qps");
  EXPECT_EQ((*qps)["volume"]["judged"], "drop");
  EXPECT_DOUBLE_EQ((*qps)["volume"]["warning"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ((*qps)["volume"]["critical"].get<double>(), 0.2);
  const Json& failed = (*FindMetric(reply.json, "starrocks_fe_txn_failed"))["volume"];
  EXPECT_EQ(failed["signal"], "failed_loads");
  EXPECT_EQ(failed["judged"], "rise");
  EXPECT_DOUBLE_EQ(failed["warning"].get<double>(), 5);
  EXPECT_TRUE((*disk)["volume"].is_null());

  const Json* cpu = FindMetric(reply.json, "starrocks_be_cpu_util_percent");
  ASSERT_NE(cpu, nullptr);
  EXPECT_TRUE((*cpu)["latest"].is_null());  // not reported: no value, never a made-up one
  EXPECT_TRUE((*cpu)["points"].empty());
}

TEST_P(ClusterChartsApiTest, ScoreSeriesWithTheRiskBandsAndRanges) {
  HttpReply reply = Get(std::string("/api/v1/clusters/") + kCriticalCluster + "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const Json& score = reply.json["score"];
  EXPECT_EQ(score["days"], 14);
  EXPECT_DOUBLE_EQ(score["healthy_at_least"].get<double>(), sentinel::kHealthyAtLeast);
  EXPECT_DOUBLE_EQ(score["critical_below"].get<double>(), sentinel::kCriticalBelow);
  ASSERT_EQ(score["points"].size(), 24u);  // the seed scores 24 hours
  EXPECT_EQ(score["points"].back()["t"], FormatIsoTime(SeedNow()));
  EXPECT_EQ(score["points"].back()["risk"], "Critical");

  HttpReply short_window =
      Get(std::string("/api/v1/clusters/") + kCriticalCluster + "/metrics?days=1&score_days=1");
  ASSERT_EQ(short_window.status, 200) << short_window.body;
  EXPECT_EQ(FindMetric(short_window.json, "disk"), nullptr);  // names are full names
  EXPECT_EQ((*FindMetric(short_window.json, "starrocks_be_disks_data_used_pct"))["points"].size(),
            24u);
  EXPECT_EQ(short_window.json["score"]["points"].size(), 24u);
}

TEST_P(ClusterChartsApiTest, AClusterWithoutTelemetryHasNoPoints) {
  HttpReply reply = Get(std::string("/api/v1/clusters/") + kUnscoredCluster + "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(reply.json["end"].is_null());
  for (const Json& metric : reply.json["metrics"]) {
    EXPECT_TRUE(metric["latest"].is_null());
    EXPECT_TRUE(metric["points"].empty());
  }
  EXPECT_TRUE(reply.json["score"]["points"].empty());
}

TEST_P(ClusterChartsApiTest, BadRangesAndClustersAreClearErrors) {
  const std::string base = std::string("/api/v1/clusters/") + kCriticalCluster + "/metrics";
  for (const char* query :
       {"?days=0", "?days=31", "?days=abc", "?score_days=91", "?score_days=-1", "?days=7x"}) {
    HttpReply reply = Get(base + query);
    EXPECT_EQ(reply.status, 400) << query;
    EXPECT_EQ(ErrorCodeOf(reply), "invalid_argument") << query;
  }
  EXPECT_NE(ErrorMessageOf(Get(base + "?days=31")).find("1 to 30"), std::string::npos);
  HttpReply missing = Get("/api/v1/clusters/c-nope/metrics");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(ErrorMessageOf(missing).find("c-nope"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/clusters/Bad_Id/metrics").status, 400);
}

TEST_P(ClusterChartsApiTest, FleetListShowsTheLatestReportsConfidenceAndNextAction) {
  // A report without recommendations: no next action, never an invented one.
  store::StoredReport bare = MakeStoredReport(kQuietCluster, Severity::kInfo, RootCause::kHealthy,
                                              SeedNow() - std::chrono::minutes(30));
  Json report_json = *ParseJson(bare.report_json);
  report_json["recommendations"] = Json::array();
  bare.report_json = DumpJson(report_json);
  auto stored = store::ReportStore(memory()).Insert(bare);
  ASSERT_TRUE(stored) << stored.error().ToString();

  HttpReply reply = Get("/api/v1/clusters");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const Json& worst = reply.json["clusters"][0];
  ASSERT_EQ(worst["cluster_id"], kCriticalCluster);
  EXPECT_DOUBLE_EQ(worst["latest_report"]["confidence"].get<double>(), 0.82);
  EXPECT_EQ(worst["latest_report"]["next_action"],
            "Expand each BE data disk from 1000 GB to 2000 GB");
  bool quiet_seen = false;
  for (const Json& cluster : reply.json["clusters"]) {
    if (cluster["cluster_id"] != kQuietCluster) continue;
    quiet_seen = true;
    EXPECT_EQ(cluster["latest_report"]["category"], "healthy");
    EXPECT_DOUBLE_EQ(cluster["latest_report"]["confidence"].get<double>(), 0.55);
    EXPECT_TRUE(cluster["latest_report"]["next_action"].is_null());
  }
  EXPECT_TRUE(quiet_seen);
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterChartsApiTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
