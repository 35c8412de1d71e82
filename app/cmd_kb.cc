// `rockhound kb ...`: the Knowledge Lake from the command line.
//   kb ingest PATH... [--kind K] [--version V]   add/update documents (progress on stderr)
//   kb search "<text>" [--mode hybrid|fulltext|vector] [--kind K]... [--version V] [-k N]
//             [--format text|json]
//   kb stats                                      what the lake holds
//   kb remove --source S                          delete documents by source, file or directory
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "core/json.h"
#include "knowledge/knowledge_lake.h"

namespace rh::app {
namespace {

// A one-line progress bar on stderr, only when stderr is a terminal and the job is long.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)), enabled_(isatty(2) != 0) {}
  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\n");
  }
  void Update(size_t done, size_t total) {
    if (!enabled_ || total < 200) return;
    constexpr int kWidth = 30;
    int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu", label_.c_str(), bar.c_str(), done, total);
    std::fflush(stderr);
    drawn_ = true;
  }

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
};

Json HitJson(const knowledge::SearchHit& hit) {
  return Json{{"chunk_id", hit.chunk_id},
              {"title", hit.title},
              {"source", hit.source},
              {"kind", hit.kind},
              {"version", hit.version},
              {"snippet", hit.snippet},
              {"score", hit.score},
              {"fulltext_rank", hit.fulltext_rank},
              {"vector_rank", hit.vector_rank},
              {"bm25", hit.bm25},
              {"cosine", hit.cosine}};
}

}  // namespace

void RegisterKbCommands(CLI::App& app, Action* chosen) {
  CLI::App* kb = app.add_subcommand(
      "kb", "The Knowledge Lake: past incidents, known bugs by version, guidelines, resolutions");
  kb->require_subcommand(1);

  struct IngestArgs {
    std::vector<std::string> paths;
    std::string kind;
    std::string version;
  };
  auto ingest_args = std::make_shared<IngestArgs>();
  CLI::App* ingest = kb->add_subcommand(
      "ingest",
      "Add or update Markdown, text and JSONL files or directories (unchanged documents "
      "are skipped; rows gone from a JSONL file are removed)");
  ingest->add_option("paths", ingest_args->paths, "Files or directories")->required();
  ingest->add_option("--kind", ingest_args->kind,
                     "oncall_log|known_bug|guideline|resolution|doc (default: from the files)");
  ingest->add_option("--version", ingest_args->version,
                     "StarRocks version or range, e.g. 3.3 or 3.1.0-3.2.2 (known bugs: the "
                     "fixing version)");
  ingest->callback([chosen, ingest_args] {
    *chosen = [ingest_args](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, ctx.runtime().Knowledge());
      ProgressBar bar("ingest");
      knowledge::IngestOptions options;
      options.kind = ingest_args->kind;
      options.version = ingest_args->version;
      options.progress = [&bar](size_t done, size_t total) { bar.Update(done, total); };
      RH_ASSIGN_OR_RETURN(knowledge::IngestStats stats,
                          lake->IngestPaths(ingest_args->paths, options));
      std::printf(
          "documents: %lld seen, %lld added, %lld updated, %lld unchanged, %lld removed\n"
          "chunks: %lld added, %lld removed, %lld duplicates skipped, %lld embedded%s\n"
          "took %.1f s\n",
          static_cast<long long>(stats.documents_seen),
          static_cast<long long>(stats.documents_added),
          static_cast<long long>(stats.documents_updated),
          static_cast<long long>(stats.documents_unchanged),
          static_cast<long long>(stats.documents_removed),
          static_cast<long long>(stats.chunks_added), static_cast<long long>(stats.chunks_removed),
          static_cast<long long>(stats.chunks_deduplicated),
          static_cast<long long>(stats.chunks_embedded),
          stats.refitted ? " (built-in embedder refitted)" : "", stats.seconds);
      return {};
    };
  });

  struct SearchArgs {
    std::string query;
    std::string mode = "hybrid";
    std::vector<std::string> kinds;
    std::string version;
    int k = 5;
    std::string format = "text";
  };
  auto search_args = std::make_shared<SearchArgs>();
  CLI::App* search = kb->add_subcommand("search", "Search the lake");
  search->add_option("query", search_args->query, "What to look for (any text)")->required();
  search->add_option("--mode", search_args->mode, "hybrid (default), fulltext or vector");
  search->add_option("--kind", search_args->kinds, "Only these kinds (repeatable)");
  search->add_option("--version", search_args->version,
                     "Only what applies to this StarRocks version, e.g. 3.3.4 (known bugs: fixed "
                     "later on the same minor line)");
  search->add_option("-k", search_args->k, "Number of results, 1-100 (default 5)");
  AddFormatOption(search, &search_args->format, "text",
                  "the hits with score, kind, source, version and snippet");
  search->callback([chosen, search_args] {
    *chosen = [search_args](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(knowledge::SearchMode mode,
                          knowledge::ParseSearchMode(search_args->mode));
      RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, ctx.runtime().Knowledge());
      knowledge::SearchRequest request;
      request.query = search_args->query;
      request.mode = mode;
      request.filter.kinds = search_args->kinds;
      request.filter.version = search_args->version;
      request.k = search_args->k;
      RH_ASSIGN_OR_RETURN(std::vector<knowledge::SearchHit> hits, lake->Search(request));
      if (search_args->format == "json") {
        Json out = Json::array();
        for (const auto& hit : hits) out.push_back(HitJson(hit));
        std::printf("%s\n", DumpJson(out, 2).c_str());
        return {};
      }
      if (hits.empty()) {
        std::printf("no results (try another wording, --mode fulltext, or fewer filters)\n");
        return {};
      }
      for (size_t hit_idx = 0; hit_idx < hits.size(); ++hit_idx) {
        const auto& hit = hits[hit_idx];
        std::printf("%zu. [%s] %s  (score %.3f)\n", hit_idx + 1, hit.kind.c_str(),
                    hit.title.c_str(), hit.score);
        std::printf("   source: %s%s%s\n", hit.source.c_str(),
                    hit.version.empty() ? "" : "   version: ", hit.version.c_str());
        std::printf("   %s\n\n", hit.snippet.c_str());
      }
      return {};
    };
  });

  CLI::App* stats =
      kb->add_subcommand("stats", "Documents, chunks, kinds, sources, embedder, index");
  auto stats_format = std::make_shared<std::string>();
  AddFormatOption(stats, stats_format.get(), "text",
                  "paths, sizes, embedder, fusion, document and chunk counts");
  stats->callback([chosen, stats_format] {
    *chosen = [stats_format](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, ctx.runtime().Knowledge());
      RH_ASSIGN_OR_RETURN(knowledge::LakeStats lake_stats, lake->Stats());
      if (*stats_format == "json") {
        const auto fusion = lake->fusion();
        Json by_kind = Json::object();
        for (const auto& [kind, count] : lake_stats.chunks_by_kind) by_kind[kind] = count;
        Json sources = Json::array();
        for (const auto& [source, count] : lake_stats.sources) {
          sources.push_back({{"source", source}, {"chunks", count}});
        }
        Json out = {
            {"lake", {{"path", lake_stats.db_path}, {"bytes", lake_stats.db_bytes}}},
            {"index",
             {{"path", lake_stats.index_path},
              {"bytes", lake_stats.index_bytes},
              {"type", lake_stats.index_type}}},
            {"embedder", {{"id", lake_stats.embedder}, {"dimensions", lake_stats.dims}}},
            {"fusion",
             {{"method", fusion.method == knowledge::FusionMethod::kRrf ? "rrf" : "weighted"},
              {"vector_weight", fusion.vector_weight}}},
            {"documents", lake_stats.documents},
            {"chunks", lake_stats.chunks},
            {"vectors", lake_stats.vectors},
            {"chunks_by_kind", std::move(by_kind)},
            {"largest_sources", std::move(sources)}};
        std::printf("%s\n", DumpJson(out, 2).c_str());
        return {};
      }
      std::printf("lake:       %s (%.1f MiB)\n", lake_stats.db_path.c_str(),
                  lake_stats.db_bytes / 1048576.0);
      std::printf("index:      %s (%.1f MiB, %s)\n", lake_stats.index_path.c_str(),
                  lake_stats.index_bytes / 1048576.0, lake_stats.index_type.c_str());
      std::printf("embedder:   %s (%d dimensions)\n",
                  lake_stats.embedder.empty() ? "-" : lake_stats.embedder.c_str(), lake_stats.dims);
      const auto fusion = lake->fusion();
      std::printf("fusion:     %s, vector weight %.2f\n",
                  fusion.method == knowledge::FusionMethod::kRrf ? "rrf (k = 60)" : "weighted",
                  fusion.vector_weight);
      std::printf("documents:  %lld\nchunks:     %lld (%lld with vectors)\n",
                  static_cast<long long>(lake_stats.documents),
                  static_cast<long long>(lake_stats.chunks),
                  static_cast<long long>(lake_stats.vectors));
      for (const auto& [kind, count] : lake_stats.chunks_by_kind) {
        std::printf("  %-12s %lld chunks\n", kind.c_str(), static_cast<long long>(count));
      }
      if (!lake_stats.sources.empty()) std::printf("largest sources:\n");
      for (const auto& [source, count] : lake_stats.sources) {
        std::printf("  %6lld  %s\n", static_cast<long long>(count), source.c_str());
      }
      return {};
    };
  });

  auto remove_source = std::make_shared<std::string>();
  CLI::App* remove = kb->add_subcommand(
      "remove", "Remove documents by source: a document key or source, a file, or a directory");
  remove->add_option("--source", *remove_source, "What to remove (see `kb stats` for sources)")
      ->required();
  remove->callback([chosen, remove_source] {
    *chosen = [remove_source](AppContext& ctx) -> Status {
      RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, ctx.runtime().Knowledge());
      RH_ASSIGN_OR_RETURN(int64_t removed, lake->RemoveSource(*remove_source));
      if (removed == 0) {
        return NotFound(*remove_source, "no document has this source; see `rockhound kb stats`");
      }
      std::printf("removed %lld chunks\n", static_cast<long long>(removed));
      return {};
    };
  });
}

}  // namespace rh::app
