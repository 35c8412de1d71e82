// WorkerPool: several workers, each with its own connection to the agent memory (SQLite and
// MariaDB), working the durable queue through the real Investigator, playbook engine and tools
// over the simulated fleet. Checks: every task done with exactly one report; a failed
// investigation goes back to the queue per its retry policy and fails for good when out of
// attempts; a stop between claim and start gives the task back untouched; a worker that died
// after storing its report leaves a task that is reclaimed without a second report; daemon mode.
#include "agent/worker_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <set>

#include "agent/playbook_engine.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "store/task_queue.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/database_fixture.h"

namespace rh::agent {
namespace {

using loop_test::Fleet;
using loop_test::RecordingClock;
using loop_test::TestMemory;
using ::testing::HasSubstr;

class WorkerPoolTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") RH_REQUIRE_MYSQL();
    ASSERT_TRUE(Fleet().error.empty()) << Fleet().error;
    memory_ = std::make_unique<TestMemory>(GetParam());
    ASSERT_TRUE(memory_->error().empty()) << memory_->error();
    auto tools = loop_test::BuildTools(memory_->db(), clock_);
    ASSERT_TRUE(tools) << tools.error().ToString();
    tools_ = std::move(*tools);
    playbook_ = std::make_unique<PlaybookEngine>(*tools_, clock_);
    queue_config_.retry_backoff = std::chrono::minutes(1);
    queue_config_.max_attempts = 3;
    queue_ = std::make_unique<store::TaskQueue>(*memory_->db(), clock_, queue_config_);
  }

  // An Investigator storing its reports in `reports` (default: the memory under test).
  std::unique_ptr<Investigator> MakeInvestigator(store::Database* reports = nullptr) {
    InvestigatorDeps deps;
    deps.fleet = Fleet().fleet.get();
    deps.memory = reports ? reports : memory_->db();
    deps.playbook = playbook_.get();
    deps.clock = &clock_;
    return std::make_unique<Investigator>(deps);
  }

  std::unique_ptr<WorkerPool> MakePool(Investigator& investigator, int workers) {
    WorkerPoolOptions options;
    options.workers = workers;
    options.queue = queue_config_;
    options.owner_prefix = "test-host:1";
    options.poll_interval = std::chrono::milliseconds(50);
    TestMemory* memory = memory_.get();
    return std::make_unique<WorkerPool>(
        investigator, [memory] { return memory->Reopen(); }, clock_, options);
  }

  std::string Enqueue(const std::string& cluster_id, const std::string& question = "") {
    store::EnqueueRequest request;
    request.cluster_id = cluster_id;
    request.question = question;
    request.requester = "worker-pool-test";
    auto enqueued = queue_->Enqueue(request);
    EXPECT_TRUE(enqueued) << enqueued.error().ToString();
    return enqueued ? enqueued->task.id : "";
  }

  store::Task TaskNow(const std::string& task_id) {
    auto task = queue_->Get(task_id);
    EXPECT_TRUE(task) << task.error().ToString();
    return task ? *task : store::Task{};
  }

  int64_t Reports(store::Database& db) {
    auto count = db.QueryInt("SELECT COUNT(*) FROM investigation_reports");
    EXPECT_TRUE(count) << count.error().ToString();
    return count ? *count : -1;
  }

  RecordingClock clock_;
  std::unique_ptr<TestMemory> memory_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  std::unique_ptr<PlaybookEngine> playbook_;
  QueueConfig queue_config_;
  std::unique_ptr<store::TaskQueue> queue_;
};

TEST_P(WorkerPoolTest, SeveralWorkersCompleteEveryTaskWithExactlyOneReport) {
  std::vector<std::string> clusters = Fleet().HealthyClusters();
  ASSERT_GE(clusters.size(), 3u);
  clusters.resize(3);
  for (const char* category : {"disk_capacity", "node_failure", "compaction_backlog"}) {
    clusters.push_back(Fleet().IncidentCluster(category));
  }
  std::vector<std::string> task_ids;
  for (const std::string& cluster_id : clusters) task_ids.push_back(Enqueue(cluster_id));
  auto investigator = MakeInvestigator();
  auto pool = MakePool(*investigator, 3);
  std::mutex finished_mutex;
  std::set<std::string> finished;
  pool->set_on_task_finished([&](const std::string& task_id, const Result<std::string>& report) {
    EXPECT_TRUE(report) << report.error().ToString();
    std::lock_guard<std::mutex> lock(finished_mutex);
    EXPECT_TRUE(finished.insert(task_id).second) << task_id << " finished twice";
  });

  auto stats = pool->RunUntilIdle();
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->completed, 6);
  EXPECT_EQ(stats->failed, 0);
  EXPECT_EQ(stats->released, 0);
  EXPECT_EQ(finished.size(), 6u);
  EXPECT_EQ(Reports(*memory_->db()), 6);

  store::ReportStore reports(*memory_->db());
  std::set<std::string> report_ids;
  for (size_t task_idx = 0; task_idx < task_ids.size(); ++task_idx) {
    store::Task task = TaskNow(task_ids[task_idx]);
    EXPECT_EQ(task.status, store::TaskStatus::kDone) << task.id;
    EXPECT_EQ(task.attempts, 1);
    EXPECT_THAT(task.lease_owner, ::testing::IsEmpty());
    auto report = reports.FindByTask(task.id);
    ASSERT_TRUE(report) << report.error().ToString();
    ASSERT_TRUE(report->has_value()) << task.id << " has no report";
    EXPECT_EQ((*report)->report_id, task.report_id);
    EXPECT_EQ((*report)->cluster_id, clusters[task_idx]);
    report_ids.insert(task.report_id);
  }
  EXPECT_EQ(report_ids.size(), 6u);

  // Nothing left: another pass does nothing.
  auto again = pool->RunUntilIdle();
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->completed, 0);
}

// The investigator's report store is a SQLite file the test keeps write-locked from another
// connection: storing fails with `unavailable` (a retryable error), as when the memory database
// is busy or down.
class LockedReportStore {
 public:
  LockedReportStore() {
    store::OpenOptions options;
    options.busy_timeout = std::chrono::milliseconds(20);
    auto db = store::OpenDatabase(dir_.File("reports.db"), options);
    EXPECT_TRUE(db) << db.error().ToString();
    db_ = std::move(*db);
    EXPECT_TRUE(store::Migrate(*db_, store::SchemaSet::kMemory));
    auto locker = store::OpenDatabase(dir_.File("reports.db"), options);
    EXPECT_TRUE(locker) << locker.error().ToString();
    locker_ = std::move(*locker);
  }
  void Lock() { EXPECT_TRUE(locker_->Execute("BEGIN IMMEDIATE")); }
  void Unlock() { EXPECT_TRUE(locker_->Execute("ROLLBACK")); }
  store::Database& db() { return *db_; }

 private:
  rh::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::Database> locker_;
};

TEST_P(WorkerPoolTest, FailedInvestigationIsRetriedAfterTheBackoff) {
  LockedReportStore reports;
  auto investigator = MakeInvestigator(&reports.db());
  auto pool = MakePool(*investigator, 2);
  const std::string task_id = Enqueue(Fleet().IncidentCluster("disk_capacity"));

  reports.Lock();
  auto first = pool->RunUntilIdle();
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->completed, 0);
  EXPECT_EQ(first->failed, 1);
  store::Task task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kQueued);
  EXPECT_EQ(task.attempts, 1);
  EXPECT_THAT(task.last_error, HasSubstr("unavailable"));
  ASSERT_TRUE(task.not_before.has_value());
  EXPECT_EQ(*task.not_before, clock_.Now() + std::chrono::minutes(1));
  EXPECT_EQ(Reports(reports.db()), 0);  // no half report

  // Still backing off: nothing to claim, even once the store is back.
  reports.Unlock();
  auto too_early = pool->RunUntilIdle();
  ASSERT_TRUE(too_early) << too_early.error().ToString();
  EXPECT_EQ(too_early->completed + too_early->failed, 0);

  clock_.Advance(std::chrono::minutes(1));
  auto retried = pool->RunUntilIdle();
  ASSERT_TRUE(retried) << retried.error().ToString();
  EXPECT_EQ(retried->completed, 1);
  task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kDone);
  EXPECT_EQ(task.attempts, 2);
  EXPECT_EQ(Reports(reports.db()), 1);
}

TEST_P(WorkerPoolTest, InvestigationFailingEveryAttemptFailsForGood) {
  queue_config_.max_attempts = 2;
  queue_ = std::make_unique<store::TaskQueue>(*memory_->db(), clock_, queue_config_);
  LockedReportStore reports;
  auto investigator = MakeInvestigator(&reports.db());
  auto pool = MakePool(*investigator, 1);
  const std::string task_id = Enqueue(Fleet().IncidentCluster("node_failure"));
  reports.Lock();
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto stats = pool->RunUntilIdle();
    ASSERT_TRUE(stats) << stats.error().ToString();
    EXPECT_EQ(stats->failed, 1) << "attempt " << attempt;
    clock_.Advance(std::chrono::minutes(10));
  }
  store::Task task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kFailed);
  EXPECT_EQ(task.attempts, 2);
  EXPECT_THAT(task.last_error, HasSubstr("unavailable"));
  auto after = pool->RunUntilIdle();
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_EQ(after->completed + after->failed, 0);
  reports.Unlock();
}

TEST_P(WorkerPoolTest, StopBetweenClaimAndStartReleasesTheTaskUntouched) {
  const std::string task_id = Enqueue(Fleet().IncidentCluster("disk_capacity"));
  auto investigator = MakeInvestigator();
  auto pool = MakePool(*investigator, 1);
  std::atomic<bool> stop{false};
  pool->set_on_task_claimed([&](const std::string&) { stop = true; });
  auto stats = pool->RunUntilIdle(&stop);
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->released, 1);
  EXPECT_EQ(stats->completed, 0);
  store::Task task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kQueued);
  EXPECT_EQ(task.attempts, 0);
  EXPECT_THAT(task.lease_owner, ::testing::IsEmpty());
  EXPECT_EQ(Reports(*memory_->db()), 0);

  pool->set_on_task_claimed({});
  auto resumed = pool->RunUntilIdle();
  ASSERT_TRUE(resumed) << resumed.error().ToString();
  EXPECT_EQ(resumed->completed, 1);
  EXPECT_EQ(TaskNow(task_id).status, store::TaskStatus::kDone);
}

TEST_P(WorkerPoolTest, WorkerThatDiedAfterStoringLeavesATaskReclaimedWithoutASecondReport) {
  const std::string cluster_id = Fleet().IncidentCluster("memory_pressure");
  const std::string task_id = Enqueue(cluster_id);
  auto investigator = MakeInvestigator();
  // The dead worker claimed the task and stored its report, then died before Complete.
  auto claimed = queue_->Claim("dead-host:9:w0");
  ASSERT_TRUE(claimed && claimed->has_value());
  auto stored = investigator->Run({task_id, cluster_id, ""}, "");
  ASSERT_TRUE(stored) << stored.error().ToString();

  auto pool = MakePool(*investigator, 2);
  auto while_leased = pool->RunUntilIdle();
  ASSERT_TRUE(while_leased) << while_leased.error().ToString();
  EXPECT_EQ(while_leased->completed, 0);  // the lease still holds

  clock_.Advance(queue_config_.lease + std::chrono::seconds(1));
  auto reclaimed = pool->RunUntilIdle();
  ASSERT_TRUE(reclaimed) << reclaimed.error().ToString();
  EXPECT_EQ(reclaimed->completed, 1);
  store::Task task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kDone);
  EXPECT_EQ(task.report_id, stored->report_id);
  EXPECT_EQ(Reports(*memory_->db()), 1);
}

TEST_P(WorkerPoolTest, DaemonWorkersPollTheQueueUntilStopped) {
  auto investigator = MakeInvestigator();
  auto pool = MakePool(*investigator, 2);
  std::mutex mutex;
  std::condition_variable changed;
  int finished = 0;
  pool->set_on_task_finished([&](const std::string&, const Result<std::string>& report) {
    EXPECT_TRUE(report) << report.error().ToString();
    std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    changed.notify_all();
  });
  ASSERT_TRUE(pool->Start());
  EXPECT_FALSE(pool->Start());  // already running
  std::vector<std::string> task_ids;
  for (const char* category : {"disk_capacity", "cpu_saturation", "slow_queries"}) {
    task_ids.push_back(Enqueue(Fleet().IncidentCluster(category)));
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(120), [&] { return finished == 3; }))
        << "only " << finished << " of 3 tasks finished";
  }
  pool->Stop();
  EXPECT_EQ(pool->stats().completed, 3);
  for (const std::string& task_id : task_ids) {
    EXPECT_EQ(TaskNow(task_id).status, store::TaskStatus::kDone);
  }
  EXPECT_EQ(Reports(*memory_->db()), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkerPoolTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::agent
