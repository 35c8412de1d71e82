// compaction_backlog (rule 6, compaction or tablets): compaction cannot keep up with the
// loads. A load-rate rise corroborates. The recommendation batches the loads and gives
// compaction more threads (and more CPU when CPU is short too).
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class CompactionBacklog final : public SymptomFamily {
 public:
  CompactionBacklog() : SymptomFamily(RootCause::kCompactionBacklog) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (const WorkloadShift* load = c.assessment().Shift("load_rate"); load && load->rising) {
      draft.Agree(1.0, "the load rate grew " + Factor(load->factor));
      c.CiteDimension(*load->dimension);
    }
    std::string root_cause = "Compaction on " + c.facts().cluster.cluster_id +
                             " cannot keep up: average "
                             "compaction score " +
                             value + c.SinceOnset() +
                             (surge.empty() ? "" : ", after the loading grew (" + surge + ")") +
                             "; versions pile up and loads risk failing with 'Too many versions'.";
    draft.Recommend(
        "Batch the loads: fewer, larger transactions (Routine Load "
        "max_batch_interval >= 10 s, no row-by-row INSERT INTO VALUES).",
        "Each load adds a version; the score is " + value + ".");
    draft.Recommend(
        "Give compaction more threads: cumulative_compaction_num_threads_per_disk "
        "4 on the BEs.",
        "The compaction score keeps climbing.", "set_config",
        Json{{"component", c.ComputeType() == "CN" ? "CN" : "BE"},
             {"name", c.ComputeType() == "CN" ? "compact_threads"
                                              : "cumulative_compaction_num_threads_"
                                                "per_disk"},
             {"value", 4}},
        "more compaction I/O and CPU");
    if (const DimensionFact* cpu = c.facts().metrics.Find("cpu"); cpu && cpu->abnormal()) {
      c.RecommendScaleUp("CPU is " + cpu->state + " too: compaction needs headroom.");
    }
    return root_cause;
  }

  // Critical at a score of 1000; high when critical; medium at warning.
  Severity SeverityFor(const Case&, const Symptom& primary) const override {
    if (primary.dimension->latest >= 1000) return Severity::kCritical;
    return primary.level == 2 ? Severity::kHigh : Severity::kMedium;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewCompactionBacklog() {
  return std::make_unique<CompactionBacklog>();
}

}  // namespace rh::agent::internal::diagnosis
