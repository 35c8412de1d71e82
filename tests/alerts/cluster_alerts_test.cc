// ReadClusterAlerts on SQLite and MariaDB: the one reader of "alerts of a cluster" sees a
// multi-section Lark row (cluster_id "c-one|c-two", status "Firing|Resolved") section by section,
// next to one-section webhook rows; time bounds, firing_only, newest_first and limit.
#include "alerts/cluster_alerts.h"

#include <gtest/gtest.h>

#include "alerts/lark_alert_store.h"
#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::alerts {
namespace {

using rh::testing::DatabaseBackendTest;
using std::chrono::minutes;

const TimePoint kT0 = MakeUtcTime(2026, 11, 21, 8);

LarkAlertSection Section(std::string cluster, std::string alert, LarkAlertStatus status,
                         std::string severity) {
  LarkAlertSection section;
  section.cluster_name = cluster + "-name";
  section.region = "cn-hangzhou";
  section.account_name = "acct";
  section.cluster_id = std::move(cluster);
  section.status = status;
  section.alert_name = std::move(alert);
  section.alert_detail = "detail of " + section.alert_name;
  section.severity = std::move(severity);
  return section;
}

class ClusterAlertsTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(db(), store::SchemaSet::kFleet));
    // One card, two sections on two clusters: stored as one pipe-delimited row.
    LarkAlertRow row = LarkAlertRowFromSections(
        "om_two", "oc_chat", kT0 + minutes(10),
        {Section("c-one", "HeapUsageTooHigh", LarkAlertStatus::kFiring, "warning"),
         Section("c-two", "BeAliveAbnormal", LarkAlertStatus::kResolved, "critical")});
    ASSERT_EQ(row.cluster_id, "c-one|c-two");
    ASSERT_EQ(row.status, "Firing|Resolved");
    auto stored = LarkAlertStore(db(), clock_).Insert({row}, {});
    ASSERT_TRUE(stored) << stored.error().ToString();
    // A one-section row on c-two (a webhook alert).
    AlertRecord record;
    record.message_id = "wh_one";
    record.source = "alertmanager";
    record.cluster_id = "c-two";
    record.alert_name = "OperationDurationGT";
    record.severity = "critical";
    record.status = kFiring;
    record.starts_at = kT0;
    record.alert_time = kT0 + minutes(5);
    ASSERT_TRUE(db().Execute(
        "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
        "run_mode, package_type, status, created_at, updated_at) VALUES ('c-two', 'c-two', "
        "'acct-1', 'eu', '3.3.4', 'shared_nothing', 'official', 'running', ?, ?)",
        {store::Time(kT0), store::Time(kT0)}));
    auto webhook = AlertStore(db(), clock_).Store({record});
    ASSERT_TRUE(webhook) << webhook.error().ToString();
  }

  std::vector<StoredAlert> Read(const ClusterAlertQuery& query) {
    auto read = ReadClusterAlerts(db(), query);
    EXPECT_TRUE(read) << read.error().ToString();
    return read ? *read : std::vector<StoredAlert>{};
  }

  ManualClock clock_{kT0 + std::chrono::hours(1)};
};

TEST_P(ClusterAlertsTest, AMultiSectionRowIsSeenSectionBySectionOnItsOwnClusters) {
  ClusterAlertQuery query;
  query.cluster_ids = {"c-one"};
  std::vector<StoredAlert> one = Read(query);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].alert.cluster_id, "c-one");
  EXPECT_EQ(one[0].alert.alert_name, "HeapUsageTooHigh");
  EXPECT_EQ(one[0].alert.status, kFiring);
  EXPECT_EQ(one[0].alert.severity, "warning");
  EXPECT_EQ(one[0].AlertId(), "om_two#1");

  query.cluster_ids = {"c-two"};
  std::vector<StoredAlert> two = Read(query);
  ASSERT_EQ(two.size(), 2u);  // oldest first: the webhook alert, then section 2 of the card
  EXPECT_EQ(two[0].AlertId(), "wh_one");
  EXPECT_EQ(two[1].AlertId(), "om_two#2");
  EXPECT_EQ(two[1].alert.alert_name, "BeAliveAbnormal");
  EXPECT_EQ(two[1].alert.status, kResolved);
  EXPECT_EQ(two[1].alert.severity, "critical");
  EXPECT_EQ(two[1].alert.detail, "detail of BeAliveAbnormal");
  EXPECT_EQ(two[1].alert.cluster_name, "c-two-name");

  query.firing_only = true;
  std::vector<StoredAlert> firing = Read(query);
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].AlertId(), "wh_one");

  ClusterAlertQuery every;  // every cluster: three alerts from two rows
  EXPECT_EQ(Read(every).size(), 3u);
  every.newest_first = true;
  every.limit = 2;
  std::vector<StoredAlert> newest = Read(every);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].AlertId(), "om_two#2");
  EXPECT_EQ(newest[1].AlertId(), "om_two#1");

  // Time bounds: before the card only the webhook alert.
  ClusterAlertQuery early;
  early.to = kT0 + minutes(10);
  early.to_inclusive = false;
  ASSERT_EQ(Read(early).size(), 1u);
  // A cluster whose id is a prefix of a section's is not that section's.
  ClusterAlertQuery prefix;
  prefix.cluster_ids = {"c-on"};
  EXPECT_TRUE(Read(prefix).empty());
}

// AlertStore::List (GET /api/v1/alerts, `alerts list`): a cluster or status filter lists the
// matching sections of a multi-section row; without one the row is listed whole.
TEST_P(ClusterAlertsTest, TheAlertListFiltersAMultiSectionRowBySection) {
  AlertStore store(db(), clock_);
  AlertFilter by_cluster;
  by_cluster.cluster_id = "c-two";
  auto two = store.List(by_cluster);
  ASSERT_TRUE(two) << two.error().ToString();
  ASSERT_EQ(two->alerts.size(), 2u);  // newest first
  EXPECT_EQ(two->alerts[0].AlertId(), "om_two#2");
  EXPECT_EQ(two->alerts[0].alert.status, kResolved);
  EXPECT_EQ(two->alerts[1].AlertId(), "wh_one");
  by_cluster.cluster_id = "c-on";  // a prefix of a section's cluster is not that cluster
  EXPECT_TRUE(store.List(by_cluster)->alerts.empty());

  AlertFilter firing;
  firing.status = kFiring;
  auto firing_page = store.List(firing);
  ASSERT_TRUE(firing_page);
  ASSERT_EQ(firing_page->alerts.size(), 2u);
  EXPECT_EQ(firing_page->alerts[0].AlertId(), "om_two#1");
  EXPECT_EQ(firing_page->alerts[0].alert.cluster_id, "c-one");
  EXPECT_EQ(firing_page->alerts[1].AlertId(), "wh_one");

  AlertFilter all;
  all.limit = 1;
  auto first = store.List(all);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->alerts.size(), 1u);
  EXPECT_EQ(first->alerts[0].AlertId(), "om_two");  // whole
  EXPECT_EQ(first->alerts[0].alert.cluster_id, "c-one|c-two");
  all.cursor = first->next_cursor;
  auto second = store.List(all);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->alerts.size(), 1u);
  EXPECT_EQ(second->alerts[0].AlertId(), "wh_one");
  EXPECT_TRUE(second->next_cursor.empty());
}

TEST(ExpandSectionsTest, AOneSectionRowIsItselfAndABadStatusIsAnError) {
  StoredAlert whole;
  whole.alert.message_id = "wh_1";
  whole.alert.status = kFiring;
  auto same = ExpandSections(whole);
  ASSERT_TRUE(same);
  ASSERT_EQ(same->size(), 1u);
  EXPECT_EQ((*same)[0].AlertId(), "wh_1");
  whole.alert.message_id = "om_bad";
  whole.sections = 2;
  whole.alert.cluster_id = "c-1|c-2";
  whole.alert.status = "Firing|Exploded";
  auto bad = ExpandSections(whole);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("Exploded"), std::string::npos) << bad.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterAlertsTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::alerts
