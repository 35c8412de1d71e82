// ingestion_failure (rule 6, txn_failed): load transactions failing. A load-rate drop
// corroborates; a firing Routine Load alert says a job is behind or paused. The
// recommendation reads the failing jobs' errors and resumes them.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class IngestionFailure final : public SymptomFamily {
 public:
  IngestionFailure() : SymptomFamily(RootCause::kIngestionFailure) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const Assessment& assessment = c.assessment();
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (const WorkloadShift* load = assessment.Shift("load_rate"); load && !load->rising) {
      draft.Agree(1.0, "the load rate dropped " + Factor(load->factor));
      c.CiteDimension(*load->dimension);
    } else if (auto pair = c.sql().Compare("load_rate");
               pair && pair->first > 0 && pair->second < pair->first * 0.8) {
      draft.Agree(1.0, "the load rate dropped");
    }
    bool routine = false;
    for (const AlertFact* alert : assessment.firing) {
      if (Lower(alert->name).find("routine load") != std::string::npos) routine = true;
    }
    if (routine) c.CiteAlerts(assessment.firing);
    std::string root_cause = "Loads into " + c.facts().cluster.cluster_id + " fail: " + value +
                             " failed transactions per hour" + c.SinceOnset() +
                             " and the load rate dropped" +
                             (routine ? "; a Routine Load job is behind or paused" : "") + ".";
    draft.Recommend(
        "Read the error of the failing jobs (SHOW ROUTINE LOAD / SHOW LOAD: "
        "ErrorMsg, ErrorLogUrl) and fix the cause (source schema change, column "
        "mapping, filtered rows), then RESUME ROUTINE LOAD.",
        "About " + value + " transactions fail every hour.");
    draft.Recommend(
        "If the error is the running-transaction limit, batch the loads; raise "
        "max_running_txn_num_per_db (FE) only as a stopgap.",
        "Many small concurrent loads exhaust the per-database limit.", "set_config",
        Json{{"component", "FE"}, {"name", "max_running_txn_num_per_db"}, {"value", 2000}},
        "more concurrent transactions put more pressure on compaction");
    return root_cause;
  }

  // Medium on a tier C customer, high otherwise.
  Severity SeverityFor(const Case& c, const Symptom&) const override {
    return c.facts().cluster.tier == "C" ? Severity::kMedium : Severity::kHigh;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewIngestionFailure() {
  return std::make_unique<IngestionFailure>();
}

}  // namespace rh::agent::internal::diagnosis
