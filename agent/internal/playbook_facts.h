// PlaybookFacts: what the eight tools told the playbook engine, as plain C++ values. Each tool's
// JSON output (fields documented in tools/README.md) is read once, early, by a Read* function;
// the diagnostic rules (playbook_rules.h) never touch JSON. Every fact group remembers the id of
// the tool call it came from ("call_<n>"), so each piece of evidence can cite it.
//
// A tool that failed (is_error) or whose output could not be parsed leaves its group with
// `ok == false` and the error text in `error`; the rules then work without it (the knowledge
// lake missing, for example, only costs the known-bug rule its confirmation).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh::agent::internal {

// Where a fact group came from.
struct CallSource {
  std::string call_id;  // "call_3"
  std::string tool;
  bool ok = false;    // the call succeeded and its output parsed
  std::string error;  // the tool's error text when !ok
};

struct NodeGroupFact {
  std::string node_type;  // FE | BE | CN
  int64_t count = 0;
  int64_t cu = 0;
  std::string spec_type;
  int64_t disk_size_gb = 0;
  std::string essd_level;  // empty for local disks
};

struct ClusterFacts {
  CallSource source;
  std::string cluster_id;
  std::string cluster_name;
  std::string account_id;
  std::string tier;  // S | A | B | C ("" when unknown)
  std::string version;
  std::string architecture;  // shared_nothing | shared_data
  std::string region;
  std::string status;
  int64_t account_clusters = 0;
  std::vector<NodeGroupFact> node_groups;
  std::optional<double> health_score;
  std::string risk_level;  // Healthy | Warning | Critical ("" when not scored)

  // The compute group: BE for shared_nothing, CN for shared_data (nullptr when unknown).
  const NodeGroupFact* Compute() const;
  const NodeGroupFact* Group(const std::string& node_type) const;
};

struct AlertFact {
  std::string name;
  std::string severity;
  int firing = 0;  // Firing messages in the window
  int resolved = 0;
  int episodes = 0;  // transitions into Firing in the window
  bool currently_firing = false;
  bool flapping = false;
  std::optional<TimePoint> firing_since;  // for currently firing alerts
  std::optional<TimePoint> first_seen;
  std::optional<TimePoint> last_seen;
  std::string detail;
};

struct AlertFacts {
  CallSource source;
  int window_hours = 0;
  std::vector<AlertFact> alerts;  // currently firing first
  int currently_firing = 0;
  int firing_messages = 0;

  const AlertFact* Find(const std::string& name) const;
  std::vector<const AlertFact*> Firing() const;
  std::vector<const AlertFact*> Flapping() const;
  // The earliest firing_since of the currently firing alerts.
  std::optional<TimePoint> FirstFiringSince() const;
};

struct ChangePointFact {
  TimePoint started;
  bool rising = true;
  double level_before = 0;
  double level_now = 0;
  int64_t hours_ago = 0;
};

struct DimensionFact {
  std::string name;  // short name: cpu, be_mem, disk, ...
  std::string unit;
  std::string state;  // healthy | warning | critical | no_data
  std::string worst_state;
  double latest = 0;
  double avg = 0;
  double max = 0;
  std::optional<double> baseline_avg;
  std::optional<double> change_pct;
  std::optional<double> ratio_to_baseline;
  std::optional<TimePoint> state_since;
  double trend_per_hour = 0;
  std::optional<double> projected_hours_to_critical;
  std::optional<ChangePointFact> change;
  double warning = 0;
  double critical = 0;
  int64_t samples = 0;  // hourly snapshots in the metrics window
  std::optional<double> p95;  // 95th percentile of the window's hourly values

  bool abnormal() const { return state == "warning" || state == "critical"; }
  bool critical_now() const { return state == "critical"; }
  bool rising() const { return change && change->rising; }
  bool falling() const { return change && !change->rising; }
  // latest / baseline_avg when the baseline is positive.
  std::optional<double> LatestOverBaseline() const;
};

struct MetricFacts {
  CallSource source;
  std::vector<std::string> extra_call_ids;  // follow-up calls for dimensions cut by the budget
  std::map<std::string, DimensionFact> dimensions;  // by short name
  std::optional<TimePoint> latest_snapshot;
  std::optional<int64_t> data_gap_hours;
  bool no_snapshots = false;
  int64_t window_hours = 0;  // the metrics window (24 by default)

  const DimensionFact* Find(const std::string& name) const;
};

struct OperationFact {
  std::string operation_id;
  std::string type;  // START | STOP | UPDATE | SCALE | RESTART | UPGRADE
  std::string actor;
  std::string result;  // SUCCESS | FAILED | RUNNING
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  Json parameters;  // object, or a string when the tool clipped it, or null
  std::string ParametersText() const;
};

struct OperationFacts {
  CallSource source;
  int window_hours = 0;
  std::vector<OperationFact> operations;  // newest first
};

struct KnowledgeHitFact {
  std::string title;
  std::string source;
  std::string kind;  // oncall_log | known_bug | guideline | resolution | doc
  std::string version;
  std::string snippet;  // plain text (the lake's [match] marks removed)
  double score = 0;

  // The document's own title: the heading path's first part, without a "Known bug: " prefix.
  std::string DocumentTitle() const;
};

struct KnowledgeFacts {
  CallSource source;
  std::string query;
  std::string version_filter;
  std::vector<KnowledgeHitFact> hits;
  // A second search for the resolution of a known bug that matched (absent otherwise).
  CallSource followup;
  std::vector<KnowledgeHitFact> followup_hits;
};

struct PastReportFact {
  std::string report_id;
  RootCause category = RootCause::kInsufficientData;
  Severity severity = Severity::kInfo;
  double days_ago = 0;
  std::string root_cause;
};

struct MemoryFacts {
  CallSource source;
  int64_t repeats_30d = 0;
  std::map<RootCause, int64_t> repeats_by_category;
  std::vector<PastReportFact> this_cluster;
  std::vector<PastReportFact> same_account;
};

struct PeerFact {
  std::string cluster_id;
  bool same_account = false;
  bool same_version = false;
  std::string risk_level;
  std::vector<std::string> shared_alerts;
};

struct SiblingFacts {
  CallSource source;
  std::string pattern;  // account_wide | version_wide | cluster_specific | no_firing_alerts
  std::string pattern_reason;
  int64_t siblings = 0;
  int64_t siblings_sharing = 0;
  int64_t siblings_degraded_sharing = 0;
  int64_t version_peers_sharing = 0;
  std::vector<PeerFact> peers;

  std::vector<const PeerFact*> SiblingsSharing() const;
};

// One run_sql call: what it asked and the rows it got back (cells as JSON).
struct SqlFacts {
  CallSource source;
  std::string purpose;  // why the engine asked (shown in the evidence)
  std::string statement;
  std::vector<std::string> columns;
  std::vector<std::vector<Json>> rows;
};

struct PlaybookFacts {
  std::string cluster_id;
  std::string question;
  TimePoint now{};
  ClusterFacts cluster;
  AlertFacts alerts;
  MetricFacts metrics;
  OperationFacts operations;
  KnowledgeFacts knowledge;
  MemoryFacts memory;
  SiblingFacts siblings;
  std::vector<SqlFacts> sql;  // step 8: one per check the rules asked for
};

// The readers: each parses one tool's output text into its facts; a parse failure leaves
// source.ok false with a message naming the tool.
void ReadClusterInfo(const std::string& output, ClusterFacts* facts);
void ReadAlerts(const std::string& output, AlertFacts* facts);
// Merges the dimensions of one query_cluster_metrics output into `facts` (call again for a
// follow-up call with the dimensions a budget cut left out). Returns the dimension names the
// output said were omitted (empty when nothing was cut).
std::vector<std::string> ReadMetrics(const std::string& output, MetricFacts* facts);
void ReadOperations(const std::string& output, OperationFacts* facts);
void ReadKnowledge(const std::string& output, KnowledgeFacts* facts);
void ReadKnowledgeFollowUp(const std::string& output, KnowledgeFacts* facts);
void ReadMemory(const std::string& output, MemoryFacts* facts);
void ReadSiblings(const std::string& output, SiblingFacts* facts);
void ReadSql(const std::string& output, SqlFacts* facts);

// Optional time from an ISO or SQL time string in `object[key]` (nullopt when absent/null/bad).
std::optional<TimePoint> JsonTime(const Json& object, const char* key);
std::optional<double> JsonNumber(const Json& object, const char* key);

}  // namespace rh::agent::internal
