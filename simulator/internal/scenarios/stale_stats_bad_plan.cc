// stale_stats_bad_plan (cpu_saturation, tuning family): statistics went stale after a bulk load and
// the optimizer picks a bad join order: rows scanned x4-8, CPU 76-92% with QPS unchanged.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& StaleStatsBadPlanFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "stale_stats_bad_plan";
    spec.category = RootCause::kCpuSaturation;
    spec.summary = "stale statistics, bad plans: scans and CPU explode on an unchanged workload";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.ramp_lo = 12;
    spec.ramp_hi = 24;
    spec.signals.push_back({kScanRows, Move::kFactor, 4, 8});
    spec.signals.push_back({kCpu, Move::kLevel, 76, 92});
    spec.signals.push_back({kLatency, Move::kFactor, 2, 4, true});
    {
      AlertSpec alert = Rule("BE CPU Alert", "[P2] BE CPU high", "BE CPU使用率过高");
      alert.severity = "warning";
      alert.text_en = "BE CPU utilisation {value}% on {node}";
      alert.text_zh = "{node} BE CPU 使用率 {value}%";
      alert.metric = kCpu;
      alert.threshold = 70;
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
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "Statistics of the large tables of {cluster} went stale after a bulk load; the optimizer "
        "picks bad join orders, so the same queries scan far more rows and saturate the BE CPUs.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
