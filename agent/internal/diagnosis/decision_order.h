// The decision order of the playbook's diagnosis: every diagnosis family (family.h), in the
// order Diagnose asks them (agent/README.md "Category rules"). The first family that applies
// writes the report, so the order is behaviour: a dead node explains everything after it, an
// account-wide cause outranks a local one, a change operation or a known bug outranks the
// symptom it explains, and a symptom outranks alerts without one.
// Thread-safety: returns fresh instances; each call's families serve one Case.
#pragma once

#include <memory>
#include <vector>

#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {

std::vector<std::unique_ptr<DiagnosisFamily>> FamiliesInDecisionOrder();

}  // namespace rh::agent::internal::diagnosis
