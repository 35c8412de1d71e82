// known_bug_compaction_delay (known_bug, held_out family): StarRocks 3.4.0-3.4.4 delays compaction
// under high-frequency loading (#59998, fixed in 3.4.5): the score climbs with the load rate
// unchanged.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& KnownBugCompactionDelayFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "known_bug_compaction_delay";
    spec.category = RootCause::kKnownBug;
    spec.summary =
        "known bug #59998 (3.4.0-3.4.4, fixed 3.4.5): compaction delayed under high-frequency "
        "loading";
    spec.shapes = {Shape::kRamp, Shape::kAbrupt};
    spec.onset_lo = 6;
    spec.onset_hi = 20;
    spec.ramp_lo = 24;
    spec.ramp_hi = 60;
    spec.signals.push_back({kCompaction, Move::kLevel, 300, 900});
    spec.signals.push_back({kTxnFailed, Move::kCount, 5, 40, true});
    {
      AlertSpec alert = Rule("High Compaction Pressure Alert", "[P2] compaction score high",
                             "Compaction压力过高");
      alert.severity = "warning";
      alert.text_en = "max tablet compaction score {value} > 100";
      alert.text_zh = "最大 tablet compaction score {value}，超过 100";
      alert.metric = kCompaction;
      alert.threshold = 100;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Exceeding Version Count Alert", "[P2] tablet version count high",
                             "Tablet版本数过多");
      alert.severity = "warning";
      alert.text_en = "a tablet on {node} has more than 700 versions";
      alert.text_zh = "{node} 上 tablet 版本数超过 700";
      alert.metric = kCompaction;
      alert.threshold = 500;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.versions = {"3.4.1", "3.4.3"};
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "{cluster} runs StarRocks {version}, where compaction can be delayed under "
        "high-frequency loading (StarRocks #59998, fixed in 3.4.5): the compaction score climbs "
        "while the load rate is unchanged. Upgrade to 3.4.5 or later.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
