// AnthropicClient against the scripted Anthropic-compatible server over real sockets: request
// shape, every fault of the scenario files ending as specified (right number of attempts, right
// waits on the clock, right error code, request-id kept), replay of real recorded API traffic,
// concurrency, and secrets. The server validates every request the client sends (headers, body,
// tool-loop invariants and, when ../shared/data is present, the API's OpenAPI schema), so any
// malformed request fails the test that sent it.
#include "agent/anthropic_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/log.h"
#include "core/time_format.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/fakes/scripted_http_transport.h"
#include "tests/fakes/test_env.h"

namespace rh::agent {
namespace {

using ::rh::testing::AnthropicScenario;
using ::rh::testing::ScriptedAnthropicServer;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kKey[] = "test-key";

// A ManualClock that also remembers every wait, so tests can check the exact retry delays.
class RecordingClock final : public Clock {
 public:
  TimePoint Now() const override { return clock_.Now(); }
  void SleepFor(Duration duration) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      waits_.push_back(std::chrono::duration<double>(duration).count());
    }
    clock_.SleepFor(duration);
  }
  std::vector<double> waits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return waits_;
  }

 private:
  ManualClock clock_{MakeUtcTime(2026, 11, 21, 10)};
  mutable std::mutex mutex_;
  std::vector<double> waits_;
};

AnthropicScenario LoadScenario(const std::string& name) {
  auto scenario = AnthropicScenario::Load(std::string(RH_SOURCE_DIR) + "/tests/agent/scenarios/" +
                                          name + ".json");
  EXPECT_TRUE(scenario) << scenario.error().ToString();
  return scenario ? *scenario : AnthropicScenario{};
}

AnthropicScenario InlineScenario(const std::string& json) {
  auto scenario = AnthropicScenario::Parse(Json::parse(json), "inline");
  EXPECT_TRUE(scenario) << scenario.error().ToString();
  return scenario ? *scenario : AnthropicScenario{};
}

AnthropicClientOptions OptionsFor(const ScriptedAnthropicServer& server) {
  AnthropicClientOptions options;
  options.base_url = server.base_url();
  options.api_key = kKey;
  options.model = "claude-sonnet-4-5";
  options.max_tokens = 1024;
  options.connect_timeout = std::chrono::seconds(2);
  options.request_timeout = std::chrono::seconds(10);
  options.jitter = [] { return 0.0; };  // waits exactly 0.5, 1, 2, ... unless told otherwise
  return options;
}

std::unique_ptr<AnthropicClient> MakeClient(AnthropicClientOptions options, Clock& clock) {
  auto client = AnthropicClient::Create(std::move(options), clock);
  EXPECT_TRUE(client) << client.error().ToString();
  return client ? std::move(*client) : nullptr;
}

LlmRequest Question(const std::string& text = "Why is c-prod-01 slow?") {
  LlmRequest request;
  request.messages = Json::array({{{"role", "user"}, {"content", text}}});
  return request;
}

std::vector<int> RetryCounts(const ScriptedAnthropicServer& server) {
  std::vector<int> counts;
  for (const auto& request : server.requests()) counts.push_back(request.retry_count);
  return counts;
}

// ---- The request ------------------------------------------------------------------------------

TEST(AnthropicClientTest, SendsTheHeadersAndBodyTheApiExpects) {
  ScriptedAnthropicServer server(LoadScenario("two_turn_tool_use"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);

  LlmRequest request = Question();
  request.system = R"([{"type": "text", "text": "You investigate StarRocks clusters.",
                        "cache_control": {"type": "ephemeral"}}])"_json;
  request.tools = R"([
      {"name": "query_cluster_info", "description": "Cluster facts.",
       "input_schema": {"type": "object", "properties": {"cluster_id": {"type": "string"}},
                        "required": ["cluster_id"]}},
      {"name": "query_cluster_alerts", "description": "Recent alerts.",
       "input_schema": {"type": "object", "properties": {"cluster_id": {"type": "string"},
                                                          "hours": {"type": "integer"}}},
       "cache_control": {"type": "ephemeral"}}])"_json;
  request.tool_choice = {{"type", "auto"}};
  auto first = client->CreateMessage(request);
  ASSERT_TRUE(first) << first.error().ToString();

  const auto requests = server.requests();
  ASSERT_THAT(requests, SizeIs(1));
  const auto& sent = requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/v1/messages");
  EXPECT_EQ(sent.headers.at("x-api-key"), kKey);
  EXPECT_EQ(sent.headers.at("anthropic-version"), "2023-06-01");
  EXPECT_EQ(sent.headers.at("content-type"), "application/json");
  EXPECT_EQ(sent.retry_count, 0);
  EXPECT_EQ(sent.body["model"], "claude-sonnet-4-5");
  EXPECT_EQ(sent.body["max_tokens"], 1024);
  EXPECT_EQ(sent.body["system"], request.system);
  EXPECT_EQ(sent.body["tools"], request.tools);
  EXPECT_FALSE(sent.body.contains("temperature"));
  EXPECT_FALSE(sent.body.contains("metadata"));

  EXPECT_EQ(first->id, "msg_scripted_0001");
  EXPECT_EQ(first->model, "claude-sonnet-4-5");
  EXPECT_EQ(first->stop_reason, "tool_use");
  EXPECT_EQ(first->stop_sequence, "");
  EXPECT_EQ(first->request_id, "req_scripted_1");
  EXPECT_EQ(first->attempts, 1);
  EXPECT_EQ(first->usage.input_tokens, 812);
  EXPECT_EQ(first->usage.output_tokens, 96);
  EXPECT_EQ(first->usage.cache_write_tokens, 1500);
  EXPECT_EQ(first->usage.cache_read_tokens, 0);
  ASSERT_THAT(first->content, SizeIs(3));
  EXPECT_EQ(first->content[1]["caller"], Json({{"type", "direct"}}));

  // Second turn: the assistant content echoed verbatim, both results first in one user message.
  request.messages.push_back({{"role", "assistant"}, {"content", first->content}});
  request.messages.push_back({{"role", "user"},
                              {"content",
                               {{{"type", "tool_result"},
                                 {"tool_use_id", first->content[1]["id"]},
                                 {"content", R"({"tier": "S", "version": "3.3.2"})"}},
                                {{"type", "tool_result"},
                                 {"tool_use_id", first->content[2]["id"]},
                                 {"content", "query_cluster_alerts: lark_alerts is unavailable"},
                                 {"is_error", true}},
                                {{"type", "text"}, {"text", "Both results are above."}}}}});
  auto second = client->CreateMessage(request);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->stop_reason, "end_turn");
  EXPECT_EQ(second->content[0]["text"], "BE disk usage on c-prod-01 is the problem.");
  EXPECT_EQ(second->usage.cache_read_tokens, 1500);
  EXPECT_EQ(server.requests()[1].body["messages"][1]["content"], first->content);
  EXPECT_TRUE(server.finished());
  EXPECT_EQ(clock.waits(), std::vector<double>{});
}

TEST(AnthropicClientTest, TemperatureIsSentOnlyWhenConfigured) {
  ScriptedAnthropicServer server(InlineScenario(
      R"({"turns": [{"repeat": 3, "message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  auto plain = MakeClient(OptionsFor(server), clock);
  AnthropicClientOptions configured_options = OptionsFor(server);
  configured_options.temperature = 0.2;
  auto configured = MakeClient(configured_options, clock);

  ASSERT_TRUE(plain->CreateMessage(Question()));
  ASSERT_TRUE(configured->CreateMessage(Question()));
  LlmRequest explicit_request = Question();
  explicit_request.temperature = 0.0;
  explicit_request.model = "claude-haiku-4-5";
  explicit_request.max_tokens = 300;
  ASSERT_TRUE(plain->CreateMessage(explicit_request));

  const auto requests = server.requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_FALSE(requests[0].body.contains("temperature"));
  EXPECT_DOUBLE_EQ(requests[1].body["temperature"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(requests[2].body["temperature"].get<double>(), 0.0);
  EXPECT_EQ(requests[2].body["model"], "claude-haiku-4-5");
  EXPECT_EQ(requests[2].body["max_tokens"], 300);
}

TEST(AnthropicClientTest, EveryOptionalFieldItSendsPassesTheApiSchema) {
  ScriptedAnthropicServer server(
      InlineScenario(R"({"turns": [{"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  if (!server.openapi_validation()) {
    GTEST_SKIP() << "../shared/data/anthropic/openapi.json is absent: no schema to check against";
  }
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.temperature = 0.5;
  auto client = MakeClient(options, clock);
  LlmRequest request;
  request.system =
      R"([{"type": "text", "text": "Protocol.", "cache_control": {"type": "ephemeral"}},
                       {"type": "text", "text": "Report schema.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}])"_json;
  request.tools = R"([{"name": "run_sql", "description": "Read-only SQL.", "strict": true,
                       "input_schema": {"type": "object", "additionalProperties": false,
                                        "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
                       "cache_control": {"type": "ephemeral"}}])"_json;
  request.tool_choice = R"({"type": "any", "disable_parallel_tool_use": false})"_json;
  request.metadata = R"({"user_id": "inv_2f9c"})"_json;
  request.stop_sequences = R"(["</report>"])"_json;
  request.messages = R"([
      {"role": "user", "content": [{"type": "text", "text": "Investigate c-prod-01."}]},
      {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Check disk first.", "signature": "EqQBCkYIBxgC"},
        {"type": "tool_use", "id": "toolu_01X", "name": "run_sql", "input": {"sql": "SELECT 1"}}]},
      {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_01X", "is_error": false,
         "content": [{"type": "text", "text": "1 row"}], "cache_control": {"type": "ephemeral"}}]}])"_json;
  auto response = client->CreateMessage(request);
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_THAT(server.problems(), IsEmpty());
}

TEST(AnthropicClientTest, RefusesUnusableRequestsAndOptionsBeforeSending) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": []})"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  LlmRequest empty;
  auto no_messages = client->CreateMessage(empty);
  ASSERT_FALSE(no_messages);
  EXPECT_EQ(no_messages.error().code, ErrorCode::kInvalidArgument);
  LlmRequest bad_tools = Question();
  bad_tools.tools = "query_cluster_info";
  EXPECT_FALSE(client->CreateMessage(bad_tools));
  EXPECT_THAT(server.requests(), IsEmpty());

  AnthropicClientOptions options = OptionsFor(server);
  options.api_key.clear();
  auto no_key = AnthropicClient::Create(options, clock);
  ASSERT_FALSE(no_key);
  EXPECT_THAT(no_key.error().message, HasSubstr("ANTHROPIC_API_KEY"));
  options = OptionsFor(server);
  options.base_url = "ftp://example.com";
  EXPECT_THAT(AnthropicClient::Create(options, clock).error().message,
              HasSubstr("ANTHROPIC_BASE_URL"));
  options = OptionsFor(server);
  options.max_retries = -1;
  EXPECT_FALSE(AnthropicClient::Create(options, clock));
  options = OptionsFor(server);
  options.base_url += "/";  // a trailing slash is harmless
  auto trailing = AnthropicClient::Create(options, clock);
  ASSERT_TRUE(trailing);
  EXPECT_EQ((*trailing)->endpoint(), server.base_url() + "/v1/messages");
}

TEST(AnthropicClientTest, OptionsComeFromTheConfig) {
  Config config;
  config.secrets.anthropic_api_key = "sk-ant-config";
  config.agent.model = "claude-opus-4-5";
  config.agent.max_tokens = 2048;
  config.agent.max_retries = 5;
  config.agent.connect_timeout = std::chrono::seconds(3);
  config.agent.request_timeout = std::chrono::seconds(90);
  AnthropicClientOptions options = AnthropicClientOptions::FromConfig(config);
  EXPECT_EQ(options.base_url, "https://api.anthropic.com");
  EXPECT_EQ(options.api_key, "sk-ant-config");
  EXPECT_EQ(options.model, "claude-opus-4-5");
  EXPECT_EQ(options.max_tokens, 2048);
  EXPECT_EQ(options.max_retries, 5);
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.request_timeout, std::chrono::seconds(90));
  EXPECT_FALSE(options.temperature);
  config.secrets.anthropic_base_url = "http://127.0.0.1:9999";
  config.agent.temperature = 0.3;
  options = AnthropicClientOptions::FromConfig(config);
  EXPECT_EQ(options.base_url, "http://127.0.0.1:9999");
  EXPECT_EQ(options.temperature, 0.3);
}

// ---- Faults and retries -----------------------------------------------------------------------

TEST(AnthropicClientTest, RateLimitsHonourRetryAfterThenSucceed) {
  ScriptedAnthropicServer server(LoadScenario("rate_limited_then_ok"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  const TimePoint start = clock.Now();
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(response->request_id, "req_scripted_3");
  // retry-after: 2 (seconds), then retry-after-ms: 1500 winning over retry-after: 2.
  EXPECT_EQ(clock.waits(), (std::vector<double>{2.0, 1.5}));
  EXPECT_EQ(clock.Now() - start, std::chrono::milliseconds(3500));
  EXPECT_EQ(RetryCounts(server), (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(server.finished());
}

TEST(AnthropicClientTest, ThinkingGoesWithItsBetaHeaderAndWithoutTemperature) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"expect_request": {"thinking": {"type": "enabled", "budget_tokens": 2048},
                          "max_tokens": 6144},
       "message": {"content": [{"type": "thinking", "thinking": "Hm.", "signature": "sig-1"},
                               {"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.temperature = 1.0;
  auto client = MakeClient(options, clock);
  LlmRequest request = Question();
  request.max_tokens = 6144;
  request.thinking = Json{{"type", "enabled"}, {"budget_tokens", 2048}};
  request.betas = {"interleaved-thinking-2025-05-14"};
  auto response = client->CreateMessage(request);
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->content[0]["signature"], "sig-1");
  const auto requests = server.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].headers.at("anthropic-beta"), "interleaved-thinking-2025-05-14");
  EXPECT_FALSE(requests[0].body.contains("temperature"));
  // Without thinking there is no beta header.
  ScriptedAnthropicServer plain(InlineScenario(R"({"turns": [
      {"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  auto plain_client = MakeClient(OptionsFor(plain), clock);
  ASSERT_TRUE(plain_client->CreateMessage(Question()));
  EXPECT_EQ(plain.requests()[0].headers.count("anthropic-beta"), 0u);
}

// A rate limit that says "retry after 120 s" means it: waited exactly (on the ManualClock), up to
// agent.max_retry_wait (5 min by default); beyond it the backoff is used instead.
TEST(AnthropicClientTest, RetryAfterUpToMaxRetryWaitIsHonoured) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"error": {"status": 429, "headers": {"retry-after": "120"}}},
      {"error": {"status": 429, "headers": {"retry-after": "300"}}},
      {"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  const TimePoint start = clock.Now();
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(clock.waits(), (std::vector<double>{120.0, 300.0}));
  EXPECT_EQ(clock.Now() - start, std::chrono::seconds(420));
}

TEST(AnthropicClientTest, RetryAfterBeyondMaxRetryWaitFallsBackToBackoff) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"error": {"status": 429, "headers": {"retry-after": "120"}}},
      {"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.max_retry_wait = std::chrono::seconds(60);
  auto client = MakeClient(options, clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5}));
}

TEST(AnthropicClientTest, RetryAfterBeyondFiveMinutesFallsBackToBackoff) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"error": {"status": 429, "headers": {"retry-after": "600"}}},
      {"error": {"status": 503, "headers": {"retry-after": "Sat, 21 Nov 2026 10:00:20 GMT"}}},
      {"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  // 600 s is over agent.max_retry_wait (backoff 0.5 s); the HTTP-date is 20 s after the clock's 10:00:00.5.
  ASSERT_THAT(clock.waits(), SizeIs(2));
  EXPECT_DOUBLE_EQ(clock.waits()[0], 0.5);
  EXPECT_NEAR(clock.waits()[1], 19.5, 1e-9);
}

TEST(AnthropicClientTest, OverloadedOnEveryAttemptIsUnavailableWithTheRequestId) {
  ScriptedAnthropicServer server(LoadScenario("overloaded"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(response.error().retryable());
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("HTTP 529 overloaded_error: Overloaded"),
                    HasSubstr("request-id req_scripted_3"), HasSubstr("3 attempts")));
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(RetryCounts(server), (std::vector<int>{0, 1, 2}));
}

TEST(AnthropicClientTest, JitteredBackoffStaysWithinTheSdkBounds) {
  ScriptedAnthropicServer server(LoadScenario("overloaded"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.jitter = nullptr;
  options.jitter_seed = 42;
  auto client = MakeClient(options, clock);
  ASSERT_FALSE(client->CreateMessage(Question()));
  const auto waits = clock.waits();
  ASSERT_THAT(waits, SizeIs(2));
  EXPECT_GT(waits[0], 0.375);
  EXPECT_LE(waits[0], 0.5);
  EXPECT_GT(waits[1], 0.75);
  EXPECT_LE(waits[1], 1.0);
}

TEST(AnthropicClientTest, MaxRetriesIsConfigurableAndBackoffCapsAtEightSeconds) {
  ScriptedAnthropicServer server(
      InlineScenario(R"({"turns": [{"repeat": 8, "error": {"status": 500}}]})"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.max_retries = 6;
  auto client = MakeClient(options, clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_THAT(response.error().message, HasSubstr("7 attempts"));
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1, 2, 4, 8, 8}));

  options.max_retries = 0;
  auto no_retries = MakeClient(options, clock);
  ASSERT_FALSE(no_retries->CreateMessage(Question()));
  EXPECT_THAT(server.requests(), SizeIs(8));
  EXPECT_TRUE(server.finished());
}

TEST(AnthropicClientTest, ServerErrorIsRetriedOnce) {
  ScriptedAnthropicServer server(LoadScenario("server_error_then_ok"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(clock.waits(), std::vector<double>{0.5});
}

TEST(AnthropicClientTest, XShouldRetryOverridesTheStatus) {
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"error": {"status": 529, "headers": {"x-should-retry": "false"}}},
      {"error": {"status": 400, "message": "transient", "headers": {"x-should-retry": "true"}}},
      {"message": {"content": [{"type": "text", "text": "ok"}]}}]})"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto not_retried = client->CreateMessage(Question());
  ASSERT_FALSE(not_retried);
  EXPECT_EQ(not_retried.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(not_retried.error().message, HasSubstr("1 attempt, x-should-retry: false"));
  auto retried = client->CreateMessage(Question());
  ASSERT_TRUE(retried) << retried.error().ToString();
  EXPECT_EQ(retried->attempts, 2);
}

TEST(AnthropicClientTest, SpendLimitIsNotRetried) {
  ScriptedAnthropicServer server(LoadScenario("spend_limit"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kResourceExhausted);
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("HTTP 429 rate_limit_error"),
                    HasSubstr("enforced_spend_limit_reached"), HasSubstr("req_scripted_1")));
  EXPECT_THAT(server.requests(), SizeIs(1));
  EXPECT_THAT(clock.waits(), IsEmpty());
}

TEST(AnthropicClientTest, EveryStatusMapsToOneErrorCode) {
  struct Case {
    int status;
    ErrorCode code;
  };
  const Case cases[] = {{400, ErrorCode::kInvalidArgument},   {401, ErrorCode::kPermissionDenied},
                        {402, ErrorCode::kResourceExhausted}, {403, ErrorCode::kPermissionDenied},
                        {404, ErrorCode::kInvalidArgument},   {408, ErrorCode::kDeadlineExceeded},
                        {413, ErrorCode::kInvalidArgument},   {422, ErrorCode::kInvalidArgument},
                        {429, ErrorCode::kResourceExhausted}, {500, ErrorCode::kUnavailable},
                        {504, ErrorCode::kUnavailable},       {529, ErrorCode::kUnavailable}};
  for (const Case& test_case : cases) {
    ScriptedAnthropicServer server(InlineScenario(R"({"turns": [{"error": {"status": )" +
                                                  std::to_string(test_case.status) + "}}]}"));
    RecordingClock clock;
    AnthropicClientOptions options = OptionsFor(server);
    options.max_retries = 0;
    auto client = MakeClient(options, clock);
    auto response = client->CreateMessage(Question());
    ASSERT_FALSE(response) << test_case.status;
    EXPECT_EQ(response.error().code, test_case.code) << test_case.status;
    EXPECT_THAT(response.error().message,
                AllOf(HasSubstr("HTTP " + std::to_string(test_case.status)),
                      HasSubstr("request-id req_scripted_1")));
    EXPECT_EQ(response.error().context, "anthropic");
  }
}

TEST(AnthropicClientTest, DroppedAndTruncatedConnectionsAreRetried) {
  ScriptedAnthropicServer server(LoadScenario("dropped_connection_then_ok"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(response->content[0]["text"], "ok");
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(RetryCounts(server), (std::vector<int>{0, 1, 2}));
}

TEST(AnthropicClientTest, AConnectionThatKeepsDroppingIsUnavailable) {
  ScriptedAnthropicServer server(
      InlineScenario(R"({"turns": [{"repeat": 3, "fault": "drop_connection"}]})"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, AllOf(HasSubstr("connection failed"),
                                              HasSubstr("no request-id"), HasSubstr("3 attempts")));
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1.0}));
}

TEST(AnthropicClientTest, NothingListeningIsUnavailableAfterRetries) {
  // A port that is bound but never listens: connections are refused, and no other test can
  // take the port meanwhile.
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(socket_fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int closed_port = ntohs(address.sin_port);
  RecordingClock clock;
  AnthropicClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(closed_port);
  options.api_key = kKey;
  options.jitter = [] { return 0.0; };
  auto client = MakeClient(options, clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, HasSubstr("connection failed"));
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1.0}));
  ::close(socket_fd);
}

TEST(AnthropicClientTest, TimeoutIsRetriedThenSucceeds) {
  ScriptedAnthropicServer server(LoadScenario("timeout_then_ok"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.request_timeout = std::chrono::milliseconds(300);
  auto client = MakeClient(options, clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(clock.waits(), std::vector<double>{0.5});
}

TEST(AnthropicClientTest, TimeoutOnEveryAttemptIsDeadlineExceeded) {
  ScriptedAnthropicServer server(
      InlineScenario(R"({"turns": [{"repeat": 2, "fault": "timeout", "delay_ms": 5000}]})"));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.request_timeout = std::chrono::milliseconds(200);
  options.max_retries = 1;
  auto client = MakeClient(options, clock);
  const auto started = std::chrono::steady_clock::now();
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("timed out"), HasSubstr("agent.request_timeout 200 ms"),
                    HasSubstr("2 attempts")));
  EXPECT_EQ(clock.waits(), std::vector<double>{0.5});
  // Each attempt gave up at the client's timeout, not the server's 5 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

TEST(AnthropicClientTest, MalformedJsonIsUnavailableAndNotRetried) {
  ScriptedAnthropicServer server(LoadScenario("malformed_json"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("not valid JSON"), HasSubstr("request-id req_scripted_1"),
                    HasSubstr("1 attempt")));
  EXPECT_THAT(server.requests(), SizeIs(1));
  EXPECT_FALSE(server.finished());
}

TEST(AnthropicClientTest, MaxTokensStopIsReturnedAsIs) {
  ScriptedAnthropicServer server(LoadScenario("max_tokens_truncated_tool_use"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->stop_reason, "max_tokens");
  EXPECT_EQ(response->usage.output_tokens, 1024);
  ASSERT_THAT(response->content, SizeIs(2));
  EXPECT_EQ(response->content[1]["input"], Json::object());
}

TEST(AnthropicClientTest, UnknownFieldsBlockTypesAndStopReasonsAreTolerated) {
  ScriptedAnthropicServer server(LoadScenario("unknown_blocks"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->stop_reason, "model_context_window_exceeded");
  ASSERT_THAT(response->content, SizeIs(3));
  EXPECT_EQ(response->content[0]["signature"], "EqQBCkYIBxgCKkC0");
  EXPECT_EQ(response->content[1]["annotations"][0]["kind"], "new");
  EXPECT_EQ(response->content[2]["type"], "hologram");
  EXPECT_EQ(response->content[2]["payload"]["frames"], Json({1, 2, 3}));
  EXPECT_EQ(response->usage.cache_read_tokens, 0);  // null counts as 0
}

// ---- Concurrency and secrets ------------------------------------------------------------------

TEST(AnthropicClientTest, SeveralWorkersCallConcurrently) {
  constexpr int kThreads = 6;
  constexpr int kCallsPerThread = 4;
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"repeat": 2, "error": {"status": 529}},
      {"repeat": "forever", "delay_ms": 20,
       "message": {"content": [{"type": "tool_use", "name": "query_cluster_info", "input": {}}]}}]})"));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  std::mutex results_mutex;
  std::set<std::string> tool_use_ids;
  std::vector<std::string> failures;
  std::vector<std::thread> workers;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    workers.emplace_back([&, thread_idx] {
      for (int call_idx = 0; call_idx < kCallsPerThread; ++call_idx) {
        auto response = client->CreateMessage(
            Question("worker " + std::to_string(thread_idx) + " call " + std::to_string(call_idx)));
        std::lock_guard<std::mutex> lock(results_mutex);
        if (!response) {
          failures.push_back(response.error().ToString());
        } else {
          tool_use_ids.insert(response->content[0]["id"].get<std::string>());
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_THAT(failures, IsEmpty());
  EXPECT_EQ(tool_use_ids.size(), static_cast<size_t>(kThreads * kCallsPerThread));
  // Two 529s were retried (no call can see more than two, so none fails).
  EXPECT_THAT(server.requests(), SizeIs(kThreads * kCallsPerThread + 2));
  EXPECT_THAT(clock.waits(), SizeIs(2));
}

TEST(AnthropicClientTest, TheApiKeyNeverAppearsInErrorsOrLogs) {
  const std::string secret = "sk-ant-api03-SECRETSECRETSECRET-9f3k";
  ScriptedAnthropicServer::Options server_options;
  server_options.api_key = secret;
  ScriptedAnthropicServer server(InlineScenario(R"({"turns": [
      {"message": {"content": [{"type": "text", "text": "ok"}]}},
      {"error": {"status": 401, "type": "authentication_error", "message": "invalid x-api-key"}},
      {"fault": "drop_connection"}, {"fault": "drop_connection"}, {"fault": "drop_connection"}]})"),
                                 server_options);
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = Logger("agent");
  const auto previous_level = logger->level();
  logger->sinks().push_back(sink);
  logger->set_level(spdlog::level::trace);

  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.api_key = secret;
  auto client = MakeClient(options, clock);
  auto ok = client->CreateMessage(Question());
  auto unauthorized = client->CreateMessage(Question());
  auto dropped = client->CreateMessage(Question());
  logger->sinks().pop_back();
  logger->set_level(previous_level);

  ASSERT_TRUE(ok) << ok.error().ToString();
  ASSERT_FALSE(unauthorized);
  EXPECT_EQ(unauthorized.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(unauthorized.error().message, HasSubstr("check ANTHROPIC_API_KEY"));
  ASSERT_FALSE(dropped);
  const std::string logs = captured.str();
  EXPECT_THAT(logs, HasSubstr("status=200 attempts=1 request_id=req_scripted_1"));
  EXPECT_THAT(logs, HasSubstr("request body"));  // the whole body, at trace level only
  for (const std::string& text :
       {logs, unauthorized.error().ToString(), dropped.error().ToString()}) {
    EXPECT_THAT(text, Not(HasSubstr("SECRETSECRET")));
  }
}

// ---- An injected transport -------------------------------------------------------------------

TEST(AnthropicClientTest, SendsEveryAttemptThroughAnInjectedTransport) {
  using rh::testing::ScriptedHttpTransport;
  ScriptedHttpTransport transport({
      ScriptedHttpTransport::Failure(net::HttpFailureKind::kTimeout, "Operation timed out"),
      ScriptedHttpTransport::Answer(
          529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
          {{"retry-after-ms", "250"}}),
      ScriptedHttpTransport::Answer(
          200,
          R"({"id":"msg_fake","type":"message","role":"assistant","model":"claude-sonnet-4-5",
              "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",
              "usage":{"input_tokens":3,"output_tokens":1}})",
          {{"request-id", "req_fake"}}),
  });
  RecordingClock clock;
  AnthropicClientOptions options;
  options.base_url = "https://api.example.test/";
  options.api_key = kKey;
  options.connect_timeout = std::chrono::seconds(3);
  options.request_timeout = std::chrono::seconds(45);
  options.jitter = [] { return 0.0; };
  auto created = AnthropicClient::Create(options, transport, clock);
  ASSERT_TRUE(created) << created.error().ToString();
  auto response = (*created)->CreateMessage(Question());
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(response->request_id, "req_fake");
  EXPECT_EQ(response->content[0]["text"], "ok");
  // Backoff after the timeout, then the server's retry-after-ms.
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 0.25}));

  const auto sent = transport.requests();
  ASSERT_THAT(sent, SizeIs(3));
  for (size_t attempt_idx = 0; attempt_idx < sent.size(); ++attempt_idx) {
    const net::HttpRequest& request = sent[attempt_idx];
    EXPECT_EQ(request.method, net::HttpMethod::kPost);
    EXPECT_EQ(request.url, "https://api.example.test/v1/messages");
    EXPECT_EQ(request.connect_timeout, std::chrono::seconds(3));
    EXPECT_EQ(request.total_timeout, std::chrono::seconds(45));
    EXPECT_EQ(rh::testing::SentHeader(request, "x-api-key"), kKey);
    EXPECT_EQ(rh::testing::SentHeader(request, "anthropic-version"), "2023-06-01");
    EXPECT_EQ(rh::testing::SentHeader(request, "user-agent"), net::kUserAgent);
    EXPECT_EQ(rh::testing::SentHeader(request, "x-stainless-retry-count"),
              std::to_string(attempt_idx));
    EXPECT_EQ(Json::parse(request.body)["messages"], Question().messages);
  }
}

TEST(AnthropicClientTest, AnUnusableRequestFromTheTransportIsNotRetried) {
  using rh::testing::ScriptedHttpTransport;
  ScriptedHttpTransport transport({ScriptedHttpTransport::Failure(
      net::HttpFailureKind::kRequest, "URL using bad/illegal format or missing URL")});
  RecordingClock clock;
  AnthropicClientOptions options;
  options.base_url = "http://bad host";
  options.api_key = kKey;
  auto created = AnthropicClient::Create(options, transport, clock);
  ASSERT_TRUE(created) << created.error().ToString();
  auto response = (*created)->CreateMessage(Question());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("bad/illegal format"), HasSubstr("check ANTHROPIC_BASE_URL")));
  EXPECT_THAT(transport.requests(), SizeIs(1));
  EXPECT_THAT(clock.waits(), IsEmpty());
}

// ---- Replay of real recorded API traffic (../shared/data/anthropic/recorded) -------------------

class RecordedTrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!rh::testing::SharedDataPath("anthropic/recorded")) {
      GTEST_SKIP() << "../shared/data/anthropic/recorded is absent: no real traffic to replay";
    }
  }
  static Json Exchanges(const std::string& file) {
    auto path = rh::testing::SharedDataPath("anthropic/recorded/" + file);
    std::ifstream stream(*path);
    std::stringstream text;
    text << stream.rdbuf();
    return Json::parse(text.str());
  }
  static AnthropicScenario Recording(const std::string& file) {
    auto scenario = AnthropicScenario::FromRecording(
        rh::testing::SharedDataPath("anthropic/recorded/" + file)->string());
    EXPECT_TRUE(scenario) << scenario.error().ToString();
    return *scenario;
  }
  // The LlmRequest that reproduces a recorded request body.
  static LlmRequest FromRecordedBody(const Json& body) {
    LlmRequest request;
    request.model = body["model"].get<std::string>();
    request.max_tokens = body["max_tokens"].get<int>();
    request.messages = body["messages"];
    request.system = body.value("system", Json());
    request.tools = body.value("tools", Json());
    request.tool_choice = body.value("tool_choice", Json());
    return request;
  }
};

TEST_F(RecordedTrafficTest, TwoTurnToolUseRoundTripsThroughOurParser) {
  for (const std::string file :
       {"a8ac789b-f856-48cd-9ff3-d5f36799e432.json", "10e53c1d-51be-4c64-b5bf-99adb3fa4719.json",
        "b38bbf6c-9a76-40ca-b09d-7a3911776e0f.json", "e075a6c2-de4d-4125-9709-f0e178058190.json"}) {
    SCOPED_TRACE(file);
    const Json exchanges = Exchanges(file);
    ScriptedAnthropicServer server(Recording(file));
    RecordingClock clock;
    auto client = MakeClient(OptionsFor(server), clock);

    const Json& first_body = exchanges[0]["request"]["body"];
    auto first = client->CreateMessage(FromRecordedBody(first_body));
    ASSERT_TRUE(first) << first.error().ToString();
    const Json& recorded_first = exchanges[0]["response"]["body"];
    EXPECT_EQ(first->id, recorded_first["id"]);
    EXPECT_EQ(first->model, recorded_first["model"]);
    EXPECT_EQ(first->stop_reason, "tool_use");
    EXPECT_EQ(first->usage.input_tokens, recorded_first["usage"]["input_tokens"]);
    EXPECT_EQ(first->usage.output_tokens, recorded_first["usage"]["output_tokens"]);
    EXPECT_EQ(first->content, recorded_first["content"]);

    // Turn two: our parsed assistant content, then the recorded tool_result message. The server
    // checks the body equals the recorded one (so `caller` and the rest round-tripped).
    const Json& second_body = exchanges[1]["request"]["body"];
    LlmRequest second_request = FromRecordedBody(second_body);
    second_request.messages = first_body["messages"];
    second_request.messages.push_back({{"role", "assistant"}, {"content", first->content}});
    second_request.messages.push_back(second_body["messages"].back());
    auto second = client->CreateMessage(second_request);
    ASSERT_TRUE(second) << second.error().ToString();
    const Json& recorded_second = exchanges[1]["response"]["body"];
    EXPECT_EQ(second->id, recorded_second["id"]);
    EXPECT_EQ(second->stop_reason, recorded_second["stop_reason"]);
    EXPECT_EQ(second->content, recorded_second["content"]);
    EXPECT_TRUE(server.finished());
  }
}

TEST_F(RecordedTrafficTest, TheRealBadRequestIsNotRetried) {
  const std::string file = "f59a9391-643b-422c-96dc-1f28bc7ea4d7.json";
  const Json exchanges = Exchanges(file);
  // Serve the recorded 400 verbatim (the server's own validation would answer it itself, with
  // the same text: see CheckMessagesRequestTest.ReproducesTheRecordedRealRejectionWordForWord).
  ScriptedAnthropicServer::Options server_options;
  server_options.validate_requests = false;
  ScriptedAnthropicServer server(Recording(file), server_options);
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  ASSERT_TRUE(client->CreateMessage(FromRecordedBody(exchanges[0]["request"]["body"])));

  auto rejected = client->CreateMessage(FromRecordedBody(exchanges[1]["request"]["body"]));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  const Json& error = exchanges[1]["response"]["body"];
  EXPECT_THAT(rejected.error().message,
              AllOf(HasSubstr("HTTP 400 invalid_request_error"),
                    HasSubstr(error["error"]["message"].get<std::string>()),
                    HasSubstr("request-id " + error["request_id"].get<std::string>()),
                    HasSubstr("1 attempt, x-should-retry: false")));
  EXPECT_THAT(server.requests(), SizeIs(2));
  EXPECT_THAT(clock.waits(), IsEmpty());
  // Even with validation off, what we sent still matches the API's schema.
  if (const auto* openapi = rh::testing::SharedCreateMessageValidator()) {
    for (const auto& sent : server.requests()) EXPECT_THAT(openapi->Validate(sent.body), IsEmpty());
  }
}

TEST_F(RecordedTrafficTest, RateLimitedTwiceThenSucceedsOnTheThirdAttempt) {
  const std::string file = "d743d628-16aa-4c9f-ae78-51deb578f746.json";
  const Json exchanges = Exchanges(file);
  ScriptedAnthropicServer server(Recording(file));
  RecordingClock clock;
  auto client = MakeClient(OptionsFor(server), clock);
  auto response = client->CreateMessage(FromRecordedBody(exchanges[0]["request"]["body"]));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(response->id, exchanges[2]["response"]["body"]["id"]);
  EXPECT_EQ(response->content, exchanges[2]["response"]["body"]["content"]);
  // The recorded 429s carry x-should-retry: true and no retry-after: SDK backoff 0.5 s, 1 s.
  EXPECT_EQ(clock.waits(), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(RetryCounts(server), (std::vector<int>{0, 1, 2}));
}

TEST_F(RecordedTrafficTest, RecordedRateLimitsExhaustingRetriesKeepTheRealRequestId) {
  const std::string file = "d743d628-16aa-4c9f-ae78-51deb578f746.json";
  const Json exchanges = Exchanges(file);
  ScriptedAnthropicServer server(Recording(file));
  RecordingClock clock;
  AnthropicClientOptions options = OptionsFor(server);
  options.max_retries = 1;
  auto client = MakeClient(options, clock);
  auto response = client->CreateMessage(FromRecordedBody(exchanges[0]["request"]["body"]));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kResourceExhausted);
  EXPECT_THAT(response.error().message,
              AllOf(HasSubstr("rate_limit_error"),
                    HasSubstr(exchanges[1]["response"]["body"]["request_id"].get<std::string>())));
}

}  // namespace
}  // namespace rh::agent
