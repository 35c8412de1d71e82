#include "store/task_queue.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/ids.h"
#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::DatabaseBackendTest;

const TimePoint kStart = MakeUtcTime(2026, 11, 21, 10, 0, 0);

// fork() copies NewId's random generator, so children that create tasks at the same (pinned)
// millisecond would draw the same ids; each child first skips ahead by its own offset.
inline void DesyncIdsAfterFork(int child_idx) {
  for (int skip = 0; skip < 1000 * (child_idx + 1); ++skip) (void)NewId("skip", TimePoint{});
}

QueueConfig TestQueueConfig() {
  QueueConfig config;
  config.lease = minutes(5);
  config.heartbeat = minutes(1);
  config.max_attempts = 3;
  config.retry_backoff = minutes(1);
  return config;
}

EnqueueRequest Request(const std::string& cluster, int priority = 3,
                       TaskSource source = TaskSource::kAdhoc, const std::string& question = "") {
  EnqueueRequest request;
  request.cluster_id = cluster;
  request.priority = priority;
  request.source = source;
  request.question = question;
  request.requester = "test";
  return request;
}

class TaskQueueTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto migrated = Migrate(db(), SchemaSet::kMemory);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
    queue_ = std::make_unique<TaskQueue>(db(), clock_, TestQueueConfig());
  }

  TaskQueue& queue() { return *queue_; }
  ManualClock& clock() { return clock_; }

  std::string MustEnqueue(const EnqueueRequest& request) {
    auto result = queue().Enqueue(request);
    EXPECT_TRUE(result) << result.error().ToString();
    if (!result) return "";
    EXPECT_TRUE(result->created);
    return result->task.id;
  }

  Task MustClaim(const std::string& owner) {
    auto claimed = queue().Claim(owner);
    EXPECT_TRUE(claimed) << claimed.error().ToString();
    EXPECT_TRUE(claimed && claimed->has_value()) << "nothing claimable";
    return claimed && *claimed ? **claimed : Task{};
  }

  bool NothingClaimable(const std::string& owner) {
    auto claimed = queue().Claim(owner);
    EXPECT_TRUE(claimed) << claimed.error().ToString();
    return claimed && !claimed->has_value();
  }

 private:
  ManualClock clock_{kStart};
  std::unique_ptr<TaskQueue> queue_;
};

TEST_P(TaskQueueTest, LifecycleFromEnqueueToDone) {
  std::string id = MustEnqueue(Request("c-00000001", 2, TaskSource::kAdhoc, "Why is it slow?"));
  ASSERT_FALSE(id.empty());
  Task queued = *queue().Get(id);
  EXPECT_EQ(queued.status, TaskStatus::kQueued);
  EXPECT_EQ(queued.cluster_id, "c-00000001");
  EXPECT_EQ(queued.priority, 2);
  EXPECT_EQ(queued.question, "Why is it slow?");
  EXPECT_EQ(queued.requester, "test");
  EXPECT_EQ(queued.max_attempts, 3);
  EXPECT_EQ(queued.created_at, kStart);

  clock().Advance(seconds(30));
  Task claimed = MustClaim("worker-a");
  EXPECT_EQ(claimed.id, id);
  EXPECT_EQ(claimed.status, TaskStatus::kRunning);
  EXPECT_EQ(claimed.lease_owner, "worker-a");
  EXPECT_EQ(claimed.attempts, 1);
  EXPECT_EQ(*claimed.lease_expires_at, kStart + seconds(30) + minutes(5));
  EXPECT_EQ(*claimed.started_at, kStart + seconds(30));
  EXPECT_TRUE(NothingClaimable("worker-b"));

  clock().Advance(minutes(2));
  ASSERT_TRUE(queue().Heartbeat(id, "worker-a"));
  EXPECT_EQ(*queue().Get(id)->lease_expires_at, kStart + seconds(150) + minutes(5));

  auto stolen = queue().Complete(id, "worker-b", "rpt_x");
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(stolen.error().message.find("lease lost"), std::string::npos);

  ASSERT_TRUE(queue().Complete(id, "worker-a", "rpt_1"));
  Task done = *queue().Get(id);
  EXPECT_EQ(done.status, TaskStatus::kDone);
  EXPECT_EQ(done.report_id, "rpt_1");
  EXPECT_TRUE(done.lease_owner.empty());
  EXPECT_EQ(*done.finished_at, kStart + seconds(150));
  // A finished task cannot be completed again, nor heartbeated.
  EXPECT_FALSE(queue().Complete(id, "worker-a", "rpt_2"));
  EXPECT_FALSE(queue().Heartbeat(id, "worker-a"));
}

TEST_P(TaskQueueTest, ClaimsByPriorityThenAge) {
  std::string old_low = MustEnqueue(Request("c-aaaa0001", 3));
  clock().Advance(seconds(1));
  std::string urgent = MustEnqueue(Request("c-aaaa0002", 1));
  clock().Advance(seconds(1));
  std::string old_mid = MustEnqueue(Request("c-aaaa0003", 2));
  clock().Advance(seconds(1));
  std::string new_mid = MustEnqueue(Request("c-aaaa0004", 2));
  clock().Advance(seconds(1));
  std::string new_urgent = MustEnqueue(Request("c-aaaa0005", 1));
  std::vector<std::string> order;
  for (int claim_idx = 0; claim_idx < 5; ++claim_idx) order.push_back(MustClaim("w").id);
  EXPECT_EQ(order, (std::vector<std::string>{urgent, new_urgent, old_mid, new_mid, old_low}));
  EXPECT_TRUE(NothingClaimable("w"));
}

TEST_P(TaskQueueTest, AdhocRequestsAreDeduplicatedWhileQueuedOrRunning) {
  auto first = queue().Enqueue(Request("c-dd000001", 3, TaskSource::kAdhoc, "Why is disk full?"));
  ASSERT_TRUE(first && first->created);
  // Same cluster, same question up to case, spacing and trailing punctuation: the same task.
  auto again =
      queue().Enqueue(Request("c-dd000001", 3, TaskSource::kAdhoc, "  why is   DISK full?!  "));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->task.id, first->task.id);
  // Another question or another cluster is another task.
  clock().Advance(seconds(1));
  auto other_question = queue().Enqueue(Request("c-dd000001", 3, TaskSource::kAdhoc, "CPU?"));
  ASSERT_TRUE(other_question && other_question->created);
  auto other_cluster =
      queue().Enqueue(Request("c-dd000002", 3, TaskSource::kAdhoc, "Why is disk full?"));
  ASSERT_TRUE(other_cluster && other_cluster->created);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 3);

  // Still de-duplicated while running; not once done.
  Task claimed = MustClaim("w");
  ASSERT_EQ(claimed.id, first->task.id);
  auto while_running =
      queue().Enqueue(Request("c-dd000001", 3, TaskSource::kAdhoc, "why is disk full"));
  ASSERT_TRUE(while_running);
  EXPECT_FALSE(while_running->created);
  EXPECT_EQ(while_running->task.id, first->task.id);
  ASSERT_TRUE(queue().Complete(first->task.id, "w", "rpt_1"));
  auto after_done =
      queue().Enqueue(Request("c-dd000001", 3, TaskSource::kAdhoc, "why is disk full"));
  ASSERT_TRUE(after_done);
  EXPECT_TRUE(after_done->created);
  EXPECT_NE(after_done->task.id, first->task.id);
}

TEST_P(TaskQueueTest, CooldownBoundaryIsStrict) {
  auto first =
      queue().EnqueueUnlessCooling(Request("c-cc000001", 1, TaskSource::kSentinel), hours(4));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(first->created);
  // Finished or not, the task holds the cooldown.
  Task claimed = MustClaim("w");
  ASSERT_TRUE(queue().Complete(claimed.id, "w", "rpt_1"));

  clock().Set(kStart + hours(3) + minutes(59));
  auto cooling =
      queue().EnqueueUnlessCooling(Request("c-cc000001", 1, TaskSource::kSentinel), hours(4));
  ASSERT_TRUE(cooling);
  EXPECT_FALSE(cooling->created);
  EXPECT_TRUE(cooling->cooling);
  EXPECT_EQ(cooling->task.id, first->task.id);

  clock().Set(kStart + hours(4));  // exactly the cooldown: expired
  auto at_boundary = queue().EnqueueUnlessCooling(
      Request("c-cc000001", 1, TaskSource::kSentinel, "at the boundary"), hours(4));
  ASSERT_TRUE(at_boundary);
  EXPECT_TRUE(at_boundary->created);

  clock().Set(kStart + hours(8) + minutes(1));
  auto later =
      queue().EnqueueUnlessCooling(Request("c-cc000001", 1, TaskSource::kSentinel), hours(4));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->created);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 3);
}

TEST_P(TaskQueueTest, RetryableFailuresBackOffExponentiallyThenFail) {
  std::string id = MustEnqueue(Request("c-ff000001"));
  Task first = MustClaim("w");
  auto failed = queue().Fail(id, "w", "LLM unavailable", true);
  ASSERT_TRUE(failed) << failed.error().ToString();
  EXPECT_EQ(failed->status, TaskStatus::kQueued);
  EXPECT_EQ(failed->last_error, "LLM unavailable");
  EXPECT_EQ(*failed->not_before, kStart + minutes(1));
  EXPECT_TRUE(NothingClaimable("w"));  // inside the backoff

  clock().Set(kStart + minutes(1));
  Task second = MustClaim("w");
  EXPECT_EQ(second.attempts, 2);
  auto failed_again = queue().Fail(id, "w", "still down", true);
  ASSERT_TRUE(failed_again);
  EXPECT_EQ(*failed_again->not_before, kStart + minutes(1) + minutes(2));  // doubled

  clock().Set(kStart + minutes(3));
  Task third = MustClaim("w");
  EXPECT_EQ(third.attempts, 3);
  auto exhausted = queue().Fail(id, "w", "down for good", true);
  ASSERT_TRUE(exhausted);
  EXPECT_EQ(exhausted->status, TaskStatus::kFailed);
  EXPECT_TRUE(exhausted->finished_at.has_value());
  clock().Advance(hours(1));
  EXPECT_TRUE(NothingClaimable("w"));

  // A non-retryable failure fails at once.
  std::string other = MustEnqueue(Request("c-ff000002"));
  MustClaim("w");
  auto fatal = queue().Fail(other, "w", "report invalid", false);
  ASSERT_TRUE(fatal);
  EXPECT_EQ(fatal->status, TaskStatus::kFailed);
  EXPECT_EQ(fatal->attempts, 1);
  // Only the owner may fail a task.
  std::string third_task = MustEnqueue(Request("c-ff000003"));
  MustClaim("w");
  auto not_owner = queue().Fail(third_task, "intruder", "x", true);
  ASSERT_FALSE(not_owner);
  EXPECT_EQ(not_owner.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(TaskQueueTest, ExpiredLeasesAreRequeuedAndCountAsAttempts) {
  std::string id = MustEnqueue(Request("c-ee000001"));
  MustClaim("dead-worker");
  clock().Advance(minutes(5));  // lease ends exactly now: not yet expired
  EXPECT_TRUE(NothingClaimable("live-worker"));
  clock().Advance(seconds(1));
  Task reclaimed = MustClaim("live-worker");
  EXPECT_EQ(reclaimed.id, id);
  EXPECT_EQ(reclaimed.attempts, 2);
  EXPECT_NE(reclaimed.last_error.find("dead-worker"), std::string::npos);
  // The dead worker's late completion is refused; the live worker's is accepted.
  auto late = queue().Complete(id, "dead-worker", "rpt_dead");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(queue().Complete(id, "live-worker", "rpt_live"));
  EXPECT_EQ(queue().Get(id)->report_id, "rpt_live");

  // A task whose every attempt lost its lease ends failed, not queued forever.
  std::string doomed = MustEnqueue(Request("c-ee000002"));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Task claimed = MustClaim("crashy-" + std::to_string(attempt));
    EXPECT_EQ(claimed.attempts, attempt);
    clock().Advance(minutes(6));
  }
  EXPECT_EQ(*queue().RequeueExpired(), 1);
  Task failed = *queue().Get(doomed);
  EXPECT_EQ(failed.status, TaskStatus::kFailed);
  EXPECT_NE(failed.last_error.find("expired"), std::string::npos);
}

TEST_P(TaskQueueTest, ReleaseGivesTheTaskBackWithoutCountingTheAttempt) {
  std::string id = MustEnqueue(Request("c-rr000001"));
  MustClaim("stopping-worker");
  ASSERT_TRUE(queue().Release(id, "stopping-worker"));
  Task released = *queue().Get(id);
  EXPECT_EQ(released.status, TaskStatus::kQueued);
  EXPECT_EQ(released.attempts, 0);
  EXPECT_TRUE(released.lease_owner.empty());
  Task again = MustClaim("next-worker");
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.attempts, 1);
  EXPECT_FALSE(queue().Release(id, "stopping-worker"));
}

TEST_P(TaskQueueTest, CancelStopsQueuedAndRunningTasksOnly) {
  std::string queued = MustEnqueue(Request("c-ca000001"));
  auto cancelled = queue().Cancel(queued, "alice");
  ASSERT_TRUE(cancelled) << cancelled.error().ToString();
  EXPECT_EQ(cancelled->status, TaskStatus::kCancelled);
  EXPECT_EQ(cancelled->last_error, "cancelled by alice");
  EXPECT_TRUE(NothingClaimable("w"));

  std::string running = MustEnqueue(Request("c-ca000002"));
  MustClaim("w");
  ASSERT_TRUE(queue().Cancel(running, "bob"));
  auto heartbeat = queue().Heartbeat(running, "w");  // the worker learns it lost the task
  ASSERT_FALSE(heartbeat);
  EXPECT_EQ(heartbeat.error().code, ErrorCode::kPermissionDenied);

  auto twice = queue().Cancel(queued, "alice");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kInvalidArgument);
  auto unknown = queue().Cancel("tsk_nope", "alice");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(TaskQueueTest, BadInputIsRefusedWithoutWriting) {
  auto bad_cluster = queue().Enqueue(Request("C_BAD; DROP TABLE x"));
  ASSERT_FALSE(bad_cluster);
  EXPECT_EQ(bad_cluster.error().code, ErrorCode::kInvalidArgument);
  auto bad_priority = queue().Enqueue(Request("c-ok000001", 7));
  ASSERT_FALSE(bad_priority);
  EXPECT_NE(bad_priority.error().ToString().find("priority"), std::string::npos);
  auto no_owner = queue().Claim("");
  ASSERT_FALSE(no_owner);
  EXPECT_EQ(no_owner.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 0);
}

TEST_P(TaskQueueTest, ListFiltersAndCounts) {
  MustEnqueue(Request("c-11000001"));
  clock().Advance(seconds(1));
  MustEnqueue(Request("c-11000002"));
  clock().Advance(seconds(1));
  std::string newest = MustEnqueue(Request("c-11000001", 3, TaskSource::kAdhoc, "again"));
  MustClaim("w");
  auto all = queue().List({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->front().id, newest);
  TaskFilter by_cluster;
  by_cluster.cluster_id = "c-11000001";
  EXPECT_EQ(queue().List(by_cluster)->size(), 2u);
  TaskFilter running;
  running.status = TaskStatus::kRunning;
  EXPECT_EQ(queue().List(running)->size(), 1u);
  auto counts = queue().CountByStatus();
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[TaskStatus::kQueued], 2);
  EXPECT_EQ((*counts)[TaskStatus::kRunning], 1);
  auto latest = queue().LatestTaskPerCluster(kStart - hours(1));
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->size(), 2u);
  EXPECT_EQ(latest->at("c-11000001").id, newest);
}

// ---- several worker processes ------------------------------------------------------------------

// Each child opens its own connection, claims until the queue is empty, writes every id it
// claimed to its own file, completes the task, and exits without running destructors.
TEST_P(TaskQueueTest, WorkerProcessesClaimEachTaskExactlyOnce) {
  constexpr int kWorkers = 4;
  constexpr int kTasks = 120;
  std::set<std::string> ids;
  for (int task_idx = 0; task_idx < kTasks; ++task_idx) {
    ids.insert(MustEnqueue(Request("c-p" + std::to_string(100000 + task_idx), 1 + task_idx % 3)));
  }
  testing::TempDir dir;
  std::vector<pid_t> children;
  for (int worker_idx = 0; worker_idx < kWorkers; ++worker_idx) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto conn = Open();
      if (!conn) _exit(10);
      ManualClock worker_clock(kStart);
      TaskQueue worker_queue(*conn, worker_clock, TestQueueConfig());
      std::ofstream out(dir.File("worker-" + std::to_string(worker_idx)));
      const std::string owner = "worker-" + std::to_string(worker_idx);
      for (;;) {
        auto claimed = worker_queue.Claim(owner);
        if (!claimed) _exit(11);
        if (!*claimed) break;
        out << (*claimed)->id << "\n";
        out.flush();
        if (!worker_queue.Complete((*claimed)->id, owner, "rpt_" + (*claimed)->id)) _exit(12);
      }
      out.close();
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  }
  std::map<std::string, int> claims;
  int workers_that_claimed = 0;
  for (int worker_idx = 0; worker_idx < kWorkers; ++worker_idx) {
    std::ifstream in(dir.File("worker-" + std::to_string(worker_idx)));
    std::string line;
    int mine = 0;
    while (std::getline(in, line)) {
      ++claims[line];
      ++mine;
    }
    if (mine > 0) ++workers_that_claimed;
  }
  EXPECT_EQ(claims.size(), ids.size());
  for (const auto& [id, count] : claims) {
    EXPECT_EQ(count, 1) << id << " claimed " << count << " times";
    EXPECT_EQ(ids.count(id), 1u) << id;
  }
  EXPECT_GE(workers_that_claimed, 2) << "the workers did not run concurrently";
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE status = 'done' AND "
                           "attempts = 1"),
            kTasks);
}

TEST_P(TaskQueueTest, ConcurrentDuplicateRequestsCreateOneTask) {
  constexpr int kProcesses = 4;
  constexpr int kRoundsEach = 10;
  std::vector<pid_t> children;
  for (int process_idx = 0; process_idx < kProcesses; ++process_idx) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      DesyncIdsAfterFork(process_idx);
      auto conn = Open();
      if (!conn) _exit(10);
      ManualClock process_clock(kStart);
      TaskQueue process_queue(*conn, process_clock, TestQueueConfig());
      for (int round = 0; round < kRoundsEach; ++round) {
        if (!process_queue.Enqueue(
                Request("c-dup00001", 3, TaskSource::kAdhoc, "Same question?"))) {
          _exit(11);
        }
        if (!process_queue.EnqueueUnlessCooling(Request("c-dup00002", 1, TaskSource::kSentinel),
                                                hours(4))) {
          _exit(12);
        }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  }
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE cluster_id = ?",
                           {Text("c-dup00001")}),
            1);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE cluster_id = ?",
                           {Text("c-dup00002")}),
            1);
}

TEST_P(TaskQueueTest, TaskOfAWorkerKilledMidTaskIsReclaimedAfterTheLease) {
  std::string id = MustEnqueue(Request("c-k1110001", 1));
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    auto conn = Open();
    if (!conn) _exit(10);
    ManualClock worker_clock(kStart);
    TaskQueue worker_queue(*conn, worker_clock, TestQueueConfig());
    auto claimed = worker_queue.Claim("doomed-worker");
    char byte = (claimed && *claimed) ? 'y' : 'n';
    if (write(ready[1], &byte, 1) != 1) _exit(13);
    for (;;) pause();  // "working" until killed
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  ASSERT_EQ(byte, 'y');
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus));

  Task held = *queue().Get(id);
  EXPECT_EQ(held.status, TaskStatus::kRunning);
  EXPECT_EQ(held.lease_owner, "doomed-worker");
  clock().Set(kStart + minutes(4));  // the lease still holds
  EXPECT_TRUE(NothingClaimable("rescuer"));
  clock().Set(kStart + minutes(5) + seconds(1));
  Task rescued = MustClaim("rescuer");
  EXPECT_EQ(rescued.id, id);
  EXPECT_EQ(rescued.attempts, 2);
  ASSERT_TRUE(queue().Complete(id, "rescuer", "rpt_rescued"));
  EXPECT_EQ(queue().Get(id)->status, TaskStatus::kDone);
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueTest, RH_DATABASE_BACKENDS());

TEST(NormaliseQuestionTest, FoldsCaseSpacingAndTrailingPunctuation) {
  EXPECT_EQ(NormaliseQuestion("  Why   is\tDISK full?! "), "why is disk full");
  EXPECT_EQ(NormaliseQuestion(""), "");
  EXPECT_EQ(NormaliseQuestion("???"), "");
  EXPECT_EQ(NormaliseQuestion("CPU: 90%?"), "cpu: 90%");
}

TEST(TaskNamesTest, RoundTrip) {
  for (TaskStatus status : {TaskStatus::kQueued, TaskStatus::kRunning, TaskStatus::kDone,
                            TaskStatus::kFailed, TaskStatus::kCancelled}) {
    EXPECT_EQ(*ParseTaskStatus(TaskStatusName(status)), status);
  }
  for (TaskSource source : {TaskSource::kSentinel, TaskSource::kAdhoc, TaskSource::kWebhook}) {
    EXPECT_EQ(*ParseTaskSource(TaskSourceName(source)), source);
  }
  EXPECT_FALSE(ParseTaskStatus("paused"));
}

}  // namespace
}  // namespace rh::store
