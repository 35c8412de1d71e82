#include "agent/anthropic_client.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "agent/internal/gateway.h"
#include "agent/internal/llm_http.h"
#include "agent/internal/sse_stream.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/redact.h"

namespace rh::agent {
namespace {

constexpr char kContext[] = "anthropic";

bool ThroughGateway(const AnthropicClientOptions& options) {
  return options.gateway == LlmProvider::kBedrock || options.gateway == LlmProvider::kVertex;
}

internal::GatewayRoute RouteOf(const AnthropicClientOptions& options) {
  internal::GatewayRoute route;
  route.kind = options.gateway == LlmProvider::kBedrock  ? internal::ClaudeGateway::kBedrock
               : options.gateway == LlmProvider::kVertex ? internal::ClaudeGateway::kVertex
                                                         : internal::ClaudeGateway::kAnthropic;
  route.base_url = options.base_url;
  route.region = options.gateway_region;
  route.project = options.vertex_project;
  route.token = options.api_key;
  return route;
}

std::string GatewayStatusHint(LlmProvider gateway, long status) {
  const bool bedrock = gateway == LlmProvider::kBedrock;
  switch (status) {
    case 401:
    case 403:
      return bedrock ? " (check AWS_BEARER_TOKEN_BEDROCK, or the signing proxy's credentials, "
                       "and that the account has access to agent.model)"
                     : " (check ROCKHOUND_VERTEX_ACCESS_TOKEN — gcloud tokens expire after an "
                       "hour — or the proxy, and that the project has the model enabled)";
    case 404:
      return bedrock ? " (check agent.model is a Bedrock model id or inference profile offered "
                       "in agent.gateway_region)"
                     : " (check agent.model, e.g. claude-sonnet-4-5@20250929, and that "
                       "agent.gateway_region offers it)";
    case 429:
      return " (rate limit or quota; lower agent.workers or wait)";
    default:
      return "";
  }
}

std::string StatusHint(long status) {
  switch (status) {
    case 401:
      return " (check ANTHROPIC_API_KEY)";
    case 403:
      return " (the API key lacks permission for this model or feature)";
    case 413:
      return " (the request is over the API's 32 MB limit)";
    case 429:
      return " (rate or spend limit; lower agent.workers or wait)";
    case 529:
      return " (the API is overloaded; try again later)";
    default:
      return "";
  }
}

Result<LlmResponse> ParseMessage(const Json& body) {
  if (!body.is_object()) return Unavailable(kContext, "the 200 answer is not a JSON object");
  auto content = body.find("content");
  if (content == body.end() || !content->is_array()) {
    return Unavailable(kContext, "the 200 answer has no `content` array (type=" +
                                     JsonString(body, "type", "?") + ")");
  }
  LlmResponse response;
  response.id = JsonString(body, "id");
  response.model = JsonString(body, "model");
  response.content = *content;
  response.stop_reason = JsonString(body, "stop_reason");
  response.stop_sequence = JsonString(body, "stop_sequence");
  auto usage = body.find("usage");
  if (usage != body.end() && usage->is_object()) {
    response.usage.input_tokens = JsonInt(*usage, "input_tokens");
    response.usage.output_tokens = JsonInt(*usage, "output_tokens");
    response.usage.cache_read_tokens = JsonInt(*usage, "cache_read_input_tokens");
    response.usage.cache_write_tokens = JsonInt(*usage, "cache_creation_input_tokens");
  }
  return response;
}

}  // namespace

AnthropicClientOptions AnthropicClientOptions::FromConfig(const Config& config) {
  AnthropicClientOptions options;
  if (!config.secrets.anthropic_base_url.empty()) {
    options.base_url = config.secrets.anthropic_base_url;
  }
  options.api_key = config.secrets.anthropic_api_key;
  options.model = config.agent.model;
  options.max_tokens = config.agent.max_tokens;
  options.max_retries = config.agent.max_retries;
  options.connect_timeout = config.agent.connect_timeout;
  options.request_timeout = config.agent.request_timeout;
  options.temperature = config.agent.temperature;
  options.max_retry_wait = config.agent.max_retry_wait;
  options.stream = config.agent.stream;
  options.jitter_seed = std::random_device{}();
  options.gateway = config.agent.provider;
  if (ThroughGateway(options)) {
    options.base_url = config.agent.gateway_base_url;
    options.api_key = options.gateway == LlmProvider::kBedrock ? config.secrets.bedrock_api_key
                                                               : config.secrets.vertex_access_token;
    options.gateway_region = config.agent.gateway_region;
    options.vertex_project = config.agent.vertex_project;
  } else {
    options.gateway = LlmProvider::kAnthropic;
  }
  return options;
}

Result<std::unique_ptr<AnthropicClient>> AnthropicClient::Create(AnthropicClientOptions options,
                                                                 Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  std::unique_ptr<net::HttpTransport> owned_transport = net::MakeDefaultHttpTransport();
  net::HttpTransport& transport = *owned_transport;
  return std::make_unique<AnthropicClient>(ConstructionKey(), std::move(options),
                                           std::move(owned_transport), transport, clock);
}

Result<std::unique_ptr<AnthropicClient>> AnthropicClient::Create(AnthropicClientOptions options,
                                                                 net::HttpTransport& transport,
                                                                 Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  return std::make_unique<AnthropicClient>(ConstructionKey(), std::move(options), nullptr,
                                           transport, clock);
}

Status AnthropicClient::CheckOptions(AnthropicClientOptions& options) {
  if (options.gateway == LlmProvider::kOpenAi) {
    return InvalidArgument(kContext, "the openai provider is served by OpenAiClient");
  }
  if (ThroughGateway(options)) {
    if (options.base_url == kAnthropicDefaultBaseUrl) options.base_url.clear();
    internal::GatewayRoute route = RouteOf(options);
    RH_RETURN_IF_ERROR(internal::CheckGatewayRoute(route));
    options.base_url = route.base_url;
  } else if (options.api_key.empty()) {
    return InvalidArgument(kContext, "no API key: export ANTHROPIC_API_KEY");
  }
  if (!ThroughGateway(options)) {
    RH_RETURN_IF_ERROR(internal::CheckBaseUrl(kContext, "ANTHROPIC_BASE_URL", options.base_url));
  }
  if (options.model.empty()) return InvalidArgument(kContext, "agent.model must not be empty");
  if (options.max_tokens < 1) return InvalidArgument(kContext, "agent.max_tokens must be >= 1");
  return internal::CheckRetrySettings(kContext, options.max_retries, options.max_retry_wait,
                                      options.connect_timeout, options.request_timeout);
}

AnthropicClient::AnthropicClient(ConstructionKey /*key*/, AnthropicClientOptions options,
                                 std::unique_ptr<net::HttpTransport> owned_transport,
                                 net::HttpTransport& transport, Clock& clock)
    : options_(std::move(options)),
      owned_transport_(std::move(owned_transport)),
      transport_(transport),
      clock_(clock),
      endpoint_(ThroughGateway(options_)
                    ? internal::GatewayEndpoint(RouteOf(options_), options_.model)
                    : options_.base_url + "/v1/messages"),
      jitter_(std::make_unique<internal::JitterSource>(options_.jitter_seed, options_.jitter)) {}

AnthropicClient::~AnthropicClient() = default;

Result<Json> AnthropicClient::BuildRequestBody(const LlmRequest& request) const {
  RH_RETURN_IF_ERROR(internal::CheckRequestShape(kContext, request));
  const int max_tokens = request.max_tokens.value_or(options_.max_tokens);
  if (max_tokens < 0) return InvalidArgument(kContext, "max_tokens must be >= 0");

  Json body = Json::object();
  body["model"] = request.model.empty() ? options_.model : request.model;
  body["max_tokens"] = max_tokens;
  body["messages"] = request.messages;
  const bool empty_system = request.system.is_null() ||
                            (request.system.is_string() && request.system.empty()) ||
                            (request.system.is_array() && request.system.empty());
  if (!empty_system) body["system"] = request.system;
  if (request.tools.is_array() && !request.tools.empty()) body["tools"] = request.tools;
  if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
  if (!request.thinking.is_null() && !request.thinking.is_object()) {
    return InvalidArgument(kContext,
                           "thinking must be an object such as "
                           "{\"type\":\"enabled\",\"budget_tokens\":2048}");
  }
  const bool thinking =
      request.thinking.is_object() && JsonString(request.thinking, "type") != "disabled";
  if (!request.thinking.is_null()) body["thinking"] = request.thinking;
  if (auto temperature = request.temperature ? request.temperature : options_.temperature;
      temperature && !thinking) {
    body["temperature"] = *temperature;
  }
  if (!request.metadata.is_null()) body["metadata"] = request.metadata;
  if (request.stop_sequences.is_array() && !request.stop_sequences.empty()) {
    body["stop_sequences"] = request.stop_sequences;
  }
  return body;
}

Result<LlmResponse> AnthropicClient::CreateMessage(const LlmRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, BuildRequestBody(request));
  auto log = Logger("agent");
  const Stopwatch elapsed;

  const std::string model = body["model"].get<std::string>();
  const bool gateway = ThroughGateway(options_);
  internal::LlmHttpCall call;
  call.context = kContext;
  call.endpoint = endpoint_;
  call.base_url_hint = "ANTHROPIC_BASE_URL";
  if (gateway) {
    const internal::GatewayRoute route = RouteOf(options_);
    call.context = std::string(internal::GatewayName(route.kind));
    call.endpoint = internal::GatewayEndpoint(route, model, options_.stream);
    call.base_url_hint = "agent.gateway_base_url";
    internal::ShapeGatewayBody(route.kind, request.betas, body);
  }
  call.body = DumpJson(body);
  call.secret = options_.api_key;
  std::string betas;
  for (const std::string& beta : request.betas) betas += (betas.empty() ? "" : ",") + beta;
  std::optional<internal::MessageStream> stream;
  if (options_.stream) {
    body["stream"] = true;
    call.body = DumpJson(body);
    stream.emplace(request.on_text);
    call.on_stream = [&stream](std::string_view piece) { stream->Feed(piece); };
  }
  call.headers = [this, &betas](int retries_taken) {
    net::HttpHeaders headers = {
        {"x-api-key", options_.api_key},
        {"anthropic-version", kAnthropicVersion},
        {"content-type", "application/json"},
        {"accept", options_.stream ? "text/event-stream" : "application/json"},
        {"user-agent", net::kUserAgent},
        {"x-stainless-retry-count", std::to_string(retries_taken)}};
    if (!betas.empty()) headers.push_back({"anthropic-beta", betas});
    return headers;
  };
  call.request_id_headers = {"request-id"};
  call.status_hint = StatusHint;
  if (gateway) {
    call.headers = [this, &request](int retries_taken) {
      return internal::GatewayHeaders(RouteOf(options_), request.betas, retries_taken,
                                      options_.stream);
    };
    // Bedrock answers with x-amzn-requestid, Vertex with its own; a proxy may pass request-id.
    call.request_id_headers = {"request-id", "x-amzn-requestid", "x-request-id"};
    call.status_hint = [gateway = options_.gateway](long status) {
      return GatewayStatusHint(gateway, status);
    };
  }
  call.max_retries = options_.max_retries;
  call.connect_timeout = options_.connect_timeout;
  call.request_timeout = options_.request_timeout;
  call.max_retry_wait = options_.max_retry_wait;
  log->debug("{}: POST {} model={} body={} bytes messages={} tools={}", call.context,
             RedactSecrets(call.endpoint), model, call.body.size(), request.messages.size(),
             request.tools.is_array() ? request.tools.size() : 0);
  log->trace("anthropic: request body {}", call.body);

  RH_ASSIGN_OR_RETURN(internal::LlmHttpAnswer answer,
                      internal::PostJsonWithRetries(call, transport_, clock_, *jitter_));
  auto message = stream ? stream->Finish(answer.text) : ParseMessage(answer.body);
  if (!message) {
    Error error = message.error();
    error.message += answer.Suffix();
    log->error("anthropic: {}", error.message);
    return Fail(std::move(error));
  }
  message->request_id = answer.request_id;
  message->attempts = answer.attempts;
  if (gateway) {
    message->model =
        internal::CanonicalClaudeModel(message->model.empty() ? model : message->model);
  }
  log->info(
      "anthropic: status={} attempts={} request_id={} model={} stop_reason={} input={} "
      "output={} cache_read={} cache_write={} elapsed_ms={}",
      answer.status, answer.attempts, answer.request_id.empty() ? "-" : answer.request_id,
      message->model, message->stop_reason, message->usage.input_tokens,
      message->usage.output_tokens, message->usage.cache_read_tokens,
      message->usage.cache_write_tokens,
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed.Elapsed()).count());
  return message;
}

}  // namespace rh::agent
