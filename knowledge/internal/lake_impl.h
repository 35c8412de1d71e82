// KnowledgeLake::Impl: the lake's private state, shared by the three files that implement it:
//   lake_state.cc   opening, kb_meta and the generation counter, loading the model, the chunk
//                   metadata and the vector index (or rebuilding it), saving the index, Refresh
//                   and Stats;
//   lake_ingest.cc  documents in: validation, change detection, chunking, de-duplication,
//                   embedding (and refitting the built-in embedder), the SQLite/FTS5 and vector
//                   writes, removal;
//   lake_search.cc  queries out: the full-text leg (FTS5 BM25, term budget), the vector leg
//                   (FAISS), hybrid fusion and the hits.
// knowledge/knowledge_lake.h states the contract; knowledge/README.md how it works.
//
// Locking. write_mutex_ admits one writer (ingest, remove, reload) at a time in this process.
// state_mutex_ guards the in-memory state (index_, meta_, chunk_count_, vectors_embedder_ and
// the embedder's model): searches hold it shared, writers take it exclusively only to swap in
// what they prepared. loaded_generation_ is the kb_meta generation the state reflects.
// Internal to rh::knowledge.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "knowledge/document.h"
#include "knowledge/embedder.h"
#include "knowledge/internal/fts_query.h"
#include "knowledge/internal/vector_index.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/search.h"
#include "store/database.h"

namespace rh::knowledge {
namespace internal {

// The position of `kind` in kKnownKinds (document.h), or -1.
inline int KindCode(std::string_view kind) {
  int code = 0;
  for (const char* known : kKnownKinds) {
    if (kind == known) return code;
    ++code;
  }
  return -1;
}

// What searches need to know about a chunk without reading SQLite (meta_, by chunk id).
struct ChunkMeta {
  int kind = -1;  // -1: no such chunk
  int64_t doc_id = 0;
  std::vector<VersionRange> ranges;
};

// A SearchFilter resolved against the kind codes and the version encoding.
struct CompiledFilter {
  std::vector<bool> kinds;  // by kind code; empty = all
  std::optional<int64_t> version;
  bool active() const { return !kinds.empty() || version.has_value(); }
};

// A chunk found by one leg or both, with each leg's rank and score (0 when it missed).
struct Candidate {
  int64_t chunk_id = 0;
  double score = 0.0;
  int fulltext_rank = 0;
  int vector_rank = 0;
  double bm25 = 0.0;
  double cosine = 0.0;
};

}  // namespace internal

class KnowledgeLake::Impl {
 public:
  Impl(LakeOptions options, std::unique_ptr<Embedder> embedder, const Clock& clock)
      : options_(std::move(options)), embedder_(std::move(embedder)), clock_(clock) {}

  // lake_state.cc
  Status Open();
  // SyncState when the stored generation moved (another process, or another KnowledgeLake on
  // the same files, wrote); returns whether it did. Search and Stats call it first.
  Result<bool> Refresh();
  Result<LakeStats> Stats();
  // lake_ingest.cc
  Result<IngestStats> IngestPaths(const std::vector<std::string>& paths,
                                  const IngestOptions& options);
  Result<IngestStats> Ingest(std::vector<Document> documents, const IngestOptions& options,
                             const std::vector<std::string>& sync_prefixes);
  Result<int64_t> Remove(const std::string& source);
  // lake_search.cc
  Result<std::vector<SearchHit>> Search(const SearchRequest& request);

  const Embedder& embedder() const { return *embedder_; }
  FusionSettings fusion() const {
    return options_.fusion ? *options_.fusion : embedder_->DefaultFusion();
  }

 private:
  using ChunkMeta = internal::ChunkMeta;
  using CompiledFilter = internal::CompiledFilter;
  using Candidate = internal::Candidate;

  // ---- lake_state.cc ----
  store::Database& Reader() {
    size_t slot = next_reader_.fetch_add(1) % readers_.size();
    return *readers_[slot];
  }
  Result<int64_t> StoredGeneration(store::Database& db);
  Result<std::string> MetaValue(store::Database& db, const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);
  Result<int64_t> BumpGeneration();
  // Brings the in-memory state (model, index, metadata) up to the stored generation.
  // Caller holds write_mutex_ (so no writer of this process races).
  Status SyncState();
  // The stored built-in model; nullopt when there is none or the embedder is not corpus-fitted.
  Result<std::optional<std::string>> StoredModel();
  Status LoadMeta(std::vector<ChunkMeta>* meta);
  Result<std::unique_ptr<internal::VectorIndex>> BuildIndexFromStore(const std::string& embedder_id,
                                                                     int dims);
  Status SaveIndex();

  // ---- lake_ingest.cc ----
  // Embeds chunks without a vector; refits a corpus-fitted embedder when needed (re-embedding
  // everything). Caller holds write_mutex_.
  Result<int64_t> EnsureVectors(IngestStats* stats);
  bool NeedsRefit(int64_t chunk_count) const;
  Status RemoveDocuments(const std::vector<int64_t>& doc_ids, std::vector<int64_t>* removed_chunks);

  // ---- lake_search.cc ----
  Result<std::vector<Candidate>> FulltextLeg(const std::string& query, const CompiledFilter& filter,
                                             const SearchFilter& raw_filter, int depth,
                                             std::string* match_out);
  Result<std::vector<Candidate>> VectorLeg(const std::string& query, const CompiledFilter& filter,
                                           int depth, const std::vector<Candidate>& feedback);
  std::vector<Candidate> Fuse(const std::vector<Candidate>& text,
                              const std::vector<Candidate>& vec);
  Result<std::vector<SearchHit>> Materialize(const std::vector<Candidate>& ranked,
                                             const std::string& query, bool snippets);
  Result<std::shared_ptr<const std::unordered_map<std::string, int64_t>>> DocumentFrequencies();

  LakeOptions options_;
  std::unique_ptr<Embedder> embedder_;
  const Clock& clock_;
  std::unique_ptr<store::Database> writer_;
  std::vector<std::unique_ptr<store::Database>> readers_;
  std::atomic<size_t> next_reader_{0};
  std::unique_ptr<internal::FtsTokenizer> tokenizer_;

  std::mutex write_mutex_;                 // one writer at a time in this process
  mutable std::shared_mutex state_mutex_;  // guards everything below
  std::unique_ptr<internal::VectorIndex> index_;
  std::vector<ChunkMeta> meta_;  // by chunk id
  int64_t chunk_count_ = 0;
  std::string vectors_embedder_;  // embedder id of the stored vectors
  std::atomic<int64_t> loaded_generation_{-1};

  std::mutex df_mutex_;
  std::shared_ptr<const std::unordered_map<std::string, int64_t>> df_;
  int64_t df_generation_ = -1;
};

}  // namespace rh::knowledge
