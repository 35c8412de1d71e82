// An alert about what the metrics do not measure (rule 8, before alert noise): no new symptom,
// but an alert fires (or a failure-event alert repeats) whose quantity none of the 14 dimensions
// measures — the root path or the FE metadata disk filling, a checkpoint failure, failing
// compactions, routine-load lag, MV refresh failures, the user connection limit, disk I/O
// saturation (UnmeasuredAlertCategory). Healthy metrics cannot show such an alert to be noise, so
// the alert's own category is the diagnosis, with the confidence one alert can give.
#include "agent/internal/diagnosis/family.h"
#include "agent/internal/playbook_vocabulary.h"

namespace rh::agent::internal::diagnosis {
namespace {

using std::chrono::hours;

class UnmeasuredAlert final : public DiagnosisFamily {
 public:
  std::string_view Name() const override { return "unmeasured_alert"; }

  bool Applies(Case& c) override {
    const Assessment& assessment = c.assessment();
    if (assessment.Primary()) return false;
    // Firing now; or flapping until recently: the rules on failure events (a compaction, an MV
    // refresh, a schema change failing: increase(...[1m]) > 0) fire and resolve with every
    // failure, so their flapping is the failures repeating, not noise.
    // A rule on a level (free space, I/O load, connections) that flaps is a threshold set too
    // tight: noise, as for any other alert.
    std::vector<const AlertFact*> candidates;
    for (const AlertFact* alert : assessment.firing) {
      if (!alert->flapping || FailureEventAlert(alert->name)) candidates.push_back(alert);
    }
    for (const AlertFact* alert : assessment.flapping) {
      if (FailureEventAlert(alert->name) && alert->last_seen &&
          *alert->last_seen >= c.facts().now - hours(12)) {
        candidates.push_back(alert);
      }
    }
    for (const AlertFact* alert : candidates) {
      if (auto category = UnmeasuredAlertCategory(alert->name)) {
        alert_ = alert;
        category_ = *category;
        return true;
      }
    }
    return false;
  }

  Report Diagnose(Case& c) override {
    const PlaybookFacts& facts = c.facts();
    Draft& draft = c.draft();
    c.CiteContext();
    c.CiteAlerts({alert_});
    draft.Agree(1.0,
                "'" + alert_->name + "' " + (alert_->currently_firing ? "firing" : "repeating"));
    const bool standing = alert_->firing_since && *alert_->firing_since <= facts.now - hours(2);
    if (standing) draft.Agree(0.5, "firing for hours, not a spike");
    if (alert_->episodes >= 3) draft.Agree(0.5, "it repeats: the failures keep happening");
    std::vector<const AlertFact*> others;
    for (const AlertFact* alert : c.assessment().firing) {
      if (alert != alert_ && UnmeasuredAlertCategory(alert->name) == category_) {
        others.push_back(alert);
      }
    }
    if (!others.empty()) {
      c.CiteAlerts(others);
      draft.Agree(1.0, "'" + others.front()->name + "' agrees");
    }
    if (facts.metrics.source.ok) {
      draft.Cite(facts.metrics.source, "no metric dimension crosses a threshold: what '" +
                                           alert_->name +
                                           "' watches is not among the dimensions measured");
    }
    draft.Fallback("one alert about what no metric measures", &facts.alerts.source);
    c.CiteOperationsContext();
    c.CiteMemory(category_);
    c.CiteSiblingsLocal();
    draft.Recommend("Check what '" + alert_->name + "' watches on the cluster itself (" + Check() +
                        ") and fix its cause.",
                    "The alert fires while the metrics the playbook reads cannot see it.");
    const std::string tier = c.Tier();
    const Severity severity = tier == "S" || tier == "A" ? Severity::kHigh : Severity::kMedium;
    return draft.Finish(
        category_, severity,
        "'" + alert_->name + "' fires on " + facts.cluster.cluster_id +
            (alert_->firing_since ? " since " + Minute(*alert_->firing_since) : std::string()) +
            ": " + std::string(RootCauseName(category_)) +
            " the metric dimensions do not measure; they show nothing that "
            "contradicts it.",
        "'" + alert_->name + "' on " + facts.cluster.cluster_id + " (" +
            std::string(RootCauseName(category_)) + ").");
  }

 private:
  std::string Check() const {
    switch (category_) {
      case RootCause::kDiskCapacity:
        return "du -sh / --max-depth=1: logs, /tmp, core files";
      case RootCause::kMemoryPressure:
        return "the leader FE's fe.log for 'Exception when generate new image file', the meta "
               "dir's bdb size, and the FE -Xmx";
      case RootCause::kCompactionBacklog:
        return "be.log for the failing compaction's tablet and error";
      case RootCause::kIngestionFailure:
        return "SHOW ROUTINE LOAD / SHOW MATERIALIZED VIEWS / SHOW PROC '/transactions' for the "
               "failing jobs and their errors";
      case RootCause::kQueryErrors:
        return "SHOW PROCESSLIST and max_user_connections for the user at the limit";
      case RootCause::kSlowQueries:
        return "iostat / iotop on the BEs and the tablets with the most I/O";
      default:
        return "the alert's own query";
    }
  }

  const AlertFact* alert_ = nullptr;
  RootCause category_ = RootCause::kAlertNoise;
};

}  // namespace

std::unique_ptr<DiagnosisFamily> NewUnmeasuredAlert() {
  return std::make_unique<UnmeasuredAlert>();
}

}  // namespace rh::agent::internal::diagnosis
