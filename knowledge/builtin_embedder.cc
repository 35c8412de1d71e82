// LSA by randomized SVD (Halko, Martinsson & Tropp 2011, Algorithm 4.4 with two power
// iterations): Y = X Omega, orthonormalised; Z = X^T Y, orthonormalised; Y = X Z, ...;
// then B = Q^T X is small (l x V) and its SVD comes from the eigen-decomposition of B B^T.
// Dense steps go through LAPACK/BLAS (OpenBLAS when installed); the sparse products are loops.
#include "knowledge/builtin_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>

#include "core/ids.h"
#include "knowledge/internal/text.h"

extern "C" {
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work,
             const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau,
             float* work, const int* lwork, int* info);
void dsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
            double* work, const int* lwork, int* info, size_t jobz_len, size_t uplo_len);
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc, size_t transa_len, size_t transb_len);
}

namespace rh::knowledge {
namespace {

// 002 added the fit IDF exponent; a 001 model (fitted on idf^1) is refitted on open.
constexpr char kModelMagic[8] = {'R', 'H', 'L', 'S', 'A', '0', '0', '2'};
constexpr size_t kModelFamilyLength = 5;  // "RHLSA": a model of this embedder, any version
constexpr int kOversample = 16;
constexpr int kPowerIterations = 2;

// Light suffix stripping: plural and common verb endings, so "versions"/"version" and
// "compacting"/"compact" meet. Deliberately weaker than Porter (identifiers survive).
std::string Stem(std::string word) {
  auto ends_with = [&](std::string_view suffix) {
    return word.size() >= suffix.size() &&
           word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (word.size() > 4 && ends_with("ies")) {
    word.resize(word.size() - 3);
    word += 'y';
  } else if (ends_with("sses")) {
    word.resize(word.size() - 2);
  } else if (word.size() > 3 && ends_with("s") && !ends_with("ss") && !ends_with("us") &&
             !ends_with("is")) {
    word.pop_back();
  }
  if (word.size() > 5 && ends_with("ing")) {
    word.resize(word.size() - 3);
  } else if (word.size() > 4 && ends_with("ed")) {
    word.resize(word.size() - 2);
  }
  return word;
}

// Column-major (rows x cols) matrix helpers over LAPACK.
// Replaces `matrix` by an orthonormal basis of its columns (thin QR).
void Orthonormalize(std::vector<float>& matrix, int rows, int cols) {
  int info = 0;
  std::vector<float> tau(cols);
  int lwork = -1;
  float query = 0;
  sgeqrf_(&rows, &cols, matrix.data(), &rows, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<float> work(lwork);
  sgeqrf_(&rows, &cols, matrix.data(), &rows, tau.data(), work.data(), &lwork, &info);
  lwork = -1;
  sorgqr_(&rows, &cols, &cols, matrix.data(), &rows, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  work.assign(lwork, 0.0f);
  sorgqr_(&rows, &cols, &cols, matrix.data(), &rows, tau.data(), work.data(), &lwork, &info);
}

struct SparseRows {
  std::vector<size_t> offsets{0};
  std::vector<int32_t> columns;
  std::vector<float> values;
  size_t rows() const { return offsets.size() - 1; }
};

// out (rows x l, column-major) = X (rows x V) * in (V x l, column-major).
void MultiplyX(const SparseRows& x, const std::vector<float>& in, int vocab, int l,
               std::vector<float>& out) {
  const size_t rows = x.rows();
  out.assign(rows * l, 0.0f);
  std::vector<float> in_rows(in.size());  // V x l, row-major: one term's row is contiguous
  for (int col_idx = 0; col_idx < l; ++col_idx) {
    for (int term_idx = 0; term_idx < vocab; ++term_idx) {
      in_rows[static_cast<size_t>(term_idx) * l + col_idx] =
          in[static_cast<size_t>(col_idx) * vocab + term_idx];
    }
  }
  std::vector<float> row_buffer(l);
  for (size_t row = 0; row < rows; ++row) {
    std::fill(row_buffer.begin(), row_buffer.end(), 0.0f);
    for (size_t nz = x.offsets[row]; nz < x.offsets[row + 1]; ++nz) {
      const float weight = x.values[nz];
      const float* term_row = in_rows.data() + static_cast<size_t>(x.columns[nz]) * l;
      for (int col_idx = 0; col_idx < l; ++col_idx)
        row_buffer[col_idx] += weight * term_row[col_idx];
    }
    for (int col_idx = 0; col_idx < l; ++col_idx)
      out[static_cast<size_t>(col_idx) * rows + row] = row_buffer[col_idx];
  }
}

// out (V x l, column-major) = X^T * in (rows x l, column-major).
void MultiplyXt(const SparseRows& x, const std::vector<float>& in, int vocab, int l,
                std::vector<float>& out) {
  const size_t rows = x.rows();
  out.assign(static_cast<size_t>(vocab) * l, 0.0f);
  for (int col_idx = 0; col_idx < l; ++col_idx) {
    const float* in_col = in.data() + static_cast<size_t>(col_idx) * rows;
    float* out_col = out.data() + static_cast<size_t>(col_idx) * vocab;
    for (size_t row = 0; row < rows; ++row) {
      const float scale = in_col[row];
      if (scale == 0.0f) continue;
      for (size_t nz = x.offsets[row]; nz < x.offsets[row + 1]; ++nz) {
        out_col[x.columns[nz]] += scale * x.values[nz];
      }
    }
  }
}

void Normalize(Vector& vector) {
  double norm = 0.0;
  for (float value : vector) norm += static_cast<double>(value) * value;
  if (norm <= 0.0) return;
  const float inverse = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& value : vector) value *= inverse;
}

template <typename T>
void Append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}
template <typename T>
bool Read(std::string_view& in, T* value) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

BuiltinEmbedder::BuiltinEmbedder(BuiltinEmbedderOptions options) : options_(options) {
  model_dims_ = options_.dims;
  ComputeId();
}

std::string BuiltinEmbedder::id() const { return id_; }
int BuiltinEmbedder::dims() const { return model_dims_; }

FusionSettings BuiltinEmbedder::DefaultFusion() const {
  // Chosen on the SciFact train queries (bench/knowledge/scifact_bench): a BM25-heavy blend.
  return FusionSettings{FusionMethod::kWeighted, 0.3, 60};
}

std::vector<std::string> BuiltinEmbedder::Terms(std::string_view text) {
  std::vector<std::string> terms;
  std::string current;
  auto flush = [&] {
    if (current.size() >= 2 && !internal::IsStopWord(current)) terms.push_back(Stem(current));
    current.clear();
  };
  for (char character : text) {
    unsigned char byte = static_cast<unsigned char>(character);
    if (std::isalnum(byte) || byte >= 0x80) {
      current += static_cast<char>(std::tolower(byte));
    } else {
      flush();
    }
  }
  flush();
  return terms;
}

std::vector<std::pair<int32_t, float>> BuiltinEmbedder::Weights(std::string_view text) const {
  std::map<int32_t, int> counts;
  for (const std::string& term : Terms(text)) {
    auto found = vocabulary_.find(term);
    if (found != vocabulary_.end()) ++counts[found->second];
  }
  std::vector<std::pair<int32_t, float>> weights;
  weights.reserve(counts.size());
  double norm = 0.0;
  for (const auto& [term_idx, count] : counts) {
    float weight = (1.0f + std::log(static_cast<float>(count))) * idf_[term_idx];
    weights.emplace_back(term_idx, weight);
    norm += static_cast<double>(weight) * weight;
  }
  if (norm > 0.0) {
    const float inverse = static_cast<float>(1.0 / std::sqrt(norm));
    for (auto& entry : weights) entry.second *= inverse;
  }
  return weights;
}

Result<std::vector<Vector>> BuiltinEmbedder::Embed(const std::vector<std::string>& texts,
                                                   EmbedPurpose /*purpose*/) {
  std::vector<Vector> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    Vector vector(model_dims_, 0.0f);
    if (fitted_) {
      for (const auto& [term_idx, weight] : Weights(text)) {
        const float* row = projection_.data() + static_cast<size_t>(term_idx) * model_dims_;
        for (int dim_idx = 0; dim_idx < model_dims_; ++dim_idx)
          vector[dim_idx] += weight * row[dim_idx];
      }
      Normalize(vector);
    }
    out.push_back(std::move(vector));
  }
  return out;
}

Status BuiltinEmbedder::Fit(const std::vector<std::string>& corpus) {
  // 1. A deterministic sample of the corpus.
  std::vector<size_t> sample(corpus.size());
  std::iota(sample.begin(), sample.end(), 0);
  std::mt19937_64 rng(options_.seed);
  if (sample.size() > options_.max_fit_chunks) {
    std::shuffle(sample.begin(), sample.end(), rng);
    sample.resize(options_.max_fit_chunks);
    std::sort(sample.begin(), sample.end());
  }
  const size_t rows = sample.size();

  // 2. Vocabulary by document frequency.
  std::vector<std::map<std::string, int>> row_terms(rows);
  std::unordered_map<std::string, int> document_frequency;
  for (size_t row = 0; row < rows; ++row) {
    for (std::string& term : Terms(corpus[sample[row]])) ++row_terms[row][std::move(term)];
    for (const auto& [term, count] : row_terms[row]) ++document_frequency[term];
  }
  // Terms in a single chunk carry no co-occurrence, except in a small lake where they are most
  // of what there is; terms in more than half the chunks carry no topic.
  const int min_df = rows < 1000 ? 1 : 2;
  const int max_df = std::max<int>(2, static_cast<int>(rows / 2));
  std::vector<std::pair<int, std::string>> candidates;
  for (const auto& [term, df] : document_frequency) {
    if (df >= min_df && df <= max_df) candidates.emplace_back(df, term);
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& left, const auto& right) {
    return left.first != right.first ? left.first > right.first : left.second < right.second;
  });
  if (candidates.size() > options_.max_vocabulary) candidates.resize(options_.max_vocabulary);
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& left, const auto& right) { return left.second < right.second; });

  vocabulary_.clear();
  idf_.assign(candidates.size(), 0.0f);
  for (size_t term_idx = 0; term_idx < candidates.size(); ++term_idx) {
    vocabulary_.emplace(candidates[term_idx].second, static_cast<int32_t>(term_idx));
    idf_[term_idx] =
        static_cast<float>(std::log(1.0 + static_cast<double>(rows) / candidates[term_idx].first));
  }
  const int vocab = static_cast<int>(candidates.size());
  model_dims_ = options_.dims;
  fitted_corpus_size_ = corpus.size();
  projection_.assign(static_cast<size_t>(vocab) * model_dims_, 0.0f);
  fitted_ = true;
  if (vocab == 0 || rows == 0) {
    ComputeId();
    return {};
  }

  // 3. The TF-IDF matrix the SVD factors, rows L2-normalised. Its IDF is raised to
  // fit_idf_exponent: rare, specific terms then shape the latent topics more than common ones.
  // Texts still embed with idf^1 (Weights()).
  std::vector<float> fit_idf(idf_.size());
  for (size_t term_idx = 0; term_idx < idf_.size(); ++term_idx) {
    fit_idf[term_idx] = static_cast<float>(
        std::pow(static_cast<double>(idf_[term_idx]), options_.fit_idf_exponent));
  }
  SparseRows x;
  for (size_t row = 0; row < rows; ++row) {
    double norm = 0.0;
    size_t start = x.columns.size();
    for (const auto& [term, count] : row_terms[row]) {
      auto found = vocabulary_.find(term);
      if (found == vocabulary_.end()) continue;
      float weight = (1.0f + std::log(static_cast<float>(count))) * fit_idf[found->second];
      x.columns.push_back(found->second);
      x.values.push_back(weight);
      norm += static_cast<double>(weight) * weight;
    }
    if (norm > 0.0) {
      const float inverse = static_cast<float>(1.0 / std::sqrt(norm));
      for (size_t nz = start; nz < x.values.size(); ++nz) x.values[nz] *= inverse;
    }
    x.offsets.push_back(x.columns.size());
  }
  row_terms.clear();

  // 4. Randomized range finder with power iterations.
  const int l = std::min<int>({model_dims_ + kOversample, vocab, static_cast<int>(rows)});
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  std::vector<float> omega(static_cast<size_t>(vocab) * l);
  for (float& value : omega) value = gaussian(rng);
  std::vector<float> y;
  std::vector<float> z;
  const int row_count = static_cast<int>(rows);
  MultiplyX(x, omega, vocab, l, y);
  Orthonormalize(y, row_count, l);
  for (int iteration = 0; iteration < kPowerIterations; ++iteration) {
    MultiplyXt(x, y, vocab, l, z);
    Orthonormalize(z, vocab, l);
    MultiplyX(x, z, vocab, l, y);
    Orthonormalize(y, row_count, l);
  }
  // 5. B^T = X^T Q (V x l); B B^T = (B^T)^T B^T (l x l).
  MultiplyXt(x, y, vocab, l, z);
  std::vector<float> gram(static_cast<size_t>(l) * l);
  const float one = 1.0f;
  const float zero = 0.0f;
  sgemm_("T", "N", &l, &l, &vocab, &one, z.data(), &vocab, z.data(), &vocab, &zero, gram.data(), &l,
         1, 1);
  std::vector<double> gram_double(gram.begin(), gram.end());
  std::vector<double> eigenvalues(l);
  int info = 0;
  int lwork = -1;
  double query = 0;
  dsyev_("V", "U", &l, gram_double.data(), &l, eigenvalues.data(), &query, &lwork, &info, 1, 1);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(lwork);
  dsyev_("V", "U", &l, gram_double.data(), &l, eigenvalues.data(), work.data(), &lwork, &info, 1,
         1);
  if (info != 0) return Internal("builtin embedder", "eigen-decomposition failed (LAPACK dsyev)");

  // 6. Projection P = B^T U_k S_k^(exponent - 2): x P = (x V_k) S_k^(exponent - 1).
  // dsyev returns ascending eigenvalues; take the largest `dims`.
  const int kept = std::min(model_dims_, l);
  const double largest = std::sqrt(std::max(0.0, eigenvalues[l - 1]));
  std::vector<float> coefficients(static_cast<size_t>(l) * kept, 0.0f);  // l x kept, col-major
  for (int out_col = 0; out_col < kept; ++out_col) {
    const int eig_idx = l - 1 - out_col;
    const double sigma = std::sqrt(std::max(0.0, eigenvalues[eig_idx]));
    if (sigma <= largest * 1e-6) continue;
    const double scale = std::pow(sigma, options_.singular_exponent - 2.0);
    for (int row = 0; row < l; ++row) {
      coefficients[static_cast<size_t>(out_col) * l + row] =
          static_cast<float>(gram_double[static_cast<size_t>(eig_idx) * l + row] * scale);
    }
  }
  std::vector<float> projection_col(static_cast<size_t>(vocab) * kept);  // V x kept, col-major
  sgemm_("N", "N", &vocab, &kept, &l, &one, z.data(), &vocab, coefficients.data(), &l, &zero,
         projection_col.data(), &vocab, 1, 1);
  for (int term_idx = 0; term_idx < vocab; ++term_idx) {
    for (int dim_idx = 0; dim_idx < kept; ++dim_idx) {
      projection_[static_cast<size_t>(term_idx) * model_dims_ + dim_idx] =
          projection_col[static_cast<size_t>(dim_idx) * vocab + term_idx];
    }
  }
  ComputeId();
  return {};
}

std::string BuiltinEmbedder::SaveModel() const {
  std::string out(kModelMagic, sizeof(kModelMagic));
  Append(out, static_cast<int32_t>(model_dims_));
  Append(out, options_.singular_exponent);
  Append(out, options_.fit_idf_exponent);
  Append(out, static_cast<uint64_t>(fitted_corpus_size_));
  std::vector<std::pair<int32_t, std::string>> terms;
  terms.reserve(vocabulary_.size());
  for (const auto& [term, term_idx] : vocabulary_) terms.emplace_back(term_idx, term);
  std::sort(terms.begin(), terms.end());
  Append(out, static_cast<uint32_t>(terms.size()));
  for (const auto& [term_idx, term] : terms) {
    Append(out, static_cast<uint16_t>(term.size()));
    out += term;
    Append(out, idf_[term_idx]);
  }
  out.append(reinterpret_cast<const char*>(projection_.data()), projection_.size() * sizeof(float));
  return out;
}

Status BuiltinEmbedder::LoadModel(std::string_view blob) {
  auto corrupt = [] {
    return DataLoss("builtin embedder model", "stored model is corrupt; it will be refitted");
  };
  if (blob.size() < sizeof(kModelMagic)) return corrupt();
  if (std::memcmp(blob.data(), kModelMagic, sizeof(kModelMagic)) != 0) {
    if (std::memcmp(blob.data(), kModelMagic, kModelFamilyLength) == 0) {
      return DataLoss("builtin embedder model",
                      "stored model is from another Rockhound version (" +
                          std::string(blob.substr(0, sizeof(kModelMagic))) +
                          "); it will be refitted");
    }
    return corrupt();
  }
  blob.remove_prefix(sizeof(kModelMagic));
  int32_t dims = 0;
  double exponent = 0;
  double fit_idf_exponent = 0;
  uint64_t corpus_size = 0;
  uint32_t term_count = 0;
  if (!Read(blob, &dims) || !Read(blob, &exponent) || !Read(blob, &fit_idf_exponent) ||
      !Read(blob, &corpus_size) || !Read(blob, &term_count) || dims <= 0 || dims > 4096) {
    return corrupt();
  }
  std::unordered_map<std::string, int32_t> vocabulary;
  std::vector<float> idf(term_count);
  for (uint32_t term_idx = 0; term_idx < term_count; ++term_idx) {
    uint16_t length = 0;
    if (!Read(blob, &length) || blob.size() < length) return corrupt();
    vocabulary.emplace(std::string(blob.substr(0, length)), static_cast<int32_t>(term_idx));
    blob.remove_prefix(length);
    if (!Read(blob, &idf[term_idx])) return corrupt();
  }
  const size_t floats = static_cast<size_t>(term_count) * dims;
  if (blob.size() != floats * sizeof(float)) return corrupt();
  projection_.resize(floats);
  std::memcpy(projection_.data(), blob.data(), blob.size());
  vocabulary_ = std::move(vocabulary);
  idf_ = std::move(idf);
  model_dims_ = dims;
  options_.dims = dims;
  options_.singular_exponent = exponent;
  options_.fit_idf_exponent = fit_idf_exponent;
  fitted_corpus_size_ = corpus_size;
  fitted_ = true;
  ComputeId();
  return {};
}

void BuiltinEmbedder::ComputeId() {
  std::string prefix = "builtin-lsa" + std::to_string(model_dims_);
  if (!fitted_) {
    id_ = prefix + ":unfitted";
    return;
  }
  std::string model = SaveModel();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(internal::FastHash64(model.data(), model.size())));
  id_ = prefix + ":" + std::string(hex, 8);
}

}  // namespace rh::knowledge
