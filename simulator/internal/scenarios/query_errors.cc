// query_errors: the query error rate jumps to 3-15% on a flat workload: analysis errors from a
// bad client release, or queries timing out (latency x1.3-1.7).
#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class QueryErrors final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kQueryErrors; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(2, 12));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario =
        incident.variant == 0 ? "query_errors_bad_client_release" : "query_errors_timeouts";
    incident.target = rng.Uniform(3, 15);                                   // error rate %
    incident.factor = incident.variant == 1 ? rng.Uniform(1.3, 1.7) : 1.0;  // latency
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident& incident, std::string_view tier) const override {
    return incident.target >= 10 || tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Query Failure Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 1);
      LevelTo(m[kQueryErr], story.baseline[kQueryErr], incident.target, step);
      Multiply(m[kLatency], 1.0 + (incident.factor - 1.0) * step);
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const int hour_idx = story.FirstAbove(kQueryErr, kErrorAlertPct);
    const double value = story.At(hour_idx < 0 ? story.last : hour_idx, kQueryErr).avg;
    story.FireAt(hour_idx, "Query Failure Alert", "critical",
                 "query error rate " + Pct(value) + " > 2%", FormatNumber(value, 2));
    return "The query error rate of " + story.cluster.name + " jumped to " +
           Pct(story.At(story.last, kQueryErr).avg) + " since " + story.since + " with QPS " +
           PctChange(story.Before(kQps), story.End(kQps)) + " (" +
           (story.incident.variant == 0 ? "analysis errors from a client release"
                                        : "queries timing out") +
           "); Query Failure Alert is firing.";
  }
};

}  // namespace

const Scenario& QueryErrorsFamily() {
  static const QueryErrors family;
  return family;
}

}  // namespace rh::simulator::internal
