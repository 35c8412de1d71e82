// Chronic symptoms only (rule 10): every abnormal dimension was already abnormal a week ago and
// nothing new fires. The worst one's category at severity medium (critical) or low, and a
// capacity plan rather than an incident response.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class Chronic final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return "chronic"; }

  bool Applies(Case& c) override {
    return !c.assessment().Primary() && !c.assessment().symptoms.empty();
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    const Symptom& worst = c.assessment().symptoms.front();
    const DimensionFact& dim = *worst.dimension;
    const RootCause category = DimensionCategory(dim.name);
    c.CiteContext();
    c.CiteDimension(dim);
    draft.Agree(0.5, DimensionLabel(dim.name) + " " + dim.state);
    draft.Disagree("it was already like this a week ago");
    draft.Fallback("nothing new: only standing conditions", &facts.metrics.source);
    c.CiteOperationsContext();
    c.CiteSiblingsLocal();
    draft.Recommend("Plan capacity for " + DimensionLabel(dim.name) + " (" +
                        WithUnit(dim.latest, dim.unit) + ", " + dim.state +
                        " for more than a week).",
                    "A standing condition, not a new incident.");
    return draft.Finish(category, worst.level == 2 ? Severity::kMedium : Severity::kLow,
                        DimensionLabel(dim.name) + " on " + facts.cluster.cluster_id + " is " +
                            WithUnit(dim.latest, dim.unit) + " (" + dim.state +
                            "), as it already was a week ago: a standing condition, "
                            "not a new incident.",
                        "No new problem on " + facts.cluster.cluster_id + "; a standing " +
                            dim.state + " " + DimensionLabel(dim.name) + ".");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewChronic() { return std::make_unique<Chronic>(); }

}  // namespace rh::agent::internal::diagnosis
