// compaction_failures (compaction_backlog, held_out family): compaction tasks fail (a corrupted
// rowset) so the score climbs slowly on a flat load; CPU even drops.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& CompactionFailuresFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "compaction_failures";
    spec.category = RootCause::kCompactionBacklog;
    spec.summary = "compaction tasks failing: score climbs on a flat load, CPU lower";
    spec.shapes = {Shape::kRamp, Shape::kFlapping};
    spec.onset_lo = 8;
    spec.onset_hi = 24;
    spec.ramp_lo = 20;
    spec.ramp_hi = 44;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 3;
    spec.off_residual = 0.6;
    spec.signals.push_back({kCompaction, Move::kLevel, 250, 700});
    spec.signals.push_back({kCpu, Move::kFactor, 0.85, 0.95, true});
    spec.signals.push_back({kTxnFailed, Move::kCount, 5, 30, true});
    {
      AlertSpec alert = Rule("Cumulative Compaction Failure Alert", "[P2] compaction failed",
                             "Compaction失败告警");
      alert.severity = "warning";
      alert.text_en =
          "{value} cumulative compaction failures in 1 min on {node}: segment file corrupted";
      alert.text_zh = "{node} 1 分钟内 {value} 次 Cumulative Compaction 失败：segment 文件损坏";
      alert.value_lo = 4;
      alert.value_hi = 30;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("High Compaction Pressure Alert", "[P2] compaction score high",
                             "Compaction压力过高");
      alert.severity = "warning";
      alert.text_en = "max tablet compaction score {value} > 100";
      alert.text_zh = "最大 tablet compaction score {value}，超过 100";
      alert.metric = kCompaction;
      alert.threshold = 100;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.story =
        "Compaction tasks on {cluster} keep failing on a corrupted rowset, so versions pile up "
        "on a flat load.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
