// Claude through a cloud gateway: the real AnthropicClient configured for Amazon Bedrock or
// Google Vertex AI, over real sockets against the scripted Anthropic server acting as that
// gateway (tests/fakes/scripted_gateway.h: it checks the gateway's path, auth and body shape,
// then validates the Messages request they stand for). Each test asserts the exact path,
// headers and body; a whole investigation runs over each gateway; secrets stay masked.
#include "agent/internal/gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/anthropic_client.h"
#include "agent/claude_engine.h"
#include "agent/investigator.h"
#include "agent/playbook_engine.h"
#include "agent/report.h"
#include "core/redact.h"
#include "store/report_store.h"
#include "tests/agent/loop_fixture.h"
#include "tests/fakes/scripted_gateway.h"

namespace rh::agent {
namespace {

using loop_test::Fleet;
using loop_test::LoadScenario;
using loop_test::RecordingClock;
using rh::testing::AnthropicScenario;
using rh::testing::ReceivedRequest;
using rh::testing::ScriptedAnthropicServer;
using rh::testing::ScriptedTurn;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBedrockModel[] = "anthropic.claude-sonnet-4-5-20250929-v1:0";
constexpr char kVertexModel[] = "claude-sonnet-4-5@20250929";
constexpr char kBedrockKey[] = "ABSKQmVkcm9ja0FQSUtleS1zY3JpcHRlZC10ZXN0";  // a Bedrock API key
constexpr char kVertexToken[] = "ya29.a0AfB_scripted_vertex_access_token_0123";

LlmRequest OneQuestion() {
  LlmRequest request;
  request.max_tokens = 300;
  request.system = "You are terse.";
  request.messages = Json::array({Json{{"role", "user"}, {"content", "Hello"}}});
  return request;
}

ScriptedTurn Hello() {
  ScriptedTurn turn;
  turn.message = {{"content", Json::array({Json{{"type", "text"}, {"text", "Hi."}}})}};
  return turn;
}

std::string HeaderOf(const ReceivedRequest& request, const std::string& name) {
  auto found = request.headers.find(name);
  return found == request.headers.end() ? "<absent>" : found->second;
}

class GatewayTest : public ::testing::Test {
 protected:
  // A server acting as `kind` (token "" = a signing proxy: no authorization expected) and a
  // client configured for it.
  void Start(const std::string& kind, const std::string& token, std::vector<ScriptedTurn> turns) {
    AnthropicScenario scenario;
    scenario.name = "gateway_" + kind;
    scenario.turns = std::move(turns);
    ScriptedAnthropicServer::Options options;
    options.gateway.kind = kind;
    options.gateway.token = token;
    options.gateway.project = "rockhound-prod";
    options.gateway.region = "us-east5";
    server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario), options);
    AnthropicClientOptions client;
    const bool bedrock = kind == "bedrock";
    client.gateway = bedrock ? LlmProvider::kBedrock : LlmProvider::kVertex;
    client.base_url = bedrock ? server_->base_url() : server_->base_url() + "/v1/";
    client.api_key = token;
    client.model = bedrock ? kBedrockModel : kVertexModel;
    client.gateway_region = bedrock ? "us-east-1" : "us-east5";
    client.vertex_project = "rockhound-prod";
    client.connect_timeout = std::chrono::seconds(5);
    client.request_timeout = std::chrono::seconds(30);
    client.jitter = [] { return 0.0; };
    auto created = AnthropicClient::Create(client, clock_);
    ASSERT_TRUE(created) << created.error().ToString();
    client_ = std::move(*created);
  }

  void TearDown() override {
    if (server_) {
      EXPECT_THAT(server_->problems(), ::testing::IsEmpty());
    }
  }

  RecordingClock clock_;
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<AnthropicClient> client_;
};

TEST_F(GatewayTest, BedrockInvokeModelHasTheDocumentedPathHeadersAndBody) {
  Start("bedrock", kBedrockKey, {Hello()});
  LlmRequest request = OneQuestion();
  request.betas = {"interleaved-thinking-2025-05-14"};
  auto response = client_->CreateMessage(request);
  ASSERT_TRUE(response) << response.error().ToString();
  const ReceivedRequest sent = server_->requests().at(0);
  // The model id in the path, its ':' left as the SDKs leave it.
  EXPECT_EQ(sent.target, "/model/anthropic.claude-sonnet-4-5-20250929-v1:0/invoke");
  EXPECT_EQ(HeaderOf(sent, "authorization"), std::string("Bearer ") + kBedrockKey);
  EXPECT_EQ(HeaderOf(sent, "x-api-key"), "<absent>");
  EXPECT_EQ(HeaderOf(sent, "anthropic-version"), "<absent>");
  EXPECT_EQ(HeaderOf(sent, "anthropic-beta"), "<absent>");  // in the body on Bedrock
  EXPECT_EQ(sent.body["anthropic_version"], "bedrock-2023-05-31");
  EXPECT_FALSE(sent.body.contains("model"));
  EXPECT_EQ(sent.body["anthropic_beta"], Json::array({"interleaved-thinking-2025-05-14"}));
  EXPECT_EQ(sent.body["max_tokens"], 300);
  EXPECT_EQ(sent.body["system"], "You are terse.");
  // The answer: the same Message, its model the Anthropic id (for prices and reports).
  EXPECT_EQ(response->model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(response->content[0]["text"], "Hi.");
}

TEST_F(GatewayTest, VertexRawPredictHasTheDocumentedPathHeadersAndBody) {
  Start("vertex", kVertexToken, {Hello()});
  LlmRequest request = OneQuestion();
  request.betas = {"interleaved-thinking-2025-05-14"};
  auto response = client_->CreateMessage(request);
  ASSERT_TRUE(response) << response.error().ToString();
  const ReceivedRequest sent = server_->requests().at(0);
  EXPECT_EQ(sent.target,
            "/v1/projects/rockhound-prod/locations/us-east5/publishers/anthropic/models/"
            "claude-sonnet-4-5@20250929:rawPredict");
  EXPECT_EQ(HeaderOf(sent, "authorization"), std::string("Bearer ") + kVertexToken);
  EXPECT_EQ(HeaderOf(sent, "x-api-key"), "<absent>");
  EXPECT_EQ(HeaderOf(sent, "anthropic-beta"), "interleaved-thinking-2025-05-14");
  EXPECT_EQ(sent.body["anthropic_version"], "vertex-2023-10-16");
  EXPECT_FALSE(sent.body.contains("model"));
  EXPECT_FALSE(sent.body.contains("anthropic_beta"));
  EXPECT_EQ(response->model, "claude-sonnet-4-5-20250929");
}

TEST_F(GatewayTest, ASigningProxyGetsNoAuthorizationHeader) {
  Start("bedrock", "", {Hello()});
  auto response = client_->CreateMessage(OneQuestion());
  ASSERT_TRUE(response) << response.error().ToString();
  const ReceivedRequest sent = server_->requests().at(0);
  EXPECT_EQ(HeaderOf(sent, "authorization"), "<absent>");
  EXPECT_EQ(HeaderOf(sent, "x-api-key"), "<absent>");
}

TEST_F(GatewayTest, AWrongTokenIsPermissionDeniedWithAHintAndTheTokenMasked) {
  // The server expects another token: 403, not retried, the token nowhere in the error.
  AnthropicScenario scenario;
  scenario.name = "gateway_denied";
  scenario.turns = {Hello()};
  ScriptedAnthropicServer::Options options;
  options.gateway.kind = "vertex";
  options.gateway.token = "ya29.the-right-token-0000000000";
  server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario), options);
  AnthropicClientOptions client;
  client.gateway = LlmProvider::kVertex;
  client.base_url = server_->base_url() + "/v1";
  client.api_key = kVertexToken;
  client.model = kVertexModel;
  client.gateway_region = "us-east5";
  client.vertex_project = "rockhound-prod";
  client.jitter = [] { return 0.0; };
  auto created = AnthropicClient::Create(client, clock_);
  ASSERT_TRUE(created) << created.error().ToString();
  auto response = (*created)->CreateMessage(OneQuestion());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(response.error().context, "vertex");
  EXPECT_THAT(response.error().message, HasSubstr("HTTP 403"));
  EXPECT_THAT(response.error().message, HasSubstr("ROCKHOUND_VERTEX_ACCESS_TOKEN"));
  EXPECT_THAT(response.error().ToString(), Not(HasSubstr(kVertexToken)));
  EXPECT_EQ(server_->requests().size(), 1u);
  server_->TakeProblems();  // the rejection is the point
}

// A whole investigation over each gateway, through the real loop and Investigator.
class GatewayInvestigationTest : public GatewayTest,
                                 public ::testing::WithParamInterface<std::string> {};

TEST_P(GatewayInvestigationTest, EndsInAStoredValidReportPricedAsTheClaudeModel) {
  ASSERT_TRUE(Fleet().error.empty()) << Fleet().error;
  const std::string cluster = Fleet().IncidentCluster(RootCause::kDiskCapacity);
  ASSERT_FALSE(cluster.empty());
  loop_test::TestMemory memory("sqlite");
  ASSERT_TRUE(memory.error().empty()) << memory.error();
  auto tools = loop_test::BuildTools(memory.db(), clock_);
  ASSERT_TRUE(tools) << tools.error().ToString();
  const std::string kind = GetParam();
  Start(kind, kind == "bedrock" ? kBedrockKey : kVertexToken,
        LoadScenario("investigation_disk_full", {{"cluster_id", cluster}}).turns);
  ToolExecutor executor(4);
  AgentConfig config;
  config.model = kind == "bedrock" ? kBedrockModel : kVertexModel;
  auto engine = ClaudeEngine::Create(*client_, **tools, executor, clock_, config);
  ASSERT_TRUE(engine) << engine.error().ToString();
  PlaybookEngine playbook(**tools, executor, clock_);
  InvestigatorDeps deps;
  deps.fleet = Fleet().fleet.get();
  deps.memory = memory.db();
  deps.claude = engine->get();
  deps.playbook = &playbook;
  deps.clock = &clock_;
  deps.config = config;
  Investigator investigator(deps);
  auto result = investigator.Run({"", cluster, ""}, EngineKind::kClaude);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_TRUE(server_->finished());

  store::ReportStore reports(*memory.db());
  auto stored = reports.Get(result->report_id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->engine, EngineKind::kClaude);
  EXPECT_EQ(stored->model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(stored->llm_error, "");
  EXPECT_GT(stored->cost_usd, 0.0);  // priced by the claude-sonnet-4-5 entry, not the fallback
  Json report_json = ParseJson(stored->report_json).value();
  report_json.erase("trigger");
  auto report = ParseReport(report_json);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->root_cause_category, RootCause::kDiskCapacity);
  // Every turn went the gateway's way.
  const auto requests = server_->requests();
  EXPECT_EQ(requests.size(), 4u);
  for (const ReceivedRequest& request : requests) {
    EXPECT_FALSE(request.body.contains("model"));
    EXPECT_EQ(JsonString(request.body, "anthropic_version"),
              kind == "bedrock" ? "bedrock-2023-05-31" : "vertex-2023-10-16");
    EXPECT_EQ(request.target.rfind(kind == "bedrock" ? "/model/" : "/v1/projects/", 0), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(BedrockAndVertex, GatewayInvestigationTest,
                         ::testing::Values("bedrock", "vertex"));

// The fake is strict where the gateways are: an Anthropic-shaped request is refused.
TEST(ScriptedGatewayTest, RefusesWhatTheGatewayWould) {
  using rh::testing::CheckGatewayRequest;
  using rh::testing::GatewayExpectation;
  using rh::testing::MessagesEquivalent;
  const GatewayExpectation bedrock{"bedrock", "tok-123", "", ""};
  const Json body = {{"anthropic_version", "bedrock-2023-05-31"},
                     {"max_tokens", 10},
                     {"messages", Json::array({Json{{"role", "user"}, {"content", "Hi"}}})}};
  const std::map<std::string, std::string> auth = {{"authorization", "Bearer tok-123"},
                                                   {"content-type", "application/json"}};
  MessagesEquivalent out;
  ASSERT_FALSE(CheckGatewayRequest(bedrock, "POST", "/model/anthropic.claude-x-v1%3A0/invoke", auth,
                                   body, "k", &out));
  EXPECT_EQ(out.model, "anthropic.claude-x-v1:0");
  EXPECT_EQ(out.body["model"], "anthropic.claude-x-v1:0");
  EXPECT_FALSE(out.body.contains("anthropic_version"));
  EXPECT_EQ(out.headers["x-api-key"], "k");
  auto status = [&](const std::string& path, std::map<std::string, std::string> headers,
                    const Json& sent) {
    auto rejection = CheckGatewayRequest(bedrock, "POST", path, headers, sent, "k", &out);
    return rejection ? rejection->status : 0;
  };
  const std::string path = "/model/anthropic.claude-x-v1:0/invoke";
  EXPECT_EQ(status("/v1/messages", auth, body), 404);
  Json with_model = body;
  with_model["model"] = "claude-x";
  EXPECT_EQ(status(path, auth, with_model), 400);
  Json messages_api = body;
  messages_api.erase("anthropic_version");
  EXPECT_EQ(status(path, auth, messages_api), 400);
  auto with_key = auth;
  with_key["x-api-key"] = "sk-ant-leak";
  EXPECT_EQ(status(path, with_key, body), 400);
  EXPECT_EQ(status(path, {{"content-type", "application/json"}}, body), 401);
  auto beta_header = auth;
  beta_header["anthropic-beta"] = "x";
  EXPECT_EQ(status(path, beta_header, body), 400);  // Bedrock reads betas from the body
}

// ---- Request shaping without a server ------------------------------------------------------

TEST(GatewayShapeTest, DefaultEndpointsComeFromTheRegion) {
  internal::GatewayRoute bedrock{internal::ClaudeGateway::kBedrock, "", "eu-west-1", "", ""};
  ASSERT_TRUE(internal::CheckGatewayRoute(bedrock));
  EXPECT_EQ(internal::GatewayEndpoint(bedrock, kBedrockModel),
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/"
            "anthropic.claude-sonnet-4-5-20250929-v1:0/invoke");
  // An inference-profile ARN: its '/' is percent-encoded, its ':' kept.
  EXPECT_EQ(internal::GatewayEndpoint(
                bedrock, "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/x1"),
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/"
            "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile%2Fx1/invoke");
  internal::GatewayRoute vertex{internal::ClaudeGateway::kVertex, "", "global", "p1", ""};
  ASSERT_TRUE(internal::CheckGatewayRoute(vertex));
  EXPECT_EQ(internal::GatewayEndpoint(vertex, kVertexModel),
            "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/"
            "anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
  // Streamed (agent.stream): Vertex's streamRawPredict answers the Messages API's SSE stream.
  EXPECT_EQ(internal::GatewayEndpoint(vertex, kVertexModel, /*stream=*/true),
            "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/"
            "anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
  bool accepts_sse = false;
  for (const auto& [name, value] : internal::GatewayHeaders(vertex, {}, 0, /*stream=*/true)) {
    if (name == "accept") accepts_sse = value == "text/event-stream";
  }
  EXPECT_TRUE(accepts_sse);
  vertex.base_url.clear();
  vertex.region = "europe-west1";
  ASSERT_TRUE(internal::CheckGatewayRoute(vertex));
  EXPECT_EQ(vertex.base_url, "https://europe-west1-aiplatform.googleapis.com/v1");
}

TEST(GatewayShapeTest, MissingRegionOrProjectIsRefusedNamingTheSetting) {
  internal::GatewayRoute bedrock{internal::ClaudeGateway::kBedrock, "", "", "", ""};
  auto status = internal::CheckGatewayRoute(bedrock);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, HasSubstr("agent.gateway_region"));
  internal::GatewayRoute vertex{internal::ClaudeGateway::kVertex, "", "us-east5", "", ""};
  status = internal::CheckGatewayRoute(vertex);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, HasSubstr("agent.vertex_project"));
  internal::GatewayRoute proxy{internal::ClaudeGateway::kBedrock, "ftp://proxy", "", "", ""};
  status = internal::CheckGatewayRoute(proxy);
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message, HasSubstr("agent.gateway_base_url"));
}

TEST(GatewayShapeTest, CanonicalModelIdsPriceAndNameTheReport) {
  using internal::CanonicalClaudeModel;
  EXPECT_EQ(CanonicalClaudeModel("anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "claude-sonnet-4-5-20250929");
  EXPECT_EQ(CanonicalClaudeModel("us.anthropic.claude-opus-4-1-20250805-v1:0"),
            "claude-opus-4-1-20250805");
  EXPECT_EQ(CanonicalClaudeModel("global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            "claude-haiku-4-5-20251001");
  EXPECT_EQ(CanonicalClaudeModel(
                "arn:aws:bedrock:us-east-1:123:inference-profile/us.anthropic.claude-sonnet-4-"
                "20250514-v1:0"),
            "claude-sonnet-4-20250514");
  EXPECT_EQ(CanonicalClaudeModel("claude-sonnet-4-5@20250929"), "claude-sonnet-4-5-20250929");
  EXPECT_EQ(CanonicalClaudeModel("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5-20250929");
}

TEST(GatewayShapeTest, FromConfigTakesTheGatewaySettingsAndItsToken) {
  Config config;
  config.agent.provider = LlmProvider::kBedrock;
  config.agent.model = kBedrockModel;
  config.agent.gateway_region = "us-west-2";
  config.secrets.anthropic_api_key = "sk-ant-not-for-bedrock-000000000";
  config.secrets.bedrock_api_key = kBedrockKey;
  AnthropicClientOptions options = AnthropicClientOptions::FromConfig(config);
  EXPECT_EQ(options.gateway, LlmProvider::kBedrock);
  EXPECT_EQ(options.api_key, kBedrockKey);  // never the Anthropic key
  EXPECT_EQ(options.base_url, "");
  ManualClock clock(TimePoint{});
  auto client = AnthropicClient::Create(options, clock);
  ASSERT_TRUE(client) << client.error().ToString();
  EXPECT_EQ((*client)->endpoint(),
            "https://bedrock-runtime.us-west-2.amazonaws.com/model/"
            "anthropic.claude-sonnet-4-5-20250929-v1:0/invoke");
}

}  // namespace
}  // namespace rh::agent
