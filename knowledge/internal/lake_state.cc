#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include "core/log.h"
#include "knowledge/internal/lake_impl.h"
#include "knowledge/internal/lake_schema.h"

namespace rh::knowledge {

using internal::KindCode;
using internal::VectorIndex;
using store::Text;

// ---- opening ----------------------------------------------------------------------------

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

Result<std::optional<std::string>> KnowledgeLake::Impl::StoredModel() {
  if (!embedder_->corpus_fitted()) return std::optional<std::string>();
  RH_ASSIGN_OR_RETURN(auto rows,
                      writer_->Query("SELECT model FROM kb_models WHERE name = 'builtin'"));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().GetString(0));
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
  RH_ASSIGN_OR_RETURN(std::optional<std::string> model, StoredModel());
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
    // The model is swapped with the index and the metadata, so no search embeds with one
    // model and looks up vectors of another.
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    if (model) {
      Status loaded = embedder_->LoadModel(*model);
      if (!loaded) {
        Logger("knowledge")->warn("{}; refitting", loaded.error().ToString());
      }
    }
    index_ = std::move(index);
    meta_ = std::move(meta);
    chunk_count_ = chunk_count;
    vectors_embedder_ = stored_embedder;
    loaded_generation_.store(generation);
  }
  if (rebuilt) RH_RETURN_IF_ERROR(SaveIndex());
  return {};
}

Result<bool> KnowledgeLake::Impl::Refresh() {
  RH_ASSIGN_OR_RETURN(int64_t generation, StoredGeneration(Reader()));
  if (generation == loaded_generation_.load()) return false;
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  RH_ASSIGN_OR_RETURN(int64_t current, StoredGeneration(*writer_));
  if (current == loaded_generation_.load()) return false;
  RH_RETURN_IF_ERROR(SyncState());
  return true;
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

// ---- stats ------------------------------------------------------------------------------

Result<LakeStats> KnowledgeLake::Impl::Stats() {
  RH_RETURN_IF_ERROR(Refresh());
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

}  // namespace rh::knowledge
