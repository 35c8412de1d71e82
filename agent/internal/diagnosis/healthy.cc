// Healthy (rule 11, the last family, which always applies): nothing abnormal and nothing
// firing. Severity info, category healthy (nothing wrong now), and no action; when the metrics
// could not be read at all, insufficient_data instead (no basis for a clean bill).
#include <algorithm>

#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class Healthy final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kHealthy); }

  bool Applies(Case&) override { return true; }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    c.CiteContext();
    const MetricFacts& metrics = facts.metrics;
    if (metrics.source.ok) {
      draft.Cite(metrics.source,
                 "all " + std::to_string(metrics.dimensions.size()) + " metric dimensions healthy");
      draft.Agree(2.0, "healthy metrics");
    }
    if (facts.alerts.source.ok) {
      draft.Cite(facts.alerts.source, "no alert firing now (" +
                                          std::to_string(facts.alerts.firing_messages) +
                                          " firing messages in the last " +
                                          std::to_string(facts.alerts.window_hours) + " h)");
      draft.Agree(1.0, "no firing alert");
    }
    c.CiteOperationsContext();
    // Patchy telemetry: a quarter of the window's hours or more without a snapshot cannot
    // certify a cluster as healthy.
    int64_t samples = 0;
    for (const auto& [name, dim] : metrics.dimensions) samples = std::max(samples, dim.samples);
    const int64_t missing = metrics.window_hours - samples;
    if (metrics.source.ok && metrics.window_hours > 0 && samples > 0 &&
        missing * 4 >= metrics.window_hours) {
      draft.Cite(metrics.source, std::to_string(missing) + " of the last " +
                                     std::to_string(metrics.window_hours) +
                                     " hours have no metric snapshot");
      draft.Agree(1.0, "patchy telemetry");
      draft.Recommend("Check the metrics collector of " + facts.cluster.cluster_id +
                          " (the exporter or the scrape job): its snapshots keep dropping out.",
                      std::to_string(missing) + " of " + std::to_string(metrics.window_hours) +
                          " hours are missing.");
      return draft.Finish(RootCause::kInsufficientData, Severity::kLow,
                          "Nothing abnormal in what arrived, but " + std::to_string(missing) +
                              " of the last " + std::to_string(metrics.window_hours) +
                              " hours of " + facts.cluster.cluster_id +
                              " have no metric snapshot: its health cannot be judged.",
                          "Insufficient data for " + facts.cluster.cluster_id +
                              ": patchy telemetry.");
    }
    if (!metrics.source.ok) {
      // Nothing abnormal was seen because the metrics could not be read: not a clean bill.
      return draft.Finish(RootCause::kInsufficientData, Severity::kInfo,
                          "The metrics of " + facts.cluster.cluster_id +
                              " could not be read, so there is no basis for a diagnosis.",
                          "Insufficient data for " + facts.cluster.cluster_id +
                              ": the metrics could not be read.");
    }
    return draft.Finish(RootCause::kHealthy, Severity::kInfo,
                        "No problem found on " + facts.cluster.cluster_id +
                            ": every metric is healthy and no alert is firing; nothing is wrong "
                            "now.",
                        "Healthy: nothing to act on for " + facts.cluster.cluster_id + ".");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewHealthy() { return std::make_unique<Healthy>(); }

}  // namespace rh::agent::internal::diagnosis
