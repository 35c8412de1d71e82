// The public face of the Knowledge Lake: each call goes to KnowledgeLake::Impl
// (knowledge/internal/lake_impl.h), implemented in lake_state.cc, lake_ingest.cc and
// lake_search.cc.
#include "knowledge/knowledge_lake.h"

#include "knowledge/internal/lake_impl.h"

namespace rh::knowledge {

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
  return impl_->IngestPaths(paths, options);
}

Result<IngestStats> KnowledgeLake::IngestDocuments(const std::vector<Document>& documents,
                                                   const IngestOptions& options) {
  return impl_->Ingest(documents, options, {});
}

Result<int64_t> KnowledgeLake::RemoveSource(const std::string& source) {
  return impl_->Remove(source);
}

Result<LakeStats> KnowledgeLake::Stats() { return impl_->Stats(); }

Result<bool> KnowledgeLake::Refresh() { return impl_->Refresh(); }

const Embedder& KnowledgeLake::embedder() const { return impl_->embedder(); }
FusionSettings KnowledgeLake::fusion() const { return impl_->fusion(); }

}  // namespace rh::knowledge
