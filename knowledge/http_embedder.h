// HttpEmbedder: an Embedder backed by any OpenAI-compatible `POST /v1/embeddings` service
// (OpenAI, Ollama, llama.cpp server --embeddings, vLLM, Hugging Face TEI), over libcurl.
//
// Request: {"model": <model>, "input": [<texts>], "encoding_format": "float"}, at most
// `batch` texts per request, with "Authorization: Bearer <api key>" when a key is set.
// Response: {"data": [{"index": i, "embedding": [...]}, ...]}; vectors are placed by `index`,
// checked for count and dimension, and L2-normalised here (servers differ on that).
// `url` is the service base: "http://host:11434" or "http://host:11434/v1" (either works) or
// the full ".../embeddings" endpoint.
//
// Errors and retries: connection failures, timeouts, 408, 429 and 5xx are retried up to
// `max_retries` times with exponential backoff (initial_backoff, doubled, honouring a
// Retry-After of up to 60 s), sleeping on the injected Clock; then unavailable (or
// deadline_exceeded for a timeout, resource_exhausted for 429). Other 4xx: invalid_argument
// with the service's message. A malformed body, a wrong number of vectors or a dimension that
// differs from the configured/learned one: internal, not retried. The API key never appears in
// logs or error messages.
//
// id() is "http:<model>:<dims>" (dims learned from the first answer when not configured).
// DefaultFusion() is RRF k = 60 with equal weights, the safe default for a strong model.
// Thread-safety: Embed() is safe from several threads (one curl handle per call).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "knowledge/embedder.h"

namespace rh::knowledge {

struct HttpEmbedderOptions {
  std::string url;
  std::string model;
  std::string api_key;  // secret: never logged
  int batch = 64;
  int dims = 0;  // expected dimension; 0 = learn from the first answer
  int max_retries = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  std::string query_prefix;     // e.g. "search_query: " for nomic models
  std::string document_prefix;  // e.g. "search_document: "
};

class HttpEmbedder final : public Embedder {
 public:
  // invalid_argument when url or model is empty or the url is not http(s).
  static Result<std::unique_ptr<HttpEmbedder>> Create(HttpEmbedderOptions options, Clock& clock);

  std::string id() const override;
  int dims() const override { return dims_.load(); }
  Result<std::vector<Vector>> Embed(const std::vector<std::string>& texts,
                                    EmbedPurpose purpose) override;
  FusionSettings DefaultFusion() const override;

  // The endpoint requests go to, e.g. "http://127.0.0.1:11434/v1/embeddings".
  const std::string& endpoint() const { return endpoint_; }

 private:
  HttpEmbedder(HttpEmbedderOptions options, Clock& clock, std::string endpoint);
  Result<std::vector<Vector>> EmbedBatch(const std::vector<std::string>& texts);

  HttpEmbedderOptions options_;
  Clock& clock_;
  std::string endpoint_;
  std::atomic<int> dims_{0};
};

}  // namespace rh::knowledge
