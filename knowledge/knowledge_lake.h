// KnowledgeLake: the Knowledge Lake itself. Ingests documents (knowledge/document.h), keeps
// their chunks in its own SQLite file, and answers KnowledgeSearch queries in three modes.
//
// Storage. The SQLite file is the source of truth: documents, chunks with their metadata,
// an FTS5 external-content index kept in sync by triggers (porter + unicode61), the vector of
// every chunk (as a BLOB, with the id of the embedder that made it), the built-in embedder's
// model, and a generation counter bumped by every change. The FAISS index file is a cache of
// the vectors: it is rebuilt from SQLite whenever it is missing, unreadable, fails its
// checksum, was written for another generation (a crash between the SQLite commit and the
// index write) or for another embedder/dimension. A different embedder than the vectors were
// made with re-embeds every chunk. So a crash at any point leaves a usable lake.
//
// Vectors. Exact inner-product search (FAISS, cosine on unit vectors) up to
// `approximate_above` vectors; an IVF index (nlist ~ sqrt(n), nprobe tuned in the benchmark)
// above. Deleted chunks are tombstoned and compacted on the next rebuild.
//
// Search. Full-text: FTS5 BM25 (title weighted 2x) over a query made only of quoted terms, so
// no input can cause an FTS5 syntax error; on large lakes the most common terms of a query are
// dropped until the rows to rank fit a budget (their IDF is near zero; see README). Vector:
// the embedded query against the index. Hybrid: both legs at depth max(100, 4k), filters
// applied inside each leg, fused (weighted score blend or RRF, knowledge/embedder.h
// FusionSettings), ties broken by BM25 rank then chunk id.
//
// Thread-safety: Search() may be called from many threads at once (it reads through a pool of
// SQLite connections and a shared lock on the index). Ingest/Remove take the write lock and
// may run concurrently with searches, which see either the old or the new state. Several
// processes may open the same lake: a search notices another process's writes through the
// generation counter and reloads the index; Refresh() does the same on demand.
//
// Implementation: knowledge_lake.cc forwards to KnowledgeLake::Impl (internal/lake_impl.h),
// split into internal/lake_state.cc (open, persistence, refresh), internal/lake_ingest.cc
// (documents in) and internal/lake_search.cc (queries out).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "knowledge/document.h"
#include "knowledge/embedder.h"
#include "knowledge/search.h"

namespace rh::knowledge {

struct LakeOptions {
  std::string db_path;                   // SQLite file (created if missing)
  std::string index_path;                // FAISS index cache file
  int64_t approximate_above = 50000;     // vectors above which IVF replaces exact search
  std::optional<FusionSettings> fusion;  // hybrid fusion; nullopt = the embedder's default
  int reader_connections = 4;            // SQLite connections for concurrent searches
  // Full-text queries on large lakes: drop the most common query terms until the rows to rank
  // (the sum of the kept terms' document frequencies) fit this budget. 0 = never prune.
  int64_t fulltext_row_budget = 4000;
  int ivf_nprobe = 24;  // IVF cells visited per query
  // Hybrid search: the vector leg's query is moved towards the vectors of the top full-text
  // hits (pseudo-relevance feedback, Rocchio): q' = q + feedback_weight * mean(top hits).
  int feedback_chunks = 0;  // 0 disables (the default: no gain on SciFact beyond noise)
  double feedback_weight = 1.0;
};

struct IngestOptions {
  std::string kind;     // overrides the documents' kind when not empty
  std::string version;  // overrides the documents' version when not empty
  // Called now and then with (documents done, documents total); e.g. a progress bar.
  std::function<void(size_t, size_t)> progress;
};

struct IngestStats {
  int64_t documents_seen = 0;
  int64_t documents_added = 0;
  int64_t documents_updated = 0;
  int64_t documents_unchanged = 0;
  int64_t documents_removed = 0;  // JSONL rows no longer in their file
  int64_t chunks_added = 0;
  int64_t chunks_removed = 0;
  int64_t chunks_deduplicated = 0;  // identical chunk text already in the lake
  int64_t chunks_embedded = 0;      // includes re-embeds after a refit or embedder switch
  bool refitted = false;            // the built-in embedder was refitted on this ingest
  double seconds = 0.0;

  IngestStats& operator+=(const IngestStats& other);
};

struct LakeStats {
  int64_t documents = 0;
  int64_t chunks = 0;
  int64_t vectors = 0;
  std::map<std::string, int64_t> chunks_by_kind;
  std::vector<std::pair<std::string, int64_t>> sources;  // source -> chunks (largest first)
  std::string embedder;  // id of the embedder the vectors were made with
  int dims = 0;
  std::string index_type;  // "flat" | "ivf<nlist>" | "empty"
  int64_t generation = 0;
  std::string db_path;
  std::string index_path;
  int64_t db_bytes = 0;
  int64_t index_bytes = 0;
};

class KnowledgeLake final : public KnowledgeSearch {
 public:
  // Opens (creating and migrating when needed) the lake. Loads the index file, or rebuilds it
  // from SQLite; re-embeds chunks made by another embedder and embeds chunks left without a
  // vector by an interrupted ingest. Errors: invalid_argument (bad paths/options),
  // data_loss (the SQLite file is not a lake), unavailable (the embedder is down while
  // vectors need making).
  static Result<std::unique_ptr<KnowledgeLake>> Open(const LakeOptions& options,
                                                     std::unique_ptr<Embedder> embedder,
                                                     const Clock& clock);
  ~KnowledgeLake() override;
  KnowledgeLake(const KnowledgeLake&) = delete;
  KnowledgeLake& operator=(const KnowledgeLake&) = delete;

  Result<std::vector<SearchHit>> Search(const SearchRequest& request) override;

  // Ingests files and directories (LoadDocuments), adding, updating or skipping each document
  // by key and content hash; rows gone from a re-ingested JSONL file are removed. All paths are
  // read before anything is written: a bad file changes nothing.
  Result<IngestStats> IngestPaths(const std::vector<std::string>& paths,
                                  const IngestOptions& options = {});
  // Ingests documents built in memory (starter knowledge, tests, benchmarks).
  Result<IngestStats> IngestDocuments(const std::vector<Document>& documents,
                                      const IngestOptions& options = {});
  // Removes every document whose key or source equals `source` or lies under it (a directory
  // or a JSONL file). Returns the number of chunks removed (0 when nothing matched).
  Result<int64_t> RemoveSource(const std::string& source);

  Result<LakeStats> Stats();

  // Brings this lake up to date with what another process (or another KnowledgeLake on the
  // same files) wrote since it last looked: new, changed and removed documents, and a refitted
  // model with its re-embedded vectors. Returns true when it reloaded, false when nothing had
  // changed (then it costs one read of the generation counter). Search and Stats refresh on
  // their own; a long-lived owner calls this once per cycle instead of reopening the lake, so
  // the reload happens at a known point, its error surfaces there, and embedder() reflects
  // the refitted model. Errors: as Open's (the stored state could not be read).
  Result<bool> Refresh();

  const Embedder& embedder() const;
  FusionSettings fusion() const;

 private:
  class Impl;
  explicit KnowledgeLake(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds the embedder the config asks for: "builtin" (LSA) or "http" (OpenAI-compatible,
// api_key from Config::secrets.embedder_api_key). invalid_argument for an unknown kind.
struct EmbedderConfig {
  std::string kind = "builtin";
  std::string url;
  std::string model;
  std::string api_key;
  int batch = 64;
};
Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderConfig& config, Clock& clock);

}  // namespace rh::knowledge
