// The playbook's vocabulary: how it reads a metric dimension or an alert name in diagnostic
// terms — the causal order of the dimensions (what is upstream of what), the category a
// dimension points to on its own, which dimension an alert is about, the words that describe a
// symptom (for the Knowledge Lake query and for matching a known bug to it), and the phrases
// in a known bug's text that name a trigger the telemetry must show before the bug is blamed.
// All of it is listed in agent/README.md "Playbook rules".
// Thread-safety: immutable data and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/root_cause.h"

namespace rh::agent::internal {

// Position in the causal order (0 = furthest upstream). A dead node explains everything below
// it; resource exhaustion (disk, compaction, memory) explains failed loads, errors, CPU and
// latency; CPU explains latency. `critical` moves query errors above CPU: an error rate over
// the critical threshold is a cause of its own, a few errors are a symptom.
int CausalRank(std::string_view dimension, bool critical);

// The category a new symptom in `dimension` points to when no rule above it applies.
RootCause DimensionCategory(std::string_view dimension);

// The dimension an alert is about ("" when it maps to none, e.g. connection limits).
std::string AlertDimension(std::string_view alert_name);

// The category an alert points to when it watches a quantity none of the 14 metric dimensions
// measures (nullopt for the others): the root path or the FE metadata disk filling, a checkpoint
// failure, failing compactions, routine-load lag, the per-database transaction limit, MV
// refresh failures, the user connection limit, disk I/O saturation. Healthy metrics cannot show
// such an alert to be noise. The official StarRocks names, custom and Chinese wordings.
std::optional<RootCause> UnmeasuredAlertCategory(std::string_view alert_name);

// Whether an alert watches a cause of slow queries that no dimension measures and that leaves
// the CPU idle: the query queue ("Query Queue Pending", "查询排队"), a resource group's limit,
// object-storage throttling on shared-data ("S3 Throttling", "OSS 限流"), a cold data cache.
// Such alerts are about latency (AlertDimension) and, on their own, slow_queries.
bool SlowQueryCauseAlert(std::string_view alert_name);

// Whether an alert counts failure events (a compaction, an MV refresh, a schema change failing:
// increase(...[1m]) > 0) rather than watching a level: such a rule fires and resolves with every
// failure, so its flapping is the failures repeating.
bool FailureEventAlert(std::string_view alert_name);

// Volume dimensions judged against their baseline: the workload, not a symptom of trouble.
bool IsWorkloadDimension(std::string_view dimension);

// True when a larger value is worse (false for alive_be).
bool HigherIsWorse(std::string_view dimension);

// "BE memory usage", "query latency p99", ... for sentences.
std::string DimensionLabel(std::string_view dimension);

// The symptom in words for the Knowledge Lake ("BE memory climbing towards mem_limit").
std::string SymptomPhrase(std::string_view dimension, bool rising);

// Lower-case words whose presence in a document means it talks about this symptom.
const std::vector<std::string>& SymptomKeywords(std::string_view dimension);

// The full metric name of a dimension (store/metric_catalog.h), "" when unknown.
std::string MetricName(std::string_view dimension);

// Triggers a known bug may name that leave a trace in the telemetry.
enum class BugTrigger {
  kNone,
  kFailedLoadsOrCompactions,  // "after failed loads", "failed commit", "compaction fails"
  kDiskFailure,               // "disk failure", "read-only disk"
};
// The triggers named in `text` (lower-cased by the caller).
std::vector<BugTrigger> TriggersIn(std::string_view lower_text);
std::string TriggerLabel(BugTrigger trigger);

// ---- node alerts -----------------------------------------------------------------------------

// The node type an alert says is lost, down or crashing: "FE", "BE", "CN", or "" when the alert
// is not about a node. Official names ("FE Service Suspension", "BE Service Suspension",
// "Frontends Status"), custom ones ("fe follower down", "BE crash loop") and the text of the
// alert (its summary or description: "SIGSEGV", "core dumped", "heartbeat lost", "节点宕机").
std::string LostNodeType(std::string_view alert_name, std::string_view alert_detail);
// Crash text in an alert (SIGSEGV, SIGABRT, core dump, OOM killer, "exited unexpectedly", ...).
bool CrashText(std::string_view alert_detail);
// Out-of-memory text: the kernel OOM killer, "Out of memory: Killed process", a Java
// OutOfMemoryError. A node lost this way is the effect of memory exhaustion, not its cause.
bool OomText(std::string_view alert_detail);

// ---- known bugs -------------------------------------------------------------------------------

// Whether `version` lies in the affected range of a known bug fixed in `fixed_in` (the lake's
// comma-separated fixing versions, "3.3.6,3.2.12": 3.3.0-3.3.5 and 3.2.0-3.2.11 are affected).
// The range is the cluster's own minor line: affected when a fix on that line is later than the
// version; not affected when the fix on the line is not later; unknown (nullopt) when no fix
// lists the line or a version does not parse.
std::optional<bool> VersionAffected(std::string_view version, std::string_view fixed_in);

// The dimension whose symptom a known bug's text describes as its effect ("BE crashes" ->
// alive_be, "memory leak" -> be_mem, "loads fail" -> txn_failed, ...), "" when the text
// describes none. A bug about how a metric or monitoring value is computed or displayed has no
// symptom in the cluster ("" too): "Incorrect calculation of the query error rate metric"
// shares words with failing queries but does not make queries fail.
std::string BugEffectDimension(std::string_view lower_text);
// Whether the text is about a monitoring metric's value rather than the cluster's behaviour.
bool MetricArtifact(std::string_view lower_text);

std::string Lower(std::string_view text);
bool ContainsAny(std::string_view lower_text, const std::vector<std::string>& words);

}  // namespace rh::agent::internal
