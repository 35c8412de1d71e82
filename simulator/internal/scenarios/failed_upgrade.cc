// failed_upgrade (operation_induced, tuning family): an UPGRADE fails half-way: one or two BEs do
// not come back on the new version; node alert, errors. The operation explains the node symptom.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& FailedUpgradeFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "failed_upgrade";
    spec.category = RootCause::kOperationInduced;
    spec.summary =
        "failed UPGRADE: BEs that do not come back; the operation explains the node alert";
    spec.shapes = {Shape::kAbrupt, Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 2;
    spec.onset_hi = 14;
    spec.signals.push_back({kAliveRatio, Move::kNodesDown, 1, 2});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.3, 1.5, true});
    spec.signals.push_back({kLatency, Move::kFactor, 1.3, 2.0, true});
    {
      AlertSpec alert =
          Rule("BE Service Suspension", "[P0] StarRocks BeAliveAbnormal", "BE节点存活异常");
      alert.severity = "critical";
      alert.text_en = "BE {node} did not come back after the upgrade to {version}: not alive";
      alert.text_zh = "BE {node} 升级至 {version} 后未能启动";
      alert.value_lo = 1;
      alert.value_hi = 2;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kUpgrade;
    op.minutes_lo = 15;
    op.minutes_hi = 60;
    op.duration_lo = 10;
    op.duration_hi = 40;
    op.result = "FAILED";
    op.opens_window = true;
    spec.operation = op;
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.routine_scale = false};
    spec.story =
        "The UPGRADE of {cluster} to {version} failed half-way: BEs did not come back on the new "
        "version.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
