// Follow-up questions on a stored report (service/followups.h) on SQLite and MariaDB: the
// playbook's deterministic answers (a tool run again, the evidence behind a finding, the list of
// calls, and the plain statement of what it cannot answer), the model's answer through the
// scripted Anthropic-compatible server (real sockets; and as an OpenAI-compatible one) citing a call of the original transcript
// and one it made, citation validation with one repair turn, the daily budget, and the errors
// that store nothing.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>

#include "agent/follow_up.h"
#include "service/followups.h"
#include "service/json_views.h"
#include "service/reports.h"
#include "store/report_messages.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/service/service_fixture.h"

namespace rh::testing {
namespace {

using service::FollowUps;
using service::FollowUpSpec;

class FollowUpTest : public ServiceTest {
 protected:
  // The seeded critical report of kCriticalCluster (calls call_1..call_3 in its transcript).
  std::string CriticalReport() {
    service::ReportQuery query;
    query.cluster_id = kCriticalCluster;
    auto page = service::Reports(runtime()).List(query);
    EXPECT_TRUE(page && !page->reports.empty());
    return page && !page->reports.empty() ? page->reports.front().report_id : "";
  }

  Result<store::ReportMessage> Ask(const std::string& report_id, const std::string& question,
                                   std::optional<EngineKind> engine = EngineKind::kPlaybook) {
    FollowUpSpec spec;
    spec.report_id = report_id;
    spec.question = question;
    spec.engine = engine;
    spec.requester = "test";
    return FollowUps(runtime()).Ask(spec);
  }

  size_t StoredCount(const std::string& report_id) {
    auto listed = FollowUps(runtime()).List(report_id);
    EXPECT_TRUE(listed) << listed.error().ToString();
    return listed ? listed->size() : 0;
  }

  // Points the Runtime at `server` as the Anthropic API.
  void UseModel(const ScriptedAnthropicServer& server) {
    config_.secrets.anthropic_api_key = "test-key";
    config_.secrets.anthropic_base_url = server.base_url();
    config_.agent.max_retries = 0;
    MakeRuntime();
  }
};

Json Citations(const store::ReportMessage& message) {
  auto parsed = ParseJson(message.citations_json, "citations");
  return parsed ? *parsed : Json();
}

AnthropicScenario Scenario(const std::string& json) {
  auto scenario = AnthropicScenario::Parse(Json::parse(json), "follow-up");
  EXPECT_TRUE(scenario) << scenario.error().ToString();
  return scenario ? *scenario : AnthropicScenario{};
}

// ---- the playbook's answers -----------------------------------------------------------------

TEST_P(FollowUpTest, PlaybookRunsANamedToolAgainAndCitesTheNewCall) {
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "Re-run get_metrics, show disk");
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->engine, EngineKind::kPlaybook);
  EXPECT_EQ(message->seq, 1);
  auto calls = ParseJson(message->transcript_json, "transcript");
  ASSERT_TRUE(calls);
  ASSERT_EQ(calls->size(), 1u);
  const Json& call = (*calls)[0];
  EXPECT_EQ(call["tool"], "query_cluster_metrics");
  EXPECT_EQ(call["input"]["cluster_id"], kCriticalCluster);
  EXPECT_EQ(call["input"]["dimensions"], Json::array({"disk"}));
  EXPECT_FALSE(call["is_error"].get<bool>()) << call["output"];
  EXPECT_EQ(call["id"], "call_4");  // after the report's call_1..call_3
  EXPECT_NE(message->answer.find("Ran query_cluster_metrics again now (call_4"),
            std::string::npos)
      << message->answer;
  // The report's own metrics call is shown beside it.
  EXPECT_NE(message->answer.find("call_2"), std::string::npos) << message->answer;
  const Json citations = Citations(*message);
  ASSERT_EQ(citations.size(), 2u) << citations;
  EXPECT_EQ(citations[0]["tool_call_id"], "call_4");
  EXPECT_EQ(citations[1]["tool_call_id"], "call_2");
  EXPECT_EQ(message->cost_usd, 0.0);
}

TEST_P(FollowUpTest, PlaybookShowsTheEvidenceBehindAFindingByNumberOrWords) {
  const std::string report_id = CriticalReport();
  auto by_number = Ask(report_id, "What is the evidence for finding 3?");
  ASSERT_TRUE(by_number) << by_number.error().ToString();
  EXPECT_NE(by_number->answer.find("Finding 3: 3 firing BeDiskUsageHigh alerts"),
            std::string::npos)
      << by_number->answer;
  EXPECT_NE(by_number->answer.find("from call_3 query_cluster_alerts"), std::string::npos);
  ASSERT_EQ(Citations(*by_number).size(), 1u);
  EXPECT_EQ(Citations(*by_number)[0]["tool_call_id"], "call_3");
  EXPECT_EQ(by_number->transcript_json, "[]");  // nothing was run

  auto by_words = Ask(report_id, "Which evidence shows the ESSD size?");
  ASSERT_TRUE(by_words) << by_words.error().ToString();
  ASSERT_EQ(Citations(*by_words).size(), 1u) << by_words->answer;
  EXPECT_EQ(Citations(*by_words)[0]["tool_call_id"], "call_1");

  auto missing = Ask(report_id, "evidence for finding 9");
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->answer.find("there is no finding 9"), std::string::npos);
  EXPECT_TRUE(Citations(*missing).empty());
  EXPECT_EQ(StoredCount(report_id), 3u);
}

TEST_P(FollowUpTest, PlaybookListsTheCallsAndSaysPlainlyWhatNeedsAModel) {
  const std::string report_id = CriticalReport();
  auto list = Ask(report_id, "list the tool calls");
  ASSERT_TRUE(list) << list.error().ToString();
  EXPECT_NE(list->answer.find("call_1  query_cluster_info"), std::string::npos) << list->answer;
  EXPECT_NE(list->answer.find("call_3  query_cluster_alerts"), std::string::npos);

  auto open = Ask(report_id, "Could a bigger warehouse have prevented this?");
  ASSERT_TRUE(open) << open.error().ToString();
  EXPECT_NE(open->answer.find("Anything else needs a model"), std::string::npos) << open->answer;
  EXPECT_NE(open->answer.find("ANTHROPIC_API_KEY"), std::string::npos);
  EXPECT_NE(open->answer.find("OPENAI_API_KEY"), std::string::npos);
  EXPECT_TRUE(Citations(*open).empty());
  EXPECT_EQ(open->transcript_json, "[]");

  // The conversation is listed oldest first, numbered.
  auto listed = FollowUps(runtime()).List(report_id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].question, "list the tool calls");
  EXPECT_EQ((*listed)[0].seq, 1);
  EXPECT_EQ((*listed)[1].seq, 2);
  const Json json = service::ReportMessagesJson(report_id, *listed);
  EXPECT_EQ(json["messages"][1]["engine"], "playbook");
  EXPECT_EQ(json["messages"][1]["requester"], "test");
  EXPECT_TRUE(json["messages"][1]["model"].is_null());
}

TEST_P(FollowUpTest, BadQuestionsAndUnknownReportsStoreNothing) {
  const std::string report_id = CriticalReport();
  auto empty = Ask(report_id, "   \n ");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty.error().context, "question");
  auto oversized = Ask(report_id, std::string(service::kMaxQuestionChars + 1, 'x'));
  ASSERT_FALSE(oversized);
  EXPECT_EQ(oversized.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(oversized.error().message.find("at most 2000"), std::string::npos);
  auto unknown = Ask("rpt_nope", "list the tool calls");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto unknown_list = FollowUps(runtime()).List("rpt_nope");
  ASSERT_FALSE(unknown_list);
  EXPECT_EQ(unknown_list.error().code, ErrorCode::kNotFound);
  // claude without a model is refused, not answered by the playbook.
  auto no_model = Ask(report_id, "why?", EngineKind::kClaude);
  ASSERT_FALSE(no_model);
  EXPECT_EQ(no_model.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(StoredCount(report_id), 0u);
}

TEST_P(FollowUpTest, SecretsTypedIntoTheQuestionAreMasked) {
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "list the calls; my key is sk-ant-api03-abcdefghijklmnopqrstuvwx");
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->question.find("abcdefghijklmnop"), std::string::npos) << message->question;
}

// ---- the model's answers (scripted Anthropic-compatible server) -----------------------------

// The acceptance test: the scripted model makes one new tool call, then answers citing a call of
// the original transcript (call_2) and its new call; both citations are validated and stored.
TEST_P(FollowUpTest, AModelAnswerCitesAnOriginalCallAndOneNewCall) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [
    {"label": "a new call",
     "message": {"content": [
       {"type": "text", "text": "Let me look at the nodes now."},
       {"type": "tool_use", "id": "toolu_fu_1", "name": "query_cluster_info",
        "input": {"cluster_id": "c-alpha-prod"}}],
       "usage": {"input_tokens": 2000, "output_tokens": 60}}},
    {"label": "the answer",
     "message": {"content": [
       {"type": "tool_use", "id": "toolu_fu_2", "name": "submit_answer",
        "input": {"answer": "Disk, not compaction: data disks peaked at 93.2% (call_2) and the cluster still has 6 BE nodes (toolu_fu_1).",
                  "citations": [
                    {"tool_call_id": "call_2", "tool": "query_cluster_metrics", "finding": "disk used max 93.2%"},
                    {"tool_call_id": "toolu_fu_1", "tool": "query_cluster_info", "finding": "6 BE nodes"}]}}],
       "usage": {"input_tokens": 2400, "output_tokens": 120}}}]})"));
  UseModel(server);
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "Why disk and not the compaction backlog?", std::nullopt);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_TRUE(server.finished());
  EXPECT_EQ(message->engine, EngineKind::kClaude);
  EXPECT_FALSE(message->model.empty());
  EXPECT_TRUE(message->llm_error.empty()) << message->llm_error;
  EXPECT_EQ(message->input_tokens, 4400);
  EXPECT_EQ(message->output_tokens, 180);
  EXPECT_GT(message->cost_usd, 0.0);
  const Json citations = Citations(*message);
  ASSERT_EQ(citations.size(), 2u);
  EXPECT_EQ(citations[0]["tool_call_id"], "call_2");
  EXPECT_EQ(citations[1]["tool_call_id"], "toolu_fu_1");
  auto calls = ParseJson(message->transcript_json, "transcript");
  ASSERT_TRUE(calls);
  ASSERT_EQ(calls->size(), 1u);
  EXPECT_EQ((*calls)[0]["id"], "toolu_fu_1");
  EXPECT_FALSE((*calls)[0]["is_error"].get<bool>());
  EXPECT_NE((*calls)[0]["output"].get<std::string>().find("c-alpha-prod"), std::string::npos);

  // What the model was given: the report, its calls with their results, the question, and the
  // eight tools plus submit_answer.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const Json& first = requests[0].body;
  const std::string opening = DumpJson(first["messages"][0]);
  EXPECT_NE(opening.find("Why disk and not the compaction backlog?"), std::string::npos);
  EXPECT_NE(opening.find("[call_2] query_cluster_metrics"), std::string::npos);
  EXPECT_NE(opening.find("93.2"), std::string::npos);
  EXPECT_NE(opening.find(report_id), std::string::npos);
  std::set<std::string> tools;
  for (const Json& tool : first["tools"]) tools.insert(tool["name"].get<std::string>());
  EXPECT_EQ(tools.size(), 9u);
  EXPECT_TRUE(tools.count("submit_answer"));
  EXPECT_TRUE(tools.count("run_sql"));
  // The second turn carries the new call's result.
  EXPECT_NE(DumpJson(requests[1].body["messages"]).find("toolu_fu_1"), std::string::npos);

  // Stored with the report and counted against the day's model budget.
  auto listed = FollowUps(runtime()).List(report_id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].citations_json, message->citations_json);
  auto memory = runtime().Memory();
  ASSERT_TRUE(memory);
  auto spend = store::ReportMessageStore(**memory).CostSince(SeedNow() - std::chrono::hours(1));
  ASSERT_TRUE(spend);
  EXPECT_DOUBLE_EQ(*spend, message->cost_usd);
}

// agent.provider = openai against a keyless OpenAI-compatible server (the scripted server
// answering as Chat Completions): the follow-up makes one new call and its answer cites a call of
// the original transcript and the new one; both citations are validated and stored.
TEST_P(FollowUpTest, AnOpenAiCompatibleModelAnswersCitingAnOriginalCallAndANewOne) {
  ScriptedAnthropicServer::Options options;
  options.chat_completions = true;
  options.api_key = "";  // a local server: no Authorization header expected
  ScriptedAnthropicServer server(Scenario(R"({"turns": [
    {"label": "a new call",
     "message": {"content": [
       {"type": "text", "text": "Checking the alerts first."},
       {"type": "tool_use", "id": "call_oa_1", "name": "query_cluster_alerts",
        "input": {"cluster_id": "c-alpha-prod"}}],
       "usage": {"input_tokens": 1500, "output_tokens": 40}}},
    {"label": "the answer",
     "message": {"content": [
       {"type": "tool_use", "id": "call_oa_2", "name": "submit_answer",
        "input": {"answer": "Yes: data disks peaked at 93.2% (call_2) and the disk alerts are firing (call_oa_1).",
                  "citations": [
                    {"tool_call_id": "call_2", "tool": "query_cluster_metrics", "finding": "disk used max 93.2%"},
                    {"tool_call_id": "call_oa_1", "tool": "query_cluster_alerts", "finding": "disk alerts firing"}]}}],
       "usage": {"input_tokens": 1900, "output_tokens": 90}}}]})"),
                                 options);
  UseKeylessOpenAiServer(server, "qwen2.5:14b");
  ASSERT_FALSE(HasFatalFailure());
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "Are the disk alerts real?", std::nullopt);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_TRUE(server.finished());
  EXPECT_TRUE(server.problems().empty()) << ::testing::PrintToString(server.problems());
  EXPECT_EQ(message->engine, EngineKind::kClaude);
  EXPECT_EQ(message->model, "qwen2.5:14b");
  EXPECT_TRUE(message->llm_error.empty()) << message->llm_error;
  EXPECT_EQ(message->input_tokens, 3400);
  EXPECT_EQ(message->output_tokens, 130);
  EXPECT_NE(message->answer.find("93.2%"), std::string::npos) << message->answer;
  const Json citations = Citations(*message);
  ASSERT_EQ(citations.size(), 2u) << message->citations_json;
  EXPECT_EQ(citations[0]["tool_call_id"], "call_2");
  EXPECT_EQ(citations[0]["tool"], "query_cluster_metrics");
  EXPECT_EQ(citations[1]["tool_call_id"], "call_oa_1");
  EXPECT_EQ(citations[1]["tool"], "query_cluster_alerts");
  auto calls = ParseJson(message->transcript_json, "transcript");
  ASSERT_TRUE(calls);
  ASSERT_EQ(calls->size(), 1u);
  EXPECT_EQ((*calls)[0]["id"], "call_oa_1");
  EXPECT_EQ((*calls)[0]["tool"], "query_cluster_alerts");
  EXPECT_FALSE((*calls)[0]["is_error"].get<bool>());

  // Chat Completions on the wire: no key sent, the report and the question in the opening
  // messages, the new call's result returned as a `tool` message with its id.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.target, "/v1/chat/completions");
    EXPECT_FALSE(request.headers.contains("authorization"));
    EXPECT_EQ(request.body["model"], "qwen2.5:14b");
  }
  const std::string opening = DumpJson(requests[0].body["messages"]);
  EXPECT_NE(opening.find("Are the disk alerts real?"), std::string::npos);
  EXPECT_NE(opening.find("[call_2] query_cluster_metrics"), std::string::npos);
  bool tool_result_sent = false;
  for (const Json& sent : requests[1].body["messages"]) {
    if (sent.value("role", "") == "tool" && sent.value("tool_call_id", "") == "call_oa_1") {
      tool_result_sent = true;
    }
  }
  EXPECT_TRUE(tool_result_sent) << DumpJson(requests[1].body["messages"]);

  // Stored with the report, citations as validated.
  auto listed = FollowUps(runtime()).List(report_id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].engine, EngineKind::kClaude);
  EXPECT_EQ((*listed)[0].citations_json, message->citations_json);
  EXPECT_EQ((*listed)[0].transcript_json, message->transcript_json);
}

TEST_P(FollowUpTest, ACitationOfAnUnknownOrUnreadCallGetsOneRepairTurn) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [
    {"label": "cites a call that does not exist, and one made in the same message",
     "message": {"content": [
       {"type": "tool_use", "id": "toolu_fu_3", "name": "query_cluster_alerts",
        "input": {"cluster_id": "c-alpha-prod"}},
       {"type": "tool_use", "id": "toolu_fu_4", "name": "submit_answer",
        "input": {"answer": "Because of call_9.", "citations": [
          {"tool_call_id": "call_9", "tool": "run_sql", "finding": "made up"},
          {"tool_call_id": "toolu_fu_3", "tool": "query_cluster_alerts", "finding": "unread"}]}}]}},
    {"label": "fixed",
     "expect_last_message": {"role": "user"},
     "message": {"content": [
       {"type": "tool_use", "id": "toolu_fu_5", "name": "submit_answer",
        "input": {"answer": "The alerts match the disk usage.", "citations": [
          {"tool_call_id": "toolu_fu_3", "tool": "query_cluster_alerts", "finding": "disk alerts firing"}]}}]}}]})"));
  UseModel(server);
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "Are the alerts real?", EngineKind::kClaude);
  ASSERT_TRUE(message) << message.error().ToString();
  const std::string repair = DumpJson(server.requests()[1].body["messages"]);
  EXPECT_NE(repair.find("'call_9' is not a tool call of this investigation"), std::string::npos)
      << repair;
  EXPECT_NE(repair.find("'toolu_fu_3' was called in this same message"), std::string::npos);
  ASSERT_EQ(Citations(*message).size(), 1u);
  EXPECT_EQ(Citations(*message)[0]["tool_call_id"], "toolu_fu_3");
}

TEST_P(FollowUpTest, AnAnswerStillInvalidAfterTheRepairFallsBackToThePlaybook) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [
    {"repeat": 2, "message": {"content": [
       {"type": "tool_use", "name": "submit_answer",
        "input": {"answer": "Trust me.", "citations": [
          {"tool_call_id": "call_77", "tool": "run_sql", "finding": "made up"}]}}]}}]})"));
  UseModel(server);
  const std::string report_id = CriticalReport();
  auto message = Ask(report_id, "list the tool calls", std::nullopt);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->engine, EngineKind::kPlaybook);
  EXPECT_NE(message->llm_error.find("still invalid after one repair turn"), std::string::npos)
      << message->llm_error;
  EXPECT_NE(message->answer.find("Answered without a model"), std::string::npos);
  EXPECT_EQ(message->citations_json.find("call_77"), std::string::npos);
  EXPECT_GT(message->input_tokens + message->output_tokens, 0);  // what was spent is kept
}

TEST_P(FollowUpTest, ASpentDailyBudgetAnswersWithoutAskingTheModel) {
  ScriptedAnthropicServer server(Scenario(
      R"({"turns": [{"message": {"content": [{"type": "text", "text": "never asked"}]}}]})"));
  config_.agent.daily_budget_usd = 0.5;
  UseModel(server);
  const std::string report_id = CriticalReport();
  auto memory = runtime().Memory();
  ASSERT_TRUE(memory);
  store::ReportMessage spent;
  spent.report_id = report_id;
  spent.question = "earlier";
  spent.answer = "an expensive answer";
  spent.engine = EngineKind::kClaude;
  spent.cost_usd = 0.75;
  spent.created_at = SeedNow();
  ASSERT_TRUE(store::ReportMessageStore(**memory).Insert(spent));
  auto message = Ask(report_id, "list the tool calls", std::nullopt);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->engine, EngineKind::kPlaybook);
  EXPECT_NE(message->llm_error.find("daily model budget is spent"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(message->seq, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, FollowUpTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
