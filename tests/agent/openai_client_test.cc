// The OpenAI-compatible provider: the real OpenAiClient over real sockets against an
// OpenAI-compatible scripted server (the scripted Anthropic server's scaffolding serving Chat
// Completions bodies verbatim; every request it receives is checked here the way a Chat
// Completions server would: path, bearer key, message roles, every assistant tool call answered
// by a `tool` message in order, function tools, no Anthropic-only fields), driven by the real
// ClaudeEngine loop and Investigator over the simulated fleet's eight tools. The Anthropic
// scenario files are translated turn by turn into Chat Completions answers, so both providers
// replay the same investigations. Quirks of local servers: missing usage, invalid JSON
// arguments, prose instead of a tool call, finish_reason length; faults: 429 with retry-after,
// 401.
#include "agent/openai_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/claude_engine.h"
#include "agent/internal/openai_strict_schema.h"
#include "agent/investigator.h"
#include "agent/playbook_engine.h"
#include "agent/report.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/scripted_chat_completions.h"

namespace rh::agent {
namespace {

using loop_test::Fleet;
using loop_test::LoadScenario;
using loop_test::RecordingClock;
using rh::testing::AnthropicScenario;
using rh::testing::ReceivedRequest;
using rh::testing::ScriptedAnthropicServer;
using rh::testing::ScriptedTurn;
using rh::testing::ToolCall;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "opk-local-proxy-5f1c9e2a7b3d";  // no sk- prefix: masked by value
constexpr char kModel[] = "qwen2.5-14b-instruct";

ScriptedTurn Completion(Json message, const std::string& finish_reason, Json usage = Json()) {
  return rh::testing::ChatCompletion(std::move(message), finish_reason, kModel, std::move(usage));
}

ScriptedTurn FromAnthropic(const ScriptedTurn& turn, bool with_usage = true) {
  return rh::testing::ChatCompletionOf(turn, kModel, with_usage);
}

class OpenAiProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Fleet().error.empty()) << Fleet().error;
    cluster_ = Fleet().IncidentCluster(RootCause::kDiskCapacity);
    ASSERT_FALSE(cluster_.empty());
    memory_ = std::make_unique<loop_test::TestMemory>("sqlite");
    ASSERT_TRUE(memory_->error().empty()) << memory_->error();
    auto tools = loop_test::BuildTools(memory_->db(), clock_);
    ASSERT_TRUE(tools) << tools.error().ToString();
    tools_ = std::move(*tools);
    config_.max_steps = 20;
  }

  void TearDown() override {
    if (!server_) return;
    for (const ReceivedRequest& request : server_->requests()) {
      for (const std::string& problem :
           rh::testing::ChatRequestProblems(request, expected_key_, strict_allowed_)) {
        ADD_FAILURE() << "request " << request.body_text.substr(0, 200) << ": " << problem;
      }
    }
  }

  std::vector<ScriptedTurn> Translated(const std::string& scenario, bool with_usage = true) {
    std::vector<ScriptedTurn> turns;
    for (const ScriptedTurn& turn : LoadScenario(scenario, {{"cluster_id", cluster_}}).turns) {
      turns.push_back(FromAnthropic(turn, with_usage));
    }
    return turns;
  }

  void Start(std::vector<ScriptedTurn> turns) {
    AnthropicScenario scenario;
    scenario.name = "openai";
    scenario.turns = std::move(turns);
    ScriptedAnthropicServer::Options options;
    options.validate_requests = false;  // not the Messages API: checked in TearDown instead
    options.validate_openapi = false;
    server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario), options);
    OpenAiClientOptions client_options;
    client_options.base_url = server_->base_url() + "/v1/";
    client_options.api_key = expected_key_;
    client_options.strict_schema = strict_allowed_;
    client_options.model = kModel;
    client_options.connect_timeout = std::chrono::seconds(5);
    client_options.request_timeout = std::chrono::seconds(30);
    client_options.jitter = [] { return 0.0; };
    auto client = OpenAiClient::Create(client_options, clock_);
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::move(*client);
    auto engine = ClaudeEngine::Create(*client_, *tools_, executor_, clock_, config_);
    ASSERT_TRUE(engine) << engine.error().ToString();
    engine_ = std::move(*engine);
  }

  Result<InvestigationOutcome> Investigate() {
    return engine_->Investigate({"tsk_openai_test", cluster_, ""}, {});
  }

  Json Body(size_t index) const { return server_->requests().at(index).body; }
  // The messages of request `index` after its last assistant message.
  Json After(size_t index) const {
    Json messages = Body(index)["messages"];
    Json out = Json::array();
    for (const Json& message : messages) {
      if (JsonString(message, "role") == "assistant") out = Json::array();
      else out.push_back(message);
    }
    return out;
  }

  std::string expected_key_ = kKey;  // "" = no Authorization header expected
  bool strict_allowed_ = false;        // agent.openai_strict_schema
  RecordingClock clock_;
  std::unique_ptr<loop_test::TestMemory> memory_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  ToolExecutor executor_{4};
  AgentConfig config_;
  std::string cluster_;
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<OpenAiClient> client_;
  std::unique_ptr<ClaudeEngine> engine_;
};

TEST_F(OpenAiProviderTest, WholeInvestigationThroughToolCallsEndsInAStoredValidReport) {
  Start(Translated("investigation_disk_full"));
  PlaybookEngine playbook(*tools_, executor_, clock_);
  InvestigatorDeps deps;
  deps.fleet = Fleet().fleet.get();
  deps.memory = memory_->db();
  deps.claude = engine_.get();
  deps.playbook = &playbook;
  deps.clock = &clock_;
  deps.config = config_;
  Investigator investigator(deps);
  auto result = investigator.Run({"", cluster_, ""}, EngineKind::kClaude);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_TRUE(server_->finished());

  store::ReportStore reports(*memory_->db());
  auto stored = reports.Get(result->report_id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->engine, EngineKind::kClaude);
  EXPECT_EQ(stored->model, kModel);  // the report names the model that wrote it
  EXPECT_EQ(stored->llm_error, "");
  Json report_json = ParseJson(stored->report_json).value();
  report_json.erase("trigger");
  auto report = ParseReport(report_json);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->root_cause_category, RootCause::kDiskCapacity);
  ASSERT_EQ(report->evidence.size(), 3u);
  EXPECT_EQ(report->evidence[0].tool_call_id, "toolu_01DiskMetrics00000000003");
  // Usage: prompt tokens minus cached ones are input, cached ones cache reads.
  EXPECT_EQ(stored->input_tokens, 2150 + 6400 + 3900 + 2600 + 3900 + 900);
  EXPECT_EQ(stored->output_tokens, 212 + 160 + 90 + 420);

  // The first request: system first, the nine function tools, tool_choice auto, the question.
  const Json first = Body(0);
  EXPECT_EQ(first["model"], kModel);
  EXPECT_EQ(first["messages"][0]["role"], "system");
  EXPECT_THAT(JsonString(first["messages"][0], "content"), HasSubstr("submit_report"));
  EXPECT_EQ(first["messages"][1]["role"], "user");
  EXPECT_THAT(JsonString(first["messages"][1], "content"), HasSubstr(cluster_));
  EXPECT_EQ(first["tools"].size(), 9u);
  EXPECT_EQ(first["tools"].back()["function"]["name"], "submit_report");
  EXPECT_EQ(first["tool_choice"], "auto");
  EXPECT_EQ(first["max_tokens"], config_.max_tokens);
  EXPECT_FALSE(first.contains("max_completion_tokens"));
  EXPECT_EQ(server_->requests().size(), 4u);
}

TEST_F(OpenAiProviderTest, ParallelToolCallsAreAnsweredByToolMessagesInOrder) {
  Start(Translated("investigation_disk_full"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  // Turn 1 made four calls at once; request 2 carries them back and answers each in order.
  const Json messages = Body(1)["messages"];
  const Json& assistant = messages[2];
  ASSERT_EQ(assistant["role"], "assistant");
  EXPECT_EQ(assistant["content"], "I'll start with the cheap protocol steps in parallel.");
  ASSERT_EQ(assistant["tool_calls"].size(), 4u);
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["name"], "query_cluster_info");
  EXPECT_EQ(ParseJson(assistant["tool_calls"][0]["function"]["arguments"].get<std::string>())
                .value(),
            (Json{{"cluster_id", cluster_}}));
  const Json after = After(1);
  ASSERT_EQ(after.size(), 5u);  // four tool messages, then the budget line
  EXPECT_EQ(after[0]["tool_call_id"], "toolu_01DiskInfo00000000000001");
  EXPECT_EQ(after[1]["tool_call_id"], "toolu_01DiskAlerts000000000002");
  EXPECT_EQ(after[2]["tool_call_id"], "toolu_01DiskMetrics00000000003");
  EXPECT_EQ(after[3]["tool_call_id"], "toolu_01DiskOps0000000000000004");
  EXPECT_THAT(JsonString(after[0], "content"), HasSubstr(cluster_));
  EXPECT_EQ(after[4]["role"], "user");
  EXPECT_THAT(JsonString(after[4], "content"), HasSubstr("[budget] turn 2"));
  ASSERT_EQ(outcome->transcript.size(), 9u);
  EXPECT_EQ(outcome->transcript[0].id, "toolu_01DiskInfo00000000000001");
  EXPECT_FALSE(outcome->transcript[0].is_error);
}

TEST_F(OpenAiProviderTest, MissingUsageCountsZeroAndTheInvestigationCompletes) {
  Start(Translated("investigation_disk_full", /*with_usage=*/false));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_EQ(outcome->usage.model_turns, 4);
  EXPECT_EQ(outcome->usage.input_tokens, 0);
  EXPECT_EQ(outcome->usage.output_tokens, 0);
  EXPECT_EQ(outcome->usage.cache_read_tokens, 0);
  EXPECT_EQ(outcome->usage.cost_usd, 0.0);
  EXPECT_EQ(outcome->model, kModel);
}

TEST_F(OpenAiProviderTest, InvalidJsonArgumentsGetAnErrorResultAndARepairTurn) {
  std::vector<ScriptedTurn> turns = Translated("investigation_report_repaired");
  // Turn 0 calls query_cluster_metrics; a broken call comes first, as llama.cpp emits it.
  ScriptedTurn broken = Completion(
      Json{{"content", nullptr},
           {"tool_calls", Json::array({ToolCall("call_broken_1", "query_cluster_alerts",
                                                "{'cluster_id': '" + cluster_ + "'")})}},
      "tool_calls");
  turns.insert(turns.begin(), broken);
  // The first report is replaced by one whose arguments are cut mid-JSON.
  turns[2] = Completion(
      Json{{"content", "Reporting."},
           {"tool_calls", Json::array({ToolCall("call_broken_report", "submit_report",
                                                "{\"severity\": \"critical\", \"evid")})}},
      "tool_calls");
  Start(turns);
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_EQ(outcome->report.root_cause_category, RootCause::kDiskCapacity);
  ASSERT_GE(outcome->transcript.size(), 2u);
  EXPECT_EQ(outcome->transcript[0].id, "call_broken_1");
  EXPECT_TRUE(outcome->transcript[0].is_error);
  EXPECT_EQ(outcome->transcript[0].input[kInvalidJsonArgumentsKey],
            "{'cluster_id': '" + cluster_ + "'");
  // The model is told its call was refused, and why.
  const Json after_broken = After(1);
  ASSERT_FALSE(after_broken.empty());
  EXPECT_EQ(after_broken[0]["tool_call_id"], "call_broken_1");
  EXPECT_THAT(JsonString(after_broken[0], "content"), HasSubstr("Error: "));
  EXPECT_THAT(JsonString(after_broken[0], "content"), HasSubstr(kInvalidJsonArgumentsKey));
  // The broken report gets the repair turn listing the schema problems.
  const Json after_report = After(3);
  ASSERT_FALSE(after_report.empty());
  EXPECT_EQ(after_report[0]["tool_call_id"], "call_broken_report");
  EXPECT_THAT(JsonString(after_report[0], "content"), HasSubstr("Error: "));
  EXPECT_THAT(JsonString(after_report[0], "content"), HasSubstr("severity"));
  EXPECT_THAT(JsonString(after_report[0], "content"), HasSubstr("call submit_report again"));
}

TEST_F(OpenAiProviderTest, ProseInsteadOfAToolCallIsAskedThenForcedToSubmitReport) {
  std::vector<ScriptedTurn> turns = Translated("investigation_text_answer");
  ASSERT_EQ(turns.size(), 3u);
  // Prose twice: the loop asks in words (auto), then forces submit_report.
  turns.insert(turns.begin() + 2, Completion(Json{{"content", "Expand the disks."}}, "stop"));
  Start(turns);
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_EQ(outcome->report.root_cause_category, RootCause::kDiskCapacity);
  ASSERT_EQ(server_->requests().size(), 4u);
  EXPECT_EQ(Body(2)["tool_choice"], "auto");
  EXPECT_THAT(Body(2)["messages"].back().dump(), HasSubstr("You stopped without calling"));
  EXPECT_EQ(Body(3)["tool_choice"],
            (Json{{"type", "function"}, {"function", {{"name", "submit_report"}}}}));
}

TEST_F(OpenAiProviderTest, FinishReasonLengthIsRetriedAtTwiceMaxTokens) {
  Start(Translated("investigation_max_tokens"));
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  ASSERT_EQ(server_->requests().size(), 3u);
  EXPECT_EQ(Body(0)["max_tokens"], 4096);
  EXPECT_EQ(Body(1)["max_tokens"], 8192);
  // The cut-off message's last call was not run; the complete one was.
  ASSERT_GE(outcome->transcript.size(), 2u);
  EXPECT_FALSE(outcome->transcript[0].is_error);
  EXPECT_TRUE(outcome->transcript[1].is_error);
  EXPECT_THAT(outcome->transcript[1].output, HasSubstr("cut off at max_tokens"));
}

LlmRequest OneQuestion() {
  LlmRequest request;
  request.messages = Json::array({Json{{"role", "user"}, {"content", "Hello"}}});
  return request;
}

TEST_F(OpenAiProviderTest, RateLimitWithRetryAfterIsWaitedOutThenSucceeds) {
  ScriptedTurn limited;
  limited.kind = ScriptedTurn::Kind::kResponse;
  limited.status = 429;
  limited.headers = {{"retry-after", "3"}, {"x-request-id", "req_limited"}};
  limited.body = {{"error", {{"message", "Rate limit reached for requests"},
                             {"type", "requests"},
                             {"code", "rate_limit_exceeded"}}}};
  Start({limited, Completion(Json{{"content", "Hi."}}, "stop",
                             Json{{"prompt_tokens", 12}, {"completion_tokens", 3}})});
  auto response = client_->CreateMessage(OneQuestion());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_THAT(clock_.waits(), ElementsAre(3.0));
  EXPECT_EQ(response->stop_reason, "end_turn");
  EXPECT_EQ(response->content, (Json::array({Json{{"type", "text"}, {"text", "Hi."}}})));
  EXPECT_EQ(response->usage.input_tokens, 12);
  EXPECT_EQ(response->usage.output_tokens, 3);
  EXPECT_EQ(response->request_id, "req_openai_scripted");
  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].retry_count, 0);
  EXPECT_EQ(requests[1].retry_count, 1);
}

TEST_F(OpenAiProviderTest, ServerErrorsAreRetriedWithTheSdkBackoffThenFail) {
  ScriptedTurn down;
  down.kind = ScriptedTurn::Kind::kResponse;
  down.status = 503;
  down.repeat = 3;
  down.body = {{"error", {{"message", "upstream unavailable"}, {"type", "server_error"}}}};
  Start({down});
  auto response = client_->CreateMessage(OneQuestion());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, HasSubstr("HTTP 503 server_error: upstream unavailable"));
  EXPECT_THAT(response.error().message, HasSubstr("3 attempts"));
  EXPECT_THAT(clock_.waits(), ElementsAre(0.5, 1.0));
}

TEST_F(OpenAiProviderTest, UnauthorizedIsPermissionDeniedWithoutTheKey) {
  ScriptedTurn denied;
  denied.kind = ScriptedTurn::Kind::kResponse;
  denied.status = 401;
  denied.body = {{"error", {{"message", std::string("Incorrect API key provided: ") + kKey},
                            {"type", "invalid_request_error"},
                            {"code", "invalid_api_key"}}}};
  Start({denied});
  auto response = client_->CreateMessage(OneQuestion());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(response.error().message, HasSubstr("HTTP 401"));
  EXPECT_THAT(response.error().message, HasSubstr("OPENAI_API_KEY"));
  EXPECT_THAT(response.error().ToString(), Not(HasSubstr(kKey)));
  EXPECT_EQ(server_->requests().size(), 1u);  // not retried
  EXPECT_TRUE(clock_.waits().empty());
}

TEST_F(OpenAiProviderTest, AKeylessLocalServerGetsNoAuthorizationHeader) {
  expected_key_ = "";  // TearDown checks every request carried no Authorization header
  Start({Completion(Json{{"content", "Hi."}}, "stop")});
  auto response = client_->CreateMessage(OneQuestion());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_FALSE(server_->requests().at(0).headers.contains("authorization"));
}

// OpenAI's context_length_exceeded (and vLLM's "maximum context length" text) is the same
// overflow as Anthropic's "prompt is too long": older tool results are compacted, the turn
// retried once, and the investigation completes with the compacted call still citable.
TEST_F(OpenAiProviderTest, ContextLengthExceededCompactsOlderToolResultsAndRetries) {
  ScriptedTurn overflow;
  overflow.kind = ScriptedTurn::Kind::kResponse;
  overflow.status = 400;
  overflow.body = {{"error",
                    {{"message", "This model's maximum context length is 32768 tokens. However, "
                                 "your messages resulted in 40211 tokens."},
                     {"type", "invalid_request_error"},
                     {"param", "messages"},
                     {"code", "context_length_exceeded"}}}};
  const Json report = {
      {"severity", "critical"},
      {"confidence", 0.8},
      {"root_cause", "Disk at 96.6%."},
      {"root_cause_category", "disk_capacity"},
      {"evidence", Json::array({Json{{"tool_call_id", "call_info_1"},
                                     {"tool", "query_cluster_info"},
                                     {"finding", "200 GB disks."}},
                                Json{{"tool_call_id", "call_metrics_2"},
                                     {"tool", "query_cluster_metrics"},
                                     {"finding", "Disk at 96.6%."}}})},
      {"recommendations", Json::array({Json{{"action", "Expand disks."}, {"rationale", "Full."}}})},
      {"summary", "Disk full."}};
  const std::string cluster_input = DumpJson(Json{{"cluster_id", cluster_}});
  Start({Completion(Json{{"content", nullptr},
                         {"tool_calls", Json::array({ToolCall("call_info_1", "query_cluster_info",
                                                              cluster_input)})}},
                    "tool_calls"),
         Completion(Json{{"content", nullptr},
                         {"tool_calls", Json::array({ToolCall("call_metrics_2",
                                                              "query_cluster_metrics",
                                                              cluster_input)})}},
                    "tool_calls"),
         overflow,
         Completion(Json{{"content", nullptr},
                         {"tool_calls", Json::array({ToolCall("call_report_3", "submit_report",
                                                              DumpJson(report))})}},
                    "tool_calls")});
  auto outcome = Investigate();
  ASSERT_TRUE(outcome) << outcome.error().ToString();
  EXPECT_TRUE(server_->finished());
  ASSERT_EQ(server_->requests().size(), 4u);
  auto tool_message = [&](size_t request, const std::string& id) {
    const Json body = Body(request);
    for (const Json& message : body["messages"]) {
      if (JsonString(message, "tool_call_id") == id) return JsonString(message, "content");
    }
    return std::string("<missing>");
  };
  // The refused request carried the first result whole; the retry has it compacted and the
  // newest result whole.
  EXPECT_THAT(tool_message(2, "call_info_1"), HasSubstr(cluster_));
  EXPECT_THAT(tool_message(3, "call_info_1"), HasSubstr("[compacted to fit the context window"));
  EXPECT_THAT(tool_message(3, "call_metrics_2"), Not(HasSubstr("[compacted")));
  ASSERT_EQ(outcome->report.evidence.size(), 2u);
  EXPECT_EQ(outcome->report.evidence[0].tool_call_id, "call_info_1");
}

// A report-shaped strict tool and a request that forces it (the loop's last-resort turn).
LlmRequest ForcedStrictReport() {
  LlmRequest request;
  request.messages = Json::array({Json{{"role", "user"}, {"content", "Report now."}}});
  request.tools = Json::array(
      {Json{{"name", "lookup"},
            {"input_schema",
             {{"type", "object"},
              {"properties", {{"q", {{"type", "string"}}}}},
              {"required", Json::array({"q"})}}}},
       Json{{"name", "submit_report"},
            {"strict", true},
            {"input_schema",
             {{"type", "object"},
              {"properties",
               {{"summary", {{"type", "string"}}},
                {"note", {{"type", "string"}}},
                {"severity", {{"enum", Json::array({"low", "high"})}}}}},
              {"required", Json::array({"summary", "severity"})},
              {"additionalProperties", false}}}}});
  request.tool_choice = {{"type", "tool"}, {"name", "submit_report"}};
  return request;
}

TEST_F(OpenAiProviderTest, AStructuredReportComesBackAsTheToolCallWithoutNulls) {
  strict_allowed_ = true;
  Start({Completion(Json{{"content", R"({"summary":"Disk full.","note":null,"severity":"high"})"}},
                    "stop")});
  auto response = client_->CreateMessage(ForcedStrictReport());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(Body(0)["response_format"]["type"], "json_schema");
  EXPECT_EQ(Body(0)["tool_choice"], "none");
  EXPECT_EQ(response->stop_reason, "tool_use");
  ASSERT_EQ(response->content.size(), 1u);
  EXPECT_EQ(response->content[0]["type"], "tool_use");
  EXPECT_EQ(response->content[0]["name"], "submit_report");
  EXPECT_EQ(response->content[0]["input"],
            (Json{{"summary", "Disk full."}, {"severity", "high"}}));  // the null note dropped
}

TEST_F(OpenAiProviderTest, AServerWithoutResponseFormatGetsTheForcedToolCallFromThenOn) {
  strict_allowed_ = true;
  ScriptedTurn refused;
  refused.kind = ScriptedTurn::Kind::kResponse;
  refused.status = 400;
  refused.body = {{"error", {{"message", "response_format of type json_schema is not supported"},
                             {"type", "invalid_request_error"}}}};
  const std::string report = R"({"summary":"Disk full.","note":null,"severity":"high"})";
  auto call = [&](const std::string& id) {
    return Completion(Json{{"content", nullptr},
                           {"tool_calls", Json::array({ToolCall(id, "submit_report", report)})}},
                      "tool_calls");
  };
  Start({refused, call("call_a"), call("call_b")});
  auto first = client_->CreateMessage(ForcedStrictReport());
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->content[0]["id"], "call_a");
  EXPECT_EQ(first->content[0]["input"], (Json{{"summary", "Disk full."}, {"severity", "high"}}));
  auto second = client_->CreateMessage(ForcedStrictReport());
  ASSERT_TRUE(second) << second.error().ToString();
  ASSERT_EQ(server_->requests().size(), 3u);
  EXPECT_TRUE(Body(0).contains("response_format"));
  EXPECT_FALSE(Body(1).contains("response_format"));
  EXPECT_EQ(Body(1)["tool_choice"],
            (Json{{"type", "function"}, {"function", {{"name", "submit_report"}}}}));
  EXPECT_FALSE(Body(2).contains("response_format"));  // remembered
  EXPECT_EQ(Body(1)["tools"][1]["function"]["strict"], true);
}

// ---- Translation without a server ---------------------------------------------------------

TEST(OpenAiTranslationTest, RequestMapsToolChoiceSystemAndDropsAnthropicOnlyFields) {
  ManualClock clock(TimePoint{});
  OpenAiClientOptions options;
  options.api_key = "k";
  options.model = "gpt-4.1";
  auto client = OpenAiClient::Create(options, clock);
  ASSERT_TRUE(client) << client.error().ToString();
  EXPECT_EQ((*client)->endpoint(), "https://api.openai.com/v1/chat/completions");
  LlmRequest request = OneQuestion();
  request.system = Json::array({Json{{"type", "text"}, {"text", "A"}, {"cache_control", "x"}},
                                Json{{"type", "text"}, {"text", "B"}}});
  request.tools = Json::array({Json{{"name", "t"},
                                    {"description", "d"},
                                    {"input_schema", {{"type", "object"}}},
                                    {"strict", true},
                                    {"cache_control", {{"type", "ephemeral"}}}}});
  request.thinking = Json{{"type", "enabled"}, {"budget_tokens", 2048}};
  request.metadata = Json{{"user_id", "rockhound-tsk"}};
  request.stop_sequences = Json::array({"END"});
  const std::pair<Json, Json> choices[] = {
      {Json{{"type", "auto"}}, Json("auto")},
      {Json{{"type", "any"}}, Json("required")},
      {Json{{"type", "none"}}, Json("none")},
      {Json{{"type", "tool"}, {"name", "t"}},
       Json{{"type", "function"}, {"function", {{"name", "t"}}}}}};
  for (const auto& [choice, expected] : choices) {
    request.tool_choice = choice;
    auto body = (*client)->BuildRequestBody(request);
    ASSERT_TRUE(body) << body.error().ToString();
    EXPECT_EQ((*body)["tool_choice"], expected) << choice.dump();
    EXPECT_EQ((*body)["messages"][0], (Json{{"role", "system"}, {"content", "A\n\nB"}}));
    EXPECT_EQ((*body)["tools"][0],
              (Json{{"type", "function"},
                    {"function", {{"name", "t"}, {"description", "d"},
                                  {"parameters", {{"type", "object"}}}}}}));
    EXPECT_EQ((*body)["max_completion_tokens"], 4096);  // api.openai.com's name for it
    EXPECT_EQ((*body)["user"], "rockhound-tsk");
    EXPECT_EQ((*body)["stop"], Json::array({"END"}));
    EXPECT_FALSE(body->contains("thinking"));
  }
  request.tool_choice = Json{{"type", "sometimes"}};
  EXPECT_FALSE((*client)->BuildRequestBody(request));
}

TEST(OpenAiTranslationTest, ResponseMapsFinishReasonsAndCachedTokens) {
  auto parse = [](const std::string& finish, Json message, Json usage = Json()) {
    Json body = {{"model", "m"},
                 {"choices", Json::array({Json{{"message", std::move(message)},
                                               {"finish_reason", finish}}})}};
    if (!usage.is_null()) body["usage"] = usage;
    return ParseChatCompletion(body).value();
  };
  EXPECT_EQ(parse("stop", Json{{"content", "x"}}).stop_reason, "end_turn");
  EXPECT_EQ(parse("length", Json{{"content", "x"}}).stop_reason, "max_tokens");
  EXPECT_EQ(parse("content_filter", Json{{"content", nullptr}}).stop_reason, "refusal");
  const Json calls = {{"tool_calls", Json::array({ToolCall("c1", "t", "{\"a\":1}"),
                                                   ToolCall("", "u", "")})}};
  // Ollama once reported tool calls with finish_reason stop.
  LlmResponse with_calls = parse("stop", calls);
  EXPECT_EQ(with_calls.stop_reason, "tool_use");
  ASSERT_EQ(with_calls.content.size(), 2u);
  EXPECT_EQ(with_calls.content[0],
            (Json{{"type", "tool_use"}, {"id", "c1"}, {"name", "t"}, {"input", {{"a", 1}}}}));
  EXPECT_THAT(JsonString(with_calls.content[1], "id"), HasSubstr("call_rh_"));  // no id sent
  EXPECT_EQ(with_calls.content[1]["input"], Json::object());
  LlmResponse cached = parse("stop", Json{{"content", "x"}},
                             Json{{"prompt_tokens", 1000},
                                  {"completion_tokens", 50},
                                  {"prompt_tokens_details", {{"cached_tokens", 800}}}});
  EXPECT_EQ(cached.usage.input_tokens, 200);
  EXPECT_EQ(cached.usage.cache_read_tokens, 800);
  EXPECT_EQ(cached.usage.output_tokens, 50);
  EXPECT_FALSE(ParseChatCompletion(Json{{"object", "error"}}));
}

TEST(OpenAiTranslationTest, StrictSchemaMakesTheReportAStrictFunctionAndResponseFormat) {
  ManualClock clock(TimePoint{});
  OpenAiClientOptions options;
  options.base_url = "http://localhost:8000/v1";
  options.model = "gpt-4.1";
  options.strict_schema = true;
  auto client = OpenAiClient::Create(options, clock);
  ASSERT_TRUE(client) << client.error().ToString();
  auto body = (*client)->BuildRequestBody(ForcedStrictReport());
  ASSERT_TRUE(body) << body.error().ToString();
  const Json& lookup = (*body)["tools"][0]["function"];
  EXPECT_FALSE(lookup.contains("strict"));  // only the tools the loop marks strict
  const Json& report = (*body)["tools"][1]["function"];
  EXPECT_EQ(report["strict"], true);
  // Every property required; the optional one nullable.
  EXPECT_EQ(report["parameters"]["required"], Json::array({"note", "severity", "summary"}));
  EXPECT_EQ(report["parameters"]["properties"]["note"]["type"], Json::array({"string", "null"}));
  EXPECT_EQ(report["parameters"]["properties"]["severity"]["enum"],
            Json::array({"low", "high"}));
  EXPECT_EQ(report["parameters"]["additionalProperties"], false);
  const Json& format = (*body)["response_format"];
  EXPECT_EQ(format["type"], "json_schema");
  EXPECT_EQ(format["json_schema"]["name"], "submit_report");
  EXPECT_EQ(format["json_schema"]["strict"], true);
  EXPECT_EQ(format["json_schema"]["schema"], report["parameters"]);
  EXPECT_EQ((*body)["tool_choice"], "none");
  // A turn that does not force the report asks for no response_format.
  LlmRequest free_turn = ForcedStrictReport();
  free_turn.tool_choice = {{"type", "auto"}};
  EXPECT_FALSE((*client)->BuildRequestBody(free_turn)->contains("response_format"));
  // Off (the default): no strict, no response_format.
  options.strict_schema = false;
  auto plain = OpenAiClient::Create(options, clock);
  ASSERT_TRUE(plain);
  auto plain_body = (*plain)->BuildRequestBody(ForcedStrictReport());
  ASSERT_TRUE(plain_body);
  EXPECT_FALSE(plain_body->contains("response_format"));
  EXPECT_FALSE((*plain_body)["tools"][1]["function"].contains("strict"));
}

TEST(OpenAiTranslationTest, StrictSchemaRecursesAndNullsOfOptionalFieldsAreDropped) {
  const Json schema = {
      {"type", "object"},
      {"properties",
       {{"items",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties", {{"id", {{"type", "string"}}}, {"why", {{"type", "string"}}}}},
            {"required", Json::array({"id"})}}}}},
        {"either", {{"anyOf", Json::array({Json{{"type", "string"}}, Json{{"type", "number"}}})}}}}},
      {"required", Json::array({"items"})}};
  const Json strict = internal::OpenAiStrictSchema(schema);
  EXPECT_EQ(strict["required"], Json::array({"either", "items"}));
  EXPECT_EQ(strict["additionalProperties"], false);
  const Json& item = strict["properties"]["items"]["items"];
  EXPECT_EQ(item["required"], Json::array({"id", "why"}));
  EXPECT_EQ(item["properties"]["why"]["type"], Json::array({"string", "null"}));
  EXPECT_EQ(item["properties"]["id"]["type"], "string");
  EXPECT_EQ(strict["properties"]["either"]["anyOf"].back(), (Json{{"type", "null"}}));
  const Json answer = {{"items", Json::array({Json{{"id", "a"}, {"why", nullptr}}})},
                       {"either", nullptr}};
  EXPECT_EQ(internal::DropNullOptionals(answer, schema),
            (Json{{"items", Json::array({Json{{"id", "a"}}})}}));
  // A null in a required field is kept for the local validation to refuse.
  EXPECT_EQ(internal::DropNullOptionals(Json{{"items", nullptr}}, schema),
            (Json{{"items", nullptr}}));
}

TEST(OpenAiTranslationTest, OnlyApiOpenAiComRequiresAKey) {
  ManualClock clock(TimePoint{});
  OpenAiClientOptions options;
  options.model = "gpt-4.1";
  auto refused = OpenAiClient::Create(options, clock);  // https://api.openai.com/v1, no key
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("OPENAI_API_KEY"));
  options.base_url = "http://localhost:11434/v1";
  EXPECT_TRUE(OpenAiClient::Create(options, clock));
}

}  // namespace
}  // namespace rh::agent
