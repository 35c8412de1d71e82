#include "knowledge/http_embedder.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "core/log.h"
#include "net/backoff.h"

namespace rh::knowledge {
namespace {

constexpr const char* kContext = "http embedder";

std::string Excerpt(std::string_view body) {
  std::string out(body.substr(0, 200));
  for (char& character : out) {
    if (character == '\n' || character == '\r') character = ' ';
  }
  return out;
}

}  // namespace

Status HttpEmbedder::CheckOptions(HttpEmbedderOptions& options) {
  if (options.url.empty()) {
    return InvalidArgument("knowledge.embedder_url", "is required for the http embedder");
  }
  if (!options.url.starts_with("http://") && !options.url.starts_with("https://")) {
    return InvalidArgument("knowledge.embedder_url",
                           "must start with http:// or https://, got '" + options.url + "'");
  }
  if (options.model.empty()) {
    return InvalidArgument("knowledge.embedder_model", "is required for the http embedder");
  }
  if (options.batch < 1) options.batch = 1;
  return {};
}

Result<std::unique_ptr<HttpEmbedder>> HttpEmbedder::Create(HttpEmbedderOptions options,
                                                           Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  std::unique_ptr<net::HttpTransport> owned_transport = net::MakeDefaultHttpTransport();
  net::HttpTransport& transport = *owned_transport;
  return std::unique_ptr<HttpEmbedder>(
      new HttpEmbedder(std::move(options), std::move(owned_transport), transport, clock));
}

Result<std::unique_ptr<HttpEmbedder>> HttpEmbedder::Create(HttpEmbedderOptions options,
                                                           net::HttpTransport& transport,
                                                           Clock& clock) {
  RH_RETURN_IF_ERROR(CheckOptions(options));
  return std::unique_ptr<HttpEmbedder>(
      new HttpEmbedder(std::move(options), nullptr, transport, clock));
}

std::string HttpEmbedder::EndpointFor(const std::string& url) {
  std::string endpoint = url;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!endpoint.ends_with("/embeddings")) {
    endpoint += endpoint.ends_with("/v1") ? "/embeddings" : "/v1/embeddings";
  }
  return endpoint;
}

HttpEmbedder::HttpEmbedder(HttpEmbedderOptions options,
                           std::unique_ptr<net::HttpTransport> owned_transport,
                           net::HttpTransport& transport, Clock& clock)
    : options_(std::move(options)),
      owned_transport_(std::move(owned_transport)),
      transport_(transport),
      clock_(clock),
      endpoint_(EndpointFor(options_.url)) {
  dims_.store(options_.dims);
}

std::string HttpEmbedder::id() const {
  return "http:" + options_.model + ":" + std::to_string(dims_.load());
}

FusionSettings HttpEmbedder::DefaultFusion() const {
  return FusionSettings{FusionMethod::kRrf, 1.0, 60};
}

Result<std::vector<Vector>> HttpEmbedder::Embed(const std::vector<std::string>& texts,
                                                EmbedPurpose purpose) {
  const std::string& prefix =
      purpose == EmbedPurpose::kQuery ? options_.query_prefix : options_.document_prefix;
  std::vector<Vector> out;
  out.reserve(texts.size());
  for (size_t start = 0; start < texts.size(); start += options_.batch) {
    size_t end = std::min(texts.size(), start + static_cast<size_t>(options_.batch));
    std::vector<std::string> batch;
    batch.reserve(end - start);
    for (size_t text_idx = start; text_idx < end; ++text_idx) {
      // Services reject empty inputs; a blank text embeds as a single space.
      std::string text = prefix + texts[text_idx];
      batch.push_back(text.empty() ? std::string(" ") : std::move(text));
    }
    RH_ASSIGN_OR_RETURN(std::vector<Vector> vectors, EmbedBatch(batch));
    for (Vector& vector : vectors) out.push_back(std::move(vector));
  }
  return out;
}

Result<std::vector<Vector>> HttpEmbedder::EmbedBatch(const std::vector<std::string>& texts) {
  Json request = {{"model", options_.model}, {"input", texts}, {"encoding_format", "float"}};
  net::HttpRequest post;
  post.method = net::HttpMethod::kPost;
  post.url = endpoint_;
  post.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!options_.api_key.empty()) {
    post.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  }
  post.body = DumpJson(request);
  post.connect_timeout = options_.connect_timeout;
  post.total_timeout = options_.request_timeout;
  // Doubling from initial_backoff, no jitter, in effect no cap (an hour); a Retry-After of up to
  // 60 s is used instead when the service sends one.
  const net::BackoffPolicy backoff{.initial = options_.initial_backoff,
                                   .max = std::chrono::hours(1),
                                   .multiplier = 2.0,
                                   .jitter_fraction = 0.0,
                                   .max_server_wait = std::chrono::seconds(60)};

  net::HttpResult answer;
  for (int try_idx = 0;; ++try_idx) {
    answer = transport_.Send(post);
    const long status = answer ? answer->status : 0;
    const bool retryable = !answer || status == 408 || status == 429 || status >= 500;
    if (!retryable || try_idx >= options_.max_retries) break;
    std::optional<double> retry_after;
    if (answer) {
      retry_after = net::ParseRetryAfter(answer->Header("retry-after-ms"),
                                         answer->Header("retry-after"), clock_.Now());
    }
    const Duration wait = net::RetryDelay(backoff, retry_after, try_idx, 0.0);
    Logger("knowledge")
        ->warn("embeddings request to {} failed ({}); retry {} of {} in {} ms", endpoint_,
               answer ? "HTTP " + std::to_string(status) : answer.error().message, try_idx + 1,
               options_.max_retries,
               std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
    clock_.SleepFor(wait);
  }

  const std::string attempts = std::to_string(options_.max_retries + 1) + " attempts";
  if (!answer) {
    const std::string what = answer.error().message + " (" + endpoint_ + ") after " + attempts;
    if (answer.error().kind == net::HttpFailureKind::kTimeout) {
      return DeadlineExceeded(kContext, "request timed out: " + what);
    }
    return Unavailable(kContext, "cannot reach the embeddings service: " + what);
  }
  const net::HttpResponse& attempt = *answer;
  if (attempt.status == 429) {
    return ResourceExhausted(kContext,
                             "rate limited by " + endpoint_ + " (HTTP 429) after " + attempts);
  }
  if (attempt.status >= 500 || attempt.status == 408) {
    return Unavailable(kContext, "HTTP " + std::to_string(attempt.status) + " from " + endpoint_ +
                                     " after " + attempts + ": " + Excerpt(attempt.body));
  }
  if (attempt.status == 401 || attempt.status == 403) {
    return PermissionDenied(kContext, "HTTP " + std::to_string(attempt.status) + " from " +
                                          endpoint_ + ": check ROCKHOUND_EMBEDDER_API_KEY");
  }
  if (attempt.status < 200 || attempt.status >= 300) {
    return InvalidArgument(kContext, "HTTP " + std::to_string(attempt.status) + " from " +
                                         endpoint_ + ": " + Excerpt(attempt.body));
  }

  auto parsed = ParseJson(attempt.body, "embeddings response");
  if (!parsed) {
    return Internal(kContext, "the service answered with invalid JSON: " + parsed.error().message);
  }
  const Json& body = *parsed;
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
    return Internal(kContext, "the answer has no \"data\" array: " + Excerpt(attempt.body));
  }
  const Json& data = body["data"];
  if (data.size() != texts.size()) {
    return Internal(kContext, "asked for " + std::to_string(texts.size()) + " embeddings, got " +
                                  std::to_string(data.size()));
  }
  std::vector<Vector> vectors(texts.size());
  std::vector<bool> seen(texts.size(), false);
  for (size_t item_idx = 0; item_idx < data.size(); ++item_idx) {
    const Json& item = data[item_idx];
    if (!item.is_object() || !item.contains("embedding") || !item["embedding"].is_array()) {
      return Internal(kContext, "data[" + std::to_string(item_idx) + "] has no embedding array");
    }
    long long index = JsonInt(item, "index", static_cast<long long>(item_idx));
    if (index < 0 || index >= static_cast<long long>(texts.size()) || seen[index]) {
      return Internal(kContext, "data[" + std::to_string(item_idx) + "] has a bad index " +
                                    std::to_string(index));
    }
    seen[index] = true;
    Vector vector;
    vector.reserve(item["embedding"].size());
    for (const Json& value : item["embedding"]) {
      if (!value.is_number()) {
        return Internal(kContext, "embedding " + std::to_string(index) + " has a non-number");
      }
      vector.push_back(value.get<float>());
    }
    int expected = dims_.load();
    if (vector.empty())
      return Internal(kContext, "embedding " + std::to_string(index) + " is empty");
    if (expected == 0) {
      dims_.compare_exchange_strong(expected, static_cast<int>(vector.size()));
      expected = dims_.load();
    }
    if (static_cast<int>(vector.size()) != expected) {
      return Internal(kContext, "embedding " + std::to_string(index) + " has " +
                                    std::to_string(vector.size()) + " dimensions, expected " +
                                    std::to_string(expected) +
                                    " (a different model than the lake's vectors?)");
    }
    double norm = 0.0;
    for (float value : vector) norm += static_cast<double>(value) * value;
    if (norm > 0.0) {
      const float inverse = static_cast<float>(1.0 / std::sqrt(norm));
      for (float& value : vector) value *= inverse;
    }
    vectors[index] = std::move(vector);
  }
  return vectors;
}

}  // namespace rh::knowledge
