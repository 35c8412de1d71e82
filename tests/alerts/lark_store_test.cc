// LarkAlertStore on SQLite and MariaDB: idempotent inserts by message id, the pipe-delimited row
// of a multi-section card and its inverse, Chinese text, rows too wide for the columns kept as
// unparsed, the newest stored message across both tables, listing.
#include "alerts/lark_alert_store.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::alerts {
namespace {

using rh::testing::DatabaseBackendTest;

TimePoint At(const char* text) { return *ParseSqlTime(text); }

LarkAlertSection Section(std::string alert, LarkAlertStatus status) {
  LarkAlertSection section;
  section.cluster_name = "生产-订单库";
  section.region = "cn-hangzhou";
  section.account_name = "杭州某某科技";
  section.cluster_id = "c-7f3a9b21";
  section.status = status;
  section.alert_name = std::move(alert);
  section.alert_detail = "detail of " + section.alert_name;
  section.dashboard_url = "https://grafana.example.com/d/" + section.alert_name;
  return section;
}

// 60 sections on 60 clusters: cluster_id outgrows its 512 characters.
std::vector<LarkAlertSection> WideCard() {
  std::vector<LarkAlertSection> sections;
  for (int i = 0; i < 60; ++i) {
    LarkAlertSection section = Section("Alert" + std::to_string(i), LarkAlertStatus::kFiring);
    section.cluster_id = "c-cluster-number-" + std::to_string(i);
    sections.push_back(section);
  }
  return sections;
}

class LarkStoreTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(db(), store::SchemaSet::kFleet));
  }
  ManualClock clock_{At("2026-12-07 12:00:00")};
};

TEST(LarkPipeFieldTest, JoinCollapsesUniformValuesAndEscapes) {
  EXPECT_EQ(JoinSectionField({"c-1", "c-1"}), "c-1");
  EXPECT_EQ(JoinSectionField({"Firing", "Resolved"}), "Firing|Resolved");
  EXPECT_EQ(JoinSectionField({"", "https://x/2"}), "|https://x/2");
  EXPECT_EQ(JoinSectionField({"a|b", "c\\d"}), "a\\|b|c\\\\d");
  EXPECT_EQ(SplitSectionField("a\\|b|c\\\\d", 2), (std::vector<std::string>{"a|b", "c\\d"}));
  EXPECT_EQ(SplitSectionField("c-1", 3), (std::vector<std::string>{"c-1", "c-1", "c-1"}));
  EXPECT_EQ(SplitSectionField("|https://x/2", 2), (std::vector<std::string>{"", "https://x/2"}));
  EXPECT_EQ(SplitSectionField("", 2), (std::vector<std::string>{"", ""}));
}

TEST_P(LarkStoreTest, MultiSectionCardIsOnePipeDelimitedRowAndSplitsBack) {
  std::vector<LarkAlertSection> sections = {Section("HeapUsageTooHigh", LarkAlertStatus::kFiring),
                                            Section("BeAliveAbnormal", LarkAlertStatus::kResolved)};
  sections[1].alert_detail = "alive=3/3 | 节点 be-3 恢复";
  LarkAlertRow row = LarkAlertRowFromSections("om_multi", "oc_chat", At("2026-12-07 11:00:00"),
                                              sections);
  EXPECT_EQ(row.sections, 2);
  EXPECT_EQ(row.cluster_id, "c-7f3a9b21");
  EXPECT_EQ(row.cluster_name, "生产-订单库");
  EXPECT_EQ(row.status, "Firing|Resolved");
  EXPECT_EQ(row.alert_name, "HeapUsageTooHigh|BeAliveAbnormal");

  LarkAlertStore store(db(), clock_);
  auto counts = store.Insert({row}, {});
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(counts->inserted, 1);

  auto listed = store.List({});
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  const LarkAlertRow& back = (*listed)[0];
  EXPECT_EQ(back.message_id, "om_multi");
  EXPECT_EQ(back.chat_id, "oc_chat");
  EXPECT_EQ(back.status, "Firing|Resolved");
  EXPECT_EQ(back.cluster_name, "生产-订单库");
  EXPECT_EQ(back.alert_time, At("2026-12-07 11:00:00"));
  EXPECT_EQ(back.created_at, clock_.Now());
  auto split = SectionsOf(back);
  ASSERT_TRUE(split) << split.error().ToString();
  ASSERT_EQ(split->size(), 2u);
  EXPECT_EQ((*split)[0].alert_name, "HeapUsageTooHigh");
  EXPECT_EQ((*split)[0].status, LarkAlertStatus::kFiring);
  EXPECT_EQ((*split)[1].status, LarkAlertStatus::kResolved);
  EXPECT_EQ((*split)[1].alert_detail, "alive=3/3 | 节点 be-3 恢复");
  EXPECT_EQ((*split)[1].cluster_id, "c-7f3a9b21");
  EXPECT_EQ((*split)[1].dashboard_url, "https://grafana.example.com/d/BeAliveAbnormal");

  // The columns every other reader of lark_alerts uses.
  auto raw = db().QueryOne(
      "SELECT source, cluster_id, status, alert_name, detail FROM lark_alerts WHERE message_id = ?",
      {store::Text("om_multi")});
  ASSERT_TRUE(raw) << raw.error().ToString();
  EXPECT_EQ(raw->front().GetString("source"), "lark");
  EXPECT_EQ(raw->front().GetString("detail"),
            "detail of HeapUsageTooHigh|alive=3/3 \\| 节点 be-3 恢复");
}

TEST_P(LarkStoreTest, StoringAMessageAgainChangesNothing) {
  LarkAlertStore store(db(), clock_);
  LarkAlertRow row = LarkAlertRowFromSections(
      "om_1", "oc_chat", At("2026-12-07 10:00:00"), {Section("A", LarkAlertStatus::kFiring)});
  LarkUnparsedMessage text{"om_2", "oc_chat", "text", "not a card", "{\"text\":\"hi\"}",
                           At("2026-12-07 10:01:00"), {}};
  auto first = store.Insert({row}, {text});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->inserted, 1);
  EXPECT_EQ(first->unparsed_inserted, 1);
  clock_.Advance(std::chrono::hours(1));
  row.alert_name = "changed";
  auto second = store.Insert({row}, {text});
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->inserted, 0);
  EXPECT_EQ(second->duplicates, 1);
  EXPECT_EQ(second->unparsed_duplicates, 1);
  auto listed = store.List({});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].alert_name, "A");
  EXPECT_EQ((*listed)[0].created_at, At("2026-12-07 12:00:00"));
}

TEST_P(LarkStoreTest, RowTooWideForItsColumnsIsKeptAsUnparsed) {
  const std::vector<LarkAlertSection> sections = WideCard();
  LarkAlertRow row = LarkAlertRowFromSections("om_wide", "oc_chat", At("2026-12-07 10:00:00"),
                                              sections);
  ASSERT_TRUE(LarkRowTooWide(row));
  LarkAlertStore store(db(), clock_);
  auto counts = store.Insert({row}, {});
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(counts->inserted, 0);
  EXPECT_EQ(counts->unparsed_inserted, 1);
  auto unparsed = store.ListUnparsed({});
  ASSERT_TRUE(unparsed);
  ASSERT_EQ(unparsed->size(), 1u);
  EXPECT_NE((*unparsed)[0].reason.find("cluster_id holds"), std::string::npos)
      << (*unparsed)[0].reason;
  EXPECT_NE((*unparsed)[0].reason.find("60 sections"), std::string::npos);
}

TEST_P(LarkStoreTest, NewestMessageTimeSpansBothTablesPerChat) {
  LarkAlertStore store(db(), clock_);
  auto none = store.NewestMessageTime("oc_chat");
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store.Insert(
      {LarkAlertRowFromSections("om_a", "oc_chat", At("2026-12-07 09:00:00"),
                                {Section("A", LarkAlertStatus::kFiring)}),
       LarkAlertRowFromSections("om_b", "oc_other", At("2026-12-07 11:30:00"),
                                {Section("B", LarkAlertStatus::kFiring)})},
      {{"om_c", "oc_chat", "text", "not a card", "", At("2026-12-07 10:15:00"), {}}}));
  auto newest = store.NewestMessageTime("oc_chat");
  ASSERT_TRUE(newest);
  ASSERT_TRUE(newest->has_value());
  EXPECT_EQ(**newest, At("2026-12-07 10:15:00"));
  // Webhook rows never count as Lark messages.
  ASSERT_TRUE(db().Execute(
      "INSERT INTO lark_alerts (message_id, cluster_id, alert_name, status, source, alert_time, "
      "created_at, chat_id) VALUES ('wh_x', 'c-1', 'X', 'Firing', 'alertmanager', ?, ?, "
      "'oc_chat')",
      {store::Time(At("2026-12-07 11:59:00")), store::Time(At("2026-12-07 11:59:00"))}));
  newest = store.NewestMessageTime("oc_chat");
  ASSERT_TRUE(newest);
  EXPECT_EQ(**newest, At("2026-12-07 10:15:00"));

  LarkListFilter filter;
  filter.chat_id = "oc_chat";
  auto rows = store.List(filter);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].message_id, "om_a");
  filter.chat_id.clear();
  filter.since = At("2026-12-07 10:00:00");
  rows = store.List(filter);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].message_id, "om_b");
  filter.limit = 0;
  EXPECT_FALSE(store.List(filter));
}

TEST_P(LarkStoreTest, LargeBatchesAreStoredInChunksAndCountedExactly) {
  LarkAlertStore store(db(), clock_);
  std::vector<LarkAlertRow> rows;
  for (int i = 0; i < 250; ++i) {
    rows.push_back(LarkAlertRowFromSections("om_batch_" + std::to_string(1000 + i), "oc_chat",
                                            At("2026-12-07 10:00:00") + std::chrono::seconds(i),
                                            {Section("A", LarkAlertStatus::kFiring)}));
  }
  std::vector<LarkAlertRow> first_half(rows.begin(), rows.begin() + 120);
  auto first = store.Insert(first_half, {});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->inserted, 120);
  auto all = store.Insert(rows, {});
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(all->inserted, 130);
  EXPECT_EQ(all->duplicates, 120);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM lark_alerts"), 250);
}

TEST_P(LarkStoreTest, SeveralReasonsForOneMessageAreOneUnparsedRow) {
  const std::vector<LarkAlertSection> sections = WideCard();
  LarkAlertRow wide = LarkAlertRowFromSections("om_both", "oc_chat", At("2026-12-07 10:00:00"),
                                               sections);
  LarkUnparsedMessage skipped{"om_both", "oc_chat", "interactive",
                              "stored 60 complete section(s); skipped: section 61 of 61: no alert "
                              "name",
                              "{}", At("2026-12-07 10:00:00"), {}};
  LarkAlertStore store(db(), clock_);
  auto counts = store.Insert({wide}, {skipped});
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(counts->unparsed_inserted, 1);
  EXPECT_EQ(counts->unparsed_duplicates, 0);
  auto unparsed = store.ListUnparsed({});
  ASSERT_TRUE(unparsed);
  ASSERT_EQ(unparsed->size(), 1u);
  EXPECT_NE((*unparsed)[0].reason.find("no alert name; the card's cluster_id holds"),
            std::string::npos)
      << (*unparsed)[0].reason;
}

INSTANTIATE_TEST_SUITE_P(Backends, LarkStoreTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::alerts
