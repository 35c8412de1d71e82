// The issue tracker over real databases (SQLite and MariaDB): each grouping rule (ANOMALY merge
// until resolved, FAILURE time and correlation windows, escalation, late arrival, idempotent
// re-runs), the lifecycles with their conflicts, and a replay of the simulated fleet's 14 days of
// alerts checked against the incidents the simulator injected.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "alerts/alert_store.h"
#include "alerts/lark_alert_store.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "issues/issue_store.h"
#include "issues/tracker.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = MakeUtcTime(2026, 11, 21, 8);

class IssueTrackerTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    ASSERT_TRUE(store::Migrate(db(), store::SchemaSet::kFleet));
    for (const char* cluster : {"c-one", "c-two"}) {
      ASSERT_TRUE(db().Execute(
          "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
          "run_mode, package_type, status, created_at, updated_at) VALUES (?, ?, 'acct-1', "
          "'eu', '3.3.4', 'shared_nothing', 'official', 'running', ?, ?)",
          {store::Text(cluster), store::Text(cluster), store::Time(kT0), store::Time(kT0)}));
    }
  }

  // Stores one alert message: `name` on `cluster` began at `starts`, sent at `sent` (default:
  // when it began; resolutions at `sent`).
  std::string Alert(const std::string& cluster, const std::string& name, TimePoint starts,
                    bool resolved = false, std::optional<TimePoint> sent = std::nullopt,
                    const std::string& severity = "critical") {
    alerts::AlertRecord record;
    record.source = "alertmanager";
    record.cluster_id = cluster;
    record.alert_name = name;
    record.severity = severity;
    record.status = resolved ? alerts::kResolved : alerts::kFiring;
    record.starts_at = starts;
    record.alert_time = sent.value_or(starts);
    if (resolved) record.ends_at = sent.value_or(starts);
    record.message_id = "t_" + Sha256Hex(cluster + name + record.status + FormatIsoTime(starts) +
                                         FormatIsoTime(*record.alert_time));
    auto stored = alerts::AlertStore(db(), clock_).Store({record});
    EXPECT_TRUE(stored) << stored.error().ToString();
    return record.message_id;
  }

  issues::TrackerOutcome Update() {
    auto outcome = issues::IssueTracker(db(), clock_, config_).Update();
    EXPECT_TRUE(outcome) << outcome.error().ToString();
    return outcome ? *outcome : issues::TrackerOutcome{};
  }

  std::vector<issues::Issue> IssuesOf(const std::string& cluster) {
    issues::IssueFilter filter;
    filter.cluster_id = cluster;
    filter.limit = 500;
    auto page = issues::IssueStore(db(), clock_).List(filter);
    EXPECT_TRUE(page) << page.error().ToString();
    std::vector<issues::Issue> out = page ? page->issues : std::vector<issues::Issue>{};
    std::sort(out.begin(), out.end(), [](const issues::Issue& a, const issues::Issue& b) {
      return a.first_alert_at < b.first_alert_at;
    });
    return out;
  }

  // Issue id of the message.
  std::string IssueOfMessage(const std::string& message_id) {
    auto rows = db().QueryOne("SELECT issue_id FROM alert_issue_members WHERE message_id = ?",
                              {store::Text(message_id)});
    return rows ? rows->front().GetString("issue_id") : "";
  }

  ManualClock clock_{kT0 + hours(24)};
  IssuesConfig config_;
};

TEST_P(IssueTrackerTest, AnomalyFiringsMergeUntilResolved) {
  // Two anomalies overlap on c-one: one issue. Both resolve: Resolved. A new firing an hour
  // later: a second issue. A FAILURE-free cluster c-two is untouched.
  const std::string heap = Alert("c-one", "HeapUsageTooHigh", kT0);
  Alert("c-one", "HeapUsageTooHigh", kT0, false, kT0 + hours(4));  // re-notification
  const std::string cpu = Alert("c-one", "BE CPU Alert", kT0 + minutes(90));
  issues::TrackerOutcome first = Update();
  EXPECT_EQ(first.alerts_grouped, 3);
  ASSERT_EQ(first.changes.size(), 1u);
  EXPECT_TRUE(first.changes[0].created);
  EXPECT_EQ(IssueOfMessage(heap), IssueOfMessage(cpu));
  auto open = IssuesOf("c-one");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].kind, IssueKind::kAnomaly);
  EXPECT_EQ(open[0].issue_status, IssueStatus::kOngoing);
  EXPECT_EQ(open[0].open_alerts, 2);
  EXPECT_EQ(open[0].alert_count, 3);
  EXPECT_EQ(open[0].title, "HeapUsageTooHigh (+1 more)");

  Alert("c-one", "HeapUsageTooHigh", kT0, true, kT0 + hours(5));
  Update();
  EXPECT_EQ(IssuesOf("c-one")[0].issue_status, IssueStatus::kOngoing);  // the CPU still fires
  Alert("c-one", "BE CPU Alert", kT0 + minutes(90), true, kT0 + hours(6));
  issues::TrackerOutcome resolved = Update();
  ASSERT_EQ(resolved.changes.size(), 1u);
  EXPECT_TRUE(resolved.changes[0].resolved);
  auto done = IssuesOf("c-one");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].issue_status, IssueStatus::kResolved);
  ASSERT_TRUE(done[0].resolved_at);
  EXPECT_EQ(*done[0].resolved_at, kT0 + hours(6));

  const std::string again = Alert("c-one", "HeapUsageTooHigh", kT0 + hours(7));
  Update();
  auto two = IssuesOf("c-one");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(IssueOfMessage(again), IssueOfMessage(heap));
  EXPECT_EQ(two[1].issue_status, IssueStatus::kOngoing);
  EXPECT_TRUE(IssuesOf("c-two").empty());
}

TEST_P(IssueTrackerTest, FlappingAnomalyWithinTheTimeWindowReopensItsIssue) {
  for (int flap = 0; flap < 6; ++flap) {
    const TimePoint fired = kT0 + minutes(10 * flap);
    Alert("c-one", "Query Overload Alert", fired, false, std::nullopt, "warning");
    Alert("c-one", "Query Overload Alert", fired, true, fired + minutes(4), "warning");
  }
  Update();
  auto flaps = IssuesOf("c-one");
  ASSERT_EQ(flaps.size(), 1u);
  EXPECT_EQ(flaps[0].alert_count, 12);
  EXPECT_EQ(flaps[0].issue_status, IssueStatus::kResolved);
}

TEST_P(IssueTrackerTest, FailuresGroupByTimeWindowAndCorrelationWindow) {
  // BeAliveAbnormal then OperationAbnormal 20 min later: one issue (time window 30 min).
  const std::string a = Alert("c-one", "BeAliveAbnormal", kT0);
  const std::string b = Alert("c-one", "OperationAbnormal", kT0 + minutes(20));
  // 80 min after b, another OperationAbnormal: outside the time window but the same name within
  // the correlation window (4 h): the same issue.
  const std::string c = Alert("c-one", "OperationAbnormal", kT0 + minutes(100));
  // 60 min after that, a different failure: beyond the time window, not the same name: new.
  const std::string d = Alert("c-one", "Query Failure Alert", kT0 + minutes(160));
  // 5 h later the same BeAliveAbnormal: beyond the correlation window: new.
  const std::string e = Alert("c-one", "BeAliveAbnormal", kT0 + hours(8));
  Update();
  EXPECT_EQ(IssueOfMessage(a), IssueOfMessage(b));
  EXPECT_EQ(IssueOfMessage(a), IssueOfMessage(c));
  EXPECT_NE(IssueOfMessage(a), IssueOfMessage(d));
  EXPECT_NE(IssueOfMessage(a), IssueOfMessage(e));
  EXPECT_NE(IssueOfMessage(d), IssueOfMessage(e));
  auto all = IssuesOf("c-one");
  ASSERT_EQ(all.size(), 3u);
  for (const issues::Issue& issue : all) {
    EXPECT_EQ(issue.kind, IssueKind::kFailure);
    EXPECT_FALSE(issue.escalated);
  }
  // Narrower windows from config change the grouping.
  config_.time_window = minutes(10);
  config_.correlation_window = minutes(10);
  Alert("c-two", "BeAliveAbnormal", kT0);
  Alert("c-two", "OperationAbnormal", kT0 + minutes(20));
  Update();
  EXPECT_EQ(IssuesOf("c-two").size(), 2u);
}

TEST_P(IssueTrackerTest, FailureOnAClusterWithAnOpenAnomalyEscalatesIt) {
  const std::string heap = Alert("c-one", "HeapUsageTooHigh", kT0);
  Update();
  const std::string be = Alert("c-one", "BeAliveAbnormal", kT0 + hours(2));
  issues::TrackerOutcome outcome = Update();
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_TRUE(outcome.changes[0].escalated);
  EXPECT_FALSE(outcome.changes[0].created);
  EXPECT_EQ(IssueOfMessage(be), IssueOfMessage(heap));
  auto issue = IssuesOf("c-one");
  ASSERT_EQ(issue.size(), 1u);
  EXPECT_TRUE(issue[0].escalated);
  ASSERT_TRUE(issue[0].escalated_at);
  EXPECT_EQ(*issue[0].escalated_at, kT0 + hours(2));
  EXPECT_EQ(issue[0].kind, IssueKind::kAnomaly);
  // A second failure does not escalate again; the event says so once.
  Alert("c-one", "OperationAbnormal", kT0 + hours(3));
  EXPECT_FALSE(Update().changes[0].escalated);
  auto detail = issues::IssueStore(db(), clock_).Get(issue[0].issue_id);
  ASSERT_TRUE(detail);
  int escalations = 0;
  for (const issues::IssueEvent& event : detail->events) escalations += event.field == "escalated";
  EXPECT_EQ(escalations, 1);
  // The anomaly resolved 5 h ago: a failure now is beyond the correlation window: its own issue.
  Alert("c-two", "Memory Alert", kT0);
  Alert("c-two", "Memory Alert", kT0, true, kT0 + hours(1));
  const std::string late_failure = Alert("c-two", "BeAliveAbnormal", kT0 + hours(6));
  Update();
  auto two = IssuesOf("c-two");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_FALSE(two[0].escalated);
  EXPECT_EQ(two[1].kind, IssueKind::kFailure);
}

TEST_P(IssueTrackerTest, LateAlertLandsInTheIssueItBelongsTo) {
  // Two failure issues 3 h apart; then an alert that began 10 min after the first arrives late.
  const std::string first = Alert("c-one", "BeAliveAbnormal", kT0);
  const std::string second = Alert("c-one", "Query Failure Alert", kT0 + hours(3));
  Update();
  ASSERT_EQ(IssuesOf("c-one").size(), 2u);
  const std::string late = Alert("c-one", "OperationAbnormal", kT0 + minutes(10), false,
                                 kT0 + hours(5));  // sent (stored) much later
  issues::TrackerOutcome outcome = Update();
  EXPECT_EQ(outcome.alerts_grouped, 1);
  EXPECT_EQ(IssueOfMessage(late), IssueOfMessage(first));
  EXPECT_EQ(IssuesOf("c-one").size(), 2u);
  // A late resolution of an alert re-attaches to its firing's issue, whatever time it is.
  const std::string resolution = Alert("c-one", "BeAliveAbnormal", kT0, true, kT0 + hours(20));
  Update();
  EXPECT_EQ(IssueOfMessage(resolution), IssueOfMessage(first));
}

TEST_P(IssueTrackerTest, RerunChangesNothing) {
  Alert("c-one", "HeapUsageTooHigh", kT0);
  Alert("c-one", "BeAliveAbnormal", kT0 + minutes(5));
  Alert("c-two", "OperationAbnormal", kT0);
  Update();
  auto snapshot = [&] {
    auto rows = db().Query(
        "SELECT issue_id, cluster_id, kind, escalated, issue_status, alert_count, open_alerts, "
        "first_alert_at, last_alert_at, alert_names FROM alert_issues ORDER BY issue_id");
    EXPECT_TRUE(rows);
    std::string text;
    for (const store::Row& row : *rows) {
      for (size_t col = 0; col < row.size(); ++col)
        text += store::ValueToString(row.Get(col)) + "|";
      text += "\n";
    }
    text += std::to_string(*db().QueryInt("SELECT COUNT(*) FROM alert_issue_members"));
    text += "/" + std::to_string(*db().QueryInt("SELECT COUNT(*) FROM alert_issue_events"));
    return text;
  };
  const std::string before = snapshot();
  clock_.Advance(hours(1));
  issues::TrackerOutcome again = Update();
  EXPECT_EQ(again.alerts_grouped, 0);
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(snapshot(), before);
  // Re-storing the same messages (a re-post) changes nothing either.
  Alert("c-one", "HeapUsageTooHigh", kT0);
  Update();
  EXPECT_EQ(snapshot(), before);
}

// A Lark card with two sections on two clusters is one lark_alerts row ("c-one|c-two",
// "Firing|Firing"): the tracker groups each section on its own cluster ("om_...#1", "#2"), once.
TEST_P(IssueTrackerTest, AMultiSectionLarkRowIsGroupedSectionBySection) {
  alerts::LarkAlertSection heap;
  heap.cluster_id = "c-one";
  heap.cluster_name = "c-one";
  heap.status = alerts::LarkAlertStatus::kFiring;
  heap.alert_name = "HeapUsageTooHigh";
  heap.alert_detail = "heap 93%";
  heap.severity = "warning";
  alerts::LarkAlertSection down = heap;
  down.cluster_id = "c-two";
  down.cluster_name = "c-two";
  down.alert_name = "BeAliveAbnormal";
  down.alert_detail = "be-3 is down";
  down.severity = "critical";
  alerts::LarkAlertRow row =
      alerts::LarkAlertRowFromSections("om_card", "oc_chat", kT0, {heap, down});
  ASSERT_EQ(row.cluster_id, "c-one|c-two");
  ASSERT_TRUE(alerts::LarkAlertStore(db(), clock_).Insert({row}, {}));
  issues::TrackerOutcome first = Update();
  EXPECT_EQ(first.alerts_grouped, 2);
  ASSERT_EQ(first.changes.size(), 2u);
  auto one = IssuesOf("c-one");
  auto two = IssuesOf("c-two");
  ASSERT_EQ(one.size(), 1u);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(one[0].kind, IssueKind::kAnomaly);
  EXPECT_EQ(two[0].kind, IssueKind::kFailure);
  EXPECT_EQ(IssueOfMessage("om_card#1"), one[0].issue_id);
  EXPECT_EQ(IssueOfMessage("om_card#2"), two[0].issue_id);
  auto detail = issues::IssueStore(db(), clock_).Get(two[0].issue_id);
  ASSERT_TRUE(detail) << detail.error().ToString();
  ASSERT_EQ(detail->alerts.size(), 1u);
  EXPECT_EQ(detail->alerts[0].alert_name, "BeAliveAbnormal");
  EXPECT_EQ(detail->alerts[0].severity, "critical");
  EXPECT_EQ(detail->alerts[0].detail, "be-3 is down");
  // Re-running groups nothing: the row's sections are members already.
  issues::TrackerOutcome again = Update();
  EXPECT_EQ(again.alerts_grouped, 0);
  EXPECT_TRUE(again.changes.empty());
}

TEST_P(IssueTrackerTest, OrphansAreGroupedOnceMatched) {
  alerts::AlertRecord orphan;
  orphan.message_id = "t_orphan";
  orphan.source = "grafana";
  orphan.cluster_id = "c-later";
  orphan.alert_name = "BeAliveAbnormal";
  orphan.status = alerts::kFiring;
  orphan.starts_at = kT0;
  ASSERT_TRUE(alerts::AlertStore(db(), clock_).Store({orphan}));
  EXPECT_EQ(Update().alerts_grouped, 0);
  ASSERT_TRUE(db().Execute(
      "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
      "run_mode, package_type, status, created_at, updated_at) VALUES ('c-later', 'later', "
      "'acct-1', 'eu', '3.3.4', 'shared_nothing', 'official', 'running', ?, ?)",
      {store::Time(kT0), store::Time(kT0)}));
  EXPECT_EQ(*alerts::AlertStore(db(), clock_).MatchOrphans(), 1);
  EXPECT_EQ(Update().alerts_grouped, 1);
  EXPECT_EQ(IssuesOf("c-later").size(), 1u);
}

TEST_P(IssueTrackerTest, LifecycleTransitionsAreRecordedAndConflictsNameTheAllowedOnes) {
  Alert("c-one", "BeAliveAbnormal", kT0);
  Update();
  const std::string id = IssuesOf("c-one")[0].issue_id;
  issues::IssueStore store(db(), clock_);
  auto acked = store.SetTriage(id, TriageStatus::kAcknowledged, "alice", "looking");
  ASSERT_TRUE(acked) << acked.error().ToString();
  EXPECT_EQ(acked->triage_status, TriageStatus::kAcknowledged);
  auto backwards = store.SetTriage(id, TriageStatus::kNew, "bob");
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kConflict);
  EXPECT_NE(backwards.error().message.find("allowed: Investigating, Mitigating, Closed"),
            std::string::npos)
      << backwards.error().message;
  ASSERT_TRUE(store.SetTriage(id, TriageStatus::kClosed, "alice"));
  auto after_close = store.SetTriage(id, TriageStatus::kMitigating, "alice");
  ASSERT_FALSE(after_close);
  EXPECT_NE(after_close.error().message.find("Closed is final"), std::string::npos);

  auto no_ticket = store.SetDisposition(id, DispositionStatus::kJiraCreated, "", "alice");
  ASSERT_FALSE(no_ticket);
  EXPECT_EQ(no_ticket.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store.SetDisposition(id, DispositionStatus::kNoActionNeeded, "", "alice"));
  auto jira = store.SetDisposition(id, DispositionStatus::kJiraCreated, "OPS-1234", "bob");
  ASSERT_TRUE(jira) << jira.error().ToString();
  EXPECT_EQ(jira->ticket_ref, "OPS-1234");
  auto again = store.SetDisposition(id, DispositionStatus::kNoActionNeeded, "", "bob");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);

  auto detail = store.Get(id);
  ASSERT_TRUE(detail);
  std::vector<std::string> trail;
  for (const issues::IssueEvent& event : detail->events) {
    trail.push_back(event.actor + ":" + event.field + ":" + event.to_value);
    EXPECT_EQ(event.at, clock_.Now());
  }
  EXPECT_EQ(trail, (std::vector<std::string>{
                       "tracker:created:failure", "alice:triage_status:Acknowledged",
                       "alice:triage_status:Closed", "alice:disposition_status:No Action Needed",
                       "bob:disposition_status:JIRA Created"}));
  EXPECT_NE(detail->events.back().note.find("OPS-1234"), std::string::npos);
  // Triage does not touch issue_status, which the alerts own.
  Alert("c-one", "BeAliveAbnormal", kT0, true, kT0 + hours(1));
  Update();
  auto resolved = store.GetIssue(id);
  EXPECT_EQ(resolved->issue_status, IssueStatus::kResolved);
  EXPECT_EQ(resolved->triage_status, TriageStatus::kClosed);
}

TEST_P(IssueTrackerTest, ListsOpenIssuesFirstAndPages) {
  for (int idx = 0; idx < 5; ++idx) {
    Alert("c-one", "BeAliveAbnormal", kT0 + hours(5 * idx));
  }
  Alert("c-one", "BeAliveAbnormal", kT0 + hours(10), true, kT0 + hours(11));  // #2 resolves
  Update();
  issues::IssueStore store(db(), clock_);
  issues::IssueFilter filter;
  filter.limit = 2;
  std::vector<issues::Issue> seen;
  for (int page_idx = 0; page_idx < 5; ++page_idx) {
    auto page = store.List(filter);
    ASSERT_TRUE(page) << page.error().ToString();
    seen.insert(seen.end(), page->issues.begin(), page->issues.end());
    if (page->next_cursor.empty()) break;
    filter.cursor = page->next_cursor;
  }
  ASSERT_EQ(seen.size(), 5u);
  for (size_t idx = 0; idx < 4; ++idx) EXPECT_TRUE(seen[idx].open()) << idx;
  EXPECT_FALSE(seen[4].open());
  EXPECT_GT(seen[0].last_alert_at, seen[1].last_alert_at);
  filter.cursor = "nonsense";
  EXPECT_FALSE(store.List(filter));
  auto counts = store.Counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->open_total, 4);
  EXPECT_EQ(counts->open_by_triage[TriageStatus::kNew], 4);
}

// The simulated fleet's 14 days of alerts, replayed through the tracker in one pass and again
// day by day (incrementally, the way the cycle does): the same issues either way, every alert
// in exactly one issue, and the injected incidents visible: every incident cluster whose story
// fires alerts has an issue with an alert inside the incident's window, the alert-noise
// incident's storm is one issue per cluster instead of one per flap, and node-failure incidents
// (FAILURE) on a cluster with an open ANOMALY escalate it.
TEST_P(IssueTrackerTest, SimulatedFleetReplayMatchesTheInjectedIncidents) {
  simulator::FleetParams params;
  params.clusters = 60;
  params.days = 14;
  params.seed = 42;
  params.end_hour = MakeUtcTime(2026, 11, 21, 10);
  params.replace_existing = true;
  ASSERT_TRUE(db().Execute("DELETE FROM cluster_info"));
  auto generated = simulator::GenerateFleet(db(), params);
  ASSERT_TRUE(generated) << generated.error().ToString();
  auto truth = simulator::ReadGroundTruth(db());
  ASSERT_TRUE(truth);
  ASSERT_FALSE(truth->empty());
  clock_.Set(params.end_hour);
  ASSERT_TRUE(store::Migrate(db(), store::SchemaSet::kFleet));
  // The simulated stories fire no FAILURE while an ANOMALY is open: inject one node failure
  // (BeAliveAbnormal) 30 minutes into the first incident's ANOMALY that is still firing, so the
  // replay has an escalation to find.
  issues::RuleTable kinds(config_);
  std::string escalation_cluster;
  for (const simulator::GroundTruthRow& row : *truth) {
    auto firing = db().Query(
        "SELECT alert_name, starts_at FROM lark_alerts WHERE cluster_id = ? AND status = "
        "'Firing' AND starts_at >= ? ORDER BY starts_at",
        {store::Text(row.cluster_id), store::Time(row.window_start - hours(1))});
    ASSERT_TRUE(firing);
    for (const store::Row& alert : *firing) {
      if (kinds.KindOf(alert.GetString("alert_name")) != IssueKind::kAnomaly) continue;
      escalation_cluster = row.cluster_id;
      const TimePoint at = *alert.GetTime("starts_at") + minutes(30);
      ASSERT_TRUE(db().Execute(
          "INSERT INTO lark_alerts (message_id, cluster_id, alert_name, severity, status, "
          "detail, source, alert_time, starts_at, created_at) VALUES ('t_injected', ?, "
          "'BeAliveAbnormal', 'critical', 'Firing', 'injected', 'test', ?, ?, ?)",
          {store::Text(row.cluster_id), store::Time(at), store::Time(at), store::Time(at)}));
      break;
    }
    if (!escalation_cluster.empty()) break;
  }
  ASSERT_FALSE(escalation_cluster.empty());

  // Incrementally: alerts revealed day by day (the rest hidden as orphans), grouped each day.
  ASSERT_TRUE(db().Execute("UPDATE lark_alerts SET orphan = 1"));
  const TimePoint first_day = params.end_hour - hours(24 * params.days);
  for (TimePoint day = first_day; day <= params.end_hour + hours(24); day += hours(24)) {
    ASSERT_TRUE(
        db().Execute("UPDATE lark_alerts SET orphan = 0 WHERE alert_time < ?", {store::Time(day)}));
    Update();
  }
  const int64_t alert_rows = *db().QueryInt("SELECT COUNT(*) FROM lark_alerts");
  ASSERT_GT(alert_rows, 100);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM alert_issue_members"), alert_rows);
  auto incremental = db().Query(
      "SELECT m.message_id, i.first_alert_at, i.kind, i.escalated FROM alert_issue_members m "
      "JOIN alert_issues i ON i.issue_id = m.issue_id ORDER BY m.message_id");
  ASSERT_TRUE(incremental);

  // In one pass, from scratch: the same grouping (issue ids aside).
  for (const char* table : {"alert_issue_members", "alert_issue_events", "alert_issues"}) {
    ASSERT_TRUE(db().Execute(std::string("DELETE FROM ") + table));
  }
  Update();
  auto one_pass = db().Query(
      "SELECT m.message_id, i.first_alert_at, i.kind, i.escalated FROM alert_issue_members m "
      "JOIN alert_issues i ON i.issue_id = m.issue_id ORDER BY m.message_id");
  ASSERT_TRUE(one_pass);
  ASSERT_EQ(one_pass->size(), incremental->size());
  int differing = 0;
  for (size_t idx = 0; idx < one_pass->size(); ++idx) {
    for (size_t col = 0; col < 4; ++col) {
      if (store::ValueToString((*one_pass)[idx].Get(col)) !=
          store::ValueToString((*incremental)[idx].Get(col))) {
        ++differing;
        break;
      }
    }
  }
  EXPECT_EQ(differing, 0);

  // Against the ground truth.
  std::map<std::string, std::vector<const simulator::GroundTruthRow*>> incidents_by_cluster;
  for (const simulator::GroundTruthRow& row : *truth) {
    incidents_by_cluster[row.cluster_id].push_back(&row);
  }
  int incidents_with_alerts = 0;
  for (const simulator::GroundTruthRow& row : *truth) {
    const int64_t story_alerts =
        *db().QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE cluster_id = ? AND starts_at >= ?",
                       {store::Text(row.cluster_id), store::Time(row.window_start - hours(1))});
    if (story_alerts == 0) continue;
    ++incidents_with_alerts;
    const int64_t issues_in_window = *db().QueryInt(
        "SELECT COUNT(DISTINCT m.issue_id) FROM alert_issue_members m WHERE m.cluster_id = ? "
        "AND m.starts_at >= ?",
        {store::Text(row.cluster_id), store::Time(row.window_start - hours(1))});
    EXPECT_GE(issues_in_window, 1) << row.incident_id << " " << row.cluster_id;
    if (row.category == RootCause::kAlertNoise) {
      // The storm (dozens of flaps) is one issue.
      EXPECT_EQ(issues_in_window, 1) << row.incident_id;
      EXPECT_GT(story_alerts, 10) << row.incident_id;
    }
  }
  EXPECT_GE(incidents_with_alerts, static_cast<int>(truth->size()) / 2);

  // Escalations: exactly the issues where a FAILURE began while an ANOMALY issue of the cluster
  // was open (or resolved within 4 h), computed here from the raw alerts independently.
  issues::RuleTable rules(config_);
  auto raw = db().Query(
      "SELECT cluster_id, alert_name, status, starts_at, alert_time, ends_at "
      "FROM lark_alerts ORDER BY cluster_id, starts_at, alert_time");
  ASSERT_TRUE(raw);
  std::set<std::string> failure_clusters;
  for (const store::Row& row : *raw) {
    if (rules.KindOf(row.GetString("alert_name")) == IssueKind::kFailure) {
      failure_clusters.insert(row.GetString("cluster_id"));
    }
  }
  // Independently, per alert instance: a FAILURE instance escalates when an ANOMALY instance of
  // its cluster began at or before it and had not ended more than the correlation window before.
  struct Instance {
    TimePoint starts;
    std::optional<TimePoint> end;
  };
  std::map<std::string, std::map<std::string, Instance>> anomalies;  // cluster -> name|start
  std::map<std::string, std::vector<TimePoint>> failures;
  for (const store::Row& row : *raw) {
    const std::string cluster = row.GetString("cluster_id");
    const std::string name = row.GetString("alert_name");
    const TimePoint starts = *row.GetTime("starts_at");
    if (rules.KindOf(name) == IssueKind::kFailure) {
      failures[cluster].push_back(starts);
      continue;
    }
    Instance& instance = anomalies[cluster][name + "|" + FormatSqlTime(starts)];
    instance.starts = starts;
    if (row.GetString("status") == "Resolved") {
      instance.end = row.GetTime("ends_at").value_or(*row.GetTime("alert_time"));
    }
  }
  std::set<std::string> expected_escalated;
  for (const auto& [cluster, times] : failures) {
    for (TimePoint t : times) {
      for (const auto& [key, instance] : anomalies[cluster]) {
        if (instance.starts <= t && (!instance.end || t <= *instance.end + hours(4))) {
          expected_escalated.insert(cluster);
        }
      }
    }
  }
  std::set<std::string> actual_escalated;
  auto escalated_clusters =
      db().Query("SELECT DISTINCT cluster_id FROM alert_issues WHERE escalated = 1");
  ASSERT_TRUE(escalated_clusters);
  for (const store::Row& row : *escalated_clusters) actual_escalated.insert(row.GetString(0));
  EXPECT_EQ(actual_escalated, expected_escalated);
  EXPECT_TRUE(actual_escalated.contains(escalation_cluster));
  const int64_t escalated = *db().QueryInt("SELECT COUNT(*) FROM alert_issues WHERE escalated = 1");
  EXPECT_LE(actual_escalated.size(), failure_clusters.size());
  // Every escalated issue is an ANOMALY issue holding a FAILURE alert.
  auto escalated_rows = db().Query(
      "SELECT i.issue_id, i.kind, i.alert_names FROM alert_issues i WHERE i.escalated = 1");
  ASSERT_TRUE(escalated_rows);
  for (const store::Row& row : *escalated_rows) {
    EXPECT_EQ(row.GetString("kind"), "anomaly");
    bool holds_failure = false;
    std::string names = row.GetString("alert_names");
    size_t start = 0;
    while (start <= names.size()) {
      size_t end = names.find('\n', start);
      if (end == std::string::npos) end = names.size();
      if (rules.KindOf(names.substr(start, end - start)) == IssueKind::kFailure) {
        holds_failure = true;
      }
      start = end + 1;
    }
    EXPECT_TRUE(holds_failure) << row.GetString("issue_id");
  }
  std::printf(
      "replay: %lld alerts, %lld issues (%lld open), %lld escalated, %d incidents with "
      "alerts of %zu\n",
      static_cast<long long>(alert_rows),
      static_cast<long long>(*db().QueryInt("SELECT COUNT(*) FROM alert_issues")),
      static_cast<long long>(
          *db().QueryInt("SELECT COUNT(*) FROM alert_issues WHERE issue_status = 'Ongoing'")),
      static_cast<long long>(escalated), incidents_with_alerts, truth->size());
}

INSTANTIATE_TEST_SUITE_P(Backends, IssueTrackerTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
