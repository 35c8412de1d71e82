// Follow-up questions over real sockets, on SQLite and MariaDB: POST /api/v1/reports/{id}/messages
// answers (the playbook without a model, the scripted Anthropic-compatible server with one) and
// stores the message, GET lists the conversation, and bad questions, bodies and report ids get
// a clear 400/404 with nothing stored.
#include <gtest/gtest.h>

#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

class ReportMessagesApiTest : public ServerTest {
 protected:
  std::string CriticalReport() {
    HttpReply list = Get("/api/v1/reports?cluster=" + std::string(kCriticalCluster));
    EXPECT_EQ(list.status, 200) << list.body;
    return list.json["reports"][0]["report_id"].get<std::string>();
  }
  std::string MessagesOf(const std::string& report_id) {
    return "/api/v1/reports/" + report_id + "/messages";
  }
};

TEST_P(ReportMessagesApiTest, APostedQuestionIsAnsweredStoredAndListed) {
  StartServer();
  const std::string report_id = CriticalReport();
  HttpReply empty = Get(MessagesOf(report_id));
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json["report_id"], report_id);
  EXPECT_TRUE(empty.json["messages"].empty());

  HttpReply asked = Post(MessagesOf(report_id),
                         DumpJson(Json{{"question", "What is the evidence for finding 2?"},
                                       {"engine", "playbook"}}));
  ASSERT_EQ(asked.status, 201) << asked.body;
  EXPECT_EQ(asked.Header("Location"), MessagesOf(report_id));
  EXPECT_EQ(asked.json["report_id"], report_id);
  EXPECT_EQ(asked.json["seq"], 1);
  EXPECT_EQ(asked.json["engine"], "playbook");
  EXPECT_EQ(asked.json["requester"], "http");
  EXPECT_NE(asked.json["answer"].get<std::string>().find("Finding 2"), std::string::npos);
  ASSERT_EQ(asked.json["citations"].size(), 1u);
  EXPECT_EQ(asked.json["citations"][0]["tool_call_id"], "call_2");
  EXPECT_EQ(asked.json["citations"][0]["tool"], "query_cluster_metrics");

  HttpReply rerun = Post(MessagesOf(report_id), DumpJson(Json{{"question", "current alerts"}}));
  ASSERT_EQ(rerun.status, 201) << rerun.body;  // engine auto without a key: the playbook
  EXPECT_EQ(rerun.json["tool_calls"].size(), 1u);
  EXPECT_EQ(rerun.json["tool_calls"][0]["tool"], "query_cluster_alerts");

  HttpReply listed = Get(MessagesOf(report_id));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json["messages"].size(), 2u);
  EXPECT_EQ(listed.json["messages"][0], asked.json);
  EXPECT_EQ(listed.json["messages"][1]["seq"], 2);
}

TEST_P(ReportMessagesApiTest, BadQuestionsAndUnknownReportsAreClearErrorsAndStoreNothing) {
  StartServer();
  const std::string report_id = CriticalReport();
  struct Case {
    std::string body;
    std::string field;
  };
  for (const Case& bad : std::vector<Case>{
           {"{}", "question"},
           {R"({"question": 3})", "question"},
           {R"({"question": "   "})", "question"},
           {DumpJson(Json{{"question", std::string(2001, 'q')}}), "question"},
           {R"({"question": "why?", "engine": "gpt"})", "engine"},
           {R"({"question": "why?", "engine": "claude"})", "engine"},
           {"[1]", "body"}}) {
    SCOPED_TRACE(bad.body.substr(0, 60));
    HttpReply reply = Post(MessagesOf(report_id), bad.body);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(ErrorCodeOf(reply), "invalid_argument");
    EXPECT_NE(ErrorMessageOf(reply).find(bad.field), std::string::npos) << reply.body;
  }
  HttpReply missing = Post(MessagesOf("rpt_missing"), R"({"question": "list the calls"})");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(ErrorCodeOf(missing), "not_found");
  EXPECT_EQ(Get(MessagesOf("rpt_missing")).status, 404);
  EXPECT_TRUE(Get(MessagesOf(report_id)).json["messages"].empty());
}

TEST_P(ReportMessagesApiTest, WithAModelTheAnswerCitesTheTranscriptAndANewCall) {
  auto scenario = AnthropicScenario::Parse(Json::parse(R"({"turns": [
    {"message": {"content": [
       {"type": "tool_use", "id": "toolu_http_1", "name": "query_cluster_operations",
        "input": {"cluster_id": "c-alpha-prod"}}]}},
    {"message": {"content": [
       {"type": "tool_use", "id": "toolu_http_2", "name": "submit_answer",
        "input": {"answer": "No operation explains it; the disks filled (call_2).",
                  "citations": [
                    {"tool_call_id": "call_2", "tool": "query_cluster_metrics", "finding": "disk 93.2%"},
                    {"tool_call_id": "toolu_http_1", "tool": "query_cluster_operations", "finding": "no recent operation"}]}}]}}]})"),
                                           "http");
  ASSERT_TRUE(scenario) << scenario.error().ToString();
  ScriptedAnthropicServer model(*scenario);
  config_.secrets.anthropic_api_key = "test-key";
  config_.secrets.anthropic_base_url = model.base_url();
  config_.agent.max_retries = 0;
  StartServer();
  const std::string report_id = CriticalReport();
  HttpReply asked = Post(MessagesOf(report_id),
                         DumpJson(Json{{"question", "Did an operation cause this?"}}));
  ASSERT_EQ(asked.status, 201) << asked.body;
  EXPECT_EQ(asked.json["engine"], "claude");
  ASSERT_EQ(asked.json["citations"].size(), 2u);
  EXPECT_EQ(asked.json["citations"][0]["tool_call_id"], "call_2");
  EXPECT_EQ(asked.json["citations"][1]["tool_call_id"], "toolu_http_1");
  EXPECT_EQ(asked.json["tool_calls"][0]["id"], "toolu_http_1");
  EXPECT_TRUE(model.finished());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportMessagesApiTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
