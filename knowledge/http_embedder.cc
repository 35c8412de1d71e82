#include "knowledge/http_embedder.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/json.h"
#include "core/log.h"

namespace rh::knowledge {
namespace {

constexpr const char* kContext = "http embedder";

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct HeaderState {
  long retry_after_seconds = -1;
};

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      std::string value(line.substr(kName.size()));
      char* end = nullptr;
      long seconds = std::strtol(value.c_str(), &end, 10);
      if (end != value.c_str() && seconds >= 0) {
        static_cast<HeaderState*>(user)->retry_after_seconds = seconds;
      }
    }
  }
  return size * count;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Attempt {
  bool transport_ok = false;
  CURLcode curl_code = CURLE_OK;
  long status = 0;
  std::string body;
  long retry_after_seconds = -1;
};

std::string Excerpt(std::string_view body) {
  std::string out(body.substr(0, 200));
  for (char& character : out) {
    if (character == '\n' || character == '\r') character = ' ';
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<HttpEmbedder>> HttpEmbedder::Create(HttpEmbedderOptions options,
                                                           Clock& clock) {
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
  std::string endpoint = options.url;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!endpoint.ends_with("/embeddings")) {
    endpoint += endpoint.ends_with("/v1") ? "/embeddings" : "/v1/embeddings";
  }
  GlobalInit();
  return std::unique_ptr<HttpEmbedder>(new HttpEmbedder(std::move(options), clock, endpoint));
}

HttpEmbedder::HttpEmbedder(HttpEmbedderOptions options, Clock& clock, std::string endpoint)
    : options_(std::move(options)), clock_(clock), endpoint_(std::move(endpoint)) {
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
  const std::string payload = DumpJson(request);

  auto perform = [&]() -> Attempt {
    Attempt attempt;
    std::unique_ptr<CURL, CurlHandleDeleter> handle(curl_easy_init());
    if (!handle) return attempt;
    std::unique_ptr<curl_slist, CurlListDeleter> headers;
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    list = curl_slist_append(list, "Accept: application/json");
    if (!options_.api_key.empty()) {
      std::string auth = "Authorization: Bearer " + options_.api_key;
      list = curl_slist_append(list, auth.c_str());
    }
    headers.reset(list);
    HeaderState header_state;
    CURL* curl = handle.get();
    curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_state);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    attempt.curl_code = curl_easy_perform(curl);
    attempt.transport_ok = attempt.curl_code == CURLE_OK;
    if (attempt.transport_ok) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.status);
    attempt.retry_after_seconds = header_state.retry_after_seconds;
    return attempt;
  };

  std::chrono::milliseconds backoff = options_.initial_backoff;
  Attempt attempt;
  for (int try_idx = 0;; ++try_idx) {
    attempt = perform();
    bool retryable = !attempt.transport_ok || attempt.status == 408 || attempt.status == 429 ||
                     attempt.status >= 500;
    if (!retryable || try_idx >= options_.max_retries) break;
    std::chrono::milliseconds wait = backoff;
    if (attempt.retry_after_seconds >= 0) {
      wait = std::max(
          wait, std::chrono::milliseconds(std::min<long>(attempt.retry_after_seconds, 60) * 1000));
    }
    Logger("knowledge")
        ->warn("embeddings request to {} failed ({}); retry {} of {} in {} ms", endpoint_,
               attempt.transport_ok ? "HTTP " + std::to_string(attempt.status)
                                    : curl_easy_strerror(attempt.curl_code),
               try_idx + 1, options_.max_retries, wait.count());
    clock_.SleepFor(wait);
    backoff *= 2;
  }

  if (!attempt.transport_ok) {
    std::string what = std::string(curl_easy_strerror(attempt.curl_code)) + " (" + endpoint_ +
                       ") after " + std::to_string(options_.max_retries + 1) + " attempts";
    if (attempt.curl_code == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceeded(kContext, "request timed out: " + what);
    }
    return Unavailable(kContext, "cannot reach the embeddings service: " + what);
  }
  if (attempt.status == 429) {
    return ResourceExhausted(kContext, "rate limited by " + endpoint_ + " (HTTP 429) after " +
                                           std::to_string(options_.max_retries + 1) + " attempts");
  }
  if (attempt.status >= 500 || attempt.status == 408) {
    return Unavailable(kContext, "HTTP " + std::to_string(attempt.status) + " from " + endpoint_ +
                                     " after " + std::to_string(options_.max_retries + 1) +
                                     " attempts: " + Excerpt(attempt.body));
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
