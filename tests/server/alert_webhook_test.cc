// The Alertmanager/Grafana webhook: parsing (pure), and POST /api/v1/alerts/alertmanager over
// real sockets on SQLite and MariaDB — the real v4 payload, idempotent re-posts, all-or-nothing
// bodies, the 400s, the webhook task, and concurrent re-posts through two server replicas.
#include "alerts/webhook.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/ids.h"
#include "core/time_format.h"
#include "core/url.h"
#include "store/task_queue.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// An Alertmanager v4 body with one alert per entry of `alerts` ({alertname, cluster, status,
// severity}); startsAt differs per alert name.
Json AlertmanagerBody(const std::vector<std::array<std::string, 4>>& alerts) {
  Json body = {{"version", "4"},
               {"groupKey", "{}:{alertname=\"x\"}"},
               {"truncatedAlerts", 0},
               {"status", "firing"},
               {"receiver", "rockhound"},
               {"groupLabels", Json::object()},
               {"commonLabels", Json::object()},
               {"commonAnnotations", Json::object()},
               {"externalURL", "http://alertmanager:9093"},
               {"alerts", Json::array()}};
  int alert_idx = 0;
  for (const auto& [name, cluster, status, severity] : alerts) {
    body["alerts"].push_back(
        {{"status", status},
         {"labels", {{"alertname", name}, {"cluster_id", cluster}, {"severity", severity}}},
         {"annotations", {{"summary", name + " on " + cluster}}},
         {"startsAt", "2026-11-21T09:0" + std::to_string(alert_idx % 10) + ":00.123456789Z"},
         {"endsAt", status == "resolved" ? "2026-11-21T09:59:00Z" : "0001-01-01T00:00:00Z"},
         {"generatorURL", "http://prometheus:9090/graph?g0.expr=up"},
         {"fingerprint", "f" + std::to_string(alert_idx)}});
    ++alert_idx;
  }
  return body;
}

// ---- parsing ---------------------------------------------------------------------------------

TEST(ParseAlertWebhookTest, RealAlertmanagerPayloadWithAConfiguredLabel) {
  auto path = SharedDataPath("alertmanager/webhook_v4_example.json");
  if (!path) GTEST_SKIP() << "../shared/data/alertmanager is not beside the checkout";
  const std::string body = ReadFile(*path);
  // The real payload has no cluster label: with the default label it is kept as an orphan that
  // says which label is missing.
  auto orphaned = alerts::ParseAlertWebhook(body, {});
  ASSERT_TRUE(orphaned) << orphaned.error().ToString();
  ASSERT_EQ(orphaned->alerts.size(), 1u);
  EXPECT_EQ(orphaned->alerts[0].cluster_id, "");
  EXPECT_NE(orphaned->alerts[0].orphan_reason.find("'cluster_id' label"), std::string::npos);
  EXPECT_TRUE(orphaned->rejected.empty());

  alerts::WebhookOptions options;
  options.cluster_label = "dc";
  auto parsed = alerts::ParseAlertWebhook(body, options);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->alerts.size(), 1u);
  const alerts::AlertRecord& alert = parsed->alerts[0];
  EXPECT_TRUE(alert.orphan_reason.empty());
  EXPECT_EQ(alert.cluster_id, "eu-west-1");
  EXPECT_EQ(alert.alert_name, "Heartbeat");
  EXPECT_EQ(alert.status, "Firing");
  EXPECT_EQ(alert.severity, "warning");
  EXPECT_EQ(alert.source, "alertmanager");
  EXPECT_EQ(std::chrono::floor<std::chrono::seconds>(alert.starts_at),
            MakeUtcTime(2020, 7, 5, 18, 51, 22));
  EXPECT_GT(alert.starts_at, MakeUtcTime(2020, 7, 5, 18, 51, 22));  // fractions kept
  EXPECT_FALSE(alert.ends_at);
  // The \u0026 escape is decoded.
  EXPECT_EQ(alert.dashboard_url, "http://9b924908440c:9090/graph?g0.expr=vector%281%29&g0.tab=1");
  EXPECT_TRUE(alert.silence_url.starts_with("http://ca39969851f4:9093/#/silences/new?filter="));
  EXPECT_EQ(alert.message_id, "wh_" + Sha256Hex("Heartbeateu-west-1Firing2020-07-05T18:51:22Z"));
  // No annotations: the detail names the instance by its labels.
  EXPECT_NE(alert.detail.find("monitor=codelab"), std::string::npos);
}

TEST(ParseAlertWebhookTest, GrafanaVariant) {
  Json body = {{"version", "1"},
               {"orgId", 1},
               {"state", "alerting"},
               {"status", "firing"},
               {"title", "[FIRING:1] DiskFull"},
               {"message", "Disk is full"},
               {"alerts",
                {{{"status", "firing"},
                  {"labels", {{"alertname", "DiskFull"}, {"cluster", "c-1"}}},
                  {"annotations", Json::object()},
                  {"startsAt", "2026-11-21T09:00:00+08:00"},
                  {"endsAt", "0001-01-01T00:00:00Z"},
                  {"silenceURL", "http://grafana/alerting/silence/new"},
                  {"dashboardURL", "http://grafana/d/abc"},
                  {"panelURL", "http://grafana/d/abc?viewPanel=2"}}}}};
  auto parsed = alerts::ParseAlertWebhook(DumpJson(body), {});  // falls back to "cluster"
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  const alerts::AlertRecord& alert = parsed->alerts[0];
  EXPECT_EQ(alert.source, "grafana");
  EXPECT_EQ(alert.cluster_id, "c-1");
  EXPECT_EQ(alert.dashboard_url, "http://grafana/d/abc?viewPanel=2");
  EXPECT_EQ(alert.silence_url, "http://grafana/alerting/silence/new");
  EXPECT_EQ(alert.detail, "Disk is full");
  EXPECT_EQ(alert.starts_at, MakeUtcTime(2026, 11, 21, 1));
}

TEST(ParseAlertWebhookTest, ResolvedAlertsAndInBodyDuplicates) {
  Json body = AlertmanagerBody({{"DiskFull", "c-1", "resolved", "critical"}});
  body["alerts"].push_back(body["alerts"][0]);  // the same alert twice in one body
  auto parsed = alerts::ParseAlertWebhook(DumpJson(body), {});
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->alerts.size(), 1u);
  EXPECT_EQ(parsed->alerts[0].status, "Resolved");
  ASSERT_TRUE(parsed->alerts[0].ends_at);
  EXPECT_EQ(*parsed->alerts[0].ends_at, MakeUtcTime(2026, 11, 21, 9, 59));
  // Firing and resolved messages of one alert are different rows.
  EXPECT_NE(parsed->alerts[0].message_id,
            alerts::WebhookMessageId("DiskFull", "c-1", "Firing", parsed->alerts[0].starts_at));
}

TEST(ParseAlertWebhookTest, MalformedBodiesNameTheProblem) {
  Json good = AlertmanagerBody({{"DiskFull", "c-1", "firing", "critical"}});
  auto mutate = [&](auto change) {
    Json copy = good;
    change(copy);
    return DumpJson(copy);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"{not json", "body"},
      {"[]", "JSON object"},
      {"{}", "alerts"},
      {mutate([](Json& b) { b["alerts"] = Json::array(); }), "alerts: is empty"},
      {mutate([](Json& b) { b["alerts"] = "x"; }), "alerts"},
      {mutate([](Json& b) { b["version"] = "3"; }), "version"},
      {mutate([](Json& b) { b["alerts"][0] = 5; }), "alerts[0]"},
      {mutate([](Json& b) { b["alerts"][0].erase("labels"); }), "alerts[0].labels"},
      {mutate([](Json& b) { b["alerts"][0]["labels"].erase("alertname"); }), "alertname"},
      {mutate([](Json& b) { b["alerts"][0]["status"] = "pending"; }), "alerts[0].status"},
      {mutate([](Json& b) { b["alerts"][0].erase("startsAt"); }), "startsAt"},
      {mutate([](Json& b) { b["alerts"][0]["startsAt"] = "yesterday"; }), "startsAt"},
  };
  for (const auto& [body, mention] : cases) {
    auto parsed = alerts::ParseAlertWebhook(body, {});
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().ToString().find(mention), std::string::npos)
        << parsed.error().ToString() << " should mention " << mention;
  }
}

// One bad alert does not cost the others: it is listed as rejected, the rest are kept, and
// alerts without a usable cluster label are orphans with the reason.
TEST(ParseAlertWebhookTest, MixedBodyKeepsEveryStorableAlert) {
  Json body = AlertmanagerBody({{"DiskFull", "c-1", "firing", "critical"},
                                {"BeDown", "c-2", "firing", "critical"},
                                {"SlowQuery", "c-3", "firing", "warning"},
                                {"Oom", "c-4", "pending", "warning"}});
  body["alerts"][1]["labels"].erase("cluster_id");
  body["alerts"][2]["labels"]["cluster_id"] = "Prod Cluster";
  auto parsed = alerts::ParseAlertWebhook(DumpJson(body), {});
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->alerts.size(), 3u);
  EXPECT_TRUE(parsed->alerts[0].orphan_reason.empty());
  EXPECT_NE(parsed->alerts[1].orphan_reason.find("'cluster_id' label"), std::string::npos);
  EXPECT_EQ(parsed->alerts[2].cluster_id, "");
  EXPECT_EQ(parsed->alerts[2].cluster_name, "Prod Cluster");  // matched by name later
  EXPECT_NE(parsed->alerts[2].orphan_reason.find("not a cluster id"), std::string::npos);
  ASSERT_EQ(parsed->rejected.size(), 1u);
  EXPECT_NE(parsed->rejected[0].find("alerts[3].status"), std::string::npos);
  // The unlabeled alert's id is stable (its labels), so a re-post is still a duplicate.
  auto again = alerts::ParseAlertWebhook(DumpJson(body), {});
  EXPECT_EQ(again->alerts[1].message_id, parsed->alerts[1].message_id);
}

// Grafana unified alerting: the extra fields are accepted, valueString and values reach the
// detail a person reads.
TEST(ParseAlertWebhookTest, GrafanaUnifiedAlertingExtraFields) {
  Json body = {
      {"receiver", "rockhound"}, {"status", "firing"}, {"orgId", 1}, {"version", "1"},
      {"groupKey", "{}:{}"}, {"truncatedAlerts", 0}, {"title", "[FIRING:1] (blue)"},
      {"state", "alerting"}, {"message", "**Firing**"}, {"externalURL", "https://grafana/"},
      {"groupLabels", Json::object()}, {"commonLabels", Json::object()},
      {"commonAnnotations", Json::object()},
      {"alerts",
       {{{"status", "firing"},
         {"labels", {{"alertname", "HeapUsageTooHigh"}, {"cluster_id", "c-1"},
                     {"grafana_folder", "StarRocks"}}},
         {"annotations", {{"summary", "FE heap above 90%"}}},
         {"startsAt", "2021-10-12T09:51:03.157076+02:00"},
         {"endsAt", "0001-01-01T00:00:00Z"},
         {"generatorURL", "https://grafana/alerting/1afz29v7z/edit"},
         {"fingerprint", "c6eadffa33fcdf37"},
         {"silenceURL", "https://grafana/alerting/silence/new?alertmanager=grafana"},
         {"dashboardURL", ""},
         {"panelURL", ""},
         {"values", {{"B", 93.5}, {"C", 1}}},
         {"valueString", "[ var='B' labels={cluster_id=c-1} value=93.5 ]"},
         {"orgId", 1},
         {"ruleUID", "abc"},
         {"imageURL", "https://grafana/img.png"}}}}};
  auto parsed = alerts::ParseAlertWebhook(DumpJson(body), {});
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->alerts.size(), 1u);
  const alerts::AlertRecord& alert = parsed->alerts[0];
  EXPECT_EQ(parsed->source, "grafana");
  EXPECT_EQ(alert.source, "grafana");
  EXPECT_NE(alert.detail.find("FE heap above 90%"), std::string::npos);
  EXPECT_NE(alert.detail.find("value=93.5"), std::string::npos);
  EXPECT_NE(alert.detail.find("B=93.5"), std::string::npos);
  EXPECT_EQ(alert.dashboard_url, "https://grafana/alerting/1afz29v7z/edit");  // no panel URL
  // values: null and valueString "" (what current Grafana sends for test alerts) are fine too.
  body["alerts"][0]["values"] = nullptr;
  body["alerts"][0]["valueString"] = "";
  auto plain = alerts::ParseAlertWebhook(DumpJson(body), {});
  ASSERT_TRUE(plain) << plain.error().ToString();
  EXPECT_EQ(plain->alerts[0].detail, "FE heap above 90%");
}

// ---- over HTTP -------------------------------------------------------------------------------

class WebhookHttpTest : public ServerTest {
 protected:
  int64_t AlertRows() {
    return *fleet().QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%'");
  }
  // Webhook tasks (the issue tracker may queue `issue` tasks for the seeded Lark alerts too).
  int64_t Tasks() {
    return *memory().QueryInt(
        "SELECT COUNT(*) FROM investigation_tasks WHERE source = 'webhook'");
  }
};

TEST_P(WebhookHttpTest, RealPayloadStoredOnceThenReposted) {
  auto path = SharedDataPath("alertmanager/webhook_v4_example.json");
  if (!path) GTEST_SKIP() << "../shared/data/alertmanager is not beside the checkout";
  const std::string body = ReadFile(*path);
  ASSERT_TRUE(fleet().Execute(
      "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, run_mode, "
      "package_type, status, created_at, updated_at) VALUES ('eu-west-1', 'eu', 'acct-beta', "
      "'eu-west-1', '3.3.4', 'shared_nothing', 'official', 'running', ?, ?)",
      {store::Time(SeedNow()), store::Time(SeedNow())}));

  StartServer();  // default label cluster_id: the real payload lacks it, kept as an orphan
  HttpReply orphaned = Post("/api/v1/alerts/alertmanager", body);
  ASSERT_EQ(orphaned.status, 200) << orphaned.body;
  EXPECT_EQ(orphaned.json["inserted"], 1);
  EXPECT_EQ(orphaned.json["orphans"], 1);
  EXPECT_NE(orphaned.json["orphan_alerts"][0]["reason"].get<std::string>().find("cluster_id"),
            std::string::npos);
  HttpReply listed = Get("/api/v1/alerts?status=orphan");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["alerts"].size(), 1u);
  EXPECT_EQ(listed.json["alerts"][0]["orphan"], true);
  ASSERT_TRUE(fleet().Execute("DELETE FROM lark_alerts"));
  server_->Stop();

  config_.server.cluster_label = "dc";
  StartServer();
  HttpReply first = Post("/api/v1/alerts/alertmanager", body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["received"], 1);
  EXPECT_EQ(first.json["inserted"], 1);
  EXPECT_EQ(first.json["duplicates"], 0);
  EXPECT_TRUE(first.json["tasks"].empty());  // a warning: no investigation queued
  HttpReply second = Post("/api/v1/alerts/alertmanager", body);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.json["inserted"], 0);
  EXPECT_EQ(second.json["duplicates"], 1);
  EXPECT_EQ(second.json["message_ids"], first.json["message_ids"]);
  EXPECT_EQ(AlertRows(), 1);

  auto row = fleet().QueryOne("SELECT * FROM lark_alerts WHERE message_id = ?",
                              {store::Text(first.json["message_ids"][0])});
  ASSERT_TRUE(row);
  store::Row alert = row->front();
  EXPECT_EQ(alert.GetString("cluster_id"), "eu-west-1");
  EXPECT_EQ(alert.GetString("account_id"), "acct-beta");  // from cluster_info
  EXPECT_EQ(alert.GetString("alert_name"), "Heartbeat");
  EXPECT_EQ(alert.GetString("status"), "Firing");
  EXPECT_EQ(alert.GetString("severity"), "warning");
  EXPECT_EQ(alert.GetString("source"), "alertmanager");
  EXPECT_EQ(alert.GetTime("starts_at"), MakeUtcTime(2020, 7, 5, 18, 51, 22));  // SQL: seconds
  EXPECT_EQ(alert.GetTime("alert_time"), SeedNow());
  EXPECT_TRUE(alert.IsNull("ends_at"));
}

// A body mixing a known cluster, an unknown one and an unlabeled alert: every alert is stored,
// the two orphans with their reason, and 200 says so (a 4xx would make Alertmanager drop the
// valid alert for good). Only an unusable body is a 400.
TEST_P(WebhookHttpTest, MixedBodyStoresEveryAlertAndKeepsOrphans) {
  StartServer();
  Json mixed = AlertmanagerBody({{"DiskFull", kCriticalCluster, "firing", "critical"},
                                 {"DiskFull", "c-unknown", "firing", "critical"},
                                 {"BeDown", "unused", "firing", "critical"}});
  mixed["alerts"][2]["labels"].erase("cluster_id");
  mixed["alerts"][2]["labels"]["cluster_name"] = "analytics-eu";
  HttpReply reply = Post("/api/v1/alerts/alertmanager", DumpJson(mixed));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["received"], 3);
  EXPECT_EQ(reply.json["inserted"], 3);
  EXPECT_EQ(reply.json["orphans"], 2);
  EXPECT_EQ(AlertRows(), 3);
  ASSERT_EQ(reply.json["tasks"].size(), 1u);  // only the known cluster's alert queues a task
  EXPECT_EQ(reply.json["tasks"][0]["cluster_id"], kCriticalCluster);

  HttpReply orphans = Get("/api/v1/alerts?status=orphan");
  ASSERT_EQ(orphans.status, 200) << orphans.body;
  ASSERT_EQ(orphans.json["alerts"].size(), 2u);
  std::set<std::string> reasons;
  for (const Json& alert : orphans.json["alerts"]) {
    reasons.insert(alert["orphan_reason"].get<std::string>());
  }
  EXPECT_TRUE(reasons.contains("cluster 'c-unknown' is not in the fleet (cluster_info)"));
  EXPECT_TRUE(reasons.contains(
      "cluster name 'analytics-eu' is not in the fleet (cluster_info)"));

  // The clusters appear (one by id, one by name): the next intake matches both orphans.
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"c-unknown", "unknown"}, {"c-analytics", "analytics-eu"}}) {
    ASSERT_TRUE(fleet().Execute(
        "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
        "run_mode, package_type, status, created_at, updated_at) VALUES (?, ?, 'acct-beta', "
        "'eu-west-1', '3.3.4', 'shared_nothing', 'official', 'running', ?, ?)",
        {store::Text(id), store::Text(name), store::Time(SeedNow()), store::Time(SeedNow())}));
  }
  HttpReply later = Post("/api/v1/alerts/alertmanager",
                         DumpJson(AlertmanagerBody({{"Oom", kHealthyCluster, "firing", "info"}})));
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(later.json["orphans_matched"], 2);
  EXPECT_EQ(Get("/api/v1/alerts?status=orphan").json["alerts"].size(), 0u);
  HttpReply named = Get("/api/v1/alerts?cluster=c-analytics");
  ASSERT_EQ(named.json["alerts"].size(), 1u);
  EXPECT_EQ(named.json["alerts"][0]["alert_name"], "BeDown");
  EXPECT_EQ(named.json["alerts"][0]["account_id"], "acct-beta");

  // Unusable bodies: 400 naming the problem, nothing stored.
  const int64_t before = AlertRows();
  for (const std::string& bad :
       {std::string("not json"), std::string("{}"), std::string(R"({"alerts":[{"labels":{}}]})")}) {
    HttpReply refused = Post("/api/v1/alerts/alertmanager", bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_FALSE(ErrorMessageOf(refused).empty());
  }
  EXPECT_EQ(AlertRows(), before);
}

// GET /api/v1/alerts: filters and pages like the other lists.
TEST_P(WebhookHttpTest, AlertListFiltersAndPages) {
  StartServer();
  std::vector<std::array<std::string, 4>> many;
  for (int idx = 0; idx < 7; ++idx) {
    many.push_back({"Alert" + std::to_string(idx), kHealthyCluster,
                    idx % 2 ? "resolved" : "firing", "warning"});
  }
  ASSERT_EQ(Post("/api/v1/alerts/alertmanager", DumpJson(AlertmanagerBody(many))).status, 200);
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    HttpReply page = Get("/api/v1/alerts?cluster=" + std::string(kHealthyCluster) +
                         "&limit=3" + (cursor.empty() ? "" : "&cursor=" + PercentEncode(cursor)));
    ASSERT_EQ(page.status, 200) << page.body;
    for (const Json& alert : page.json["alerts"]) seen.insert(alert["message_id"]);
    cursor = page.json["next_cursor"].is_null() ? "" : page.json["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(Get("/api/v1/alerts?status=resolved").json["alerts"].size(), 3u);
  EXPECT_EQ(Get("/api/v1/alerts?source=alertmanager&status=firing").json["alerts"].size(), 4u);
  EXPECT_EQ(Get("/api/v1/alerts?source=grafana").json["alerts"].size(), 0u);
  EXPECT_EQ(Get("/api/v1/alerts?since=1h&cluster=" + std::string(kHealthyCluster))
                .json["alerts"]
                .size(),
            7u);  // stored at SeedNow
  EXPECT_EQ(Get("/api/v1/alerts?status=pending").status, 400);
  EXPECT_EQ(Get("/api/v1/alerts?cursor=garbage").status, 400);
  EXPECT_EQ(Get("/api/v1/alerts?limit=0").status, 400);
}

TEST_P(WebhookHttpTest, CriticalFiringAlertQueuesOneWebhookTask) {
  StartServer();
  Json body = AlertmanagerBody({{"BeDown", kWarningCluster, "firing", "critical"},
                                {"DiskFull", kWarningCluster, "firing", "critical"},
                                {"SlowQuery", kHealthyCluster, "firing", "warning"},
                                {"BeDown", kQuietCluster, "resolved", "critical"}});
  HttpReply reply = Post("/api/v1/alerts/alertmanager", DumpJson(body));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["inserted"], 4);
  ASSERT_EQ(reply.json["tasks"].size(), 1u);  // only the cluster with a firing critical alert
  EXPECT_EQ(reply.json["tasks"][0]["cluster_id"], kWarningCluster);
  store::TaskQueue queue(memory(), clock_, config_.queue);
  auto task = queue.Get(reply.json["tasks"][0]["task_id"].get<std::string>());
  ASSERT_TRUE(task);
  EXPECT_EQ(task->source, store::TaskSource::kWebhook);
  EXPECT_EQ(task->priority, 1);
  EXPECT_NE(task->question.find("BeDown"), std::string::npos);
  EXPECT_NE(task->question.find("DiskFull"), std::string::npos);
  // The task carries the alerts that triggered it.
  auto context = ParseJson(task->context_json);
  ASSERT_TRUE(context) << task->context_json;
  ASSERT_EQ((*context)["alerts"].size(), 2u);
  EXPECT_EQ((*context)["trigger"], "webhook");
  // A re-post is a no-op: no new alert, no new task.
  HttpReply again = Post("/api/v1/alerts/alertmanager", DumpJson(body));
  EXPECT_EQ(again.json["inserted"], 0);
  EXPECT_TRUE(again.json["tasks"].empty());
  EXPECT_EQ(Tasks(), 1);
  // Later critical alerts for the same cluster attach to the open task: still one task.
  for (const char* name : {"FeDown", "QueryFailure", "LoadFailure"}) {
    HttpReply later = Post("/api/v1/alerts/alertmanager",
                           DumpJson(AlertmanagerBody({{name, kWarningCluster, "firing",
                                                       "critical"}})));
    ASSERT_EQ(later.status, 200) << later.body;
    ASSERT_EQ(later.json["tasks"].size(), 1u);
    EXPECT_EQ(later.json["tasks"][0]["task_id"], reply.json["tasks"][0]["task_id"]);
    EXPECT_EQ(later.json["tasks"][0]["created"], false);
  }
  EXPECT_EQ(Tasks(), 1);
  auto grown = queue.Get(reply.json["tasks"][0]["task_id"].get<std::string>());
  EXPECT_EQ((*ParseJson(grown->context_json))["alerts"].size(), 5u);

  config_.server.investigate_critical_alerts = false;
  server_->Stop();
  StartServer();
  HttpReply off =
      Post("/api/v1/alerts/alertmanager",
           DumpJson(AlertmanagerBody({{"Oom", kHealthyCluster, "firing", "critical"}})));
  EXPECT_EQ(off.json["inserted"], 1);
  EXPECT_TRUE(off.json["tasks"].empty());
  EXPECT_EQ(Tasks(), 1);
}

// Two replicas of the server, each with its own database connections, receive the same bodies
// from 8 concurrent senders: every alert is stored exactly once and the responses account for
// every alert exactly once.
TEST_P(WebhookHttpTest, ConcurrentRepostsThroughTwoReplicasStoreEachAlertOnce) {
  config_.server.rate_limit_per_minute = 0;
  config_.server.investigate_critical_alerts = false;
  StartServer();
  MetricsRegistry metrics2;
  service::Runtime runtime2(config_, clock_, metrics2);  // its own pools, like another process
  server::HttpServer replica(runtime2, metrics2);
  auto replica_port = replica.Start();
  ASSERT_TRUE(replica_port);

  std::vector<std::array<std::string, 4>> alerts;
  for (const char* cluster : {kCriticalCluster, kWarningCluster, kHealthyCluster}) {
    for (const char* name : {"DiskFull", "BeDown", "SlowQuery"}) {
      alerts.push_back({name, cluster, "firing", "critical"});
    }
  }
  // Three overlapping bodies: alerts 0-5, 3-8 and 0-8.
  std::vector<std::string> bodies = {
      DumpJson(AlertmanagerBody({alerts.begin(), alerts.begin() + 6})),
      DumpJson(AlertmanagerBody({alerts.begin() + 3, alerts.end()})),
      DumpJson(AlertmanagerBody(alerts))};
  // startsAt depends on the position in the body; rebuild so each alert keeps one startsAt.
  for (std::string& body : bodies) {
    Json parsed = *ParseJson(body);
    for (Json& alert : parsed["alerts"]) {
      alert["startsAt"] = "2026-11-21T09:00:00Z";
    }
    body = DumpJson(parsed);
  }
  constexpr int kSenders = 8;
  constexpr int kPostsPerSender = 12;
  std::atomic<int> inserted{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> senders;
  for (int sender_idx = 0; sender_idx < kSenders; ++sender_idx) {
    senders.emplace_back([&, sender_idx] {
      httplib::Client client("127.0.0.1", sender_idx % 2 ? *replica_port : port_);
      client.set_read_timeout(60);
      client.set_tcp_nodelay(true);
      for (int post_idx = 0; post_idx < kPostsPerSender; ++post_idx) {
        const std::string& body = bodies[(sender_idx + post_idx) % bodies.size()];
        auto result = client.Post("/api/v1/alerts/alertmanager", body, "application/json");
        if (!result || result->status != 200) {
          ++failures;
          continue;
        }
        inserted += ParseJson(result->body)->at("inserted").get<int>();
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  replica.Stop();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inserted.load(), 9);
  EXPECT_EQ(AlertRows(), 9);
  EXPECT_EQ(*fleet().QueryInt("SELECT COUNT(DISTINCT message_id) FROM lark_alerts WHERE "
                              "message_id LIKE 'wh_%'"),
            9);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookHttpTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
