// HttpEmbedder: an Embedder backed by any OpenAI-compatible `POST /v1/embeddings` service
// (OpenAI, Ollama, llama.cpp server --embeddings, vLLM, Hugging Face TEI), sent through the one
// outbound transport (net::HttpTransport).
//
// Request: {"model": <model>, "input": [<texts>], "encoding_format": "float"}, at most
// `batch` texts per request, with "Authorization: Bearer <api key>" when a key is set.
// Response: {"data": [{"index": i, "embedding": [...]}, ...]}; vectors are placed by `index`,
// checked for count and dimension, and L2-normalised here (servers differ on that).
// `url` is the service base: "http://host:11434" or "http://host:11434/v1" (either works) or
// the full ".../embeddings" endpoint.
//
// Errors and retries: connection failures, timeouts, 408, 429 and 5xx are retried up to
// `max_retries` times, sleeping on the injected Clock: the service's Retry-After (retry-after-ms,
// seconds or an HTTP date; net/backoff.h) when it is in (0, 60] s, else initial_backoff doubled
// per retry (no jitter); then unavailable (or deadline_exceeded for a timeout,
// resource_exhausted for 429). Other 4xx: invalid_argument with the service's message. A
// malformed body, a wrong number of vectors or a dimension that differs from the
// configured/learned one: internal, not retried. The API key never appears in logs or error
// messages.
//
// id() is "http:<model>:<dims>" (dims learned from the first answer when not configured).
// DefaultFusion() is RRF k = 60 with equal weights, the safe default for a strong model.
// Thread-safety: Embed() is safe from several threads (the transport is thread-safe). The
// Clock, and an injected transport, must outlive the embedder.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "knowledge/embedder.h"
#include "net/http_transport.h"

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
  // invalid_argument when url or model is empty or the url is not http(s). The embedder sends
  // through its own net::MakeDefaultHttpTransport().
  static Result<std::unique_ptr<HttpEmbedder>> Create(HttpEmbedderOptions options, Clock& clock);
  // The same, sending through `transport` (a fake in tests), which must outlive the embedder.
  static Result<std::unique_ptr<HttpEmbedder>> Create(HttpEmbedderOptions options,
                                                      net::HttpTransport& transport, Clock& clock);

  std::string id() const override;
  int dims() const override { return dims_.load(); }
  Result<std::vector<Vector>> Embed(const std::vector<std::string>& texts,
                                    EmbedPurpose purpose) override;
  FusionSettings DefaultFusion() const override;

  // The endpoint requests go to, e.g. "http://127.0.0.1:11434/v1/embeddings".
  const std::string& endpoint() const { return endpoint_; }

 private:
  // `owned_transport` is null when `transport` belongs to the caller.
  HttpEmbedder(HttpEmbedderOptions options, std::unique_ptr<net::HttpTransport> owned_transport,
               net::HttpTransport& transport, Clock& clock);
  // Checks `options` (and raises batch to at least 1).
  static Status CheckOptions(HttpEmbedderOptions& options);
  // The embeddings endpoint for a configured base URL.
  static std::string EndpointFor(const std::string& url);
  Result<std::vector<Vector>> EmbedBatch(const std::vector<std::string>& texts);

  HttpEmbedderOptions options_;
  std::unique_ptr<net::HttpTransport> owned_transport_;
  net::HttpTransport& transport_;
  Clock& clock_;
  std::string endpoint_;
  std::atomic<int> dims_{0};
};

}  // namespace rh::knowledge
