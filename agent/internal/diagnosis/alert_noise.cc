// alert_noise (rule 9): no new symptom, but alerts flap (>= 3 firing episodes in the window)
// or fire. A rule is wrong, not the cluster, when what it watches is measured and never came
// near the threshold while it fired (persistently or flapping, warning or critical), or when it
// says a BE/CN is down while the alive ratio shows every node up all window with nothing
// suffering (Assess: contradicted_alerts, unconfirmed_node_alerts); each such alert rules its
// own category out. Severity info; the recommendation silences the loudest alert for 24 h and
// tunes its rule.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class AlertNoise final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kAlertNoise); }

  bool Applies(Case& c) override {
    const Assessment& assessment = c.assessment();
    return !assessment.Primary() && (!assessment.flapping.empty() || !assessment.firing.empty());
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    const SqlFindings& sql = c.sql();
    Draft& draft = c.draft();
    c.CiteContext();
    std::vector<const AlertFact*> noisy = assessment.flapping;
    if (noisy.empty()) noisy = assessment.firing;
    c.CiteAlerts(noisy);
    draft.Agree(noisy.size() > 1 ? 1.5 : 1.0, "alerts without a metric behind them");
    if (!assessment.flapping.empty()) draft.Agree(1.0, "the alert flaps");
    const MetricFacts& metrics = facts.metrics;
    RuleOutWhatTheMetricsContradict(c);
    if (metrics.source.ok) {
      if (assessment.symptoms.empty()) {
        draft.Cite(metrics.source, "all " + std::to_string(metrics.dimensions.size()) +
                                       " metric dimensions healthy");
      } else {
        const DimensionFact& chronic = *assessment.symptoms.front().dimension;
        draft.Cite(metrics.source, "no new symptom: only " + DimensionLabel(chronic.name) + " is " +
                                       chronic.state + ", as it already was a week earlier");
      }
      draft.Agree(1.0, "healthy metrics");
    }
    if (!sql.alert_pattern_text.empty()) {
      draft.Cite(sql.alert_pattern_call, "run_sql",
                 "alert messages in the last 24 h: " + sql.alert_pattern_text);
      draft.Agree(0.5, "the message pattern confirms it");
    }
    c.CiteSiblingsLocal();
    c.CiteMemory(RootCause::kAlertNoise);
    const AlertFact& loudest = *noisy.front();
    draft.Recommend("Silence '" + loudest.name + "' for this cluster while the rule is tuned.",
                    "It fires and resolves within minutes while the metrics show no problem.",
                    "silence_alert", Json{{"alert_name", loudest.name}, {"duration", "24h"}},
                    "a real problem of the same kind would go unnoticed for the silence period");
    draft.Recommend(
        "Tune the rule: raise its threshold or add a pending period (for: 10m) so "
        "short spikes do not page.",
        "Flapping alerts train people to ignore pages.");
    std::vector<std::string> names;
    for (const AlertFact* alert : noisy) names.push_back("'" + alert->name + "'");
    return draft.Finish(
        RootCause::kAlertNoise, Severity::kInfo,
        JoinNames(names) + " on " + facts.cluster.cluster_id +
            (assessment.flapping.empty() ? std::string(names.size() == 1 ? " fires" : " fire")
                                         : std::string(names.size() == 1 ? " flaps" : " flap") +
                                               " (firing and resolving within minutes)") +
            " while the metrics show no matching problem: alert noise, not a cluster problem.",
        "Alert noise on " + facts.cluster.cluster_id + ": " + JoinNames(names) + ".");
  }

 private:
  // The alerts whose own metric says they are wrong: cited, counted, and their category ruled
  // out with the reason.
  static void RuleOutWhatTheMetricsContradict(Case& c) {
    const Assessment& assessment = c.assessment();
    const MetricFacts& metrics = c.facts().metrics;
    Draft& draft = c.draft();
    bool contradicted = false;
    for (const AlertFact* alert : assessment.contradicted_alerts) {
      const DimensionFact* dim = metrics.Find(AlertDimension(alert->name));
      if (!dim) continue;
      const double peak = WindowPeak(*dim);
      const std::string why = "'" + alert->name + "' is about " + DimensionLabel(dim->name) +
                              ", which peaked at " + WithUnit(peak, dim->unit) +
                              " in the window, well under its warning threshold " +
                              WithUnit(dim->warning, dim->unit) + ": the rule fired on "
                              "something that did not happen";
      draft.Cite(metrics.source, why);
      draft.RuleOut(DimensionCategory(dim->name), why, &metrics.source);
      contradicted = true;
    }
    if (contradicted) draft.Agree(1.0, "the alerted metric never approached its threshold");
    if (assessment.unconfirmed_node_alerts.empty()) return;
    const DimensionFact* alive = metrics.Find("alive_be");
    std::vector<std::string> names;
    for (const AlertFact* alert : assessment.unconfirmed_node_alerts) {
      names.push_back("'" + alert->name + "'");
    }
    const std::string why =
        JoinNames(names) + " says a node is down, but the alive ratio stayed at " +
        (alive ? WithUnit(alive->latest, alive->unit) : std::string("100%")) +
        " all window, with no new symptom, no workload drop and no crash text in the alert";
    draft.Cite(metrics.source, why);
    draft.RuleOut(RootCause::kNodeFailure, why, &metrics.source);
    draft.Agree(1.0, "every node alive while the node alert fired");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewAlertNoise() { return std::make_unique<AlertNoise>(); }

}  // namespace rh::agent::internal::diagnosis
