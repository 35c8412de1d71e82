// ingestion_failure: 60-400 load transactions fail per hour and the load rate falls to 10-40%:
// the upstream Kafka topic changed its message schema (the routine load job pauses), or the
// database hit its running-transaction limit.
#include <cmath>

#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

class IngestionFailure final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kIngestionFailure; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(3, 24));
    incident.variant = rng.UniformInt(0, 1);
    incident.scenario = incident.variant == 0 ? "ingestion_failure_kafka_schema_change"
                                              : "ingestion_failure_txn_limit_exceeded";
    incident.target = rng.Uniform(60, 400);   // failed txns per hour
    incident.factor = rng.Uniform(0.1, 0.4);  // load rate
    story.Open(start);
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "C" ? Severity::kMedium : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Loading Failure Alert", "Routine Load Consumption Delay Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const int start = story.start;
    const double txn_mean = story.baseline[kTxnFailed];
    for (int hour_idx = start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      const double step = Step(hour_idx, start, 1);
      const double failures = incident.target * story.rng.Uniform(0.8, 1.2);
      m[kTxnFailed].avg = m[kTxnFailed].max =
          std::round(m[kTxnFailed].avg + step * (failures - txn_mean));
      Multiply(m[kLoadRate], 1.0 + (incident.factor - 1.0) * step);
      Multiply(m[kCompaction], 1.0 - 0.4 * step);
    }
  }

  std::string Derive(StoryEvents& story) const override {
    FireLoadingFailureAlert(story);
    if (story.incident.variant == 0) {
      story.FireAt(story.start, "Routine Load Consumption Delay Alert", "warning",
                   "routine load job paused: Kafka message schema no longer matches the table",
                   FormatNumber(story.rng.Uniform(350000, 2000000), 0));
    }
    return "Loads into " + story.cluster.name + " fail since " + story.since + " (" +
           FormatNumber(story.At(story.last, kTxnFailed).avg, 0) +
           " failed transactions/hour, load rate " +
           PctChange(story.Before(kLoadRate), story.End(kLoadRate)) + ") " +
           (story.incident.variant == 0
                ? "after the upstream Kafka topic changed its message schema"
                : "because the database hit its running-transaction limit") +
           "; Loading Failure Alert is firing.";
  }
};

}  // namespace

const Scenario& IngestionFailureFamily() {
  static const IngestionFailure family;
  return family;
}

}  // namespace rh::simulator::internal
