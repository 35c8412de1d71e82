#include "agent/anthropic_client.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "agent/internal/anthropic_retry.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/redact.h"
#include "net/backoff.h"

namespace rh::agent {
namespace {

constexpr char kContext[] = "anthropic";
constexpr size_t kBodySnippetChars = 300;

// The SDKs' timing: 0.5 s doubled up to 8 s, minus up to 25% jitter; a server wait honoured up
// to agent.max_retry_wait (5 min by default: the TypeScript and Go SDKs honour any value, the
// Python SDK 60 s; a rate limit that says "120 s" means it, and retrying sooner only spends an
// attempt on another 429).
net::BackoffPolicy SdkBackoff(Duration max_server_wait) {
  return net::BackoffPolicy{.initial = std::chrono::milliseconds(500),
                            .max = std::chrono::seconds(8),
                            .multiplier = 2.0,
                            .jitter_fraction = 0.25,
                            .max_server_wait = max_server_wait};
}

std::chrono::milliseconds ToMillis(Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration);
}

std::string Snippet(std::string_view body) {
  std::string text(body.substr(0, kBodySnippetChars));
  if (body.size() > kBodySnippetChars) text += "...";
  return RedactSecrets(text);
}

std::string AttemptsText(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

// The request id of an answer: the `request-id` header, else the error body's request_id.
std::string RequestIdOf(const net::HttpResponse& response, const Json& body) {
  if (auto header = response.Header("request-id")) return *header;
  return JsonString(body, "request_id");
}

ErrorCode CodeForStatus(long status) {
  if (status == 401 || status == 403) return ErrorCode::kPermissionDenied;
  if (status == 402 || status == 429) return ErrorCode::kResourceExhausted;
  if (status == 408) return ErrorCode::kDeadlineExceeded;
  if (status == 409 || status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kInvalidArgument;  // 400, 404, 413, 422 and any other 4xx
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
  options.jitter_seed = std::random_device{}();
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
  if (options.api_key.empty()) {
    return InvalidArgument(kContext, "no API key: export ANTHROPIC_API_KEY");
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    return InvalidArgument(kContext,
                           "ANTHROPIC_BASE_URL must start with http:// or https:// (got '" +
                               RedactSecrets(options.base_url) + "')");
  }
  if (options.model.empty()) return InvalidArgument(kContext, "agent.model must not be empty");
  if (options.max_tokens < 1) return InvalidArgument(kContext, "agent.max_tokens must be >= 1");
  if (options.max_retries < 0 || options.max_retries > 10) {
    return InvalidArgument(kContext, "agent.max_retries must be 0..10");
  }
  if (options.max_retry_wait <= Duration::zero()) {
    return InvalidArgument(kContext, "agent.max_retry_wait must be > 0");
  }
  if (options.connect_timeout <= Duration::zero() || options.request_timeout <= Duration::zero()) {
    return InvalidArgument(kContext, "agent.connect_timeout and agent.request_timeout must be > 0");
  }
  return {};
}

AnthropicClient::AnthropicClient(ConstructionKey /*key*/, AnthropicClientOptions options,
                                 std::unique_ptr<net::HttpTransport> owned_transport,
                                 net::HttpTransport& transport, Clock& clock)
    : options_(std::move(options)),
      owned_transport_(std::move(owned_transport)),
      transport_(transport),
      clock_(clock),
      endpoint_(options_.base_url + "/v1/messages"),
      jitter_rng_(options_.jitter_seed) {}

double AnthropicClient::NextJitter() {
  if (options_.jitter) return options_.jitter();
  std::lock_guard<std::mutex> lock(jitter_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(jitter_rng_);
}

Result<Json> AnthropicClient::BuildRequestBody(const LlmRequest& request) const {
  if (!request.messages.is_array() || request.messages.empty()) {
    return InvalidArgument(kContext,
                           "the request has no messages (need at least one user message)");
  }
  if (!request.system.is_null() && !request.system.is_string() && !request.system.is_array()) {
    return InvalidArgument(kContext, "system must be a string or an array of text blocks");
  }
  if (!request.tools.is_null() && !request.tools.is_array()) {
    return InvalidArgument(kContext, "tools must be an array");
  }
  if (!request.tool_choice.is_null() && !request.tool_choice.is_object()) {
    return InvalidArgument(kContext, "tool_choice must be an object such as {\"type\":\"auto\"}");
  }
  if (!request.metadata.is_null() && !request.metadata.is_object()) {
    return InvalidArgument(kContext, "metadata must be an object such as {\"user_id\":\"...\"}");
  }
  if (!request.stop_sequences.is_null() && !request.stop_sequences.is_array()) {
    return InvalidArgument(kContext, "stop_sequences must be an array of strings");
  }
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
    return InvalidArgument(kContext, "thinking must be an object such as "
                                     "{\"type\":\"enabled\",\"budget_tokens\":2048}");
  }
  const bool thinking = request.thinking.is_object() &&
                        JsonString(request.thinking, "type") != "disabled";
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
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed.Elapsed()).count();
  };

  net::HttpRequest post;
  post.method = net::HttpMethod::kPost;
  post.url = endpoint_;
  post.body = DumpJson(body);
  post.connect_timeout = ToMillis(options_.connect_timeout);
  post.total_timeout = ToMillis(options_.request_timeout);
  log->debug("anthropic: POST {} model={} body={} bytes messages={} tools={}",
             RedactSecrets(endpoint_), body["model"].get<std::string>(), post.body.size(),
             request.messages.size(), request.tools.is_array() ? request.tools.size() : 0);
  log->trace("anthropic: request body {}", post.body);

  std::string betas;
  for (const std::string& beta : request.betas) betas += (betas.empty() ? "" : ",") + beta;
  const net::BackoffPolicy backoff = SdkBackoff(options_.max_retry_wait);
  const int max_attempts = options_.max_retries + 1;
  for (int attempt = 0;; ++attempt) {
    const int attempts = attempt + 1;
    post.headers = {
        {"x-api-key", options_.api_key},      {"anthropic-version", kAnthropicVersion},
        {"content-type", "application/json"}, {"accept", "application/json"},
        {"user-agent", net::kUserAgent},      {"x-stainless-retry-count", std::to_string(attempt)}};
    if (!betas.empty()) post.headers.push_back({"anthropic-beta", betas});
    auto answer = transport_.Send(post);

    if (!answer) {
      const net::HttpFailure& failure = answer.error();
      const std::string what = RedactSecrets(failure.message);
      if (failure.kind == net::HttpFailureKind::kRequest) {
        return InvalidArgument(kContext, "cannot send to " + RedactSecrets(endpoint_) + ": " +
                                             what + " (check ANTHROPIC_BASE_URL)");
      }
      const bool timeout = failure.kind == net::HttpFailureKind::kTimeout;
      if (attempts < max_attempts) {
        const Duration wait = net::BackoffDelay(backoff, attempt, NextJitter());
        log->warn("anthropic: attempt {}/{} failed ({}: {}); retrying in {} ms", attempts,
                  max_attempts, timeout ? "timeout" : "connection error", what,
                  ToMillis(wait).count());
        clock_.SleepFor(wait);
        continue;
      }
      std::string message =
          (timeout ? "timed out (agent.connect_timeout " +
                         std::to_string(ToMillis(options_.connect_timeout).count()) +
                         " ms, agent.request_timeout " +
                         std::to_string(ToMillis(options_.request_timeout).count()) + " ms)"
                   : std::string("connection failed")) +
          " calling " + RedactSecrets(endpoint_) + ": " + what + " (no request-id; " +
          AttemptsText(attempts) + ")";
      log->error("anthropic: {}", message);
      return MakeError(timeout ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable, kContext,
                       std::move(message));
    }

    const net::HttpResponse& response = *answer;
    if (response.status >= 200 && response.status < 300) {
      const std::string request_id = RequestIdOf(response, Json());
      auto parsed_body = ParseJson(response.body, "anthropic response");
      if (!parsed_body) {
        std::string message = "HTTP " + std::to_string(response.status) +
                              " with a body that is not valid JSON (" + Snippet(response.body) +
                              ") (request-id " + (request_id.empty() ? "none" : request_id) + "; " +
                              AttemptsText(attempts) + ")";
        log->error("anthropic: {}", message);
        return Unavailable(kContext, std::move(message));
      }
      auto message = ParseMessage(*parsed_body);
      if (!message) {
        Error error = message.error();
        error.message += " (request-id " + (request_id.empty() ? "none" : request_id) + "; " +
                         AttemptsText(attempts) + ")";
        log->error("anthropic: {}", error.message);
        return Fail(std::move(error));
      }
      message->request_id = request_id;
      message->attempts = attempts;
      log->info(
          "anthropic: status={} attempts={} request_id={} model={} stop_reason={} input={} "
          "output={} cache_read={} cache_write={} elapsed_ms={}",
          response.status, attempts, request_id.empty() ? "-" : request_id, message->model,
          message->stop_reason, message->usage.input_tokens, message->usage.output_tokens,
          message->usage.cache_read_tokens, message->usage.cache_write_tokens, elapsed_ms());
      return message;
    }

    // An error status: API-shaped body {"type":"error","error":{type,message},"request_id"}, or
    // whatever a proxy in between sent.
    Json error_body;
    if (auto parsed = ParseJson(response.body, "anthropic error"); parsed) {
      error_body = std::move(*parsed);
    }
    const std::string request_id = RequestIdOf(response, error_body);
    std::string error_type = "unknown_error";
    std::string error_message = Snippet(response.body);
    if (error_body.is_object() && error_body.contains("error") && error_body["error"].is_object()) {
      error_type = JsonString(error_body["error"], "type", error_type);
      error_message = RedactSecrets(JsonString(error_body["error"], "message", error_message));
    }
    const internal::RetryDecision decision =
        internal::ShouldRetryStatus(response.status, response.Header("x-should-retry"), error_body);
    if (decision.retry && attempts < max_attempts) {
      const auto retry_after = net::ParseRetryAfter(response.Header("retry-after-ms"),
                                                    response.Header("retry-after"), clock_.Now());
      const Duration wait = net::RetryDelay(backoff, retry_after, attempt, NextJitter());
      log->warn("anthropic: attempt {}/{} got HTTP {} {} (request-id {}, {}); retrying in {} ms",
                attempts, max_attempts, response.status, error_type,
                request_id.empty() ? "-" : request_id, decision.reason, ToMillis(wait).count());
      clock_.SleepFor(wait);
      continue;
    }
    std::string message =
        "HTTP " + std::to_string(response.status) + " " + error_type + ": " + error_message +
        StatusHint(response.status) + " (request-id " + (request_id.empty() ? "none" : request_id) +
        "; " + AttemptsText(attempts) + (decision.retry ? "" : ", " + decision.reason) + ")";
    log->error("anthropic: {}", message);
    return MakeError(CodeForStatus(response.status), kContext, std::move(message));
  }
}

}  // namespace rh::agent
