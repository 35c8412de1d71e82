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

// Conditions a known bug's release note names ("after failed loads", "when a disk fails",
// "under high-frequency loading", "in shared-data clusters") that leave a trace in the
// telemetry: the bug is blamed only when the trace is there. Conditions that leave none (a
// query shape, a table type) cannot be checked and do not count.
enum class BugTrigger {
  kNone,
  kFailedLoads,               // "after failed loads", "failed commit"
  kFailedCompactions,         // "compaction fails", "compaction failures may occur"
  kFailedLoadsOrCompactions,  // "after a failed commit or compaction"
  kDiskFailure,               // "disk failure", "read-only disk", "a disk is broken"
  kHighFrequencyLoading,      // "high-frequency loading", "frequent loads": loads running
  kRestartOrUpgrade,          // "after an FE restart", "after upgrading": such an operation
  kScaling,                   // "after scaling in", "decommissioning a BE": a SCALE operation
  kSharedData,                // "in shared-data clusters", "on CN nodes": the architecture
  kSharedNothing,             // "in shared-nothing clusters"
};
// A known bug's text up to its resolution or workaround ("Resolution:", "Meanwhile ...",
// "Workaround"): what the bug does, not what to do about it ("schedule rolling BE restarts" is
// no trigger). TriggersIn and ReadBugEffect read only this part.
std::string_view BugDescription(std::string_view text);
// The triggers named in `text` (any case).
std::vector<BugTrigger> TriggersIn(std::string_view text);
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

// What a known bug's release note says the bug does to the cluster, read the way StarRocks
// release notes word their fixes: "BE crashes when ...", "Memory leaks in INSERT tasks", "FE OOM
// caused by ...", "Compaction could be delayed", "Routine Load tasks were canceled ...", "disk
// space is not released", "queries fail ...", "query performance degrades ...".
struct BugEffect {
  // The dimension whose symptom the bug causes ("" when the note describes none the telemetry
  // measures): alive_be (a crash), disk, compaction, be_mem or fe_heap, txn_failed, query_err,
  // latency, cpu.
  std::string dimension;
  // Where it happens, for crashes and memory: "FE", or "BE" (a BE or CN: the note names it,
  // or the memory and crashes of the execution engine when it names no process).
  std::string process;
  // Non-empty when the note describes nothing the cluster's telemetry can show, and why: how
  // a monitoring metric is computed or displayed, the output of a SHOW/DESC statement, wrong
  // query results, syntax or documentation, a feature or an improvement.
  std::string not_a_defect;
};
// `text` in any case: the process is read from the notes' upper-case FE/BE/CN.
BugEffect ReadBugEffect(std::string_view text);

// ReadBugEffect(text).dimension: "BE crashes" -> alive_be, "memory leak" -> be_mem, "loads
// fail" -> txn_failed, ...; "" for a note about how a metric is computed or displayed
// ("Incorrect calculation of the query error rate metric" shares words with failing queries
// but does not make queries fail).
std::string BugEffectDimension(std::string_view text);
// A failure of single operations (loads or queries failing): release notes describe such a bug
// by the input it fails on ("Stream Load fails when the JSON holds ..."), so its effect alone
// matches any failure of that kind; the failures' own error text must show the condition.
bool FailureEffect(std::string_view dimension);
// The words of a note that name its condition rather than its effect: lower-case words of five
// letters or more, without the words every load or query failure shares ("stream", "loading",
// "failed", "queries", "error", ...) and common English.
std::vector<std::string> ConditionWords(std::string_view text);
// Whether the text is about a monitoring metric's value rather than the cluster's behaviour.
bool MetricArtifact(std::string_view lower_text);

std::string Lower(std::string_view text);
bool ContainsAny(std::string_view lower_text, const std::vector<std::string>& words);

}  // namespace rh::agent::internal
