// Streaming model answers (agent.stream): the SSE decoder, the Anthropic event assembler on the
// recorded streams of ../shared/data/anthropic/sse, and AnthropicClient with stream on against
// the scripted server over real sockets (events sent one chunk at a time).
#include "agent/internal/sse_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/anthropic_client.h"
#include "agent/openai_client.h"
#include "core/time_format.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/fakes/test_env.h"

namespace rh::agent {
namespace {

using ::rh::testing::AnthropicScenario;
using ::rh::testing::ScriptedAnthropicServer;
using ::testing::HasSubstr;

std::optional<std::string> RecordedStream(const std::string& name) {
  auto path = rh::testing::SharedDataPath("anthropic/sse/" + name);
  if (!path) return std::nullopt;
  std::ifstream stream(*path);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

#define RH_RECORDED_STREAM(var, name)                                                      \
  auto var##_text = RecordedStream(name);                                                  \
  if (!var##_text) {                                                                       \
    GTEST_SKIP() << "../shared/data/anthropic/sse/" << name << " is absent: nothing to replay"; \
  }                                                                                        \
  const std::string& var = *var##_text

// ---- The decoder ------------------------------------------------------------------------------

TEST(SseDecoderTest, SplitsEventsAcrossAnyChunkingAndLineEnds) {
  const std::string body =
      ": a comment\r\nevent: one\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n"
      "event:two\rdata:x\r\r"
      "data: no name\n\n"
      "id: 7\nevent: last\ndata: end";  // no blank line: dispatched by Finish
  for (size_t piece : {size_t{1}, size_t{3}, body.size()}) {
    std::vector<internal::SseEvent> events;
    internal::SseDecoder decoder([&](const internal::SseEvent& event) { events.push_back(event); });
    for (size_t at = 0; at < body.size(); at += piece) decoder.Feed(body.substr(at, piece));
    decoder.Finish();
    ASSERT_EQ(events.size(), 4u) << "piece " << piece;
    EXPECT_EQ(events[0].event, "one");
    EXPECT_EQ(events[0].data, "{\"a\":\n1}");
    EXPECT_EQ(events[1].event, "two");
    EXPECT_EQ(events[1].data, "x");
    EXPECT_EQ(events[2].event, "message");
    EXPECT_EQ(events[2].data, "no name");
    EXPECT_EQ(events[3].event, "last");
    EXPECT_EQ(events[3].id, "7");
    EXPECT_EQ(events[3].data, "end");
  }
}

// ---- The recorded streams ---------------------------------------------------------------------

TEST(RecordedSseTest, BasicTextStreamsItsDeltasAndAssemblesTheMessage) {
  RH_RECORDED_STREAM(body, "basic_response.txt");
  std::vector<std::string> deltas;
  auto message = internal::ParseMessageStream(
      body, [&](std::string_view text) { deltas.emplace_back(text); });
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(deltas, (std::vector<std::string>{"Hello", " there", "!"}));
  EXPECT_EQ(message->id, "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK");
  EXPECT_EQ(message->model, "claude-3-opus-latest");
  EXPECT_EQ(message->stop_reason, "end_turn");
  EXPECT_EQ(message->usage.input_tokens, 11);
  EXPECT_EQ(message->usage.output_tokens, 6);  // message_delta's cumulative count wins
  ASSERT_EQ(message->content.size(), 1u);
  EXPECT_EQ(message->content[0], (Json{{"type", "text"}, {"text", "Hello there!"}}));
}

TEST(RecordedSseTest, ToolUseInputIsTheConcatenatedPartialJson) {
  RH_RECORDED_STREAM(body, "tool_use_response.txt");
  auto message = internal::ParseMessageStream(body);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->stop_reason, "tool_use");
  EXPECT_EQ(message->usage.input_tokens, 377);
  EXPECT_EQ(message->usage.output_tokens, 65);
  ASSERT_EQ(message->content.size(), 2u);
  EXPECT_EQ(JsonString(message->content[0], "text"),
            "I'll check the current weather in Paris for you.");
  const Json& tool = message->content[1];
  EXPECT_EQ(JsonString(tool, "type"), "tool_use");
  EXPECT_EQ(JsonString(tool, "id"), "toolu_01NRLabsLyVHZPKxbKvkfSMn");
  EXPECT_EQ(JsonString(tool, "name"), "get_weather");
  EXPECT_EQ(tool["input"], (Json{{"location", "Paris"}}));
  EXPECT_EQ(tool["caller"], (Json{{"type", "direct"}}));  // unknown fields round-trip
}

TEST(RecordedSseTest, RefusalEndsWithStopReasonRefusal) {
  RH_RECORDED_STREAM(body, "refusal_response.txt");
  auto message = internal::ParseMessageStream(body);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->stop_reason, "refusal");
  EXPECT_EQ(message->model, "claude-opus-4-7");
  ASSERT_EQ(message->content.size(), 1u);
  EXPECT_EQ(JsonString(message->content[0], "text"), "");
}

TEST(RecordedSseTest, IncompletePartialJsonIsAClearErrorUnlessCutOffAtMaxTokens) {
  RH_RECORDED_STREAM(body, "incomplete_partial_json_response.txt");
  // As recorded: cut off at max_tokens inside the tool call. The block keeps input {} (the
  // engine answers a cut-off call "not run"); the text before it is whole.
  auto cut_off = internal::ParseMessageStream(body);
  ASSERT_TRUE(cut_off) << cut_off.error().ToString();
  EXPECT_EQ(cut_off->stop_reason, "max_tokens");
  ASSERT_EQ(cut_off->content.size(), 2u);
  EXPECT_EQ(JsonString(cut_off->content[1], "name"), "make_file");
  EXPECT_EQ(cut_off->content[1]["input"], Json::object());

  // The same stream ending for any other reason: the incomplete input is an error naming it.
  std::string ended = body;
  const size_t at = ended.find("\"stop_reason\":\"max_tokens\"");
  ASSERT_NE(at, std::string::npos);
  ended.replace(at, std::string("\"stop_reason\":\"max_tokens\"").size(),
                "\"stop_reason\":\"end_turn\"");
  auto broken = internal::ParseMessageStream(ended);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(broken.error().message, HasSubstr("make_file"));
  EXPECT_THAT(broken.error().message, HasSubstr("incomplete JSON"));
}

TEST(RecordedSseTest, AStreamCutBeforeMessageStopOrWithAnErrorEventFails) {
  RH_RECORDED_STREAM(body, "tool_use_response.txt");
  auto cut = internal::ParseMessageStream(body.substr(0, body.find("event: message_delta")));
  ASSERT_FALSE(cut);
  EXPECT_THAT(cut.error().message, HasSubstr("without message_stop"));

  const std::string overloaded =
      body.substr(0, body.find("event: content_block_stop")) +
      "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
      "\"message\": \"Overloaded\"}}\n\n";
  auto failed = internal::ParseMessageStream(overloaded);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(failed.error().message, HasSubstr("overloaded_error: Overloaded"));

  const std::string limited =
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
      "\"message\":\"slow down\"}}\n\n";
  auto rate = internal::ParseMessageStream(limited);
  ASSERT_FALSE(rate);
  EXPECT_EQ(rate.error().code, ErrorCode::kResourceExhausted);
}

// ---- Over real sockets ------------------------------------------------------------------------

class StreamingClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<AnthropicClient> Client(const ScriptedAnthropicServer& server) {
    AnthropicClientOptions options;
    options.base_url = server.base_url();
    options.api_key = "test-key";
    options.model = "claude-sonnet-4-5";
    options.max_tokens = 1024;
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(10);
    options.jitter = [] { return 0.0; };
    options.stream = true;
    auto client = AnthropicClient::Create(std::move(options), clock_);
    EXPECT_TRUE(client) << client.error().ToString();
    return client ? std::move(*client) : nullptr;
  }
  static AnthropicScenario Scenario(const std::string& json) {
    auto scenario = AnthropicScenario::Parse(Json::parse(json), "inline");
    EXPECT_TRUE(scenario) << scenario.error().ToString();
    return scenario ? *scenario : AnthropicScenario{};
  }
  static LlmRequest Question(std::vector<std::string>* deltas) {
    LlmRequest request;
    request.messages = Json::array({{{"role", "user"}, {"content", "Why is c-prod-01 slow?"}}});
    request.on_text = [deltas](std::string_view text) { deltas->emplace_back(text); };
    return request;
  }
  ManualClock clock_{MakeUtcTime(2026, 11, 21, 10)};
};

TEST_F(StreamingClientTest, AScriptedMessageStreamsBackAsTheSameResponse) {
  ScriptedAnthropicServer server(Scenario(R"({"turns": [{"message": {"content": [
      {"type": "text", "text": "Looking at the alerts first."},
      {"type": "tool_use", "id": "toolu_1", "name": "query_cluster_alerts",
       "input": {"cluster_id": "c-prod-01", "window_hours": 24}}]}}]})"));
  auto client = Client(server);
  std::vector<std::string> deltas;
  auto message = client->CreateMessage(Question(&deltas));
  ASSERT_TRUE(message) << message.error().ToString();
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].body["stream"], true);
  EXPECT_EQ(server.requests()[0].headers.at("accept"), "text/event-stream");
  EXPECT_EQ(deltas, (std::vector<std::string>{"Looking at the", " alerts first."}));
  EXPECT_EQ(message->stop_reason, "tool_use");
  ASSERT_EQ(message->content.size(), 2u);
  EXPECT_EQ(JsonString(message->content[0], "text"), "Looking at the alerts first.");
  EXPECT_EQ(message->content[1]["input"],
            (Json{{"cluster_id", "c-prod-01"}, {"window_hours", 24}}));
  EXPECT_FALSE(message->request_id.empty());
}

TEST_F(StreamingClientTest, RecordedStreamsReplayedOverTheSocket) {
  RH_RECORDED_STREAM(tool_use, "tool_use_response.txt");
  RH_RECORDED_STREAM(refusal, "refusal_response.txt");
  Json turns = Json::array();
  for (const std::string* body : {&tool_use, &refusal}) {
    turns.push_back({{"response", {{"status", 200},
                                   {"headers", {{"content-type", "text/event-stream; charset=utf-8"}}},
                                   {"body_text", *body}}}});
  }
  ScriptedAnthropicServer server(Scenario(DumpJson(Json{{"turns", turns}})));
  auto client = Client(server);
  std::vector<std::string> deltas;
  auto first = client->CreateMessage(Question(&deltas));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->content[1]["input"], (Json{{"location", "Paris"}}));
  EXPECT_EQ(deltas.size(), 2u);
  auto second = client->CreateMessage(Question(&deltas));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->stop_reason, "refusal");
}

TEST_F(StreamingClientTest, AFailureBeforeTheFirstEventIsRetriedOneMidStreamIsNot) {
  ScriptedAnthropicServer retried(Scenario(R"({"turns": [{"fault": "drop_connection"},
      {"message": {"content": [{"type": "text", "text": "fine"}]}}]})"));
  std::vector<std::string> deltas;
  auto message = Client(retried)->CreateMessage(Question(&deltas));
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->attempts, 2);
  EXPECT_EQ(JsonString(message->content[0], "text"), "fine");

  ScriptedAnthropicServer cut(Scenario(R"({"turns": [{"fault": "stream_cut"},
      {"message": {"content": [{"type": "text", "text": "never asked for"}]}}]})"));
  deltas.clear();
  auto broken = Client(cut)->CreateMessage(Question(&deltas));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(broken.error().message, HasSubstr("not retried"));
  EXPECT_EQ(cut.requests().size(), 1u);
  EXPECT_EQ(deltas, (std::vector<std::string>{"The clu"}));  // what arrived before the cut
  cut.TakeProblems();  // the second turn is left unserved on purpose
}

// ---- OpenAI-compatible streaming ------------------------------------------------------------

// A Chat Completions stream as vLLM / OpenAI send it: a role chunk, content pieces, a tool call
// split over three chunks (id and name first, arguments in pieces), a second parallel call by
// index, the finish chunk, the usage chunk (include_usage) and [DONE].
std::string ChatStream() {
  const std::vector<std::string> chunks = {
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"content":"Checking "},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"content":"alerts."},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"query_cluster_alerts","arguments":""}}]},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"cluster_id\": "}}]},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"query_cluster_info","arguments":"{\"cluster_id\": \"c-1\"}"}}]},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"c-1\"}"}}]},"finish_reason":null}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen3","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150}})",
      "[DONE]"};
  std::string body;
  for (const std::string& chunk : chunks) body += "data: " + chunk + "\n\n";
  return body;
}

TEST(ChatCompletionStreamTest, ChunksAssembleIntoTheNonStreamedBody) {
  std::vector<std::string> deltas;
  internal::ChatCompletionStream stream(
      [&](std::string_view text) { deltas.emplace_back(text); });
  const std::string body = ChatStream();
  for (size_t at = 0; at < body.size(); at += 7) stream.Feed(body.substr(at, 7));
  auto assembled = stream.Finish("");
  ASSERT_TRUE(assembled) << assembled.error().ToString();
  EXPECT_EQ(deltas, (std::vector<std::string>{"Checking ", "alerts."}));
  const Json& choice = (*assembled)["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_EQ(choice["message"]["content"], "Checking alerts.");
  ASSERT_EQ(choice["message"]["tool_calls"].size(), 2u);
  EXPECT_EQ(choice["message"]["tool_calls"][0],
            (Json{{"id", "call_a"}, {"type", "function"},
                  {"function", {{"name", "query_cluster_alerts"},
                                {"arguments", "{\"cluster_id\": \"c-1\"}"}}}}));
  EXPECT_EQ(choice["message"]["tool_calls"][1]["id"], "call_b");
  EXPECT_EQ((*assembled)["usage"]["prompt_tokens"], 120);
  EXPECT_EQ((*assembled)["model"], "qwen3");

  internal::ChatCompletionStream cut;
  const size_t finish_chunk = body.rfind("data: ", body.find("\"delta\":{},\"finish_reason\""));
  auto broken = cut.Finish(body.substr(0, finish_chunk));
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message, HasSubstr("cut off"));
  internal::ChatCompletionStream failing;
  auto error = failing.Finish("data: {\"error\": {\"message\": \"model crashed\"}}\n\n");
  ASSERT_FALSE(error);
  EXPECT_THAT(error.error().message, HasSubstr("model crashed"));
}

TEST_F(StreamingClientTest, TheOpenAiClientStreamsWithUsageOverTheSocket) {
  Json turns = Json::array({{{"response", {{"status", 200},
                                           {"headers", {{"content-type", "text/event-stream"}}},
                                           {"body_text", ChatStream()}}}}});
  ScriptedAnthropicServer::Options server_options;
  server_options.validate_requests = false;  // Chat Completions, not the Messages API
  server_options.validate_openapi = false;
  ScriptedAnthropicServer server(Scenario(DumpJson(Json{{"turns", turns}})), server_options);
  OpenAiClientOptions options;
  options.base_url = server.base_url() + "/v1/";
  options.api_key = "test-key";
  options.model = "qwen3";
  options.connect_timeout = std::chrono::seconds(2);
  options.request_timeout = std::chrono::seconds(10);
  options.jitter = [] { return 0.0; };
  options.stream = true;
  auto client = OpenAiClient::Create(options, clock_);
  ASSERT_TRUE(client) << client.error().ToString();
  std::vector<std::string> deltas;
  auto message = (*client)->CreateMessage(Question(&deltas));
  ASSERT_TRUE(message) << message.error().ToString();
  const Json sent = server.requests().at(0).body;
  EXPECT_EQ(sent["stream"], true);
  EXPECT_EQ(sent["stream_options"], (Json{{"include_usage", true}}));
  EXPECT_EQ(deltas, (std::vector<std::string>{"Checking ", "alerts."}));
  EXPECT_EQ(message->stop_reason, "tool_use");
  EXPECT_EQ(message->usage.input_tokens, 120);
  EXPECT_EQ(message->usage.output_tokens, 30);
  int tool_uses = 0;
  for (const Json& block : message->content) {
    if (JsonString(block, "type") != "tool_use") continue;
    ++tool_uses;
    EXPECT_EQ(block["input"], (Json{{"cluster_id", "c-1"}}));
  }
  EXPECT_EQ(tool_uses, 2);
}

}  // namespace
}  // namespace rh::agent
