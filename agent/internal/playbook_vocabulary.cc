#include "agent/internal/playbook_vocabulary.h"

#include <algorithm>
#include <initializer_list>
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

std::string BugEffectDimension(std::string_view lower_text) {
  if (MetricArtifact(lower_text)) return "";
  // Effects in the order of the causal chain: a crash explains what follows it.
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kEffects = {
      {"alive_be",
       {"be crash", "bes crash", "be to crash", "be may crash", "cn crash", "crashes", "crash",
        "be exits", "exits unexpectedly", "core dump", "sigsegv", "coredump"}},
      {"disk",
       {"disk usage keeps", "disk space", "disk usage grow", "disk full", "files not cleaned",
        "not deleted", "not released", "trash"}},
      {"compaction",
       {"compaction score", "compaction slow", "compaction stuck", "compaction fail",
        "too many versions", "version count", "compaction could not", "compaction cannot"}},
      {"fe_heap", {"fe heap", "fe oom", "fe jvm", "full gc", "checkpoint"}},
      {"be_mem",
       {"memory leak", "memory usage keeps", "mem_limit", "memory exceed", "exceeds its limit",
        "over its limit", "page cache", "pagecache", "memory grows", "oom"}},
      {"txn_failed",
       {"load fail", "loads fail", "loading fail", "load job fail", "stream load fail",
        "routine load pause", "routine load job pause", "load jobs pause", "jobs are paused", "publish timeout", "publish fail",
        "import fail", "transaction fail", "txn fail"}},
      {"query_err",
       {"query fail", "queries fail", "query error", "queries return error", "query returns an error",
        "queries to fail", "query to fail"}},
      {"latency", {"slow quer", "query latency", "performance degrad", "queries slow", "query hangs"}},
      {"cpu", {"cpu usage", "high cpu", "cpu utili"}},
  };
  for (const auto& [dimension, phrases] : kEffects) {
    if (ContainsAny(lower_text, phrases)) return dimension;
  }
  return "";
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
