#include "agent/internal/playbook_vocabulary.h"

#include <algorithm>
#include <map>

#include "store/metric_catalog.h"

namespace rh::agent::internal {

int CausalRank(std::string_view dimension, bool critical) {
  static const std::map<std::string_view, int> kRanks = {
      {"alive_be", 0}, {"disk", 1},       {"compaction", 2}, {"be_mem", 3},    {"jvm_heap", 4},
      {"fe_heap", 5},  {"txn_failed", 6}, {"tablets", 7},    {"query_err", 8}, {"cpu", 9},
      {"latency", 10}, {"qps", 12},       {"scan_rows", 13}, {"load_rate", 14}};
  auto found = kRanks.find(dimension);
  if (found == kRanks.end()) return 20;
  if (dimension == "query_err" && !critical) return 11;
  return found->second;
}

RootCause DimensionCategory(std::string_view dimension) {
  static const std::map<std::string_view, RootCause> kCategories = {
      {"alive_be", RootCause::kNodeFailure},
      {"disk", RootCause::kDiskCapacity},
      {"compaction", RootCause::kCompactionBacklog},
      {"tablets", RootCause::kCompactionBacklog},
      {"be_mem", RootCause::kMemoryPressure},
      {"jvm_heap", RootCause::kMemoryPressure},
      {"fe_heap", RootCause::kMemoryPressure},
      {"txn_failed", RootCause::kIngestionFailure},
      {"query_err", RootCause::kQueryErrors},
      {"cpu", RootCause::kCpuSaturation},
      {"latency", RootCause::kSlowQueries},
      {"qps", RootCause::kCpuSaturation},
      {"scan_rows", RootCause::kCpuSaturation},
      {"load_rate", RootCause::kIngestionFailure}};
  auto found = kCategories.find(dimension);
  return found == kCategories.end() ? RootCause::kInsufficientData : found->second;
}

std::string AlertDimension(std::string_view alert_name) {
  const std::string name = Lower(alert_name);
  auto has = [&](std::string_view word) { return name.find(word) != std::string::npos; };
  if (has("suspension") || has("heartbeat") || has("be down") || has("node down") || has("alive")) {
    return "alive_be";
  }
  if (has("disk capacity") || has("disk usage") || has("disk space")) return "disk";
  if (has("compaction") || has("version count")) return "compaction";
  if (has("fe") && has("heap")) return "fe_heap";
  if (has("memory") || has("mem ")) return "be_mem";
  if (has("cpu")) return "cpu";
  if (has("latency") || has("slow query")) return "latency";
  if (has("query failure") || has("query error")) return "query_err";
  if (has("loading") || has("routine load") || has("load failure") || has("transaction")) {
    return "txn_failed";
  }
  if (has("overload") || has("qps")) return "qps";
  return "";
}

bool IsWorkloadDimension(std::string_view dimension) {
  return dimension == "qps" || dimension == "scan_rows" || dimension == "load_rate";
}

bool HigherIsWorse(std::string_view dimension) { return dimension != "alive_be"; }

std::string DimensionLabel(std::string_view dimension) {
  static const std::map<std::string_view, std::string> kLabels = {
      {"cpu", "BE CPU utilisation"},
      {"jvm_heap", "BE JVM heap"},
      {"disk", "BE data disk usage"},
      {"compaction", "average compaction score"},
      {"latency", "query latency p99"},
      {"query_err", "query error rate"},
      {"be_mem", "BE memory usage"},
      {"fe_heap", "FE JVM heap"},
      {"qps", "QPS"},
      {"load_rate", "load rate"},
      {"tablets", "tablets per BE"},
      {"alive_be", "alive BE ratio"},
      {"txn_failed", "failed load transactions"},
      {"scan_rows", "scanned rows per second"}};
  auto found = kLabels.find(dimension);
  return found == kLabels.end() ? std::string(dimension) : found->second;
}

std::string SymptomPhrase(std::string_view dimension, bool rising) {
  if (dimension == "alive_be") return "BE node down, heartbeat lost, alive BE ratio dropped";
  if (dimension == "disk") return "BE data disk usage rising, disk almost full";
  if (dimension == "compaction") return "compaction score climbing, too many versions";
  if (dimension == "be_mem") return "BE memory usage climbing towards mem_limit";
  if (dimension == "jvm_heap") return "BE JVM heap usage high";
  if (dimension == "fe_heap") return "FE JVM heap usage high, full GC";
  if (dimension == "txn_failed") return "load transactions failing, loading failures";
  if (dimension == "tablets") return "too many tablets per BE";
  if (dimension == "query_err") return "query error rate high, queries failing";
  if (dimension == "cpu") return "BE CPU saturated";
  if (dimension == "latency") return "slow queries, query latency p99 high";
  if (dimension == "qps") return rising ? "QPS surge" : "QPS drop";
  if (dimension == "scan_rows") return rising ? "large scans, scanned rows surge" : "scan drop";
  if (dimension == "load_rate") return rising ? "load rate increase" : "load rate dropped";
  return std::string(dimension);
}

const std::vector<std::string>& SymptomKeywords(std::string_view dimension) {
  static const std::map<std::string_view, std::vector<std::string>> kKeywords = {
      {"alive_be", {"alive", "crash", "exits", "heartbeat", "be down", "node down"}},
      {"disk", {"disk usage", "disk space", "data disk", "disk capacity", "disk full"}},
      {"compaction", {"compaction", "versions"}},
      {"tablets", {"tablet"}},
      {"be_mem", {"memory", "mem_limit", "page cache", "pagecache"}},
      {"jvm_heap", {"heap", "memory"}},
      {"fe_heap", {"fe heap", "jvm heap", "checkpoint"}},
      {"txn_failed", {"load", "transaction", "txn"}},
      {"query_err", {"query error", "queries fail", "error rate"}},
      {"cpu", {"cpu"}},
      {"latency", {"latency", "slow quer"}},
      {"qps", {"qps"}},
      {"scan_rows", {"scan"}},
      {"load_rate", {"load rate", "ingestion"}}};
  static const std::vector<std::string> kNone;
  auto found = kKeywords.find(dimension);
  return found == kKeywords.end() ? kNone : found->second;
}

std::string MetricName(std::string_view dimension) {
  const store::MetricSpec* spec = store::FindMetric(dimension);
  return spec ? std::string(spec->name) : "";
}

std::vector<BugTrigger> TriggersIn(std::string_view lower_text) {
  std::vector<BugTrigger> triggers;
  static const std::vector<std::string> kFailed = {"failed load",
                                                   "failed commit",
                                                   "loads fail",
                                                   "load fails",
                                                   "compaction fails",
                                                   "failed compaction",
                                                   "commit or compaction fail"};
  static const std::vector<std::string> kDisk = {"disk failure", "disk fails", "disks fail",
                                                 "read-only", "disk error"};
  if (ContainsAny(lower_text, kFailed)) triggers.push_back(BugTrigger::kFailedLoadsOrCompactions);
  if (ContainsAny(lower_text, kDisk)) triggers.push_back(BugTrigger::kDiskFailure);
  return triggers;
}

std::string TriggerLabel(BugTrigger trigger) {
  switch (trigger) {
    case BugTrigger::kFailedLoadsOrCompactions:
      return "failed loads or compactions";
    case BugTrigger::kDiskFailure:
      return "a failed or read-only data disk";
    case BugTrigger::kNone:
      break;
  }
  return "none";
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ContainsAny(std::string_view lower_text, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    if (lower_text.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace rh::agent::internal
