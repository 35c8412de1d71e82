// slow_queries (rule 6, latency): latency without CPU saturation. CPU not saturated and more
// rows scanned corroborate; a CPU peak over twice the average and over 70% flags data skew.
#include <algorithm>

#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class SlowQueries final : public SymptomFamily {
 public:
  SlowQueries() : SymptomFamily(RootCause::kSlowQueries) {}

 protected:
  std::string Explain(Case& c, const Symptom& primary) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    const DimensionFact& dim = *primary.dimension;
    const std::string surge = c.SurgeText();
    const std::string value = WithUnit(dim.latest, dim.unit);
    const DimensionFact* cpu = facts.metrics.Find("cpu");
    if (cpu && !cpu->critical_now()) {
      draft.Agree(0.5, "CPU is not saturated");
      draft.Cite(facts.metrics.source, "CPU average " + WithUnit(cpu->latest, "%") + " (" +
                                           cpu->state + "), peak " + WithUnit(cpu->max, "%") +
                                           " in the window");
    }
    bool skew = cpu && cpu->max > 2 * std::max(1.0, cpu->avg) && cpu->max > 70;
    if (const WorkloadShift* scan = c.assessment().Shift("scan_rows"); scan && scan->rising) {
      draft.Agree(0.5, "queries scan more rows");
      c.CiteDimension(*scan->dimension);
    }
    std::string root_cause = "Queries on " + facts.cluster.cluster_id + " are slow: latency p99 " +
                             value + c.SinceOnset() + " while CPU is not saturated" +
                             (skew ? " on average but peaks on one node (data skew)" : "") +
                             (surge.empty() ? "" : "; the queries scan more (" + surge + ")") + ".";
    draft.Recommend(
        "Profile the slowest statements since the onset (fe.audit.log, "
        "enable_profile) and fix partition pruning, join order or stale statistics "
        "(ANALYZE TABLE).",
        "Latency p99 is " + value + " without CPU saturation.");
    if (skew) {
      draft.Recommend("Check data skew: one " + c.ComputeType() + " peaks at " +
                          WithUnit(cpu->max, "%") + " CPU while the average is " +
                          WithUnit(cpu->avg, "%") +
                          "; redistribute the hot tablets (bucket "
                          "key).",
                      "A skewed node makes every query wait for it.");
    }
    draft.Recommend(
        "Isolate heavy workloads with resource groups (big_query_scan_rows_limit, "
        "concurrency_limit).",
        "Keeps short queries fast while the slow ones are fixed.");
    return root_cause;
  }

  // High on a tier S/A customer, medium otherwise.
  Severity SeverityFor(const Case& c, const Symptom&) const override {
    const std::string& tier = c.facts().cluster.tier;
    return tier == "S" || tier == "A" ? Severity::kHigh : Severity::kMedium;
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewSlowQueries() { return std::make_unique<SlowQueries>(); }

}  // namespace rh::agent::internal::diagnosis
