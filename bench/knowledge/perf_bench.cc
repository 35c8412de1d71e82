// Speed and memory of the Knowledge Lake at 10k and 100k chunks (built-in embedder).
// The corpus is BEIR SciFact replicated with variation (each copy drops a seeded 10% of the
// words, so copies are near-duplicates rather than identical and survive de-duplication);
// the queries are the 300 SciFact test claims. Prints, per size: ingest throughput (one bulk
// ingest, including the embedder fit, FTS indexing and vector writes), query latency p50/p99
// per mode (wall clock on this machine, k = 5, after one warm-up pass), the resident memory of
// a freshly opened lake after the queries, and how approximate the fast paths are (top-10
// overlap of IVF vs exact vectors, and of pruned vs unpruned full-text).
//   rh_kb_perf_bench [--sizes 10000,100000]
#include <malloc.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "knowledge/builtin_embedder.h"
#include "knowledge/internal/text.h"
#include "knowledge/knowledge_lake.h"

namespace {

using rh::knowledge::KnowledgeLake;
using rh::knowledge::SearchMode;

std::vector<rh::knowledge::Document> Replicate(const std::vector<rh::knowledge::Document>& base,
                                               size_t target) {
  std::vector<rh::knowledge::Document> out;
  out.reserve(target);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (size_t copy = 0; out.size() < target; ++copy) {
    for (const auto& document : base) {
      if (out.size() >= target) break;
      rh::knowledge::Document varied = document;
      if (copy > 0) {
        varied.key = document.key + "#" + std::to_string(copy);
        varied.source = varied.key;
        std::string text;
        for (std::string_view word : rh::knowledge::internal::SplitWhitespace(document.text)) {
          if (uniform(rng) < 0.1) continue;
          if (!text.empty()) text += ' ';
          text += word;
        }
        varied.text = text;
      }
      out.push_back(std::move(varied));
    }
  }
  return out;
}

std::unique_ptr<KnowledgeLake> Open(
    const rh::bench::ScratchDir& dir, const rh::Clock& clock, int64_t approximate_above = 50000,
    int64_t row_budget = rh::knowledge::LakeOptions{}.fulltext_row_budget) {
  rh::knowledge::LakeOptions options;
  options.db_path = (dir.path() / "knowledge.db").string();
  options.index_path = (dir.path() / "knowledge.faiss").string();
  options.approximate_above = approximate_above;
  options.fulltext_row_budget = row_budget;
  auto lake =
      KnowledgeLake::Open(options, std::make_unique<rh::knowledge::BuiltinEmbedder>(), clock);
  if (!lake) {
    std::fprintf(stderr, "open failed: %s\n", lake.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*lake);
}

double ThreadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

std::vector<std::vector<std::string>> RunQueries(KnowledgeLake& lake,
                                                 const std::vector<std::string>& queries,
                                                 SearchMode mode, int k,
                                                 std::vector<double>* latencies_ms,
                                                 std::vector<double>* cpu_ms = nullptr) {
  std::vector<std::vector<std::string>> results;
  for (const std::string& query : queries) {
    rh::knowledge::SearchRequest request;
    request.query = query;
    request.mode = mode;
    request.k = k;
    auto started = std::chrono::steady_clock::now();
    double cpu_started = ThreadCpuMs();
    auto hits = lake.Search(request);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (cpu_ms) cpu_ms->push_back(ThreadCpuMs() - cpu_started);
    if (!hits) {
      std::fprintf(stderr, "search failed: %s\n", hits.error().ToString().c_str());
      std::exit(1);
    }
    if (latencies_ms) latencies_ms->push_back(ms);
    std::vector<std::string> ids;
    for (const auto& hit : *hits) ids.push_back(hit.chunk_id);
    results.push_back(std::move(ids));
  }
  return results;
}

double Overlap(const std::vector<std::vector<std::string>>& left,
               const std::vector<std::vector<std::string>>& right) {
  double total = 0.0;
  for (size_t query_idx = 0; query_idx < left.size(); ++query_idx) {
    std::set<std::string> reference(right[query_idx].begin(), right[query_idx].end());
    if (reference.empty()) {
      total += 1.0;
      continue;
    }
    size_t shared = 0;
    for (const std::string& id : left[query_idx]) shared += reference.count(id);
    total += static_cast<double>(shared) / reference.size();
  }
  return left.empty() ? 0.0 : total / left.size();
}

void RunSize(const rh::bench::SciFact& data, size_t size) {
  rh::SystemClock clock;
  rh::bench::ScratchDir scratch;
  std::vector<std::string> queries;
  for (const auto& query : data.queries) queries.push_back(query.second);
  auto documents = Replicate(data.documents, size);
  int64_t chunks = 0;
  double ingest_seconds = 0.0;
  double ingest_cpu_seconds = 0.0;
  {
    auto lake = Open(scratch, clock);
    auto started = std::chrono::steady_clock::now();
    double cpu_started = ProcessCpuSeconds();
    auto stats = lake->IngestDocuments(documents);
    ingest_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ingest_cpu_seconds = ProcessCpuSeconds() - cpu_started;
    if (!stats) {
      std::fprintf(stderr, "ingest failed: %s\n", stats.error().ToString().c_str());
      std::exit(1);
    }
    chunks = stats->chunks_added;
  }
  documents.clear();
  documents.shrink_to_fit();
  malloc_trim(0);
  const double rss_before = rh::bench::ResidentMiB();
  auto lake = Open(scratch, clock);
  auto lake_stats = lake->Stats();
  std::printf(
      "\n== %lld chunks (%zu documents): ingest %.1f s = %.0f chunks/s (CPU %.1f s = %.0f "
      "chunks per CPU-second); index %s, %s, SQLite %.0f MiB, index file %.0f MiB\n",
      static_cast<long long>(chunks), size, ingest_seconds, chunks / ingest_seconds,
      ingest_cpu_seconds, chunks / ingest_cpu_seconds, lake_stats->index_type.c_str(),
      lake_stats->embedder.c_str(), lake_stats->db_bytes / 1048576.0,
      lake_stats->index_bytes / 1048576.0);
  std::printf("%-10s %9s %9s %9s %11s %11s\n", "mode", "p50 ms", "p99 ms", "mean ms", "CPU p50 ms",
              "CPU p99 ms");
  std::vector<std::vector<std::string>> vector_results;
  std::vector<std::vector<std::string>> fulltext_results;
  for (SearchMode mode : {SearchMode::kFulltext, SearchMode::kVector, SearchMode::kHybrid}) {
    RunQueries(*lake, queries, mode, 5, nullptr);  // warm-up: page cache, term statistics
    std::vector<double> latencies;
    std::vector<double> cpu;
    auto results = RunQueries(*lake, queries, mode, 10, &latencies, &cpu);
    if (mode == SearchMode::kVector) vector_results = results;
    if (mode == SearchMode::kFulltext) fulltext_results = results;
    double mean = 0.0;
    for (double value : latencies) mean += value;
    mean /= latencies.size();
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %11.2f\n",
                std::string(rh::knowledge::SearchModeName(mode)).c_str(),
                rh::bench::Percentile(latencies, 0.5), rh::bench::Percentile(latencies, 0.99), mean,
                rh::bench::Percentile(cpu, 0.5), rh::bench::Percentile(cpu, 0.99));
  }
  const double rss_after = rh::bench::ResidentMiB();
  std::printf(
      "lake memory (RSS of the opened lake after the queries): %.0f MiB; process peak %.0f MiB\n",
      rss_after - rss_before, rh::bench::PeakResidentMiB());
  // Concurrency: two threads searching at once (the tools call Search from several threads).
  {
    std::vector<double> first, second;
    auto started = std::chrono::steady_clock::now();
    std::thread other([&] { RunQueries(*lake, queries, SearchMode::kHybrid, 10, &second); });
    RunQueries(*lake, queries, SearchMode::kHybrid, 10, &first);
    other.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    first.insert(first.end(), second.begin(), second.end());
    std::printf("hybrid, 2 threads: %.0f queries/s, p50 %.2f ms, p99 %.2f ms\n",
                first.size() / seconds, rh::bench::Percentile(first, 0.5),
                rh::bench::Percentile(first, 0.99));
  }
  lake.reset();
  if (lake_stats->index_type.rfind("ivf", 0) == 0) {
    std::filesystem::remove(scratch.path() / "knowledge.faiss");
    auto exact = Open(scratch, clock, /*approximate_above=*/int64_t{1} << 40);
    auto exact_results = RunQueries(*exact, queries, SearchMode::kVector, 10, nullptr);
    std::printf("IVF vs exact vector search: top-10 overlap %.3f\n",
                Overlap(vector_results, exact_results));
    std::filesystem::remove(scratch.path() / "knowledge.faiss");
  }
  {
    auto unpruned = Open(scratch, clock, 50000, /*row_budget=*/0);
    std::vector<double> latencies;
    auto unpruned_results = RunQueries(*unpruned, queries, SearchMode::kFulltext, 10, &latencies);
    std::printf(
        "pruned vs unpruned full-text: top-10 overlap %.3f (unpruned p50 %.2f ms, p99 %.2f ms)\n",
        Overlap(fulltext_results, unpruned_results), rh::bench::Percentile(latencies, 0.5),
        rh::bench::Percentile(latencies, 0.99));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::vector<size_t> sizes = {10000, 100000};
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg == "--sizes" && arg_idx + 1 < argc) {
      sizes.clear();
      std::stringstream list(argv[++arg_idx]);
      std::string item;
      while (std::getline(list, item, ',')) sizes.push_back(std::stoul(item));
    } else {
      std::fprintf(stderr, "usage: %s [--sizes 10000,100000]\n", argv[0]);
      return 2;
    }
  }
  std::filesystem::path dir = rh::bench::SciFactDir();
  if (dir.empty()) {
    std::printf("SKIPPED: ../shared/data/scifact is absent\n");
    return 0;
  }
  rh::bench::SciFact data;
  if (!rh::bench::LoadSciFact(dir, "test", &data)) {
    std::fprintf(stderr, "cannot read SciFact\n");
    return 1;
  }
  std::printf(
      "Knowledge Lake performance: SciFact replicated with variation, %u hardware threads, "
      "load average at start: ",
      std::thread::hardware_concurrency());
  std::ifstream loadavg("/proc/loadavg");
  std::string load;
  std::getline(loadavg, load);
  std::printf("%s\n", load.c_str());
  for (size_t size : sizes) RunSize(data, size);
  return 0;
}
