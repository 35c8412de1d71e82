// Assess, the step-5 query and the step-8 SQL checks (see playbook_rules.h; the constants are
// documented in agent/README.md "Playbook rules").
#include "agent/internal/playbook_rules.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <set>
#include <regex>
#include <tuple>

#include "agent/internal/playbook_vocabulary.h"
#include "core/time_format.h"
#include "store/metric_catalog.h"

namespace rh::agent::internal {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr int64_t kGapHours = 3;           // no snapshot for this long: a telemetry gap
constexpr double kWorkloadFactor = 1.3;    // a workload change point this large is a shift
constexpr auto kSuspectBefore = hours(4);  // a change this long before the onset is suspect
// An operation still running at the onset (a rolling upgrade restarting node after node) is
// suspect however long ago it started, within a day.
constexpr auto kInProgressBefore = hours(24);
constexpr double kNeverApproached = 0.8;  // a peak under 80% of warning never approached it
constexpr auto kSuspectAfterOnsetHour = minutes(60);  // hourly data: onset hour + 1 h at most
constexpr int kMaxBeforeAfterWeeks = 2;  // how far back the same-hours comparison may go
constexpr int kFlapEpisodes = 3;          // firing episodes in the window: a flapping alert
constexpr double kCollapseRatio = 0.2;    // volume at or under 20% of its baseline: collapsed
constexpr double kRegressionFactor = 1.5;  // a sub-threshold change this large is a regression
constexpr double kRegressionShareOfWarning = 0.3;  // ... reaching 30% of the warning threshold
// Step 5 asks for this many known bugs at least: among a real release-note corpus (thousands
// of fixes) the one that describes the symptom may rank below notes that share its words.
constexpr int kKnownBugHits = 10;
// "Under high-frequency loading": the load rate at half its baseline or more.
constexpr double kLoadingStillRunning = 0.5;

double Minutes(Duration duration) {
  return std::chrono::duration<double, std::ratio<60>>(duration).count();
}

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Whether the baseline (same window a week earlier) was already abnormal: then the symptom is
// chronic unless something changed.
bool BaselineAbnormal(const DimensionFact& dim) {
  if (!dim.baseline_avg) return false;
  if (HigherIsWorse(dim.name)) return *dim.baseline_avg >= dim.warning;
  return *dim.baseline_avg < dim.warning;
}

bool ChangeInBadDirection(const DimensionFact& dim) {
  if (!dim.change) return false;
  return dim.change->rising == HigherIsWorse(dim.name);
}

// Change operations that can cause a regression: version and config changes, scaling (data
// moves either way), a stop, and a restart before the onset (a restart after it is the
// reaction to the alert, and the window excludes it). Starts are not suspects.
bool IsChangeOperation(const OperationFact& op) {
  return op.type == "UPGRADE" || op.type == "UPDATE" || op.type == "STOP" ||
         op.type == "SCALE" || op.type == "RESTART";
}

// Alert severities that page: the vocabulary's critical and high, and common custom labels.
bool PagingSeverity(const std::string& label) {
  if (auto parsed = ParseSeverity(label)) return AtLeast(*parsed, Severity::kHigh);
  const std::string lower = Lower(label);
  return lower == "p0" || lower == "p1" || lower == "fatal" || lower == "page" ||
         lower == "严重" || lower == "紧急";
}

// Symptoms a workload change can drive (the query says whether the workload moved).
bool WorkloadSensitive(const std::string& dimension) {
  return dimension == "be_mem" || dimension == "jvm_heap" || dimension == "fe_heap" ||
         dimension == "disk" || dimension == "compaction" || dimension == "cpu" ||
         dimension == "latency";
}

// The worst state in the window (the latest one when the tool did not say).
const std::string& WorstState(const DimensionFact& dim) {
  return dim.worst_state.empty() ? dim.state : dim.worst_state;
}

// A failure-event alert about `dim` (AlertDimension: "Cumulative Compaction Failure Alert" ->
// compaction) firing, or repeating in the last 12 h, while `dim` climbs by x1.5 or more.
bool FailingWhileClimbing(const PlaybookFacts& facts, const DimensionFact& dim) {
  if (!ChangeInBadDirection(dim) || dim.change->level_before <= 0 ||
      dim.change->level_now < dim.change->level_before * kRegressionFactor) {
    return false;
  }
  for (const AlertFact& alert : facts.alerts.alerts) {
    const bool recent = alert.currently_firing ||
                        (alert.last_seen && *alert.last_seen >= facts.now - hours(12));
    if (recent && FailureEventAlert(alert.name) && AlertDimension(alert.name) == dim.name) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string StateWords(const Symptom& symptom) {
  return symptom.intermittent ? "intermittently over its warning threshold"
                              : symptom.dimension->state;
}

bool Assessment::WorkloadSurge() const {
  for (const WorkloadShift& shift : workload) {
    if (shift.rising) return true;
  }
  return false;
}

const WorkloadShift* Assessment::Shift(const std::string& dimension) const {
  for (const WorkloadShift& shift : workload) {
    if (shift.dimension && shift.dimension->name == dimension) return &shift;
  }
  return nullptr;
}

Assessment Assess(const PlaybookFacts& facts) {
  Assessment out;
  const MetricFacts& metrics = facts.metrics;
  if (metrics.source.ok) {
    if (metrics.no_snapshots || !metrics.latest_snapshot) {
      out.no_telemetry = true;
    } else if (metrics.data_gap_hours && *metrics.data_gap_hours >= kGapHours) {
      out.gap_hours = metrics.data_gap_hours;
    } else if (metrics.data_gap_hours && *metrics.data_gap_hours >= 1) {
      out.recent_gap_hours = metrics.data_gap_hours;
    }
  }
  out.firing = facts.alerts.Firing();
  out.flapping = facts.alerts.Flapping();

  for (const auto& [name, dim] : metrics.dimensions) {
    if (IsWorkloadDimension(name)) {
      WorkloadShift shift;
      shift.dimension = &dim;
      if (dim.change && dim.change->level_before > 0) {
        shift.factor = dim.change->level_now / dim.change->level_before;
        shift.rising = dim.change->rising;
        shift.started = dim.change->started;
        bool large =
            shift.rising ? shift.factor >= kWorkloadFactor : shift.factor <= 1.0 / kWorkloadFactor;
        if (large) out.workload.push_back(shift);
      } else if (dim.abnormal()) {
        shift.factor = dim.LatestOverBaseline().value_or(dim.ratio_to_baseline.value_or(1.0));
        shift.rising = true;
        shift.started = dim.state_since;
        out.workload.push_back(shift);
      }
      continue;
    }
    if (!dim.abnormal()) {
      // Intermittent: healthy this hour, but over the warning threshold on average since a
      // change point in the bad direction.
      // Or episodes: at least two hours over warning in the window (p95) from a healthy
      // baseline, one spike not counting.
      const bool since_change = dim.change && ChangeInBadDirection(dim) &&
                                dim.change->level_before > 0 &&
                                dim.change->level_now >= dim.warning &&
                                dim.change->level_before < dim.warning;
      const bool episodes = dim.p95 && *dim.p95 >= dim.warning && dim.baseline_avg &&
                            *dim.baseline_avg < dim.warning && dim.worst_state != "healthy";
      // Or failing: a failure-event alert about it (compactions failing) fires or repeats
      // while it climbs (a change point of x1.5): the backlog builds before any threshold.
      const bool failing = FailingWhileClimbing(facts, dim);
      if (!HigherIsWorse(name) || dim.warning <= 0 || !(since_change || episodes || failing)) {
        continue;
      }
      Symptom symptom;
      symptom.dimension = &dim;
      symptom.level = 1;
      symptom.intermittent = true;
      symptom.is_new = true;
      if (since_change || failing) symptom.onset = dim.change->started;
      symptom.causal_rank = CausalRank(name, false);
      for (const AlertFact* alert : out.firing) {
        if (AlertDimension(alert->name) == name) symptom.alerts.push_back(alert);
      }
      out.symptoms.push_back(std::move(symptom));
      continue;
    }
    Symptom symptom;
    symptom.dimension = &dim;
    symptom.level = dim.critical_now() ? 2 : 1;
    symptom.causal_rank = CausalRank(name, dim.critical_now());
    for (const AlertFact* alert : out.firing) {
      if (AlertDimension(alert->name) == name) symptom.alerts.push_back(alert);
    }
    bool changed = ChangeInBadDirection(dim);
    symptom.is_new = changed || !BaselineAbnormal(dim) || !symptom.alerts.empty();
    if (changed) {
      symptom.onset = dim.change->started;
    } else if (dim.state_since) {
      symptom.onset = dim.state_since;
    }
    out.symptoms.push_back(std::move(symptom));
  }
  // A BE/CN lost and back within the window (the alive ratio healthy now, not all window long)
  // with a new symptom after it: the loss explains what it left behind, such as latency from
  // a shared-data CN's cold data cache, or errors and failed loads while it was away.
  const DimensionFact* alive = metrics.Find("alive_be");
  const bool alive_dipped =
      alive && (WorstState(*alive) == "warning" || WorstState(*alive) == "critical");
  if (alive && !alive->abnormal() && alive_dipped && !BaselineAbnormal(*alive)) {
    // Not when memory is a new symptom too: a node that dies and returns while memory is at
    // its limit was OOM-killed, and the memory rule below tells that story.
    std::optional<TimePoint> first_effect;
    bool memory = false;
    for (const Symptom& symptom : out.symptoms) {
      const std::string& name = symptom.dimension->name;
      if (symptom.is_new && DimensionCategory(name) == RootCause::kMemoryPressure) memory = true;
    }
    for (const Symptom& symptom : out.symptoms) {
      if (memory || !symptom.is_new || !symptom.onset) continue;
      if (!first_effect || *symptom.onset < *first_effect) first_effect = symptom.onset;
    }
    if (first_effect) {
      Symptom symptom;
      symptom.dimension = alive;
      symptom.level = WorstState(*alive) == "critical" ? 2 : 1;
      symptom.intermittent = true;
      symptom.is_new = true;
      const bool dated = alive->change && !alive->change->rising &&
                         alive->change->started <= *first_effect;
      symptom.onset = dated ? alive->change->started : *first_effect;
      symptom.causal_rank = CausalRank("alive_be", false);
      for (const AlertFact* alert : out.firing) {
        if (AlertDimension(alert->name) == "alive_be") symptom.alerts.push_back(alert);
      }
      out.symptoms.push_back(std::move(symptom));
    }
  }
  std::stable_sort(out.symptoms.begin(), out.symptoms.end(),
                   [](const Symptom& a, const Symptom& b) {
                     if (a.is_new != b.is_new) return a.is_new;
                     if (a.causal_rank != b.causal_rank) return a.causal_rank < b.causal_rank;
                     return a.level > b.level;
                   });
  if (!out.symptoms.empty() && out.symptoms.front().is_new) out.primary = 0;

  // CPU over our warning level but under its critical one and with no CPU alert (the official
  // BE CPU Alert fires at 90 %) does not saturate the BEs. When latency is new and pages on its
  // own (critical, or an alert of its own firing), its cause is one that leaves the CPU idle
  // (disk I/O, object storage, the query queue, a resource group): latency is the primary.
  if (const Symptom* primary = out.Primary();
      primary && primary->dimension->name == "cpu" && primary->level == 1 &&
      primary->alerts.empty()) {
    for (size_t idx = 0; idx < out.symptoms.size(); ++idx) {
      const Symptom& symptom = out.symptoms[idx];
      if (symptom.is_new && symptom.dimension->name == "latency" &&
          (symptom.level == 2 || !symptom.alerts.empty())) {
        out.primary = idx;
        break;
      }
    }
  }

  // What a lost node does below it: a new symptom, or the workload (QPS, load rate) falling.
  std::vector<TimePoint> effect_onsets;
  bool any_effect = false;
  for (const Symptom& symptom : out.symptoms) {
    if (!symptom.is_new) continue;
    any_effect = true;
    if (symptom.onset) effect_onsets.push_back(*symptom.onset);
  }
  for (const WorkloadShift& shift : out.workload) {
    if (shift.rising) continue;
    any_effect = true;
    if (shift.started) effect_onsets.push_back(*shift.started);
  }
  const bool all_alive = alive && alive->state == "healthy" && WorstState(*alive) == "healthy" &&
                         !alive->falling();

  // A node lost: a firing node alert, or one that flapped in the last 24 h and pages or
  // carries crash text. A crash loop resolves between crashes: the latest hour may look fine.
  for (const AlertFact& alert : facts.alerts.alerts) {
    const std::string node_type = LostNodeType(alert.name, alert.detail);
    if (node_type.empty()) continue;
    const bool crash = CrashText(alert.detail) || OomText(alert.detail);
    // A BE/CN alert while the alive ratio shows every node up all window long, with nothing
    // suffering and no crash in its text: the rule is wrong, whether it fires or flaps. A crash
    // loop shows crash text or errors; a real loss shows in the alive ratio.
    if (node_type != "FE" && all_alive && !any_effect && !crash) {
      out.unconfirmed_node_alerts.push_back(&alert);
      continue;
    }
    const bool pages = PagingSeverity(alert.severity) || CrashText(alert.detail);
    const bool recent = alert.last_seen && *alert.last_seen >= facts.now - hours(24);
    const bool episodes = alert.flapping || alert.episodes >= kFlapEpisodes;
    bool lost = false;
    if (alert.currently_firing) lost = pages || node_type == "FE";
    // A node alert that flaps while the alive ratio dipped in the window: the metric confirms
    // the nodes went down and came back (a crash loop, or restarts of a rolling upgrade),
    // whatever severity the rule was given.
    if (!lost && episodes && recent) lost = pages || alive_dipped;
    // A node alert that fired in the last 24 h, with a new symptom or a workload drop that
    // started within 2 h of it: the node went away and took queries or loads with it. It must
    // page, unless it is about an FE: the leader's loss stops loads and DDL whatever severity
    // the rule was given, and no metric of ours counts FE nodes.
    if (!lost && recent && (pages || node_type == "FE") && alert.first_seen) {
      for (const TimePoint onset : effect_onsets) {
        const auto gap = onset > *alert.first_seen ? onset - *alert.first_seen
                                                   : *alert.first_seen - onset;
        if (gap <= hours(2)) lost = true;
      }
    }
    if (!lost) continue;
    if (!out.node_alert || (alert.currently_firing && !out.node_alert->currently_firing)) {
      out.node_alert = &alert;
      out.lost_node_type = node_type;
    }
  }

  // A node lost to memory exhaustion: the memory symptom comes first in the causal chain
  // (memory -> OOM kill -> node down), so it becomes the primary symptom.
  {
    const Symptom* primary = out.Primary();
    const bool node_lost = out.node_alert || (primary && primary->dimension->name == "alive_be");
    std::optional<TimePoint> lost_at;
    if (primary && primary->dimension->name == "alive_be") lost_at = primary->onset;
    if (out.node_alert && out.node_alert->first_seen &&
        (!lost_at || *out.node_alert->first_seen < *lost_at)) {
      lost_at = out.node_alert->first_seen;
    }
    bool oom_text = out.node_alert && OomText(out.node_alert->detail);
    for (const AlertFact& alert : facts.alerts.alerts) {
      if (!LostNodeType(alert.name, alert.detail).empty() && OomText(alert.detail)) {
        oom_text = true;
      }
    }
    for (size_t idx = 0; node_lost && idx < out.symptoms.size(); ++idx) {
      const Symptom& symptom = out.symptoms[idx];
      const std::string& name = symptom.dimension->name;
      if (!symptom.is_new || DimensionCategory(name) != RootCause::kMemoryPressure) continue;
      // Critical now, or at its peak in the window: the hourly value after the OOM killer
      // restarted the node is lower than the peak that killed it.
      const bool at_limit = symptom.level == 2 || WorstState(*symptom.dimension) == "critical";
      const bool earlier = at_limit && symptom.onset && lost_at &&
                           *symptom.onset + hours(1) <= *lost_at;
      if (oom_text || earlier) {
        out.primary = idx;
        out.oom_kill = true;
        break;
      }
    }
  }

  // Onset and the first alert about it.
  if (const Symptom* primary = out.Primary()) {
    out.onset = primary->onset;
    for (const AlertFact* alert : primary->alerts) {
      if (alert->firing_since && (!out.first_alert || *alert->firing_since < *out.first_alert)) {
        out.first_alert = alert->firing_since;
      }
    }
  }
  // Without an alert about the primary symptom, only alerts that may be about it (their name
  // maps to no dimension) date it: an alert about another dimension (a noisy rule firing since
  // yesterday) would drag the onset back and hide the change that caused the symptom.
  if (!out.first_alert && out.Primary()) {
    for (const AlertFact* alert : out.firing) {
      if (!alert->firing_since || !AlertDimension(alert->name).empty()) continue;
      if (!out.first_alert || *alert->firing_since < *out.first_alert) {
        out.first_alert = alert->firing_since;
      }
    }
  }
  if (!out.first_alert && !out.Primary()) out.first_alert = facts.alerts.FirstFiringSince();
  if (!out.onset && out.first_alert) out.onset = FloorToHour(*out.first_alert);
  if (out.onset && out.first_alert && *out.first_alert < *out.onset) {
    out.onset = FloorToHour(*out.first_alert);
  }

  if (out.node_alert && !out.Primary()) {
    std::optional<TimePoint> since = out.node_alert->currently_firing
                                         ? out.node_alert->firing_since
                                         : out.node_alert->first_seen;
    if (!since) since = out.node_alert->first_seen;
    if (since && (!out.onset || *since < *out.onset)) out.onset = FloorToHour(*since);
    if (since && (!out.first_alert || *since < *out.first_alert)) out.first_alert = since;
  }

  // A volume collapse: load rate (else QPS) near zero against its 7-days-ago baseline.
  for (const char* name : {"load_rate", "qps"}) {
    const DimensionFact* dim = metrics.Find(name);
    if (!dim || !dim->baseline_avg || *dim->baseline_avg <= 0) continue;
    double ratio = dim->latest / *dim->baseline_avg;
    if (dim->change && dim->change->level_before > 0 && !dim->change->rising) {
      ratio = std::min(ratio, dim->change->level_now / dim->change->level_before);
    }
    if (ratio <= kCollapseRatio) {
      out.collapsed = dim;
      out.collapse_ratio = ratio;
      if (!out.onset && dim->change && !dim->change->rising) out.onset = dim->change->started;
      break;
    }
  }

  // Regressions under the thresholds: they matter only after a change operation.
  if (!out.Primary() && !out.node_alert && !out.collapsed) {
    for (const auto& [name, dim] : metrics.dimensions) {
      if (IsWorkloadDimension(name) || name == "alive_be" || !dim.change) continue;
      if (!ChangeInBadDirection(dim) || dim.change->level_before <= 0) continue;
      if (dim.change->started < facts.now - hours(24)) continue;
      if (dim.change->level_now < dim.change->level_before * kRegressionFactor) continue;
      // A move that matters against the thresholds, not noise near zero.
      if (dim.change->level_now < dim.warning * kRegressionShareOfWarning) continue;
      out.regressions.push_back(&dim);
    }
  }

  // A change operation shortly before the onset (and before the first alert about it); a
  // failed one first, then the latest.
  // Each regressed dimension dates the change on its own (an hourly change point on a ramp
  // may start hours before or after the operation that set it off): any of them may be the
  // onset an operation precedes.
  std::vector<TimePoint> suspect_onsets;
  if (out.onset) {
    suspect_onsets.push_back(*out.onset);
  } else {
    for (const DimensionFact* dim : out.regressions) suspect_onsets.push_back(dim->change->started);
  }
  std::optional<TimePoint> suspect_onset;
  const bool to_explain =
      out.Primary() || out.node_alert || out.collapsed || !out.regressions.empty();
  for (const TimePoint onset : suspect_onsets) {
    if (!to_explain) break;
    for (const OperationFact& op : facts.operations.operations) {
      if (!op.started_at || !IsChangeOperation(op)) continue;
      const TimePoint started = *op.started_at;
      // Still running at the onset (or finishing after it): active whatever its start.
      const bool in_progress =
          op.result == "RUNNING" || (op.finished_at && *op.finished_at >= onset);
      const auto before_onset = in_progress ? kInProgressBefore : kSuspectBefore;
      if (started < onset - before_onset || started > onset + kSuspectAfterOnsetHour) continue;
      if (out.first_alert && started >= *out.first_alert) continue;
      // A restart in the onset hour is as likely the reaction as the cause.
      if (op.type == "RESTART" && started >= onset) continue;
      const OperationFact* current = out.suspect_operation;
      const bool failed = op.result == "FAILED";
      const bool current_failed = current && current->result == "FAILED";
      if (!current || (failed && !current_failed) ||
          (failed == current_failed && started > *current->started_at)) {
        out.suspect_operation = &op;
        out.suspect_minutes_before = Minutes(onset - started);
        suspect_onset = onset;
      }
    }
  }
  if (out.suspect_operation && !out.onset) out.onset = suspect_onset;

  std::set<const AlertFact*> seen;
  for (const auto* list : {&out.firing, &out.flapping}) {
    for (const AlertFact* alert : *list) {
      if (seen.insert(alert).second && MetricContradictsAlert(*alert, metrics)) {
        out.contradicted_alerts.push_back(alert);
      }
    }
  }
  return out;
}

bool MetricContradictsAlert(const AlertFact& alert, const MetricFacts& metrics) {
  if (!metrics.source.ok || !LostNodeType(alert.name, alert.detail).empty()) return false;
  const std::string dimension = AlertDimension(alert.name);
  if (dimension.empty() || IsWorkloadDimension(dimension) || !HigherIsWorse(dimension)) {
    return false;
  }
  // An alert about what no dimension measures (the queue, the root path, a compaction failure)
  // cannot be contradicted by the dimension it merely affects.
  if (UnmeasuredAlertCategory(alert.name)) return false;
  const DimensionFact* dim = metrics.Find(dimension);
  if (!dim || dim->warning <= 0 || dim->samples == 0) return false;
  return dim->state == "healthy" && WorstState(*dim) == "healthy" &&
         WindowPeak(*dim) < dim->warning * kNeverApproached;
}

double WindowPeak(const DimensionFact& dim) {
  return std::max({dim.max, dim.latest, dim.p95.value_or(0)});
}

std::string KnowledgeQuery(const PlaybookFacts& facts, const Assessment& assessment) {
  std::vector<std::string> parts;
  std::set<std::string> seen;
  auto add = [&](const std::string& part) {
    if (!part.empty() && seen.insert(part).second) parts.push_back(part);
  };
  if (assessment.no_telemetry || assessment.gap_hours) add("metrics missing telemetry gap");
  if (const Symptom* primary = assessment.Primary()) {
    const std::string& dimension = primary->dimension->name;
    add(SymptomPhrase(dimension, HigherIsWorse(dimension)));
    if (WorkloadSensitive(dimension)) {
      add(assessment.WorkloadSurge() ? "after a workload increase"
                                     : "without workload growth, QPS or load rate flat");
    }
    // Memory growing on a flat workload, in the words release notes use for it.
    if (!assessment.WorkloadSurge() && (dimension == "fe_heap" || dimension == "be_mem")) {
      add(dimension == "fe_heap" ? "FE heap growing, FE out of memory (OOM)"
                                 : "BE memory leak, BE out of memory (OOM)");
    }
  }
  for (const Symptom& symptom : assessment.symptoms) {
    if (parts.size() >= 4) break;
    if (symptom.is_new) add(SymptomPhrase(symptom.dimension->name, true));
  }
  if (assessment.node_alert) {
    add(assessment.lost_node_type == "FE" ? "FE node down, frontend lost, follower or leader"
                                          : assessment.lost_node_type + " node crash, " +
                                                assessment.lost_node_type + " down");
  }
  if (assessment.collapsed) {
    add(assessment.collapsed->name == "load_rate" ? "load rate dropped to zero, loads stopped"
                                                  : "QPS dropped to zero");
  }
  if (parts.empty()) add("cluster health check monitoring guidelines");
  std::string query;
  for (const std::string& part : parts) {
    if (query.size() + part.size() + 2 > 480) break;
    query += (query.empty() ? "" : "; ") + part;
  }
  (void)facts;
  return query;
}

bool NamesSymptom(const KnowledgeHitFact& hit, const std::string& dimension) {
  return ContainsAny(Lower(hit.title + " " + hit.snippet), SymptomKeywords(dimension));
}

namespace {

bool ParsableVersion(const std::string& version) {
  static const std::regex kVersion("^[0-9]+(\\.[0-9]+){0,3}$");
  return !version.empty() && std::regex_match(version, kVersion);
}

}  // namespace

Json KnowledgeSearch(const PlaybookFacts& facts, const Assessment& assessment, int hits) {
  Json search = {{"query", KnowledgeQuery(facts, assessment)}, {"k", hits}};
  if (assessment.Primary() || assessment.node_alert) {
    search["k"] = std::max(hits, kKnownBugHits);
    search["kinds"] = Json::array({"known_bug"});
    if (ParsableVersion(facts.cluster.version)) search["version"] = facts.cluster.version;
  } else {
    search["kinds"] = Json::array({"guideline", "resolution", "oncall_log"});
  }
  return search;
}

std::optional<Json> FollowUpSearch(const PlaybookFacts& facts, const Assessment& assessment,
                                   const KnowledgeHitFact* bug) {
  if (bug) return BugResolutionSearch(facts, *bug);
  if (!assessment.Primary() && !assessment.node_alert) return std::nullopt;
  return Json{{"query", KnowledgeQuery(facts, assessment)},
              {"kinds", Json::array({"resolution", "guideline", "oncall_log"})},
              {"k", 3}};
}

bool BugApplies(const KnowledgeHitFact& bug, const std::string& version,
                const std::string& symptom_dimension, std::string* why_not) {
  const std::string title = "\"" + bug.DocumentTitle() + "\"";
  const std::optional<bool> affected = VersionAffected(version, bug.version);
  if (!affected || !*affected) {
    *why_not = title + (affected ? " is fixed in " + bug.version + ", and " + version +
                                       " already has the fix"
                                 : " lists no fix on the " + version + " line (" +
                                       (bug.version.empty() ? "no version" : bug.version) +
                                       "), so " + version + " cannot be shown to be affected");
    return false;
  }
  const BugEffect effect = ReadBugEffect(bug.title + " " + bug.snippet);
  if (!effect.not_a_defect.empty()) {
    *why_not = title + " " + effect.not_a_defect + ", not about " +
               DimensionLabel(symptom_dimension) + " itself";
    return false;
  }
  // The same process too: an FE heap bug does not explain BE memory, nor the reverse.
  auto process = [](const std::string& dimension) {
    return dimension == "fe_heap" || dimension == "query_err" || dimension == "latency" ? "FE"
                                                                                       : "BE";
  };
  const bool same_category =
      DimensionCategory(effect.dimension) == DimensionCategory(symptom_dimension) &&
      (DimensionCategory(effect.dimension) != RootCause::kMemoryPressure ||
       std::string(process(effect.dimension)) == process(symptom_dimension));
  if (effect.dimension.empty() || (effect.dimension != symptom_dimension && !same_category)) {
    *why_not = title +
               (effect.dimension.empty()
                    ? " describes no effect like the observed "
                    : " causes " + DimensionLabel(effect.dimension) + ", not the observed ") +
               DimensionLabel(symptom_dimension);
    return false;
  }
  return true;
}

bool TriggerObserved(const PlaybookFacts& facts, BugTrigger trigger) {
  auto any_alert = [&](const std::vector<std::string>& subject,
                       const std::vector<std::string>& failure) {
    for (const AlertFact& alert : facts.alerts.alerts) {
      const std::string text = Lower(alert.name + " " + alert.detail);
      if (ContainsAny(text, subject) && ContainsAny(text, failure)) return true;
    }
    return false;
  };
  auto any_operation = [&](std::initializer_list<std::string_view> types) {
    for (const OperationFact& op : facts.operations.operations) {
      for (std::string_view type : types) {
        if (op.type == type) return true;
      }
    }
    return false;
  };
  switch (trigger) {
    case BugTrigger::kFailedLoads: {
      const DimensionFact* txn = facts.metrics.Find("txn_failed");
      return (txn && txn->abnormal()) ||
             any_alert({"load", "导入"}, {"fail", "error", "失败"});
    }
    case BugTrigger::kFailedCompactions:
      return any_alert({"compaction", "合并"}, {"fail", "error", "失败"});
    case BugTrigger::kFailedLoadsOrCompactions:
      return TriggerObserved(facts, BugTrigger::kFailedLoads) ||
             TriggerObserved(facts, BugTrigger::kFailedCompactions);
    case BugTrigger::kDiskFailure:
      return any_alert({"disk", "磁盘"}, {"fail", "error", "read-only", "readonly", "broken",
                                           "offline", "damaged", "故障", "损坏", "只读"});
    case BugTrigger::kHighFrequencyLoading: {
      // The telemetry counts rows, not load jobs: loads still running at their usual rate (or
      // above) is the trace; a cluster that stopped loading is not in the bug's scenario.
      const DimensionFact* load = facts.metrics.Find("load_rate");
      if (!load || load->samples == 0 || load->latest <= 0) return false;
      return !load->baseline_avg || *load->baseline_avg <= 0 ||
             load->latest >= kLoadingStillRunning * *load->baseline_avg;
    }
    case BugTrigger::kRestartOrUpgrade: {
      if (any_operation({"UPGRADE", "RESTART", "START", "STOP"})) return true;
      for (const AlertFact& alert : facts.alerts.alerts) {
        if (!LostNodeType(alert.name, alert.detail).empty()) return true;
      }
      return false;
    }
    case BugTrigger::kScaling:
      return any_operation({"SCALE"});
    case BugTrigger::kSharedData:
      return facts.cluster.architecture == "shared_data";
    case BugTrigger::kSharedNothing:
      return facts.cluster.architecture == "shared_nothing";
    case BugTrigger::kNone:
      return true;
  }
  return true;
}

namespace {

// Why a memory bug's note does not fit how the memory behaved ("" when it fits). Leaked or
// exhausted memory stays used until the process restarts: memory that came back down by
// itself, with no loss or restart of the process, was neither. A leak accumulates (the notes'
// leaks take days): memory exhausted again and again within the alert window refills after each
// restart faster than a leak does, so the demand drives it (an OOM on a bad plan, by contrast,
// recurs with every such query).
std::string MemoryBugMismatch(const PlaybookFacts& facts, const Symptom& primary,
                              const std::string& note) {
  bool lost = false;
  int episodes = 0;
  for (const AlertFact& alert : facts.alerts.alerts) {
    const bool node = !LostNodeType(alert.name, alert.detail).empty();
    lost = lost || node || OomText(alert.detail);
    if (node || AlertDimension(alert.name) == primary.dimension->name) {
      episodes = std::max(episodes, alert.flapping ? kFlapEpisodes : alert.episodes);
    }
  }
  if (primary.intermittent && !lost) {
    return "needs memory held until the process restarts, but " +
           DimensionLabel(primary.dimension->name) + " came back down by itself";
  }
  const std::string lower = Lower(note);
  const bool leak = ContainsAny(lower, {"leak", "not released", "keeps growing", "keeps increasing",
                                        "not reducing", "increases quickly"});
  if (leak && episodes >= kFlapEpisodes) {
    return "describes a leak, but " + DimensionLabel(primary.dimension->name) +
           " was exhausted again and again (" + std::to_string(episodes) +
           " alert episodes): it refills faster than a leak accumulates";
  }
  return "";
}

}  // namespace

std::vector<BugVerdict> JudgeKnownBugs(const PlaybookFacts& facts, const Assessment& assessment) {
  std::vector<BugVerdict> verdicts;
  const Symptom* primary = assessment.Primary();
  if (!primary || !facts.knowledge.source.ok) return verdicts;
  const std::string& dimension = primary->dimension->name;
  for (const KnowledgeHitFact& hit : facts.knowledge.hits) {
    if (hit.kind != "known_bug") continue;
    BugVerdict verdict;
    verdict.hit = &hit;
    verdict.applies = BugApplies(hit, facts.cluster.version, dimension, &verdict.why_not);
    const std::string text = hit.title + " " + hit.snippet;
    const BugEffect effect = ReadBugEffect(text);
    if (verdict.applies && FailureEffect(effect.dimension)) {
      // Failing loads or queries: the error text of the failures must name the note's
      // condition ("... fails when the JSON holds ..."), or any failure would fit.
      std::vector<std::string> alert_texts;
      for (const AlertFact& alert : facts.alerts.alerts) {
        alert_texts.push_back(Lower(alert.name + " " + alert.detail));
      }
      bool shown = false;
      for (const std::string& word : ConditionWords(hit.DocumentTitle() + " " + hit.snippet)) {
        shown = std::any_of(alert_texts.begin(), alert_texts.end(), [&](const std::string& text) {
          return text.find(word) != std::string::npos;
        });
        if (shown) break;
      }
      if (!shown) {
        verdict.applies = false;
        verdict.why_not = "\"" + hit.DocumentTitle() + "\" describes " +
                          DimensionLabel(effect.dimension) +
                          " under a condition of its own, which the failures' error text does "
                          "not show";
      }
    }
    if (verdict.applies && DimensionCategory(effect.dimension) == RootCause::kMemoryPressure) {
      verdict.why_not = MemoryBugMismatch(facts, *primary, text);
      if (!verdict.why_not.empty()) {
        verdict.applies = false;
        verdict.why_not = "\"" + hit.DocumentTitle() + "\" " + verdict.why_not;
      }
    }
    if (verdict.applies) {
      if (effect.dimension == dimension) verdict.specificity += 2;
      for (BugTrigger trigger : TriggersIn(text)) {
        if (!TriggerObserved(facts, trigger)) {
          verdict.applies = false;
          verdict.why_not = "\"" + hit.DocumentTitle() + "\" needs " + TriggerLabel(trigger) +
                            ", which the telemetry does not show";
          break;
        }
        ++verdict.specificity;
      }
    }
    verdicts.push_back(std::move(verdict));
  }
  std::stable_sort(verdicts.begin(), verdicts.end(),
                   [](const BugVerdict& left, const BugVerdict& right) {
                     if (left.applies != right.applies) return left.applies;
                     return left.applies && left.specificity > right.specificity;
                   });
  return verdicts;
}

const KnowledgeHitFact* BugCandidate(const PlaybookFacts& facts, const Assessment& assessment) {
  const std::vector<BugVerdict> verdicts = JudgeKnownBugs(facts, assessment);
  return !verdicts.empty() && verdicts.front().applies ? verdicts.front().hit : nullptr;
}

Json BugResolutionSearch(const PlaybookFacts& facts, const KnowledgeHitFact& bug) {
  Json search = {{"query", bug.DocumentTitle() + " resolution workaround meanwhile"},
                 {"mode", "fulltext"},
                 {"kinds", Json::array({"known_bug"})},
                 {"k", 3}};
  if (!facts.knowledge.version_filter.empty()) search["version"] = facts.knowledge.version_filter;
  return search;
}

std::vector<SqlCheck> PlanSql(const PlaybookFacts& facts, const Assessment& assessment) {
  std::vector<SqlCheck> checks;
  const std::string cluster = Quote(facts.cluster_id);
  const TimePoint now = facts.now;
  if (assessment.no_telemetry || assessment.gap_hours) {
    checks.push_back(
        {"last_snapshots", "confirm which metrics stopped reporting, and when",
         "SELECT metric_name, MAX(snapshot_hour) AS last_snapshot, COUNT(*) AS hours_7d FROM "
         "amv_hourly_snapshots_v1 WHERE cluster_id = " +
             cluster + " AND snapshot_hour > " + Quote(FormatSqlTime(now - hours(24 * 7))) +
             " GROUP BY metric_name ORDER BY last_snapshot, metric_name"});
    return checks;
  }
  const Symptom* primary = assessment.Primary();
  // The same hours of the same weekday before the onset, so seasonality cannot pass for a change.
  std::optional<TimePoint> onset;
  TimePoint before_from{}, before_to{};
  int days_back = 1;
  std::string names;
  // The windows: for the primary symptom, or for a volume collapse without one (its siblings).
  if ((primary || assessment.collapsed) && assessment.onset) {
    onset = FloorToHour(*assessment.onset);
    const double hours_since = std::max(1.0, Minutes(now - *onset) / 60.0);
    // Whole weeks back: weekday and hour of day both match (weekends are quieter).
    days_back = 7 * std::clamp(static_cast<int>(std::ceil(hours_since / (24.0 * 7))), 1,
                               kMaxBeforeAfterWeeks);
    before_from = *onset - hours(24 * days_back);
    before_to = std::min(*onset - hours(1), now - hours(24 * days_back));
    std::vector<std::string> dimensions = {
        primary ? primary->dimension->name : assessment.collapsed->name, "qps", "scan_rows",
        "load_rate"};
    for (const Symptom& symptom : assessment.symptoms) {
      if (!primary || dimensions.size() >= 6) break;
      if (symptom.is_new && std::find(dimensions.begin(), dimensions.end(),
                                      symptom.dimension->name) == dimensions.end()) {
        dimensions.push_back(symptom.dimension->name);
      }
    }
    for (const std::string& dimension : dimensions) {
      std::string metric = MetricName(dimension);
      if (metric.empty()) continue;
      names += (names.empty() ? "" : ", ") + Quote(metric);
    }
  }
  auto periods = [&](const std::string& clusters, const std::string& metrics) {
    const std::string since = Quote(FormatSqlTime(*onset));
    return "CASE WHEN snapshot_hour >= " + since +
           " THEN 'since_onset' ELSE 'before' END AS period, AVG(avg_value) AS mean_value, "
           "MAX(avg_value) AS peak_value, COUNT(*) AS hours FROM amv_hourly_snapshots_v1 WHERE "
           "cluster_id IN (" +
           clusters + ") AND metric_name IN (" + metrics +
           ") AND ((snapshot_hour >= " + Quote(FormatSqlTime(before_from)) +
           " AND snapshot_hour <= " + Quote(FormatSqlTime(before_to)) +
           ") OR snapshot_hour >= " + since + ")";
  };
  if (onset && primary) {
    checks.push_back(
        {"before_after",
         "compare " + DimensionLabel(primary->dimension->name) +
             " and the workload since the onset with the same hours " + std::to_string(days_back) +
             " days earlier",
         "SELECT metric_name, " + periods(cluster, names) + " GROUP BY 1, 2 ORDER BY 1, 2"});
  }
  // Siblings firing the same alerts: did their episodes start together with ours, and do they
  // show the same symptom and the same workload change over the same hours?
  std::vector<std::string> siblings;
  std::set<std::string> shared;
  for (const PeerFact* peer : facts.siblings.SiblingsSharing()) {
    siblings.push_back(peer->cluster_id);
    shared.insert(peer->shared_alerts.begin(), peer->shared_alerts.end());
  }
  // A volume collapse with no symptom: do the account's other clusters show it over the same
  // hours? A source the account shares upstream (one Kafka, one client) stops feeding them all,
  // and only some of them may alert; so every same-account sibling is compared, alerting or not.
  if (!primary && assessment.collapsed && onset) {
    std::string others;
    for (const PeerFact& peer : facts.siblings.peers) {
      if (peer.same_account) others += (others.empty() ? "" : ", ") + Quote(peer.cluster_id);
    }
    const std::string metric = MetricName(assessment.collapsed->name);
    if (!others.empty() && !metric.empty()) {
      checks.push_back({"sibling_shift",
                        "compare the siblings' " + DimensionLabel(assessment.collapsed->name) +
                            " over the same hours as this cluster's collapse",
                        "SELECT cluster_id, metric_name, " + periods(others, Quote(metric)) +
                            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"});
    }
  }
  if (!siblings.empty()) {
    std::string ids = cluster;
    std::string others;
    for (const std::string& sibling : siblings) {
      ids += ", " + Quote(sibling);
      others += (others.empty() ? "" : ", ") + Quote(sibling);
    }
    std::string alert_names;
    for (const std::string& name : shared) {
      alert_names += (alert_names.empty() ? "" : ", ") + Quote(name);
    }
    checks.push_back(
        {"sibling_onsets",
         "check whether the siblings' shared alerts started together with this cluster's",
         "SELECT cluster_id, alert_name, MAX(COALESCE(starts_at, alert_time)) AS episode_start, "
         "COUNT(*) AS firing_messages FROM lark_alerts WHERE cluster_id IN (" +
             ids + ") AND status = 'Firing' AND alert_name IN (" + alert_names +
             ") AND alert_time > " + Quote(FormatSqlTime(now - hours(24 * 7))) +
             " GROUP BY cluster_id, alert_name ORDER BY cluster_id, alert_name"});
    if (onset && primary) {
      checks.push_back({"sibling_shift",
                        "compare the siblings' " + DimensionLabel(primary->dimension->name) +
                            " and workload over the same hours as this cluster's",
                        "SELECT cluster_id, metric_name, " + periods(others, names) +
                            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"});
    }
  }
  if (!primary && (!assessment.flapping.empty() || !assessment.firing.empty())) {
    checks.push_back(
        {"alert_pattern", "count the alert messages of the last 24 hours per alert and status",
         "SELECT alert_name, status, COUNT(*) AS messages, MIN(alert_time) AS first_message, "
         "MAX(alert_time) AS last_message FROM lark_alerts WHERE cluster_id = " +
             cluster + " AND alert_time > " + Quote(FormatSqlTime(now - hours(24))) +
             " GROUP BY alert_name, status ORDER BY messages DESC, alert_name"});
  }
  return checks;
}

std::optional<std::pair<double, double>> SqlFindings::Compare(const std::string& dimension) const {
  for (const auto& [name, values] : before_after) {
    if (name == dimension) return values;
  }
  return std::nullopt;
}

namespace {

int ColumnIndex(const SqlFacts& sql, const std::string& name) {
  for (size_t column_idx = 0; column_idx < sql.columns.size(); ++column_idx) {
    if (Lower(sql.columns[column_idx]) == name) return static_cast<int>(column_idx);
  }
  return -1;
}

std::string CellText(const std::vector<Json>& row, int column) {
  if (column < 0 || static_cast<size_t>(column) >= row.size()) return "";
  const Json& cell = row[static_cast<size_t>(column)];
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_null()) return "";
  return cell.dump();
}

std::optional<double> CellNumber(const std::vector<Json>& row, int column) {
  if (column < 0 || static_cast<size_t>(column) >= row.size()) return std::nullopt;
  const Json& cell = row[static_cast<size_t>(column)];
  if (cell.is_number()) return cell.get<double>();
  if (cell.is_string()) {
    try {
      size_t used = 0;
      double value = std::stod(cell.get<std::string>(), &used);
      if (used == cell.get<std::string>().size()) return value;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string ShortDimension(const std::string& metric_name) {
  const store::MetricSpec* spec = store::FindMetric(metric_name);
  return spec ? std::string(spec->short_name) : metric_name;
}

}  // namespace

SqlFindings ReadSqlFindings(const PlaybookFacts& facts, const std::vector<SqlCheck>& checks) {
  SqlFindings out;
  for (size_t check_idx = 0; check_idx < checks.size() && check_idx < facts.sql.size();
       ++check_idx) {
    const SqlCheck& check = checks[check_idx];
    const SqlFacts& sql = facts.sql[check_idx];
    if (!sql.source.ok) continue;
    if (check.kind == "before_after" || check.kind == "sibling_shift") {
      const bool siblings = check.kind == "sibling_shift";
      (siblings ? out.sibling_shift_call : out.before_after_call) = sql.source.call_id;
      int cluster = ColumnIndex(sql, "cluster_id");
      int metric = ColumnIndex(sql, "metric_name");
      int period = ColumnIndex(sql, "period");
      int mean = ColumnIndex(sql, "mean_value");
      using Pair = std::pair<std::optional<double>, std::optional<double>>;
      std::map<std::string, std::map<std::string, Pair>> values;  // cluster -> dimension
      for (const auto& row : sql.rows) {
        std::string dimension = ShortDimension(CellText(row, metric));
        auto value = CellNumber(row, mean);
        Pair& pair = values[siblings ? CellText(row, cluster) : ""][dimension];
        (CellText(row, period) == "since_onset" ? pair.second : pair.first) = value;
      }
      for (const auto& [id, dimensions] : values) {
        for (const auto& [dimension, pair] : dimensions) {
          if (!pair.first || !pair.second) continue;
          if (siblings) {
            out.sibling_shifts[id][dimension] = {*pair.first, *pair.second};
          } else {
            out.before_after.push_back({dimension, {*pair.first, *pair.second}});
          }
        }
      }
    } else if (check.kind == "sibling_onsets") {
      out.sibling_call = sql.source.call_id;
      int cluster = ColumnIndex(sql, "cluster_id");
      int name = ColumnIndex(sql, "alert_name");
      int start = ColumnIndex(sql, "episode_start");
      std::map<std::string, TimePoint> own;
      std::vector<std::tuple<std::string, std::string, TimePoint>> others;
      for (const auto& row : sql.rows) {
        auto time = ParseAnyTime(CellText(row, start));
        if (!time) continue;
        if (CellText(row, cluster) == facts.cluster_id) {
          own[CellText(row, name)] = *time;
        } else {
          others.emplace_back(CellText(row, cluster), CellText(row, name), *time);
        }
      }
      std::map<std::string, double> best;
      for (const auto& [sibling, alert, time] : others) {
        auto mine = own.find(alert);
        if (mine == own.end()) continue;
        double gap = std::fabs(Minutes(time - mine->second)) / 60.0;
        auto found = best.find(sibling);
        if (found == best.end() || gap < found->second) best[sibling] = gap;
      }
      for (const auto& [sibling, gap] : best) out.sibling_gaps.push_back({sibling, gap});
    } else if (check.kind == "last_snapshots") {
      out.last_snapshots_call = sql.source.call_id;
      int last = ColumnIndex(sql, "last_snapshot");
      std::set<std::string> distinct;
      for (const auto& row : sql.rows) distinct.insert(CellText(row, last));
      if (!sql.rows.empty()) {
        out.last_snapshots_text =
            std::to_string(sql.rows.size()) + " metrics, last snapshot " +
            (distinct.size() == 1 ? "of all of them at " + *distinct.begin()
                                  : "between " + *distinct.begin() + " and " + *distinct.rbegin());
      }
    } else if (check.kind == "alert_pattern") {
      out.alert_pattern_call = sql.source.call_id;
      int name = ColumnIndex(sql, "alert_name");
      int status = ColumnIndex(sql, "status");
      int messages = ColumnIndex(sql, "messages");
      std::string text;
      for (const auto& row : sql.rows) {
        if (text.size() > 200) break;
        text += (text.empty() ? "" : "; ") + CellText(row, name) + " " + CellText(row, status) +
                " x" + CellText(row, messages);
      }
      out.alert_pattern_text = text;
    }
  }
  return out;
}

}  // namespace rh::agent::internal
