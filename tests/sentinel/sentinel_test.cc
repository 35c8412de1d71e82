#include "sentinel/sentinel.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/json.h"
#include "tests/sentinel/sentinel_fixture.h"

namespace rh::sentinel {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::kHour;
using testing::kNow;

// fork() copies NewId's random generator, so children that create tasks at the same (pinned)
// millisecond would draw the same ids; each child first skips ahead by its own offset.
inline void DesyncIdsAfterFork(int child_idx) {
  for (int skip = 0; skip < 1000 * (child_idx + 1); ++skip) (void)NewId("skip", TimePoint{});
}

class SentinelTest : public testing::SentinelFleetTest {
 protected:
  Result<PassSummary> Pass() {
    Sentinel sentinel(db(), queue(), clock(), Config());
    return sentinel.RunPass();
  }
  std::vector<std::string> Rules(const store::Task& task) {
    std::vector<std::string> names;
    auto rules = ParseJson(task.rules_fired);
    EXPECT_TRUE(rules) << task.rules_fired;
    if (!rules) return names;
    for (const auto& rule : *rules) names.push_back(rule["rule"].get<std::string>());
    return names;
  }
  store::Task TaskFor(const std::string& cluster_id) {
    store::TaskFilter filter;
    filter.cluster_id = cluster_id;
    auto tasks = queue().List(filter);
    EXPECT_TRUE(tasks && tasks->size() == 1) << cluster_id;
    return tasks && !tasks->empty() ? tasks->front() : store::Task{};
  }
};

TEST_P(SentinelTest, QueuesOneTaskPerFlaggedClusterWithEveryReason) {
  BuildFleet();
  auto summary = Pass();
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->healthy, 1);
  EXPECT_EQ(summary->warning, 2);
  EXPECT_EQ(summary->critical, 2);
  ASSERT_EQ(summary->created.size(), 4u);
  EXPECT_TRUE(summary->cooling.empty());
  // Most urgent first: the two Critical clusters (P1, lowest health first), then the P2s.
  EXPECT_EQ(summary->created[0].cluster_id, "c-disk");
  EXPECT_EQ(summary->created[1].cluster_id, "c-gap");
  EXPECT_EQ(summary->created[0].priority, 1);
  EXPECT_EQ(summary->created[2].priority, 2);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 4);

  store::Task disk = TaskFor("c-disk");
  EXPECT_EQ(disk.source, store::TaskSource::kSentinel);
  EXPECT_EQ(disk.requester, "sentinel");
  EXPECT_EQ(disk.priority, 1);
  EXPECT_EQ(Rules(disk), (std::vector<std::string>{"new_critical", "score_cliff", "tier_warning"}));
  auto disk_rules = *ParseJson(disk.rules_fired);
  EXPECT_DOUBLE_EQ(disk_rules[0]["value"].get<double>(), 34.96);
  EXPECT_DOUBLE_EQ(disk_rules[0]["threshold"].get<double>(), 50);
  EXPECT_NE(disk.question.find("c-disk is Critical (health 35.0)"), std::string::npos)
      << disk.question;

  store::Task surge = TaskFor("c-surge");
  EXPECT_EQ(surge.priority, 2);
  EXPECT_EQ(Rules(surge), (std::vector<std::string>{"score_cliff"}));
  store::Task storm = TaskFor("c-storm");
  EXPECT_EQ(storm.priority, 2);
  EXPECT_EQ(Rules(storm), (std::vector<std::string>{"score_cliff", "alert_storm"}));
  store::Task gap = TaskFor("c-gap");
  EXPECT_EQ(Rules(gap), (std::vector<std::string>{"new_critical"}));
  store::TaskFilter healthy;
  healthy.cluster_id = "c-healthy";
  EXPECT_TRUE(queue().List(healthy)->empty());

  std::string text = FormatPassSummary(*summary);
  EXPECT_NE(text.find("clusters scored     5  (1 stopped, not scored; 1 without telemetry"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("risk                Critical 2   Warning 2   Healthy 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tasks created       4"), std::string::npos) << text;
  EXPECT_NE(text.find("new_critical      health 34.96 < 50 (Critical)"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped by cooldown 0"), std::string::npos) << text;
}

TEST_P(SentinelTest, RerunningThePassCreatesNothingNew) {
  BuildFleet();
  ASSERT_TRUE(Pass());
  clock().Advance(minutes(15));
  auto again = Pass();
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->created.empty());
  ASSERT_EQ(again->cooling.size(), 4u);
  for (const ClusterDecision& decision : again->cooling) {
    ASSERT_TRUE(decision.cooldown);
    EXPECT_EQ(decision.cooldown->remaining, hours(4) - minutes(15));
  }
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 4);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_health_scores"), 5);
  std::string text = FormatPassSummary(*again);
  EXPECT_NE(text.find("skipped by cooldown 4"), std::string::npos) << text;
  EXPECT_NE(text.find("cooldown 3h45m left (task tsk_"), std::string::npos) << text;
}

TEST_P(SentinelTest, CooldownHoldsForFourHoursAcrossAllRules) {
  BuildFleet();
  ASSERT_TRUE(Pass());
  clock().Set(kNow + hours(3) + minutes(59));
  auto inside = Pass();
  ASSERT_TRUE(inside);
  EXPECT_TRUE(inside->created.empty());
  EXPECT_EQ(inside->cooling.size(), 4u);
  clock().Set(kNow + hours(4) + minutes(1));
  auto after = Pass();
  ASSERT_TRUE(after);
  // No newer telemetry landed, so the same evidence flags the same four clusters again: one new
  // task each, now that the cooldown is over.
  EXPECT_EQ(after->created.size(), 4u);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 8);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(DISTINCT cluster_id) FROM investigation_tasks"), 4);
  EXPECT_EQ(after->cooling.size(), 0u);
}

// node_lost on a tier C cluster: one of three BEs down (alive 66.67 %), or an FE follower's
// renamed node-down alert with every metric healthy. Each is queued once; the cooldown holds for
// the new rule as for the others.
TEST_P(SentinelTest, NodeLostQueuesALostNodeOnAnyTierAndTheCooldownHolds) {
  rows().Account("acct-cccccc", "C");
  for (const char* cluster : {"c-be-lost", "c-fe-lost", "c-fine"}) {
    rows().Cluster(cluster, "acct-cccccc");
    rows().Snapshots(cluster, kHour - hours(24 * 7) - hours(1), kHour - hours(24 * 7));
    rows().Snapshot(cluster, kHour - hours(1));
  }
  rows().Snapshot("c-be-lost", kHour, {{"starrocks_be_alive_ratio", 66.67}});
  rows().Snapshot("c-fe-lost", kHour);
  rows().Snapshot("c-fine", kHour);
  rows().Alert("c-fe-lost", "[P1] starrocks_fe_node_down", "Firing", kHour + minutes(2));
  auto summary = Pass();
  ASSERT_TRUE(summary) << summary.error().ToString();
  ASSERT_EQ(summary->created.size(), 2u);
  store::Task be = TaskFor("c-be-lost");
  std::vector<std::string> be_rules = Rules(be);
  EXPECT_NE(std::find(be_rules.begin(), be_rules.end(), "node_lost"), be_rules.end());
  auto be_json = *ParseJson(be.rules_fired);
  for (const auto& rule : be_json) {
    if (rule["rule"] != "node_lost") continue;
    EXPECT_DOUBLE_EQ(rule["value"].get<double>(), 66.67);
    EXPECT_DOUBLE_EQ(rule["threshold"].get<double>(), 99.9);
    EXPECT_EQ(rule["priority"], 2);
  }
  store::Task fe = TaskFor("c-fe-lost");
  std::vector<std::string> fe_rules = Rules(fe);
  EXPECT_NE(std::find(fe_rules.begin(), fe_rules.end(), "node_lost"), fe_rules.end());
  EXPECT_NE(fe.rules_fired.find("[P1] starrocks_fe_node_down firing"), std::string::npos)
      << fe.rules_fired;
  store::TaskFilter fine;
  fine.cluster_id = "c-fine";
  EXPECT_TRUE(queue().List(fine)->empty());
  // The same evidence 3h59m later: cooling, nothing new; at 4h01m queued again.
  clock().Set(kNow + hours(3) + minutes(59));
  auto inside = Pass();
  ASSERT_TRUE(inside);
  EXPECT_TRUE(inside->created.empty());
  EXPECT_EQ(inside->cooling.size(), 2u);
  clock().Set(kNow + hours(4) + minutes(1));
  auto after = Pass();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->created.size(), 2u);
}

TEST_P(SentinelTest, AnAdhocTaskAlsoStartsTheCooldown) {
  BuildFleet();
  store::EnqueueRequest adhoc;
  adhoc.cluster_id = "c-disk";
  adhoc.source = store::TaskSource::kAdhoc;
  adhoc.question = "Is the disk filling up?";
  ASSERT_TRUE(queue().Enqueue(adhoc));
  clock().Advance(hours(1));
  auto summary = Pass();
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->cooling.size(), 1u);
  EXPECT_EQ(summary->cooling[0].cluster_id, "c-disk");
  EXPECT_EQ(summary->cooling[0].cooldown->source, store::TaskSource::kAdhoc);
  EXPECT_EQ(summary->created.size(), 3u);
}

TEST_P(SentinelTest, ARegressionAfterAnOperationQueuesAWarningTierCClusterAndExplainShowsIt) {
  BuildFleet();
  rows().Account("acct-scaled", "C");
  rows().Cluster("c-scaled", "acct-scaled");
  // A SCALE-in at 03:59: CPU 15 % -> 33 %, p99 2.2 s -> 4.6 s, both under their warnings.
  const std::map<std::string, double> before = {{"starrocks_be_cpu_util_percent", 15},
                                                {"starrocks_fe_query_latency_ms_p99", 2200}};
  const std::map<std::string, double> after = {{"starrocks_be_cpu_util_percent", 33},
                                               {"starrocks_fe_query_latency_ms_p99", 4600}};
  for (int day = 1; day <= 7; ++day) {
    rows().Snapshot("c-scaled", kHour - hours(24 * day), before);
    rows().Snapshot("c-scaled", kHour - hours(1 + 24 * day), before);
  }
  rows().Snapshot("c-scaled", kHour - hours(1), after);
  rows().Snapshot("c-scaled", kHour, after);
  rows().Operation("c-scaled", "SCALE", kHour - hours(6) - minutes(1));

  Sentinel sentinel(db(), queue(), clock(), Config());
  auto explained = sentinel.Explain("c-scaled");
  ASSERT_TRUE(explained) << explained.error().ToString();
  EXPECT_EQ(explained->cluster.health.risk, RiskLevel::kWarning);  // tier C: no seed rule fires
  EXPECT_EQ(explained->priority, 2);
  const std::string text = FormatExplanation(*explained);
  EXPECT_NE(text.find("operation  since SCALE (SUCCESS) at 2026-11-21 03:59:00 vs the same hour "
                      "on earlier days before it (sub-score 65.5, warning)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("x2.20; warning x1.5, critical x3.0, rise at least 11.0 %)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("FIRED  operation_regression P2  cpu 33 % = x2.2 its level before the "
                      "SCALE (SUCCESS) at 2026-11-21 03:59:00 (15 %) >= x1.5 with a rise of at "
                      "least 11 %"),
            std::string::npos)
      << text;
  const Json json = ExplanationJson(*explained);
  ASSERT_TRUE(json["operation_regression"].is_object()) << json.dump();
  EXPECT_EQ(json["operation_regression"]["operation"], "SCALE");
  EXPECT_DOUBLE_EQ(json["operation_regression"]["warning"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(json["operation_regression"]["critical"].get<double>(), 3);
  const Json& cpu = json["operation_regression"]["signals"][0];
  EXPECT_EQ(cpu["metric"], "starrocks_be_cpu_util_percent");
  EXPECT_DOUBLE_EQ(cpu["ratio"].get<double>(), 2.2);
  EXPECT_DOUBLE_EQ(cpu["baseline"].get<double>(), 15);
  EXPECT_DOUBLE_EQ(cpu["min_rise"].get<double>(), 11);
  EXPECT_EQ(cpu["state"], "warning");
  bool rule_seen = false;
  for (const Json& rule : json["rules"]) {
    if (rule["rule"] != "operation_regression") continue;
    rule_seen = true;
    EXPECT_TRUE(rule["fired"].get<bool>());
    EXPECT_DOUBLE_EQ(rule["value"].get<double>(), 2.2);
    EXPECT_DOUBLE_EQ(rule["threshold"].get<double>(), 1.5);
  }
  EXPECT_TRUE(rule_seen) << json.dump();
  // No operation: the JSON says null and the rule is not evaluated.
  auto healthy = sentinel.Explain("c-healthy");
  ASSERT_TRUE(healthy);
  EXPECT_TRUE(ExplanationJson(*healthy)["operation_regression"].is_null());
  EXPECT_NE(FormatExplanation(*healthy).find("n/a    operation_regression P2  no SCALE, UPDATE, "
                                             "UPGRADE operation in the last 1d"),
            std::string::npos)
      << FormatExplanation(*healthy);

  ASSERT_TRUE(sentinel.RunPass());
  EXPECT_EQ(Rules(TaskFor("c-scaled")), (std::vector<std::string>{"operation_regression"}));
}

TEST_P(SentinelTest, ExplainSaysWhichRulesFiredAndWhy) {
  BuildFleet();
  Sentinel sentinel(db(), queue(), clock(), Config());
  auto before = sentinel.Explain("c-disk");
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(before->priority, 1);
  EXPECT_FALSE(before->cooldown);
  std::string text = FormatExplanation(*before);
  EXPECT_NE(text.find("health     35.0 Critical = 0.60 x metrics 24.5 + 0.25 x alerts 55.0 + "
                      "0.15 x tier 43.4"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("disk         92.5 %"), std::string::npos) << text;
  EXPECT_NE(text.find("critical score  24.5  (warning 70.0 %, critical 85.0 %)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("FIRED  new_critical      P1  health 34.96 < 50 (Critical)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("no     alert_storm       P2  1 Firing alert message in the last 1h; fires "
                      "above 5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("FIRED  tier_warning      P3  tier A, risk Critical"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Data Disk Capacity Alert (critical, since 2026-11-21 09:30:00)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("the next pass queues an investigation with priority 1"), std::string::npos)
      << text;

  ASSERT_TRUE(sentinel.RunPass());
  clock().Advance(hours(2) + minutes(48));
  auto during = sentinel.Explain("c-disk");
  ASSERT_TRUE(during);
  ASSERT_TRUE(during->cooldown);
  text = FormatExplanation(*during);
  EXPECT_NE(text.find("cooldown   1h12m left (task tsk_"), std::string::npos) << text;
  EXPECT_NE(text.find("at 2026-11-21 10:20:00, sentinel, queued)"), std::string::npos) << text;
  EXPECT_NE(text.find("but the cooldown holds: no new task before 2026-11-21 14:20:00 UTC"),
            std::string::npos)
      << text;

  auto healthy = sentinel.Explain("c-healthy");
  ASSERT_TRUE(healthy);
  text = FormatExplanation(*healthy);
  EXPECT_NE(text.find("no rule fired"), std::string::npos) << text;
  EXPECT_NE(text.find("every reported dimension is healthy"), std::string::npos) << text;

  auto gap = sentinel.Explain("c-gap");
  ASSERT_TRUE(gap);
  EXPECT_NE(FormatExplanation(*gap).find("MISSING at the snapshot hour (metric component 0); "
                                         "last snapshot 2026-11-21 07:00:00"),
            std::string::npos)
      << FormatExplanation(*gap);

  auto stopped = sentinel.Explain("c-stopped");
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().message.find("stopped"), std::string::npos);
  auto unknown = sentinel.Explain("c-unknown");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto malformed = sentinel.Explain("DROP TABLE");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(SentinelTest, AccountWideQueuesWarningSiblingsThatShareAnAlert) {
  BuildFleet();
  // Tier C account: two clusters with latency p99 at 9 s and the Query Latency Alert firing,
  // for two hours (no cliff), Warning each; a third sibling healthy. Without the fifth rule
  // none of them was queued (tier C Warning).
  rows().Account("acct-dddddd", "C");
  const std::map<std::string, double> slow = {{"starrocks_fe_query_latency_ms_p99", 9000}};
  for (const char* cluster : {"c-bi-one", "c-bi-two", "c-etl"}) {
    rows().Cluster(cluster, "acct-dddddd");
    rows().Snapshots(cluster, kHour - hours(24 * 7 + 1), kHour - hours(24 * 7));
  }
  for (const char* cluster : {"c-bi-one", "c-bi-two"}) {
    rows().Snapshots(cluster, kHour - hours(1), kHour, slow);
    rows().Alert(cluster, "Query Latency Alert", "Firing", kHour - hours(2), "warning");
  }
  rows().Snapshots("c-etl", kHour - hours(1), kHour);
  auto summary = Pass();
  ASSERT_TRUE(summary) << summary.error().ToString();
  for (const char* cluster : {"c-bi-one", "c-bi-two"}) {
    store::Task task = TaskFor(cluster);
    EXPECT_EQ(task.priority, 2) << cluster;
    EXPECT_EQ(Rules(task), (std::vector<std::string>{"account_wide"})) << cluster;
  }
  store::TaskFilter etl;
  etl.cluster_id = "c-etl";
  EXPECT_TRUE(queue().List(etl)->empty());
  std::string text = FormatPassSummary(*summary);
  EXPECT_NE(text.find("account_wide      2 clusters of account acct-dddddd at Warning or worse "
                      "share alert:query latency alert, metric:latency (with c-bi-two)"),
            std::string::npos)
      << text;
  // Explain scores the account's other clusters too, so it tells the same story.
  Sentinel sentinel(db(), queue(), clock(), Config());
  auto explained = sentinel.Explain("c-bi-two");
  ASSERT_TRUE(explained) << explained.error().ToString();
  EXPECT_NE(FormatExplanation(*explained)
                .find("FIRED  account_wide      P2  2 clusters of account "
                      "acct-dddddd"),
            std::string::npos)
      << FormatExplanation(*explained);
}

// Every task claimed and completed with a report named after its cluster.
void CompleteAll(store::TaskQueue& queue) {
  while (true) {
    auto claimed = queue.Claim("worker-1");
    ASSERT_TRUE(claimed) << claimed.error().ToString();
    if (!*claimed) return;
    ASSERT_TRUE(queue.Complete((*claimed)->id, "worker-1", "rpt_" + (*claimed)->cluster_id));
  }
}

TEST_P(SentinelTest, APersistentCriticalClusterIsReinvestigatedOnlyWhenItChanged) {
  BuildFleet();
  ASSERT_TRUE(Pass());
  CompleteAll(queue());
  // After the cooldown, with nothing new: the two Critical clusters (c-disk, c-gap) are
  // unchanged since their reports and skipped; the Warning ones are queued again as before.
  clock().Set(kNow + hours(4) + minutes(1));
  auto quiet = Pass();
  ASSERT_TRUE(quiet) << quiet.error().ToString();
  ASSERT_EQ(quiet->unchanged.size(), 2u);
  EXPECT_EQ(quiet->unchanged[0].cluster_id, "c-disk");
  EXPECT_EQ(quiet->unchanged[1].cluster_id, "c-gap");
  ASSERT_TRUE(quiet->unchanged[0].change);
  EXPECT_TRUE(quiet->unchanged[0].change->Unchanged());
  EXPECT_EQ(quiet->unchanged[0].change->report_id, "rpt_c-disk");
  EXPECT_EQ(quiet->created.size(), 2u);
  std::string text = FormatPassSummary(*quiet);
  EXPECT_NE(text.find("skipped, unchanged  2"), std::string::npos) << text;
  EXPECT_NE(text.find("last report rpt_c-disk (task tsk_"), std::string::npos) << text;
  EXPECT_NE(text.find("at 2026-11-21 10:20:00): Critical then and now (health 35.0 -> 35.0, not "
                      "worse by the threshold), no new alert, no operation since: unchanged"),
            std::string::npos)
      << text;

  // `sentinel explain` shows the skip and its reason.
  Sentinel sentinel(db(), queue(), clock(), Config());
  auto explained = sentinel.Explain("c-disk");
  ASSERT_TRUE(explained) << explained.error().ToString();
  text = FormatExplanation(*explained);
  EXPECT_NE(text.find("change     last report rpt_c-disk"), std::string::npos) << text;
  EXPECT_NE(text.find("decision   rules fired (priority 1) but the cluster is persistently "
                      "Critical and unchanged since its last report: skipped until it changes, "
                      "or until 2026-11-22 10:20:00 UTC"),
            std::string::npos)
      << text;

  // Something changes: a new alert on c-disk (before the scored hour's alert horizon, 11:00)
  // and a new operation on c-gap. Both are investigated again, and say why.
  rows().Alert("c-disk", "BE Service Suspension", "Firing", kHour + minutes(40));
  ASSERT_TRUE(db().Execute(
      "INSERT INTO cluster_operations (operation_id, cluster_id, account_id, operation_type, "
      "actor, parameters, result, started_at, finished_at) VALUES ('op-1', 'c-gap', "
      "'acct-cccccc', 'RESTART', 'on-call', '{}', 'SUCCESS', ?, ?)",
      {store::Time(kNow + hours(3)), store::Time(kNow + hours(3) + minutes(5))}));
  clock().Advance(minutes(5));
  auto changed = Pass();
  ASSERT_TRUE(changed) << changed.error().ToString();
  EXPECT_TRUE(changed->unchanged.empty());
  std::map<std::string, const ClusterDecision*> created;
  for (const ClusterDecision& decision : changed->created) created[decision.cluster_id] = &decision;
  ASSERT_TRUE(created.count("c-disk") && created.count("c-gap")) << FormatPassSummary(*changed);
  ASSERT_TRUE(created["c-disk"]->change);
  EXPECT_EQ(created["c-disk"]->change->new_alerts,
            (std::vector<std::string>{"BE Service Suspension"}));
  EXPECT_NE(created["c-disk"]->change->Describe().find("changed: "), std::string::npos);
  ASSERT_TRUE(created["c-gap"]->change);
  EXPECT_EQ(created["c-gap"]->change->new_operations,
            (std::vector<std::string>{"RESTART at 2026-11-21 13:20:00"}));
}

TEST_P(SentinelTest, AnUnchangedCriticalClusterIsLookedAtAgainOnceItsReportIsOld) {
  BuildFleet();
  ASSERT_TRUE(Pass());
  CompleteAll(queue());
  clock().Set(kNow + hours(23) + minutes(59));
  auto before = Pass();
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(before->unchanged.size(), 2u);
  // At 24 h (sentinel.unchanged_recheck) the report is stale: look again.
  clock().Set(kNow + hours(24));
  auto after = Pass();
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_TRUE(after->unchanged.empty());
  bool disk_created = false;
  for (const ClusterDecision& decision : after->created) {
    if (decision.cluster_id != "c-disk") continue;
    disk_created = true;
    ASSERT_TRUE(decision.change);
    EXPECT_TRUE(decision.change->stale);
    EXPECT_NE(decision.change->Describe().find("report older than the recheck period"),
              std::string::npos);
  }
  EXPECT_TRUE(disk_created);
}

TEST(ChangeCheckTest, OnlyAPersistentCriticalClusterWithNothingNewIsUnchanged) {
  ChangeCheck check;
  check.task_id = "tsk_1";
  check.report_id = "rpt_1";
  EXPECT_FALSE(check.Unchanged());  // no score recorded then: cannot compare, investigate
  EXPECT_NE(check.Describe().find("cannot be compared"), std::string::npos);
  check.snapshot_then = kHour;
  check.health_then = 40;
  check.health_now = 36;
  check.risk_then = RiskLevel::kWarning;
  EXPECT_FALSE(check.Unchanged());  // Warning then: a new Critical episode
  EXPECT_NE(check.Describe().find("Warning, Critical now (a new episode)"), std::string::npos)
      << check.Describe();
  check.risk_then = RiskLevel::kCritical;
  EXPECT_TRUE(check.Unchanged());
  check.worse = true;
  EXPECT_FALSE(check.Unchanged());
  EXPECT_NE(check.Describe().find("changed: health 40.0 -> 36.0"), std::string::npos)
      << check.Describe();
  check.worse = false;
  check.new_operations = {"UPGRADE at 2026-11-21 09:30:00"};
  EXPECT_FALSE(check.Unchanged());
  check.new_operations.clear();
  check.stale = true;
  EXPECT_FALSE(check.Unchanged());
}

TEST_P(SentinelTest, AWorseScoreByTheConfiguredPointsIsAChange) {
  BuildFleet();
  ASSERT_TRUE(Pass());
  CompleteAll(queue());
  // The recorded score at the report is made 6 points better than now (as if the cluster had
  // worsened since): with the default 5 points that is a change; with 10 it is not.
  ASSERT_TRUE(
      db().Execute("UPDATE cluster_health_scores SET health_score = health_score + 6 "
                   "WHERE cluster_id = 'c-disk'"));
  clock().Set(kNow + hours(4) + minutes(1));
  Sentinel tolerant(db(), queue(), clock(), [] {
    SentinelConfig config;
    config.reinvestigate_worse_points = 10;
    return config;
  }());
  auto explained = tolerant.Explain("c-disk");
  ASSERT_TRUE(explained);
  ASSERT_TRUE(explained->change);
  EXPECT_FALSE(explained->change->worse);
  auto summary = Pass();
  ASSERT_TRUE(summary) << summary.error().ToString();
  bool disk_created = false;
  for (const ClusterDecision& decision : summary->created) {
    if (decision.cluster_id != "c-disk") continue;
    disk_created = true;
    ASSERT_TRUE(decision.change);
    EXPECT_TRUE(decision.change->worse);
    EXPECT_NE(decision.change->Describe().find("health 41.0 -> 35.0"), std::string::npos)
        << decision.change->Describe();
  }
  EXPECT_TRUE(disk_created) << FormatPassSummary(*summary);
}

// Two sentinels (two `rockhound run` processes) passing at the same moment over one memory
// database queue each cluster once.
TEST_P(SentinelTest, ConcurrentPassesFromTwoProcessesNeverDoubleATask) {
  BuildFleet();
  constexpr int kProcesses = 3;
  std::vector<pid_t> children;
  for (int process_idx = 0; process_idx < kProcesses; ++process_idx) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      DesyncIdsAfterFork(process_idx);
      auto conn = Open();
      if (!conn) _exit(10);
      ManualClock process_clock(kNow);
      store::TaskQueue process_queue(*conn, process_clock, QueueConfig{});
      Sentinel sentinel(*conn, process_queue, process_clock, SentinelConfig{});
      for (int round = 0; round < 3; ++round) {
        auto summary = sentinel.RunPass();
        if (!summary) {
          std::fprintf(stderr, "pass failed: %s\n", summary.error().ToString().c_str());
          _exit(11);
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
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 4);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(DISTINCT cluster_id) FROM investigation_tasks"), 4);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM cluster_health_scores"), 5);
}

INSTANTIATE_TEST_SUITE_P(Backends, SentinelTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::sentinel
