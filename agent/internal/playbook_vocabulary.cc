#include "agent/internal/playbook_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <set>

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
  auto any = [&](std::initializer_list<std::string_view> words) {
    for (std::string_view word : words) {
      if (has(word)) return true;
    }
    return false;
  };
  // Official StarRocks rule names (alert.md, the Grafana rules of Monitor_and_Alert.md), the
  // usual custom wordings, and the Chinese ones. Unmeasured quantities first: a checkpoint
  // failure and a full FE metadata disk are the FE's (its bdb logs pile up when the image
  // cannot be written, usually for want of heap), not the BE data disk's.
  if (any({"suspension", "heartbeat", "be down", "node down", "alive", "frontends status",
           "backends status", "宕机", "心跳", "存活"})) {
    return "alive_be";
  }
  if (any({"checkpoint", "meta log", "fe metadata", "meta dir", "元数据"})) return "fe_heap";
  if (any({"disk capacity", "disk usage", "disk space", "disk full", "disks avail",
           "root path", "磁盘容量", "磁盘空间", "磁盘使用", "磁盘满", "根目录"})) {
    return "disk";
  }
  if (any({"compaction", "version count", "versions", "版本", "合并"})) return "compaction";
  if ((has("fe") && (has("heap") || has("jvm") || has(" gc"))) || has("fe 内存") ||
      has("fe堆") || has("fe 堆")) {
    return "fe_heap";
  }
  if (any({"memory", "mem ", "be mem", "oom", "内存"}) || name.ends_with(" mem")) return "be_mem";
  if (any({"cpu"})) return "cpu";
  // Disk I/O saturation (the official "Disk Load Alert") shows as slow queries, and so do the
  // causes of waiting that no dimension measures (SlowQueryCauseAlert): a full query queue, a
  // resource group's limit, object-storage throttling, a cold data cache.
  if (any({"latency", "slow query", "slow queries", "延迟", "慢查询", "耗时", "disk load",
           "disk io", "disk i/o", "io util", "磁盘负载"}) ||
      SlowQueryCauseAlert(alert_name)) {
    return "latency";
  }
  if (any({"query failure", "query error", "query fail", "queries fail", "查询失败", "查询错误",
           "查询报错"})) {
    return "query_err";
  }
  if (any({"loading", "routine load", "load failure", "load fail", "load error", "transaction",
           "stream load", "broker load", "导入", "事务"})) {
    return "txn_failed";
  }
  if (any({"overload", "qps"})) return "qps";
  return "";
}

std::optional<RootCause> UnmeasuredAlertCategory(std::string_view alert_name) {
  const std::string name = Lower(alert_name);
  // In the order of the causal chain; each list holds the official StarRocks name's words
  // (alert.md), then custom and Chinese ones.
  static const std::vector<std::pair<RootCause, std::vector<std::string>>> kAlerts = {
      {RootCause::kDiskCapacity, {"root path", "root disk", "log disk", "根目录", "日志盘"}},
      // A full FE metadata disk is "usually the bdb directory, possibly a CheckPoint failure"
      // (alert.md A8); a checkpoint fails for want of FE heap (check -Xmx, Monitor_and_Alert).
      {RootCause::kMemoryPressure,
       {"checkpoint", "meta log", "fe metadata", "meta dir", "元数据", "检查点"}},
      {RootCause::kCompactionBacklog,
       {"compaction failure", "compaction fail", "compaction error", "合并失败"}},
      {RootCause::kIngestionFailure,
       {"routine load", "consumption delay", "kafka lag", "consumer lag", "transaction limit",
        "materialized view refresh", "mv refresh", "refresh exception", "消费延迟",
        "物化视图", "事务数"}},
      {RootCause::kQueryErrors, {"connection limit", "max connections", "too many connections",
                                 "连接数"}},
      {RootCause::kSlowQueries, {"disk load", "disk io", "disk i/o", "io util", "磁盘负载",
                                 "磁盘io"}},
  };
  for (const auto& [category, words] : kAlerts) {
    if (ContainsAny(name, words)) return category;
  }
  if (SlowQueryCauseAlert(alert_name)) return RootCause::kSlowQueries;
  return std::nullopt;
}

bool SlowQueryCauseAlert(std::string_view alert_name) {
  // Padded, so that short words match whole: " oss " is Alibaba's object storage, "loss" is not.
  std::string name = " " + Lower(alert_name) + " ";
  for (char& c : name) {
    if (c == '_' || c == '-' || c == '(' || c == ')' || c == '[' || c == ']' || c == ':') c = ' ';
  }
  // The query queue (starrocks_fe_query_queue_pending / _timeout: enable_query_queue_* holds
  // queries back once the concurrency or resource thresholds are reached), a resource group's
  // concurrency or big-query limit, object storage answering slowly or throttling (shared-data:
  // S3 "503 Slow Down", OSS/COS/GCS throttling), and a cold or missing data cache on the CNs.
  static const std::vector<std::string> kWords = {
      "query queue", "queue pending", "queue timeout", "queue full", "queued", "queuing",
      "queueing", "pending queries", "pending query", "query pending", "排队",
      "resource group", "resource_group", "资源组",
      "object storage", "objectstorage", " s3 ", " oss ", " cos ", " gcs ", " obs ", "throttl",
      "slow down", "slowdown", "对象存储", "限流",
      "data cache", "datacache", "block cache", "cache hit", "cache miss", "缓存命中",
      "缓存未命中"};
  return ContainsAny(name, kWords);
}

bool FailureEventAlert(std::string_view alert_name) {
  static const std::vector<std::string> kEvents = {
      "compaction failure", "compaction fail", "refresh exception", "refresh fail", "mv refresh",
      "materialized view", "schema change", "合并失败", "物化视图", "刷新失败"};
  return ContainsAny(Lower(alert_name), kEvents);
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

std::string_view BugDescription(std::string_view text) {
  const std::string lower = Lower(text);
  size_t end = text.size();
  for (const char* start : {"resolution:", "meanwhile", "workaround"}) {
    end = std::min(end, lower.find(start));
  }
  return text.substr(0, end);
}

std::vector<BugTrigger> TriggersIn(std::string_view text) {
  const std::string lower = Lower(BugDescription(text));
  // Each trigger with the ways release notes name it.
  static const std::vector<std::pair<BugTrigger, std::vector<std::string>>> kTriggers = {
      {BugTrigger::kFailedLoadsOrCompactions, {"commit or compaction fail"}},
      {BugTrigger::kFailedLoads, {"failed load", "failed commit", "loads fail", "load fails"}},
      // A note whose compaction fails describes failing compactions, which show as such.
      {BugTrigger::kFailedCompactions,
       {"compaction fail", "compactions fail", "failed compaction", "compaction failure"}},
      {BugTrigger::kDiskFailure,
       {"disk failure", "disk fails", "disks fail", "disk error", "disk is broken",
        "broken disk", "bad disk", "disk is damaged", "damaged disk", "disk goes offline",
        "disk is offline", "read-only"}},
      {BugTrigger::kHighFrequencyLoading,
       {"high-frequency load", "high frequency load", "high-frequency import",
        "high-frequency ingest", "high-frequency insert", "frequent load", "frequent import",
        "frequent insert", "high-concurrency load", "high concurrency load",
        "many stream load jobs", "large number of load"}},
      {BugTrigger::kRestartOrUpgrade,
       {"after upgrad", "is upgraded", "are upgraded", "was upgraded", "during upgrad",
        "after an upgrade", "after the upgrade", "rolling upgrade", "downgrad", "after restart",
        "is restarted", "are restarted", "was restarted", "were restarted", "after a restart",
        "after the restart", "fe restart", "be restart", "restarting"}},
      {BugTrigger::kScaling,
       {"decommission", "scale in", "scaling in", "scale-in", "scale out", "scaling out",
        "scale-out", "nodes are added", "nodes are removed", "adding bes", "adding a be",
        "drop backend"}},
      {BugTrigger::kSharedData,
       {"shared-data", "shared data mode", "shared data cluster", "cloud-native table",
        "cloud native table", "storage-compute separation"}},
      {BugTrigger::kSharedNothing, {"shared-nothing", "shared nothing"}},
  };
  std::vector<BugTrigger> triggers;
  for (const auto& [trigger, phrases] : kTriggers) {
    if (ContainsAny(lower, phrases)) triggers.push_back(trigger);
  }
  // "After a failed commit or compaction": either shows the trigger.
  if (!triggers.empty() && triggers.front() == BugTrigger::kFailedLoadsOrCompactions) {
    std::erase_if(triggers, [](BugTrigger trigger) {
      return trigger == BugTrigger::kFailedLoads || trigger == BugTrigger::kFailedCompactions;
    });
  }
  // A note naming both architectures ("in shared-data and shared-nothing clusters") names
  // neither condition.
  auto named = [&](BugTrigger trigger) {
    return std::find(triggers.begin(), triggers.end(), trigger) != triggers.end();
  };
  if (named(BugTrigger::kSharedData) && named(BugTrigger::kSharedNothing)) {
    std::erase_if(triggers, [](BugTrigger trigger) {
      return trigger == BugTrigger::kSharedData || trigger == BugTrigger::kSharedNothing;
    });
  }
  return triggers;
}

std::string TriggerLabel(BugTrigger trigger) {
  switch (trigger) {
    case BugTrigger::kFailedLoadsOrCompactions:
      return "failed loads or compactions";
    case BugTrigger::kFailedLoads:
      return "failed loads";
    case BugTrigger::kFailedCompactions:
      return "failing compactions";
    case BugTrigger::kDiskFailure:
      return "a failed or read-only data disk";
    case BugTrigger::kHighFrequencyLoading:
      return "loads running at a high rate";
    case BugTrigger::kRestartOrUpgrade:
      return "a restart or an upgrade";
    case BugTrigger::kScaling:
      return "a scale-in or scale-out";
    case BugTrigger::kSharedData:
      return "a shared-data cluster";
    case BugTrigger::kSharedNothing:
      return "a shared-nothing cluster";
    case BugTrigger::kNone:
      break;
  }
  return "none";
}

std::string LostNodeType(std::string_view alert_name, std::string_view alert_detail) {
  const std::string name = " " + Lower(alert_name) + " ";
  const std::string detail = " " + Lower(alert_detail) + " ";
  auto has = [](const std::string& text, std::string_view word) {
    return text.find(word) != std::string::npos;
  };
  static const std::vector<std::string> kLossWords = {
      "down",     "suspension", "suspended", "dead",      "lost",     "not alive", "unreachable",
      "crash",    "heartbeat",  "offline",   "exited",    "restarting", "restart loop",
      "宕机",     "下线",       "崩溃",      "失联",      "心跳"};
  static const std::vector<std::string> kFeWords = {" fe ",      "fe-",      " fe_",     "frontend",
                                                    "follower", "observer", "leader",  "fe节点"};
  static const std::vector<std::string> kCnWords = {" cn ", "cn-", " cn_", "compute node"};
  static const std::vector<std::string> kBeWords = {" be ", "be-", " be_", "backend", "be节点"};
  const bool loss_in_name = ContainsAny(name, kLossWords) || has(name, "frontends status") ||
                            has(name, "alive");
  const bool crash = CrashText(alert_detail);
  if (!loss_in_name && !crash) return "";
  // The node type: from the name first, then from the text.
  for (const std::string* text : {&name, &detail}) {
    if (ContainsAny(*text, kFeWords) || has(*text, "frontends")) return "FE";
    if (ContainsAny(*text, kCnWords)) return "CN";
    if (ContainsAny(*text, kBeWords)) return "BE";
  }
  if (has(name, "node") || has(name, "节点") || crash) return "BE";
  return "";
}

bool CrashText(std::string_view alert_detail) {
  static const std::vector<std::string> kCrash = {
      "sigsegv",      "sigabrt",        "sigbus",         "segmentation fault", "core dump",
      "core dumped",  "oom killer",     "oom-kill",       "oomkilled",          "killed by oom",
      "crash loop",   "crashloop",      "crashed",        "exited unexpectedly", "check failed",
      "段错误",       "崩溃"};
  return ContainsAny(Lower(alert_detail), kCrash);
}

bool OomText(std::string_view alert_detail) {
  static const std::vector<std::string> kOom = {
      "out of memory", "outofmemory", "oom killer", "oom-kill", "oomkill", "oom_kill",
      "killed by oom", "java heap space", "内存溢出", "内存不足"};
  return ContainsAny(Lower(alert_detail), kOom);
}

namespace {

// "3.2.11" -> {3, 2, 11}; empty when it does not parse.
std::vector<int> VersionParts(std::string_view text) {
  std::vector<int> parts;
  int value = -1;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value * 10) + (c - '0');
      if (value > 100000) return {};
    } else if (c == '.') {
      if (value < 0) return {};
      parts.push_back(value);
      value = -1;
    } else if (c == ' ' || c == 'v' || c == 'V') {
      continue;
    } else {
      break;  // "3.2.1-rc1": the numbers before the suffix
    }
  }
  if (value >= 0) parts.push_back(value);
  while (parts.size() < 3 && !parts.empty()) parts.push_back(0);
  return parts;
}

}  // namespace

std::optional<bool> VersionAffected(std::string_view version, std::string_view fixed_in) {
  const std::vector<int> ours = VersionParts(version);
  if (ours.size() < 2) return std::nullopt;
  std::optional<bool> verdict;
  size_t start = 0;
  while (start <= fixed_in.size()) {
    size_t end = fixed_in.find(',', start);
    std::string_view item =
        fixed_in.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const std::vector<int> fix = VersionParts(item);
    if (fix.size() >= 2 && fix[0] == ours[0] && fix[1] == ours[1]) {
      verdict = ours < fix;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return verdict;
}

bool MetricArtifact(std::string_view lower_text) {
  static const std::vector<std::string> kAboutAMetric = {"metric", "monitoring", "grafana",
                                                         "prometheus", "dashboard", "监控"};
  static const std::vector<std::string> kWrongValue = {
      "incorrect",  "wrong",    "inaccurate", "negative value", "negative values",
      "miscalculat", "not accurate", "displayed", "calculation logic", "abnormal value",
      "statistics are", "不准确", "错误"};
  return ContainsAny(lower_text, kAboutAMetric) && ContainsAny(lower_text, kWrongValue);
}

namespace {

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Where `stem` first occurs in `text` at the start of a word ("oom" in "fe oom", never in
// "bloom filter"), npos when it does not.
size_t FindStem(std::string_view text, std::string_view stem) {
  for (size_t pos = text.find(stem); pos != std::string_view::npos;
       pos = text.find(stem, pos + 1)) {
    if (pos == 0 || !WordChar(text[pos - 1])) return pos;
  }
  return std::string_view::npos;
}

// The earliest of `stems` in `text` (FindStem), npos when none occurs.
size_t FindAnyStem(std::string_view text, const std::vector<std::string>& stems) {
  size_t first = std::string_view::npos;
  for (const std::string& stem : stems) first = std::min(first, FindStem(text, stem));
  return first;
}

bool AnyStem(std::string_view text, const std::vector<std::string>& stems) {
  return FindAnyStem(text, stems) != std::string_view::npos;
}

// Where the whole word `word` occurs in `text` (case-sensitive), every occurrence.
std::vector<size_t> WordPositions(std::string_view text, std::string_view word) {
  std::vector<size_t> out;
  for (size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    const size_t end = pos + word.size();
    if ((pos == 0 || !WordChar(text[pos - 1])) && (end >= text.size() || !WordChar(text[end]))) {
      out.push_back(pos);
    }
  }
  return out;
}

// The process the effect at `pos` happens in: the FE or BE/CN named closest before it in the
// same sentence ("if the FE sends excessive tasks to BEs, BEs will encounter OOM" is the BE's),
// else the first named after it ("causing FE out-of-memory"), else "FE" when the note names
// only the FE or its Java heap, else "BE": the crashes and memory of the execution engine
// ("Memory leaks in INSERT tasks") are the BE's. `text` keeps its case: release notes write
// the processes FE, BE and CN in capitals, and "be" is also a verb; `lower` is it lower-cased.
std::string ProcessNear(std::string_view text, std::string_view lower, size_t pos) {
  std::vector<std::pair<size_t, std::string>> markers;
  for (const char* word : {"FE", "FEs", "Frontend", "Frontends"}) {
    for (size_t at : WordPositions(text, word)) markers.push_back({at, "FE"});
  }
  // The FE's own components name it too: the catalog and its recycle bin, the edit log and its
  // journal, checkpoints, the planner.
  for (const char* word : {"frontend", "leader", "follower", "observer", "jvm", "java", "heap",
                           "gc", "catalogrecyclebin", "recycle bin", "edit log", "editlog",
                           "journal", "bdbje", "checkpoint", "planner", "optimizer"}) {
    for (size_t at : WordPositions(lower, word)) markers.push_back({at, "FE"});
  }
  for (const char* word : {"BE", "BEs", "CN", "CNs", "Backend", "Backends"}) {
    for (size_t at : WordPositions(text, word)) markers.push_back({at, "BE"});
  }
  for (const char* word : {"backend", "backends", "compute node", "compute nodes"}) {
    for (size_t at : WordPositions(lower, word)) markers.push_back({at, "BE"});
  }
  auto same_sentence = [&](size_t from, size_t to) {
    const std::string_view between = text.substr(from, to - from);
    return between.find(". ") == std::string_view::npos;
  };
  const std::pair<size_t, std::string>* before = nullptr;
  const std::pair<size_t, std::string>* after = nullptr;
  for (const auto& marker : markers) {
    if (marker.first < pos && same_sentence(marker.first, pos)) {
      if (!before || marker.first > before->first) before = &marker;
    } else if (marker.first >= pos && same_sentence(pos, marker.first)) {
      if (!after || marker.first < after->first) after = &marker;
    }
  }
  if (before) return before->second;
  if (after) return after->second;
  bool fe = false, be = false;
  for (const auto& marker : markers) (marker.second == "FE" ? fe : be) = true;
  return fe && !be ? "FE" : "BE";
}

// A note that announces a feature or an improvement ("Supports ...", "Optimized ...") rather
// than a defect: such notes sit in the Improvements sections, and one that describes the
// defect it removes ("... to avoid OOM", "fixed ...") still counts as a defect.
bool FeatureNote(std::string_view lower_text) {
  std::string_view text = lower_text;
  while (!text.empty() && !WordChar(text.front())) text.remove_prefix(1);
  if (text.starts_with("known bug:")) text.remove_prefix(10);
  while (!text.empty() && !WordChar(text.front())) text.remove_prefix(1);
  static const std::vector<std::string> kFeatureVerbs = {
      "support",  "add ",    "adds ",    "added ",     "optimiz", "optimis",  "improve",
      "enhance",  "refine",  "introduc", "allow",      "new ",    "enable ",  "enables ",
      "reduce",   "reduced", "accelerat", "speed up",  "simplif", "upgrade the", "upgraded the"};
  bool feature = false;
  for (const std::string& verb : kFeatureVerbs) {
    if (text.starts_with(verb)) feature = true;
  }
  // Words of a fix: "to avoid OOM" describes the defect it removes; "to help diagnose OOM
  // issues" does not.
  static const std::vector<std::string> kDefect = {
      "fix",   "bug",     "avoid", "prevent", "resolve", "solve the problem", "solve the issue",
      "solves the problem", "issue that", "problem that"};
  return feature && !AnyStem(lower_text, kDefect);
}

// A note about the output of a SHOW/DESC/EXPLAIN statement ("SHOW CREATE ROUTINE LOAD without
// a database returns the wrong job").
bool StatementNote(std::string_view text, std::string_view lower_text) {
  for (const char* statement : {"SHOW", "DESC", "DESCRIBE", "EXPLAIN"}) {
    if (!WordPositions(text, statement).empty()) return true;
  }
  return AnyStem(lower_text, {"show proc", "show create", "information_schema"});
}

// The first effect of a note, in the causal order (a crash explains the failures after it).
struct EffectRule {
  std::string dimension;
  std::vector<std::string> stems;         // any of them names the effect
  std::vector<std::string> with_context;  // when not empty, the note must also hold one of these
  std::vector<std::string> without;       // ... and none of these
};

const std::vector<EffectRule>& EffectRules() {
  static const std::vector<std::string> kFailure = {"pause", "cancel", "stuck", "stop",
                                                    "fail", "abort", "hang", "hung",
                                                    "cannot consume", "not consume", "lag"};
  static const std::vector<EffectRule> kRules = {
      {"alive_be",
       {"crash", "core dump", "coredump", "sigsegv", "sigabrt", "segmentation fault", "segfault",
        "exits unexpectedly", "exit unexpectedly", "exited unexpectedly", "unexpectedly exit",
        "fails to start", "failed to start", "fail to start", "cannot start", "could not start",
        "cannot be started", "could not be started", "keeps restarting"},
       {},
       {}},
      {"disk",
       {"disk space", "disk usage", "disk full", "disk is full", "disks are full",
        "disk capacity", "storage space", "trash", "skipped reclamation", "not reclaimed",
        "cannot be reclaimed", "residual files", "orphan files", "garbage files"},
       {},
       {}},
      {"disk",
       {"not released", "cannot be released", "not be released", "not deleted",
        "cannot be deleted", "could not be deleted", "not be deleted", "failed to be deleted",
        "fail to be deleted", "not cleaned", "cannot be cleaned", "not be cleaned",
        "not garbage collected"},
       {"disk", "file", "space", "rowset", "segment", "trash", "storage", "obsolete", "snapshot",
        "expired data", "log"},
       {"memory"}},
      {"compaction", {"too many versions", "version count", "versions accumulate"}, {}, {}},
      {"compaction",
       {"compaction"},
       {"delay", "slow", "stuck", "block", "hang", "hung", "fail", "cannot", "could not",
        "not triggered", "not be triggered", "not scheduled", "not executed", "score", "rise",
        "backlog", "pending", "never", "stop"},
       {}},
      {"be_mem",  // the process decides be_mem or fe_heap
       {"oom", "out of memory", "out-of-memory", "outofmemory", "memory leak", "leaks memory",
        "leaking memory", "memory usage keeps", "memory usage is not reducing",
        "memory usage does not", "memory usage increases", "memory usage continues",
        "memory usage grows", "memory usage spikes", "memory usage is too high",
        "memory keeps", "memory grows", "memory increases", "memory is not released",
        "memory not released", "memory cannot be released", "excessive memory",
        "excessively large memory", "large amounts of memory", "a large amount of memory",
        "high memory", "memory consumption", "memory exceed", "exceeds the memory",
        "exceed the memory", "mem_limit", "memory limit exceeded", "heap size increases",
        "heap usage", "full gc", "too much memory", "memory bloat", "memory overflow"},
       {},
       {}},
      {"txn_failed",
       {"routine load"},
       kFailure,
       {}},
      {"txn_failed",
       {"load fail", "loads fail", "loading fail", "load job fail", "load jobs fail",
        "load task fail", "load tasks fail", "fail to load", "fails to load", "failed to load",
        "failed loads", "load failure", "loading failure", "import fail", "insert fail",
        "ingestion fail", "stream load fail", "broker load fail", "cannot be loaded",
        "could not be loaded", "load error", "loading error", "publish timeout",
        "publish timed out", "publish fail", "publish is stuck", "publish stuck",
        "publishing fail", "transaction stuck", "transactions stuck", "transaction is stuck",
        "transactions are stuck", "transaction timeout", "transaction timed out",
        "transaction fail", "transactions fail", "txn fail", "txn timeout",
        "too many transactions", "load is stuck", "load job is stuck", "load jobs are stuck",
        "loading is stuck", "loading transaction is stuck"},
       {},
       {}},
      {"txn_failed",  // "an error in Stream Load": a failure of a load
       {"error", "fail", "exception"},
       {"stream load", "broker load", "routine load", "spark load", "insert into", "load job",
        "loading", "data load"},
       {}},
      {"query_err",
       {"query fail", "queries fail", "query to fail", "queries to fail", "query error",
        "queries report error", "query reports", "sql execution fail", "statement fail",
        "statements fail", "query is cancelled", "query is canceled", "queries are cancelled",
        "queries are canceled", "query timeout", "queries time out", "query times out",
        "query timed out"},
       {},
       {}},
      {"query_err",  // a generic error, when the note is about queries
       {"error is reported", "errors are reported", "error was reported", "errors were reported",
        "reports an error", "report an error", "reported an error", "report errors",
        "reports errors", "returns an error", "return an error", "returned an error",
        "returns errors", "return errors", "throws", "thrown", "exception", "error occurs",
        "errors occur", "error occurred", "an error"},
       {"query", "queries", "sql", "statement", "select", "join", "function"},
       {}},
      {"latency",
       {"slow quer", "queries slow", "query slow", "queries are slow", "query is slow",
        "query latency", "query performance", "performance degrad", "performance plunge",
        "performance drop", "performance regression", "performance issue", "poor performance",
        "takes a long time", "take a long time", "took a long time", "long time to",
        "query hang", "queries hang", "queries to hang", "query to hang", "query is hung",
        "queries are hung", "concurrency decreases", "response time", "slow"},
       {},
       {}},
      {"cpu",
       {"cpu usage", "high cpu", "cpu utili", "cpu load", "cpu consumption", "cpu resources",
        "cpu overhead", "cpu spike"},
       {},
       {}},
  };
  return kRules;
}

}  // namespace

BugEffect ReadBugEffect(std::string_view whole_text) {
  const std::string_view text = BugDescription(whole_text);
  const std::string lower = Lower(text);
  BugEffect effect;
  if (MetricArtifact(lower)) {
    effect.not_a_defect = "is about how a monitoring metric is computed or displayed";
    return effect;
  }
  // How memory is counted ("Duplicate memory statistics in FE leads to excessive memory
  // usage"): the accounting, not the memory.
  if (AnyStem(lower, {"memory statistics", "memory usage statistics", "memory information",
                      "memory tracker", "mem tracker", "memory accounting"}) &&
      AnyStem(lower, {"duplicate", "incorrect", "inaccurate", "wrong", "abnormal", "negative",
                      "double"})) {
    effect.not_a_defect = "is about how memory usage is counted";
    return effect;
  }
  if (FeatureNote(lower)) {
    effect.not_a_defect = "announces a feature or an improvement, not a defect";
    return effect;
  }
  for (const EffectRule& rule : EffectRules()) {
    const size_t at = FindAnyStem(lower, rule.stems);
    if (at == std::string::npos) continue;
    if (!rule.with_context.empty() && !AnyStem(lower, rule.with_context)) continue;
    if (!rule.without.empty() && AnyStem(lower, rule.without)) continue;
    effect.dimension = rule.dimension;
    if (rule.dimension == "alive_be" || rule.dimension == "be_mem") {
      effect.process = ProcessNear(text, lower, at);
      if (rule.dimension == "be_mem" && effect.process == "FE") effect.dimension = "fe_heap";
    }
    break;
  }
  // What the telemetry cannot show: a statement's output, wrong results, a value displayed
  // wrongly, syntax or documentation. A crash, a leak or a stuck load in the same note is
  // still a defect.
  const bool weak = effect.dimension.empty() || effect.dimension == "query_err" ||
                    effect.dimension == "latency";
  if (weak && StatementNote(text, lower)) {
    effect.dimension.clear();
    effect.not_a_defect = "is about the output of a SHOW/DESC statement";
  } else if (effect.dimension.empty()) {
    if (AnyStem(lower, {"wrong result", "incorrect result", "incorrect query result",
                        "inaccurate result", "results are incorrect", "results were incorrect",
                        "result is incorrect", "result is wrong", "results are wrong",
                        "returns incorrect", "return incorrect", "returned incorrect",
                        "wrong data", "incorrect data"})) {
      effect.not_a_defect = "is about wrong query results, which no metric shows";
    } else if (AnyStem(lower, {"statistic", "information", "value"}) &&
               AnyStem(lower, {"incorrect", "abnormal", "inaccurate", "wrong",
                               "not up-to-date"})) {
      effect.not_a_defect = "is about how a value is computed or displayed";
    } else if (AnyStem(lower, {"syntax", "cannot be parsed", "parse error", "documentation",
                               "typo"})) {
      effect.not_a_defect = "is about SQL syntax or documentation";
    }
  }
  return effect;
}

std::string BugEffectDimension(std::string_view text) { return ReadBugEffect(text).dimension; }

bool FailureEffect(std::string_view dimension) {
  return dimension == "txn_failed" || dimension == "query_err";
}

std::vector<std::string> ConditionWords(std::string_view text) {
  // The vocabulary of failing loads and queries themselves, and common English.
  static const std::set<std::string> kShared = {
      "known", "loads", "loading", "stream", "broker", "routine", "spark", "insert", "kafka",
      "import", "imports", "ingestion", "queries", "query", "failed", "fails", "failure",
      "failures", "error", "errors", "reported", "reports", "returned", "returns", "occurs",
      "occurred", "exception", "thrown", "throws", "transaction", "transactions", "tasks",
      "execution", "executed", "executing", "statement", "statements", "cluster", "clusters",
      "nodes", "because", "caused", "causes", "causing", "during", "after", "before", "where",
      "which", "while", "there", "their", "these", "those", "other", "could", "would", "might",
      "cannot", "should", "being", "certain", "circumstances", "scenarios", "specific",
      "issue", "issues", "problem", "problems", "incorrect", "incorrectly", "properly",
      "unexpected", "unexpectedly", "under", "within", "without", "using", "users", "system",
      "table", "tables", "multiple", "large", "number", "value", "values", "result", "results",
      "support", "supported", "enabled", "disabled", "allowed", "always", "sometimes",
      "frequently", "cases", "about", "against", "through", "between", "wrong", "canceled",
      "cancelled", "paused", "aborted", "database", "databases", "longer", "exist", "exists",
      "still", "again", "correctly", "returning", "return"};
  std::vector<std::string> words;
  std::string word;
  const std::string lower = Lower(text) + " ";
  for (char c : lower) {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    if (word.size() >= 5 && !kShared.contains(word) &&
        std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(word);
    }
    word.clear();
  }
  return words;
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
