// The scripted Anthropic-compatible server itself: it must refuse what the real API refuses,
// with the real API's texts, and serve scenarios exactly as written. Requests here are sent with
// a plain HTTP client so nothing of the AnthropicClient is assumed.
#include "tests/fakes/scripted_anthropic_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/fakes/test_env.h"

namespace rh::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::map<std::string, std::string> kGoodHeaders = {{"x-api-key", "test-key"},
                                                         {"anthropic-version", "2023-06-01"},
                                                         {"content-type", "application/json"}};

Json MinimalBody() {
  return R"({"model": "claude-sonnet-4-5", "max_tokens": 1024,
             "messages": [{"role": "user", "content": "Why is c-prod-01 slow?"}]})"_json;
}

// The rejection message for `body` with good headers ("" when accepted).
std::string Rejection(const Json& body, const JsonSchemaValidator* openapi = nullptr) {
  auto rejection = CheckMessagesRequest("POST", "/v1/messages", kGoodHeaders, DumpJson(body),
                                        "test-key", openapi);
  return rejection ? rejection->message : "";
}

Json ToolLoop(const Json& last_user_content) {
  Json body = MinimalBody();
  body["tools"] = R"([{"name": "query_cluster_info", "input_schema": {"type": "object"}},
                      {"name": "query_cluster_alerts", "input_schema": {"type": "object"}}])"_json;
  body["messages"].push_back(R"({"role": "assistant", "content": [
      {"type": "text", "text": "Looking."},
      {"type": "tool_use", "id": "toolu_a", "name": "query_cluster_info", "input": {}},
      {"type": "tool_use", "id": "toolu_b", "name": "query_cluster_alerts", "input": {}}]})"_json);
  body["messages"].push_back(Json{{"role", "user"}, {"content", last_user_content}});
  return body;
}

TEST(CheckMessagesRequestTest, AcceptsAWellFormedRequest) {
  EXPECT_EQ(Rejection(MinimalBody()), "");
  EXPECT_EQ(
      Rejection(ToolLoop(R"([{"type": "tool_result", "tool_use_id": "toolu_b", "content": "x"},
                                    {"type": "tool_result", "tool_use_id": "toolu_a", "is_error": true},
                                    {"type": "text", "text": "Both done."}])"_json)),
      "");
}

TEST(CheckMessagesRequestTest, PathMethodAndHeaders) {
  const std::string body = DumpJson(MinimalBody());
  auto check = [&](const std::string& method, const std::string& path,
                   std::map<std::string, std::string> headers) {
    return CheckMessagesRequest(method, path, headers, body, "test-key", nullptr);
  };
  auto not_found = check("POST", "/v1/complete", kGoodHeaders);
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->type, "not_found_error");
  EXPECT_TRUE(check("GET", "/v1/messages", kGoodHeaders));

  auto headers = kGoodHeaders;
  headers.erase("x-api-key");
  auto no_key = check("POST", "/v1/messages", headers);
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_EQ(no_key->type, "authentication_error");
  EXPECT_EQ(no_key->message, "x-api-key header is required");
  headers["x-api-key"] = "sk-ant-wrong";
  EXPECT_EQ(check("POST", "/v1/messages", headers)->message, "invalid x-api-key");

  headers = kGoodHeaders;
  headers.erase("anthropic-version");
  auto no_version = check("POST", "/v1/messages", headers);
  ASSERT_TRUE(no_version);
  EXPECT_EQ(no_version->status, 400);
  EXPECT_EQ(no_version->type, "invalid_request_error");
  EXPECT_EQ(no_version->message, "anthropic-version: header is required");
  headers["anthropic-version"] = "2024-01-01";
  EXPECT_THAT(check("POST", "/v1/messages", headers)->message, HasSubstr("anthropic-version"));

  headers = kGoodHeaders;
  headers["content-type"] = "text/plain";
  EXPECT_EQ(check("POST", "/v1/messages", headers)->message,
            "content-type: must be application/json");
  headers["content-type"] = "application/json; charset=utf-8";
  EXPECT_FALSE(check("POST", "/v1/messages", headers));
}

TEST(CheckMessagesRequestTest, BodyFields) {
  auto rejection = CheckMessagesRequest("POST", "/v1/messages", kGoodHeaders,
                                        "{\"model\":", "test-key", nullptr);
  ASSERT_TRUE(rejection);
  EXPECT_THAT(rejection->message, HasSubstr("not valid JSON"));

  for (const char* field : {"model", "messages", "max_tokens"}) {
    Json body = MinimalBody();
    body.erase(field);
    EXPECT_EQ(Rejection(body), std::string(field) + ": Field required");
  }
  Json body = MinimalBody();
  body["max_tokens"] = -1;
  EXPECT_EQ(Rejection(body), "max_tokens: Input should be greater than or equal to 0");
  body["max_tokens"] = "1024";
  EXPECT_EQ(Rejection(body), "max_tokens: Input should be a valid integer");
  body = MinimalBody();
  body["max_tokens"] = 0;  // pre-warming the cache is allowed
  EXPECT_EQ(Rejection(body), "");
  body["messages"] = Json::array();
  EXPECT_EQ(Rejection(body), "messages: at least one message is required");
  body = MinimalBody();
  body["messages"][0]["role"] = "system";
  EXPECT_EQ(Rejection(body), "messages.0.role: Input should be 'user' or 'assistant'");
}

TEST(CheckMessagesRequestTest, SystemToolsAndToolChoice) {
  Json body = MinimalBody();
  body["system"] = R"([{"type": "image", "source": {}}])"_json;
  EXPECT_EQ(Rejection(body), "system.0.type: Input should be 'text'");
  body["system"] = 42;
  EXPECT_EQ(Rejection(body), "system: Input should be a valid string or list");
  body["system"] = R"([{"type": "text", "text": "", "cache_control": {"type": "ephemeral"}}])"_json;
  EXPECT_EQ(Rejection(body), "system.0.text: cache_control cannot be set for empty text blocks");
  body["system"] = "You investigate StarRocks clusters.";
  EXPECT_EQ(Rejection(body), "");

  body["tools"] = R"([{"name": "query cluster", "input_schema": {"type": "object"}}])"_json;
  EXPECT_EQ(Rejection(body),
            "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
  body["tools"] =
      Json::array({{{"name", std::string(65, 'a')}, {"input_schema", {{"type", "object"}}}}});
  EXPECT_THAT(Rejection(body), HasSubstr("tools.0.custom.name"));
  body["tools"] = R"([{"name": "q", "input_schema": {"type": "array"}}])"_json;
  EXPECT_EQ(Rejection(body), "tools.0.custom.input_schema.type: Input should be 'object'");
  body["tools"] = R"([{"name": "q", "input_schema": {"type": "object"}},
                      {"name": "q", "input_schema": {"type": "object"}}])"_json;
  EXPECT_EQ(Rejection(body), "tools: Tool names must be unique.");

  body["tools"] = R"([{"name": "q", "input_schema": {"type": "object"}}])"_json;
  body["tool_choice"] = R"({"type": "required"})"_json;
  EXPECT_THAT(Rejection(body), HasSubstr("tool_choice: Input tag 'required'"));
  body["tool_choice"] = R"({"type": "tool", "name": "submit_report"})"_json;
  EXPECT_EQ(Rejection(body),
            "tool_choice.tool.name: Tool 'submit_report' not found in provided tools");
  body["tool_choice"] = R"({"type": "tool", "name": "q", "disable_parallel_tool_use": true})"_json;
  EXPECT_EQ(Rejection(body), "");
  body.erase("tools");
  body["tool_choice"] = R"({"type": "any"})"_json;
  EXPECT_EQ(Rejection(body),
            "tool_choice: tool_choice may only be specified while providing tools");
}

TEST(CheckMessagesRequestTest, ThinkingRefusesAForcedToolChoice) {
  Json body = ToolLoop(R"([{"type": "tool_result", "tool_use_id": "toolu_a", "content": "x"},
                           {"type": "tool_result", "tool_use_id": "toolu_b", "content": "y"}])"_json);
  body["max_tokens"] = 4096;
  body["thinking"] = {{"type", "enabled"}, {"budget_tokens", 2048}};
  body["tool_choice"] = {{"type", "auto"}};
  EXPECT_EQ(Rejection(body), "");
  body["tool_choice"] = {{"type", "tool"}, {"name", "query_cluster_info"}};
  EXPECT_EQ(Rejection(body), "Thinking may not be enabled when tool_choice forces tool use.");
  body["tool_choice"] = {{"type", "any"}};
  EXPECT_NE(Rejection(body), "");
}

TEST(CheckMessagesRequestTest, AtMostFourCacheControlMarkers) {
  Json body = MinimalBody();
  const Json marker = {{"type", "ephemeral"}};
  body["tools"] = Json::array(
      {{{"name", "a"}, {"input_schema", {{"type", "object"}}}, {"cache_control", marker}},
       {{"name", "b"}, {"input_schema", {{"type", "object"}}}, {"cache_control", marker}}});
  body["system"] = Json::array({{{"type", "text"}, {"text", "s1"}, {"cache_control", marker}},
                                {{"type", "text"}, {"text", "s2"}, {"cache_control", marker}}});
  EXPECT_EQ(Rejection(body), "");
  body["messages"][0]["content"] =
      Json::array({{{"type", "text"}, {"text", "hi"}, {"cache_control", marker}}});
  EXPECT_EQ(Rejection(body), "A maximum of 4 blocks with cache_control may be provided. Found 5.");
}

TEST(CheckMessagesRequestTest, ToolLoopInvariantsWithTheRealTexts) {
  // A tool_use left unanswered (the next message answers only one of two).
  EXPECT_EQ(Rejection(ToolLoop(R"([{"type": "tool_result", "tool_use_id": "toolu_a"}])"_json)),
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately "
            "after: toolu_b. Each `tool_use` block must have a corresponding `tool_result` block "
            "in the next message.");
  // The conversation ends on the tool_use.
  Json ends_on_tool_use = ToolLoop("x");
  ends_on_tool_use["messages"].erase(2);
  EXPECT_EQ(Rejection(ends_on_tool_use),
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately "
            "after: toolu_a, toolu_b. Each `tool_use` block must have a corresponding "
            "`tool_result` block in the next message.");
  // A result for an id nobody asked for.
  EXPECT_EQ(Rejection(ToolLoop(R"([{"type": "tool_result", "tool_use_id": "toolu_a"},
                                   {"type": "tool_result", "tool_use_id": "toolu_b"},
                                   {"type": "tool_result", "tool_use_id": "toolu_zzz"}])"_json)),
            "messages.2.content.2: unexpected `tool_use_id` found in `tool_result` blocks: "
            "toolu_zzz. Each `tool_result` block must have a corresponding `tool_use` block in "
            "the previous message.");
  // Text before the results.
  EXPECT_EQ(Rejection(ToolLoop(R"([{"type": "text", "text": "Here you go"},
                                   {"type": "tool_result", "tool_use_id": "toolu_a"},
                                   {"type": "tool_result", "tool_use_id": "toolu_b"}])"_json)),
            "messages.2: Did not find 2 `tool_result` block(s) at the beginning of this message. "
            "Messages following `tool_use` blocks must begin with a matching number of "
            "`tool_result` blocks.");
  // A later turn reusing an id.
  Json reused = ToolLoop(R"([{"type": "tool_result", "tool_use_id": "toolu_a"},
                             {"type": "tool_result", "tool_use_id": "toolu_b"}])"_json);
  reused["messages"].push_back(R"({"role": "assistant", "content": [
      {"type": "tool_use", "id": "toolu_a", "name": "query_cluster_info", "input": {}}]})"_json);
  reused["messages"].push_back(
      R"({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_a"}]})"_json);
  EXPECT_EQ(Rejection(reused), "messages.3.content.0: `tool_use` ids must be unique");
  // tool_use in a user turn, tool_result in an assistant turn.
  Json misplaced = MinimalBody();
  misplaced["messages"][0]["content"] =
      R"([{"type": "tool_use", "id": "toolu_x", "name": "q", "input": {}}])"_json;
  EXPECT_THAT(Rejection(misplaced), HasSubstr("can only be in `assistant` messages"));
}

TEST(CheckMessagesRequestTest, ConsecutiveTurnsOfOneRoleAreMergedAsTheApiDoes) {
  Json body = MinimalBody();
  body["messages"].push_back(R"({"role": "user", "content": "And c-prod-02?"})"_json);
  EXPECT_EQ(Rejection(body), "");
}

TEST(CheckMessagesRequestTest, ReproducesTheRecordedRealRejectionWordForWord) {
  auto path = SharedDataPath("anthropic/recorded/f59a9391-643b-422c-96dc-1f28bc7ea4d7.json");
  if (!path) GTEST_SKIP() << "../shared/data/anthropic/recorded is absent";
  std::ifstream file(*path);
  std::stringstream text;
  text << file.rdbuf();
  auto exchanges = ParseJson(text.str(), path->string());
  ASSERT_TRUE(exchanges);
  const Json& exchange = (*exchanges)[1];
  ASSERT_EQ(exchange["response"]["status_code"], 400);
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : exchange["request"]["headers"].items()) headers[name] = value;
  headers["x-api-key"] = "test-key";  // scrubbed from the recording
  auto rejection =
      CheckMessagesRequest("POST", "/v1/messages", headers, DumpJson(exchange["request"]["body"]),
                           "test-key", SharedCreateMessageValidator());
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->status, 400);
  EXPECT_EQ(rejection->type, exchange["response"]["body"]["error"]["type"]);
  EXPECT_EQ(rejection->message, exchange["response"]["body"]["error"]["message"]);
}

// ---- The server over real sockets -------------------------------------------------------------

AnthropicScenario Scenario(const std::string& json) {
  auto scenario = AnthropicScenario::Parse(Json::parse(json), "inline");
  EXPECT_TRUE(scenario) << scenario.error().ToString();
  return *scenario;
}

httplib::Result Post(const ScriptedAnthropicServer& server, const Json& body,
                     const std::string& path = "/v1/messages") {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(10, 0);
  httplib::Headers headers = {{"x-api-key", "test-key"}, {"anthropic-version", "2023-06-01"}};
  return client.Post(path.c_str(), headers, DumpJson(body), "application/json");
}

TEST(ScriptedAnthropicServerTest, CompletesScriptedMessagesAndAcceptsTheBetaQuery) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [{"message": {"content": [
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "name": "query_cluster_info", "input": {"cluster_id": "c1"}}]}}]})"));
  auto answer = Post(server, MinimalBody(), "/v1/messages?beta=true");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("request-id"), "req_scripted_1");
  const Json message = Json::parse(answer->body);
  EXPECT_EQ(message["id"], "msg_scripted_0001");
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["role"], "assistant");
  EXPECT_EQ(message["model"], "claude-sonnet-4-5");
  EXPECT_EQ(message["stop_reason"], "tool_use");
  EXPECT_EQ(message["content"][1]["id"], "toolu_scripted_0001");
  EXPECT_GT(message["usage"]["input_tokens"].get<int>(), 0);
  EXPECT_TRUE(server.finished());
  ASSERT_THAT(server.requests(), SizeIs(1));
  EXPECT_EQ(server.requests()[0].target, "/v1/messages?beta=true");
  EXPECT_EQ(server.requests()[0].turn, 0);
  EXPECT_EQ(server.requests()[0].body, MinimalBody());
  EXPECT_THAT(server.problems(), IsEmpty());
}

TEST(ScriptedAnthropicServerTest, RejectsABadRequestWithoutSpendingATurn) {
  ScriptedAnthropicServer server(
      Scenario(R"({"turns": [{"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  Json bad = MinimalBody();
  bad.erase("max_tokens");
  auto answer = Post(server, bad);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(answer->get_header_value("x-should-retry"), "false");
  const Json error = Json::parse(answer->body);
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"]["type"], "invalid_request_error");
  EXPECT_EQ(error["error"]["message"], "max_tokens: Field required");
  EXPECT_EQ(error["request_id"], answer->get_header_value("request-id"));
  EXPECT_FALSE(server.finished());
  EXPECT_THAT(server.TakeProblems(),
              ElementsAre(HasSubstr("rejected as the API would: 400 invalid_request_error: "
                                    "max_tokens: Field required")));
  auto good = Post(server, MinimalBody());
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  EXPECT_TRUE(server.finished());
  EXPECT_EQ(server.requests()[0].rejection, "max_tokens: Field required");
  EXPECT_EQ(server.requests()[1].turn, 0);
}

TEST(ScriptedAnthropicServerTest, SchemaViolationsAreRejectedWhenTheOpenApiFileIsPresent) {
  ScriptedAnthropicServer server(
      Scenario(R"({"turns": [{"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  if (!server.openapi_validation())
    GTEST_SKIP() << "../shared/data/anthropic/openapi.json is absent";
  Json bad = MinimalBody();
  bad["metadata"] = {{"customer_email", "someone@example.com"}};
  auto answer = Post(server, bad);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_THAT(server.TakeProblems(),
              ElementsAre(HasSubstr("metadata.customer_email: Extra inputs are not permitted")));
}

TEST(ScriptedAnthropicServerTest, RecordsUnmetExpectationsAndRequestsPastTheScript) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [
      {"label": "forced report", "expect_request": {"tool_choice": {"type": "tool", "name": "<any>"}},
       "message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  ASSERT_EQ(Post(server, MinimalBody())->status, 200);
  ASSERT_EQ(Post(server, MinimalBody())->status, 400);
  EXPECT_THAT(server.TakeProblems(),
              ElementsAre(HasSubstr("turn 0 'forced report': request body (body): missing key "
                                    "'tool_choice'"),
                          HasSubstr("has no turn left (1 turns)")));
}

TEST(ScriptedAnthropicServerTest, RepeatedTurnsNeverReuseAToolUseId) {
  auto scenario = AnthropicScenario::Load(std::string(RH_SOURCE_DIR) +
                                          "/tests/agent/scenarios/never_stops_calling_tools.json");
  ASSERT_TRUE(scenario) << scenario.error().ToString();
  ScriptedAnthropicServer server(*scenario);
  std::set<std::string> ids;
  for (int call_idx = 0; call_idx < 25; ++call_idx) {
    auto answer = Post(server, MinimalBody());
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200);
    ids.insert(Json::parse(answer->body)["content"][0]["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_TRUE(server.finished());
}

TEST(ScriptedAnthropicServerTest, UncollectedProblemsFailTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        ScriptedAnthropicServer server(Scenario(R"({"name": "strict", "turns": []})"));
        httplib::Client client("127.0.0.1", server.port());
        client.Post("/v1/messages", DumpJson(MinimalBody()), "application/json");
      },
      "x-api-key header is required");
}

TEST(AnthropicScenarioTest, RefusesMalformedScenarios) {
  auto parse = [](const std::string& json) {
    return AnthropicScenario::Parse(Json::parse(json), "bad");
  };
  EXPECT_FALSE(parse(R"({"steps": []})"));
  EXPECT_THAT(parse(R"({"turns": [{"fault": "explode"}]})").error().message,
              HasSubstr("unknown fault 'explode'"));
  EXPECT_THAT(parse(R"({"turns": [{"message": {"content": []}, "error": {}}]})").error().message,
              HasSubstr("exactly one of message, error, response, fault"));
  EXPECT_THAT(parse(R"({"turns": [{"mesage": {"content": []}}]})").error().message,
              HasSubstr("unknown key 'mesage'"));
  EXPECT_THAT(parse(R"({"turns": [{"message": {"text": "hi"}}]})").error().message,
              HasSubstr("content array"));
  EXPECT_THAT(parse(R"({"turns": [{"repeat": 0, "fault": "timeout"}]})").error().message,
              HasSubstr("repeat"));
}

TEST(AnthropicScenarioTest, EveryScenarioFileParses) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(RH_SOURCE_DIR) + "/tests/agent/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    auto scenario = AnthropicScenario::Load(entry.path().string());
    EXPECT_TRUE(scenario) << scenario.error().ToString();
    EXPECT_FALSE(scenario->turns.empty()) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 10);
}

TEST(AnthropicScenarioTest, RecordingsBecomeVerbatimTurnsWithExpectations) {
  auto path = SharedDataPath("anthropic/recorded/a8ac789b-f856-48cd-9ff3-d5f36799e432.json");
  if (!path) GTEST_SKIP() << "../shared/data/anthropic/recorded is absent";
  auto scenario = AnthropicScenario::FromRecording(path->string());
  ASSERT_TRUE(scenario) << scenario.error().ToString();
  ASSERT_THAT(scenario->turns, SizeIs(2));
  EXPECT_EQ(scenario->turns[0].kind, ScriptedTurn::Kind::kResponse);
  EXPECT_EQ(scenario->turns[0].status, 200);
  EXPECT_EQ(scenario->turns[0].body["id"], "msg_01M4x4hiFuUdHzu44ih9eCGh");
  EXPECT_EQ(scenario->turns[1].expect_request["messages"].size(), 3u);
  for (const auto& [name, value] : scenario->turns[0].headers) {
    EXPECT_NE(name, "content-length");
    EXPECT_NE(name, "connection");
  }
}

// The simulated prompt cache: the second turn of a tool loop reads the first turn's prefix (its
// marker moved to the newest message, within the 20-block lookback); a changed tool_choice keeps
// only the tools and system cached.
TEST(SimulatedUsageTest, ALaterTurnReadsTheCachedPrefixUnlessToolChoiceChanged) {
  const std::string big(4000, 'x');  // 1000 tokens per block
  Json first = {{"tools", Json::array({{{"name", "t"}, {"description", big},
                                        {"input_schema", {{"type", "object"}}},
                                        {"cache_control", {{"type", "ephemeral"}}}}})},
                {"system", Json::array({{{"type", "text"}, {"text", big},
                                         {"cache_control", {{"type", "ephemeral"}}}}})},
                {"tool_choice", {{"type", "auto"}}},
                {"messages", Json::array({{{"role", "user"},
                                           {"content", Json::array({{{"type", "text"},
                                                                     {"text", big},
                                                                     {"cache_control",
                                                                      {{"type", "ephemeral"}}}}})}}})}};
  std::set<size_t> cache;
  const auto one = SimulatedUsage(first, &cache);
  EXPECT_EQ(one.cache_read, 0);
  EXPECT_GT(one.cache_write, 3000);
  EXPECT_LT(one.input, 10);

  Json second = first;
  second["messages"][0]["content"][0].erase("cache_control");
  second["messages"].push_back({{"role", "assistant"},
                                {"content", Json::array({{{"type", "text"}, {"text", big}}})}});
  second["messages"].push_back(
      {{"role", "user"},
       {"content", Json::array({{{"type", "text"}, {"text", big},
                                 {"cache_control", {{"type", "ephemeral"}}}}})}});
  std::set<size_t> replay = cache;
  const auto two = SimulatedUsage(second, &replay);
  EXPECT_EQ(two.cache_read, one.cache_write);  // everything the first turn wrote
  EXPECT_GT(two.cache_write, 1900);            // the two new blocks
  EXPECT_LT(two.cache_write, 2100);

  Json forced = second;
  forced["tool_choice"] = {{"type", "tool"}, {"name", "t"}};
  std::set<size_t> other = cache;
  const auto three = SimulatedUsage(forced, &other);
  EXPECT_GT(three.cache_read, 1900);  // tools and system only
  EXPECT_LT(three.cache_read, 2100);
}

}  // namespace
}  // namespace rh::testing
