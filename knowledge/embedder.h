// Embedder: turns text into fixed-length unit vectors for the Knowledge Lake's vector search.
//
// Two implementations:
//   - the built-in embedder (knowledge/builtin_embedder.h): LSA, a truncated SVD of the lake's
//     own TF-IDF matrix. No weights to download, no network. It is corpus-fitted: the lake
//     calls Fit() on its chunks and stores the model; a refit changes id(), which re-embeds
//     every stored vector.
//   - the HTTP embedder (knowledge/http_embedder.h): any OpenAI-compatible
//     `POST /v1/embeddings` service (OpenAI, Ollama, llama.cpp server, vLLM, TEI).
//
// Contract: Embed() returns one vector per input text, in input order, each of dims() floats
// and L2-normalised (a text with no usable content may give the zero vector). id() names the
// model and its dimension; every vector stored in the lake records the id of the embedder that
// made it, and a lake opened with a different id re-embeds its chunks. DefaultFusion() is how
// hybrid search should weigh this embedder against BM25 when the config does not say.
//
// Thread-safety: Embed(), id() and dims() may be called from several threads at once. Fit() and
// LoadModel() must not run concurrently with anything else (the lake holds its write lock).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::knowledge {

// Whether a text is a stored document or a search query (some models embed them differently).
enum class EmbedPurpose { kDocument, kQuery };

enum class FusionMethod {
  kWeighted,  // min-max-normalised score blend: (1 - w) * bm25 + w * cosine
  kRrf,       // weighted reciprocal rank fusion: sum of w_leg / (k + rank), rank from 1
};

struct FusionSettings {
  FusionMethod method = FusionMethod::kWeighted;
  double vector_weight = 0.15;  // kWeighted: w in the blend; kRrf: weight of the vector list
  int rrf_k = 60;               // kRrf only; 1-based ranks (Elasticsearch/Vespa convention)
};

using Vector = std::vector<float>;

class Embedder {
 public:
  virtual ~Embedder() = default;

  // The model identity recorded with the vectors, e.g. "builtin-lsa128:3f2a9c01" or
  // "http:nomic-embed-text:768". Changes whenever the vectors it makes would change.
  virtual std::string id() const = 0;
  // Vector length; 0 while unknown (an HTTP embedder learns it from its first answer).
  virtual int dims() const = 0;
  // One unit vector per text. Errors: unavailable/deadline_exceeded (service down, after
  // retries), internal (a malformed answer), failed_precondition-like invalid_argument when a
  // corpus-fitted embedder has no model yet.
  virtual Result<std::vector<Vector>> Embed(const std::vector<std::string>& texts,
                                            EmbedPurpose purpose) = 0;
  // How hybrid search weighs this embedder by default (chosen by measurement; see README).
  virtual FusionSettings DefaultFusion() const = 0;

  // Corpus-fitted embedders learn from the lake's chunks. The lake calls Fit() when the corpus
  // has grown or shrunk enough (see knowledge/README.md), stores SaveModel() beside the vectors
  // and hands it back through LoadModel() when it reopens.
  virtual bool corpus_fitted() const { return false; }
  // True when a corpus-fitted embedder has a model to embed with.
  virtual bool has_model() const { return true; }
  virtual Status Fit(const std::vector<std::string>& /*corpus*/) { return {}; }
  virtual std::string SaveModel() const { return {}; }
  virtual Status LoadModel(std::string_view /*blob*/) { return {}; }
  // The number of chunks the current model was fitted on (0: none).
  virtual size_t fitted_corpus_size() const { return 0; }
};

}  // namespace rh::knowledge
