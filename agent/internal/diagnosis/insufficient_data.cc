// insufficient_data (rule 1): no metric snapshot for 3 h or more, or none at all. Without
// current telemetry nothing else can be judged, so this family comes first.
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class InsufficientData final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kInsufficientData); }

  bool Applies(Case& c) override {
    return c.assessment().no_telemetry || c.assessment().gap_hours.has_value();
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    const Assessment& assessment = c.assessment();
    const SqlFindings& sql = c.sql();
    Draft& draft = c.draft();
    c.CiteContext();
    const MetricFacts& metrics = facts.metrics;
    std::string gap_text;
    if (assessment.no_telemetry) {
      gap_text = "there is no metric snapshot at all for this cluster";
      draft.Agree(2, "no telemetry");
    } else {
      gap_text = "no metric snapshot for the last " + std::to_string(*assessment.gap_hours) +
                 " h (last " + Minute(*metrics.latest_snapshot) + ")";
      draft.Agree(*assessment.gap_hours >= 6 ? 2 : 1,
                  "a " + std::to_string(*assessment.gap_hours) + " h gap");
    }
    draft.Cite(metrics.source, "telemetry gap: " + gap_text);
    if (!sql.last_snapshots_text.empty()) {
      draft.Cite(sql.last_snapshots_call, "run_sql", sql.last_snapshots_text);
      draft.Agree(1, "every metric stopped");
    }
    if (!assessment.firing.empty()) c.CiteAlerts(assessment.firing);
    if (facts.cluster.status == "running" || facts.cluster.status.empty()) {
      draft.Agree(0.5, "the cluster is supposed to be running");
    }
    draft.Recommend(
        "Restore the metrics pipeline for this cluster (collector/exporter and the "
        "hourly snapshot job); check that the cluster itself answers.",
        "Without current telemetry its health cannot be judged: " + gap_text + ".");
    draft.Recommend("Investigate again once snapshots arrive.",
                    "The diagnosis needs the latest hours of metrics.");
    return draft.Finish(RootCause::kInsufficientData, Severity::kLow,
                        "Telemetry gap: " + gap_text +
                            ", so the cluster's current state cannot be judged from its metrics.",
                        "Not enough data: " + gap_text + ".");
  }
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewInsufficientData() {
  return std::make_unique<InsufficientData>();
}

}  // namespace rh::agent::internal::diagnosis
