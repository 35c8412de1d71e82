// too_many_versions (compaction_backlog, tuning family): high-frequency small loads (INSERT INTO
// VALUES every second) create versions faster than compaction merges them: score 400-900 and loads
// failing with "Too many versions" (-235).
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& TooManyVersionsFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "too_many_versions";
    spec.category = RootCause::kCompactionBacklog;
    spec.summary =
        "high-frequency small loads pile up versions: loads fail with Too many versions (-235)";
    spec.shapes = {Shape::kRamp, Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 4;
    spec.onset_hi = 18;
    spec.ramp_lo = 14;
    spec.ramp_hi = 30;
    spec.signals.push_back({kCompaction, Move::kLevel, 400, 900});
    spec.signals.push_back({kTxnFailed, Move::kCount, 20, 120});
    spec.signals.push_back({kLoadRate, Move::kFactor, 1.0, 1.3, true});
    spec.signals.push_back({kCpu, Move::kShift, 3, 8, true});
    {
      AlertSpec alert = Rule("Exceeding Version Count Alert", "[P2] tablet version count high",
                             "Tablet版本数过多");
      alert.severity = "warning";
      alert.text_en =
          "a tablet on {node} has more than 700 versions; loads fail with \"Too many versions\" "
          "(-235)";
      alert.text_zh = "{node} 上 tablet 版本数超过 700，导入报错 Too many versions (-235)";
      alert.metric = kCompaction;
      alert.threshold = 300;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] load failed", "导入失败告警");
      alert.severity = "warning";
      alert.text_en = "{value} load transactions failed in the last hour: Too many versions";
      alert.text_zh = "过去一小时 {value} 个导入事务失败：Too many versions";
      alert.metric = kTxnFailed;
      alert.threshold = 50;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.story =
        "A job on {cluster} loads tiny batches every second; versions pile up faster than "
        "compaction merges them and loads start failing with Too many versions.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
