// object_storage_throttling (slow_queries, held_out family): on a shared-data cluster the object
// store throttles requests (503 SlowDown) and the data cache misses: latency 7-20 s, CPU lower.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ObjectStorageThrottlingFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "object_storage_throttling";
    spec.category = RootCause::kSlowQueries;
    spec.summary =
        "shared-data: object storage throttling and data-cache misses, queries slow, CPU idle";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kLatency, Move::kLevel, 7000, 20000});
    spec.signals.push_back({kCpu, Move::kFactor, 0.6, 0.85});
    spec.signals.push_back({kScanRows, Move::kFactor, 0.7, 0.9, true});
    {
      AlertSpec alert =
          Rule("Object Storage Throttling Alert", "[P2] OSS 503 SlowDown", "对象存储请求限流");
      alert.severity = "warning";
      alert.text_en =
          "{value} object storage requests throttled per minute (503 SlowDown); data cache hit "
          "ratio 35%";
      alert.text_zh = "每分钟 {value} 次对象存储请求被限流 (503 SlowDown)，Data Cache 命中率 35%";
      alert.value_lo = 800;
      alert.value_hi = 5000;
      alert.decimals = 0;
      alert.optional = true;
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
    spec.severity = Severity::kMedium;
    spec.severity_top_tier = Severity::kHigh;
    spec.architecture = Architecture::kSharedData;
    spec.story =
        "The object store behind the shared-data cluster {cluster} throttles its requests and "
        "the data cache misses; scans wait on remote reads.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
