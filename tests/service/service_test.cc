// The use cases behind every front end: Runtime, Investigations, Reports, FleetViews and
// AlertIntake, on SQLite and MariaDB.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/time_format.h"
#include "service/alert_intake.h"
#include "service/cycle.h"
#include "service/fleet_views.h"
#include "service/investigations.h"
#include "service/json_views.h"
#include "service/issues.h"
#include "service/reports.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/service/service_fixture.h"

namespace rh::testing {
namespace {

using service::FleetViews;
using service::Investigations;
using service::InvestigationSpec;
using service::OverviewQuery;
using service::Reports;

// ---- Runtime ---------------------------------------------------------------------------------

TEST_P(ServiceTest, RuntimeOpensEachPieceOnceAndOnlyWhenUsed) {
  auto first = runtime().Fleet();
  auto second = runtime().Fleet();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
  // Reading reports never opens the Knowledge Lake.
  ASSERT_TRUE(Reports(runtime()).List(service::ReportQuery{}));
  EXPECT_FALSE(std::filesystem::exists(config_.KnowledgeDb()));
  auto lake = runtime().Knowledge();
  ASSERT_TRUE(lake) << lake.error().ToString();
  EXPECT_TRUE(std::filesystem::exists(config_.KnowledgeDb()));
  auto again = runtime().Knowledge();
  ASSERT_TRUE(again);
  EXPECT_EQ(*lake, *again);
  EXPECT_TRUE(runtime().RefreshKnowledge());
}

// agent.provider=openai with a server other than api.openai.com needs no key (ModelApiReady):
// the runtime builds the OpenAI-compatible client, the auto engine calls it, and no
// Authorization header is sent. The script is empty, so the model turn is refused and the
// playbook stands in, with the model's error recorded.
TEST_P(ServiceTest, AKeylessOpenAiCompatibleServerIsUsedByTheAutoEngine) {
  AnthropicScenario scenario;
  scenario.name = "keyless";
  ScriptedAnthropicServer::Options options;
  options.chat_completions = true;
  options.api_key = "";  // no authorization header expected
  ScriptedAnthropicServer server(scenario, options);
  UseKeylessOpenAiServer(server, "qwen2.5:14b");
  ASSERT_FALSE(HasFatalFailure());
  Investigations investigations(runtime());
  auto result = investigations.RunNow(kCriticalCluster, "", EngineKind::kAuto);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->stored.engine, EngineKind::kPlaybook);
  EXPECT_NE(result->stored.llm_error, "");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_FALSE(requests[0].headers.contains("authorization"));
  server.TakeProblems();  // the empty script is the point
}

// ---- Investigations --------------------------------------------------------------------------

TEST_P(ServiceTest, RequestValidatesChecksTheClusterAndDeduplicates) {
  Investigations investigations(runtime());
  InvestigationSpec spec;
  spec.cluster_id = "NOT VALID";
  auto bad = investigations.Request(spec);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().context, "cluster_id");

  spec.cluster_id = "c-does-not-exist";
  auto unknown = investigations.Request(spec);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  spec.cluster_id = kCriticalCluster;
  spec.question = std::string(service::kMaxQuestionChars + 1, 'x');
  auto long_question = investigations.Request(spec);
  ASSERT_FALSE(long_question);
  EXPECT_EQ(long_question.error().context, "question");

  spec.question = "Why is disk full?";
  spec.requester = "alice";
  auto first = investigations.Request(spec);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->task.requester, "alice");
  spec.question = "why is disk full";  // the same question, normalised
  auto second = investigations.Request(spec);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->task.id, first->task.id);
}

TEST_P(ServiceTest, RequestMasksSecretsTypedIntoTheQuestion) {
  Investigations investigations(runtime());
  InvestigationSpec spec;
  spec.cluster_id = kCriticalCluster;
  spec.question = "login fails with password=Hunter2Hunter2 and key sk-ant-api03-abcdefghijklmnop";
  auto requested = investigations.Request(spec);
  ASSERT_TRUE(requested) << requested.error().ToString();
  auto status = investigations.Get(requested->task.id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->task.question.find("Hunter2Hunter2"), std::string::npos)
      << status->task.question;
  EXPECT_EQ(status->task.question.find("abcdefghijklmnop"), std::string::npos)
      << status->task.question;
  EXPECT_NE(status->task.question.find("login fails"), std::string::npos);
}

TEST_P(ServiceTest, ListPagesThroughEveryTaskOnceWithACursor) {
  Investigations investigations(runtime());
  std::set<std::string> created;
  for (int task_idx = 0; task_idx < 5; ++task_idx) {
    InvestigationSpec spec;
    spec.cluster_id = kWarningCluster;
    spec.question = "question number " + std::to_string(task_idx);
    auto requested = investigations.Request(spec);
    ASSERT_TRUE(requested);
    created.insert(requested->task.id);
    clock_.Advance(std::chrono::seconds(task_idx % 2));  // some share a created_at second
  }
  std::set<std::string> seen;
  store::TaskFilter filter;
  filter.limit = 2;
  int pages = 0;
  do {
    auto page = investigations.List(filter);
    ASSERT_TRUE(page) << page.error().ToString();
    for (const store::Task& task : page->tasks) EXPECT_TRUE(seen.insert(task.id).second);
    filter.cursor = page->next_cursor;
    ++pages;
  } while (!filter.cursor.empty() && pages < 10);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);

  filter.cursor = "garbage";
  auto bad = investigations.List(filter);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().context, "cursor");
}

TEST_P(ServiceTest, CancelEndsAQueuedTask) {
  Investigations investigations(runtime());
  InvestigationSpec spec;
  spec.cluster_id = kHealthyCluster;
  auto requested = investigations.Request(spec);
  ASSERT_TRUE(requested);
  auto cancelled = investigations.Cancel(requested->task.id, "bob");
  ASSERT_TRUE(cancelled) << cancelled.error().ToString();
  EXPECT_EQ(cancelled->status, store::TaskStatus::kCancelled);
  auto again = investigations.Cancel(requested->task.id, "bob");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(ServiceTest, TaskJsonHasTheSameFieldsEverywhere) {
  Investigations investigations(runtime());
  InvestigationSpec spec;
  spec.cluster_id = kHealthyCluster;
  auto requested = investigations.Request(spec);
  ASSERT_TRUE(requested);
  Json json = service::TaskJson(requested->task);
  for (const char* field :
       {"task_id", "cluster_id", "source", "status", "priority", "question", "rules_fired",
        "requester", "attempts", "max_attempts", "lease_owner", "lease_expires_at", "not_before",
        "last_error", "report_id", "created_at", "updated_at", "started_at", "finished_at"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_EQ(json["status"], "queued");
  EXPECT_TRUE(json["rules_fired"].is_array());
}

// ---- Reports ---------------------------------------------------------------------------------

TEST_P(ServiceTest, ReportFiltersAreParsedOnceWithTheValidValues) {
  service::ReportQueryText text;
  text.severity = "urgent";
  auto bad_severity = service::ParseReportQuery(text, clock_.Now());
  ASSERT_FALSE(bad_severity);
  EXPECT_EQ(bad_severity.error().context, "severity");
  EXPECT_NE(bad_severity.error().message.find("critical, high, medium, low, info"),
            std::string::npos);
  text = {};
  text.category = "disk";
  auto bad_category = service::ParseReportQuery(text, clock_.Now());
  ASSERT_FALSE(bad_category);
  EXPECT_NE(bad_category.error().message.find("disk_capacity"), std::string::npos);
  text = {};
  text.since = "yesterday";
  EXPECT_FALSE(service::ParseReportQuery(text, clock_.Now()));
  text = {};
  text.severity = "HIGH";  // any case
  text.since = "24h";
  auto query = service::ParseReportQuery(text, clock_.Now());
  ASSERT_TRUE(query) << query.error().ToString();
  auto page = Reports(runtime()).List(*query);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->reports.size(), 1u);  // the critical one; medium and info are below high
  EXPECT_EQ(page->reports[0].cluster_id, kCriticalCluster);
}

TEST_P(ServiceTest, RenderGivesMarkdownOrTheDetailJson) {
  auto page = Reports(runtime()).List(service::ReportQuery{});
  ASSERT_TRUE(page);
  ASSERT_FALSE(page->reports.empty());
  const std::string id = page->reports[0].report_id;
  auto markdown = Reports(runtime()).Render(id, service::ReportFormat::kMarkdown);
  ASSERT_TRUE(markdown);
  EXPECT_NE(markdown->find("#"), std::string::npos);
  auto json_text = Reports(runtime()).Render(id, service::ReportFormat::kJson);
  ASSERT_TRUE(json_text);
  auto json = ParseJson(*json_text);
  ASSERT_TRUE(json);
  for (const char* field : {"report_id", "severity", "report", "transcript", "markdown"}) {
    EXPECT_TRUE(json->contains(field)) << field;
  }
  auto missing = Reports(runtime()).Get("rpt_missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ---- FleetViews ------------------------------------------------------------------------------

std::vector<std::string> Ids(const service::Overview& overview) {
  std::vector<std::string> ids;
  for (const auto& row : overview.clusters) ids.push_back(row.cluster_id);
  return ids;
}

TEST_P(ServiceTest, OverviewIsWorstFirstWithUnscoredLastAndCounts) {
  auto overview = FleetViews(runtime()).ListClusters(OverviewQuery{});
  ASSERT_TRUE(overview) << overview.error().ToString();
  ASSERT_EQ(overview->clusters.size(), 5u);
  EXPECT_EQ(overview->clusters.front().cluster_id, kCriticalCluster);
  EXPECT_EQ(overview->clusters[1].cluster_id, kWarningCluster);
  EXPECT_EQ(overview->clusters.back().cluster_id, kUnscoredCluster);
  EXPECT_FALSE(overview->clusters.back().risk_level);
  EXPECT_EQ(overview->counts["Critical"], 1);
  EXPECT_EQ(overview->counts["Warning"], 1);
  EXPECT_EQ(overview->counts["Healthy"], 2);
  EXPECT_EQ(overview->counts["Unscored"], 1);
  EXPECT_EQ(overview->total, 5);
  EXPECT_TRUE(overview->next_cursor.empty());
  ASSERT_TRUE(overview->as_of);
  ASSERT_TRUE(overview->clusters.front().latest_report);
  EXPECT_EQ(overview->clusters.front().latest_report->severity, Severity::kCritical);
}

TEST_P(ServiceTest, OverviewPagesWithACursorInEitherSort) {
  for (service::OverviewSort sort : {service::OverviewSort::kWorstFirst,
                                     service::OverviewSort::kName}) {
    OverviewQuery all;
    all.sort = sort;
    auto everything = FleetViews(runtime()).ListClusters(all);
    ASSERT_TRUE(everything);
    OverviewQuery query;
    query.sort = sort;
    query.limit = 2;
    std::vector<std::string> paged;
    int pages = 0;
    do {
      auto page = FleetViews(runtime()).ListClusters(query);
      ASSERT_TRUE(page) << page.error().ToString();
      EXPECT_EQ(page->total, 5);
      for (const auto& id : Ids(*page)) paged.push_back(id);
      query.cursor = page->next_cursor;
      ++pages;
    } while (!query.cursor.empty() && pages < 10);
    EXPECT_EQ(pages, 3) << service::OverviewSortName(sort);
    EXPECT_EQ(paged, Ids(*everything)) << service::OverviewSortName(sort);
  }
  OverviewQuery other;
  other.limit = 2;
  auto first = FleetViews(runtime()).ListClusters(other);
  ASSERT_TRUE(first);
  other.sort = service::OverviewSort::kName;  // a cursor of another sort is refused
  other.cursor = first->next_cursor;
  auto mismatched = FleetViews(runtime()).ListClusters(other);
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error().context, "cursor");
}

TEST_P(ServiceTest, OverviewFiltersByRiskAndAccountAndAttachesHistory) {
  OverviewQuery query;
  query.risk = RiskLevel::kHealthy;
  query.history_hours = 6;
  auto healthy = FleetViews(runtime()).ListClusters(query);
  ASSERT_TRUE(healthy);
  ASSERT_EQ(healthy->clusters.size(), 2u);
  for (const auto& row : healthy->clusters) {
    EXPECT_EQ(row.risk_level, RiskLevel::kHealthy);
    EXPECT_FALSE(row.history.empty());
    EXPECT_LE(row.history.size(), 6u);
  }
  OverviewQuery bad;
  bad.account_id = "NOT VALID";
  EXPECT_FALSE(FleetViews(runtime()).ListClusters(bad));
  bad = {};
  bad.limit = 0;
  EXPECT_FALSE(FleetViews(runtime()).ListClusters(bad));
}

// The overview walks a snapshot kept in the Runtime: a re-scored fleet or a new cluster must show
// on the next page, not after the snapshot's maximum age.
TEST_P(ServiceTest, OverviewSeesARescoreAndANewClusterAtOnce) {
  auto before = FleetViews(runtime()).ListClusters(OverviewQuery{});
  ASSERT_TRUE(before) << before.error().ToString();
  ASSERT_TRUE(before->as_of);
  EXPECT_EQ(before->clusters.front().cluster_id, kCriticalCluster);

  auto fleet = runtime().Fleet();
  ASSERT_TRUE(fleet);
  using store::Real;
  using store::Text;
  const TimePoint later = *before->as_of + std::chrono::hours(1);
  ASSERT_TRUE((*fleet)->Execute(
      "INSERT INTO cluster_risk_snapshots (cluster_id, snapshot_time, risk_level, health_score, "
      "previous_score, score_delta, customer_tier, top_risks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {Text(kHealthyCluster), store::Time(later), Text("Critical"), Real(3.5), Real(90),
       Real(-86.5), Text("S"), Text("[]")}));
  auto rescored = FleetViews(runtime()).ListClusters(OverviewQuery{});
  ASSERT_TRUE(rescored) << rescored.error().ToString();
  EXPECT_EQ(rescored->as_of, later);
  EXPECT_EQ(rescored->clusters.front().cluster_id, kHealthyCluster);
  EXPECT_EQ(rescored->counts["Critical"], 2);

  ASSERT_TRUE((*fleet)->Execute(
      "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, run_mode, "
      "package_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'official', "
      "'running', ?, ?)",
      {Text("c-zeta-fresh"), Text("zeta-fresh"), Text("acct-gamma"), Text("cn-hangzhou"),
       Text("3.3.5"), Text("shared_nothing"), store::Time(later), store::Time(later)}));
  auto grown = FleetViews(runtime()).ListClusters(OverviewQuery{});
  ASSERT_TRUE(grown) << grown.error().ToString();
  EXPECT_EQ(grown->total, 6);
  EXPECT_EQ(grown->counts["Unscored"], 2);
  EXPECT_EQ(grown->clusters.back().cluster_id, "c-zeta-fresh");
}

TEST_P(ServiceTest, ClusterDetailHasItsReportsAndTasks) {
  auto detail = FleetViews(runtime()).GetCluster(kCriticalCluster);
  ASSERT_TRUE(detail) << detail.error().ToString();
  EXPECT_EQ((*detail)["cluster_id"], kCriticalCluster);
  EXPECT_EQ((*detail)["risk_level"], "Critical");
  EXPECT_FALSE((*detail)["history"].empty());
  EXPECT_EQ((*detail)["reports"].size(), 1u);
  auto missing = FleetViews(runtime()).GetCluster("c-nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ---- AlertIntake -----------------------------------------------------------------------------

std::string CriticalAlertBody(const std::string& cluster_id, const std::string& name) {
  Json alert = {{"status", "firing"},
                {"labels", {{"alertname", name}, {"cluster_id", cluster_id}, {"severity", "critical"}}},
                {"annotations", {{"summary", name + " on " + cluster_id}}},
                {"startsAt", "2026-11-21T09:00:00Z"},
                {"endsAt", "0001-01-01T00:00:00Z"}};
  return DumpJson(Json{{"version", "4"}, {"status", "firing"}, {"alerts", Json::array({alert})}});
}

TEST_P(ServiceTest, AlertIntakeQueuesOneTaskPerClusterForNewCriticalAlerts) {
  service::AlertIntake intake(runtime());
  auto first = intake.IngestWebhook(CriticalAlertBody(kWarningCluster, "BeDown"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->stored.inserted, 1);
  ASSERT_EQ(first->tasks.size(), 1u);
  EXPECT_TRUE(first->tasks[0].created);
  auto status = Investigations(runtime()).Get(first->tasks[0].task_id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->task.source, store::TaskSource::kWebhook);
  EXPECT_EQ(status->task.priority, 1);
  // The task carries the alert with its labels and annotations (for the brief).
  Json carried = ParseJson(status->task.context_json).value();
  ASSERT_EQ(carried["alerts"].size(), 1u) << status->task.context_json;
  EXPECT_EQ(carried["alerts"][0]["labels"]["alertname"], "BeDown");
  EXPECT_EQ(carried["alerts"][0]["annotations"]["summary"],
            std::string("BeDown on ") + kWarningCluster);

  // A re-post stores nothing and queues nothing.
  auto repost = intake.IngestWebhook(CriticalAlertBody(kWarningCluster, "BeDown"));
  ASSERT_TRUE(repost);
  EXPECT_EQ(repost->stored.duplicates, 1);
  EXPECT_TRUE(repost->tasks.empty());

  auto bad = intake.IngestWebhook("{\"alerts\": 3}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}


// ---- Issues ----------------------------------------------------------------------------------

std::string AlertBody(const std::string& cluster_id, const std::string& name,
                      const std::string& starts_at, const std::string& severity = "warning") {
  Json alert = {{"status", "firing"},
                {"labels", {{"alertname", name}, {"cluster_id", cluster_id}, {"severity", severity}}},
                {"annotations", {{"summary", name + " on " + cluster_id}}},
                {"startsAt", starts_at},
                {"endsAt", "0001-01-01T00:00:00Z"}};
  return DumpJson(Json{{"version", "4"}, {"status", "firing"}, {"alerts", Json::array({alert})}});
}

// A new issue on a tier A/S cluster queues one investigation carrying the issue and its alerts;
// a tier C cluster's does not; an escalation inside the cooldown links the open task (and adds
// its alerts) instead of queueing another; the listener hears both; the report reaches the issue.
TEST_P(ServiceTest, NewAndEscalatedIssuesOnTierAsClustersQueueOneInvestigation) {
  config_.server.investigate_critical_alerts = false;  // only the issue policy queues here
  MakeRuntime();
  std::vector<std::string> heard;
  runtime().AddIssueListener([&](const issues::Issue& issue, std::string_view reason) {
    heard.push_back(issue.cluster_id + ":" + std::string(reason));
  });
  service::AlertIntake intake(runtime());
  auto first = intake.IngestWebhook(AlertBody(kHealthyCluster, "HeapUsageTooHigh",
                                              "2026-11-21T09:00:00Z"));  // tier A
  ASSERT_TRUE(first) << first.error().ToString();
  // The seeded fleet's own (Lark) alerts are grouped on this first pass too: pick ours.
  std::vector<service::IssueTrigger> ours;
  for (const service::IssueTrigger& t : first->issues.triggers) {
    if (t.cluster_id == kHealthyCluster) ours.push_back(t);
  }
  ASSERT_EQ(ours.size(), 1u);
  const service::IssueTrigger trigger = ours[0];
  EXPECT_TRUE(trigger.created);
  EXPECT_EQ(trigger.reason, "new");
  auto task = Investigations(runtime()).Get(trigger.task_id);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->task.source, store::TaskSource::kIssue);
  auto context = ParseJson(task->task.context_json);
  ASSERT_TRUE(context) << task->task.context_json;
  EXPECT_EQ((*context)["issue"]["issue_id"], trigger.issue_id);
  ASSERT_EQ((*context)["alerts"].size(), 1u);
  EXPECT_EQ((*context)["alerts"][0]["alert_name"], "HeapUsageTooHigh");

  auto quiet = intake.IngestWebhook(AlertBody(kQuietCluster, "HeapUsageTooHigh",
                                              "2026-11-21T09:00:00Z"));  // tier C
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(quiet->issues.triggers.empty());
  EXPECT_FALSE(quiet->issues.tracked.changes.empty());

  // A FAILURE on the tier A cluster escalates its open ANOMALY: inside the cooldown, so the
  // open task is linked and takes the new alert.
  auto failure = intake.IngestWebhook(AlertBody(kHealthyCluster, "BeAliveAbnormal",
                                                "2026-11-21T09:30:00Z", "critical"));
  ASSERT_TRUE(failure);
  ASSERT_EQ(failure->issues.triggers.size(), 1u);
  EXPECT_EQ(failure->issues.triggers[0].reason, "escalated");
  EXPECT_FALSE(failure->issues.triggers[0].created);
  EXPECT_EQ(failure->issues.triggers[0].task_id, trigger.task_id);
  auto grown = Investigations(runtime()).Get(trigger.task_id);
  EXPECT_EQ((*ParseJson(grown->task.context_json))["alerts"].size(), 2u);  // each alert once
  store::Database& memory = **runtime().Memory();
  EXPECT_EQ(*memory.QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE source = 'issue' "
                             "AND cluster_id = ?",
                             {store::Text(kHealthyCluster)}),
            1);
  std::erase_if(heard, [](const std::string& entry) { return entry.starts_with("c-alpha"); });
  EXPECT_EQ(heard, (std::vector<std::string>{std::string(kHealthyCluster) + ":new",
                                             std::string(kQuietCluster) + ":new",
                                             std::string(kHealthyCluster) + ":escalated"}));

  // The report of the task reaches the issue.
  store::TaskQueue queue(memory, clock_, config_.queue);
  store::TaskFilter queued;
  queued.status = store::TaskStatus::kQueued;
  auto queued_tasks = queue.List(queued);
  ASSERT_TRUE(queued_tasks);
  for (const store::Task& other : *queued_tasks) {
    if (other.id != trigger.task_id) {
      ASSERT_TRUE(queue.Cancel(other.id, "test"));
    }
  }
  auto claimed = queue.Claim("worker-1");
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_TRUE(queue.Complete((*claimed)->id, "worker-1", "rpt_issue_report"));
  auto view = service::Issues(runtime()).Get(trigger.issue_id);
  ASSERT_TRUE(view) << view.error().ToString();
  ASSERT_EQ(view->reports.size(), 1u);
  EXPECT_EQ(view->reports[0].second, "rpt_issue_report");
  Json json = service::IssueViewJson(*view);
  EXPECT_EQ(json["escalated"], true);
  EXPECT_EQ(json["investigations"][0]["report_id"], "rpt_issue_report");
  auto of_task = service::Issues(runtime()).IssuesOfTask(trigger.task_id);
  EXPECT_EQ(*of_task, std::vector<std::string>{trigger.issue_id});

  // After the cooldown, a FAILURE while the ANOMALY is still open joins the escalated issue:
  // escalation happens once, so nothing new is queued.
  clock_.Advance(config_.sentinel.cooldown + std::chrono::hours(1));
  auto later = intake.IngestWebhook(AlertBody(kHealthyCluster, "Query Failure Alert",
                                              "2026-11-21T20:00:00Z"));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->issues.triggers.empty());
  ASSERT_EQ(later->issues.tracked.changes.size(), 1u);
  EXPECT_EQ(later->issues.tracked.changes[0].issue_id, trigger.issue_id);
  EXPECT_FALSE(later->issues.tracked.changes[0].escalated);
}

// Issues that are history when first grouped (a backfill: resolved already) are neither
// notified nor investigated; a firing one of the same age is.
TEST_P(ServiceTest, ABackfilledResolvedIssueQueuesNothing) {
  config_.server.investigate_critical_alerts = false;
  MakeRuntime();
  std::vector<std::string> heard;
  runtime().AddIssueListener([&](const issues::Issue& issue, std::string_view) {
    heard.push_back(issue.cluster_id);
  });
  const std::string old_start = FormatIsoTime(clock_.Now() - std::chrono::hours(48));
  const std::string old_end = FormatIsoTime(clock_.Now() - std::chrono::hours(47));
  Json alert = {{"status", "resolved"},
                {"labels", {{"alertname", "HeapUsageTooHigh"}, {"cluster_id", kHealthyCluster},
                            {"severity", "warning"}}},
                {"annotations", {{"summary", "heap"}}},
                {"startsAt", old_start},
                {"endsAt", old_end}};
  Json firing = alert;
  firing["status"] = "firing";
  firing["endsAt"] = "0001-01-01T00:00:00Z";
  service::AlertIntake intake(runtime());
  // The firing message and its resolution arrive together, as a backfill would bring them.
  auto past = intake.IngestWebhook(DumpJson(
      Json{{"version", "4"}, {"status", "resolved"}, {"alerts", Json::array({firing, alert})}}));
  ASSERT_TRUE(past) << past.error().ToString();
  for (const service::IssueTrigger& t : past->issues.triggers) {
    EXPECT_NE(t.cluster_id, kHealthyCluster) << "a resolved past issue queued " << t.task_id;
  }
  EXPECT_GE(past->issues.stale, 1);
  EXPECT_EQ(std::count(heard.begin(), heard.end(), std::string(kHealthyCluster)), 0);

  // Still firing after 48 h: current, whatever its age.
  auto ongoing = intake.IngestWebhook(AlertBody(kHealthyCluster, "BeAliveAbnormal",
                                                FormatIsoTime(clock_.Now() - std::chrono::hours(48)),
                                                "critical"));
  ASSERT_TRUE(ongoing) << ongoing.error().ToString();
  bool queued = false;
  for (const service::IssueTrigger& t : ongoing->issues.triggers) {
    queued = queued || t.cluster_id == kHealthyCluster;
  }
  EXPECT_TRUE(queued) << "an alert still firing is current";
}

// The investigation an issue queues is briefed with the issue and its alerts: the playbook's
// stored report names them in `trigger` and `reports show` prints them.
TEST_P(ServiceTest, AnIssueInvestigationReportCarriesTheIssueAndItsAlerts) {
  config_.server.investigate_critical_alerts = false;
  config_.agent.engine = EngineKind::kPlaybook;
  MakeRuntime();
  service::AlertIntake intake(runtime());
  auto first = intake.IngestWebhook(AlertBody(kHealthyCluster, "HeapUsageTooHigh",
                                              "2026-11-21T09:00:00Z"));  // tier A
  ASSERT_TRUE(first) << first.error().ToString();
  std::optional<service::IssueTrigger> ours;
  for (const service::IssueTrigger& t : first->issues.triggers) {
    if (t.cluster_id == kHealthyCluster) ours = t;
  }
  ASSERT_TRUE(ours);
  store::Database& memory = **runtime().Memory();
  store::TaskQueue queue(memory, clock_, config_.queue);
  store::TaskFilter queued;
  queued.status = store::TaskStatus::kQueued;
  auto queued_tasks = queue.List(queued);
  ASSERT_TRUE(queued_tasks);
  for (const store::Task& other : *queued_tasks) {
    if (other.id != ours->task_id) {
      ASSERT_TRUE(queue.Cancel(other.id, "test"));
    }
  }
  std::atomic<bool> stop{false};
  auto worked = service::Cycle(runtime()).Investigate(1, stop);
  ASSERT_TRUE(worked) << worked.error().ToString();
  EXPECT_EQ(worked->investigated, 1);
  auto task = queue.Get(ours->task_id);
  ASSERT_TRUE(task && !task->report_id.empty());
  auto report = Reports(runtime()).Get(task->report_id);
  ASSERT_TRUE(report) << report.error().ToString();
  const Json stored_json = ParseJson(report->report_json).value();
  ASSERT_TRUE(stored_json.contains("trigger")) << report->report_json;
  Json trigger = stored_json["trigger"]["trigger"];
  ASSERT_TRUE(trigger.contains("issue")) << trigger.dump();
  EXPECT_EQ(trigger["source"], "issue");
  EXPECT_EQ(trigger["issue"]["issue_id"], ours->issue_id);
  EXPECT_EQ(trigger["issue"]["issue_status"], "Ongoing");
  ASSERT_EQ(trigger["alerts"].size(), 1u) << trigger.dump();
  EXPECT_EQ(trigger["alerts"][0]["alert_name"], "HeapUsageTooHigh");
  EXPECT_EQ(trigger["alerts"][0]["starts_at"], "2026-11-21T09:00:00Z");
  EXPECT_EQ(trigger["alerts"][0]["detail"], std::string("HeapUsageTooHigh on ") + kHealthyCluster);
  auto shown = Reports(runtime()).Render(task->report_id, service::ReportFormat::kMarkdown);
  ASSERT_TRUE(shown) << shown.error().ToString();
  EXPECT_NE(shown->find("- issue " + ours->issue_id + " (anomaly, Ongoing"), std::string::npos)
      << *shown;
  EXPECT_NE(shown->find("- alert HeapUsageTooHigh [warning, Firing since 2026-11-21T09:00:00Z]"),
            std::string::npos)
      << *shown;
  // The report lists the issue it was queued for; the issue lists the report.
  EXPECT_NE(shown->find("## Linked issues\n\n- " + ours->issue_id +
                        " (anomaly; Ongoing, triage New): HeapUsageTooHigh"),
            std::string::npos)
      << *shown;
  auto detail = Reports(runtime()).Detail(task->report_id);
  ASSERT_TRUE(detail) << detail.error().ToString();
  ASSERT_EQ((*detail)["issues"].size(), 1u) << detail->dump();
  EXPECT_EQ((*detail)["issues"][0]["issue_id"], ours->issue_id);
  EXPECT_EQ((*detail)["issues"][0]["issue_status"], "Ongoing");
  auto as_json = Reports(runtime()).Render(task->report_id, service::ReportFormat::kJson);
  ASSERT_TRUE(as_json);
  EXPECT_EQ(ParseJson(*as_json).value()["issues"][0]["title"], "HeapUsageTooHigh");
  auto view = service::Issues(runtime()).Get(ours->issue_id);
  ASSERT_TRUE(view) << view.error().ToString();
  EXPECT_EQ(service::IssueViewJson(*view)["investigations"][0]["report_id"], task->report_id);
  // A report without an issue lists none.
  auto page = Reports(runtime()).List(service::ReportQuery{});
  ASSERT_TRUE(page && !page->reports.empty());
  for (const store::StoredReport& other : page->reports) {
    if (other.report_id == task->report_id) continue;
    auto plain = Reports(runtime()).Detail(other.report_id);
    ASSERT_TRUE(plain) << plain.error().ToString();
    EXPECT_TRUE((*plain)["issues"].empty());
    auto text = Reports(runtime()).Render(other.report_id, service::ReportFormat::kMarkdown);
    ASSERT_TRUE(text);
    EXPECT_EQ(text->find("## Linked issues"), std::string::npos);
    break;
  }
}

TEST_P(ServiceTest, IssueStepsParseStatesAndRefuseInvalidOnes) {
  service::AlertIntake intake(runtime());
  ASSERT_TRUE(intake.IngestWebhook(AlertBody(kQuietCluster, "BeAliveAbnormal",
                                             "2026-11-21T09:00:00Z")));
  service::IssueQueryText query;
  query.cluster_id = kQuietCluster;
  auto page = service::Issues(runtime()).List(query);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->issues.size(), 1u);
  const std::string id = page->issues[0].issue_id;
  service::Issues issues(runtime());
  EXPECT_TRUE(issues.Triage(id, "investigating", "alice"));
  auto bad = issues.Triage(id, "acknowledged", "alice");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConflict);
  auto unknown = issues.Triage(id, "sleeping", "alice");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  auto jira = issues.Dispose(id, "jira_created", "OPS-7", "bob");
  ASSERT_TRUE(jira) << jira.error().ToString();
  EXPECT_EQ(jira->disposition_status, DispositionStatus::kJiraCreated);
  query.status = "bogus";
  EXPECT_FALSE(issues.List(query));
  EXPECT_FALSE(issues.Get("iss_missing"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
