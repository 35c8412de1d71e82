// noisy_static_critical (alert_noise, held_out family): a critical FE rule written as count(up) >=
// 3 (the documented expression) fires for as long as three FEs are up: persistent, critical, and
// wrong.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& NoisyStaticCriticalFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "noisy_static_critical";
    spec.category = RootCause::kAlertNoise;
    spec.summary = "a misconfigured critical rule fires persistently on a healthy cluster";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 4;
    spec.onset_hi = 30;
    {
      AlertSpec alert = Rule("FE Service Suspension", "[P0] sr-fe-alive-count", "FE服务挂起告警");
      alert.severity = "critical";
      alert.text_en = "count(up{group=\"fe\"}) >= 3: {value} FE nodes up";
      alert.text_zh = "count(up{group=\"fe\"}) >= 3：{value} 个 FE 节点在线";
      alert.value_lo = 3;
      alert.value_hi = 3;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kInfo;
    spec.severity_top_tier = Severity::kInfo;
    spec.min_fe_nodes = 3;
    spec.gaps = false;
    spec.red_herrings = {.any = false};
    spec.story =
        "The FE rule of {cluster} is written as count(up) >= 3, so it fires for as long as its "
        "three FEs are up; every metric is healthy. Fix the rule.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
