// spill_disk_fill (disk_capacity, tuning family): big queries spill intermediate results to the
// data disk: disk usage jumps 25-40 points in hours.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& SpillDiskFillFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "spill_disk_fill";
    spec.category = RootCause::kDiskCapacity;
    spec.summary = "spill-to-disk files fill the BE data disk within hours";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 12;
    spec.ramp_lo = 10;
    spec.ramp_hi = 20;
    spec.signals.push_back({kDisk, Move::kLevel, 86, 95});
    spec.signals.push_back({kScanRows, Move::kFactor, 2.0, 3.5, true});
    spec.signals.push_back({kLatency, Move::kFactor, 1.5, 2.5, true});
    {
      AlertSpec alert =
          Rule("Data Disk Capacity Alert", "[P1] starrocks disk usage high", "BE数据盘使用率过高");
      alert.severity = "critical";
      alert.text_en =
          "BE data disk used {value}% on {node}; /data1/starrocks/storage/spill keeps growing";
      alert.text_zh = "{node} 数据盘使用率 {value}%，spill 目录持续增长";
      alert.metric = kDisk;
      alert.threshold = 85;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "Big queries on {cluster} spill intermediate results to the BE data disk, which filled "
        "within hours.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
