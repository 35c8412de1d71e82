// routine_load_paused (ingestion_failure, tuning family): a routine load job pauses on too many
// error rows: the load rate collapses to 0-5% of its baseline and the consumption lag grows.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& RoutineLoadPausedFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "routine_load_paused";
    spec.category = RootCause::kIngestionFailure;
    spec.summary = "routine load job PAUSED: load rate collapses, Kafka lag grows";
    spec.shapes = {Shape::kAbrupt, Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 20;
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.0, 0.05});
    spec.signals.push_back({kTxnFailed, Move::kCount, 3, 20, true});
    {
      AlertSpec alert = Rule("Routine Load Consumption Delay Alert", "[P2] routine load lag",
                             "Routine Load消费延迟");
      alert.severity = "warning";
      alert.text_en =
          "routine load job 'ods_events' PAUSED (ErrorReason: too many error rows); max lag "
          "{value} messages > 300000";
      alert.text_zh = "Routine Load 作业 ods_events 已暂停 (PAUSED)，最大消费延迟 {value} 条";
      alert.value_lo = 400000;
      alert.value_hi = 3000000;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The routine load job feeding {cluster} paused on too many error rows: nothing is loaded "
        "any more and the Kafka lag grows.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
