// fe_jvm_gc_pressure (memory_pressure, tuning family): the FE JVM heap fills up (a metadata-heavy
// workload) and full GCs stall the FE: heap 86-96%, query latency up, QPS flat.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& FeJvmGcPressureFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "fe_jvm_gc_pressure";
    spec.category = RootCause::kMemoryPressure;
    spec.summary = "FE JVM heap near its limit, full GC pauses slow every query";
    spec.shapes = {Shape::kRamp, Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 4;
    spec.onset_hi = 16;
    spec.ramp_lo = 18;
    spec.ramp_hi = 36;
    spec.signals.push_back({kFeHeap, Move::kLevel, 86, 96});
    spec.signals.push_back({kLatency, Move::kFactor, 1.5, 3.0, true});
    {
      AlertSpec alert =
          Rule("High FE JVM Usage Alert", "[P1] FE JVM heap usage high", "FE JVM堆内存使用率过高");
      alert.severity = "critical";
      alert.text_en = "FE JVM heap used {value}% on the leader {fe}; full GC running back to back";
      alert.text_zh = "FE Leader {fe} JVM 堆使用率 {value}%，频繁 Full GC";
      alert.metric = kFeHeap;
      alert.threshold = 85;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.story =
        "The FE JVM heap of {cluster} is close to its limit and full garbage collections stall "
        "the FE.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
