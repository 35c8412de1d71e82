#include "bench_util.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "core/json.h"

namespace rh::bench {

std::filesystem::path SciFactDir() {
  std::filesystem::path dir = std::filesystem::path(RH_SHARED_DIR) / "data" / "scifact";
  return std::filesystem::exists(dir / "queries.test.jsonl") ? dir : std::filesystem::path();
}

bool LoadSciFact(const std::filesystem::path& dir, const std::string& split, SciFact* out) {
  std::string line;
  for (int part = 0; part < 3; ++part) {
    std::ifstream input(dir / ("corpus.part-0" + std::to_string(part) + ".jsonl"));
    if (!input) return false;
    while (std::getline(input, line)) {
      auto row = ParseJson(line);
      if (!row) return false;
      knowledge::Document document;
      document.key = JsonString(*row, "_id");
      document.source = document.key;
      document.title = JsonString(*row, "title");
      document.text = JsonString(*row, "text");
      document.kind = "doc";
      document.markdown = false;
      out->documents.push_back(std::move(document));
    }
  }
  std::ifstream queries(dir / ("queries." + split + ".jsonl"));
  if (!queries) return false;
  while (std::getline(queries, line)) {
    auto row = ParseJson(line);
    if (!row) return false;
    out->queries.emplace_back(JsonString(*row, "_id"), JsonString(*row, "text"));
  }
  std::ifstream qrels(dir / "qrels" / (split + ".tsv"));
  if (!qrels) return false;
  std::getline(qrels, line);  // header
  while (std::getline(qrels, line)) {
    std::istringstream fields(line);
    std::string query_id, doc_id, score;
    fields >> query_id >> doc_id >> score;
    if (std::atoi(score.c_str()) > 0) out->qrels[query_id].insert(doc_id);
  }
  // Only queries with judgments count (BEIR convention).
  std::erase_if(out->queries, [&](const auto& query) { return !out->qrels.count(query.first); });
  return true;
}

ScratchDir::ScratchDir() {
  std::random_device device;
  path_ = std::filesystem::temp_directory_path() / ("rh_kb_bench_" + std::to_string(device()));
  std::filesystem::create_directories(path_);
}
ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(fraction * (values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

namespace {
double StatusMiB(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::string(key).size()) / 1024.0;
  }
  return 0.0;
}
}  // namespace

double ResidentMiB() { return StatusMiB("VmRSS:"); }
double PeakResidentMiB() { return StatusMiB("VmHWM:"); }

}  // namespace rh::bench
