// cpu_saturation (rule 6, cpu): BE CPU saturated. A scan or QPS surge corroborates, and
// latency suffering with it too. The recommendation throttles the heaviest statements with a
// resource group, then adds capacity.
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class CpuSaturation final : public SymptomFamily {
 public:
  CpuSaturation() : SymptomFamily(RootCause::kCpuSaturation) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const std::string value = WithUnit(dim.latest, dim.unit);
    if (c.Surge()) {
      draft.Agree(1.0, "the scans/queries grew (" + surge + ")");
    }
    for (const char* name : {"scan_rows", "qps"}) {
      if (const WorkloadShift* shift = c.assessment().Shift(name)) {
        c.CiteDimension(*shift->dimension);
      }
    }
    if (const DimensionFact* latency = facts.metrics.Find("latency");
        latency && latency->abnormal()) {
      draft.Agree(0.5, "latency suffers with it");
      c.CiteDimension(*latency);
    }
    std::string root_cause = "BE CPU of " + facts.cluster.cluster_id + " is saturated at " + value +
                             c.SinceOnset() +
                             (surge.empty() ? "" : ", from heavier queries (" + surge + ")") +
                             "; queries queue and latency rises.";
    draft.Recommend(
        "Find the heaviest statements since the onset (fe.audit.log scan rows, "
        "CPU time) and fix or throttle them with a resource group (cpu_weight, "
        "concurrency_limit).",
        "CPU is " + value + (surge.empty() ? "" : " with " + surge) + ".");
    c.RecommendScaleUp("CPU stays saturated if the heavier workload is legitimate.");
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

std::unique_ptr<DiagnosisFamily> NewCpuSaturation() { return std::make_unique<CpuSaturation>(); }

}  // namespace rh::agent::internal::diagnosis
