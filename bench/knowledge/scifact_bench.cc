// Retrieval quality of the Knowledge Lake on BEIR SciFact (5,183 abstracts; 300 test queries,
// 809 train queries): nDCG@10 and recall@100 for full-text, vector and hybrid search, side by
// side, with the built-in embedder. Tune on --split train only; report --split test.
//   rh_kb_scifact_bench [--split test|train] [--dims N] [--exponent X] [--fit-idf X]
//                       [--feedback CHUNKS WEIGHT] [--sweep]
// --sweep also evaluates hybrid under a range of fusion settings (for choosing defaults).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "knowledge/builtin_embedder.h"
#include "knowledge/knowledge_lake.h"

namespace {

using rh::knowledge::FusionMethod;
using rh::knowledge::FusionSettings;
using rh::knowledge::KnowledgeLake;
using rh::knowledge::SearchMode;

struct Quality {
  double ndcg10 = 0.0;
  double recall100 = 0.0;
  double ms_per_query = 0.0;
};

Quality Evaluate(KnowledgeLake& lake, const rh::bench::SciFact& data, SearchMode mode) {
  Quality quality;
  double total_ms = 0.0;
  for (const auto& [query_id, text] : data.queries) {
    rh::knowledge::SearchRequest request;
    request.query = text;
    request.mode = mode;
    request.k = 100;
    request.one_per_document = true;
    request.snippets = false;
    auto started = std::chrono::steady_clock::now();
    auto hits = lake.Search(request);
    total_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (!hits) {
      std::fprintf(stderr, "search failed: %s\n", hits.error().ToString().c_str());
      std::exit(1);
    }
    const std::set<std::string>& relevant = data.qrels.at(query_id);
    double dcg = 0.0;
    int found = 0;
    for (size_t rank = 0; rank < hits->size(); ++rank) {
      bool is_relevant = relevant.count((*hits)[rank].source) > 0;
      if (!is_relevant) continue;
      ++found;
      if (rank < 10) dcg += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
    }
    double ideal = 0.0;
    for (size_t rank = 0; rank < std::min<size_t>(10, relevant.size()); ++rank) {
      ideal += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
    }
    quality.ndcg10 += dcg / ideal;
    quality.recall100 += static_cast<double>(found) / relevant.size();
  }
  const double count = static_cast<double>(data.queries.size());
  quality.ndcg10 /= count;
  quality.recall100 /= count;
  quality.ms_per_query = total_ms / count;
  return quality;
}

int g_feedback_chunks = 5;
double g_feedback_weight = 1.0;

std::unique_ptr<KnowledgeLake> OpenLake(const rh::bench::ScratchDir& dir,
                                        const rh::knowledge::BuiltinEmbedderOptions& embedder,
                                        std::optional<FusionSettings> fusion,
                                        const rh::Clock& clock) {
  rh::knowledge::LakeOptions options;
  options.db_path = (dir.path() / "knowledge.db").string();
  options.index_path = (dir.path() / "knowledge.faiss").string();
  options.fusion = fusion;
  options.feedback_chunks = g_feedback_chunks;
  options.feedback_weight = g_feedback_weight;
  auto lake = KnowledgeLake::Open(
      options, std::make_unique<rh::knowledge::BuiltinEmbedder>(embedder), clock);
  if (!lake) {
    std::fprintf(stderr, "open failed: %s\n", lake.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*lake);
}

void PrintRow(const char* name, const Quality& quality) {
  std::printf("%-34s %9.4f %11.4f %9.2f\n", name, quality.ndcg10, quality.recall100,
              quality.ms_per_query);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string split = "test";
  bool sweep = false;
  int feedback_chunks = rh::knowledge::LakeOptions{}.feedback_chunks;
  double feedback_weight = rh::knowledge::LakeOptions{}.feedback_weight;
  rh::knowledge::BuiltinEmbedderOptions embedder;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg == "--split" && arg_idx + 1 < argc)
      split = argv[++arg_idx];
    else if (arg == "--dims" && arg_idx + 1 < argc)
      embedder.dims = std::atoi(argv[++arg_idx]);
    else if (arg == "--exponent" && arg_idx + 1 < argc)
      embedder.singular_exponent = std::atof(argv[++arg_idx]);
    else if (arg == "--fit-idf" && arg_idx + 1 < argc)
      embedder.fit_idf_exponent = std::atof(argv[++arg_idx]);
    else if (arg == "--sweep")
      sweep = true;
    else if (arg == "--feedback" && arg_idx + 2 < argc) {
      feedback_chunks = std::atoi(argv[++arg_idx]);
      feedback_weight = std::atof(argv[++arg_idx]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--split test|train] [--dims N] [--exponent X] [--fit-idf X] "
                   "[--feedback CHUNKS WEIGHT] [--sweep]\n",
                   argv[0]);
      return 2;
    }
  }
  std::filesystem::path dir = rh::bench::SciFactDir();
  if (dir.empty()) {
    std::printf("SKIPPED: ../shared/data/scifact is absent\n");
    return 0;
  }
  rh::bench::SciFact data;
  if (!rh::bench::LoadSciFact(dir, split, &data)) {
    std::fprintf(stderr, "cannot read SciFact from %s\n", dir.c_str());
    return 1;
  }
  g_feedback_chunks = feedback_chunks;
  g_feedback_weight = feedback_weight;
  rh::SystemClock clock;
  rh::bench::ScratchDir scratch;
  auto lake = OpenLake(scratch, embedder, std::nullopt, clock);
  auto started = std::chrono::steady_clock::now();
  auto ingested = lake->IngestDocuments(data.documents);
  if (!ingested) {
    std::fprintf(stderr, "ingest failed: %s\n", ingested.error().ToString().c_str());
    return 1;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("BEIR SciFact, %s split: %zu queries, %zu documents -> %lld chunks in %.1f s\n",
              split.c_str(), data.queries.size(), data.documents.size(),
              static_cast<long long>(ingested->chunks_added), seconds);
  std::printf("embedder %s, default fusion %s w=%.2f, feedback %d chunks x %.2f\n\n",
              lake->embedder().id().c_str(),
              lake->fusion().method == FusionMethod::kRrf ? "rrf" : "weighted",
              lake->fusion().vector_weight, feedback_chunks, feedback_weight);
  std::printf("%-34s %9s %11s %9s\n", "mode", "nDCG@10", "recall@100", "ms/query");
  Quality fulltext = Evaluate(*lake, data, SearchMode::kFulltext);
  Quality vector = Evaluate(*lake, data, SearchMode::kVector);
  Quality hybrid = Evaluate(*lake, data, SearchMode::kHybrid);
  PrintRow("fulltext (FTS5 BM25)", fulltext);
  PrintRow("vector (built-in LSA)", vector);
  PrintRow("hybrid (default fusion)", hybrid);
  if (sweep) {
    lake.reset();
    std::vector<std::pair<std::string, FusionSettings>> settings;
    for (double weight : {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5}) {
      char name[64];
      std::snprintf(name, sizeof(name), "hybrid weighted w=%.2f", weight);
      settings.emplace_back(name, FusionSettings{FusionMethod::kWeighted, weight, 60});
    }
    for (double weight : {0.1, 0.3, 1.0}) {
      char name[64];
      std::snprintf(name, sizeof(name), "hybrid rrf k=60 w=%.1f", weight);
      settings.emplace_back(name, FusionSettings{FusionMethod::kRrf, weight, 60});
    }
    for (const auto& [name, setting] : settings) {
      auto swept = OpenLake(scratch, embedder, setting, clock);
      PrintRow(name.c_str(), Evaluate(*swept, data, SearchMode::kHybrid));
    }
  }
  std::printf(
      "\nreferences (test): BM25 Elasticsearch 0.665; SQLite FTS5 0.686-0.689; BGE 0.741; "
      "RRF(BM25,BGE) 0.744\n");
  std::printf(
      "targets: fulltext >= 0.68; hybrid >= 0.69 and >= fulltext; hybrid recall@100 >= 0.94\n");
  return 0;
}
