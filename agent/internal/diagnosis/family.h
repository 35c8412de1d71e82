// A diagnosis family: one root-cause family of the playbook (a node down, an account-wide
// cause, a change operation, a known bug, a full disk, ...), with the rule that decides whether
// it explains the case and the report it writes when it does. Diagnose (playbook_rules.h) asks
// the families in the decision order of decision_order.cc; the first that applies writes the
// report. Each family lives in its own file in this folder; what several of them cite or
// recommend lives in case.h.
//
// Adding a family: one file here defining the family and its factory, and its line in the list
// of decision_order.cc (with the factory's declaration) at the place in the order where its rule
// belongs (agent/README.md "Category rules" lists the order and why). No other family changes.
//
// Thread-safety: a family instance serves one Case; Diagnose makes fresh ones every time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/internal/diagnosis/case.h"

namespace rh::agent::internal::diagnosis {

class DiagnosisFamily {
 public:
  virtual ~DiagnosisFamily() = default;

  // A short name for the family ("node_failure", "disk_capacity", "chronic", ...): the
  // category's RootCauseName for a family named after the root-cause category it reports.
  virtual std::string_view Name() const = 0;

  // Whether this family explains the case. It may keep what it found for Diagnose, and a family
  // that considered a cause and rejected it notes why in the case (c.draft().RuleOut): the
  // report of the family that applies lists it.
  virtual bool Applies(Case& c) = 0;

  // The report; called only after Applies returned true, at most once.
  virtual Report Diagnose(Case& c) = 0;
};

// The families of rule 6: the primary symptom's own category (disk -> disk_capacity, ...).
// Each applies when the primary symptom's dimension points to its Name(); the report cites
// the context, the symptom's signals and the operations first, then the family's own part
// (Explain), then the Knowledge Lake, past reports and siblings.
class SymptomFamily : public DiagnosisFamily {
 public:
  explicit SymptomFamily(RootCause category) : category_(category) {}

  // The category's name (a family of its own may name itself otherwise).
  std::string_view Name() const override { return RootCauseName(category_); }
  bool Applies(Case& c) override;
  Report Diagnose(Case& c) final;

 protected:
  // The category's own signals, evidence and recommendations; returns the root cause.
  virtual std::string Explain(Case& c, const Symptom& primary) = 0;
  // Severity from the magnitude and the customer tier (agent/README.md "Severity").
  virtual Severity SeverityFor(const Case& c, const Symptom& primary) const = 0;

 private:
  const RootCause category_;
};

}  // namespace rh::agent::internal::diagnosis
