#include <algorithm>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/internal/lake_impl.h"
#include "knowledge/internal/text.h"

namespace rh::knowledge {
namespace {

using internal::KindCode;
using internal::VectorIndex;
using store::Int;
using store::Text;
using store::Value;

constexpr size_t kEmbedBatch = 256;

std::string FloatsToBytes(const float* data, size_t count) {
  return std::string(reinterpret_cast<const char*>(data), count * sizeof(float));
}

std::string ChunkText(const std::string& title, const std::string& body) {
  return title.empty() ? body : title + "\n" + body;
}

struct PendingChunk {
  size_t document_idx = 0;
  int ordinal = 0;
  Chunk chunk;
  std::string hash;
};

}  // namespace

// ---- embedding --------------------------------------------------------------------------

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

Result<IngestStats> KnowledgeLake::Impl::IngestPaths(const std::vector<std::string>& paths,
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
  return Ingest(std::move(documents), options, sync_prefixes);
}

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
  const Stopwatch elapsed;
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
    stats.seconds = elapsed.ElapsedSeconds();
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
  stats.seconds = elapsed.ElapsedSeconds();
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

}  // namespace rh::knowledge
