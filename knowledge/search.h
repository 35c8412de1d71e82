// KnowledgeSearch: the query side of the Knowledge Lake, as the tools, the MCP server and the
// CLI see it. The lake (knowledge/knowledge_lake.h) implements it; tests may fake it.
//
// Three modes over the same chunks: full-text (SQLite FTS5, BM25), vector (FAISS over the
// configured Embedder) and hybrid (a fusion of both; filters applied before fusion).
// Filters: `kinds` keeps chunks of those kinds (oncall_log, known_bug, guideline, resolution,
// doc); `version` (e.g. "3.3.4") keeps known bugs that affect that version (fixed later on the
// same minor line) plus chunks of other kinds whose version range covers it or that have none.
// Thread-safety: implementations must allow concurrent Search calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::knowledge {

enum class SearchMode { kHybrid, kFulltext, kVector };

inline std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kHybrid:
      return "hybrid";
    case SearchMode::kFulltext:
      return "fulltext";
    case SearchMode::kVector:
      return "vector";
  }
  return "hybrid";
}

inline Result<SearchMode> ParseSearchMode(std::string_view text) {
  if (text == "hybrid") return SearchMode::kHybrid;
  if (text == "fulltext" || text == "full-text" || text == "text") return SearchMode::kFulltext;
  if (text == "vector") return SearchMode::kVector;
  return InvalidArgument("mode",
                         "must be hybrid, fulltext or vector; got '" + std::string(text) + "'");
}

struct SearchFilter {
  std::vector<std::string> kinds;  // empty: every kind
  std::string version;             // empty: no version filter
};

struct SearchRequest {
  std::string query;
  SearchMode mode = SearchMode::kHybrid;
  SearchFilter filter;
  int k = 5;
  // Collapse chunks of the same document to its best chunk before taking the top k.
  bool one_per_document = false;
  // Leave SearchHit::snippet empty (benchmarks, callers that only need ids and titles).
  bool snippets = true;
};

struct SearchHit {
  std::string chunk_id;
  std::string title;    // the heading path, e.g. "Disk full > Free space"
  std::string source;   // file or URL it came from
  std::string kind;     // oncall_log | known_bug | guideline | resolution | doc
  std::string version;  // the version (known bugs: the fixing version) or range; may be empty
  std::string snippet;  // a short extract around the match
  double score = 0.0;   // mode-specific; higher is better
  // Per-leg diagnostics, for tuning fusion from real queries (0 when not in that leg).
  int fulltext_rank = 0;  // 1-based rank in the BM25 leg
  int vector_rank = 0;    // 1-based rank in the vector leg
  double bm25 = 0.0;      // FTS5 bm25 negated (higher is better)
  double cosine = 0.0;    // inner product of unit vectors
};

class KnowledgeSearch {
 public:
  virtual ~KnowledgeSearch() = default;
  // invalid_argument for an empty query or k outside 1..100; never an FTS5 syntax error.
  virtual Result<std::vector<SearchHit>> Search(const SearchRequest& request) = 0;
};

}  // namespace rh::knowledge
