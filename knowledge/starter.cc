#include "knowledge/starter.h"

#include <algorithm>

namespace rh::knowledge {
namespace embedded {
std::string_view EmbeddedFile(std::string_view name);
const std::vector<std::string_view>& EmbeddedFileNames();
}  // namespace embedded

Result<std::vector<Document>> StarterDocuments() {
  std::vector<std::string_view> names = embedded::EmbeddedFileNames();
  std::sort(names.begin(), names.end());
  std::vector<Document> documents;
  for (std::string_view name : names) {
    std::string_view content = embedded::EmbeddedFile(name);
    Document document;
    document.key = "starter/" + std::string(name);
    FrontMatter front_matter;
    document.text = std::string(SplitFrontMatter(content, &front_matter));
    document.kind = front_matter.kind.empty() ? "doc" : front_matter.kind;
    document.version = front_matter.version;
    document.title = front_matter.title.empty() ? std::string(name) : front_matter.title;
    document.source = front_matter.source.empty() ? document.key : front_matter.source;
    if (!IsKnownKind(document.kind)) {
      return Internal(document.key, "starter file has an unknown kind '" + document.kind + "'");
    }
    auto ranges = VersionRanges(document.kind, document.version);
    if (!ranges) return Fail(ranges.error().WithContext(document.key));
    documents.push_back(std::move(document));
  }
  return documents;
}

Result<IngestStats> IngestStarterKnowledge(KnowledgeLake& lake, const std::string& extra_dir) {
  RH_ASSIGN_OR_RETURN(std::vector<Document> documents, StarterDocuments());
  RH_ASSIGN_OR_RETURN(IngestStats stats, lake.IngestDocuments(documents));
  if (!extra_dir.empty()) {
    RH_ASSIGN_OR_RETURN(IngestStats extra, lake.IngestPaths({extra_dir}));
    stats += extra;
  }
  return stats;
}

}  // namespace rh::knowledge
