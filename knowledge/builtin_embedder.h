// BuiltinEmbedder: the Knowledge Lake's default embedder, LSA (latent semantic analysis)
// fitted on the lake's own chunks. No weights to download and no network.
//
// Model: words (lower-cased, split at non-alphanumerics and underscores, English stop words
// dropped, light suffix stripping) weighted by sublinear TF-IDF over a vocabulary of the terms
// in at least 2 and at most half of the fitting chunks (capped at kMaxVocabulary by document
// frequency); the rank-`dims` truncated SVD X ~ U S V^T of that matrix with its IDF raised to
// fit_idf_exponent (4: rare terms shape the topics), computed by randomized SVD (Halko et al.
// 2011, two power iterations, seeded) with LAPACK. A text embeds as its TF-IDF vector (idf^1)
// projected on V and scaled by S^(exponent - 1), then L2-normalised. Why LSA and these
// settings: measured on the SciFact train queries (knowledge/README.md).
//
// Fit() samples at most kMaxFitChunks chunks deterministically, so a refit on 100k chunks
// takes seconds. id() is "builtin-lsa<dims>:<8 hex of the model hash>": a refit that changes
// the model changes the id, and the lake re-embeds.
//
// Thread-safety: Embed() and the accessors are const over the model and safe from several
// threads; Fit()/LoadModel() replace the model and need exclusive access.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "knowledge/embedder.h"

namespace rh::knowledge {

struct BuiltinEmbedderOptions {
  int dims = 128;
  double singular_exponent = 0.5;  // documents embed as x V S^(exponent - 1)
  double fit_idf_exponent = 4.0;   // the SVD factors TF * idf^this (texts embed with idf^1)
  size_t max_vocabulary = 40000;
  size_t max_fit_chunks = 30000;
  uint64_t seed = 20261121;
};

class BuiltinEmbedder final : public Embedder {
 public:
  explicit BuiltinEmbedder(BuiltinEmbedderOptions options = {});

  std::string id() const override;
  int dims() const override;
  Result<std::vector<Vector>> Embed(const std::vector<std::string>& texts,
                                    EmbedPurpose purpose) override;
  FusionSettings DefaultFusion() const override;

  bool corpus_fitted() const override { return true; }
  bool has_model() const override { return fitted_; }
  Status Fit(const std::vector<std::string>& corpus) override;
  std::string SaveModel() const override;
  Status LoadModel(std::string_view blob) override;
  size_t fitted_corpus_size() const override { return fitted_corpus_size_; }

  // The embedder's word normalisation (exposed for tests): lower-case terms, stop words out.
  static std::vector<std::string> Terms(std::string_view text);

 private:
  // Sparse TF-IDF of a text over the vocabulary, L2-normalised: (term index, weight) pairs.
  std::vector<std::pair<int32_t, float>> Weights(std::string_view text) const;
  void ComputeId();

  BuiltinEmbedderOptions options_;
  bool fitted_ = false;
  int model_dims_ = 0;  // may be < options_.dims on a tiny corpus
  size_t fitted_corpus_size_ = 0;
  std::unordered_map<std::string, int32_t> vocabulary_;
  std::vector<float> idf_;         // per term
  std::vector<float> projection_;  // vocabulary x model_dims_, row-major
  std::string id_;
};

}  // namespace rh::knowledge
