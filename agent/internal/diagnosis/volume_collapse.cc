// Volume collapse (rule 7, ingestion_failure): no new symptom crosses a threshold, but the load
// rate (or QPS) has fallen to near zero against its 7-days-ago baseline: a paused Routine Load,
// an upstream Kafka outage, a client that stopped sending. Low volume scores as healthy on every
// threshold, so the collapse is its own rule. A firing load alert or failed loads corroborate.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class VolumeCollapse final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return "volume_collapse"; }

  bool Applies(Case& c) override {
    return c.assessment().collapsed != nullptr && !c.assessment().Primary();
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const DimensionFact& dim = *assessment.collapsed;
    const std::string label = DimensionLabel(dim.name);
    c.CiteContext();
    c.CiteDimension(dim);
    draft.Agree(1.5, label + " at " + Number(assessment.collapse_ratio * 100) +
                         "% of its baseline");
    if (dim.change && !dim.change->rising) {
      draft.Agree(1.0, "a sustained drop since " + Minute(dim.change->started));
    }
    std::vector<const AlertFact*> load_alerts;
    for (const AlertFact& alert : facts.alerts.alerts) {
      if (AlertDimension(alert.name) == "txn_failed") load_alerts.push_back(&alert);
    }
    if (!load_alerts.empty()) {
      c.CiteAlerts(load_alerts);
      draft.Agree(1.0, "'" + load_alerts.front()->name + "' about the loads");
    }
    const DimensionFact* txn = facts.metrics.Find("txn_failed");
    const bool failed_loads = txn && txn->latest > 0;
    if (failed_loads) {
      c.CiteDimension(*txn);
      draft.Agree(0.5, "failed load transactions");
    }
    if (load_alerts.empty() && !failed_loads) {
      draft.Fallback("the collapse alone, with no load alert or failed loads behind it",
                     &facts.metrics.source);
    }
    c.CiteOperationsContext();
    c.CiteKnowledge(SymptomKeywords("load_rate"), false);
    c.CiteMemory(RootCause::kIngestionFailure);
    c.CiteSiblingsLocal();
    const bool loads = dim.name == "load_rate";
    draft.Recommend(loads ? "Check the loading jobs: SHOW ROUTINE LOAD (State PAUSED / "
                            "ReasonOfStateChanged), the upstream (Kafka topic lag and broker "
                            "health) and recent Stream Load / Broker Load errors; RESUME ROUTINE "
                            "LOAD once the cause is fixed."
                          : "Check the clients and the load balancer in front of the FEs: "
                            "queries stopped arriving.",
                    label + " is " + Number(assessment.collapse_ratio * 100) +
                        "% of what it was a week earlier.");
    draft.Recommend("Tell the data owners: downstream tables are going stale while " + label +
                        " stays near zero.",
                    "Freshness SLAs break silently when loads stop.");
    const std::string& tier = facts.cluster.tier;
    const Severity severity =
        tier == "S" || tier == "A" ? Severity::kHigh : (tier == "C" ? Severity::kMedium
                                                                    : Severity::kHigh);
    return draft.Finish(
        RootCause::kIngestionFailure, severity,
        label + " on " + facts.cluster.cluster_id + " collapsed to " +
            WithUnit(dim.latest, dim.unit) + " (" + Number(assessment.collapse_ratio * 100) +
            "% of its baseline" +
            (dim.baseline_avg ? ", " + WithUnit(*dim.baseline_avg, dim.unit) + " a week earlier"
                              : std::string()) +
            ")" + c.SinceOnset() + ": " +
            (loads ? "data stopped arriving (a paused or failing load, or the upstream)."
                   : "queries stopped arriving."),
        "Volume collapse on " + facts.cluster.cluster_id + ": " + label + " near zero.");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewVolumeCollapse() { return std::make_unique<VolumeCollapse>(); }

}  // namespace rh::agent::internal::diagnosis
