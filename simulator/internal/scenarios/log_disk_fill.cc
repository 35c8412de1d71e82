// log_disk_fill (disk_capacity, held_out family): BE logs (verbose modules left on) fill the disk
// over a day or two; the root-path rule fires, not the data-disk rule.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& LogDiskFillFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "log_disk_fill";
    spec.category = RootCause::kDiskCapacity;
    spec.summary =
        "BE logs fill the disk slowly; the root path rule fires instead of the data disk rule";
    spec.shapes = {Shape::kRamp};
    spec.ramp_lo = 20;
    spec.ramp_hi = 44;
    spec.signals.push_back({kDisk, Move::kLevel, 87, 96});
    {
      AlertSpec alert =
          Rule("Root Path Capacity Alert", "[P2] root fs free space low", "根目录空间不足");
      alert.severity = "warning";
      alert.text_en =
          "free space on / of {node} is {value} GB < 5 GB: be.INFO is not rotated "
          "(sys_log_verbose_modules)";
      alert.text_zh = "{node} 根目录剩余 {value} GB，低于 5 GB：be.INFO 日志未轮转";
      alert.value_lo = 1;
      alert.value_hi = 4.5;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert =
          Rule("Data Disk Capacity Alert", "[P1] starrocks disk usage high", "BE数据盘使用率过高");
      alert.severity = "critical";
      alert.text_en = "BE data disk used {value}% on {node}";
      alert.text_zh = "{node} 数据盘使用率 {value}%";
      alert.metric = kDisk;
      alert.threshold = 90;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.story =
        "The BE logs of {cluster} are not rotated (verbose logging left on) and fill the disk.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
