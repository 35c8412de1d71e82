#include "knowledge/knowledge_lake.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/internal/fts_query.h"
#include "knowledge/internal/lake_schema.h"
#include "knowledge/internal/text.h"
#include "knowledge/internal/vector_index.h"
#include "store/database.h"

namespace rh::knowledge {
namespace {

using internal::FtsPiece;
using internal::VectorHit;
using internal::VectorIndex;
using store::Int;
using store::Text;
using store::Value;

constexpr int kKnownBugKind = 1;  // index of "known_bug" in kKnownKinds
constexpr size_t kEmbedBatch = 256;
constexpr const char* kBm25 = "bm25(kb_chunks_fts, 2.0, 1.0)";
constexpr int kSnippetTokens = 24;

int KindCode(std::string_view kind) {
  int code = 0;
  for (const char* known : kKnownKinds) {
    if (kind == known) return code;
    ++code;
  }
  return -1;
}

std::string FloatsToBytes(const float* data, size_t count) {
  return std::string(reinterpret_cast<const char*>(data), count * sizeof(float));
}

std::string ChunkText(const std::string& title, const std::string& body) {
  return title.empty() ? body : title + "\n" + body;
}

std::string Placeholders(size_t count) {
  std::string out;
  for (size_t item_idx = 0; item_idx < count; ++item_idx) out += item_idx ? ",?" : "?";
  return out;
}

struct ChunkMeta {
  int kind = -1;  // -1: no such chunk
  int64_t doc_id = 0;
  std::vector<VersionRange> ranges;
};

struct CompiledFilter {
  std::vector<bool> kinds;  // by kind code; empty = all
  std::optional<int64_t> version;
  bool active() const { return !kinds.empty() || version.has_value(); }
};

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

struct Candidate {
  int64_t chunk_id = 0;
  double score = 0.0;
  int fulltext_rank = 0;
  int vector_rank = 0;
  double bm25 = 0.0;
  double cosine = 0.0;
};

struct PendingChunk {
  size_t document_idx = 0;
  int ordinal = 0;
  Chunk chunk;
  std::string hash;
};

}  // namespace

IngestStats& IngestStats::operator+=(const IngestStats& other) {
  documents_seen += other.documents_seen;
  documents_added += other.documents_added;
  documents_updated += other.documents_updated;
  documents_unchanged += other.documents_unchanged;
  documents_removed += other.documents_removed;
  chunks_added += other.chunks_added;
  chunks_removed += other.chunks_removed;
  chunks_deduplicated += other.chunks_deduplicated;
  chunks_embedded += other.chunks_embedded;
  refitted = refitted || other.refitted;
  seconds += other.seconds;
  return *this;
}

class KnowledgeLake::Impl {
 public:
  Impl(LakeOptions options, std::unique_ptr<Embedder> embedder, const Clock& clock)
      : options_(std::move(options)), embedder_(std::move(embedder)), clock_(clock) {}

  Status Open();
  Result<std::vector<SearchHit>> Search(const SearchRequest& request);
  Result<IngestStats> Ingest(std::vector<Document> documents, const IngestOptions& options,
                             const std::vector<std::string>& sync_prefixes);
  Result<int64_t> Remove(const std::string& source);
  Result<LakeStats> Stats();

  const Embedder& embedder() const { return *embedder_; }
  FusionSettings fusion() const {
    return options_.fusion ? *options_.fusion : embedder_->DefaultFusion();
  }

 private:
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
  Status RefreshIfStale();
  Status LoadModel();
  Status LoadMeta(std::vector<ChunkMeta>* meta);
  Result<std::unique_ptr<VectorIndex>> BuildIndexFromStore(const std::string& embedder_id,
                                                           int dims);
  // Embeds chunks without a vector; refits a corpus-fitted embedder when needed (re-embedding
  // everything). Caller holds write_mutex_.
  Result<int64_t> EnsureVectors(IngestStats* stats);
  Status SaveIndex();
  bool NeedsRefit(int64_t chunk_count) const;

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
  Status RemoveDocuments(const std::vector<int64_t>& doc_ids, std::vector<int64_t>* removed_chunks);

  LakeOptions options_;
  std::unique_ptr<Embedder> embedder_;
  const Clock& clock_;
  std::unique_ptr<store::Database> writer_;
  std::vector<std::unique_ptr<store::Database>> readers_;
  std::atomic<size_t> next_reader_{0};
  std::unique_ptr<internal::FtsTokenizer> tokenizer_;

  std::mutex write_mutex_;                 // one writer at a time in this process
  mutable std::shared_mutex state_mutex_;  // guards everything below
  std::unique_ptr<VectorIndex> index_;
  std::vector<ChunkMeta> meta_;  // by chunk id
  int64_t chunk_count_ = 0;
  std::string vectors_embedder_;  // embedder id of the stored vectors
  std::atomic<int64_t> loaded_generation_{-1};

  std::mutex df_mutex_;
  std::shared_ptr<const std::unordered_map<std::string, int64_t>> df_;
  int64_t df_generation_ = -1;
};

// ---- opening and state ----------------------------------------------------------------

Status KnowledgeLake::Impl::Open() {
  if (options_.db_path.empty()) return InvalidArgument("knowledge.db", "must not be empty");
  if (options_.index_path.empty()) {
    return InvalidArgument("knowledge.index_path", "must not be empty");
  }
  if (options_.reader_connections < 1) options_.reader_connections = 1;
  RH_ASSIGN_OR_RETURN(writer_, store::OpenDatabase(options_.db_path));
  if (writer_->dialect() != store::Dialect::kSqlite) {
    return InvalidArgument("knowledge.db", "must be a SQLite file (the lake uses FTS5)");
  }
  RH_RETURN_IF_ERROR(internal::MigrateLake(*writer_));
  for (int reader_idx = 0; reader_idx < options_.reader_connections; ++reader_idx) {
    store::OpenOptions reader_options;
    reader_options.create_if_missing = false;
    RH_ASSIGN_OR_RETURN(auto reader, store::OpenDatabase(options_.db_path, reader_options));
    readers_.push_back(std::move(reader));
  }
  RH_ASSIGN_OR_RETURN(tokenizer_, internal::FtsTokenizer::Create());
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  RH_RETURN_IF_ERROR(SyncState());
  IngestStats ignored;
  RH_RETURN_IF_ERROR(EnsureVectors(&ignored));
  return {};
}

Result<int64_t> KnowledgeLake::Impl::StoredGeneration(store::Database& db) {
  RH_ASSIGN_OR_RETURN(std::string value, MetaValue(db, "generation"));
  return std::strtoll(value.c_str(), nullptr, 10);
}

Result<std::string> KnowledgeLake::Impl::MetaValue(store::Database& db, const std::string& key) {
  RH_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT value FROM kb_meta WHERE key = ?", {Text(key)}));
  if (rows.empty()) return std::string();
  return rows.front().GetString(0);
}

Status KnowledgeLake::Impl::SetMeta(const std::string& key, const std::string& value) {
  RH_RETURN_IF_ERROR(writer_->Execute(
      "INSERT INTO kb_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
      "value = excluded.value",
      {Text(key), Text(value)}));
  return {};
}

Result<int64_t> KnowledgeLake::Impl::BumpGeneration() {
  RH_RETURN_IF_ERROR(writer_->Execute(
      "UPDATE kb_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = "
      "'generation'"));
  return StoredGeneration(*writer_);
}

Status KnowledgeLake::Impl::LoadModel() {
  if (!embedder_->corpus_fitted()) return {};
  RH_ASSIGN_OR_RETURN(auto rows,
                      writer_->Query("SELECT model FROM kb_models WHERE name = 'builtin'"));
  if (rows.empty()) return {};
  std::string blob = rows.front().GetString(0);
  Status loaded = embedder_->LoadModel(blob);
  if (!loaded) {
    Logger("knowledge")->warn("{}; refitting", loaded.error().ToString());
  }
  return {};
}

Status KnowledgeLake::Impl::LoadMeta(std::vector<ChunkMeta>* meta) {
  RH_ASSIGN_OR_RETURN(auto chunks, writer_->Query("SELECT id, kind, doc_id FROM kb_chunks"));
  RH_ASSIGN_OR_RETURN(auto ranges,
                      writer_->Query("SELECT chunk_id, low, high FROM kb_chunk_versions"));
  int64_t max_id = 0;
  for (const store::Row& row : chunks) max_id = std::max(max_id, row.GetInt(0));
  meta->assign(static_cast<size_t>(max_id) + 1, ChunkMeta{});
  for (const store::Row& row : chunks) {
    ChunkMeta& entry = (*meta)[row.GetInt(0)];
    entry.kind = KindCode(row.GetString(1));
    if (entry.kind < 0) entry.kind = KindCode("doc");
    entry.doc_id = row.GetInt(2);
  }
  for (const store::Row& row : ranges) {
    int64_t chunk_id = row.GetInt(0);
    if (chunk_id >= 0 && chunk_id < static_cast<int64_t>(meta->size())) {
      (*meta)[chunk_id].ranges.push_back(VersionRange{row.GetInt(1), row.GetInt(2)});
    }
  }
  return {};
}

Result<std::unique_ptr<VectorIndex>> KnowledgeLake::Impl::BuildIndexFromStore(
    const std::string& embedder_id, int dims) {
  auto index = std::make_unique<VectorIndex>(std::max(dims, 1), options_.approximate_above,
                                             options_.ivf_nprobe);
  if (dims <= 0) return index;
  RH_ASSIGN_OR_RETURN(auto rows, writer_->Query("SELECT chunk_id, vector FROM kb_vectors WHERE "
                                                "embedder = ? ORDER BY chunk_id",
                                                {Text(embedder_id)}));
  std::vector<int64_t> ids;
  std::vector<float> vectors;
  ids.reserve(rows.size());
  vectors.reserve(rows.size() * dims);
  const size_t bytes = static_cast<size_t>(dims) * sizeof(float);
  for (const store::Row& row : rows) {
    const store::Value& cell = row.Get(1);
    const std::string* blob = std::get_if<std::string>(&cell);
    if (blob == nullptr || blob->size() != bytes) continue;  // re-embedded by EnsureVectors
    ids.push_back(row.GetInt(0));
    size_t offset = vectors.size();
    vectors.resize(offset + dims);
    std::memcpy(vectors.data() + offset, blob->data(), bytes);
  }
  RH_RETURN_IF_ERROR(index->Add(ids, vectors));
  return index;
}

Status KnowledgeLake::Impl::SyncState() {
  RH_ASSIGN_OR_RETURN(int64_t generation, StoredGeneration(*writer_));
  RH_RETURN_IF_ERROR(LoadModel());
  RH_ASSIGN_OR_RETURN(std::string stored_embedder, MetaValue(*writer_, "embedder"));
  RH_ASSIGN_OR_RETURN(std::string dims_text, MetaValue(*writer_, "dims"));
  int dims = std::atoi(dims_text.c_str());
  std::vector<ChunkMeta> meta;
  RH_RETURN_IF_ERROR(LoadMeta(&meta));
  int64_t chunk_count = 0;
  for (const ChunkMeta& entry : meta) chunk_count += entry.kind >= 0 ? 1 : 0;

  std::unique_ptr<VectorIndex> index;
  internal::IndexFileHeader header{generation, stored_embedder, dims};
  bool rebuilt = false;
  if (dims > 0) {
    auto loaded = VectorIndex::Load(options_.index_path, header, options_.approximate_above,
                                    options_.ivf_nprobe);
    if (loaded) {
      index = std::move(*loaded);
    } else {
      if (loaded.error().code != ErrorCode::kNotFound || chunk_count > 0) {
        Logger("knowledge")
            ->info("rebuilding the vector index from {}: {}", options_.db_path,
                   loaded.error().message);
      }
      RH_ASSIGN_OR_RETURN(index, BuildIndexFromStore(stored_embedder, dims));
      rebuilt = true;
    }
  } else {
    index = std::make_unique<VectorIndex>(1, options_.approximate_above, options_.ivf_nprobe);
  }
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    index_ = std::move(index);
    meta_ = std::move(meta);
    chunk_count_ = chunk_count;
    vectors_embedder_ = stored_embedder;
    loaded_generation_.store(generation);
  }
  if (rebuilt) RH_RETURN_IF_ERROR(SaveIndex());
  return {};
}

Status KnowledgeLake::Impl::RefreshIfStale() {
  RH_ASSIGN_OR_RETURN(int64_t generation, StoredGeneration(Reader()));
  if (generation == loaded_generation_.load()) return {};
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  RH_ASSIGN_OR_RETURN(int64_t current, StoredGeneration(*writer_));
  if (current == loaded_generation_.load()) return {};
  return SyncState();
}

Status KnowledgeLake::Impl::SaveIndex() {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  if (index_->live() == 0 && !std::filesystem::exists(options_.index_path)) return {};
  internal::IndexFileHeader header{loaded_generation_.load(), vectors_embedder_, index_->dims()};
  Status saved = index_->Save(options_.index_path, header);
  if (!saved) {
    // The index is a cache: the lake stays correct and rebuilds it on the next open.
    Logger("knowledge")->warn("could not save the vector index: {}", saved.error().ToString());
  }
  return {};
}

bool KnowledgeLake::Impl::NeedsRefit(int64_t chunk_count) const {
  if (!embedder_->corpus_fitted()) return false;
  if (!embedder_->has_model()) return chunk_count > 0;
  const int64_t fitted = static_cast<int64_t>(embedder_->fitted_corpus_size());
  return chunk_count >= 2 * fitted + 16 || chunk_count * 2 + 16 <= fitted;
}

Result<int64_t> KnowledgeLake::Impl::EnsureVectors(IngestStats* stats) {
  RH_ASSIGN_OR_RETURN(int64_t chunk_count, writer_->QueryInt("SELECT count(*) FROM kb_chunks"));
  if (chunk_count == 0) return 0;
  bool refit = NeedsRefit(chunk_count);
  if (refit) {
    RH_ASSIGN_OR_RETURN(auto rows, writer_->Query("SELECT title, body FROM kb_chunks ORDER BY id"));
    std::vector<std::string> corpus;
    corpus.reserve(rows.size());
    for (const store::Row& row : rows)
      corpus.push_back(ChunkText(row.GetString(0), row.GetString(1)));
    std::unique_lock<std::shared_mutex> lock(state_mutex_);  // searches wait for the new model
    RH_RETURN_IF_ERROR(embedder_->Fit(corpus));
    stats->refitted = true;
  }
  // Learn an HTTP embedder's dimension before comparing ids.
  if (embedder_->dims() == 0 && chunk_count > 0) {
    RH_RETURN_IF_ERROR(embedder_->Embed({"dimension probe"}, EmbedPurpose::kQuery));
  }
  const std::string embedder_id = embedder_->id();
  const bool switched = vectors_embedder_ != embedder_id;
  std::string missing_sql =
      switched ? "SELECT id, title, body FROM kb_chunks ORDER BY id"
               : "SELECT c.id, c.title, c.body FROM kb_chunks c LEFT JOIN kb_vectors v ON "
                 "v.chunk_id = c.id AND v.embedder = ? WHERE v.chunk_id IS NULL ORDER BY c.id";
  std::vector<Value> params;
  if (!switched) params.push_back(Text(embedder_id));
  RH_ASSIGN_OR_RETURN(auto missing, writer_->Query(missing_sql, params));
  // A refit that reproduced the stored vectors' model (an unreadable stored model, refitted on
  // the same corpus) embeds nothing but must still store the model, or every open refits.
  if (missing.empty() && !switched && !refit) return 0;
  if (switched && !vectors_embedder_.empty()) {
    Logger("knowledge")
        ->info(
            "re-embedding {} chunks: vectors were made by '{}', the embedder is "
            "now '{}'",
            missing.size(), vectors_embedder_, embedder_id);
  }
  // Embed outside any transaction (an HTTP service may be slow), then write at once.
  std::vector<int64_t> ids;
  std::vector<float> vectors;
  ids.reserve(missing.size());
  int dims = embedder_->dims();
  for (size_t start = 0; start < missing.size(); start += kEmbedBatch) {
    std::vector<std::string> texts;
    for (size_t row_idx = start; row_idx < std::min(missing.size(), start + kEmbedBatch);
         ++row_idx) {
      ids.push_back(missing[row_idx].GetInt(0));
      texts.push_back(ChunkText(missing[row_idx].GetString(1), missing[row_idx].GetString(2)));
    }
    RH_ASSIGN_OR_RETURN(std::vector<Vector> embedded,
                        embedder_->Embed(texts, EmbedPurpose::kDocument));
    dims = embedder_->dims();
    for (const Vector& vector : embedded) {
      if (static_cast<int>(vector.size()) != dims) {
        return Internal("knowledge embedder", "returned a vector of the wrong dimension");
      }
      vectors.insert(vectors.end(), vector.begin(), vector.end());
    }
  }
  int64_t generation = 0;
  RH_RETURN_IF_ERROR(writer_->Transaction([&]() -> Status {
    if (switched) RH_RETURN_IF_ERROR(writer_->Execute("DELETE FROM kb_vectors"));
    for (size_t item_idx = 0; item_idx < ids.size(); ++item_idx) {
      RH_RETURN_IF_ERROR(writer_->Execute(
          "INSERT OR REPLACE INTO kb_vectors(chunk_id, embedder, vector) VALUES (?, ?, "
          "CAST(? AS BLOB))",
          {Int(ids[item_idx]), Text(embedder_id),
           Text(FloatsToBytes(vectors.data() + item_idx * dims, dims))}));
    }
    if (embedder_->corpus_fitted() && embedder_->has_model() && (refit || switched)) {
      RH_RETURN_IF_ERROR(writer_->Execute(
          "INSERT OR REPLACE INTO kb_models(name, model) VALUES ('builtin', CAST(? AS BLOB))",
          {Text(embedder_->SaveModel())}));
    }
    RH_RETURN_IF_ERROR(SetMeta("embedder", embedder_id));
    RH_RETURN_IF_ERROR(SetMeta("dims", std::to_string(dims)));
    RH_ASSIGN_OR_RETURN(generation, BumpGeneration());
    return {};
  }));
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    if (switched || index_->dims() != dims) {
      index_ = std::make_unique<VectorIndex>(dims, options_.approximate_above, options_.ivf_nprobe);
    }
    RH_RETURN_IF_ERROR(index_->Add(ids, vectors));
    if (index_->NeedsCompaction()) RH_RETURN_IF_ERROR(index_->Compact());
    vectors_embedder_ = embedder_id;
    loaded_generation_.store(generation);
  }
  stats->chunks_embedded += static_cast<int64_t>(ids.size());
  RH_RETURN_IF_ERROR(SaveIndex());
  return static_cast<int64_t>(ids.size());
}

// ---- writing ----------------------------------------------------------------------------

Status KnowledgeLake::Impl::RemoveDocuments(const std::vector<int64_t>& doc_ids,
                                            std::vector<int64_t>* removed_chunks) {
  for (int64_t doc_id : doc_ids) {
    RH_ASSIGN_OR_RETURN(
        auto refs,
        writer_->Query("SELECT chunk_id FROM kb_chunk_refs WHERE doc_id = ?", {Int(doc_id)}));
    RH_RETURN_IF_ERROR(
        writer_->Execute("DELETE FROM kb_chunk_refs WHERE doc_id = ?", {Int(doc_id)}));
    for (const store::Row& ref : refs) {
      int64_t chunk_id = ref.GetInt(0);
      RH_ASSIGN_OR_RETURN(int64_t deleted,
                          writer_->Execute("DELETE FROM kb_chunks WHERE id = ? AND NOT EXISTS "
                                           "(SELECT 1 FROM kb_chunk_refs WHERE chunk_id = ?)",
                                           {Int(chunk_id), Int(chunk_id)}));
      if (deleted > 0) removed_chunks->push_back(chunk_id);
    }
    RH_RETURN_IF_ERROR(writer_->Execute("DELETE FROM kb_documents WHERE id = ?", {Int(doc_id)}));
  }
  return {};
}

Result<IngestStats> KnowledgeLake::Impl::Ingest(std::vector<Document> documents,
                                                const IngestOptions& options,
                                                const std::vector<std::string>& sync_prefixes) {
  const auto started = std::chrono::steady_clock::now();
  IngestStats stats;
  // 1. Validate everything before writing anything.
  std::vector<std::vector<VersionRange>> ranges(documents.size());
  for (size_t doc_idx = 0; doc_idx < documents.size(); ++doc_idx) {
    Document& document = documents[doc_idx];
    if (!options.kind.empty()) document.kind = options.kind;
    if (!options.version.empty()) document.version = options.version;
    if (document.key.empty()) return InvalidArgument("document", "has no key");
    if (document.source.empty()) document.source = document.key;
    if (!IsKnownKind(document.kind)) {
      return InvalidArgument(document.key, "unknown kind '" + document.kind +
                                               "'; use oncall_log, known_bug, guideline, "
                                               "resolution or doc");
    }
    auto parsed = VersionRanges(document.kind, document.version);
    if (!parsed) return Fail(parsed.error().WithContext(document.key));
    ranges[doc_idx] = std::move(*parsed);
  }
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  {
    RH_ASSIGN_OR_RETURN(int64_t current, StoredGeneration(*writer_));
    if (current != loaded_generation_.load()) RH_RETURN_IF_ERROR(SyncState());
  }
  // 2. What changed.
  RH_ASSIGN_OR_RETURN(auto existing_rows,
                      writer_->Query("SELECT id, doc_key, content_hash FROM kb_documents"));
  std::unordered_map<std::string, std::pair<int64_t, std::string>> existing;
  for (const store::Row& row : existing_rows) {
    existing.emplace(row.GetString(1), std::make_pair(row.GetInt(0), row.GetString(2)));
  }
  std::unordered_map<std::string, size_t> last_of_key;
  for (size_t doc_idx = 0; doc_idx < documents.size(); ++doc_idx)
    last_of_key[documents[doc_idx].key] = doc_idx;
  std::vector<size_t> to_write;
  std::vector<int64_t> to_remove;
  std::vector<std::string> hashes(documents.size());
  std::unordered_set<std::string> batch_keys;
  for (size_t doc_idx = 0; doc_idx < documents.size(); ++doc_idx) {
    const Document& document = documents[doc_idx];
    if (last_of_key[document.key] != doc_idx) continue;  // a later duplicate wins
    ++stats.documents_seen;
    batch_keys.insert(document.key);
    hashes[doc_idx] = DocumentHash(document);
    auto found = existing.find(document.key);
    if (found != existing.end() && found->second.second == hashes[doc_idx]) {
      ++stats.documents_unchanged;
      continue;
    }
    if (found != existing.end()) {
      to_remove.push_back(found->second.first);
      ++stats.documents_updated;
    } else {
      ++stats.documents_added;
    }
    to_write.push_back(doc_idx);
  }
  for (const auto& [key, entry] : existing) {
    if (batch_keys.count(key)) continue;
    for (const std::string& prefix : sync_prefixes) {
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
        to_remove.push_back(entry.first);
        ++stats.documents_removed;
        break;
      }
    }
  }
  // 3. Chunks of the documents to write.
  std::vector<PendingChunk> pending;
  for (size_t doc_idx : to_write) {
    const Document& document = documents[doc_idx];
    int ordinal = 0;
    for (Chunk& chunk : ChunkDocument(document)) {
      std::string hash = Sha256Hex(document.kind + '\x1f' + document.version + '\x1f' +
                                   chunk.title + '\x1f' + chunk.body);
      pending.push_back(PendingChunk{doc_idx, ordinal++, std::move(chunk), std::move(hash)});
    }
  }
  if (to_write.empty() && to_remove.empty()) {
    if (options.progress) options.progress(documents.size(), documents.size());
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return stats;
  }
  // 4. Embed up front when no refit will follow (HTTP failures then change nothing).
  RH_ASSIGN_OR_RETURN(int64_t chunk_count_before,
                      writer_->QueryInt("SELECT count(*) FROM kb_chunks"));
  const bool refit_expected = NeedsRefit(chunk_count_before + static_cast<int64_t>(pending.size()));
  std::vector<float> pending_vectors;
  int dims = 0;
  const bool embed_now = !pending.empty() && !refit_expected &&
                         (!embedder_->corpus_fitted() || embedder_->has_model()) &&
                         (vectors_embedder_.empty() || vectors_embedder_ == embedder_->id());
  if (embed_now) {
    for (size_t start = 0; start < pending.size(); start += kEmbedBatch) {
      std::vector<std::string> texts;
      for (size_t chunk_idx = start; chunk_idx < std::min(pending.size(), start + kEmbedBatch);
           ++chunk_idx) {
        texts.push_back(ChunkText(pending[chunk_idx].chunk.title, pending[chunk_idx].chunk.body));
      }
      RH_ASSIGN_OR_RETURN(std::vector<Vector> embedded,
                          embedder_->Embed(texts, EmbedPurpose::kDocument));
      for (const Vector& vector : embedded)
        pending_vectors.insert(pending_vectors.end(), vector.begin(), vector.end());
    }
    dims = embedder_->dims();
    if (pending_vectors.size() != pending.size() * static_cast<size_t>(dims)) {
      return Internal("knowledge embedder", "returned vectors of the wrong dimension");
    }
  }
  const std::string embedder_id = embedder_->id();

  // 5. One transaction for every row.
  std::vector<int64_t> removed_chunks;
  std::vector<std::pair<int64_t, ChunkMeta>> added_meta;
  std::vector<int64_t> added_vector_ids;
  std::vector<float> added_vectors;
  int64_t generation = 0;
  const std::string now = FormatSqlTime(clock_.Now());
  RH_RETURN_IF_ERROR(writer_->Transaction([&]() -> Status {
    removed_chunks.clear();
    added_meta.clear();
    added_vector_ids.clear();
    added_vectors.clear();
    RH_RETURN_IF_ERROR(RemoveDocuments(to_remove, &removed_chunks));
    RH_ASSIGN_OR_RETURN(std::string next_text, MetaValue(*writer_, "next_chunk_id"));
    int64_t next_chunk_id = std::max<int64_t>(1, std::strtoll(next_text.c_str(), nullptr, 10));
    std::unordered_map<size_t, int64_t> doc_ids;
    std::unordered_map<size_t, int64_t> chunk_counts;
    for (const PendingChunk& item : pending) ++chunk_counts[item.document_idx];
    size_t written_docs = 0;
    for (size_t doc_idx : to_write) {
      const Document& document = documents[doc_idx];
      RH_RETURN_IF_ERROR(writer_->Execute(
          "INSERT INTO kb_documents(doc_key, source, kind, version, title, content_hash, "
          "chunk_count, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {Text(document.key), Text(document.source), Text(document.kind), Text(document.version),
           Text(document.title), Text(hashes[doc_idx]), Int(chunk_counts[doc_idx]), Text(now)}));
      RH_ASSIGN_OR_RETURN(
          int64_t doc_id,
          writer_->QueryInt("SELECT id FROM kb_documents WHERE doc_key = ?", {Text(document.key)}));
      doc_ids[doc_idx] = doc_id;
    }
    std::unordered_map<std::string, int64_t> batch_hashes;
    for (size_t chunk_idx = 0; chunk_idx < pending.size(); ++chunk_idx) {
      const PendingChunk& item = pending[chunk_idx];
      const Document& document = documents[item.document_idx];
      const int64_t doc_id = doc_ids[item.document_idx];
      int64_t chunk_id = 0;
      auto in_batch = batch_hashes.find(item.hash);
      if (in_batch != batch_hashes.end()) {
        chunk_id = in_batch->second;
      } else {
        RH_ASSIGN_OR_RETURN(
            auto same, writer_->Query("SELECT id FROM kb_chunks WHERE content_hash = ? LIMIT 1",
                                      {Text(item.hash)}));
        if (!same.empty()) chunk_id = same.front().GetInt(0);
      }
      if (chunk_id != 0) {
        ++stats.chunks_deduplicated;
        RH_RETURN_IF_ERROR(
            writer_->Execute("INSERT OR IGNORE INTO kb_chunk_refs(doc_id, chunk_id) VALUES (?, ?)",
                             {Int(doc_id), Int(chunk_id)}));
        continue;
      }
      chunk_id = next_chunk_id++;
      batch_hashes.emplace(item.hash, chunk_id);
      const std::vector<VersionRange>& doc_ranges = ranges[item.document_idx];
      RH_RETURN_IF_ERROR(writer_->Execute(
          "INSERT INTO kb_chunks(id, doc_id, ordinal, kind, version, has_versions, source, "
          "title, body, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {Int(chunk_id), Int(doc_id), Int(item.ordinal), Text(document.kind),
           Text(document.version), Int(doc_ranges.empty() ? 0 : 1), Text(document.source),
           Text(item.chunk.title), Text(item.chunk.body), Text(item.hash)}));
      RH_RETURN_IF_ERROR(
          writer_->Execute("INSERT INTO kb_chunk_refs(doc_id, chunk_id) VALUES (?, ?)",
                           {Int(doc_id), Int(chunk_id)}));
      for (const VersionRange& range : doc_ranges) {
        RH_RETURN_IF_ERROR(
            writer_->Execute("INSERT INTO kb_chunk_versions(chunk_id, low, high) VALUES (?, ?, ?)",
                             {Int(chunk_id), Int(range.low), Int(range.high)}));
      }
      if (embed_now) {
        const float* vector = pending_vectors.data() + chunk_idx * dims;
        RH_RETURN_IF_ERROR(writer_->Execute(
            "INSERT INTO kb_vectors(chunk_id, embedder, vector) VALUES (?, ?, CAST(? AS BLOB))",
            {Int(chunk_id), Text(embedder_id), Text(FloatsToBytes(vector, dims))}));
        added_vector_ids.push_back(chunk_id);
        added_vectors.insert(added_vectors.end(), vector, vector + dims);
        ++stats.chunks_embedded;
      }
      ChunkMeta meta;
      meta.kind = KindCode(document.kind);
      meta.doc_id = doc_id;
      meta.ranges = doc_ranges;
      added_meta.emplace_back(chunk_id, std::move(meta));
      ++stats.chunks_added;
      if (options.progress && ++written_docs % 512 == 0) {
        options.progress(item.document_idx, documents.size());
      }
    }
    RH_RETURN_IF_ERROR(SetMeta("next_chunk_id", std::to_string(next_chunk_id)));
    if (embed_now && vectors_embedder_.empty()) {
      RH_RETURN_IF_ERROR(SetMeta("embedder", embedder_id));
      RH_RETURN_IF_ERROR(SetMeta("dims", std::to_string(dims)));
    }
    RH_ASSIGN_OR_RETURN(generation, BumpGeneration());
    return {};
  }));
  stats.chunks_removed = static_cast<int64_t>(removed_chunks.size());
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    for (int64_t chunk_id : removed_chunks) {
      if (chunk_id < static_cast<int64_t>(meta_.size()) && meta_[chunk_id].kind >= 0) {
        meta_[chunk_id] = ChunkMeta{};
        --chunk_count_;
      }
    }
    for (auto& [chunk_id, meta] : added_meta) {
      if (chunk_id >= static_cast<int64_t>(meta_.size())) meta_.resize(chunk_id + 1);
      meta_[chunk_id] = std::move(meta);
      ++chunk_count_;
    }
    index_->Remove(removed_chunks);
    if (embed_now) {
      if (vectors_embedder_.empty()) {
        index_ =
            std::make_unique<VectorIndex>(dims, options_.approximate_above, options_.ivf_nprobe);
        vectors_embedder_ = embedder_id;
      }
      RH_RETURN_IF_ERROR(index_->Add(added_vector_ids, added_vectors));
    }
    if (index_->NeedsCompaction()) RH_RETURN_IF_ERROR(index_->Compact());
    loaded_generation_.store(generation);
  }
  // 6. Vectors for whatever was not embedded above (a refit re-embeds everything).
  RH_RETURN_IF_ERROR(EnsureVectors(&stats));
  RH_RETURN_IF_ERROR(SaveIndex());
  if (options.progress) options.progress(documents.size(), documents.size());
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Logger("knowledge")
      ->info(
          "ingest: {} documents seen, {} added, {} updated, {} unchanged, {} removed; {} chunks "
          "added, {} removed, {} deduplicated, {} embedded{} in {:.2f} s",
          stats.documents_seen, stats.documents_added, stats.documents_updated,
          stats.documents_unchanged, stats.documents_removed, stats.chunks_added,
          stats.chunks_removed, stats.chunks_deduplicated, stats.chunks_embedded,
          stats.refitted ? " (embedder refitted)" : "", stats.seconds);
  return stats;
}

Result<int64_t> KnowledgeLake::Impl::Remove(const std::string& source) {
  if (internal::Trim(source).empty()) return InvalidArgument("--source", "must not be empty");
  std::string prefix = source;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  {
    RH_ASSIGN_OR_RETURN(int64_t current, StoredGeneration(*writer_));
    if (current != loaded_generation_.load()) RH_RETURN_IF_ERROR(SyncState());
  }
  RH_ASSIGN_OR_RETURN(
      auto rows,
      writer_->Query("SELECT id FROM kb_documents WHERE doc_key = ? OR source = ? OR "
                     "substr(doc_key, 1, length(?) + 1) IN (? || '#', ? || '/')",
                     {Text(prefix), Text(source), Text(prefix), Text(prefix), Text(prefix)}));
  if (rows.empty()) return 0;
  std::vector<int64_t> doc_ids;
  for (const store::Row& row : rows) doc_ids.push_back(row.GetInt(0));
  std::vector<int64_t> removed_chunks;
  int64_t generation = 0;
  RH_RETURN_IF_ERROR(writer_->Transaction([&]() -> Status {
    removed_chunks.clear();
    RH_RETURN_IF_ERROR(RemoveDocuments(doc_ids, &removed_chunks));
    RH_ASSIGN_OR_RETURN(generation, BumpGeneration());
    return {};
  }));
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    for (int64_t chunk_id : removed_chunks) {
      if (chunk_id < static_cast<int64_t>(meta_.size()) && meta_[chunk_id].kind >= 0) {
        meta_[chunk_id] = ChunkMeta{};
        --chunk_count_;
      }
    }
    index_->Remove(removed_chunks);
    if (index_->NeedsCompaction()) RH_RETURN_IF_ERROR(index_->Compact());
    loaded_generation_.store(generation);
  }
  IngestStats ignored;
  RH_RETURN_IF_ERROR(EnsureVectors(&ignored));  // a big removal may call for a refit
  RH_RETURN_IF_ERROR(SaveIndex());
  Logger("knowledge")
      ->info("removed {} documents ({} chunks) matching source '{}'", doc_ids.size(),
             removed_chunks.size(), source);
  return static_cast<int64_t>(removed_chunks.size());
}

// ---- searching --------------------------------------------------------------------------

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
  RH_RETURN_IF_ERROR(RefreshIfStale());
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

Result<LakeStats> KnowledgeLake::Impl::Stats() {
  RH_RETURN_IF_ERROR(RefreshIfStale());
  LakeStats stats;
  store::Database& reader = Reader();
  RH_ASSIGN_OR_RETURN(stats.documents, reader.QueryInt("SELECT count(*) FROM kb_documents"));
  RH_ASSIGN_OR_RETURN(stats.chunks, reader.QueryInt("SELECT count(*) FROM kb_chunks"));
  RH_ASSIGN_OR_RETURN(stats.vectors, reader.QueryInt("SELECT count(*) FROM kb_vectors"));
  RH_ASSIGN_OR_RETURN(auto kinds,
                      reader.Query("SELECT kind, count(*) FROM kb_chunks GROUP BY kind"));
  for (const store::Row& row : kinds) stats.chunks_by_kind[row.GetString(0)] = row.GetInt(1);
  RH_ASSIGN_OR_RETURN(auto sources,
                      reader.Query("SELECT source, count(*) AS n FROM kb_chunks GROUP "
                                   "BY source ORDER BY n DESC, source LIMIT 20"));
  for (const store::Row& row : sources) stats.sources.emplace_back(row.GetString(0), row.GetInt(1));
  {
    std::shared_lock<std::shared_mutex> lock(state_mutex_);
    stats.embedder = vectors_embedder_;
    stats.dims = vectors_embedder_.empty() ? 0 : index_->dims();
    stats.index_type = index_->type();
  }
  stats.generation = loaded_generation_.load();
  stats.db_path = options_.db_path;
  stats.index_path = options_.index_path;
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    auto size = std::filesystem::file_size(options_.db_path + suffix, ec);
    if (!ec) stats.db_bytes += static_cast<int64_t>(size);
  }
  auto index_size = std::filesystem::file_size(options_.index_path, ec);
  if (!ec) stats.index_bytes = static_cast<int64_t>(index_size);
  return stats;
}

// ---- KnowledgeLake ----------------------------------------------------------------------

Result<std::unique_ptr<KnowledgeLake>> KnowledgeLake::Open(const LakeOptions& options,
                                                           std::unique_ptr<Embedder> embedder,
                                                           const Clock& clock) {
  if (!embedder) return InvalidArgument("knowledge lake", "needs an embedder");
  auto impl = std::make_unique<Impl>(options, std::move(embedder), clock);
  RH_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<KnowledgeLake>(new KnowledgeLake(std::move(impl)));
}

KnowledgeLake::KnowledgeLake(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeLake::~KnowledgeLake() = default;

Result<std::vector<SearchHit>> KnowledgeLake::Search(const SearchRequest& request) {
  return impl_->Search(request);
}

Result<IngestStats> KnowledgeLake::IngestPaths(const std::vector<std::string>& paths,
                                               const IngestOptions& options) {
  if (paths.empty()) return InvalidArgument("ingest", "give at least one file or directory");
  std::vector<Document> documents;
  std::vector<std::string> sync_prefixes;
  for (const std::string& path : paths) {
    RH_ASSIGN_OR_RETURN(std::vector<Document> loaded,
                        LoadDocuments(path, options.kind, options.version));
    for (Document& document : loaded) {
      // A JSONL file is the unit of its rows: rows gone from it are removed.
      size_t hash = document.key.find('#');
      if (hash != std::string::npos) {
        std::string prefix = document.key.substr(0, hash + 1);
        if (std::find(sync_prefixes.begin(), sync_prefixes.end(), prefix) == sync_prefixes.end()) {
          sync_prefixes.push_back(prefix);
        }
      }
      documents.push_back(std::move(document));
    }
  }
  return impl_->Ingest(std::move(documents), options, sync_prefixes);
}

Result<IngestStats> KnowledgeLake::IngestDocuments(const std::vector<Document>& documents,
                                                   const IngestOptions& options) {
  return impl_->Ingest(documents, options, {});
}

Result<int64_t> KnowledgeLake::RemoveSource(const std::string& source) {
  return impl_->Remove(source);
}

Result<LakeStats> KnowledgeLake::Stats() { return impl_->Stats(); }

const Embedder& KnowledgeLake::embedder() const { return impl_->embedder(); }
FusionSettings KnowledgeLake::fusion() const { return impl_->fusion(); }

}  // namespace rh::knowledge
