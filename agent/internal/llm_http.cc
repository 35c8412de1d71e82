#include "agent/internal/llm_http.h"

#include <chrono>
#include <optional>
#include <utility>

#include "agent/internal/anthropic_retry.h"
#include "core/log.h"
#include "core/redact.h"
#include "net/backoff.h"

namespace rh::agent::internal {
namespace {

constexpr size_t kBodySnippetChars = 300;

// The SDKs' timing: 0.5 s doubled up to 8 s, minus up to 25% jitter; a server wait honoured up
// to agent.max_retry_wait (5 min by default: the TypeScript and Go SDKs honour any value, the
// Python SDKs 60 s; a rate limit that says "120 s" means it, and retrying sooner only spends an
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

std::string RequestIdOf(const LlmHttpCall& call, const net::HttpResponse& response,
                        const Json& body) {
  for (const std::string& name : call.request_id_headers) {
    if (auto header = response.Header(name)) return *header;
  }
  return JsonString(body, "request_id");
}

std::string IdText(const std::string& request_id) {
  return request_id.empty() ? "none" : request_id;
}

ErrorCode CodeForStatus(long status) {
  if (status == 401 || status == 403) return ErrorCode::kPermissionDenied;
  if (status == 402 || status == 429) return ErrorCode::kResourceExhausted;
  if (status == 408) return ErrorCode::kDeadlineExceeded;
  if (status == 409 || status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kInvalidArgument;  // 400, 404, 413, 422 and any other 4xx
}

// `text` with every occurrence of `secret` masked.
std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  const std::string masked = MaskSecret(secret);
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + masked.size())) {
    text.replace(at, secret.size(), masked);
  }
  return text;
}

}  // namespace

double JitterSource::Next() {
  if (fixed_) return fixed_();
  std::lock_guard<std::mutex> lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

std::string LlmHttpAnswer::Suffix() const {
  return " (request-id " + IdText(request_id) + "; " + AttemptsText(attempts) + ")";
}

Result<LlmHttpAnswer> PostJsonWithRetries(const LlmHttpCall& call, net::HttpTransport& transport,
                                          Clock& clock, JitterSource& jitter) {
  auto log = Logger("agent");
  const std::string& context = call.context;
  const std::string endpoint = RedactSecrets(call.endpoint);
  net::HttpRequest post;
  post.method = net::HttpMethod::kPost;
  post.url = call.endpoint;
  post.body = call.body;
  post.connect_timeout = ToMillis(call.connect_timeout);
  post.total_timeout = ToMillis(call.request_timeout);

  const net::BackoffPolicy backoff = SdkBackoff(call.max_retry_wait);
  const int max_attempts = call.max_retries + 1;
  for (int attempt = 0;; ++attempt) {
    const int attempts = attempt + 1;
    post.headers = call.headers(attempt);
    size_t streamed_bytes = 0;
    if (call.on_stream) {
      post.on_body = [&](std::string_view piece) {
        streamed_bytes += piece.size();
        call.on_stream(piece);
      };
    }
    auto answer = transport.Send(post);

    if (!answer && streamed_bytes > 0) {
      std::string message = "the stream from " + endpoint + " broke after " +
                            std::to_string(streamed_bytes) + " bytes: " +
                            Scrub(RedactSecrets(answer.error().message), call.secret) +
                            " (not retried: part of the answer was already read; " +
                            AttemptsText(attempts) + ")";
      log->error("{}: {}", context, message);
      return Unavailable(context, std::move(message));
    }
    if (!answer) {
      const net::HttpFailure& failure = answer.error();
      const std::string what = Scrub(RedactSecrets(failure.message), call.secret);
      if (failure.kind == net::HttpFailureKind::kRequest) {
        return InvalidArgument(context, "cannot send to " + endpoint + ": " + what + " (check " +
                                            call.base_url_hint + ")");
      }
      const bool timeout = failure.kind == net::HttpFailureKind::kTimeout;
      if (attempts < max_attempts) {
        const Duration wait = net::BackoffDelay(backoff, attempt, jitter.Next());
        log->warn("{}: attempt {}/{} failed ({}: {}); retrying in {} ms", context, attempts,
                  max_attempts, timeout ? "timeout" : "connection error", what,
                  ToMillis(wait).count());
        clock.SleepFor(wait);
        continue;
      }
      std::string message =
          (timeout ? "timed out (agent.connect_timeout " +
                         std::to_string(ToMillis(call.connect_timeout).count()) +
                         " ms, agent.request_timeout " +
                         std::to_string(ToMillis(call.request_timeout).count()) + " ms)"
                   : std::string("connection failed")) +
          " calling " + endpoint + ": " + what + " (no request-id; " + AttemptsText(attempts) +
          ")";
      log->error("{}: {}", context, message);
      return MakeError(timeout ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable, context,
                       std::move(message));
    }

    const net::HttpResponse& response = *answer;
    if (response.status >= 200 && response.status < 300) {
      LlmHttpAnswer ok;
      ok.status = response.status;
      ok.request_id = RequestIdOf(call, response, Json());
      ok.attempts = attempts;
      if (call.on_stream) {
        ok.text = response.body;
        ok.streamed = streamed_bytes > 0;
        return ok;
      }
      auto parsed_body = ParseJson(response.body, context + " response");
      if (!parsed_body) {
        std::string message = "HTTP " + std::to_string(response.status) +
                              " with a body that is not valid JSON (" +
                              Scrub(Snippet(response.body), call.secret) +
                              ")" + ok.Suffix();
        log->error("{}: {}", context, message);
        return Unavailable(context, std::move(message));
      }
      ok.body = std::move(*parsed_body);
      return ok;
    }

    // An error status: the API's {"error": {type, message}} body, or whatever a proxy sent.
    Json error_body;
    if (auto parsed = ParseJson(response.body, context + " error"); parsed) {
      error_body = std::move(*parsed);
    }
    const std::string request_id = RequestIdOf(call, response, error_body);
    std::string error_type = "unknown_error";
    std::string error_message = Snippet(response.body);
    if (error_body.is_object() && error_body.contains("error") && error_body["error"].is_object()) {
      const Json& error = error_body["error"];
      error_type = JsonString(error, "type");
      if (error_type.empty()) error_type = JsonString(error, "code");
      if (error_type.empty()) error_type = "unknown_error";
      // OpenAI's machine-readable code (context_length_exceeded, ...) beside its type.
      if (const std::string code = JsonString(error, "code");
          !code.empty() && code != error_type) {
        error_type += " (" + code + ")";
      }
      error_message = RedactSecrets(JsonString(error, "message", error_message));
    }
    error_message = Scrub(std::move(error_message), call.secret);
    const RetryDecision decision =
        ShouldRetryStatus(response.status, response.Header("x-should-retry"), error_body);
    if (decision.retry && attempts < max_attempts) {
      const auto retry_after = net::ParseRetryAfter(response.Header("retry-after-ms"),
                                                    response.Header("retry-after"), clock.Now());
      const Duration wait = net::RetryDelay(backoff, retry_after, attempt, jitter.Next());
      log->warn("{}: attempt {}/{} got HTTP {} {} (request-id {}, {}); retrying in {} ms",
                context, attempts, max_attempts, response.status, error_type,
                request_id.empty() ? "-" : request_id, decision.reason, ToMillis(wait).count());
      clock.SleepFor(wait);
      continue;
    }
    std::string message =
        "HTTP " + std::to_string(response.status) + " " + error_type + ": " + error_message +
        (call.status_hint ? call.status_hint(response.status) : std::string()) + " (request-id " +
        IdText(request_id) + "; " + AttemptsText(attempts) +
        (decision.retry ? "" : ", " + decision.reason) + ")";
    log->error("{}: {}", context, message);
    return MakeError(CodeForStatus(response.status), context, std::move(message));
  }
}

Status CheckRetrySettings(const std::string& context, int max_retries, Duration max_retry_wait,
                          Duration connect_timeout, Duration request_timeout) {
  if (max_retries < 0 || max_retries > 10) {
    return InvalidArgument(context, "agent.max_retries must be 0..10");
  }
  if (max_retry_wait <= Duration::zero()) {
    return InvalidArgument(context, "agent.max_retry_wait must be > 0");
  }
  if (connect_timeout <= Duration::zero() || request_timeout <= Duration::zero()) {
    return InvalidArgument(context, "agent.connect_timeout and agent.request_timeout must be > 0");
  }
  return {};
}

Status CheckRequestShape(const std::string& context, const LlmRequest& request) {
  if (!request.messages.is_array() || request.messages.empty()) {
    return InvalidArgument(context,
                           "the request has no messages (need at least one user message)");
  }
  if (!request.system.is_null() && !request.system.is_string() && !request.system.is_array()) {
    return InvalidArgument(context, "system must be a string or an array of text blocks");
  }
  if (!request.tools.is_null() && !request.tools.is_array()) {
    return InvalidArgument(context, "tools must be an array");
  }
  if (!request.tool_choice.is_null() && !request.tool_choice.is_object()) {
    return InvalidArgument(context, "tool_choice must be an object such as {\"type\":\"auto\"}");
  }
  if (!request.metadata.is_null() && !request.metadata.is_object()) {
    return InvalidArgument(context, "metadata must be an object such as {\"user_id\":\"...\"}");
  }
  if (!request.stop_sequences.is_null() && !request.stop_sequences.is_array()) {
    return InvalidArgument(context, "stop_sequences must be an array of strings");
  }
  return {};
}

Status CheckBaseUrl(const std::string& context, const std::string& setting, std::string& url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return InvalidArgument(context, setting + " must start with http:// or https:// (got '" +
                                        RedactSecrets(url) + "')");
  }
  return {};
}

}  // namespace rh::agent::internal
