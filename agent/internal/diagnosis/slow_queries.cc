// slow_queries (rule 6, latency): latency without CPU saturation. CPU not saturated and more
// rows scanned corroborate; a CPU peak over twice the average and over 70% flags data skew. An
// alert naming a cause that leaves the CPU idle (SlowQueryCauseAlert, or disk I/O: the query
// queue, a resource group's limit, object-storage throttling, a cold data cache) names the wait,
// and the recommendations follow it.
#include <algorithm>

#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

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
    if (cpu && !cpu->abnormal()) {
      draft.RuleOut(RootCause::kCpuSaturation,
                    "CPU " + WithUnit(cpu->latest, "%") + " (" + cpu->state +
                        ") is under its warning level and the BE CPU Alert's 90%: the queries "
                        "wait on something else",
                    &facts.metrics.source);
    }
    // The alerts that name the wait: the queue, a resource group, object storage, the cache,
    // the disks.
    std::vector<const AlertFact*> waits;
    for (const AlertFact& alert : facts.alerts.alerts) {
      if (UnmeasuredAlertCategory(alert.name) == RootCause::kSlowQueries &&
          (alert.currently_firing || alert.flapping)) {
        waits.push_back(&alert);
      }
    }
    std::string wait;
    if (!waits.empty()) {
      c.CiteAlerts(waits);
      draft.Agree(1.0, "'" + waits.front()->name + "' names the wait");
      wait = Lower(waits.front()->name);
    }
    bool skew = cpu && cpu->max > 2 * std::max(1.0, cpu->avg) && cpu->max > 70;
    if (const WorkloadShift* scan = c.assessment().Shift("scan_rows"); scan && scan->rising) {
      draft.Agree(0.5, "queries scan more rows");
      c.CiteDimension(*scan->dimension);
    }
    std::string root_cause = "Queries on " + facts.cluster.cluster_id + " are slow: latency p99 " +
                             value + c.SinceOnset() + " while CPU is not saturated" +
                             (skew ? " on average but peaks on one node (data skew)" : "") +
                             (surge.empty() ? "" : "; the queries scan more (" + surge + ")") +
                             (waits.empty() ? ""
                                            : "; '" + waits.front()->name + "' names the wait") +
                             ".";
    if (SlowQueryCauseAlert(wait) && ContainsAny(wait, {"queue", "queued", "queuing", "queueing",
                                                        "pending", "排队", "resource group",
                                                        "资源组"})) {
      draft.Recommend("Check the query queue and the resource groups (SHOW RUNNING QUERIES, "
                          "SHOW RESOURCE GROUPS): raise query_queue_concurrency_limit or the "
                          "group's concurrency_limit if the BEs have headroom, else move the "
                          "heavy workload to its own group.",
                      "Queries wait in the queue while the CPU is idle.");
    } else if (SlowQueryCauseAlert(wait)) {
      draft.Recommend("Check object-storage throttling and the data cache (the bucket's request "
                          "rate and 503 Slow Down errors, the CN data cache hit ratio): spread "
                          "the requests, enlarge or warm the data cache (CACHE SELECT).",
                      "On shared-data every cache miss is an object-storage read.");
    } else if (!wait.empty()) {
      draft.Recommend("Check the disks (iostat -x on the BEs: %util, await) and the tablets "
                          "with the most I/O; move hot tablets or upgrade the disk class.",
                      "Saturated disks slow scans while the CPU waits.");
    }
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
