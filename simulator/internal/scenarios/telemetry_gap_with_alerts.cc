// telemetry_gap_with_alerts (insufficient_data, held_out family): no snapshots for the last 8-20
// hours while the scrape-failure alert fires: nothing to judge the cluster by.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& TelemetryGapWithAlertsFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "telemetry_gap_with_alerts";
    spec.category = RootCause::kInsufficientData;
    spec.summary = "no snapshots for hours, only a scrape-failure alert";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 8;
    spec.onset_hi = 20;
    {
      AlertSpec alert =
          Rule("Prometheus Target Down", "[P3] metrics scrape failed", "监控采集失败");
      alert.severity = "warning";
      alert.text_en = "scrape of starrocks metrics failed: context deadline exceeded";
      alert.text_zh = "StarRocks 指标采集失败：context deadline exceeded";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kLow;
    spec.severity_top_tier = Severity::kLow;
    spec.telemetry_gap = 1.0;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "The metrics of {cluster} have not been scraped since {since}; its current health cannot "
        "be judged.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
