#include "store/report_store.h"

#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "store/report_messages.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::store {
namespace {

class ReportStoreTest : public testing::DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(Migrate(db(), SchemaSet::kMemory));
  }

  StoredReport Make(std::string cluster, Severity severity, RootCause category, int minute,
                    std::string task = "") {
    StoredReport r;
    r.task_id = std::move(task);
    r.cluster_id = std::move(cluster);
    r.account_id = "acct-000001";
    r.engine = EngineKind::kPlaybook;
    r.severity = severity;
    r.confidence = 0.7;
    r.category = category;
    r.root_cause = "disk filling";
    r.summary = "summary";
    r.report_json = "{\"severity\":\"" + std::string(SeverityName(severity)) + "\"}";
    r.markdown = "# report";
    r.transcript_json = "[]";
    r.created_at = MakeUtcTime(2026, 11, 21, 10, minute);
    return r;
  }
};

TEST_P(ReportStoreTest, InsertGetAndIdempotentPerTask) {
  ReportStore store(db());
  auto first = store.Insert(Make("c-1", Severity::kHigh, RootCause::kDiskCapacity, 0, "tsk_a"));
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = store.Insert(Make("c-1", Severity::kLow, RootCause::kAlertNoise, 1, "tsk_a"));
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);  // one report per task
  auto got = store.Get(*first);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->severity, Severity::kHigh);
  EXPECT_EQ(got->category, RootCause::kDiskCapacity);
  EXPECT_EQ(got->engine, EngineKind::kPlaybook);
  EXPECT_EQ(got->markdown, "# report");
  EXPECT_EQ(got->created_at, MakeUtcTime(2026, 11, 21, 10, 0));
  auto by_task = store.FindByTask("tsk_a");
  ASSERT_TRUE(by_task && *by_task);
  EXPECT_EQ((*by_task)->report_id, *first);
  EXPECT_FALSE(*store.FindByTask("tsk_none"));
  auto missing = store.Get("rpt_missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  // Reports without a task are all kept.
  EXPECT_TRUE(store.Insert(Make("c-2", Severity::kInfo, RootCause::kAlertNoise, 2)));
  EXPECT_TRUE(store.Insert(Make("c-2", Severity::kInfo, RootCause::kAlertNoise, 3)));
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_reports"), 3);
}

TEST_P(ReportStoreTest, ListFiltersAndPagesNewestFirst) {
  ReportStore store(db());
  for (int report_idx = 0; report_idx < 25; ++report_idx) {
    ASSERT_TRUE(store.Insert(Make(report_idx % 2 ? "c-odd" : "c-even",
                                  kAllSeverities[report_idx % 5],
                                  report_idx % 3 ? RootCause::kDiskCapacity
                                                 : RootCause::kQueryErrors,
                                  report_idx)));
  }
  ReportFilter filter;
  filter.limit = 10;
  std::vector<std::string> seen;
  TimePoint previous = TimePoint::max();
  for (int page_idx = 0; page_idx < 5; ++page_idx) {
    auto page = store.List(filter);
    ASSERT_TRUE(page) << page.error().ToString();
    for (const auto& r : page->reports) {
      EXPECT_LE(r.created_at, previous);
      previous = r.created_at;
      seen.push_back(r.report_id);
      EXPECT_TRUE(r.markdown.empty());  // bodies only on request
    }
    if (page->next_cursor.empty()) break;
    filter.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 25u);
  ReportFilter narrow;
  narrow.cluster_id = "c-odd";
  narrow.min_severity = Severity::kHigh;
  auto page = store.List(narrow);
  ASSERT_TRUE(page);
  for (const auto& r : page->reports) {
    EXPECT_EQ(r.cluster_id, "c-odd");
    EXPECT_TRUE(r.severity == Severity::kCritical || r.severity == Severity::kHigh);
  }
  EXPECT_EQ(page->reports.size(), 5u);
  ReportFilter since;
  since.since = MakeUtcTime(2026, 11, 21, 10, 20);
  since.category = RootCause::kDiskCapacity;
  EXPECT_EQ(store.List(since)->reports.size(), 3u);  // minutes 20, 22, 23
  ReportFilter bad;
  bad.cursor = "garbage";
  EXPECT_FALSE(store.List(bad));
  bad = {};
  bad.limit = 0;
  EXPECT_FALSE(store.List(bad));
}

// Engine, severity and category are stored by their names, exactly as the report JSON and the
// API show them; a row holding none of the names (a hand-edited table) reads as data_loss.
TEST_P(ReportStoreTest, VocabularyIsStoredByNameAndCheckedOnRead) {
  ReportStore store(db());
  StoredReport report = Make("c-1", Severity::kCritical, RootCause::kNodeFailure, 0, "tsk_n");
  report.engine = EngineKind::kClaude;
  auto id = store.Insert(report);
  ASSERT_TRUE(id) << id.error().ToString();
  auto row = db().Query("SELECT engine, severity, category FROM investigation_reports");
  ASSERT_TRUE(row && row->size() == 1u);
  EXPECT_EQ(row->front().GetString("engine"), "claude");
  EXPECT_EQ(row->front().GetString("severity"), "critical");
  EXPECT_EQ(row->front().GetString("category"), "node_failure");

  ASSERT_TRUE(db().Execute("UPDATE investigation_reports SET severity = 'urgent'"));
  auto got = store.Get(*id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(got.error().message.find("must be one of " + std::string(SeverityNames())),
            std::string::npos)
      << got.error().message;
  EXPECT_FALSE(store.FindByTask("tsk_n"));
  EXPECT_FALSE(store.List({}));
}

TEST_P(ReportStoreTest, FollowUpsAskedAtOnceOnOneReportEachGetTheirOwnPlace) {
  // Four workers (their own connections) store follow-ups on one report at the same time: each
  // message gets its own seq, none is refused by the unique (report_id, seq) index.
  auto report = ReportStore(db()).Insert(Make("c-1", Severity::kHigh, RootCause::kDiskCapacity,
                                              0, "tsk_chat"));
  ASSERT_TRUE(report) << report.error().ToString();
  constexpr int kWorkers = 4;
  constexpr int kEach = 5;
  std::vector<std::unique_ptr<Database>> connections;
  for (int w = 0; w < kWorkers; ++w) {
    connections.push_back(Open());
    ASSERT_NE(connections.back(), nullptr);
  }
  std::vector<std::string> errors(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      ReportMessageStore messages(*connections[w]);
      for (int i = 0; i < kEach; ++i) {
        ReportMessage m;
        m.message_id = "msg_w" + std::to_string(w) + "_" + std::to_string(i);
        m.report_id = *report;
        m.question = "why?";
        m.answer = "because";
        m.created_at = MakeUtcTime(2026, 11, 21, 11, w * kEach + i);
        auto stored = messages.Insert(m);
        if (!stored && errors[w].empty()) errors[w] = stored.error().ToString();
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  auto listed = ReportMessageStore(db()).List(*report);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), static_cast<size_t>(kWorkers * kEach));
  std::set<int> seqs;
  for (const ReportMessage& m : *listed) seqs.insert(m.seq);
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kWorkers * kEach));
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), kWorkers * kEach);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportStoreTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::store
