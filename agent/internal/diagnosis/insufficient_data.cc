// insufficient_data (rule 1): no metric snapshot for 3 h or more, or none at all. Without
// current telemetry nothing else can be judged, so this family comes first. A shorter gap (the
// latest hour or two missing) counts too when the metrics before it show nothing that explains
// the case but something says there is trouble in the missing hours: an alert firing, or fired
// since the last snapshot, or a health score at Warning or worse. The metrics cannot clear a
// cluster whose latest hours they do not hold.
#include "agent/internal/diagnosis/family.h"

namespace rh::agent::internal::diagnosis {
namespace {

class InsufficientData final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return RootCauseName(RootCause::kInsufficientData); }

  bool Applies(Case& c) override {
    const Assessment& assessment = c.assessment();
    if (assessment.no_telemetry || assessment.gap_hours) return true;
    trouble_ = TroubleInRecentGap(c);
    return !trouble_.empty();
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
    } else if (assessment.gap_hours) {
      gap_text = "no metric snapshot for the last " + std::to_string(*assessment.gap_hours) +
                 " h (last " + Minute(*metrics.latest_snapshot) + ")";
      draft.Agree(*assessment.gap_hours >= 6 ? 2 : 1,
                  "a " + std::to_string(*assessment.gap_hours) + " h gap");
    } else {
      gap_text = "no metric snapshot for the last " + std::to_string(*assessment.recent_gap_hours) +
                 " h (last " + Minute(*metrics.latest_snapshot) + ") while " + trouble_;
      draft.Agree(0.5, "the latest " + std::to_string(*assessment.recent_gap_hours) + " h missing");
      draft.Agree(1, trouble_);
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

 private:
  // Why a recent gap hides trouble ("" when it does not, or when the metrics before it already
  // explain the case: a new symptom, a lost node, a collapse or a suspect operation).
  static std::string TroubleInRecentGap(const Case& c) {
    const Assessment& assessment = c.assessment();
    const PlaybookFacts& facts = c.facts();
    if (!assessment.recent_gap_hours || !facts.metrics.latest_snapshot) return "";
    if (assessment.Primary() || assessment.node_alert || assessment.collapsed ||
        assessment.suspect_operation) {
      return "";
    }
    if (!assessment.firing.empty()) {
      return "'" + assessment.firing.front()->name + "' is firing";
    }
    const TimePoint last = *facts.metrics.latest_snapshot;
    for (const AlertFact& alert : facts.alerts.alerts) {
      if (alert.last_seen && *alert.last_seen >= last - std::chrono::hours(1)) {
        return "'" + alert.name + "' fired since the last snapshot";
      }
    }
    const std::string& risk = facts.cluster.risk_level;
    if (risk == "Warning" || risk == "Critical") {
      return "the health score says " + risk;
    }
    return "";
  }

  std::string trouble_;
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewInsufficientData() {
  return std::make_unique<InsufficientData>();
}

}  // namespace rh::agent::internal::diagnosis
