// Healthy (rule 9, the last family, which always applies): nothing abnormal and nothing
// firing. Severity info, category insufficient_data ("no problem found, nothing to name"), and
// no action.
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class Healthy final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return "healthy"; }

  bool Applies(Case&) override { return true; }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    c.CiteContext();
    const MetricFacts& metrics = facts.metrics;
    if (metrics.source.ok) {
      draft.Cite(metrics.source,
                 "all " + std::to_string(metrics.dimensions.size()) + " metric dimensions healthy");
      draft.Agree(2.0, "healthy metrics");
    }
    if (facts.alerts.source.ok) {
      draft.Cite(facts.alerts.source, "no alert firing now (" +
                                          std::to_string(facts.alerts.firing_messages) +
                                          " firing messages in the last " +
                                          std::to_string(facts.alerts.window_hours) + " h)");
      draft.Agree(1.0, "no firing alert");
    }
    c.CiteOperationsContext();
    return draft.Finish(RootCause::kInsufficientData, Severity::kInfo,
                        "No problem found on " + facts.cluster.cluster_id +
                            ": every metric is healthy and no alert is firing, so there is no "
                            "root cause to name.",
                        "Healthy: nothing to act on for " + facts.cluster.cluster_id + ".");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewHealthy() { return std::make_unique<Healthy>(); }

}  // namespace rh::agent::internal::diagnosis
