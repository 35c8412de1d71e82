// The playbook's vocabulary: how it reads a metric dimension or an alert name in diagnostic
// terms — the causal order of the dimensions (what is upstream of what), the category a
// dimension points to on its own, which dimension an alert is about, the words that describe a
// symptom (for the Knowledge Lake query and for matching a known bug to it), and the phrases
// in a known bug's text that name a trigger the telemetry must show before the bug is blamed.
// All of it is listed in agent/README.md "Playbook rules".
// Thread-safety: immutable data and pure functions.
#pragma once

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

std::string Lower(std::string_view text);
bool ContainsAny(std::string_view lower_text, const std::vector<std::string>& words);

}  // namespace rh::agent::internal
