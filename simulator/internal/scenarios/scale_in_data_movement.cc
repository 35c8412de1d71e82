// scale_in_data_movement (operation_induced, tuning family): a SCALE-in removes two BEs: their
// tablets move to the survivors (tablets per BE up, CPU and latency up).
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ScaleInDataMovementFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "scale_in_data_movement";
    spec.category = RootCause::kOperationInduced;
    spec.summary =
        "SCALE-in: decommissioned BEs move their tablets to the survivors, CPU and latency up";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp};
    spec.onset_lo = 2;
    spec.onset_hi = 12;
    spec.ramp_lo = 6;
    spec.ramp_hi = 14;
    spec.signals.push_back({kTablets, Move::kFactor, 1.3, 1.6});
    spec.signals.push_back({kCpu, Move::kShift, 12, 22});
    spec.signals.push_back({kLatency, Move::kFactor, 1.8, 3.0});
    spec.signals.push_back({kDisk, Move::kShift, 6, 12, true});
    {
      AlertSpec alert = Rule("BE CPU Alert", "[P2] BE CPU high", "BE CPU使用率过高");
      alert.severity = "warning";
      alert.text_en = "BE CPU utilisation {value}% on {node}";
      alert.text_zh = "{node} BE CPU 使用率 {value}%";
      alert.metric = kCpu;
      alert.threshold = 70;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Query Latency Alert", "[P2] query p99 slow", "查询延迟过高");
      alert.severity = "warning";
      alert.text_en = "query latency p99 {value} ms > 5000 ms";
      alert.text_zh = "查询 P99 延迟 {value} ms，超过 5000 ms";
      alert.metric = kLatency;
      alert.threshold = 5000;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kScale;
    op.scale_nodes = -2;
    op.minutes_lo = 20;
    op.minutes_hi = 90;
    op.duration_lo = 5;
    op.duration_hi = 15;
    op.opens_window = true;
    spec.operation = op;
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.routine_scale = false};
    spec.story =
        "A SCALE-in removed two BEs of {cluster}; their tablets are migrating to the survivors, "
        "which now carry more data and load.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
