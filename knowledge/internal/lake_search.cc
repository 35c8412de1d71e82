#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "knowledge/internal/fts_query.h"
#include "knowledge/internal/lake_impl.h"
#include "knowledge/internal/text.h"

namespace rh::knowledge {
namespace {

using internal::Candidate;
using internal::ChunkMeta;
using internal::CompiledFilter;
using internal::FtsPiece;
using internal::KindCode;
using internal::VectorHit;
using store::Int;
using store::Text;
using store::Value;

constexpr int kKnownBugKind = 1;  // index of "known_bug" in kKnownKinds
constexpr const char* kBm25 = "bm25(kb_chunks_fts, 2.0, 1.0)";
constexpr int kSnippetTokens = 24;

std::string Placeholders(size_t count) {
  std::string out;
  for (size_t item_idx = 0; item_idx < count; ++item_idx) out += item_idx ? ",?" : "?";
  return out;
}

bool MetaMatches(const ChunkMeta& meta, const CompiledFilter& filter) {
  if (meta.kind < 0) return false;
  if (!filter.kinds.empty() && !filter.kinds[meta.kind]) return false;
  if (filter.version) {
    bool covered = false;
    for (const VersionRange& range : meta.ranges) {
      if (*filter.version >= range.low && *filter.version <= range.high) covered = true;
    }
    if (meta.kind == kKnownBugKind) return covered;
    return meta.ranges.empty() || covered;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const std::unordered_map<std::string, int64_t>>>
KnowledgeLake::Impl::DocumentFrequencies() {
  std::lock_guard<std::mutex> lock(df_mutex_);
  const int64_t generation = loaded_generation_.load();
  if (df_ && df_generation_ == generation) return df_;
  RH_ASSIGN_OR_RETURN(auto rows, Reader().Query("SELECT term, doc FROM kb_chunks_vocab"));
  auto map = std::make_shared<std::unordered_map<std::string, int64_t>>();
  map->reserve(rows.size());
  for (const store::Row& row : rows) map->emplace(row.GetString(0), row.GetInt(1));
  df_ = std::move(map);
  df_generation_ = generation;
  return df_;
}

Result<std::vector<Candidate>> KnowledgeLake::Impl::FulltextLeg(const std::string& query,
                                                                const CompiledFilter& filter,
                                                                const SearchFilter& raw_filter,
                                                                int depth, std::string* match_out) {
  std::vector<Candidate> out;
  std::vector<FtsPiece> pieces = internal::QueryPieces(query, *tokenizer_);
  if (pieces.empty()) return out;
  *match_out = internal::MatchExpression(pieces);
  int64_t chunk_count = 0;
  {
    std::shared_lock<std::shared_mutex> lock(state_mutex_);
    chunk_count = chunk_count_;
  }
  std::vector<FtsPiece> kept = pieces;
  if (options_.fulltext_row_budget > 0 && chunk_count > options_.fulltext_row_budget) {
    // Keep the rarest pieces while the rows they match fit the budget; pieces in more than half
    // the chunks get BM25 IDF ~0 from FTS5 anyway and only cost time.
    RH_ASSIGN_OR_RETURN(auto df, DocumentFrequencies());
    std::vector<std::pair<int64_t, size_t>> by_rarity;
    for (size_t piece_idx = 0; piece_idx < pieces.size(); ++piece_idx) {
      int64_t frequency = chunk_count;
      for (const std::string& token : pieces[piece_idx].tokens) {
        auto found = df->find(token);
        frequency = std::min(frequency, found == df->end() ? 0 : found->second);
      }
      by_rarity.emplace_back(frequency, piece_idx);
    }
    std::sort(by_rarity.begin(), by_rarity.end());
    std::vector<bool> keep(pieces.size(), false);
    int64_t rows = 0;
    for (size_t rank = 0; rank < by_rarity.size(); ++rank) {
      const auto& [frequency, piece_idx] = by_rarity[rank];
      const bool common = frequency * 2 > chunk_count;
      if (rank > 0 && (common || rows + frequency > options_.fulltext_row_budget)) break;
      keep[piece_idx] = true;
      rows += frequency;
    }
    kept.clear();
    for (size_t piece_idx = 0; piece_idx < pieces.size(); ++piece_idx) {
      if (keep[piece_idx]) kept.push_back(pieces[piece_idx]);
    }
  }
  std::string match = internal::MatchExpression(kept);
  std::string sql;
  std::vector<Value> params{Text(match)};
  if (!filter.active()) {
    sql = std::string("SELECT rowid, ") + kBm25 +
          " AS score FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? ORDER BY score LIMIT ?";
  } else {
    sql = std::string("SELECT f.rowid, ") + kBm25 +
          " AS score FROM kb_chunks_fts f JOIN kb_chunks c ON c.id = f.rowid WHERE kb_chunks_fts "
          "MATCH ?";
    if (!raw_filter.kinds.empty()) {
      sql += " AND c.kind IN (" + Placeholders(raw_filter.kinds.size()) + ")";
      for (const std::string& kind : raw_filter.kinds) params.push_back(Text(kind));
    }
    if (filter.version) {
      sql +=
          " AND ((c.has_versions = 0 AND c.kind <> 'known_bug') OR EXISTS (SELECT 1 FROM "
          "kb_chunk_versions v WHERE v.chunk_id = c.id AND ? BETWEEN v.low AND v.high))";
      params.push_back(Int(*filter.version));
    }
    sql += " ORDER BY score LIMIT ?";
  }
  params.push_back(Int(depth));
  RH_ASSIGN_OR_RETURN(auto rows, Reader().Query(sql, params));
  int rank = 0;
  for (const store::Row& row : rows) {
    Candidate candidate;
    candidate.chunk_id = row.GetInt(0);
    candidate.bm25 = -row.GetDouble(1);
    candidate.fulltext_rank = ++rank;
    candidate.score = candidate.bm25;
    out.push_back(candidate);
  }
  return out;
}

Result<std::vector<Candidate>> KnowledgeLake::Impl::VectorLeg(
    const std::string& query, const CompiledFilter& filter, int depth,
    const std::vector<Candidate>& feedback) {
  std::vector<Candidate> out;
  // Right after a refit the stored vectors belong to the old model until re-embedded.
  if (vectors_embedder_.empty() || !embedder_->has_model() ||
      vectors_embedder_ != embedder_->id()) {
    return out;
  }
  RH_ASSIGN_OR_RETURN(std::vector<Vector> embedded,
                      embedder_->Embed({query}, EmbedPurpose::kQuery));
  if (embedded.empty() || static_cast<int>(embedded[0].size()) != index_->dims()) return out;
  Vector& query_vector = embedded[0];
  const size_t feedback_count =
      std::min(feedback.size(), static_cast<size_t>(std::max(0, options_.feedback_chunks)));
  if (feedback_count > 0 && options_.feedback_weight > 0) {
    const float scale = static_cast<float>(options_.feedback_weight / feedback_count);
    for (size_t hit_idx = 0; hit_idx < feedback_count; ++hit_idx) {
      const float* vector = index_->VectorOf(feedback[hit_idx].chunk_id);
      if (vector == nullptr) continue;
      for (size_t dim = 0; dim < query_vector.size(); ++dim)
        query_vector[dim] += scale * vector[dim];
    }
  }
  double norm = 0.0;
  for (float value : query_vector) norm += static_cast<double>(value) * value;
  if (norm <= 0.0) return out;  // nothing in the query the embedder knows
  const float inverse = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& value : query_vector) value *= inverse;
  std::vector<uint8_t> allowed;
  if (filter.active()) {
    allowed.assign(index_->positions(), 0);
    for (int64_t position = 0; position < index_->positions(); ++position) {
      if (!index_->alive_at(position)) continue;
      int64_t chunk_id = index_->chunk_id_at(position);
      if (chunk_id < static_cast<int64_t>(meta_.size()) && MetaMatches(meta_[chunk_id], filter)) {
        allowed[position] = 1;
      }
    }
  }
  RH_ASSIGN_OR_RETURN(
      std::vector<VectorHit> hits,
      index_->Search(embedded[0].data(), depth, filter.active() ? &allowed : nullptr));
  int rank = 0;
  for (const VectorHit& hit : hits) {
    Candidate candidate;
    candidate.chunk_id = hit.chunk_id;
    candidate.cosine = hit.score;
    candidate.vector_rank = ++rank;
    candidate.score = hit.score;
    out.push_back(candidate);
  }
  return out;
}

std::vector<Candidate> KnowledgeLake::Impl::Fuse(const std::vector<Candidate>& text,
                                                 const std::vector<Candidate>& vec) {
  const FusionSettings settings = fusion();
  std::unordered_map<int64_t, Candidate> merged;
  for (const Candidate& candidate : text) merged[candidate.chunk_id] = candidate;
  for (const Candidate& candidate : vec) {
    Candidate& entry = merged[candidate.chunk_id];
    entry.chunk_id = candidate.chunk_id;
    entry.vector_rank = candidate.vector_rank;
    entry.cosine = candidate.cosine;
  }
  auto min_max = [](const std::vector<Candidate>& list, bool bm25) {
    double low = 0.0, high = 0.0;
    for (size_t item_idx = 0; item_idx < list.size(); ++item_idx) {
      double value = bm25 ? list[item_idx].bm25 : list[item_idx].cosine;
      if (item_idx == 0 || value < low) low = value;
      if (item_idx == 0 || value > high) high = value;
    }
    return std::make_pair(low, high);
  };
  auto [text_low, text_high] = min_max(text, true);
  auto [vec_low, vec_high] = min_max(vec, false);
  auto normalize = [](double value, double low, double high) {
    return high > low ? (value - low) / (high - low) : 1.0;
  };
  const double w =
      std::clamp(settings.vector_weight, 0.0, settings.method == FusionMethod::kRrf ? 100.0 : 1.0);
  std::vector<Candidate> out;
  out.reserve(merged.size());
  for (auto& [chunk_id, candidate] : merged) {
    double score = 0.0;
    if (settings.method == FusionMethod::kRrf) {
      if (candidate.fulltext_rank > 0) score += 1.0 / (settings.rrf_k + candidate.fulltext_rank);
      if (candidate.vector_rank > 0) score += w / (settings.rrf_k + candidate.vector_rank);
    } else {
      if (candidate.fulltext_rank > 0)
        score += (1.0 - w) * normalize(candidate.bm25, text_low, text_high);
      if (candidate.vector_rank > 0) score += w * normalize(candidate.cosine, vec_low, vec_high);
    }
    candidate.score = score;
    out.push_back(candidate);
  }
  std::sort(out.begin(), out.end(), [](const Candidate& left, const Candidate& right) {
    if (left.score != right.score) return left.score > right.score;
    int left_rank = left.fulltext_rank > 0 ? left.fulltext_rank : INT32_MAX;
    int right_rank = right.fulltext_rank > 0 ? right.fulltext_rank : INT32_MAX;
    if (left_rank != right_rank) return left_rank < right_rank;
    return left.chunk_id < right.chunk_id;
  });
  return out;
}

Result<std::vector<SearchHit>> KnowledgeLake::Impl::Materialize(
    const std::vector<Candidate>& ranked, const std::string& query, bool snippets) {
  std::vector<SearchHit> hits;
  if (ranked.empty()) return hits;
  std::vector<Value> ids;
  for (const Candidate& candidate : ranked) ids.push_back(Int(candidate.chunk_id));
  store::Database& reader = Reader();
  RH_ASSIGN_OR_RETURN(auto rows, reader.Query("SELECT id, title, source, kind, version, body FROM "
                                              "kb_chunks WHERE id IN (" +
                                                  Placeholders(ids.size()) + ")",
                                              ids));
  std::unordered_map<int64_t, size_t> row_of;
  for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx)
    row_of[rows[row_idx].GetInt(0)] = row_idx;
  std::vector<FtsPiece> pieces;
  if (snippets) pieces = internal::QueryPieces(query, *tokenizer_);
  for (const Candidate& candidate : ranked) {
    auto found = row_of.find(candidate.chunk_id);
    if (found == row_of.end()) continue;  // removed meanwhile
    const store::Row row = rows[found->second];
    SearchHit hit;
    hit.chunk_id = std::to_string(candidate.chunk_id);
    hit.title = row.GetString(1);
    hit.source = row.GetString(2);
    hit.kind = row.GetString(3);
    hit.version = row.GetString(4);
    if (snippets)
      hit.snippet = internal::Snippet(row.GetString(5), pieces, *tokenizer_, kSnippetTokens);
    hit.score = candidate.score;
    hit.fulltext_rank = candidate.fulltext_rank;
    hit.vector_rank = candidate.vector_rank;
    hit.bm25 = candidate.bm25;
    hit.cosine = candidate.cosine;
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<SearchHit>> KnowledgeLake::Impl::Search(const SearchRequest& request) {
  if (internal::Trim(request.query).empty()) {
    return InvalidArgument("query", "must not be empty; say what to look for");
  }
  if (request.k < 1 || request.k > 100) {
    return InvalidArgument("k", "must be between 1 and 100, got " + std::to_string(request.k));
  }
  CompiledFilter filter;
  if (!request.filter.kinds.empty()) {
    filter.kinds.assign(std::size(kKnownKinds), false);
    for (const std::string& kind : request.filter.kinds) {
      int code = KindCode(kind);
      if (code < 0) {
        return InvalidArgument("kind", "unknown kind '" + kind +
                                           "'; use oncall_log, known_bug, guideline, "
                                           "resolution or doc");
      }
      filter.kinds[code] = true;
    }
  }
  if (!internal::Trim(request.filter.version).empty()) {
    filter.version = EncodeVersion(request.filter.version);
    if (!filter.version) {
      return InvalidArgument(
          "version", "'" + request.filter.version + "' is not a StarRocks version such as 3.3.4");
    }
  }
  RH_RETURN_IF_ERROR(Refresh());
  const bool collapse = request.one_per_document;
  const int depth =
      request.mode == SearchMode::kHybrid || collapse ? std::max(100, 4 * request.k) : request.k;
  std::vector<Candidate> text;
  std::vector<Candidate> vec;
  std::string match;
  if (request.mode != SearchMode::kVector) {
    RH_ASSIGN_OR_RETURN(text, FulltextLeg(request.query, filter, request.filter, depth, &match));
  }
  std::vector<Candidate> ranked;
  std::vector<ChunkMeta> ranked_meta;
  {
    std::shared_lock<std::shared_mutex> lock(state_mutex_);
    if (request.mode != SearchMode::kFulltext) {
      RH_ASSIGN_OR_RETURN(
          vec, VectorLeg(request.query, filter, depth,
                         request.mode == SearchMode::kHybrid ? text : std::vector<Candidate>{}));
    }
    if (request.mode == SearchMode::kHybrid) {
      ranked = Fuse(text, vec);
    } else {
      ranked = request.mode == SearchMode::kFulltext ? text : vec;
    }
    if (collapse) {
      std::unordered_set<int64_t> seen_documents;
      std::vector<Candidate> collapsed;
      for (const Candidate& candidate : ranked) {
        int64_t doc_id = candidate.chunk_id < static_cast<int64_t>(meta_.size())
                             ? meta_[candidate.chunk_id].doc_id
                             : -candidate.chunk_id;
        if (seen_documents.insert(doc_id).second) collapsed.push_back(candidate);
      }
      ranked = std::move(collapsed);
    }
  }
  if (static_cast<int>(ranked.size()) > request.k) ranked.resize(request.k);
  return Materialize(ranked, request.query, request.snippets);
}

}  // namespace rh::knowledge
