// SymptomFamily: the shared frame of the primary symptom's own category (see family.h).
#include "agent/internal/diagnosis/family.h"

#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {

bool SymptomFamily::Applies(Case& c) {
  const Symptom* primary = c.assessment().Primary();
  return primary && DimensionCategory(primary->dimension->name) == category_;
}

Report SymptomFamily::Diagnose(Case& c) {
  const Symptom& primary = *c.assessment().Primary();
  const std::string dimension = primary.dimension->name;
  const RootCause category = DimensionCategory(dimension);
  c.CiteContext();
  c.SymptomSignals(primary);
  c.CiteOperationsContext();
  const std::string root_cause = Explain(c, primary);
  c.CiteKnowledge(SymptomKeywords(dimension), false);
  c.CiteMemory(category);
  c.CiteSiblingsLocal();
  return c.draft().Finish(category, SeverityFor(c, primary), root_cause,
                          DimensionLabel(dimension) + " " + StateWords(primary) + " on " +
                              c.facts().cluster.cluster_id + c.SinceOnset() + ": " +
                              std::string(RootCauseName(category)) + ".");
}

}  // namespace rh::agent::internal::diagnosis
