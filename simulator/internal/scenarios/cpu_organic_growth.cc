// cpu_organic_growth (cpu_saturation, held_out family): the workload grows for days (a new tenant):
// QPS and scans double over 3-5 days and CPU climbs past 78%.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& CpuOrganicGrowthFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "cpu_organic_growth";
    spec.category = RootCause::kCpuSaturation;
    spec.summary = "organic growth over days: QPS and scans double, CPU saturates slowly";
    spec.shapes = {Shape::kRamp};
    spec.ramp_lo = 60;
    spec.ramp_hi = 110;
    spec.signals.push_back({kQps, Move::kFactor, 1.6, 2.2});
    spec.signals.push_back({kScanRows, Move::kFactor, 1.6, 2.2});
    spec.signals.push_back({kCpu, Move::kLevel, 78, 92});
    spec.signals.push_back({kLatency, Move::kFactor, 1.2, 1.6, true});
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
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "A new tenant of {cluster} grows its workload day after day; CPU climbs towards "
        "saturation.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
