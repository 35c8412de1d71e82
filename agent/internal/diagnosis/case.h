// The case under diagnosis: what the eight tools found (PlaybookFacts), what the rules made of
// it (Assessment, SqlFindings), and the report being drafted. Every diagnosis family
// (family.h) writes its report through a Case: it cites evidence, counts the signals that
// agree and the contradictions, notes the causes ruled out and recommends actions; Finish turns
// that into the Report with its confidence and summary. The ways of citing and recommending
// that several families share live here, so each family file holds only its own rule.
//
// A Case is made once per Diagnose call and passed to the families in decision order; a family
// that does not apply may still note in it why (the summary's "Ruled out"), and the family that
// applies finishes it. The facts, assessment and findings are borrowed and must outlive it.
// Thread-safety: none; one Case belongs to one diagnosis.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/internal/playbook_rules.h"
#include "agent/report.h"

namespace rh::agent::internal::diagnosis {

constexpr double kSqlRise = 1.10;   // the before/after check confirms a 10% move
constexpr double kSqlSurge = 1.25;  // workload up 25% on the same hours: a surge

// ---- formatting for evidence and sentences ----

std::string Number(double value);                              // 1234, 12.3, 1.23
std::string WithUnit(double value, const std::string& unit);   // "85.0%", "12.3 ms"
std::string Minute(TimePoint time);                            // "2026-11-20 14:05"
std::string MinutesText(double minutes);                       // "35 min"
std::string Factor(double factor);                             // "x1.8"
std::string Percent(double ratio);                             // 1.3 -> "+30%"
std::string Ago(TimePoint time, TimePoint now);                // "40 min ago", "3 h ago", ...
std::string JoinNames(const std::vector<std::string>& names);  // "a, b and c"

// ---- the draft report ----

class Draft {
 public:
  explicit Draft(const PlaybookFacts& facts) : facts_(facts) {}

  // Evidence citing a tool call; an empty call id or a finding already cited is dropped.
  void Cite(const std::string& call_id, const std::string& tool, std::string finding);
  void Cite(const CallSource& source, std::string finding);
  // A signal that agrees with the diagnosis, with its weight in the confidence.
  void Agree(double weight, const std::string& why);
  // A contradiction (costs 1 in the confidence); with a source, it is also cited as evidence
  // against the report's own hypothesis.
  void Disagree(const std::string& why);
  void Disagree(const CallSource& source, const std::string& why);
  // A cause considered and ruled out: listed in the summary and in the report's ruled_out,
  // citing `source` when given (the call whose result excludes it).
  void RuleOut(RootCause category, const std::string& why, const CallSource* source = nullptr);
  void RuleOut(RootCause category, const std::string& why, const std::string& call_id,
               const std::string& tool);
  // A competing explanation that lost to the report's own, with its weight (its share of the
  // likelihood the winner leaves) and the calls for and against it.
  void Consider(RootCause category, std::string statement, double weight,
                std::vector<Evidence> evidence_for, std::vector<Evidence> evidence_against);
  bool Considered(RootCause category) const;
  bool RuledOutAlready(RootCause category) const;
  // An observation the verdict must account for — a new symptom, a firing or flapping alert, a
  // lost node, a collapsed volume, a change operation near the onset — seen in `source`'s result.
  // `explained` when the verdict's cause accounts for it (its own category, downstream of it);
  // otherwise it is left unexplained: its kind's weight lowers the confidence, and it is cited
  // against the report's own hypothesis ("left unexplained: ...") and named in the summary. The
  // same `what` twice counts once.
  enum class Observed {
    kCriticalSymptom,  // a new symptom over its critical threshold (weight 1)
    kWarningSymptom,   // a new symptom over its warning threshold, or intermittent (0.5)
    kLostNode,         // a node alert: a node lost (1)
    kFiringAlert,      // an alert firing now (1)
    kFlappingAlert,    // an alert that flaps (0.5)
    kCollapse,         // a volume near zero against its baseline (1)
    kOperation,        // a change operation shortly before the onset (1)
  };
  void Observe(Observed kind, const CallSource& source, std::string what, bool explained);
  // The verdict comes from a fallback rule (an unmapped symptom, an alert no metric measures, a
  // standing condition, an uncorroborated volume collapse): a rule that applies when nothing
  // better does, not a cause shown by independent signals. Lowers the confidence and, with a
  // source, is cited against the report's own hypothesis.
  void Fallback(const std::string& why, const CallSource* source = nullptr);
  // The summed weight of the observations left unexplained, and what they were.
  double UnexplainedWeight() const;
  std::vector<std::string> Unexplained() const;
  bool FromFallback() const { return !fallback_.empty(); }
  // Called by Finish with the winning category before the reasoning is written (the Case
  // weighs the alternatives and accounts for the observations there).
  void OnFinish(std::function<void(RootCause)> weigh) { weigh_ = std::move(weigh); }
  void Recommend(std::string action, std::string rationale, std::string operation = "",
                 Json parameters = Json::object(), std::string risk = "");

  // The raw confidence: 1 - 0.85 * exp(-0.35 * net) with net = signals - contradictions, times
  // 0.8 per unit of the competing hypotheses' weight, 0.85 per contradiction, 0.85 per failed
  // tool and for a telemetry gap, kUnexplainedFactor per unit of unexplained weight and
  // kFallbackFactor for a fallback verdict; clamped to [0.15, 0.95]. Before Finish nothing
  // competes and nothing is observed.
  double Confidence() const;

  // The report: the recommendations so far (or "no action needed"), the evidence, and a summary
  // of `headline`, the agreeing signals, the contradictions, the causes ruled out and the
  // question asked; the reasoning: the report's own hypothesis (rank 1, likelihood = the
  // confidence, the evidence for it and the contradictions cited against it), then the
  // competing ones by weight, the causes ruled out, and the tools that failed as missing
  // evidence.
  Report Finish(RootCause category, Severity severity, std::string root_cause,
                std::string headline);

 private:
  struct Alternative {
    Hypothesis hypothesis;
    double weight = 0;
  };
  const PlaybookFacts& facts_;
  std::vector<Evidence> evidence_;
  std::vector<Evidence> against_;
  std::vector<Recommendation> recommendations_;
  std::vector<std::string> agreeing_;
  std::vector<std::string> disagreeing_;
  std::vector<RuledOut> ruled_out_;
  std::vector<Alternative> alternatives_;
  struct Observation {
    Observed kind = Observed::kFiringAlert;
    Evidence evidence;  // finding: what was observed
    bool explained = false;
  };
  std::vector<Observation> observations_;
  std::string fallback_;  // why the verdict is a fallback ("" when it is not)
  std::function<void(RootCause)> weigh_;
  double signals_ = 0;
  int contradictions_ = 0;
  RootCause winner_ = RootCause::kInsufficientData;  // set by Finish
};

// ---- the case ----

class Case {
 public:
  Case(const PlaybookFacts& facts, const Assessment& assessment, const SqlFindings& sql)
      : facts_(facts), assessment_(assessment), sql_(sql), draft_(facts) {
    draft_.OnFinish([this](RootCause winner) {
      WeighAlternatives(winner);
      AccountForObservations(winner);
    });
  }
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;

  const PlaybookFacts& facts() const { return facts_; }
  const Assessment& assessment() const { return assessment_; }
  const SqlFindings& sql() const { return sql_; }
  Draft& draft() { return draft_; }

  // Evidence shared by several families.
  void CiteContext();  // tier, account, version, nodes, health score
  void CiteDimension(const DimensionFact& dim);
  // The sentence CiteDimension cites: "BE memory usage 95% now (critical, above 90%), ...".
  std::string DimensionText(const DimensionFact& dim) const;
  Evidence DimensionEvidence(const DimensionFact& dim) const;
  void CiteAlerts(const std::vector<const AlertFact*>& alerts);
  void CiteOperationsContext();  // "no change operation shortly before the onset; latest ..."
  // The first Knowledge Lake hit holding one of `keywords` (known bugs only when `bugs_too`).
  void CiteKnowledge(const std::vector<std::string>& keywords, bool bugs_too);
  void CiteMemory(RootCause category);                 // a repeat in past reports, or the last one
  void CiteSiblingsLocal();                            // what the siblings show for a local cause
  void CiteBeforeAfter(const std::string& dimension);  // the same-weekday SQL comparison

  // The agreement signals of a primary symptom: its threshold, change point and alert, the
  // SQL comparison, and competing critical symptoms that started well before it.
  void SymptomSignals(const Symptom& primary);

  // Workload growth on the same hours of the day (SQL), else from the change points.
  bool Surge() const;
  std::string SurgeText() const;  // "QPS +40% and load rate x1.6", "" when nothing grew

  std::string Tier() const;         // S | A | B | C, "?" when unknown
  std::string ComputeType() const;  // BE | CN
  std::string SinceOnset() const;   // " since 2026-11-20 14:00", "" without an onset
  // Double the compute CU up to 64, else 1.5x the nodes up to the instance limit.
  void RecommendScaleUp(const std::string& why);

  // Before Finish: the competing explanations the facts allow besides `winner` (the other new
  // symptoms, a change operation, a flapping or node alert) and the causes the facts exclude
  // (an operation, a node loss, an account-wide cause, alert noise), each cited.
  void WeighAlternatives(RootCause winner);
  // Before Finish: every observation of the case (Draft::Observe) and whether `winner` accounts
  // for it — its own category, downstream of its cause in the causal order, or a cause that
  // explains every symptom (an operation, a known bug, an account-wide cause, a telemetry gap).
  void AccountForObservations(RootCause winner);

 private:
  const PlaybookFacts& facts_;
  const Assessment& assessment_;
  const SqlFindings& sql_;
  Draft draft_;
};

}  // namespace rh::agent::internal::diagnosis
