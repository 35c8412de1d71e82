// memory_pressure (rule 6, be_mem, jvm_heap or fe_heap): with a workload surge it says so;
// without one it suspects a leak or a cache over its limit, points to the known bugs and counts
// that against its confidence (and again when the Knowledge Lake could not be searched).
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

class MemoryPressure final : public SymptomFamily {
 public:
  MemoryPressure() : SymptomFamily(RootCause::kMemoryPressure) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const bool surge_seen = c.Surge();
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (surge_seen) {
      draft.Agree(1.0, "the workload grew (" + surge + ")");
    } else {
      draft.Disagree("no workload growth explains it");
      if (!facts.knowledge.source.ok) {
        draft.Disagree("the Knowledge Lake could not be searched for a known bug");
      }
    }
    const Assessment& assessment = c.assessment();
    if (assessment.oom_kill) {
      // The node loss it caused: an OOM kill (and the restarts after it).
      std::vector<const AlertFact*> lost;
      for (const AlertFact& alert : facts.alerts.alerts) {
        if (!LostNodeType(alert.name, alert.detail).empty()) lost.push_back(&alert);
      }
      c.CiteAlerts(lost);
      if (const DimensionFact* alive = facts.metrics.Find("alive_be"); alive && alive->abnormal()) {
        c.CiteDimension(*alive);
      }
      draft.Agree(1.0, "the node was killed for memory");
      draft.Recommend("Lower the memory the BE may take before the kernel kills it (BE "
                          "mem_limit below the host's free memory; query_mem_limit or a resource "
                          "group's mem_limit for the heavy queries).",
                      "The node is OOM-killed and restarted again and again: each restart drops "
                      "its queries and loads.");
    }
    for (const char* name : {"qps", "scan_rows"}) {
      if (const WorkloadShift* shift = c.assessment().Shift(name)) {
        c.CiteDimension(*shift->dimension);
      }
    }
    std::string root_cause =
        DimensionLabel(dim.name) + " on " + facts.cluster.cluster_id + " is " + value +
        c.SinceOnset() +
        (surge_seen ? ", driven by a workload surge (" + surge + ")"
                    : " without a workload surge (suspect a leak or a cache over its "
                      "limit: check the known bugs of " +
                          facts.cluster.version + ")") +
        (assessment.oom_kill ? "; the node is OOM-killed and restarts (the node loss is the "
                               "effect, not the cause)."
                             : "; queries risk failing with memory exceed limit.");
    draft.Recommend(
        "Find the memory-heavy queries (fe.audit.log memory bytes, "
        "/mem_tracker) and cap them with a resource group (mem_limit, "
        "big_query_mem_limit).",
        "Memory is " + value + ".");
    c.RecommendScaleUp("More memory per node if the workload is legitimate.");
    return root_cause;
  }

  // Warning: high on tier S, else medium. Critical: critical on tier S, else high.
  Severity SeverityFor(const Case& c, const Symptom& primary) const override {
    const bool top = c.facts().cluster.tier == "S";
    if (primary.level != 2) return top ? Severity::kHigh : Severity::kMedium;
    return top ? Severity::kCritical : Severity::kHigh;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewMemoryPressure() { return std::make_unique<MemoryPressure>(); }

}  // namespace rh::agent::internal::diagnosis
