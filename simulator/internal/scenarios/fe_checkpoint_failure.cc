// fe_checkpoint_failure (memory_pressure, held_out family): the FE checkpoint keeps failing: the
// BDB journal grows for days, the FE heap creeps up and the meta disk fills.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& FeCheckpointFailureFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "fe_checkpoint_failure";
    spec.category = RootCause::kMemoryPressure;
    spec.summary =
        "FE checkpoint failure: BDB journal growth, FE heap creeping up over days, meta disk "
        "filling";
    spec.shapes = {Shape::kRamp};
    spec.ramp_lo = 48;
    spec.ramp_hi = 110;
    spec.signals.push_back({kFeHeap, Move::kLevel, 82, 93});
    {
      AlertSpec alert =
          Rule("CheckPoint Failure Alert", "[P2] fe meta log count high", "元数据Checkpoint失败");
      alert.severity = "warning";
      alert.text_en =
          "FE {fe} BDB journal count {value} > 100000: no checkpoint since the image failed to "
          "load";
      alert.text_zh = "FE {fe} BDB 日志条数 {value}，超过 100000，Checkpoint 未执行";
      alert.value_lo = 150000;
      alert.value_hi = 900000;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert =
          Rule("FE Metadata Disk Capacity Alert", "[P2] fe meta disk low", "FE元数据盘空间不足");
      alert.severity = "warning";
      alert.text_en =
          "FE meta directory free space {value} GB < 10 GB (bdb directory keeps growing)";
      alert.text_zh = "FE 元数据目录剩余空间 {value} GB，低于 10 GB（bdb 目录持续增长）";
      alert.value_lo = 3;
      alert.value_hi = 9;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "The FE checkpoint of {cluster} has been failing: the edit log (BDB journal) keeps "
        "growing and the FE heap creeps up with the unreplayed metadata.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
