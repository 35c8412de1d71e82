// The case under diagnosis: shared evidence, signals and recommendations (see case.h).
#include "agent/internal/diagnosis/case.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "agent/internal/playbook_vocabulary.h"
#include "core/instance_limits.h"
#include "core/time_format.h"

namespace rh::agent::internal::diagnosis {

namespace {

using std::chrono::hours;

constexpr double kConfidenceFloor = 0.15;
constexpr size_t kMaxCitedPerHypothesis = 6;
constexpr double kConfidenceCeiling = 0.95;
// Raw confidence: the factor per unit of competing hypotheses' weight (a critical competing
// symptom, a lost node or a suspect operation weighs 1, a warning symptom 0.5), per
// contradiction (on top of the signal it cancels), and per tool that failed (or a telemetry gap).
constexpr double kCompetitorFactor = 0.8;
constexpr double kContradictionFactor = 0.85;
constexpr double kMissingEvidenceFactor = 0.85;
// Per unit of the weight of the observations the verdict leaves unexplained, and for a verdict
// from a fallback rule (Draft::Observe, Draft::Fallback).
constexpr double kUnexplainedFactor = 0.75;
constexpr double kFallbackFactor = 0.7;
// The first of the effects in the causal order (playbook_vocabulary.h CausalRank): failed loads,
// tablets, errors, CPU, latency follow from a cause further up; the resource dimensions above
// them (disk, compaction, memory) do not follow from one another.
constexpr int kFirstEffectRank = 6;

double ObservedWeight(Draft::Observed kind) {
  switch (kind) {
    case Draft::Observed::kWarningSymptom:
    case Draft::Observed::kFlappingAlert:
      return 0.5;
    default:
      return 1.0;
  }
}

double HoursBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

}  // namespace

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

void Draft::Cite(const std::string& call_id, const std::string& tool, std::string finding) {
  if (call_id.empty()) return;
  for (const Evidence& item : evidence_) {
    if (item.finding == finding) return;
  }
  evidence_.push_back({call_id, tool, std::move(finding)});
}

void Draft::Cite(const CallSource& source, std::string finding) {
  Cite(source.call_id, source.tool, std::move(finding));
}

void Draft::Agree(double weight, const std::string& why) {
  signals_ += weight;
  agreeing_.push_back(why);
}

void Draft::Disagree(const std::string& why) {
  ++contradictions_;
  disagreeing_.push_back(why);
}

void Draft::Disagree(const CallSource& source, const std::string& why) {
  Disagree(why);
  if (!source.call_id.empty()) against_.push_back({source.call_id, source.tool, why});
}

void Draft::RuleOut(RootCause category, const std::string& why, const CallSource* source) {
  if (source && source->ok) {
    RuleOut(category, why, source->call_id, source->tool);
  } else {
    RuleOut(category, why, "", "");
  }
}

void Draft::RuleOut(RootCause category, const std::string& why, const std::string& call_id,
                    const std::string& tool) {
  for (RuledOut& existing : ruled_out_) {
    if (existing.category == category && existing.why == why) return;
  }
  RuledOut item;
  item.category = category;
  item.why = why;
  if (!call_id.empty()) item.evidence.push_back({call_id, tool, why});
  ruled_out_.push_back(std::move(item));
}

void Draft::Consider(RootCause category, std::string statement, double weight,
                     std::vector<Evidence> evidence_for, std::vector<Evidence> evidence_against) {
  if (Considered(category)) return;
  Alternative alternative;
  alternative.hypothesis.category = category;
  alternative.hypothesis.statement = std::move(statement);
  alternative.hypothesis.evidence_for = std::move(evidence_for);
  alternative.hypothesis.evidence_against = std::move(evidence_against);
  alternative.weight = weight;
  alternatives_.push_back(std::move(alternative));
}

void Draft::Observe(Observed kind, const CallSource& source, std::string what, bool explained) {
  for (const Observation& observation : observations_) {
    if (observation.evidence.finding == what) return;
  }
  observations_.push_back({kind, {source.call_id, source.tool, std::move(what)}, explained});
}

void Draft::Fallback(const std::string& why, const CallSource* source) {
  fallback_ = why;
  if (source && source->ok && !source->call_id.empty()) {
    against_.push_back({source->call_id, source->tool, "a fallback rule: " + why});
  }
}

double Draft::UnexplainedWeight() const {
  double weight = 0;
  for (const Observation& observation : observations_) {
    if (!observation.explained) weight += ObservedWeight(observation.kind);
  }
  return weight;
}

std::vector<std::string> Draft::Unexplained() const {
  std::vector<std::string> out;
  for (const Observation& observation : observations_) {
    if (!observation.explained) out.push_back(observation.evidence.finding);
  }
  return out;
}

bool Draft::Considered(RootCause category) const {
  for (const Alternative& alternative : alternatives_) {
    if (alternative.hypothesis.category == category) return true;
  }
  return false;
}

bool Draft::RuledOutAlready(RootCause category) const {
  for (const RuledOut& item : ruled_out_) {
    if (item.category == category) return true;
  }
  return false;
}

void Draft::Recommend(std::string action, std::string rationale, std::string operation,
                      Json parameters, std::string risk) {
  recommendations_.push_back({std::move(action), std::move(rationale), std::move(operation),
                              std::move(parameters), std::move(risk)});
}

// The raw confidence (see agent/README.md "Confidence"): the independent signals that agree,
// less the contradictions; shrunk for every competing hypothesis left standing and every
// contradiction (a diagnosis with rivals or evidence against it is less sure however many
// signals confirm the symptom), and for each tool that failed and a telemetry gap (evidence that
// could not be read). The engine maps it through
// the fitted calibration (agent/calibration.h).
double Draft::Confidence() const {
  const double net = std::max(0.0, signals_ - contradictions_);
  double raw = 1.0 - 0.85 * std::exp(-0.35 * net);
  double competing = 0;
  for (const Alternative& alternative : alternatives_) {
    if (alternative.hypothesis.category != winner_) competing += alternative.weight;
  }
  raw *= std::pow(kCompetitorFactor, competing);
  raw *= std::pow(kContradictionFactor, contradictions_);
  int failed = 0;
  for (const CallSource* source :
       {&facts_.cluster.source, &facts_.alerts.source, &facts_.metrics.source,
        &facts_.operations.source, &facts_.knowledge.source, &facts_.memory.source,
        &facts_.siblings.source}) {
    if (!source->call_id.empty() && !source->ok) ++failed;
  }
  raw *= std::pow(kMissingEvidenceFactor, failed);
  if (facts_.metrics.data_gap_hours && *facts_.metrics.data_gap_hours > 0) {
    raw *= kMissingEvidenceFactor;
  }
  // What the verdict leaves unexplained, and a verdict from a fallback rule: an engineer is less
  // sure of a cause that does not account for what was seen, however well it is confirmed.
  raw *= std::pow(kUnexplainedFactor, UnexplainedWeight());
  if (FromFallback()) raw *= kFallbackFactor;
  return std::clamp(raw, kConfidenceFloor, kConfidenceCeiling);
}

Report Draft::Finish(RootCause category, Severity severity, std::string root_cause,
                     std::string headline) {
  if (weigh_) {
    auto weigh = std::move(weigh_);
    weigh_ = nullptr;
    weigh(category);
  }
  winner_ = category;
  Report report;
  report.root_cause_category = category;
  report.severity = severity;
  report.confidence = std::round(Confidence() * 100) / 100;
  report.root_cause = std::move(root_cause);
  report.evidence = evidence_;
  report.recommendations = recommendations_;
  if (report.recommendations.empty()) {
    report.recommendations.push_back(
        {"No action needed now; keep the cluster under normal monitoring.",
         "Nothing in the evidence calls for a change.", "none", Json::object(), ""});
  }
  // The reasoning: the report's own hypothesis first, the competing ones by weight; their
  // likelihoods share what the winner leaves and never rise down the list.
  Hypothesis own;
  own.rank = 1;
  own.category = category;
  own.statement = report.root_cause.size() > 990 ? report.root_cause.substr(0, 986) + "..."
                                                 : report.root_cause;
  own.likelihood = report.confidence;
  for (const Evidence& item : evidence_) {
    if (own.evidence_for.size() >= kMaxCitedPerHypothesis) break;
    own.evidence_for.push_back(item);
  }
  for (const Evidence& item : against_) {
    if (own.evidence_against.size() >= kMaxCitedPerHypothesis) break;
    own.evidence_against.push_back(item);
  }
  // What the verdict leaves unexplained counts against it, citing the call that showed it.
  for (const Observation& observation : observations_) {
    if (observation.explained || observation.evidence.tool_call_id.empty()) continue;
    if (own.evidence_against.size() >= kMaxCitedPerHypothesis) break;
    Evidence item = observation.evidence;
    item.finding = "left unexplained: " + item.finding;
    own.evidence_against.push_back(std::move(item));
  }
  report.hypotheses.push_back(std::move(own));
  std::vector<Alternative> others;
  for (const Alternative& alternative : alternatives_) {
    if (alternative.hypothesis.category != category) others.push_back(alternative);
  }
  std::stable_sort(others.begin(), others.end(), [](const Alternative& a, const Alternative& b) {
    return a.weight > b.weight;
  });
  double total = 1.0;  // room for "something not considered"
  for (const Alternative& alternative : others) total += alternative.weight;
  for (Alternative& alternative : others) {
    if (report.hypotheses.size() >= kMaxHypotheses) break;
    Hypothesis hypothesis = std::move(alternative.hypothesis);
    hypothesis.rank = static_cast<int>(report.hypotheses.size()) + 1;
    double share = (1.0 - report.confidence) * alternative.weight / total;
    hypothesis.likelihood =
        std::min(report.hypotheses.back().likelihood, std::round(share * 100) / 100);
    if (hypothesis.statement.size() > 990) {
      hypothesis.statement = hypothesis.statement.substr(0, 986) + "...";
    }
    report.hypotheses.push_back(std::move(hypothesis));
  }
  for (const RuledOut& item : ruled_out_) {
    if (item.category == category || report.ruled_out.size() >= kMaxRuledOut) continue;
    report.ruled_out.push_back(item);
  }
  for (const CallSource* source :
       {&facts_.cluster.source, &facts_.alerts.source, &facts_.metrics.source,
        &facts_.operations.source, &facts_.knowledge.source, &facts_.memory.source,
        &facts_.siblings.source}) {
    if (source->call_id.empty() || source->ok) continue;
    std::string error = source->error.size() > 200 ? source->error.substr(0, 200) + "..."
                                                   : source->error;
    report.missing_evidence.push_back(source->tool + " (" + source->call_id +
                                      ") failed: " + error);
  }
  for (const SqlFacts& sql : facts_.sql) {
    if (sql.source.call_id.empty() || sql.source.ok) continue;
    report.missing_evidence.push_back("run_sql (" + sql.source.call_id + ", " + sql.purpose +
                                      ") failed");
  }
  if (report.missing_evidence.size() > kMaxMissingEvidence) {
    report.missing_evidence.resize(kMaxMissingEvidence);
  }

  std::string summary = std::move(headline);
  summary += " Signals in agreement: " + std::to_string(agreeing_.size());
  if (!agreeing_.empty()) summary += " (" + JoinNames(agreeing_) + ")";
  summary += ".";
  if (!disagreeing_.empty()) summary += " Against: " + JoinNames(disagreeing_) + ".";
  if (const std::vector<std::string> unexplained = Unexplained(); !unexplained.empty()) {
    summary += " Left unexplained: " + JoinNames(unexplained) + ".";
  }
  if (!fallback_.empty()) summary += " A fallback rule: " + fallback_ + ".";
  if (!ruled_out_.empty()) {
    std::vector<std::string> names;
    for (const RuledOut& item : ruled_out_) {
      if (item.category == category) continue;
      names.push_back(std::string(RootCauseName(item.category)) + " (" + item.why + ")");
    }
    if (!names.empty()) summary += " Ruled out: " + JoinNames(names) + ".";
  }
  if (!facts_.question.empty()) summary += " Question asked: \"" + facts_.question + "\".";
  if (summary.size() > 3900) summary = summary.substr(0, 3896) + "...";
  if (report.root_cause.size() > 3900)
    report.root_cause = report.root_cause.substr(0, 3896) + "...";
  report.summary = std::move(summary);
  return report;
}

// ---- the case -------------------------------------------------------------------------------

void Case::CiteContext() {
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

void Case::CiteDimension(const DimensionFact& dim) {
  draft_.Cite(facts_.metrics.source, DimensionText(dim));
}

Evidence Case::DimensionEvidence(const DimensionFact& dim) const {
  return {facts_.metrics.source.call_id, facts_.metrics.source.tool, DimensionText(dim)};
}

std::string Case::DimensionText(const DimensionFact& dim) const {
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
  return text;
}

void Case::CiteAlerts(const std::vector<const AlertFact*>& alerts) {
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

void Case::CiteOperationsContext() {
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

void Case::CiteKnowledge(const std::vector<std::string>& keywords, bool bugs_too) {
  const KnowledgeFacts& knowledge = facts_.knowledge;
  auto cite_first = [&](const CallSource& source, const std::vector<KnowledgeHitFact>& hits) {
    if (!source.ok) return false;
    for (const KnowledgeHitFact& hit : hits) {
      if (hit.kind == "known_bug" && !bugs_too) continue;
      std::string text = Lower(hit.title + " " + hit.snippet);
      if (!keywords.empty() && !ContainsAny(text, keywords)) continue;
      draft_.Cite(source, "knowledge (" + hit.kind + "): \"" + hit.title + "\" from " + hit.source);
      draft_.Agree(0.5, "a matching " + hit.kind + " in the Knowledge Lake");
      return true;
    }
    return false;
  };
  if (cite_first(knowledge.source, knowledge.hits)) return;
  cite_first(knowledge.followup, knowledge.followup_hits);
}

void Case::CiteMemory(RootCause category) {
  const MemoryFacts& memory = facts_.memory;
  if (!memory.source.ok) return;
  auto found = memory.repeats_by_category.find(category);
  if (found != memory.repeats_by_category.end() && found->second > 0) {
    draft_.Cite(memory.source, "a repeat: " + std::to_string(found->second) + " earlier " +
                                   std::string(RootCauseName(category)) +
                                   " report(s) for this cluster in 30 days");
    draft_.Agree(0.5, "the same category in past reports");
  } else if (!memory.this_cluster.empty()) {
    const PastReportFact& last = memory.this_cluster.front();
    draft_.Cite(memory.source, "the last report for this cluster (" + Number(last.days_ago) +
                                   " days ago) found " + std::string(RootCauseName(last.category)) +
                                   ", not " + std::string(RootCauseName(category)));
  }
}

void Case::CiteSiblingsLocal() {
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

void Case::CiteBeforeAfter(const std::string& dimension) {
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

bool Case::Surge() const {
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

std::string Case::SurgeText() const {
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

void Case::SymptomSignals(const Symptom& primary) {
  const DimensionFact& dim = *primary.dimension;
  draft_.Agree(primary.level == 2 ? 1.0 : 0.5,
               DimensionLabel(dim.name) + " " + StateWords(primary));
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

void Case::RecommendScaleUp(const std::string& why) {
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
  int64_t limit = be ? limits::kMaxBeNodes : limits::kMaxCnNodes;
  int64_t to = std::min<int64_t>(limit, compute->count + std::max<int64_t>(1, compute->count / 2));
  if (to > compute->count) {
    draft_.Recommend("Add " + compute->node_type + " nodes: " + std::to_string(compute->count) +
                         " -> " + std::to_string(to) + ".",
                     why, be ? "scale_be_nodes" : "scale_cn_nodes", Json{{"to", to}},
                     "tablet rebalancing adds I/O for a few hours");
  }
}

std::string Case::Tier() const { return facts_.cluster.tier.empty() ? "?" : facts_.cluster.tier; }

std::string Case::ComputeType() const {
  const NodeGroupFact* compute = facts_.cluster.Compute();
  return compute ? compute->node_type : "BE";
}

std::string Case::SinceOnset() const {
  return assessment_.onset ? " since " + Minute(*assessment_.onset) : "";
}

}  // namespace rh::agent::internal::diagnosis

namespace rh::agent::internal::diagnosis {

void Case::WeighAlternatives(RootCause winner) {
  const Assessment& assessment = assessment_;
  const Symptom* primary = assessment.Primary();
  std::vector<Evidence> primary_evidence;
  if (primary) primary_evidence.push_back(DimensionEvidence(*primary->dimension));
  auto alert_evidence = [&](const AlertFact& alert) -> Evidence {
    return {facts_.alerts.source.call_id, facts_.alerts.source.tool,
            "'" + alert.name + "' " + (alert.currently_firing ? "firing" : "not firing now") +
                ", " + std::to_string(alert.episodes) + " episodes in " +
                std::to_string(facts_.alerts.window_hours) + " h"};
  };
  const bool metrics_ok = facts_.metrics.source.ok;

  // The other new symptoms: each a cause of its own, against it that it came later or sits
  // downstream of the winner.
  for (const Symptom& symptom : assessment.symptoms) {
    if (!metrics_ok) break;
    const RootCause category = DimensionCategory(symptom.dimension->name);
    if (category == winner || category == RootCause::kInsufficientData) continue;
    const std::string label = DimensionLabel(symptom.dimension->name);
    if (!symptom.is_new) {
      draft_.RuleOut(category,
                     label + " was already " + symptom.dimension->state +
                         " a week earlier: a standing condition, not this incident",
                     &facts_.metrics.source);
      continue;
    }
    std::vector<Evidence> against = primary_evidence;
    if (&symptom == primary) against.clear();
    draft_.Consider(category,
                    label + " " + WithUnit(symptom.dimension->latest, symptom.dimension->unit) +
                        " (" + symptom.dimension->state + ") as a cause of its own",
                    symptom.level == 2 ? 1.0 : 0.5, {DimensionEvidence(*symptom.dimension)},
                    against);
  }
  // A lost node the winner does not name.
  if (winner != RootCause::kNodeFailure) {
    if (assessment.node_alert) {
      draft_.Consider(RootCause::kNodeFailure,
                      std::string(assessment.lost_node_type == "FE" ? "an " : "a ") +
                          assessment.lost_node_type + " node lost ('" +
                          assessment.node_alert->name + "')",
                      1.0, {alert_evidence(*assessment.node_alert)}, {});
    } else if (const DimensionFact* alive = facts_.metrics.Find("alive_be");
               alive && !alive->abnormal() && winner != RootCause::kInsufficientData) {
      draft_.RuleOut(RootCause::kNodeFailure,
                     "every node alive (" + DimensionLabel("alive_be") + " " +
                         WithUnit(alive->latest, alive->unit) + ") and no node alert",
                     &facts_.metrics.source);
    }
  }
  // A change operation: a suspect the winner does not name, or none in the window.
  if (winner != RootCause::kOperationInduced && facts_.operations.source.ok) {
    if (const OperationFact* op = assessment.suspect_operation) {
      draft_.Consider(RootCause::kOperationInduced,
                      "the " + op->type + " " + op->ParametersText() + " at " +
                          Minute(*op->started_at) + " (" + op->result + ") caused it",
                      1.0,
                      {{facts_.operations.source.call_id, facts_.operations.source.tool,
                        op->type + " at " + Minute(*op->started_at) + ", " +
                            MinutesText(assessment.suspect_minutes_before) +
                            " before the onset"}},
                      {});
    } else if (assessment.onset && winner != RootCause::kHealthy &&
               winner != RootCause::kInsufficientData) {
      std::string why = "no UPGRADE, SCALE, config UPDATE or RESTART in the 4 h before the onset";
      if (!facts_.operations.operations.empty()) {
        const OperationFact& latest = facts_.operations.operations.front();
        if (latest.started_at) {
          why += "; the latest operation, " + latest.type + " at " + Minute(*latest.started_at) +
                 " (" + Ago(*latest.started_at, facts_.now) + "), is outside it";
        }
      }
      draft_.RuleOut(RootCause::kOperationInduced, why, &facts_.operations.source);
    }
  }
  // Alert noise: the alerts have a real problem behind them.
  if (winner != RootCause::kAlertNoise && winner != RootCause::kHealthy &&
      winner != RootCause::kInsufficientData && facts_.alerts.source.ok &&
      (!assessment.firing.empty() || !assessment.flapping.empty())) {
    std::string why = "the alerts have a real problem behind them";
    if (primary) {
      why = "the alerts match " + DimensionLabel(primary->dimension->name) + " " +
            primary->dimension->state + " in the metrics";
    } else if (assessment.node_alert) {
      why = "'" + assessment.node_alert->name + "' says " +
            (assessment.lost_node_type == "FE" ? "an " : "a ") + assessment.lost_node_type +
            " node is lost" + (CrashText(assessment.node_alert->detail) ? ", with crash text" : "");
    }
    draft_.RuleOut(RootCause::kAlertNoise, why,
                   primary ? &facts_.metrics.source : &facts_.alerts.source);
  }
  // Account-wide: the siblings do not share it.
  if (winner != RootCause::kAccountWide && facts_.siblings.source.ok &&
      (facts_.siblings.pattern == "cluster_specific" ||
       facts_.siblings.pattern == "no_firing_alerts") &&
      winner != RootCause::kHealthy && !draft_.RuledOutAlready(RootCause::kAccountWide)) {
    draft_.RuleOut(RootCause::kAccountWide,
                   "siblings: " + facts_.siblings.pattern + " (" + facts_.siblings.pattern_reason +
                       ")",
                   &facts_.siblings.source);
  }
  // Firing alerts that point to another category than the winner's and that the winner does
  // not explain (it is not upstream of them): each a rival. A diagnosis that leaves alerts
  // unaccounted for is less sure. Alert noise and the causes that explain every alert (an
  // operation, a known bug, an account-wide cause, a telemetry gap) have none.
  const bool explains_all = winner == RootCause::kAlertNoise ||
                            winner == RootCause::kOperationInduced ||
                            winner == RootCause::kKnownBug || winner == RootCause::kAccountWide ||
                            winner == RootCause::kInsufficientData;
  if (!explains_all && facts_.alerts.source.ok) {
    const int winner_rank = primary && DimensionCategory(primary->dimension->name) == winner
                                ? primary->causal_rank
                                : (winner == RootCause::kNodeFailure ? 0 : 99);
    for (const AlertFact* alert : assessment.firing) {
      if (alert == assessment.node_alert) continue;
      const std::string dimension = AlertDimension(alert->name);
      std::optional<RootCause> category = UnmeasuredAlertCategory(alert->name);
      if (!category && !dimension.empty()) category = DimensionCategory(dimension);
      if (!category || *category == winner || *category == RootCause::kInsufficientData) continue;
      if (!dimension.empty() && CausalRank(dimension, true) > winner_rank) continue;
      draft_.Consider(*category,
                      "'" + alert->name + "' firing points to " +
                          std::string(RootCauseName(*category)),
                      0.5, {alert_evidence(*alert)}, {});
    }
  }
  // The sentinel's health score is a second reader of the same telemetry: a clean verdict on a
  // cluster it scores Critical contradicts it.
  if ((winner == RootCause::kHealthy || winner == RootCause::kAlertNoise) &&
      facts_.cluster.risk_level == "Critical") {
    draft_.Disagree(facts_.cluster.source, "the health score says Critical");
  }
  // A volume collapse the winner does not name.
  if (assessment.collapsed && winner != RootCause::kIngestionFailure) {
    draft_.Consider(RootCause::kIngestionFailure,
                    DimensionLabel(assessment.collapsed->name) + " near zero (" +
                        Number(assessment.collapse_ratio * 100) + "% of its baseline)",
                    0.5, {DimensionEvidence(*assessment.collapsed)}, {});
  }
  // Healthy: what is not.
  if (winner != RootCause::kHealthy && winner != RootCause::kInsufficientData &&
      winner != RootCause::kAlertNoise && (primary || assessment.node_alert ||
                                           assessment.collapsed)) {
    draft_.RuleOut(RootCause::kHealthy,
                   primary ? DimensionLabel(primary->dimension->name) + " is " +
                                 primary->dimension->state
                           : std::string(assessment.node_alert ? "a node is lost"
                                                               : "the volume collapsed"),
                   primary ? &facts_.metrics.source : nullptr);
  }
}

void Case::AccountForObservations(RootCause winner) {
  const Assessment& assessment = assessment_;
  const Symptom* primary = assessment.Primary();
  // A known bug and an account-wide cause explain the primary symptom they were matched on (the
  // bug's effect, the symptom the siblings share) and what follows from it, not every other
  // symptom; without a primary symptom (a node alert, alerts only) they explain everything.
  const RootCause cause =
      (winner == RootCause::kKnownBug || winner == RootCause::kAccountWide) && primary
          ? DimensionCategory(primary->dimension->name)
          : winner;
  // Causes that account for every symptom and alert of the window: a change operation, a known
  // bug or an account-wide cause without a primary symptom; and a telemetry gap, which judges
  // nothing.
  const bool explains_all =
      winner == RootCause::kOperationInduced || winner == RootCause::kInsufficientData ||
      ((winner == RootCause::kKnownBug || winner == RootCause::kAccountWide) && !primary);
  // The cause's place in the causal order: its most upstream dimension among the symptoms, else
  // none (nothing is downstream of it).
  int winner_rank = 99;
  if (cause == RootCause::kNodeFailure) winner_rank = 0;
  for (const Symptom& symptom : assessment.symptoms) {
    if (DimensionCategory(symptom.dimension->name) == cause) {
      winner_rank = std::min(winner_rank, symptom.causal_rank);
    }
  }
  // Downstream of the winner: an effect (failed loads, errors, CPU, latency) below it; a lost
  // node explains everything below it.
  auto downstream = [&](const std::string& dimension, bool critical) {
    const int rank = CausalRank(dimension, critical);
    return rank > winner_rank && (rank >= kFirstEffectRank || cause == RootCause::kNodeFailure);
  };
  const bool node_explained = cause == RootCause::kNodeFailure || explains_all ||
                              (cause == RootCause::kMemoryPressure && assessment.oom_kill);
  const bool metrics_ok = facts_.metrics.source.ok;

  for (const Symptom& symptom : assessment.symptoms) {
    if (!metrics_ok || !symptom.is_new) continue;
    const std::string& name = symptom.dimension->name;
    const RootCause category = DimensionCategory(name);
    const bool explained = explains_all || category == cause ||
                           downstream(name, symptom.level == 2) ||
                           (category == RootCause::kNodeFailure && node_explained);
    draft_.Observe(symptom.level == 2 && !symptom.intermittent ? Draft::Observed::kCriticalSymptom
                                                               : Draft::Observed::kWarningSymptom,
                   facts_.metrics.source, DimensionLabel(name) + " " + StateWords(symptom),
                   explained);
  }
  if (assessment.node_alert) {
    draft_.Observe(
        Draft::Observed::kLostNode, facts_.alerts.source,
        "'" + assessment.node_alert->name + "' (" +
            (assessment.lost_node_type.empty() ? std::string("a") : assessment.lost_node_type) +
            " node lost)",
        node_explained);
  }
  // The alerts: firing now, or flapping. Alert noise accounts for them all (that is its verdict).
  auto observe_alert = [&](const AlertFact& alert) {
    if (&alert == assessment.node_alert) return;
    const std::string dimension = AlertDimension(alert.name);
    std::optional<RootCause> category = UnmeasuredAlertCategory(alert.name);
    if (!category && !dimension.empty()) category = DimensionCategory(dimension);
    const bool explained = explains_all || winner == RootCause::kAlertNoise ||
                           (category && (*category == winner || *category == cause)) ||
                           (!dimension.empty() && downstream(dimension, true)) ||
                           (category == RootCause::kNodeFailure && node_explained);
    const bool flapping = alert.flapping || !alert.currently_firing;
    draft_.Observe(flapping ? Draft::Observed::kFlappingAlert : Draft::Observed::kFiringAlert,
                   facts_.alerts.source,
                   "'" + alert.name + "' " + (alert.currently_firing ? "firing" : "flapping"),
                   explained);
  };
  if (facts_.alerts.source.ok) {
    for (const AlertFact* alert : assessment.firing) observe_alert(*alert);
    for (const AlertFact* alert : assessment.flapping) observe_alert(*alert);
  }
  if (assessment.collapsed && metrics_ok) {
    draft_.Observe(
        Draft::Observed::kCollapse, facts_.metrics.source,
        DimensionLabel(assessment.collapsed->name) + " near zero (" +
            Number(assessment.collapse_ratio * 100) + "% of its baseline)",
        explains_all || cause == RootCause::kIngestionFailure || cause == RootCause::kNodeFailure);
  }
  if (const OperationFact* op = assessment.suspect_operation; op && facts_.operations.source.ok) {
    // An upgrade into a buggy version is the known bug's trigger, not a rival.
    draft_.Observe(Draft::Observed::kOperation, facts_.operations.source,
                   "the " + op->type + " " + MinutesText(assessment.suspect_minutes_before) +
                       " before the onset",
                   winner == RootCause::kOperationInduced ||
                       winner == RootCause::kInsufficientData ||
                       (winner == RootCause::kKnownBug && op->type == "UPGRADE"));
  }
}

}  // namespace rh::agent::internal::diagnosis
