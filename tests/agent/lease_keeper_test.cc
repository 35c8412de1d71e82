// LeaseKeeper against the real task queue (SQLite and MariaDB) on a ManualClock that moves only
// when the test advances it: a heartbeat exactly every interval of clock time, none after Stop
// (which needs no clock movement), the run cancelled when the lease was lost (task cancelled,
// or reclaimed by another worker after it expired), and a heartbeat the database refuses for a
// while (busy) tried again rather than taken for a lost lease.
#include "agent/lease_keeper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/schema.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/database_fixture.h"

namespace rh::agent {
namespace {

using loop_test::FleetNow;
using loop_test::TestMemory;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kOwner[] = "test-host:1:w0";
constexpr char kCluster[] = "c-lease-keeper";

class LeaseKeeperTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") RH_REQUIRE_MYSQL();
    memory_ = std::make_unique<TestMemory>(GetParam());
    ASSERT_TRUE(memory_->error().empty()) << memory_->error();
    config_.lease = minutes(5);
    config_.heartbeat = seconds(60);
    queue_ = std::make_unique<store::TaskQueue>(*memory_->db(), clock_, config_);
    store::EnqueueRequest request;
    request.cluster_id = kCluster;
    request.requester = "lease-keeper-test";
    auto enqueued = queue_->Enqueue(request);
    ASSERT_TRUE(enqueued) << enqueued.error().ToString();
    task_id_ = enqueued->task.id;
    auto claimed = queue_->Claim(kOwner);
    ASSERT_TRUE(claimed && claimed->has_value());
  }

  TimePoint LeaseExpiry() {
    auto task = queue_->Get(task_id_);
    EXPECT_TRUE(task) << task.error().ToString();
    return task && task->lease_expires_at ? *task->lease_expires_at : TimePoint{};
  }

  ManualClock clock_{FleetNow(), /*auto_advance_on_sleep=*/false};
  std::unique_ptr<TestMemory> memory_;
  QueueConfig config_;
  std::unique_ptr<store::TaskQueue> queue_;
  std::string task_id_;
};

TEST_P(LeaseKeeperTest, HeartbeatsEveryIntervalOfClockTimeAndStopsWithoutTheClock) {
  const TimePoint start = clock_.Now();
  EXPECT_EQ(LeaseExpiry(), start + minutes(5));
  CancellationToken cancel;
  LeaseKeeper keeper(*queue_, clock_, task_id_, kOwner, config_.heartbeat, cancel);

  clock_.WaitForSleepers(1);
  clock_.Advance(seconds(59));  // not yet
  clock_.WaitForSleepers(1);
  EXPECT_EQ(keeper.heartbeats(), 0);
  EXPECT_EQ(LeaseExpiry(), start + minutes(5));

  clock_.Advance(seconds(1));  // 60 s: the first beat extends the lease from now
  clock_.WaitForSleepers(1);   // back asleep, so the beat is done
  EXPECT_EQ(keeper.heartbeats(), 1);
  EXPECT_EQ(LeaseExpiry(), start + seconds(60) + minutes(5));

  clock_.Advance(seconds(60));
  clock_.WaitForSleepers(1);
  EXPECT_EQ(keeper.heartbeats(), 2);
  EXPECT_EQ(LeaseExpiry(), start + seconds(120) + minutes(5));

  keeper.Stop();  // returns without the clock moving
  EXPECT_EQ(clock_.Sleepers(), 0);
  EXPECT_EQ(clock_.Now(), start + seconds(120));
  clock_.Advance(minutes(10));
  EXPECT_EQ(keeper.heartbeats(), 2);
  EXPECT_EQ(LeaseExpiry(), start + seconds(120) + minutes(5));
  EXPECT_FALSE(cancel.cancelled());
  EXPECT_FALSE(keeper.lease_lost());
}

TEST_P(LeaseKeeperTest, CancelledTaskCancelsTheRunAtTheNextBeat) {
  CancellationToken cancel;
  int lost_calls = 0;
  LeaseKeeper keeper(*queue_, clock_, task_id_, kOwner, config_.heartbeat, cancel,
                     [&] { ++lost_calls; });
  clock_.WaitForSleepers(1);
  ASSERT_TRUE(queue_->Cancel(task_id_, "an engineer"));
  EXPECT_FALSE(cancel.cancelled());  // nobody knows until the next beat
  clock_.Advance(config_.heartbeat);
  keeper.Stop();  // the beat due before the stop still runs
  EXPECT_TRUE(cancel.cancelled());
  EXPECT_TRUE(keeper.lease_lost());
  EXPECT_EQ(lost_calls, 1);
  EXPECT_EQ(keeper.heartbeats(), 0);
  Status check = cancel.Check();
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(check.error().message, HasSubstr("lease lost"));
  EXPECT_THAT(check.error().message, HasSubstr(task_id_));
}

// The worker stalled past its lease (its keeper never got to beat); another worker, whose
// clock is already past the expiry, reclaims the task; the stalled keeper's next beat finds
// the lease gone and cancels the run.
TEST_P(LeaseKeeperTest, LeaseReclaimedByAnotherWorkerCancelsTheRun) {
  ManualClock other_clock(clock_.Now() + config_.lease + seconds(1));
  store::TaskQueue other_queue(*memory_->db(), other_clock, config_);
  auto reclaimed = other_queue.Claim("other-host:2:w0");
  ASSERT_TRUE(reclaimed) << reclaimed.error().ToString();
  ASSERT_TRUE(reclaimed->has_value());
  EXPECT_EQ((*reclaimed)->id, task_id_);
  EXPECT_EQ((*reclaimed)->attempts, 2);

  CancellationToken cancel;
  LeaseKeeper keeper(*queue_, clock_, task_id_, kOwner, config_.heartbeat, cancel);
  clock_.WaitForSleepers(1);
  clock_.Advance(config_.heartbeat);
  keeper.Stop();
  EXPECT_TRUE(cancel.cancelled());
  EXPECT_TRUE(keeper.lease_lost());
  // The new owner's lease is untouched.
  auto task = queue_->Get(task_id_);
  ASSERT_TRUE(task) << task.error().ToString();
  EXPECT_EQ(task->lease_owner, "other-host:2:w0");
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseKeeperTest, RH_DATABASE_BACKENDS());

// The memory database is a SQLite file another connection keeps write-locked for a while: the
// beat fails with `unavailable` (busy), which is logged and tried again at the next beat; the
// run is not cancelled.
TEST(LeaseKeeperBusyDatabaseTest, UnavailableHeartbeatIsTriedAgainNotTakenForALostLease) {
  rh::testing::TempDir dir;
  store::OpenOptions options;
  options.busy_timeout = std::chrono::milliseconds(20);
  auto db = store::OpenDatabase(dir.File("memory.db"), options);
  ASSERT_TRUE(db) << db.error().ToString();
  ASSERT_TRUE(store::Migrate(**db, store::SchemaSet::kMemory));
  auto locker = store::OpenDatabase(dir.File("memory.db"), options);
  ASSERT_TRUE(locker) << locker.error().ToString();

  ManualClock clock(FleetNow(), /*auto_advance_on_sleep=*/false);
  QueueConfig config;
  store::TaskQueue queue(**db, clock, config);
  store::EnqueueRequest request;
  request.cluster_id = kCluster;
  auto enqueued = queue.Enqueue(request);
  ASSERT_TRUE(enqueued) << enqueued.error().ToString();
  auto claimed = queue.Claim(kOwner);
  ASSERT_TRUE(claimed && claimed->has_value());

  CancellationToken cancel;
  LeaseKeeper keeper(queue, clock, enqueued->task.id, kOwner, config.heartbeat, cancel);
  clock.WaitForSleepers(1);
  ASSERT_TRUE((*locker)->Execute("BEGIN IMMEDIATE"));
  clock.Advance(config.heartbeat);
  clock.WaitForSleepers(1);  // the failed beat is over and the keeper waits for the next
  EXPECT_EQ(keeper.heartbeats(), 0);
  EXPECT_FALSE(cancel.cancelled());
  ASSERT_TRUE((*locker)->Execute("ROLLBACK"));
  clock.Advance(config.heartbeat);
  clock.WaitForSleepers(1);
  EXPECT_EQ(keeper.heartbeats(), 1);
  EXPECT_FALSE(cancel.cancelled());
}

// On the production clock Stop does not wait for the interval.
TEST(LeaseKeeperSystemClockTest, StopsAtOnceOnTheSystemClock) {
  rh::testing::TempDir dir;
  auto db = store::OpenDatabase(dir.File("memory.db"));
  ASSERT_TRUE(db) << db.error().ToString();
  ASSERT_TRUE(store::Migrate(**db, store::SchemaSet::kMemory));
  SystemClock clock;
  store::TaskQueue queue(**db, clock, QueueConfig{});
  CancellationToken cancel;
  LeaseKeeper keeper(queue, clock, "tsk_none", kOwner, std::chrono::hours(24), cancel);
  keeper.Stop();  // a day otherwise
  EXPECT_EQ(keeper.heartbeats(), 0);
  EXPECT_FALSE(cancel.cancelled());
}

}  // namespace
}  // namespace rh::agent
