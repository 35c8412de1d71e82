// publish_timeout (ingestion_failure, held_out family): transactions time out in the publish phase:
// failures ramp up over a day, load rate down, compaction score up a little.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& PublishTimeoutFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "publish_timeout";
    spec.category = RootCause::kIngestionFailure;
    spec.summary =
        "publish timeouts: load transactions fail in the publish phase, ramping over a day";
    spec.shapes = {Shape::kRamp, Shape::kFlapping};
    spec.onset_lo = 6;
    spec.onset_hi = 20;
    spec.ramp_lo = 14;
    spec.ramp_hi = 30;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kTxnFailed, Move::kCount, 40, 200});
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.5, 0.8});
    spec.signals.push_back({kCompaction, Move::kFactor, 1.3, 2.0, true});
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] publish timeout", "导入Publish超时");
      alert.severity = "warning";
      alert.text_en =
          "{value} load transactions failed in the last hour: publish timeout (wait for version "
          "publish)";
      alert.text_zh = "过去一小时 {value} 个导入事务失败：publish timeout";
      alert.metric = kTxnFailed;
      alert.threshold = 50;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.story = "Load transactions into {cluster} time out in the publish phase.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
