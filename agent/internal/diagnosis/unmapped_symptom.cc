// The primary symptom of a dimension that no family above claims (one the vocabulary maps to
// no category of its own, so its category is insufficient_data, severity low): the report
// names it and asks what changed around the onset. The dimensions of store/metric_catalog.h all
// have a family; this keeps a new dimension from going unreported until it gets one.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class UnmappedSymptom final : public SymptomFamily {
 public:
  UnmappedSymptom() : SymptomFamily(RootCause::kInsufficientData) {}
  std::string_view Name() const override { return "unmapped_symptom"; }

  bool Applies(Case& c) override { return c.assessment().Primary() != nullptr; }

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const DimensionFact& dim = *primary.dimension;
    const std::string label = DimensionLabel(dim.name);
    c.draft().Fallback("no family maps " + label + " to a cause", &c.facts().metrics.source);
    c.draft().Recommend("Look at what changed around the onset in the workload and the logs.",
                        label + " is " + dim.state + ".");
    return label + " on " + c.facts().cluster.cluster_id + " is " + WithUnit(dim.latest, dim.unit) +
           " (" + dim.state + ")" + c.SinceOnset() + ".";
  }

  Severity SeverityFor(const Case&, const Symptom&) const override { return Severity::kLow; }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewUnmappedSymptom() {
  return std::make_unique<UnmappedSymptom>();
}

}  // namespace rh::agent::internal::diagnosis
