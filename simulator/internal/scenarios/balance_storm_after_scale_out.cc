// balance_storm_after_scale_out (operation_induced, held_out family): a SCALE-out adds two BEs and
// tablet balancing starts a clone storm: disk IO saturated, tablets per BE falling, latency up.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& BalanceStormAfterScaleOutFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "balance_storm_after_scale_out";
    spec.category = RootCause::kOperationInduced;
    spec.summary = "SCALE-out starts a tablet clone/balance storm: IO saturated, latency up";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp};
    spec.onset_lo = 1;
    spec.onset_hi = 10;
    spec.ramp_lo = 4;
    spec.ramp_hi = 12;
    spec.signals.push_back({kTablets, Move::kFactor, 0.7, 0.85});
    spec.signals.push_back({kCpu, Move::kShift, 12, 25});
    spec.signals.push_back({kLatency, Move::kFactor, 2, 4});
    {
      AlertSpec alert = Rule("Disk Load Alert", "[P2] disk io util high", "磁盘IO负载过高");
      alert.severity = "warning";
      alert.text_en = "disk IO util {value}% on {node}: tablet clone tasks running (balance)";
      alert.text_zh = "{node} 磁盘 IO 使用率 {value}%：tablet clone 任务（均衡）";
      alert.value_lo = 92;
      alert.value_hi = 99;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Query Latency Alert", "[P2] query p99 slow", "查询延迟过高");
      alert.severity = "warning";
      alert.text_en = "query latency p99 {value} ms > 5000 ms";
      alert.text_zh = "查询 P99 延迟 {value} ms";
      alert.metric = kLatency;
      alert.threshold = 5000;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kScale;
    op.scale_nodes = 2;
    op.minutes_lo = 30;
    op.minutes_hi = 120;
    op.duration_lo = 5;
    op.duration_hi = 20;
    op.opens_window = true;
    spec.operation = op;
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.routine_scale = false};
    spec.story =
        "A SCALE-out added two BEs to {cluster}; tablet balancing clones data onto them and "
        "saturates the disks.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
