// stream_load_failures (ingestion_failure, tuning family): Stream Load jobs fail on filtered rows
// after an upstream format change: 80-400 failed transactions an hour, load rate down.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& StreamLoadFailuresFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "stream_load_failures";
    spec.category = RootCause::kIngestionFailure;
    spec.summary = "Stream Load failures: too many filtered rows, load rate down";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping, Shape::kRamp};
    spec.onset_lo = 3;
    spec.onset_hi = 16;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 3;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kTxnFailed, Move::kCount, 80, 400});
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.4, 0.7});
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] load failed", "导入失败告警");
      alert.severity = "warning";
      alert.text_en =
          "{value} Stream Load transactions failed in the last hour: too many filtered rows "
          "(max_filter_ratio)";
      alert.text_zh = "过去一小时 {value} 个 Stream Load 事务失败：too many filtered rows";
      alert.metric = kTxnFailed;
      alert.threshold = 50;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "Stream Load jobs into {cluster} fail on filtered rows since the upstream changed its "
        "file format.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
