// query_errors (rule 6, query_err): queries failing with no matching workload change (a
// client or schema change, or timeouts). The recommendation groups the failed statements by
// error and client.
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class QueryErrors final : public SymptomFamily {
 public:
  QueryErrors() : SymptomFamily(RootCause::kQueryErrors) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (const DimensionFact* latency = facts.metrics.Find("latency");
        latency && latency->rising()) {
      c.CiteDimension(*latency);
    }
    std::string root_cause =
        "Queries on " + facts.cluster.cluster_id + " fail: error rate " + value + c.SinceOnset() +
        (surge.empty() ? " with no matching workload change" : " with " + surge) +
        " (a client or schema change, or timeouts).";
    draft.Recommend(
        "Group the failed statements since the onset by error in fe.audit.log "
        "(state=ERR) and by client/user; roll back the client release if one "
        "error dominates.",
        "The error rate is " + value + ".");
    draft.Recommend(
        "If the errors are timeouts, find the slow statements before raising "
        "query_timeout.",
        "Raising the timeout hides the cause.");
    return root_cause;
  }

  // Critical at 10% or critical on a tier S customer; high when critical; medium at warning.
  Severity SeverityFor(const Case& c, const Symptom& primary) const override {
    const bool critical_now = primary.level == 2;
    if (primary.dimension->latest >= 10 || (c.facts().cluster.tier == "S" && critical_now)) {
      return Severity::kCritical;
    }
    return critical_now ? Severity::kHigh : Severity::kMedium;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewQueryErrors() { return std::make_unique<QueryErrors>(); }

}  // namespace rh::agent::internal::diagnosis
