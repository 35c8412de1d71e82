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
#include "agent/investigator.h"
#include "agent/playbook_engine.h"
#include "agent/report.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "tests/agent/loop_fixture.h"

namespace rh::agent {
namespace {

using loop_test::Fleet;
using loop_test::LoadScenario;
using loop_test::RecordingClock;
using rh::testing::AnthropicScenario;
using rh::testing::ReceivedRequest;
using rh::testing::ScriptedAnthropicServer;
using rh::testing::ScriptedTurn;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "opk-local-proxy-5f1c9e2a7b3d";  // no sk- prefix: masked by value
constexpr char kModel[] = "qwen2.5-14b-instruct";

// A Chat Completions answer as the server sends it.
ScriptedTurn Completion(Json message, const std::string& finish_reason, Json usage = Json()) {
  ScriptedTurn turn;
  turn.kind = ScriptedTurn::Kind::kResponse;
  turn.status = 200;
  turn.headers = {{"x-request-id", "req_openai_scripted"}};
  message["role"] = "assistant";
  Json body = {{"id", "chatcmpl-scripted"},
               {"object", "chat.completion"},
               {"model", kModel},
               {"choices", Json::array({Json{{"index", 0},
                                             {"message", std::move(message)},
                                             {"finish_reason", finish_reason}}})}};
  if (!usage.is_null()) body["usage"] = std::move(usage);
  turn.body = std::move(body);
  return turn;
}

Json ToolCall(const std::string& id, const std::string& name, const std::string& arguments) {
  return Json{{"id", id},
              {"type", "function"},
              {"function", {{"name", name}, {"arguments", arguments}}}};
}

// An Anthropic scenario turn (a model message) as the Chat Completions answer an
// OpenAI-compatible server would give: text -> content, tool_use -> tool_calls, the usage
// translated (prompt tokens include the cached ones), the stop reason mapped back.
ScriptedTurn FromAnthropic(const ScriptedTurn& turn, bool with_usage = true) {
  Json message = Json::object();
  std::string text;
  Json calls = Json::array();
  for (const Json& block : turn.message["content"]) {
    const std::string type = JsonString(block, "type");
    if (type == "text") text += JsonString(block, "text");
    if (type == "tool_use") {
      calls.push_back(ToolCall(JsonString(block, "id"), JsonString(block, "name"),
                               DumpJson(block["input"])));
    }
  }
  message["content"] = text.empty() ? Json() : Json(text);
  if (!calls.empty()) message["tool_calls"] = calls;
  const std::string stop = JsonString(turn.message, "stop_reason");
  const std::string finish = stop == "max_tokens" ? "length"
                             : calls.empty()      ? "stop"
                                                  : "tool_calls";
  Json usage;
  if (with_usage && turn.message.contains("usage")) {
    const Json& u = turn.message["usage"];
    const long long cached = JsonInt(u, "cache_read_input_tokens");
    usage = {{"prompt_tokens", JsonInt(u, "input_tokens") + cached +
                                   JsonInt(u, "cache_creation_input_tokens")},
             {"completion_tokens", JsonInt(u, "output_tokens")},
             {"prompt_tokens_details", {{"cached_tokens", cached}}}};
  }
  ScriptedTurn out = Completion(std::move(message), finish, usage);
  out.label = turn.label;
  return out;
}

// What a Chat Completions server would refuse in `request`; empty when it is acceptable.
std::vector<std::string> ChatRequestProblems(const ReceivedRequest& request) {
  std::vector<std::string> problems;
  auto problem = [&](std::string what) { problems.push_back(std::move(what)); };
  if (request.target != "/v1/chat/completions") problem("path " + request.target);
  auto header = [&](const std::string& name) {
    auto found = request.headers.find(name);
    return found == request.headers.end() ? std::string() : found->second;
  };
  if (header("authorization") != std::string("Bearer ") + kKey) problem("authorization header");
  if (header("content-type").rfind("application/json", 0) != 0) problem("content-type");
  const Json& body = request.body;
  if (!body.is_object()) return {"the body is not JSON"};
  if (JsonString(body, "model").empty()) problem("no model");
  if (request.body_text.find("cache_control") != std::string::npos) problem("cache_control sent");
  if (body.contains("system") || body.contains("thinking") || body.contains("metadata")) {
    problem("Anthropic-only fields sent");
  }
  if (body.contains("tools")) {
    for (const Json& tool : body["tools"]) {
      if (JsonString(tool, "type") != "function" || !tool["function"]["parameters"].is_object() ||
          JsonString(tool["function"], "name").empty() || tool["function"].contains("strict")) {
        problem("bad tool " + tool.dump().substr(0, 80));
      }
    }
  }
  const Json& messages = body["messages"];
  if (!messages.is_array() || messages.empty()) return {"no messages"};
  std::vector<std::string> pending;  // tool_call ids awaiting their tool message
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& message = messages[i];
    const std::string role = JsonString(message, "role");
    if (role == "tool") {
      if (pending.empty() || JsonString(message, "tool_call_id") != pending.front()) {
        problem("tool message " + std::to_string(i) + " answers no pending call in order");
      } else {
        pending.erase(pending.begin());
      }
      if (!message["content"].is_string()) problem("tool content is not a string");
      continue;
    }
    if (!pending.empty()) problem("message " + std::to_string(i) + " before every call answered");
    pending.clear();
    if (role == "system" && i != 0) problem("system message not first");
    if (role != "system" && role != "user" && role != "assistant") problem("role " + role);
    if (role == "assistant" && message.contains("tool_calls")) {
      for (const Json& call : message["tool_calls"]) {
        if (!call["function"]["arguments"].is_string()) problem("arguments not a string");
        pending.push_back(JsonString(call, "id"));
      }
    }
  }
  if (!pending.empty()) problem("the last assistant's calls are unanswered");
  return problems;
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
      for (const std::string& problem : ChatRequestProblems(request)) {
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
    client_options.api_key = kKey;
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

}  // namespace
}  // namespace rh::agent
