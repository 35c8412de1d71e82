// Diagnose: the category rules, severity, confidence, evidence and recommendations of the
// playbook engine (see playbook_rules.h; every rule is listed in agent/README.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "agent/internal/playbook_rules.h"
#include "agent/internal/playbook_vocabulary.h"
#include "core/time_format.h"

namespace rh::agent::internal {
namespace {

using std::chrono::hours;

constexpr double kSiblingOnsetHours = 6;  // siblings whose episodes start this close: one cause
constexpr double kSqlRise = 1.10;         // the before/after check confirms a 10% move
constexpr double kSqlSurge = 1.25;        // workload up 25% on the same hours: a surge
constexpr double kSqlDrop = 0.8;          // workload down 20%: a drop
constexpr double kSiblingLooseUp = 1.15;  // a sibling's workload moving the same way as ours
constexpr double kSiblingLooseDown = 0.87;
constexpr double kConfidenceFloor = 0.15;
constexpr double kConfidenceCeiling = 0.95;

// ---- formatting ----------------------------------------------------------------------------

std::string Number(double value) {
  char buffer[64];
  double magnitude = std::fabs(value);
  if (magnitude >= 1000) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else if (magnitude >= 10) {
    std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.2f", value);
  }
  return buffer;
}

std::string WithUnit(double value, const std::string& unit) {
  if (unit == "%") return Number(value) + "%";
  if (unit.empty()) return Number(value);
  return Number(value) + " " + unit;
}

std::string Minute(TimePoint time) { return FormatSqlTime(time).substr(0, 16); }

std::string MinutesText(double minutes) { return std::to_string(std::llround(minutes)) + " min"; }

std::string Factor(double factor) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "x%.1f", factor);
  return buffer;
}

std::string Percent(double ratio) {
  double change = (ratio - 1.0) * 100.0;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%+.0f%%", change);
  return buffer;
}

double HoursBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

std::string Ago(TimePoint time, TimePoint now) {
  double hours_ago = HoursBetween(time, now);
  if (hours_ago < 1.5) return Number(hours_ago * 60) + " min ago";
  if (hours_ago < 48) return Number(std::round(hours_ago)) + " h ago";
  return Number(std::round(hours_ago / 24 * 10) / 10) + " days ago";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t name_idx = 0; name_idx < names.size(); ++name_idx) {
    if (name_idx) out += name_idx + 1 == names.size() ? " and " : ", ";
    out += names[name_idx];
  }
  return out;
}

// ---- the draft report -----------------------------------------------------------------------

class Draft {
 public:
  explicit Draft(const PlaybookFacts& facts) : facts_(facts) {}

  void Cite(const std::string& call_id, const std::string& tool, std::string finding) {
    if (call_id.empty()) return;
    for (const Evidence& item : evidence_) {
      if (item.finding == finding) return;
    }
    evidence_.push_back({call_id, tool, std::move(finding)});
  }
  void Cite(const CallSource& source, std::string finding) {
    Cite(source.call_id, source.tool, std::move(finding));
  }
  void Agree(double weight, const std::string& why) {
    signals_ += weight;
    agreeing_.push_back(why);
  }
  void Disagree(const std::string& why) {
    ++contradictions_;
    disagreeing_.push_back(why);
  }
  void RuleOut(const std::string& what) { ruled_out_.push_back(what); }
  void Recommend(std::string action, std::string rationale, std::string operation = "",
                 Json parameters = Json::object(), std::string risk = "") {
    recommendations_.push_back({std::move(action), std::move(rationale), std::move(operation),
                                std::move(parameters), std::move(risk)});
  }

  // Confidence from the independent signals that agree (see agent/README.md):
  // 1 - 0.85 * exp(-0.35 * (signals - contradictions)), clamped to [0.15, 0.95].
  double Confidence() const {
    double net = std::max(0.0, signals_ - contradictions_);
    return std::clamp(1.0 - 0.85 * std::exp(-0.35 * net), kConfidenceFloor, kConfidenceCeiling);
  }

  Report Finish(std::string category, std::string severity, std::string root_cause,
                std::string headline) {
    Report report;
    report.root_cause_category = std::move(category);
    report.severity = std::move(severity);
    report.confidence = std::round(Confidence() * 100) / 100;
    report.root_cause = std::move(root_cause);
    report.evidence = evidence_;
    report.recommendations = recommendations_;
    if (report.recommendations.empty()) {
      report.recommendations.push_back(
          {"No action needed now; keep the cluster under normal monitoring.",
           "Nothing in the evidence calls for a change.", "none", Json::object(), ""});
    }
    std::string summary = std::move(headline);
    summary += " Signals in agreement: " + std::to_string(agreeing_.size());
    if (!agreeing_.empty()) summary += " (" + JoinNames(agreeing_) + ")";
    summary += ".";
    if (!disagreeing_.empty()) summary += " Against: " + JoinNames(disagreeing_) + ".";
    if (!ruled_out_.empty()) summary += " Ruled out: " + JoinNames(ruled_out_) + ".";
    if (!facts_.question.empty()) summary += " Question asked: \"" + facts_.question + "\".";
    if (summary.size() > 3900) summary = summary.substr(0, 3896) + "...";
    if (report.root_cause.size() > 3900)
      report.root_cause = report.root_cause.substr(0, 3896) + "...";
    report.summary = std::move(summary);
    return report;
  }

 private:
  const PlaybookFacts& facts_;
  std::vector<Evidence> evidence_;
  std::vector<Recommendation> recommendations_;
  std::vector<std::string> agreeing_;
  std::vector<std::string> disagreeing_;
  std::vector<std::string> ruled_out_;
  double signals_ = 0;
  int contradictions_ = 0;
};

// ---- the diagnosis ---------------------------------------------------------------------------

class Diagnosis {
 public:
  Diagnosis(const PlaybookFacts& facts, const Assessment& assessment, const SqlFindings& sql)
      : facts_(facts), assessment_(assessment), sql_(sql), draft_(facts) {}

  Report Run();

 private:
  // Evidence shared by every path.
  void CiteContext();
  void CiteDimension(const DimensionFact& dim);
  void CiteAlerts(const std::vector<const AlertFact*>& alerts);
  void CiteOperationsContext();
  void CiteKnowledge(const std::vector<std::string>& keywords, bool bugs_too);
  void CiteMemory(const std::string& category);
  void CiteSiblingsLocal();
  void CiteBeforeAfter(const std::string& dimension);

  // Workload growth on the same hours of the day (SQL), else from the change points.
  bool Surge() const;
  std::string SurgeText() const;
  const KnowledgeHitFact* MatchKnownBug(const Symptom& primary, std::string* why_not);
  bool TriggerObserved(BugTrigger trigger) const;
  bool SiblingsConfirmed(std::vector<std::string>* siblings);
  // Whether `sibling` shows the primary symptom and the same workload change over our hours.
  bool SameProfile(const std::string& sibling) const;

  Report InsufficientData();
  Report NodeFailure(const Symptom& primary);
  Report AccountWide(const std::vector<std::string>& siblings);
  Report OperationInduced(const Symptom& primary);
  Report KnownBug(const Symptom& primary, const KnowledgeHitFact& hit);
  Report FromSymptom(const Symptom& primary);
  Report AlertNoise();
  Report Chronic();
  Report Healthy();

  // Common agreement signals for a primary symptom.
  void SymptomSignals(const Symptom& primary);
  std::string SeverityFor(const std::string& category, const Symptom* primary) const;
  std::string Tier() const { return facts_.cluster.tier.empty() ? "?" : facts_.cluster.tier; }
  std::string ComputeType() const {
    const NodeGroupFact* compute = facts_.cluster.Compute();
    return compute ? compute->node_type : "BE";
  }
  void RecommendScaleUp(const std::string& why);

  const PlaybookFacts& facts_;
  const Assessment& assessment_;
  const SqlFindings& sql_;
  Draft draft_;
};

void Diagnosis::CiteContext() {
  const ClusterFacts& cluster = facts_.cluster;
  if (!cluster.source.ok) {
    draft_.Cite(cluster.source, "cluster context unavailable: " + cluster.source.error);
    return;
  }
  std::string text = "tier " + Tier() + " account " + cluster.account_id + ", StarRocks " +
                     cluster.version + ", " + cluster.architecture;
  if (const NodeGroupFact* compute = cluster.Compute()) {
    text += ", " + std::to_string(compute->count) + " " + compute->node_type + " x " +
            std::to_string(compute->cu) + " CU (" + compute->spec_type + ", disk " +
            std::to_string(compute->disk_size_gb) + " GB" +
            (compute->essd_level.empty() ? "" : " " + compute->essd_level) + ")";
  }
  if (cluster.health_score) {
    text += "; health score " + Number(*cluster.health_score) + " (" + cluster.risk_level + ")";
  }
  draft_.Cite(cluster.source, text);
}

void Diagnosis::CiteDimension(const DimensionFact& dim) {
  std::string text =
      DimensionLabel(dim.name) + " " + WithUnit(dim.latest, dim.unit) + " now (" + dim.state;
  if (dim.state != "healthy") {
    text += ", " + std::string(HigherIsWorse(dim.name) ? "above " : "below ") +
            WithUnit(dim.critical_now() ? dim.critical : dim.warning, dim.unit);
  }
  text += ")";
  if (dim.baseline_avg) text += ", a week earlier " + WithUnit(*dim.baseline_avg, dim.unit);
  if (dim.change) {
    text += "; " + std::string(dim.change->rising ? "rising" : "falling") + " since " +
            Minute(dim.change->started) + " (" + WithUnit(dim.change->level_before, dim.unit) +
            " -> " + WithUnit(dim.change->level_now, dim.unit) + ")";
  } else if (dim.state_since && dim.state != "healthy") {
    text += "; " + dim.state + " since " + Minute(*dim.state_since);
  }
  if (dim.projected_hours_to_critical) {
    text += "; critical in about " + Number(*dim.projected_hours_to_critical) + " h at this rate";
  }
  draft_.Cite(facts_.metrics.source, text);
}

void Diagnosis::CiteAlerts(const std::vector<const AlertFact*>& alerts) {
  for (const AlertFact* alert : alerts) {
    std::string text = "'" + alert->name + "' ";
    if (alert->currently_firing) {
      text += "firing";
      if (alert->firing_since) text += " since " + Minute(*alert->firing_since);
    } else {
      text += "not firing now";
    }
    if (alert->flapping) text += ", flapping: " + std::to_string(alert->episodes) + " episodes";
    text += " (" + std::to_string(alert->firing) + " firing / " + std::to_string(alert->resolved) +
            " resolved messages in " + std::to_string(facts_.alerts.window_hours) + " h)";
    if (!alert->detail.empty() && alert->detail.size() < 160) text += ": " + alert->detail;
    draft_.Cite(facts_.alerts.source, text);
  }
}

void Diagnosis::CiteOperationsContext() {
  const OperationFacts& ops = facts_.operations;
  if (!ops.source.ok) return;
  if (ops.operations.empty()) {
    draft_.Cite(ops.source, "no operations in the last " + std::to_string(ops.window_hours) + " h");
    return;
  }
  const OperationFact& latest = ops.operations.front();
  std::string text =
      "no change operation shortly before the onset; latest operation: " + latest.type + " " +
      latest.ParametersText() + " by " + latest.actor;
  if (latest.started_at)
    text += " at " + Minute(*latest.started_at) + " (" + Ago(*latest.started_at, facts_.now) +
            ", " + latest.result + ")";
  draft_.Cite(ops.source, text);
}

void Diagnosis::CiteKnowledge(const std::vector<std::string>& keywords, bool bugs_too) {
  const KnowledgeFacts& knowledge = facts_.knowledge;
  if (!knowledge.source.ok) return;
  for (const KnowledgeHitFact& hit : knowledge.hits) {
    if (hit.kind == "known_bug" && !bugs_too) continue;
    std::string text = Lower(hit.title + " " + hit.snippet);
    if (!keywords.empty() && !ContainsAny(text, keywords)) continue;
    draft_.Cite(knowledge.source,
                "knowledge (" + hit.kind + "): \"" + hit.title + "\" from " + hit.source);
    draft_.Agree(0.5, "a matching " + hit.kind + " in the Knowledge Lake");
    return;
  }
}

void Diagnosis::CiteMemory(const std::string& category) {
  const MemoryFacts& memory = facts_.memory;
  if (!memory.source.ok) return;
  auto found = memory.repeats_by_category.find(category);
  if (found != memory.repeats_by_category.end() && found->second > 0) {
    draft_.Cite(memory.source, "a repeat: " + std::to_string(found->second) + " earlier " +
                                   category + " report(s) for this cluster in 30 days");
    draft_.Agree(0.5, "the same category in past reports");
  } else if (!memory.this_cluster.empty()) {
    const PastReportFact& last = memory.this_cluster.front();
    draft_.Cite(memory.source, "the last report for this cluster (" + Number(last.days_ago) +
                                   " days ago) found " + last.category + ", not " + category);
  }
}

void Diagnosis::CiteSiblingsLocal() {
  const SiblingFacts& siblings = facts_.siblings;
  if (!siblings.source.ok) return;
  if (siblings.pattern == "cluster_specific" || siblings.pattern == "no_firing_alerts") {
    draft_.Cite(siblings.source,
                "siblings: " + siblings.pattern + " (" + siblings.pattern_reason + ")");
    if (siblings.pattern == "cluster_specific") draft_.Agree(0.5, "no sibling shares it");
  } else {
    draft_.Cite(siblings.source,
                "siblings: " + siblings.pattern + " (" + siblings.pattern_reason + ")");
  }
}

void Diagnosis::CiteBeforeAfter(const std::string& dimension) {
  auto values = sql_.Compare(dimension);
  if (!values) return;
  const DimensionFact* dim = facts_.metrics.Find(dimension);
  const std::string unit = dim ? dim->unit : "";
  std::string text = DimensionLabel(dimension) + " averaged " + WithUnit(values->second, unit) +
                     " since the onset against " + WithUnit(values->first, unit) +
                     " over the same weekday hours before it";
  std::vector<std::string> workload;
  for (const char* name : {"qps", "scan_rows", "load_rate"}) {
    auto pair = sql_.Compare(name);
    if (!pair || pair->first <= 0) continue;
    workload.push_back(DimensionLabel(name) + " " + Percent(pair->second / pair->first));
  }
  if (!workload.empty()) text += "; workload on the same hours: " + JoinNames(workload);
  draft_.Cite(sql_.before_after_call, "run_sql", text);
  bool worse = HigherIsWorse(dimension) ? values->second >= values->first * kSqlRise
                                        : values->second * kSqlRise <= values->first;
  if (worse) {
    draft_.Agree(1.0, "the same-weekday comparison confirms the change");
  } else {
    draft_.Disagree("the same-weekday comparison shows no clear change");
  }
}

bool Diagnosis::Surge() const {
  bool any = false;
  bool surge = false;
  for (const char* name : {"qps", "scan_rows", "load_rate"}) {
    auto pair = sql_.Compare(name);
    if (!pair || pair->first <= 0) continue;
    any = true;
    if (pair->second >= pair->first * kSqlSurge) surge = true;
  }
  return any ? surge : assessment_.WorkloadSurge();
}

std::string Diagnosis::SurgeText() const {
  std::vector<std::string> parts;
  for (const char* name : {"qps", "scan_rows", "load_rate"}) {
    auto pair = sql_.Compare(name);
    if (pair && pair->first > 0) {
      if (pair->second >= pair->first * kSqlSurge) {
        parts.push_back(DimensionLabel(name) + " " + Percent(pair->second / pair->first));
      }
      continue;
    }
    if (const WorkloadShift* shift = assessment_.Shift(name); shift && shift->rising) {
      parts.push_back(DimensionLabel(name) + " " + Factor(shift->factor));
    }
  }
  return JoinNames(parts);
}

bool Diagnosis::TriggerObserved(BugTrigger trigger) const {
  switch (trigger) {
    case BugTrigger::kFailedLoadsOrCompactions: {
      const DimensionFact* txn = facts_.metrics.Find("txn_failed");
      if (txn && txn->abnormal()) return true;
      for (const AlertFact& alert : facts_.alerts.alerts) {
        std::string name = Lower(alert.name);
        if (name.find("fail") != std::string::npos &&
            (name.find("load") != std::string::npos ||
             name.find("compaction") != std::string::npos)) {
          return true;
        }
      }
      return false;
    }
    case BugTrigger::kDiskFailure: {
      for (const AlertFact& alert : facts_.alerts.alerts) {
        std::string name = Lower(alert.name);
        if (name.find("disk") != std::string::npos &&
            (name.find("fail") != std::string::npos || name.find("error") != std::string::npos ||
             name.find("read-only") != std::string::npos)) {
          return true;
        }
      }
      return false;
    }
    case BugTrigger::kNone:
      return true;
  }
  return true;
}

const KnowledgeHitFact* Diagnosis::MatchKnownBug(const Symptom& primary, std::string* why_not) {
  const KnowledgeFacts& knowledge = facts_.knowledge;
  if (!knowledge.source.ok) return nullptr;
  for (const KnowledgeHitFact& hit : knowledge.hits) {
    if (hit.kind != "known_bug" || !NamesSymptom(hit, primary.dimension->name)) continue;
    std::string text = Lower(hit.title + " " + hit.snippet);
    for (const KnowledgeHitFact& more : knowledge.followup_hits) {
      if (more.DocumentTitle() == hit.DocumentTitle()) text += " " + Lower(more.snippet);
    }
    if (Surge()) {
      *why_not =
          "known bug \"" + hit.DocumentTitle() + "\" (the workload grew: " + SurgeText() + ")";
      continue;
    }
    if (assessment_.suspect_operation) {
      *why_not =
          "known bug \"" + hit.DocumentTitle() + "\" (a change operation explains the timing)";
      continue;
    }
    bool unobserved = false;
    for (BugTrigger trigger : TriggersIn(text)) {
      if (!TriggerObserved(trigger)) {
        *why_not = "known bug \"" + hit.DocumentTitle() + "\" (it needs " + TriggerLabel(trigger) +
                   ", which the telemetry does not show)";
        unobserved = true;
        break;
      }
    }
    if (unobserved) continue;
    return &hit;
  }
  return nullptr;
}

// -1 down, 0 flat, +1 up, for a (before, since) pair.
int Direction(const std::pair<double, double>& values, double up, double down) {
  if (values.first <= 0) return values.second > 0 ? 1 : 0;
  double ratio = values.second / values.first;
  return ratio >= up ? 1 : ratio <= down ? -1 : 0;
}

bool Diagnosis::SameProfile(const std::string& sibling) const {
  const Symptom* primary = assessment_.Primary();
  if (!primary || sql_.sibling_shift_call.empty()) return true;  // nothing more to compare
  auto found = sql_.sibling_shifts.find(sibling);
  if (found == sql_.sibling_shifts.end()) return false;
  const auto& theirs = found->second;
  const std::string& dimension = primary->dimension->name;
  auto symptom = theirs.find(dimension);
  if (symptom == theirs.end()) return false;
  const auto& values = symptom->second;
  bool worse = HigherIsWorse(dimension) ? values.second >= values.first * kSqlRise
                                        : values.second * kSqlRise <= values.first;
  if (!worse) return false;
  for (const char* name : {"qps", "scan_rows", "load_rate"}) {
    auto own = sql_.Compare(name);
    auto other = theirs.find(name);
    if (!own || other == theirs.end()) continue;
    const int own_direction = Direction(*own, kSqlSurge, kSqlDrop);
    if (own_direction != 0) {
      // A shared driver moves the siblings' workload the same way, by at least half as much.
      const double own_ratio = own->first > 0 ? own->second / own->first : 1.0;
      const double half = 1.0 + (own_ratio - 1.0) / 2;
      if (Direction(other->second, std::max(kSiblingLooseUp, half),
                    std::min(kSiblingLooseDown, half)) != own_direction) {
        return false;
      }
    } else if (Direction(other->second, kSqlSurge, kSqlDrop) != 0) {
      return false;
    }
  }
  return true;
}

bool Diagnosis::SiblingsConfirmed(std::vector<std::string>* siblings) {
  const SiblingFacts& facts = facts_.siblings;
  if (!facts.source.ok) return false;
  if (!sql_.sibling_call.empty()) {
    for (const auto& [sibling, gap] : sql_.sibling_gaps) {
      if (gap > kSiblingOnsetHours) continue;
      if (!SameProfile(sibling)) {
        draft_.RuleOut("an account-wide cause (" + sibling +
                       " fires the same alert from the "
                       "same hours but shows a different symptom or workload change)");
        continue;
      }
      siblings->push_back(sibling);
    }
    return !siblings->empty();
  }
  if (facts.pattern != "account_wide") return false;
  for (const PeerFact* peer : facts.SiblingsSharing()) siblings->push_back(peer->cluster_id);
  return !siblings->empty();
}

void Diagnosis::SymptomSignals(const Symptom& primary) {
  const DimensionFact& dim = *primary.dimension;
  draft_.Agree(primary.level == 2 ? 1.0 : 0.5, DimensionLabel(dim.name) + " " + dim.state);
  if (dim.change && dim.change->rising == HigherIsWorse(dim.name)) {
    draft_.Agree(1.0, "a sustained change since " + Minute(dim.change->started));
  }
  if (!primary.alerts.empty()) {
    draft_.Agree(1.0, "'" + primary.alerts.front()->name + "' firing");
    if (assessment_.onset && assessment_.first_alert &&
        *assessment_.onset <= *assessment_.first_alert + hours(1)) {
      draft_.Agree(0.5, "the onset precedes the alert");
    }
  } else if (primary.level == 1) {
    draft_.Disagree("no alert about it");
  }
  CiteDimension(dim);
  CiteAlerts(primary.alerts);
  CiteBeforeAfter(dim.name);
  // Competing new symptoms that started well before the primary one.
  for (const Symptom& other : assessment_.symptoms) {
    if (&other == &primary || !other.is_new || other.level < 2) continue;
    if (DimensionCategory(other.dimension->name) == DimensionCategory(dim.name)) continue;
    if (other.onset && assessment_.onset && *other.onset + hours(6) < *assessment_.onset) {
      draft_.Disagree(DimensionLabel(other.dimension->name) + " turned critical earlier");
      CiteDimension(*other.dimension);
    }
  }
}

std::string Diagnosis::SeverityFor(const std::string& category, const Symptom* primary) const {
  const std::string& tier = facts_.cluster.tier;
  const bool top = tier == "S";
  const bool high_tier = tier == "S" || tier == "A";
  const bool critical_now = primary && primary->level == 2;
  const double latest = primary ? primary->dimension->latest : 0;
  if (category == "insufficient_data") return "low";
  if (category == "alert_noise") return "info";
  if (category == "node_failure") return high_tier || latest < 80 ? "critical" : "high";
  if (category == "disk_capacity") {
    if (latest >= 95 || (top && critical_now)) return "critical";
    return critical_now ? "high" : "medium";
  }
  if (category == "compaction_backlog") {
    if (latest >= 1000) return "critical";
    return critical_now ? "high" : "medium";
  }
  if (category == "query_errors") {
    if (latest >= 10 || (top && critical_now)) return "critical";
    return critical_now ? "high" : "medium";
  }
  if (category == "slow_queries") return high_tier ? "high" : "medium";
  if (category == "ingestion_failure") return tier == "C" ? "medium" : "high";
  if (category == "known_bug") return "high";
  if (category == "memory_pressure" || category == "cpu_saturation") {
    if (!critical_now) return top ? "high" : "medium";
    return top ? "critical" : "high";
  }
  return top ? "critical" : "high";  // operation_induced, account_wide
}

void Diagnosis::RecommendScaleUp(const std::string& why) {
  const NodeGroupFact* compute = facts_.cluster.Compute();
  if (!compute) return;
  const bool be = compute->node_type == "BE";
  if (compute->cu > 0 && compute->cu < 64) {
    int64_t to = compute->cu * 2;
    draft_.Recommend("Scale " + compute->node_type + " CU " + std::to_string(compute->cu) + " -> " +
                         std::to_string(to) + " if the load is legitimate.",
                     why, be ? "scale_be_cu" : "scale_cn_cu", Json{{"to", to}},
                     "rolling restart of the " + compute->node_type +
                         " nodes; scale back once the load is understood");
    return;
  }
  int64_t limit = be ? 50 : 100;
  int64_t to = std::min<int64_t>(limit, compute->count + std::max<int64_t>(1, compute->count / 2));
  if (to > compute->count) {
    draft_.Recommend("Add " + compute->node_type + " nodes: " + std::to_string(compute->count) +
                         " -> " + std::to_string(to) + ".",
                     why, be ? "scale_be_nodes" : "scale_cn_nodes", Json{{"to", to}},
                     "tablet rebalancing adds I/O for a few hours");
  }
}

// ---- the category paths ----------------------------------------------------------------------

Report Diagnosis::InsufficientData() {
  CiteContext();
  const MetricFacts& metrics = facts_.metrics;
  std::string gap_text;
  if (assessment_.no_telemetry) {
    gap_text = "there is no metric snapshot at all for this cluster";
    draft_.Agree(2, "no telemetry");
  } else {
    gap_text = "no metric snapshot for the last " + std::to_string(*assessment_.gap_hours) +
               " h (last " + Minute(*metrics.latest_snapshot) + ")";
    draft_.Agree(*assessment_.gap_hours >= 6 ? 2 : 1,
                 "a " + std::to_string(*assessment_.gap_hours) + " h gap");
  }
  draft_.Cite(metrics.source, "telemetry gap: " + gap_text);
  if (!sql_.last_snapshots_text.empty()) {
    draft_.Cite(sql_.last_snapshots_call, "run_sql", sql_.last_snapshots_text);
    draft_.Agree(1, "every metric stopped");
  }
  if (!assessment_.firing.empty()) CiteAlerts(assessment_.firing);
  if (facts_.cluster.status == "running" || facts_.cluster.status.empty()) {
    draft_.Agree(0.5, "the cluster is supposed to be running");
  }
  draft_.Recommend(
      "Restore the metrics pipeline for this cluster (collector/exporter and the "
      "hourly snapshot job); check that the cluster itself answers.",
      "Without current telemetry its health cannot be judged: " + gap_text + ".");
  draft_.Recommend("Investigate again once snapshots arrive.",
                   "The diagnosis needs the latest hours of metrics.");
  return draft_.Finish("insufficient_data", "low",
                       "Telemetry gap: " + gap_text +
                           ", so the cluster's current state cannot be judged from its metrics.",
                       "Not enough data: " + gap_text + ".");
}

Report Diagnosis::NodeFailure(const Symptom& primary) {
  CiteContext();
  SymptomSignals(primary);
  const DimensionFact& alive = *primary.dimension;
  const NodeGroupFact* compute = facts_.cluster.Compute();
  int64_t count = compute ? compute->count : 0;
  int64_t down = count > 0 ? std::llround(count * (100.0 - alive.latest) / 100.0) : 0;
  std::string node;
  std::regex node_pattern("\\b(be|cn)-[0-9]+\\b");
  for (const OperationFact& op : facts_.operations.operations) {
    if (op.type != "RESTART" || !op.started_at || !assessment_.onset ||
        *op.started_at < *assessment_.onset)
      continue;
    draft_.Cite(facts_.operations.source, "RESTART " + op.ParametersText() + " by " + op.actor +
                                              " at " + Minute(*op.started_at) + ": " + op.result +
                                              " (a reaction to the failure)");
    if (op.result != "SUCCESS") draft_.Agree(0.5, "the auto-restart did not bring it back");
    std::smatch match;
    std::string params = op.ParametersText();
    if (node.empty() && std::regex_search(params, match, node_pattern)) node = match.str();
  }
  for (const AlertFact* alert : primary.alerts) {
    std::smatch match;
    if (node.empty() && std::regex_search(alert->detail, match, node_pattern)) node = match.str();
  }
  if (const DimensionFact* cpu = facts_.metrics.Find("cpu"); cpu && cpu->rising()) {
    draft_.Agree(0.5, "CPU rose on the survivors");
    CiteDimension(*cpu);
  }
  CiteKnowledge(SymptomKeywords("alive_be"), false);
  CiteMemory("node_failure");
  CiteSiblingsLocal();
  std::string who = node.empty() ? "a " + ComputeType() + " node" : node;
  if (!node.empty()) {
    draft_.Recommend("Restart " + node +
                         " and read be.out / be.INFO for the crash reason (OOM, "
                         "check failure, disk).",
                     "The alive ratio is " + WithUnit(alive.latest, "%") + "; the node is down.",
                     "restart_node", Json{{"node", node}},
                     "if it crashes again on start, leave it down and replace it");
  } else {
    draft_.Recommend("Find the dead " + ComputeType() +
                         " with SHOW BACKENDS (Alive=false), "
                         "restart it and read its logs for the crash reason.",
                     "The alive ratio is " + WithUnit(alive.latest, "%") + ".");
  }
  if (compute && compute->node_type == "BE" && count > 0) {
    int64_t to = std::min<int64_t>(50, count + std::max<int64_t>(1, down));
    draft_.Recommend("If it does not come back, add a replacement BE (" + std::to_string(count) +
                         " -> " + std::to_string(to) +
                         ") so the tablets re-replicate onto "
                         "healthy nodes, then decommission the dead one.",
                     "Under-replicated tablets and the extra load on the survivors persist "
                     "while the node is down.",
                     "scale_be_nodes", Json{{"to", to}},
                     "cloning tablets adds disk and network I/O for a few hours");
  }
  draft_.Recommend("Watch SHOW PROC '/statistic' until no tablet is unhealthy.",
                   "Replicas on the dead node must be cloned elsewhere.");
  std::string since = assessment_.onset ? " since " + Minute(*assessment_.onset) : "";
  return draft_.Finish(
      "node_failure", SeverityFor("node_failure", &primary),
      who + " of " + facts_.cluster.cluster_id + " is down" + since + ": alive " + ComputeType() +
          " ratio " + WithUnit(alive.latest, "%") +
          (count > 0 ? " (" + std::to_string(down) + " of " + std::to_string(count) + ")" : "") +
          "; the surviving nodes carry the load and its tablets are under-replicated.",
      "Node failure on " + facts_.cluster.cluster_id + ": " + who + " down" + since + ".");
}

Report Diagnosis::AccountWide(const std::vector<std::string>& siblings) {
  CiteContext();
  const Symptom* primary = assessment_.Primary();
  if (primary) SymptomSignals(*primary);
  if (!primary) CiteAlerts(assessment_.firing);
  const SiblingFacts& sib = facts_.siblings;
  draft_.Cite(sib.source, "siblings: " + sib.pattern + " (" + sib.pattern_reason + ")");
  draft_.Agree(1.0, std::to_string(siblings.size()) + " sibling(s) share the alerts");
  if (!sql_.sibling_call.empty()) {
    std::string gaps;
    for (const auto& [sibling, gap] : sql_.sibling_gaps) {
      gaps += (gaps.empty() ? "" : ", ") + sibling + " " + Number(gap) + " h apart";
    }
    draft_.Cite(sql_.sibling_call, "run_sql", "the shared alerts started together: " + gaps);
    draft_.Agree(1.0, "their episodes started within " + Number(kSiblingOnsetHours) + " h");
  }
  std::string surge = SurgeText();
  CiteMemory("account_wide");
  std::string symptom = primary ? DimensionLabel(primary->dimension->name) : "the same alerts";
  std::string names = JoinNames(siblings);
  draft_.Recommend("Handle it as one account-level incident across " + facts_.cluster.cluster_id +
                       " and " + names +
                       ": tell the account owner and find the common change (new workload, "
                       "shared upstream source, client release).",
                   "The siblings show the same problem from the same hour, so the cause is "
                   "shared, not local to one cluster.");
  if (primary && primary->dimension->name == "txn_failed") {
    draft_.Recommend(
        "Check the shared ingestion source (Kafka brokers, credentials, network) "
        "with SHOW ROUTINE LOAD on each cluster, then RESUME the paused jobs.",
        "Loads fail on every affected cluster at once: the common upstream is the "
        "likely cause.");
  } else if (!surge.empty()) {
    draft_.Recommend("Put the new workload (" + surge +
                         ") under a resource group "
                         "(concurrency_limit, cpu_weight, big_query limits) on each cluster.",
                     "The account's traffic grew on all affected clusters together.");
    RecommendScaleUp("If the new workload is expected, the clusters need more capacity.");
  } else {
    draft_.Recommend("Compare the slow queries of the affected clusters in fe.audit.log.",
                     "A shared cause shows up as the same statements or sources.");
  }
  return draft_.Finish(
      "account_wide", SeverityFor("account_wide", primary),
      "An account-wide problem: " + facts_.cluster.cluster_id + " and its sibling(s) " + names +
          " of account " + facts_.cluster.account_id + " show " + symptom +
          (surge.empty() ? "" : " with the workload up (" + surge + ")") +
          " from about the same hour, so the cause is shared by the account, not local.",
      "Account-wide issue on account " + facts_.cluster.account_id + " (" +
          facts_.cluster.cluster_id + ", " + names + ").");
}

Report Diagnosis::OperationInduced(const Symptom& primary) {
  CiteContext();
  SymptomSignals(primary);
  const OperationFact& op = *assessment_.suspect_operation;
  const std::string params = op.ParametersText();
  draft_.Cite(facts_.operations.source, op.type + " " + params + " by " + op.actor + " at " +
                                            Minute(*op.started_at) + " (" + op.result + "), " +
                                            MinutesText(assessment_.suspect_minutes_before) +
                                            " before the onset at " + Minute(*assessment_.onset));
  draft_.Agree(1.5, op.type + " shortly before the onset");
  if (!Surge()) {
    draft_.Agree(0.5, "no workload change");
  } else {
    draft_.Disagree("the workload grew as well (" + SurgeText() + ")");
  }
  CiteMemory("operation_induced");
  CiteSiblingsLocal();
  const Json& p = op.parameters;
  const std::string label = DimensionLabel(primary.dimension->name);
  if (op.type == "UPGRADE" && p.is_object() && p.contains("from_version")) {
    std::string from = JsonString(p, "from_version");
    draft_.Recommend(
        "Roll back to " + from +
            " (or move to the next patch release) and file "
            "the regression with the query profiles.",
        label + " regressed right after the upgrade to " + JsonString(p, "to_version") + ".",
        "upgrade_version", Json{{"to", from}},
        "a downgrade needs the metadata to be compatible; take an FE metadata "
        "backup first");
  } else if (op.type == "UPDATE" && p.is_object() && p.contains("changes") &&
             p["changes"].is_object()) {
    std::string scope = JsonString(p, "scope");
    std::string component = scope == "BE" || scope == "CN" || scope == "FE" ? scope : "FE";
    static const std::map<std::string, Json> kDefaults = {{"pipeline_dop", "0"},
                                                          {"storage_page_cache_limit", "20%"},
                                                          {"query_timeout", "300"},
                                                          {"max_compaction_concurrency", "-1"},
                                                          {"scanner_thread_pool_thread_num", "48"}};
    for (const auto& [name, value] : p["changes"].items()) {
      auto known = kDefaults.find(name);
      if (known != kDefaults.end()) {
        draft_.Recommend("Revert " + name + " (set to " + value.dump() + " at " +
                             Minute(*op.started_at) + ") to " + known->second.get<std::string>() +
                             ".",
                         label + " regressed right after this change.", "set_config",
                         Json{{"component", component}, {"name", name}, {"value", known->second}},
                         "none expected: it restores the previous behaviour");
      } else {
        draft_.Recommend("Revert " + name + " to its value before " + Minute(*op.started_at) +
                             " (it was set to " + value.dump() + ").",
                         label + " regressed right after this change.");
      }
    }
  } else if (op.type == "SCALE" && p.is_object()) {
    const bool cn = JsonString(p, "node_type") == "CN";
    if (p.contains("from_cu") && p["from_cu"].is_number_integer()) {
      int64_t from = p["from_cu"].get<int64_t>();
      draft_.Recommend(
          "Scale " + std::string(cn ? "CN" : "BE") + " CU back to " + std::to_string(from) + ".",
          label + " regressed right after the scale-in to " + std::to_string(JsonInt(p, "to_cu")) +
              " CU.",
          cn ? "scale_cn_cu" : "scale_be_cu", Json{{"to", from}}, "rolling restart of the nodes");
    } else if (p.contains("from_count") && p["from_count"].is_number_integer()) {
      int64_t from = p["from_count"].get<int64_t>();
      draft_.Recommend(
          "Scale " + std::string(cn ? "CN" : "BE") + " nodes back to " + std::to_string(from) + ".",
          label + " regressed right after the scale-in.", cn ? "scale_cn_nodes" : "scale_be_nodes",
          Json{{"to", from}}, "tablet rebalancing adds I/O for a few hours");
    }
  }
  if (op.type == "STOP") {
    draft_.Recommend("Start the cluster again if the stop was not intended.",
                     "The symptoms began right after the STOP.");
  }
  draft_.Recommend("Confirm with the query profiles before and after " + Minute(*op.started_at) +
                       ", and hold further changes on this cluster until it is resolved.",
                   "The regression follows the operation, with no other change in the data.");
  return draft_.Finish(
      "operation_induced", SeverityFor("operation_induced", &primary),
      "The " + op.type + " " + params + " at " + Minute(*op.started_at) + " by " + op.actor +
          " was followed about " + MinutesText(assessment_.suspect_minutes_before) +
          " later by a regression: " + label + " " +
          WithUnit(primary.dimension->latest, primary.dimension->unit) + " (" +
          primary.dimension->state + ")" + (Surge() ? "" : " with an unchanged workload") + ".",
      "Operation-induced regression on " + facts_.cluster.cluster_id + " after the " + op.type +
          " at " + Minute(*op.started_at) + ".");
}

// The comma-separated fixing versions of a known bug ("3.2.3,3.1.7,2.5.19").
std::vector<std::string> SplitVersions(const std::string& versions) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= versions.size()) {
    size_t end = versions.find(',', start);
    std::string item =
        versions.substr(start, end == std::string::npos ? std::string::npos : end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The sentence starting at "Meanwhile" (the documented workaround) in `text`, or "".
std::string WorkaroundSentence(const std::string& text) {
  size_t start = text.find("Meanwhile");
  if (start == std::string::npos) start = text.find("meanwhile");
  if (start == std::string::npos) return "";
  size_t end = text.find(". ", start);
  std::string sentence =
      text.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
  while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\n')) {
    sentence.pop_back();
  }
  const std::string ellipsis = "\xe2\x80\xa6";  // the snippet was cut: keep what is there
  if (sentence.size() >= ellipsis.size() &&
      sentence.compare(sentence.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0) {
    sentence.resize(sentence.size() - ellipsis.size());
    sentence += "...";
  }
  std::replace(sentence.begin(), sentence.end(), '\n', ' ');
  sentence[0] = 'M';
  return sentence;
}

Report Diagnosis::KnownBug(const Symptom& primary, const KnowledgeHitFact& hit) {
  CiteContext();
  SymptomSignals(primary);
  const std::string title = hit.DocumentTitle();
  const std::vector<std::string> fixes = SplitVersions(hit.version);
  std::string fixed_in;
  for (size_t fix_idx = 0; fix_idx < fixes.size(); ++fix_idx) {
    fixed_in += fix_idx == 0 ? fixes[fix_idx] : (fix_idx == 1 ? " (also " : ", ") + fixes[fix_idx];
  }
  if (fixes.size() > 1) fixed_in += ")";
  draft_.Cite(facts_.knowledge.source,
              "known bug affecting " + facts_.cluster.version + ": \"" + title + "\" (" +
                  hit.source + (fixed_in.empty() ? "" : "; fixed in " + fixed_in) + ")");
  draft_.Agree(1.5, "a known bug of this version with this symptom");
  draft_.Agree(0.5, "no workload growth or operation explains it");
  // The documented workaround: from the resolution search, else from the first snippet.
  std::string workaround;
  for (const KnowledgeHitFact& more : facts_.knowledge.followup_hits) {
    if (more.DocumentTitle() != title) continue;
    workaround = WorkaroundSentence(more.snippet);
    if (!workaround.empty()) {
      draft_.Cite(facts_.knowledge.followup,
                  "documented workaround for \"" + title + "\": " + workaround);
      break;
    }
  }
  if (workaround.empty()) workaround = WorkaroundSentence(hit.snippet);
  CiteOperationsContext();
  CiteMemory("known_bug");
  CiteSiblingsLocal();
  // The fixing version on the cluster's own release line, else the first one listed.
  const std::string& version = facts_.cluster.version;
  const std::string line = version.substr(0, version.find('.', version.find('.') + 1));
  std::string fix = fixes.empty() ? "" : fixes.front();
  for (const std::string& candidate : fixes) {
    if (!line.empty() && candidate.rfind(line + ".", 0) == 0) {
      fix = candidate;
      break;
    }
  }
  if (!fix.empty()) {
    draft_.Recommend("Upgrade " + version + " -> " + fix +
                         " (or later on this line), which fixes "
                         "\"" +
                         title + "\".",
                     "The cluster runs an affected version and shows the bug's symptom.",
                     "upgrade_version", Json{{"to", fix}},
                     "rolling upgrade: one node at a time; take an FE metadata backup first");
  }
  draft_.Recommend(
      workaround.empty() ? "Until the upgrade, apply the workaround documented for \"" + title +
                               "\" (" + hit.source + ")."
                         : "Until the upgrade: " + workaround,
      "It relieves " + DimensionLabel(primary.dimension->name) + " before it reaches the limit.");
  return draft_.Finish(
      "known_bug", SeverityFor("known_bug", &primary),
      facts_.cluster.cluster_id + " runs StarRocks " + version + ", affected by the known bug \"" +
          title + "\" (" + hit.source + "): " + DimensionLabel(primary.dimension->name) +
          " reached " + WithUnit(primary.dimension->latest, primary.dimension->unit) +
          (assessment_.onset ? ", climbing since " + Minute(*assessment_.onset) : "") +
          ", with no workload growth and no change operation to explain it.",
      "Known bug on " + facts_.cluster.cluster_id + " (" + version + "): " + title + ".");
}

Report Diagnosis::FromSymptom(const Symptom& primary) {
  const std::string dimension = primary.dimension->name;
  std::string category = DimensionCategory(dimension);
  CiteContext();
  SymptomSignals(primary);
  const DimensionFact& dim = *primary.dimension;
  const std::string surge = SurgeText();
  const bool surge_seen = Surge();
  const NodeGroupFact* compute = facts_.cluster.Compute();
  std::string root_cause;
  const std::string since = assessment_.onset ? " since " + Minute(*assessment_.onset) : "";
  const std::string value = WithUnit(dim.latest, dim.unit);
  CiteOperationsContext();

  if (category == "disk_capacity") {
    if (dim.trend_per_hour > 0) draft_.Agree(0.5, "a steady climb");
    if (const WorkloadShift* load = assessment_.Shift("load_rate"); load && load->rising) {
      draft_.Agree(0.5, "the load rate grew");
      CiteDimension(*load->dimension);
    }
    root_cause = "BE data disks of " + facts_.cluster.cluster_id + " are filling: " + value +
                 " used" + since +
                 (dim.projected_hours_to_critical
                      ? ", critical in about " + Number(*dim.projected_hours_to_critical) + " h"
                      : "") +
                 (surge.empty() ? " with a flat load rate (data is not being removed: expired "
                                  "partitions, trash, or a growing table)"
                                : " after the load rate grew (" + surge + ")") +
                 ".";
    draft_.Recommend(
        "Free space now: drop expired partitions, truncate staging tables, empty the "
        "BE trash (ADMIN CLEAN TRASH); check partition TTL settings.",
        "Disk usage is " + value + " and rising.");
    if (compute && compute->disk_size_gb > 0) {
      int64_t to = std::min<int64_t>(65000, ((compute->disk_size_gb * 3 / 2 + 99) / 100) * 100);
      if (compute->essd_level == "PL2") to = std::max<int64_t>(to, 500);
      if (compute->essd_level == "PL3") to = std::max<int64_t>(to, 1260);
      if (to > compute->disk_size_gb) {
        draft_.Recommend("Expand the " + compute->node_type + " data disks " +
                             std::to_string(compute->disk_size_gb) + " -> " + std::to_string(to) +
                             " GB.",
                         "Keeps usage under 85% while the growth is dealt with.", "expand_disk",
                         Json{{"to_gb", to}}, "online expansion; cannot be shrunk afterwards");
      } else if (compute->node_type == "BE" && compute->count < 50) {
        int64_t nodes = std::min<int64_t>(50, compute->count + 1);
        draft_.Recommend("Add a BE node (" + std::to_string(compute->count) + " -> " +
                             std::to_string(nodes) + "): the disks are at their maximum size.",
                         "More nodes spread the data.", "scale_be_nodes", Json{{"to", nodes}},
                         "rebalancing adds I/O for a few hours");
      }
    }
    if (!surge.empty()) {
      draft_.Recommend("Review the new ingestion (" + surge +
                           "): retention and partitioning of "
                           "the tables it writes.",
                       "The growth started with the extra load.");
    }
  } else if (category == "compaction_backlog") {
    if (const WorkloadShift* load = assessment_.Shift("load_rate"); load && load->rising) {
      draft_.Agree(1.0, "the load rate grew " + Factor(load->factor));
      CiteDimension(*load->dimension);
    }
    root_cause = "Compaction on " + facts_.cluster.cluster_id +
                 " cannot keep up: average "
                 "compaction score " +
                 value + since + (surge.empty() ? "" : ", after the loading grew (" + surge + ")") +
                 "; versions pile up and loads risk failing with 'Too many versions'.";
    draft_.Recommend(
        "Batch the loads: fewer, larger transactions (Routine Load "
        "max_batch_interval >= 10 s, no row-by-row INSERT INTO VALUES).",
        "Each load adds a version; the score is " + value + ".");
    draft_.Recommend(
        "Give compaction more threads: cumulative_compaction_num_threads_per_disk "
        "4 on the BEs.",
        "The compaction score keeps climbing.", "set_config",
        Json{{"component", ComputeType() == "CN" ? "CN" : "BE"},
             {"name", ComputeType() == "CN" ? "compact_threads"
                                            : "cumulative_compaction_num_threads_"
                                              "per_disk"},
             {"value", 4}},
        "more compaction I/O and CPU");
    if (const DimensionFact* cpu = facts_.metrics.Find("cpu"); cpu && cpu->abnormal()) {
      RecommendScaleUp("CPU is " + cpu->state + " too: compaction needs headroom.");
    }
  } else if (category == "memory_pressure") {
    if (surge_seen) {
      draft_.Agree(1.0, "the workload grew (" + surge + ")");
    } else {
      draft_.Disagree("no workload growth explains it");
      if (!facts_.knowledge.source.ok) {
        draft_.Disagree("the Knowledge Lake could not be searched for a known bug");
      }
    }
    for (const char* name : {"qps", "scan_rows"}) {
      if (const WorkloadShift* shift = assessment_.Shift(name)) CiteDimension(*shift->dimension);
    }
    root_cause = DimensionLabel(dimension) + " on " + facts_.cluster.cluster_id + " is " + value +
                 since +
                 (surge_seen ? ", driven by a workload surge (" + surge + ")"
                             : " without a workload surge (suspect a leak or a cache over its "
                               "limit: check the known bugs of " +
                                   facts_.cluster.version + ")") +
                 "; queries risk failing with memory exceed limit.";
    draft_.Recommend(
        "Find the memory-heavy queries (fe.audit.log memory bytes, "
        "/mem_tracker) and cap them with a resource group (mem_limit, "
        "big_query_mem_limit).",
        "Memory is " + value + ".");
    RecommendScaleUp("More memory per node if the workload is legitimate.");
  } else if (category == "cpu_saturation") {
    if (surge_seen) {
      draft_.Agree(1.0, "the scans/queries grew (" + surge + ")");
    }
    for (const char* name : {"scan_rows", "qps"}) {
      if (const WorkloadShift* shift = assessment_.Shift(name)) CiteDimension(*shift->dimension);
    }
    if (const DimensionFact* latency = facts_.metrics.Find("latency");
        latency && latency->abnormal()) {
      draft_.Agree(0.5, "latency suffers with it");
      CiteDimension(*latency);
    }
    root_cause = "BE CPU of " + facts_.cluster.cluster_id + " is saturated at " + value + since +
                 (surge.empty() ? "" : ", from heavier queries (" + surge + ")") +
                 "; queries queue and latency rises.";
    draft_.Recommend(
        "Find the heaviest statements since the onset (fe.audit.log scan rows, "
        "CPU time) and fix or throttle them with a resource group (cpu_weight, "
        "concurrency_limit).",
        "CPU is " + value + (surge.empty() ? "" : " with " + surge) + ".");
    RecommendScaleUp("CPU stays saturated if the heavier workload is legitimate.");
  } else if (category == "slow_queries") {
    const DimensionFact* cpu = facts_.metrics.Find("cpu");
    if (cpu && !cpu->critical_now()) {
      draft_.Agree(0.5, "CPU is not saturated");
      draft_.Cite(facts_.metrics.source, "CPU average " + WithUnit(cpu->latest, "%") + " (" +
                                             cpu->state + "), peak " + WithUnit(cpu->max, "%") +
                                             " in the window");
    }
    bool skew = cpu && cpu->max > 2 * std::max(1.0, cpu->avg) && cpu->max > 70;
    if (const WorkloadShift* scan = assessment_.Shift("scan_rows"); scan && scan->rising) {
      draft_.Agree(0.5, "queries scan more rows");
      CiteDimension(*scan->dimension);
    }
    root_cause = "Queries on " + facts_.cluster.cluster_id + " are slow: latency p99 " + value +
                 since + " while CPU is not saturated" +
                 (skew ? " on average but peaks on one node (data skew)" : "") +
                 (surge.empty() ? "" : "; the queries scan more (" + surge + ")") + ".";
    draft_.Recommend(
        "Profile the slowest statements since the onset (fe.audit.log, "
        "enable_profile) and fix partition pruning, join order or stale statistics "
        "(ANALYZE TABLE).",
        "Latency p99 is " + value + " without CPU saturation.");
    if (skew) {
      draft_.Recommend("Check data skew: one " + ComputeType() + " peaks at " +
                           WithUnit(cpu->max, "%") + " CPU while the average is " +
                           WithUnit(cpu->avg, "%") +
                           "; redistribute the hot tablets (bucket "
                           "key).",
                       "A skewed node makes every query wait for it.");
    }
    draft_.Recommend(
        "Isolate heavy workloads with resource groups (big_query_scan_rows_limit, "
        "concurrency_limit).",
        "Keeps short queries fast while the slow ones are fixed.");
  } else if (category == "query_errors") {
    if (const DimensionFact* latency = facts_.metrics.Find("latency");
        latency && latency->rising()) {
      CiteDimension(*latency);
    }
    root_cause = "Queries on " + facts_.cluster.cluster_id + " fail: error rate " + value + since +
                 (surge.empty() ? " with no matching workload change" : " with " + surge) +
                 " (a client or schema change, or timeouts).";
    draft_.Recommend(
        "Group the failed statements since the onset by error in fe.audit.log "
        "(state=ERR) and by client/user; roll back the client release if one "
        "error dominates.",
        "The error rate is " + value + ".");
    draft_.Recommend(
        "If the errors are timeouts, find the slow statements before raising "
        "query_timeout.",
        "Raising the timeout hides the cause.");
  } else if (category == "ingestion_failure") {
    if (const WorkloadShift* load = assessment_.Shift("load_rate"); load && !load->rising) {
      draft_.Agree(1.0, "the load rate dropped " + Factor(load->factor));
      CiteDimension(*load->dimension);
    } else if (auto pair = sql_.Compare("load_rate");
               pair && pair->first > 0 && pair->second < pair->first * 0.8) {
      draft_.Agree(1.0, "the load rate dropped");
    }
    bool routine = false;
    for (const AlertFact* alert : assessment_.firing) {
      if (Lower(alert->name).find("routine load") != std::string::npos) routine = true;
    }
    if (routine) CiteAlerts(assessment_.firing);
    root_cause = "Loads into " + facts_.cluster.cluster_id + " fail: " + value +
                 " failed transactions per hour" + since + " and the load rate dropped" +
                 (routine ? "; a Routine Load job is behind or paused" : "") + ".";
    draft_.Recommend(
        "Read the error of the failing jobs (SHOW ROUTINE LOAD / SHOW LOAD: "
        "ErrorMsg, ErrorLogUrl) and fix the cause (source schema change, column "
        "mapping, filtered rows), then RESUME ROUTINE LOAD.",
        "About " + value + " transactions fail every hour.");
    draft_.Recommend(
        "If the error is the running-transaction limit, batch the loads; raise "
        "max_running_txn_num_per_db (FE) only as a stopgap.",
        "Many small concurrent loads exhaust the per-database limit.", "set_config",
        Json{{"component", "FE"}, {"name", "max_running_txn_num_per_db"}, {"value", 2000}},
        "more concurrent transactions put more pressure on compaction");
  } else {
    root_cause = DimensionLabel(dimension) + " on " + facts_.cluster.cluster_id + " is " + value +
                 " (" + dim.state + ")" + since + ".";
    draft_.Recommend("Look at what changed around the onset in the workload and the logs.",
                     DimensionLabel(dimension) + " is " + dim.state + ".");
  }
  CiteKnowledge(SymptomKeywords(dimension), false);
  CiteMemory(category);
  CiteSiblingsLocal();
  return draft_.Finish(category, SeverityFor(category, &primary), root_cause,
                       DimensionLabel(dimension) + " " + dim.state + " on " +
                           facts_.cluster.cluster_id + since + ": " + category + ".");
}

Report Diagnosis::AlertNoise() {
  CiteContext();
  std::vector<const AlertFact*> noisy = assessment_.flapping;
  if (noisy.empty()) noisy = assessment_.firing;
  CiteAlerts(noisy);
  draft_.Agree(noisy.size() > 1 ? 1.5 : 1.0, "alerts without a metric behind them");
  if (!assessment_.flapping.empty()) draft_.Agree(1.0, "the alert flaps");
  const MetricFacts& metrics = facts_.metrics;
  if (metrics.source.ok) {
    if (assessment_.symptoms.empty()) {
      draft_.Cite(metrics.source, "all " + std::to_string(metrics.dimensions.size()) +
                                      " metric dimensions healthy");
    } else {
      const DimensionFact& chronic = *assessment_.symptoms.front().dimension;
      draft_.Cite(metrics.source, "no new symptom: only " + DimensionLabel(chronic.name) + " is " +
                                      chronic.state + ", as it already was a week earlier");
    }
    draft_.Agree(1.0, "healthy metrics");
  }
  if (!sql_.alert_pattern_text.empty()) {
    draft_.Cite(sql_.alert_pattern_call, "run_sql",
                "alert messages in the last 24 h: " + sql_.alert_pattern_text);
    draft_.Agree(0.5, "the message pattern confirms it");
  }
  CiteSiblingsLocal();
  CiteMemory("alert_noise");
  const AlertFact& loudest = *noisy.front();
  draft_.Recommend("Silence '" + loudest.name + "' for this cluster while the rule is tuned.",
                   "It fires and resolves within minutes while the metrics show no problem.",
                   "silence_alert", Json{{"alert_name", loudest.name}, {"duration", "24h"}},
                   "a real problem of the same kind would go unnoticed for the silence period");
  draft_.Recommend(
      "Tune the rule: raise its threshold or add a pending period (for: 10m) so "
      "short spikes do not page.",
      "Flapping alerts train people to ignore pages.");
  std::vector<std::string> names;
  for (const AlertFact* alert : noisy) names.push_back("'" + alert->name + "'");
  return draft_.Finish(
      "alert_noise", "info",
      JoinNames(names) + " on " + facts_.cluster.cluster_id +
          (assessment_.flapping.empty() ? std::string(names.size() == 1 ? " fires" : " fire")
                                        : std::string(names.size() == 1 ? " flaps" : " flap") +
                                              " (firing and resolving within minutes)") +
          " while the metrics show no matching problem: alert noise, not a cluster problem.",
      "Alert noise on " + facts_.cluster.cluster_id + ": " + JoinNames(names) + ".");
}

Report Diagnosis::Chronic() {
  const Symptom& worst = assessment_.symptoms.front();
  const std::string category = DimensionCategory(worst.dimension->name);
  CiteContext();
  CiteDimension(*worst.dimension);
  draft_.Agree(0.5, DimensionLabel(worst.dimension->name) + " " + worst.dimension->state);
  draft_.Disagree("it was already like this a week ago");
  CiteOperationsContext();
  CiteSiblingsLocal();
  draft_.Recommend("Plan capacity for " + DimensionLabel(worst.dimension->name) + " (" +
                       WithUnit(worst.dimension->latest, worst.dimension->unit) + ", " +
                       worst.dimension->state + " for more than a week).",
                   "A standing condition, not a new incident.");
  return draft_.Finish(
      category, worst.level == 2 ? "medium" : "low",
      DimensionLabel(worst.dimension->name) + " on " + facts_.cluster.cluster_id + " is " +
          WithUnit(worst.dimension->latest, worst.dimension->unit) + " (" + worst.dimension->state +
          "), as it already was a week ago: a standing condition, "
          "not a new incident.",
      "No new problem on " + facts_.cluster.cluster_id + "; a standing " + worst.dimension->state +
          " " + DimensionLabel(worst.dimension->name) + ".");
}

Report Diagnosis::Healthy() {
  CiteContext();
  const MetricFacts& metrics = facts_.metrics;
  if (metrics.source.ok) {
    draft_.Cite(metrics.source,
                "all " + std::to_string(metrics.dimensions.size()) + " metric dimensions healthy");
    draft_.Agree(2.0, "healthy metrics");
  }
  if (facts_.alerts.source.ok) {
    draft_.Cite(facts_.alerts.source, "no alert firing now (" +
                                          std::to_string(facts_.alerts.firing_messages) +
                                          " firing messages in the last " +
                                          std::to_string(facts_.alerts.window_hours) + " h)");
    draft_.Agree(1.0, "no firing alert");
  }
  CiteOperationsContext();
  return draft_.Finish("insufficient_data", "info",
                       "No problem found on " + facts_.cluster.cluster_id +
                           ": every metric is healthy and no alert is firing, so there is no "
                           "root cause to name.",
                       "Healthy: nothing to act on for " + facts_.cluster.cluster_id + ".");
}

Report Diagnosis::Run() {
  if (assessment_.no_telemetry || assessment_.gap_hours) return InsufficientData();
  const Symptom* primary = assessment_.Primary();
  if (primary && primary->dimension->name == "alive_be") return NodeFailure(*primary);
  std::vector<std::string> siblings;
  if ((primary || !assessment_.firing.empty()) && SiblingsConfirmed(&siblings)) {
    return AccountWide(siblings);
  }
  if (!facts_.siblings.SiblingsSharing().empty() && siblings.empty()) {
    draft_.RuleOut("an account-wide cause (no sibling's shared alert started within " +
                   Number(kSiblingOnsetHours) + " h of this cluster's with the same symptom)");
  }
  if (primary && assessment_.suspect_operation) return OperationInduced(*primary);
  if (primary) {
    std::string why_not;
    if (const KnowledgeHitFact* bug = MatchKnownBug(*primary, &why_not)) {
      return KnownBug(*primary, *bug);
    }
    if (!why_not.empty()) draft_.RuleOut(why_not);
    return FromSymptom(*primary);
  }
  if (!assessment_.flapping.empty() || !assessment_.firing.empty()) return AlertNoise();
  if (!assessment_.symptoms.empty()) return Chronic();
  return Healthy();
}

}  // namespace

Report Diagnose(const PlaybookFacts& facts, const Assessment& assessment, const SqlFindings& sql) {
  Diagnosis diagnosis(facts, assessment, sql);
  return diagnosis.Run();
}

}  // namespace rh::agent::internal
