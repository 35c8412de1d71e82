// The playbook's diagnostic rules, in two passes over PlaybookFacts.
//
// Assess (after protocol steps 1-4: info, alerts, metrics, operations) finds the symptoms: the
// dimensions whose latest value crosses a threshold, whether each is new (a change point or a
// rise from a healthy 7-days-ago baseline, or a firing alert about it) or chronic, the onset of
// each, the primary symptom (the most upstream new symptom in the causal order of
// agent/README.md "Playbook rules"), flapping alerts on healthy metrics, a telemetry gap, the
// workload shifts, and a change operation shortly before the onset. From it the engine derives
// the inputs of steps 5-8: the Knowledge Lake query (KnowledgeQuery) and the SQL checks
// (PlanSql).
//
// Diagnose (after all eight steps) asks the diagnosis families of internal/diagnosis/ in their
// decision order (decision_order.cc: telemetry gap, node down, account-wide, operation-induced,
// known bug, then the primary symptom's own category, a volume collapse, an alert about what no
// dimension measures, alert noise, chronic, healthy); the first
// that applies sets severity from the category, the magnitude and the customer tier, computes
// confidence from the independent signals that agree, and writes the Report: root cause,
// evidence citing the tool calls, ordered recommendations within the instance limits, summary.
// Every rule and constant is listed in agent/README.md.
// Thread-safety: pure functions over values owned by the caller.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/internal/playbook_facts.h"
#include "agent/internal/playbook_vocabulary.h"
#include "agent/report.h"

namespace rh::agent::internal {

// One dimension whose latest value crosses its warning or critical threshold.
struct Symptom {
  const DimensionFact* dimension = nullptr;
  int level = 0;        // 2 critical, 1 warning
  bool is_new = false;  // a change point or a rise from a healthy baseline, or a firing alert
  std::optional<TimePoint> onset;        // change-point start, else state_since
  std::vector<const AlertFact*> alerts;  // currently firing alerts about this dimension
  int causal_rank = 99;                  // position in the causal order (lower = further upstream)
  // Not over a threshold in the latest hour, but its level since a change point in the bad
  // direction is (an intermittent problem: slow disk I/O every two hours, say).
  bool intermittent = false;
};

// How a symptom's state reads in a sentence: "critical", "warning", or "intermittently over its
// warning threshold".
std::string StateWords(const Symptom& symptom);

// A workload dimension (qps, scan_rows, load_rate) that moved.
struct WorkloadShift {
  const DimensionFact* dimension = nullptr;
  double factor = 1.0;  // level now / level before (change point), else latest / baseline
  bool rising = true;
  std::optional<TimePoint> started;
};

struct Assessment {
  std::optional<int64_t> gap_hours;      // telemetry gap of at least kGapHours
  // The latest hour or two without a snapshot (a gap shorter than kGapHours): the metrics
  // cannot clear what the alerts or the health score saw in those hours.
  std::optional<int64_t> recent_gap_hours;
  bool no_telemetry = false;             // no snapshot at all
  std::vector<Symptom> symptoms;         // new ones first, then by causal rank
  std::optional<size_t> primary;         // index into symptoms of the first new symptom
  std::optional<TimePoint> onset;        // of the primary symptom, else the first firing alert
  std::optional<TimePoint> first_alert;  // firing_since of the primary's alerts, else any
  std::vector<const AlertFact*> firing;
  std::vector<const AlertFact*> flapping;
  std::vector<WorkloadShift> workload;               // workload dimensions that moved
  const OperationFact* suspect_operation = nullptr;  // a change shortly before the onset
  double suspect_minutes_before = 0;                 // operation start -> onset, minutes
  // A node the alerts say is lost: a firing node alert, or one that flapped in the last 24 h
  // and is critical or carries crash text (SIGSEGV, ...); nullptr when none.
  const AlertFact* node_alert = nullptr;
  std::string lost_node_type;  // FE | BE | CN, with node_alert
  // BE/CN node alerts the metrics contradict: every node alive over the whole window, no new
  // symptom, no workload drop and no crash text. A rule that says a node is down while none is
  // and nothing suffers is a wrong rule (alert noise), not a lost node.
  std::vector<const AlertFact*> unconfirmed_node_alerts;
  // Firing or flapping alerts about a measured dimension whose metric never came near the
  // warning threshold in the window (peak under kNeverApproached of it): the rule is wrong.
  std::vector<const AlertFact*> contradicted_alerts;
  // The node was lost to memory exhaustion (OOM-killed, or memory critical before the loss):
  // the memory symptom is then the primary one and the node loss its effect.
  bool oom_kill = false;
  // Dimensions that regressed (a change point in the bad direction of at least x1.5) without
  // crossing a threshold; they count only as the effect of a suspect operation.
  std::vector<const DimensionFact*> regressions;
  // A volume dimension (load_rate, else qps) fallen to near zero against its baseline.
  const DimensionFact* collapsed = nullptr;
  double collapse_ratio = 1.0;  // latest / baseline of `collapsed`

  const Symptom* Primary() const { return primary ? &symptoms[*primary] : nullptr; }
  bool WorkloadSurge() const;  // a workload dimension rose
  const WorkloadShift* Shift(const std::string& dimension) const;
};

Assessment Assess(const PlaybookFacts& facts);

// Whether `alert` is about a measured, non-workload dimension whose metric stayed healthy over
// the whole window with its peak under 80 % of the warning threshold: the alert fired on
// something the metrics show did not happen.
bool MetricContradictsAlert(const AlertFact& alert, const MetricFacts& metrics);
// The highest a dimension reached in the window: its max, latest or p95, whichever is highest.
double WindowPeak(const DimensionFact& dim);

// Step 5: the search text: the symptoms in words ("without workload growth" when it applies),
// never alert names (an alert's name shares words with unrelated bugs).
std::string KnowledgeQuery(const PlaybookFacts& facts, const Assessment& assessment);
// Step 5's search: known bugs affecting the cluster's version (kinds and version filters) when
// there is a symptom or a lost node; guidelines otherwise.
Json KnowledgeSearch(const PlaybookFacts& facts, const Assessment& assessment, int hits);
// The second step-5 search: the resolution of `bug` when one is a candidate, else resolutions,
// guidelines and on-call logs about the symptoms (nullopt: nothing to look up).
std::optional<Json> FollowUpSearch(const PlaybookFacts& facts, const Assessment& assessment,
                                   const KnowledgeHitFact* bug);

// Whether a known bug applies to this cluster: its version inside the bug's affected range
// (VersionAffected) and the effect its release note describes (ReadBugEffect) the observed
// symptom's dimension or category, in the same process (an FE heap bug does not explain BE
// memory). A note that describes nothing the telemetry shows (how a metric is computed, a
// SHOW statement's output, wrong results, a feature) never applies. Shared words are not
// enough. `why_not` says why not.
bool BugApplies(const KnowledgeHitFact& bug, const std::string& version,
                const std::string& symptom_dimension, std::string* why_not);

// Whether a Knowledge Lake hit talks about `dimension`'s symptom (its title or snippet holds one
// of the dimension's symptom keywords).
bool NamesSymptom(const KnowledgeHitFact& hit, const std::string& dimension);

// Whether the telemetry shows `trigger`, a condition a bug's note names (playbook_vocabulary.h
// BugTrigger): failed loads or compactions, a failed disk, loads running, a restart, upgrade or
// scaling operation in the window, the cluster's architecture.
bool TriggerObserved(const PlaybookFacts& facts, BugTrigger trigger);

// A known_bug hit of step 5 judged against this cluster and its primary symptom.
struct BugVerdict {
  const KnowledgeHitFact* hit = nullptr;
  bool applies = false;  // BugApplies, and every trigger its note names that leaves a trace seen
  std::string why_not;   // when it does not apply
  // How precisely it describes what is observed: the symptom's own dimension rather than its
  // category, and each named condition the telemetry confirms.
  int specificity = 0;
};
// Every known_bug hit of step 5: those that apply first, the most specific first (the search's
// order breaks ties), then the others in the search's order. Empty without a primary symptom.
std::vector<BugVerdict> JudgeKnownBugs(const PlaybookFacts& facts, const Assessment& assessment);

// The most specific known_bug hit of step 5 that applies to the primary symptom (the first of
// JudgeKnownBugs; nullptr: none). The engine then searches again, for that bug's resolution
// (BugResolutionSearch).
const KnowledgeHitFact* BugCandidate(const PlaybookFacts& facts, const Assessment& assessment);
Json BugResolutionSearch(const PlaybookFacts& facts, const KnowledgeHitFact& bug);

// Step 8: the read-only statements the rules need, each with the purpose shown in the report.
struct SqlCheck {
  std::string kind;  // before_after | sibling_onsets | sibling_shift | last_snapshots |
                     // alert_pattern
  std::string purpose;
  std::string statement;
};
std::vector<SqlCheck> PlanSql(const PlaybookFacts& facts, const Assessment& assessment);

// What the SQL checks showed, as the rules use it. facts.sql[i] answers checks[i].
struct SqlFindings {
  // before_after: per dimension, the mean over the same hours of the day before the onset and
  // the mean since the onset.
  std::vector<std::pair<std::string, std::pair<double, double>>> before_after;
  std::string before_after_call;
  // sibling_onsets: per sibling sharing an alert, |its episode start - ours| in hours.
  std::vector<std::pair<std::string, double>> sibling_gaps;
  std::string sibling_call;
  // sibling_shift: sibling -> dimension -> (mean before, mean since), over our windows.
  std::map<std::string, std::map<std::string, std::pair<double, double>>> sibling_shifts;
  std::string sibling_shift_call;
  // last_snapshots / alert_pattern: a one-line summary for the evidence.
  std::string last_snapshots_text;
  std::string last_snapshots_call;
  std::string alert_pattern_text;
  std::string alert_pattern_call;

  std::optional<std::pair<double, double>> Compare(const std::string& dimension) const;
};
SqlFindings ReadSqlFindings(const PlaybookFacts& facts, const std::vector<SqlCheck>& checks);

Report Diagnose(const PlaybookFacts& facts, const Assessment& assessment, const SqlFindings& sql);

}  // namespace rh::agent::internal
