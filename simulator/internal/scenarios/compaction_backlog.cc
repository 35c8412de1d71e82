// compaction_backlog: heavy loading (load rate x2.5-4 for 12-48 hours: large batch loads, or
// INSERT INTO VALUES about once a second) outpaces compaction; the average compaction score
// climbs to 600-1500, CPU rises by the compaction work and a few loads fail.
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class CompactionBacklog final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kCompactionBacklog; }
  bool Prefers(const Cluster& cluster) const override { return IsSharedNothing(cluster); }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    MakeSharedNothing(story.cluster(), rng);
    const int start = StartIdx(story.plan, rng.UniformInt(12, 48));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario = incident.variant == 0 ? "compaction_backlog_heavy_loading"
                                              : "compaction_backlog_high_frequency_inserts";
    incident.target = rng.Uniform(600, 1500);  // average compaction score at the end
    incident.factor = rng.Uniform(2.5, 4.0);   // load rate
    incident.target2 = rng.Uniform(8, 14);     // CPU points spent compacting
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident& incident, std::string_view) const override {
    return incident.target >= 1000 ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"High Compaction Pressure Alert", "Exceeding Version Count Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    const double compaction_mean = story.baseline[kCompaction];
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 2);
      Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
      const double ramp = Ramp(hour_idx, start, story.last, 1.4);
      LevelTo(m[kCompaction], compaction_mean, incident.target * (0.85 + 0.15 * ramp), ramp, 0.5);
      Shift(m[kCpu], incident.target2 * step);
      if (ramp > 0.8) {
        m[kTxnFailed].avg = m[kTxnFailed].max = m[kTxnFailed].avg + story.rng.UniformInt(1, 3);
      }
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const int last = story.last;
    const int pressure_idx = story.FirstAbove(kCompaction, kCompactionPressure);
    const double pressure = story.At(pressure_idx < 0 ? last : pressure_idx, kCompaction).max;
    story.FireAt(pressure_idx, "High Compaction Pressure Alert", "warning",
                 "max tablet compaction score " + FormatNumber(pressure, 0) + " > 100",
                 FormatNumber(pressure, 0));
    const int versions_idx = story.FirstAbove(kCompaction, kVersionCountScore);
    const double score = story.At(versions_idx < 0 ? last : versions_idx, kCompaction).avg;
    const std::string versions =
        FormatNumber(700 + 0.25 * (score - kVersionCountScore) + story.rng.UniformInt(5, 60), 0);
    story.FireAt(versions_idx, "Exceeding Version Count Alert", "critical",
                 "max tablet rowset (version) count " + versions + " > 700 on " + story.node,
                 versions);
    return "Heavy loading on " + story.cluster.name + " since " + story.since + " (load rate " +
           PctChange(story.Before(kLoadRate), story.End(kLoadRate)) +
           (story.incident.variant == 0 ? ", large batch loads"
                                        : ", INSERT INTO VALUES about once a second") +
           ") outpaces compaction: the average compaction score climbed from " +
           FormatNumber(story.At(story.start, kCompaction).avg, 0) + " to " +
           FormatNumber(story.At(last, kCompaction).avg, 0) +
           "; High Compaction Pressure and Exceeding Version Count alerts are firing.";
  }
};

}  // namespace

const Scenario& CompactionBacklogFamily() {
  static const CompactionBacklog family;
  return family;
}

}  // namespace rh::simulator::internal
