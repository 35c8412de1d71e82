// slow_rolling_upgrade (operation_induced, held_out family): a rolling UPGRADE has been running for
// hours: each BE restarts in turn (the node alert flaps), some loads fail.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& SlowRollingUpgradeFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "slow_rolling_upgrade";
    spec.category = RootCause::kOperationInduced;
    spec.summary = "slow rolling UPGRADE still running: BEs restart in turn, the node alert flaps";
    spec.shapes = {Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 10;
    spec.flap_period_lo = 1;
    spec.flap_period_hi = 2;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kAliveRatio, Move::kNodesDown, 1, 1});
    spec.signals.push_back({kTxnFailed, Move::kCount, 10, 60, true});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.3, 1.0, true});
    {
      AlertSpec alert =
          Rule("BE Service Suspension", "[P0] StarRocks BeAliveAbnormal", "BE节点存活异常");
      alert.severity = "critical";
      alert.text_en = "BE {node} not alive: restarting for the rolling upgrade to {version}";
      alert.text_zh = "BE {node} 不可用：滚动升级至 {version} 重启中";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kUpgrade;
    op.minutes_lo = 20;
    op.minutes_hi = 60;
    op.result = "RUNNING";
    op.opens_window = true;
    spec.operation = op;
    spec.severity = Severity::kMedium;
    spec.severity_top_tier = Severity::kHigh;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.routine_scale = false};
    spec.story =
        "The rolling UPGRADE of {cluster} to {version} has been running for hours; its BEs "
        "restart one after the other.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
