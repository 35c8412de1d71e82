// slow_disk_io (slow_queries, tuning family): the ESSD of the BEs is throttled (or a disk
// degrades): IO util near 100%, latency p99 6-14 s, CPU lower (waiting on IO).
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& SlowDiskIoFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "slow_disk_io";
    spec.category = RootCause::kSlowQueries;
    spec.summary = "slow disk / ESSD throttling: IO saturated, queries slow, CPU idle";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping, Shape::kRamp};
    spec.onset_lo = 3;
    spec.onset_hi = 16;
    spec.ramp_lo = 12;
    spec.ramp_hi = 24;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kLatency, Move::kLevel, 6500, 14000});
    spec.signals.push_back({kCpu, Move::kFactor, 0.75, 0.9, true});
    spec.signals.push_back({kCompaction, Move::kFactor, 1.5, 3, true});
    {
      AlertSpec alert = Rule("Disk Load Alert", "[P2] disk io util high", "磁盘IO负载过高");
      alert.severity = "warning";
      alert.text_en = "disk IO util {value}% > 90% on {node}; ESSD throughput throttled";
      alert.text_zh = "{node} 磁盘 IO 使用率 {value}%，ESSD 吞吐被限流";
      alert.value_lo = 95;
      alert.value_hi = 100;
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
    spec.architecture = Architecture::kSharedNothing;
    spec.story =
        "The data disks of {cluster} are throttled: IO is saturated and every query that touches "
        "disk waits.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
