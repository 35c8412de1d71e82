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
#include <stdexcept>
#include <thread>

#include "agent/internal/thread_priority.h"
#include "agent/playbook_engine.h"
#include "core/log.h"
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
    playbook_ = std::make_unique<PlaybookEngine>(*tools_, executor_, clock_);
    queue_config_.retry_backoff = std::chrono::minutes(1);
    queue_config_.max_attempts = 3;
    queue_ = std::make_unique<store::TaskQueue>(*memory_->db(), clock_, queue_config_);
  }

  // An Investigator storing its reports in `reports` (default: the memory under test) and
  // running `playbook` (default: the real playbook engine over the real tools).
  std::unique_ptr<Investigator> MakeInvestigator(store::Database* reports = nullptr,
                                                 InvestigationEngine* playbook = nullptr) {
    InvestigatorDeps deps;
    deps.fleet = Fleet().fleet.get();
    deps.memory = reports ? reports : memory_->db();
    deps.playbook = playbook ? playbook : playbook_.get();
    deps.clock = &clock_;
    return std::make_unique<Investigator>(deps);
  }

  // A pool of `workers` on `clock` (default: the test's clock).
  std::unique_ptr<WorkerPool> MakePool(Investigator& investigator, int workers,
                                       Clock* clock = nullptr,
                                       const std::string& owner_prefix = "test-host:1") {
    WorkerPoolOptions options;
    options.workers = workers;
    options.queue = queue_config_;
    options.owner_prefix = owner_prefix;
    options.poll_interval = std::chrono::milliseconds(50);
    TestMemory* memory = memory_.get();
    return std::make_unique<WorkerPool>(
        investigator, [memory] { return memory->Reopen(); }, clock ? *clock : clock_, options);
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
  ToolExecutor executor_{4};
  std::unique_ptr<PlaybookEngine> playbook_;
  QueueConfig queue_config_;
  std::unique_ptr<store::TaskQueue> queue_;
};

TEST_P(WorkerPoolTest, SeveralWorkersCompleteEveryTaskWithExactlyOneReport) {
  std::vector<std::string> clusters = Fleet().HealthyClusters();
  ASSERT_GE(clusters.size(), 3u);
  clusters.resize(3);
  for (RootCause category :
       {RootCause::kDiskCapacity, RootCause::kNodeFailure, RootCause::kCompactionBacklog}) {
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
  const std::string task_id = Enqueue(Fleet().IncidentCluster(RootCause::kDiskCapacity));

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
  const std::string task_id = Enqueue(Fleet().IncidentCluster(RootCause::kNodeFailure));
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

TEST_P(WorkerPoolTest, WorkersInvestigateAtBackgroundPriority) {
  Enqueue(Fleet().IncidentCluster(RootCause::kDiskCapacity));
  auto investigator = MakeInvestigator();
  auto pool = MakePool(*investigator, 1);
  std::atomic<int> worker_nice{-100};
  pool->set_on_task_claimed([&](const std::string&) { worker_nice = ThisThreadNice(); });
  auto stats = pool->RunUntilIdle();
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->completed, 1);
  EXPECT_GE(worker_nice.load(), kBackgroundNice);
}

TEST_P(WorkerPoolTest, StopBetweenClaimAndStartReleasesTheTaskUntouched) {
  const std::string task_id = Enqueue(Fleet().IncidentCluster(RootCause::kDiskCapacity));
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
  const std::string cluster_id = Fleet().IncidentCluster(RootCause::kMemoryPressure);
  const std::string task_id = Enqueue(cluster_id);
  auto investigator = MakeInvestigator();
  // The dead worker claimed the task and stored its report, then died before Complete.
  auto claimed = queue_->Claim("dead-host:9:w0");
  ASSERT_TRUE(claimed && claimed->has_value());
  auto stored = investigator->Run({task_id, cluster_id, ""}, std::nullopt);
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
  for (RootCause category :
       {RootCause::kDiskCapacity, RootCause::kCpuSaturation, RootCause::kSlowQueries}) {
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

// ---- Lost leases and exceptions -----------------------------------------------------------------

// Waits for WorkerPool::set_on_lease_lost.
class LeaseLostSignal {
 public:
  std::function<void(const std::string&)> Hook() {
    return [this](const std::string& task_id) {
      std::lock_guard<std::mutex> lock(mutex_);
      lost_.push_back(task_id);
      changed_.notify_all();
    };
  }
  std::vector<std::string> Wait(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return lost_.size() >= count; });
    return lost_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lost_;
};

// Worker A is held at step 4 of its investigation. Its keeper beats once at the configured
// interval; then A stalls past its lease as far as worker B (on a clock past the expiry) can
// tell: B reclaims the task and completes it. A's next beat finds the lease gone: A's run is
// cancelled at its next checkpoint, stores nothing and leaves the task alone. One reclaim, one
// report, B's.
TEST_P(WorkerPoolTest, LeaseLostToAnotherWorkerCancelsTheRunAndTheTaskIsReclaimedOnce) {
  const std::string task_id = Enqueue(Fleet().IncidentCluster(RootCause::kDiskCapacity));
  loop_test::GatedTools gated(*tools_, "query_cluster_operations");
  PlaybookEngine gated_playbook(gated.registry(), executor_, clock_);
  auto investigator_a = MakeInvestigator(nullptr, &gated_playbook);
  auto pool_a = MakePool(*investigator_a, 1);
  LeaseLostSignal lost;
  pool_a->set_on_lease_lost(lost.Hook());
  Result<WorkerPoolStats> stats_a = Internal("test", "not run");
  std::thread worker_a([&] { stats_a = pool_a->RunUntilIdle(); });

  gated.WaitUntilBlocked();
  clock_.WaitForSleepers(1);  // A's keeper waits for its first beat
  const TimePoint claimed_at = clock_.Now();
  ASSERT_EQ(TaskNow(task_id).lease_expires_at, claimed_at + queue_config_.lease);
  clock_.Advance(queue_config_.heartbeat - std::chrono::seconds(1));
  clock_.WaitForSleepers(1);
  EXPECT_EQ(TaskNow(task_id).lease_expires_at, claimed_at + queue_config_.lease);
  clock_.Advance(std::chrono::seconds(1));
  clock_.WaitForSleepers(1);  // the beat is done
  EXPECT_EQ(TaskNow(task_id).lease_expires_at,
            claimed_at + queue_config_.heartbeat + queue_config_.lease);

  ManualClock b_clock(clock_.Now() + queue_config_.lease + std::chrono::seconds(1));
  auto investigator_b = MakeInvestigator();
  auto pool_b = MakePool(*investigator_b, 1, &b_clock, "other-host:2");
  auto stats_b = pool_b->RunUntilIdle();
  ASSERT_TRUE(stats_b) << stats_b.error().ToString();
  EXPECT_EQ(stats_b->completed, 1);

  clock_.Advance(queue_config_.heartbeat);
  EXPECT_THAT(lost.Wait(1), ::testing::ElementsAre(task_id));
  gated.Open();
  worker_a.join();
  ASSERT_TRUE(stats_a) << stats_a.error().ToString();
  EXPECT_EQ(stats_a->cancelled, 1);
  EXPECT_EQ(stats_a->completed, 0);
  EXPECT_EQ(stats_a->failed, 0);
  EXPECT_EQ(clock_.Sleepers(), 0);  // A's keeper ended with the run

  store::Task task = TaskNow(task_id);
  EXPECT_EQ(task.status, store::TaskStatus::kDone);
  EXPECT_EQ(task.attempts, 2);  // claimed by A, reclaimed once by B
  EXPECT_THAT(task.lease_owner, ::testing::IsEmpty());
  EXPECT_EQ(Reports(*memory_->db()), 1);
  store::ReportStore reports(*memory_->db());
  auto report = reports.FindByTask(task_id);
  ASSERT_TRUE(report && report->has_value());
  EXPECT_EQ((*report)->report_id, task.report_id);
}

// The task is cancelled while worker A investigates: A's next beat finds out, the run is
// cancelled and stores nothing, and the task stays cancelled.
TEST_P(WorkerPoolTest, TaskCancelledMidInvestigationStopsTheRunWithoutAReport) {
  const std::string task_id = Enqueue(Fleet().IncidentCluster(RootCause::kNodeFailure));
  loop_test::GatedTools gated(*tools_, "query_cluster_operations");
  PlaybookEngine gated_playbook(gated.registry(), executor_, clock_);
  auto investigator = MakeInvestigator(nullptr, &gated_playbook);
  auto pool = MakePool(*investigator, 1);
  LeaseLostSignal lost;
  pool->set_on_lease_lost(lost.Hook());
  std::vector<std::string> finished_errors;
  pool->set_on_task_finished([&](const std::string&, const Result<std::string>& report) {
    if (!report) finished_errors.push_back(report.error().ToString());
  });
  Result<WorkerPoolStats> stats = Internal("test", "not run");
  std::thread worker([&] { stats = pool->RunUntilIdle(); });

  gated.WaitUntilBlocked();
  clock_.WaitForSleepers(1);
  ASSERT_TRUE(queue_->Cancel(task_id, "an engineer"));
  clock_.Advance(queue_config_.heartbeat);
  lost.Wait(1);
  gated.Open();
  worker.join();
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->cancelled, 1);
  EXPECT_EQ(stats->completed + stats->failed, 0);
  ASSERT_THAT(finished_errors, ::testing::SizeIs(1));
  EXPECT_THAT(finished_errors[0], HasSubstr("cancelled"));
  EXPECT_THAT(finished_errors[0], HasSubstr("lease lost"));
  EXPECT_EQ(TaskNow(task_id).status, store::TaskStatus::kCancelled);
  EXPECT_EQ(Reports(*memory_->db()), 0);
}

// An engine that throws for one cluster and runs the real one for the others.
class ThrowingEngine final : public InvestigationEngine {
 public:
  ThrowingEngine(InvestigationEngine& real, std::string throw_for)
      : real_(real), throw_for_(std::move(throw_for)) {}
  std::string_view name() const override { return "playbook"; }
  Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                           const ProgressFn& progress, InvestigationUsage* spent,
                                           const RunLimits& limits) override {
    if (request.cluster_id == throw_for_) throw std::runtime_error("engine exploded");
    return real_.Investigate(request, progress, spent, limits);
  }

 private:
  InvestigationEngine& real_;
  const std::string throw_for_;
};

TEST_P(WorkerPoolTest, ExceptionInAnInvestigationFailsThatTaskAndTheWorkerGoesOn) {
  const std::string throwing_cluster = Fleet().IncidentCluster(RootCause::kDiskCapacity);
  store::EnqueueRequest urgent;
  urgent.cluster_id = throwing_cluster;
  urgent.priority = 1;  // claimed first
  urgent.requester = "worker-pool-test";
  auto enqueued = queue_->Enqueue(urgent);
  ASSERT_TRUE(enqueued) << enqueued.error().ToString();
  const std::string throwing_task = enqueued->task.id;
  const std::string fine_task = Enqueue(Fleet().IncidentCluster(RootCause::kCpuSaturation));
  ThrowingEngine engine(*playbook_, throwing_cluster);
  auto investigator = MakeInvestigator(nullptr, &engine);
  auto pool = MakePool(*investigator, 1);
  LogCapture logs;
  auto stats = pool->RunUntilIdle();
  ASSERT_TRUE(stats) << stats.error().ToString();
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->completed, 1);  // the same worker went on to the next task

  store::Task failed = TaskNow(throwing_task);
  EXPECT_EQ(failed.status, store::TaskStatus::kFailed);  // not retried: attempts were left
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_THAT(failed.last_error, HasSubstr("internal"));
  EXPECT_THAT(failed.last_error, HasSubstr("engine exploded"));
  EXPECT_EQ(TaskNow(fine_task).status, store::TaskStatus::kDone);
  EXPECT_EQ(Reports(*memory_->db()), 1);
  EXPECT_THAT(logs.Text(), HasSubstr("task=" + throwing_task));
  EXPECT_THAT(logs.Text(), HasSubstr("engine exploded"));
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkerPoolTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::agent
