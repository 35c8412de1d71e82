// service::LarkFeed and the cycle's Lark catch-up (lark.catch_up_every_cycle) over the seeded
// fleet, against the scripted Lark server on 127.0.0.1 through the default (libcurl) transport,
// on SQLite and MariaDB.
#include "service/lark_feed.h"

#include <gtest/gtest.h>

#include "service/cycle.h"
#include "store/metric_catalog.h"
#include "tests/fakes/scripted_lark_server.h"
#include "tests/service/service_fixture.h"

namespace rh::testing {
namespace {

class LarkFeedTest : public ServiceTest {
 protected:
  void ConfigureLark() {
    config_.lark.base_url = lark_.base_url();
    config_.lark.chat_id = lark_.options().chat_id;
    config_.lark.max_retries = 1;
    config_.secrets.lark_app_id = lark_.options().app_id;
    config_.secrets.lark_app_secret = lark_.options().app_secret;
    MakeRuntime();
    AddTelemetryHour();
  }

  void AddCard(const std::string& id, Duration before_now, const std::string& cluster) {
    FakeAlertSection section;
    section.cluster_id = cluster;
    section.cluster_name = cluster;
    section.status = "Firing";
    section.alert_name = "HeapUsageTooHigh";
    section.detail = "FE heap 95%";
    lark_.AddMessage({id, "interactive",
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          (clock_.Now() - before_now).time_since_epoch())
                          .count(),
                      AlertCardContent({section})});
  }

  // The seed has no hourly telemetry; the scorer needs one snapshot hour to score.
  void AddTelemetryHour() {
    store::Database& fleet = **runtime().Fleet();
    const TimePoint hour = std::chrono::floor<std::chrono::hours>(clock_.Now());
    auto clusters = fleet.Query("SELECT cluster_id FROM cluster_info");
    ASSERT_TRUE(clusters) << clusters.error().ToString();
    for (store::Row row : *clusters) {
      for (const store::MetricSpec& metric : store::MetricCatalog()) {
        ASSERT_TRUE(fleet.Execute(
            "INSERT INTO amv_hourly_snapshots_v1 (cluster_id, snapshot_hour, metric_name, "
            "avg_value, max_value, p99_value) VALUES (?, ?, ?, 1, 1, 1)",
            {store::Text(row.GetString(size_t{0})), store::Time(hour),
             store::Text(std::string(metric.name))}));
      }
    }
  }

  Result<service::CycleResult> RunCycle() {
    service::Cycle cycle(runtime());
    std::atomic<bool> stop{false};
    service::CycleOptions options;
    options.investigate = false;
    return cycle.Run(options, stop);
  }

  int64_t LarkRows() {
    return *(*runtime().Fleet())
                ->QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'om_cycle%'");
  }

  ScriptedLarkServer lark_;
};

TEST_P(LarkFeedTest, MissingChatOrCredentialsSayWhatToSet) {
  service::LarkFeed feed(runtime());
  auto no_chat = feed.Ingest(alerts::LarkMode::kToday);
  ASSERT_FALSE(no_chat);
  EXPECT_EQ(no_chat.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(no_chat.error().ToString().find("lark.chat_id"), std::string::npos);
  config_.lark.chat_id = lark_.options().chat_id;
  MakeRuntime();
  service::LarkFeed no_credentials(runtime());
  auto refused = no_credentials.Ingest(alerts::LarkMode::kToday);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("ROCKHOUND_LARK_APP_SECRET"), std::string::npos);
  EXPECT_EQ(lark_.requests().size(), 0u);
}

TEST_P(LarkFeedTest, IngestsAndListsTheConfiguredChat) {
  ConfigureLark();
  AddCard("om_feed_1", std::chrono::hours(2), kCriticalCluster);
  AddCard("om_feed_2", std::chrono::hours(1), kCriticalCluster);
  service::LarkFeed feed(runtime());
  auto summary = feed.Ingest(alerts::LarkMode::kBackfill, 1);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->stored.inserted, 2);
  const std::string line = service::FormatLarkSummary(*summary);
  EXPECT_NE(line.find("back-fill of 1 day: 1 page(s), 2 message(s): 2 new card(s)"),
            std::string::npos)
      << line;
  auto rows = feed.List({});
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].message_id, "om_feed_2");  // newest first
  EXPECT_EQ((*rows)[0].cluster_id, kCriticalCluster);
}

TEST_P(LarkFeedTest, EveryCycleCatchesUpBeforeScoring) {
  config_.lark.catch_up_every_cycle = true;
  ConfigureLark();
  AddCard("om_cycle_1", std::chrono::minutes(30), kCriticalCluster);
  auto first = RunCycle();
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_TRUE(first->lark.has_value()) << first->lark_error;
  EXPECT_EQ(first->lark->stored.inserted, 1);
  EXPECT_EQ(LarkRows(), 1);

  AddCard("om_cycle_2", std::chrono::minutes(5), kCriticalCluster);
  auto second = RunCycle();
  ASSERT_TRUE(second) << second.error().ToString();
  ASSERT_TRUE(second->lark.has_value());
  EXPECT_EQ(second->lark->stored.inserted, 1);
  EXPECT_EQ(LarkRows(), 2);
}

TEST_P(LarkFeedTest, ACycleGoesOnWhenLarkIsDown) {
  config_.lark.catch_up_every_cycle = true;
  ConfigureLark();
  lark_.Stop();  // connection refused from now on
  auto result = RunCycle();
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_FALSE(result->lark.has_value());
  EXPECT_NE(result->lark_error.find("tenant_access_token"), std::string::npos)
      << result->lark_error;
  EXPECT_FALSE(result->pass.scoring.clusters.empty());
}

TEST_P(LarkFeedTest, ACycleWithoutTheOptionNeverCallsLark) {
  ConfigureLark();
  AddCard("om_quiet", std::chrono::minutes(30), kCriticalCluster);
  auto result = RunCycle();
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_FALSE(result->lark.has_value());
  EXPECT_TRUE(lark_.requests().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, LarkFeedTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
