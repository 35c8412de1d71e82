// Diagnose: asks the diagnosis families (internal/diagnosis/) in their decision order; the
// first that applies writes the report (see playbook_rules.h; every rule is listed in
// agent/README.md).
#include <stdexcept>

#include "agent/internal/diagnosis/decision_order.h"
#include "agent/internal/playbook_rules.h"

namespace rh::agent::internal {

Report Diagnose(const PlaybookFacts& facts, const Assessment& assessment, const SqlFindings& sql) {
  diagnosis::Case c(facts, assessment, sql);
  for (const auto& family : diagnosis::FamiliesInDecisionOrder()) {
    if (family->Applies(c)) return family->Diagnose(c);
  }
  // The last family (healthy) always applies; reaching this is a bug in the decision order.
  throw std::logic_error("playbook: no diagnosis family applies");
}

}  // namespace rh::agent::internal
