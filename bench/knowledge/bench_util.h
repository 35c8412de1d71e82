// Helpers shared by the Knowledge Lake benchmarks: reading BEIR SciFact, a scratch directory,
// percentiles and the process's resident memory.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "knowledge/document.h"

namespace rh::bench {

struct SciFact {
  std::vector<knowledge::Document> documents;                // key = source = BEIR doc id
  std::vector<std::pair<std::string, std::string>> queries;  // (id, text)
  std::map<std::string, std::set<std::string>> qrels;        // query id -> relevant doc ids
};

// ../shared/data/scifact, or an empty path when absent.
std::filesystem::path SciFactDir();
// Loads the corpus and the `split` ("test" or "train") queries and qrels.
bool LoadSciFact(const std::filesystem::path& dir, const std::string& split, SciFact* out);

// A fresh directory under /tmp, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

double Percentile(std::vector<double> values, double fraction);
// Resident set size of this process in MiB (VmRSS), and its peak (VmHWM).
double ResidentMiB();
double PeakResidentMiB();

}  // namespace rh::bench
