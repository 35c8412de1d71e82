// The HTTP API over real sockets, on SQLite and MariaDB: every route, its filters and every
// error path. The webhook, auth and limits have their own files.
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "store/report_store.h"
#include "store/task_queue.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

class HttpApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer();
  }
};

TEST_P(HttpApiTest, HealthzProbesBothDatabases) {
  HttpReply reply = Get("/healthz");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["status"], "ok");
  EXPECT_EQ(reply.json["fleet"], "ok");
  EXPECT_EQ(reply.json["memory"], "ok");
}

TEST_P(HttpApiTest, ClustersListWorstFirstWithLatestReportAndCounts) {
  HttpReply reply = Get("/api/v1/clusters?history_hours=24");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const Json& clusters = reply.json["clusters"];
  ASSERT_EQ(clusters.size(), 5u);
  EXPECT_EQ(clusters[0]["cluster_id"], kCriticalCluster);
  EXPECT_EQ(clusters[0]["risk_level"], "Critical");
  EXPECT_DOUBLE_EQ(clusters[0]["health_score"].get<double>(), 41.5);
  EXPECT_LT(clusters[0]["score_delta"].get<double>(), -15);  // the cliff in the last hour
  EXPECT_EQ(clusters[0]["customer_tier"], "S");
  EXPECT_EQ(clusters[0]["firing_alerts"], 7);
  EXPECT_EQ(clusters[0]["latest_report"]["severity"], "critical");
  EXPECT_EQ(clusters[0]["history"].size(), 24u);
  EXPECT_EQ(clusters[1]["cluster_id"], kWarningCluster);
  EXPECT_EQ(clusters[2]["cluster_id"], kHealthyCluster);
  EXPECT_EQ(clusters[3]["cluster_id"], kQuietCluster);
  EXPECT_EQ(clusters[4]["cluster_id"], kUnscoredCluster);
  EXPECT_EQ(clusters[4]["risk_level"], "");
  EXPECT_TRUE(clusters[4]["health_score"].is_null());
  EXPECT_EQ(reply.json["counts"]["Critical"], 1);
  EXPECT_EQ(reply.json["counts"]["Warning"], 1);
  EXPECT_EQ(reply.json["counts"]["Healthy"], 2);
  EXPECT_EQ(reply.json["counts"]["Unscored"], 1);
  EXPECT_EQ(reply.json["as_of"], FormatIsoTime(SeedNow()));

  HttpReply critical = Get("/api/v1/clusters?risk=Critical");
  ASSERT_EQ(critical.status, 200);
  ASSERT_EQ(critical.json["clusters"].size(), 1u);
  EXPECT_FALSE(critical.json["clusters"][0].contains("history"));

  HttpReply by_account = Get("/api/v1/clusters?account=acct-gamma");
  ASSERT_EQ(by_account.status, 200);
  EXPECT_EQ(by_account.json["clusters"].size(), 2u);

  EXPECT_EQ(Get("/api/v1/clusters?risk=Bad").status, 400);
  EXPECT_EQ(Get("/api/v1/clusters?history_hours=-1").status, 400);
  EXPECT_EQ(Get("/api/v1/clusters?history_hours=abc").status, 400);
}

TEST_P(HttpApiTest, ClusterDetail) {
  HttpReply reply = Get(std::string("/api/v1/clusters/") + kCriticalCluster);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["cluster_name"], "alpha-prod");
  EXPECT_EQ(reply.json["node_groups"].size(), 2u);
  EXPECT_EQ(reply.json["history"].size(), 24u);
  EXPECT_EQ(reply.json["recent_alerts"].size(), 3u);
  EXPECT_EQ(reply.json["recent_operations"].size(), 1u);
  EXPECT_EQ(reply.json["reports"].size(), 1u);
  EXPECT_TRUE(reply.json["dimension_scores"].contains("starrocks_be_disks_data_used_pct"));
  EXPECT_TRUE(reply.json["investigations"].is_array());

  HttpReply unscored = Get(std::string("/api/v1/clusters/") + kUnscoredCluster);
  ASSERT_EQ(unscored.status, 200);
  EXPECT_EQ(unscored.json["risk_level"], "");
  EXPECT_TRUE(unscored.json["history"].empty());

  HttpReply missing = Get("/api/v1/clusters/c-nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCodeOf(missing), "not_found");
  EXPECT_NE(ErrorMessageOf(missing).find("c-nope"), std::string::npos);

  HttpReply bad = Get("/api/v1/clusters/Bad_Id");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ErrorCodeOf(bad), "invalid_argument");
}

TEST_P(HttpApiTest, ReportsListFiltersAndPages) {
  HttpReply all = Get("/api/v1/reports");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json["reports"].size(), 3u);
  EXPECT_EQ(all.json["reports"][0]["cluster_id"], kCriticalCluster);  // newest first
  EXPECT_FALSE(all.json["reports"][0].contains("markdown"));          // summaries only
  EXPECT_TRUE(all.json["next_cursor"].is_null());

  EXPECT_EQ(Get("/api/v1/reports?severity=medium").json["reports"].size(), 2u);  // at least
  EXPECT_EQ(Get("/api/v1/reports?category=alert_noise").json["reports"].size(), 1u);
  EXPECT_EQ(Get(std::string("/api/v1/reports?cluster=") + kWarningCluster).json["reports"].size(),
            1u);
  EXPECT_EQ(Get("/api/v1/reports?account=acct-beta").json["reports"].size(), 1u);
  // "since" as a look-back from the server clock, and as a time.
  EXPECT_EQ(Get("/api/v1/reports?since=1h").json["reports"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/reports?since=" + FormatIsoTime(SeedNow() - std::chrono::hours(3)))
                .json["reports"]
                .size(),
            2u);

  HttpReply first = Get("/api/v1/reports?limit=2");
  ASSERT_EQ(first.json["reports"].size(), 2u);
  ASSERT_TRUE(first.json["next_cursor"].is_string());
  HttpReply second = Get("/api/v1/reports?limit=2&cursor=" +
                         UrlEncode(first.json["next_cursor"].get<std::string>()));
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(second.json["reports"].size(), 1u);
  EXPECT_EQ(second.json["reports"][0]["cluster_id"], kHealthyCluster);

  for (const char* bad :
       {"/api/v1/reports?severity=urgent", "/api/v1/reports?category=nope",
        "/api/v1/reports?limit=0", "/api/v1/reports?limit=201", "/api/v1/reports?limit=ten",
        "/api/v1/reports?since=yesterday", "/api/v1/reports?cursor=garbage",
        "/api/v1/reports?cluster=BAD!", "/api/v1/reports?account=BAD!"}) {
    HttpReply reply = Get(bad);
    EXPECT_EQ(reply.status, 400) << bad << " " << reply.body;
    EXPECT_EQ(ErrorCodeOf(reply), "invalid_argument") << bad;
    EXPECT_FALSE(ErrorMessageOf(reply).empty()) << bad;
  }
}

TEST_P(HttpApiTest, ReportDetailAsJsonAndMarkdown) {
  std::string report_id = Get("/api/v1/reports").json["reports"][0]["report_id"];
  HttpReply reply = Get("/api/v1/reports/" + report_id);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["severity"], "critical");
  EXPECT_EQ(reply.json["report"]["evidence"].size(), 3u);
  EXPECT_EQ(reply.json["report"]["evidence"][0]["tool_call_id"], "call_1");
  EXPECT_EQ(reply.json["report"]["recommendations"][0]["operation"], "expand_disk");
  EXPECT_EQ(reply.json["transcript"].size(), 3u);
  EXPECT_FALSE(reply.json["markdown"].get<std::string>().empty());

  HttpReply markdown = Get("/api/v1/reports/" + report_id, {{"Accept", "text/markdown"}});
  ASSERT_EQ(markdown.status, 200);
  EXPECT_TRUE(markdown.Header("Content-Type").starts_with("text/markdown"));
  EXPECT_EQ(markdown.body, reply.json["markdown"].get<std::string>());
  EXPECT_EQ(Get("/api/v1/reports/" + report_id + "?format=markdown").body, markdown.body);

  HttpReply missing = Get("/api/v1/reports/rpt_missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCodeOf(missing), "not_found");
}

TEST_P(HttpApiTest, InvestigationLifecycle) {
  const std::string body =
      std::string(R"({"cluster_id":")") + kCriticalCluster + R"(","question":"Why is disk full?"})";
  HttpReply created = Post("/api/v1/investigations", body);
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string task_id = created.json["task_id"];
  EXPECT_TRUE(created.json["created"].get<bool>());
  EXPECT_EQ(created.json["status"], "queued");
  EXPECT_EQ(created.json["source"], "adhoc");
  EXPECT_EQ(created.Header("Location"), "/api/v1/investigations/" + task_id);

  // The same question while in flight returns the same task (normalised question).
  HttpReply again =
      Post("/api/v1/investigations", std::string(R"({"cluster_id":")") + kCriticalCluster +
                                         R"(","question":"why is  DISK full"})");
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(again.json["task_id"], task_id);
  EXPECT_FALSE(again.json["created"].get<bool>());

  HttpReply queued = Get("/api/v1/investigations/" + task_id);
  ASSERT_EQ(queued.status, 200);
  EXPECT_EQ(queued.json["status"], "queued");
  EXPECT_TRUE(queued.json["report"].is_null());

  // A worker claims it, stores a report and completes it.
  store::TaskQueue queue(memory(), clock_, config_.queue);
  auto claimed = queue.Claim("worker-1");
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_EQ((*claimed)->id, task_id);
  EXPECT_EQ(Get("/api/v1/investigations/" + task_id).json["status"], "running");
  store::ReportStore reports(memory());
  auto report_id = reports.Insert(
      MakeStoredReport(kCriticalCluster, Severity::kHigh, RootCause::kDiskCapacity, clock_.Now(),
                       task_id));
  ASSERT_TRUE(report_id);
  ASSERT_TRUE(queue.Complete(task_id, "worker-1", *report_id));

  HttpReply done = Get("/api/v1/investigations/" + task_id);
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.json["status"], "done");
  EXPECT_EQ(done.json["report_id"], *report_id);
  EXPECT_EQ(done.json["report"]["report_id"], *report_id);
  EXPECT_EQ(done.json["report"]["report"]["severity"], "high");
  // The reasoning is stored and returned as written: hypotheses, ruled-out causes, gaps.
  const Json& reasoning = done.json["report"]["report"];
  ASSERT_EQ(reasoning["hypotheses"].size(), 2u);
  EXPECT_EQ(reasoning["hypotheses"][0]["rank"], 1);
  EXPECT_EQ(reasoning["hypotheses"][0]["category"], "disk_capacity");
  EXPECT_EQ(reasoning["hypotheses"][0]["evidence_for"][0]["tool_call_id"], "call_2");
  EXPECT_EQ(reasoning["hypotheses"][1]["evidence_against"][0]["finding"],
            "compaction score 12, normal");
  EXPECT_EQ(reasoning["ruled_out"][0]["category"], "alert_noise");
  EXPECT_EQ(reasoning["missing_evidence"][0], "query_similar_clusters was not run");
  EXPECT_NE(done.json["report"]["markdown"].get<std::string>().find("## Hypotheses"),
            std::string::npos);

  HttpReply listed = Get("/api/v1/investigations?status=done");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json["investigations"].size(), 1u);
  EXPECT_EQ(listed.json["investigations"][0]["task_id"], task_id);
  EXPECT_EQ(Get("/api/v1/investigations?status=queued").json["investigations"].size(), 0u);
  EXPECT_EQ(Get("/api/v1/investigations?status=nope").status, 400);

  // Done, so the same question makes a new task.
  HttpReply fresh = Post("/api/v1/investigations", body);
  ASSERT_EQ(fresh.status, 202);
  EXPECT_NE(fresh.json["task_id"], task_id);
  // The overview shows the cluster's task in flight.
  HttpReply clusters = Get("/api/v1/clusters");
  EXPECT_EQ(clusters.json["clusters"][0]["active_task"]["task_id"], fresh.json["task_id"]);
}

TEST_P(HttpApiTest, InvestigationErrors) {
  struct Case {
    std::string body;
    int status;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {"", 400, "body"},
      {"not json", 400, "body"},
      {"[1,2]", 400, "object"},
      {"{}", 400, "cluster_id"},
      {R"({"cluster_id": 7})", 400, "cluster_id"},
      {R"({"cluster_id": "Bad Cluster"})", 400, "cluster id"},
      {R"({"cluster_id": "c-nope"})", 404, "c-nope"},
      {std::string(R"({"cluster_id": ")") + kCriticalCluster + R"(", "question": 5})", 400,
       "question"},
      {std::string(R"({"cluster_id": ")") + kCriticalCluster + R"(", "question": ")" +
           std::string(2001, 'x') + "\"}",
       400, "question"},
      {std::string(R"({"cluster_id": ")") + kCriticalCluster + R"(", "priority": 9})", 400,
       "priority"},
  };
  for (const Case& test_case : cases) {
    HttpReply reply = Post("/api/v1/investigations", test_case.body);
    EXPECT_EQ(reply.status, test_case.status) << test_case.body.substr(0, 80) << " " << reply.body;
    EXPECT_NE(ErrorMessageOf(reply).find(test_case.mentions), std::string::npos)
        << ErrorMessageOf(reply);
  }
  EXPECT_EQ(*memory().QueryInt("SELECT COUNT(*) FROM investigation_tasks"), 0);
  HttpReply missing = Get("/api/v1/investigations/tsk_missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCodeOf(missing), "not_found");
}

TEST_P(HttpApiTest, UnknownRoutesAndDatabaseFailuresAreJsonErrors) {
  HttpReply unknown = Get("/api/v1/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  HttpReply wrong_method = Post("/api/v1/reports", "{}");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(ErrorCodeOf(wrong_method), "invalid_argument");
  HttpReply both = Send("DELETE", "/api/v1/investigations");
  EXPECT_EQ(both.status, 405);
  EXPECT_EQ(both.Header("Allow"), "POST, GET, HEAD");
  EXPECT_EQ(Post("/reports", "{}").Header("Allow"), "GET, HEAD") << "a page path";

  // A broken memory database: the route fails with one JSON error (the status is the store's
  // error code's), and the server keeps serving.
  ASSERT_TRUE(memory().Execute("DROP TABLE investigation_reports"));
  HttpReply broken = Get("/api/v1/reports");
  EXPECT_GE(broken.status, 400) << broken.body;
  EXPECT_FALSE(ErrorCodeOf(broken).empty());
  EXPECT_NE(ErrorMessageOf(broken).find("investigation_reports"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/clusters/c-nope").status, 404);
}

TEST_P(HttpApiTest, MetricsCountRequestsAndTasks) {
  ASSERT_EQ(Get("/api/v1/reports").status, 200);
  ASSERT_EQ(Get("/api/v1/reports/rpt_missing").status, 404);
  ASSERT_EQ(
      Post("/api/v1/investigations", std::string(R"({"cluster_id":")") + kWarningCluster + R"("})")
          .status,
      202);
  HttpReply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.Header("Content-Type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("rockhound_http_requests_total{method=\"GET\",route=\"/api/v1/reports\","
                      "status=\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rockhound_http_errors_total{code=\"not_found\",route=\"/api/v1/reports/"
                      "{id}\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rockhound_tasks{status=\"queued\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("rockhound_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_P(HttpApiTest, MetricsExportBuildInfoAndOneGaugePerScoredCluster) {
  HttpReply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("rockhound_build_info{compiler="), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE rockhound_cluster_health_score gauge"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("rockhound_cluster_health_score{cluster_id=\"") +
                      kCriticalCluster + "\",tier=\"S\"} 41.5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string("rockhound_cluster_risk_level{cluster_id=\"") +
                      kCriticalCluster + "\",tier=\"S\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string("rockhound_cluster_risk_level{cluster_id=\"") + kHealthyCluster),
            std::string::npos);
  EXPECT_EQ(text.find(std::string("cluster_id=\"") + kUnscoredCluster), std::string::npos)
      << "an unscored cluster has no score to export";
  EXPECT_NE(text.find("rockhound_clusters_scored 4"), std::string::npos) << text;
  EXPECT_NE(text.find("rockhound_clusters_exported 4"), std::string::npos) << text;
}

TEST_P(HttpApiTest, MetricsClusterGaugesAreCappedWorstFirst) {
  config_.server.metrics_max_clusters = 1;
  StartServer();  // a new Runtime with the new config, as a restart would
  HttpReply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string& text = metrics.body;
  EXPECT_NE(text.find(std::string("rockhound_cluster_health_score{cluster_id=\"") +
                      kCriticalCluster),
            std::string::npos)
      << "the worst cluster is the one kept: " << text;
  EXPECT_EQ(text.find(std::string("cluster_id=\"") + kWarningCluster), std::string::npos) << text;
  EXPECT_NE(text.find("rockhound_clusters_scored 4"), std::string::npos) << text;
  EXPECT_NE(text.find("rockhound_clusters_exported 1"), std::string::npos) << text;
}

TEST_P(HttpApiTest, ServesTheWebPage) {
  for (const char* path : {"/", "/reports", "/reports/rpt_x", "/clusters/c-alpha-prod",
                           "/investigate", "/investigations/tsk_x"}) {
    HttpReply page = Get(path);
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_TRUE(page.Header("Content-Type").starts_with("text/html")) << path;
    EXPECT_NE(page.body.find("/assets/app.js"), std::string::npos) << path;
    EXPECT_NE(page.Header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  }
  HttpReply script = Get("/assets/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_TRUE(script.Header("Content-Type").starts_with("text/javascript"));
  EXPECT_GT(script.body.size(), 1000u);
  HttpReply style = Get("/assets/style.css");
  EXPECT_EQ(style.status, 200);
  EXPECT_TRUE(style.Header("Content-Type").starts_with("text/css"));
  EXPECT_EQ(Get("/assets/missing.js").status, 404);
  // No external asset: every src/href of the page is local.
  HttpReply index = Get("/");
  EXPECT_EQ(index.body.find("http://"), std::string::npos);
  EXPECT_EQ(index.body.find("https://"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, HttpApiTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
