// compaction_backlog (rule 6, compaction or tablets): compaction cannot keep up with the
// loads. A load-rate rise corroborates. On a flat load the score climbs because compaction
// itself fails or is stuck (the Cumulative/Base Compaction Failure Alert, CPU falling as the
// compaction threads give up): still a compaction backlog, not an ingestion failure or a CPU
// problem, and its fix is the failing compaction, not the loads. The recommendation batches the
// loads and gives compaction more threads (and more CPU when CPU is short too).
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

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
    const WorkloadShift* load = c.assessment().Shift("load_rate");
    if (load && load->rising) {
      draft.Agree(1.0, "the load rate grew " + Factor(load->factor));
      c.CiteDimension(*load->dimension);
    }
    // Compactions failing: the alerts on failure events about compaction, firing or repeating.
    std::vector<const AlertFact*> failing;
    for (const AlertFact& alert : c.facts().alerts.alerts) {
      if (FailureEventAlert(alert.name) &&
          UnmeasuredAlertCategory(alert.name) == RootCause::kCompactionBacklog) {
        failing.push_back(&alert);
      }
    }
    const bool flat = !load || !load->rising;
    if (!failing.empty()) {
      c.CiteAlerts(failing);
      draft.Agree(1.0, "'" + failing.front()->name + "': compactions fail");
      if (flat) {
        draft.RuleOut(RootCause::kIngestionFailure,
                      "the load rate did not grow: the versions pile up because compaction "
                      "fails, not because the loads outgrew it",
                      &c.facts().metrics.source);
      }
    }
    if (const DimensionFact* cpu = c.facts().metrics.Find("cpu");
        cpu && cpu->falling() && !cpu->abnormal()) {
      c.CiteDimension(*cpu);
      draft.RuleOut(RootCause::kCpuSaturation,
                    "CPU fell to " + WithUnit(cpu->latest, cpu->unit) +
                        " while the score climbed: compaction is not short of CPU, it is not "
                        "running",
                    &c.facts().metrics.source);
    }
    const bool stuck = flat && !failing.empty();
    std::string root_cause =
        "Compaction on " + c.facts().cluster.cluster_id +
        (stuck ? " is failing ('" + failing.front()->name + "') on a flat load: average "
               : " cannot keep up: average ") +
        "compaction score " + value + c.SinceOnset() +
        (surge.empty() ? "" : ", after the loading grew (" + surge + ")") +
        "; versions pile up and loads risk failing with 'Too many versions'.";
    if (stuck) {
      draft.Recommend(
          "Find the failing compaction in be.INFO / be.WARNING (grep 'compaction' and "
          "'failed'): the tablet, and the reason (a corrupt or missing rowset, a disk error, "
          "the compaction memory limit); repair or drop the bad replica so it re-clones.",
          "Compactions fail while the load is flat; more threads will fail the same way.");
    }
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
