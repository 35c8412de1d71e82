// healthy_benign_spike (healthy, tuning family): a healthy cluster with a one- or two-hour load
// spike (a batch report, a marketing push) that fired an alert and was over long before the last
// hour.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& HealthyBenignSpikeFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "healthy_benign_spike";
    spec.category = RootCause::kHealthy;
    spec.summary = "healthy: a benign one-hour spike with a resolved alert, nothing wrong now";
    spec.shapes = {Shape::kBlip};
    spec.onset_lo = 8;
    spec.onset_hi = 40;
    spec.signals.push_back({kQps, Move::kFactor, 2.0, 2.6});
    spec.signals.push_back({kScanRows, Move::kFactor, 1.8, 2.4});
    spec.signals.push_back({kCpu, Move::kShift, 6, 12, true});
    spec.signals.push_back({kLatency, Move::kFactor, 1.2, 1.6, true});
    {
      AlertSpec alert = Rule("Query Overload Alert", "[P3] QPS surge", "查询量突增");
      alert.severity = "warning";
      alert.text_en = "QPS changed by {value}% within 1 minute (threshold 100%)";
      alert.text_zh = "1 分钟内 QPS 变化 {value}%（阈值 100%）";
      alert.value_lo = 110;
      alert.value_hi = 190;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kInfo;
    spec.severity_top_tier = Severity::kInfo;
    spec.gaps = false;
    spec.red_herrings = {.any = false};
    spec.story =
        "{cluster} is healthy: a batch report caused a short load spike that was over long "
        "before now.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
