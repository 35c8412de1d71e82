// The issue routes over real sockets on SQLite and MariaDB: alerts posted to the webhook become
// issues listed open-first and paged, one issue with its timeline, the lifecycle steps with 409
// naming the allowed states, /metrics counts of open issues, and the Issues page route.
#include <gtest/gtest.h>

#include "store/report_store.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

Json Body(const std::vector<std::array<std::string, 3>>& alerts) {
  Json body = {{"version", "4"}, {"status", "firing"}, {"alerts", Json::array()}};
  for (const auto& [name, cluster, starts] : alerts) {
    body["alerts"].push_back(
        {{"status", "firing"},
         {"labels", {{"alertname", name}, {"cluster_id", cluster}, {"severity", "warning"}}},
         {"annotations", {{"summary", name}}},
         {"startsAt", starts},
         {"endsAt", "0001-01-01T00:00:00Z"}});
  }
  return body;
}

class IssuesApiTest : public ServerTest {};

TEST_P(IssuesApiTest, ListShowAndMoveIssues) {
  config_.server.investigate_critical_alerts = false;
  StartServer();
  HttpReply posted = Post("/api/v1/alerts/alertmanager",
                          DumpJson(Body({{"HeapUsageTooHigh", kQuietCluster, "2026-11-21T08:00:00Z"},
                                         {"BeAliveAbnormal", kQuietCluster, "2026-11-21T08:30:00Z"},
                                         {"OperationAbnormal", kHealthyCluster,
                                          "2026-11-21T07:00:00Z"}})));
  ASSERT_EQ(posted.status, 200) << posted.body;

  HttpReply list = Get("/api/v1/issues?cluster=" + std::string(kQuietCluster));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["issues"].size(), 1u);
  const Json issue = list.json["issues"][0];
  EXPECT_EQ(issue["kind"], "anomaly");
  EXPECT_EQ(issue["escalated"], true);
  EXPECT_EQ(issue["issue_status"], "Ongoing");
  EXPECT_EQ(issue["triage_status"], "New");
  const std::string id = issue["issue_id"];

  HttpReply escalated = Get("/api/v1/issues?escalated=true");
  ASSERT_EQ(escalated.status, 200);
  EXPECT_EQ(escalated.json["issues"].size(), 1u);
  HttpReply paged = Get("/api/v1/issues?limit=1");
  ASSERT_EQ(paged.status, 200);
  EXPECT_EQ(paged.json["issues"].size(), 1u);
  EXPECT_FALSE(paged.json["next_cursor"].is_null());
  HttpReply next = Get("/api/v1/issues?limit=1&cursor=" +
                       PercentEncode(paged.json["next_cursor"].get<std::string>()));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_NE(next.json["issues"][0]["issue_id"], paged.json["issues"][0]["issue_id"]);

  HttpReply one = Get("/api/v1/issues/" + id);
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_EQ(one.json["alerts"].size(), 2u);
  EXPECT_EQ(one.json["alerts"][0]["alert_name"], "HeapUsageTooHigh");  // oldest first
  EXPECT_EQ(Get("/api/v1/issues/iss_nope").status, 404);

  HttpReply acked = Post("/api/v1/issues/" + id + "/ack", R"({"actor": "alice"})");
  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(acked.json["triage_status"], "Acknowledged");
  HttpReply again = Post("/api/v1/issues/" + id + "/ack", "");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json["error"]["code"], "conflict");
  EXPECT_EQ(again.json["error"]["current"], "Acknowledged");
  EXPECT_EQ(again.json["error"]["allowed"],
            Json::array({"Investigating", "Mitigating", "Closed"}));
  HttpReply triaged = Post("/api/v1/issues/" + id + "/triage",
                           R"({"status": "mitigating", "actor": "alice", "note": "rolled back"})");
  ASSERT_EQ(triaged.status, 200) << triaged.body;
  EXPECT_EQ(Post("/api/v1/issues/" + id + "/triage", R"({"status": "bogus"})").status, 400);
  EXPECT_EQ(Post("/api/v1/issues/" + id + "/disposition", R"({"status": "jira created"})").status,
            400);  // no ticket
  HttpReply disposed = Post("/api/v1/issues/" + id + "/disposition",
                            R"({"status": "JIRA Created", "ticket_ref": "OPS-42"})");
  ASSERT_EQ(disposed.status, 200) << disposed.body;
  EXPECT_EQ(disposed.json["ticket_ref"], "OPS-42");
  HttpReply final_step = Post("/api/v1/issues/" + id + "/disposition",
                              R"({"status": "no action needed"})");
  EXPECT_EQ(final_step.status, 409);
  EXPECT_TRUE(final_step.json["error"]["allowed"].empty());
  HttpReply history = Get("/api/v1/issues/" + id);
  ASSERT_GE(history.json["events"].size(), 5u);  // created, escalated, ack, triage, disposition
  EXPECT_EQ(history.json["events"].back()["actor"], "http");

  HttpReply metrics = Get("/metrics");
  EXPECT_NE(metrics.body.find("rockhound_open_issues{triage_status=\"Mitigating\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("rockhound_open_issues_escalated 1"), std::string::npos);
  // The tier A cluster's new FAILURE issue queued an investigation; its report links back.
  HttpReply healthy = Get("/api/v1/issues?cluster=" + std::string(kHealthyCluster));
  ASSERT_EQ(healthy.json["issues"].size(), 1u);
  const std::string healthy_id = healthy.json["issues"][0]["issue_id"];
  HttpReply linked = Get("/api/v1/issues/" + healthy_id);
  ASSERT_EQ(linked.json["investigations"].size(), 1u) << linked.body;
  const std::string task_id = linked.json["investigations"][0]["task_id"];
  EXPECT_EQ(linked.json["investigations"][0]["reason"], "new");
  store::StoredReport report = MakeStoredReport(kHealthyCluster, Severity::kHigh,
                                                RootCause::kNodeFailure, SeedNow());
  report.task_id = task_id;
  auto report_id = store::ReportStore(memory()).Insert(report);
  ASSERT_TRUE(report_id) << report_id.error().ToString();
  HttpReply report_json = Get("/api/v1/reports/" + *report_id);
  ASSERT_EQ(report_json.status, 200);
  EXPECT_EQ(report_json.json["issues"], Json::array({healthy_id}));

  EXPECT_EQ(Get("/issues").status, 200);
  EXPECT_EQ(Get("/issues/" + id).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, IssuesApiTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
