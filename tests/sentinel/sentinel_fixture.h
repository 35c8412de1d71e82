// A small hand-made fleet, in one real database (SQLite or MariaDB) that also holds the agent
// memory, scored "now" = 2026-11-21 10:20 UTC (snapshot hour 10:00):
//
//   cluster     tier  story
//   c-healthy   B     every metric healthy, no alerts                       -> Healthy, no task
//   c-disk      A     disk 92.5 % now (60 % an hour ago), disk alert firing  -> Critical
//   c-gap       C     telemetry stops at 07:00                               -> Critical (no data)
//   c-surge     B     QPS 7x its 7-day baseline this hour                    -> Warning, cliff
//   c-storm     C     healthy metrics, 6 alerts fired in the last 20 minutes -> storm
//   c-stopped   B     stopped, no telemetry                                   -> not scored
#pragma once

#include <memory>

#include "core/clock.h"
#include "core/config.h"
#include "store/schema.h"
#include "store/task_queue.h"
#include "tests/fakes/database_fixture.h"
#include "tests/sentinel/fleet_rows.h"

namespace rh::sentinel::testing {

inline const TimePoint kHour = MakeUtcTime(2026, 11, 21, 10, 0, 0);
inline const TimePoint kNow = MakeUtcTime(2026, 11, 21, 10, 20, 0);

class SentinelFleetTest : public rh::testing::DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto memory = store::Migrate(db(), store::SchemaSet::kMemory);
    ASSERT_TRUE(memory) << memory.error().ToString();
    rows_ = std::make_unique<FleetRows>(db());
    rows_->Migrate();
    queue_ = std::make_unique<store::TaskQueue>(db(), clock_, QueueConfig{});
  }

  void BuildFleet() {
    using std::chrono::hours;
    using std::chrono::minutes;
    FleetRows& rows = *rows_;
    const TimePoint week_ago = kHour - hours(24 * 7);
    rows.Account("acct-bbbbbb", "B");
    rows.Account("acct-aaaaaa", "A");
    rows.Account("acct-cccccc", "C");
    for (const char* cluster : {"c-healthy", "c-surge"}) rows.Cluster(cluster, "acct-bbbbbb");
    rows.Cluster("c-disk", "acct-aaaaaa");
    rows.Cluster("c-gap", "acct-cccccc");
    rows.Cluster("c-storm", "acct-cccccc");
    rows.Cluster("c-stopped", "acct-bbbbbb", "stopped");
    for (const char* cluster : {"c-healthy", "c-disk", "c-gap", "c-surge", "c-storm"}) {
      rows.Snapshots(cluster, week_ago - hours(1), week_ago);
    }
    rows.Snapshots("c-healthy", kHour - hours(1), kHour);
    rows.Snapshots("c-storm", kHour - hours(1), kHour);
    rows.Snapshot("c-disk", kHour - hours(1), {{"starrocks_be_disks_data_used_pct", 60}});
    rows.Snapshot("c-disk", kHour, {{"starrocks_be_disks_data_used_pct", 92.5}});
    rows.Snapshots("c-gap", kHour - hours(6), kHour - hours(3));
    rows.Snapshot("c-surge", kHour - hours(1));
    rows.Snapshot("c-surge", kHour, {{"starrocks_fe_qps", 700}});
    // c-disk: two Firing/Resolved episodes earlier in the week, one firing now.
    rows.Alert("c-disk", "Data Disk Capacity Alert", "Firing", kHour - hours(72));
    rows.Alert("c-disk", "Data Disk Capacity Alert", "Resolved", kHour - hours(70));
    rows.Alert("c-disk", "Data Disk Capacity Alert", "Firing", kHour - hours(30));
    rows.Alert("c-disk", "Data Disk Capacity Alert", "Resolved", kHour - hours(29));
    rows.Alert("c-disk", "Data Disk Capacity Alert", "Firing", kHour - minutes(30));
    // Outside the 7-day window: ignored.
    rows.Alert("c-disk", "Query Latency Alert", "Firing", kHour - hours(24 * 8));
    // c-storm: six different alerts fired between 10:05 and 10:15.
    const char* storm[] = {"BE CPU Alert", "Query Latency Alert",   "Query Failure Alert",
                           "Memory Alert", "Loading Failure Alert", "High FE JVM Usage Alert"};
    for (int alert_idx = 0; alert_idx < 6; ++alert_idx) {
      rows.Alert("c-storm", storm[alert_idx], "Firing", kHour + minutes(5 + 2 * alert_idx),
                 "warning");
    }
  }

  SentinelConfig Config() const { return SentinelConfig{}; }
  ManualClock& clock() { return clock_; }
  store::TaskQueue& queue() { return *queue_; }
  FleetRows& rows() { return *rows_; }

 private:
  ManualClock clock_{kNow};
  std::unique_ptr<FleetRows> rows_;
  std::unique_ptr<store::TaskQueue> queue_;
};

}  // namespace rh::sentinel::testing
