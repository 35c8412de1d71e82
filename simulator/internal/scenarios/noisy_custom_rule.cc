// noisy_custom_rule (alert_noise, tuning family): a team lowered a CPU rule to 30%: it fires and
// resolves every few minutes while every metric is healthy.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& NoisyCustomRuleFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "noisy_custom_rule";
    spec.category = RootCause::kAlertNoise;
    spec.summary =
        "a custom rule with a far too low threshold fires and resolves all day; metrics healthy";
    spec.shapes = {Shape::kFlapping};
    spec.onset_lo = 4;
    spec.onset_hi = 12;
    spec.flap_period_lo = 1;
    spec.flap_period_hi = 1;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 2;
    spec.flaps_per_hour_hi = 5;
    {
      AlertSpec alert = Rule("BE CPU Alert", "[P2] BE CPU > 30%", "BE CPU使用率告警(自定义)");
      alert.severity = "warning";
      alert.text_en = "BE CPU utilisation {value}% > 30% on {node} (rule threshold lowered to 30%)";
      alert.text_zh = "{node} BE CPU 使用率 {value}% 超过 30%（自定义阈值）";
      alert.value_lo = 30;
      alert.value_hi = 45;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kInfo;
    spec.severity_top_tier = Severity::kInfo;
    spec.gaps = false;
    spec.red_herrings = {.any = false};
    spec.story =
        "A CPU rule of {cluster} was lowered to 30%: it fires and resolves every few minutes "
        "while every metric is healthy. Raise the threshold or silence it.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
