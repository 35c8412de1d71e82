// known_bug_insert_memory_leak (known_bug, tuning family): StarRocks 3.3.0-3.3.7 leaks memory in
// INSERT tasks (#53809, fixed in 3.3.8): BE memory climbs for days on a flat workload.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& KnownBugInsertMemoryLeakFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "known_bug_insert_memory_leak";
    spec.category = RootCause::kKnownBug;
    spec.summary = "known bug #53809 (3.3.0-3.3.7, fixed 3.3.8): memory leak in INSERT tasks";
    spec.shapes = {Shape::kRamp};
    spec.ramp_lo = 48;
    spec.ramp_hi = 96;
    spec.signals.push_back({kBeMem, Move::kLevel, 86, 95});
    {
      AlertSpec alert = Rule("Memory Alert", "[P1] BE memory usage high", "BE内存使用率过高");
      alert.severity = "critical";
      alert.text_en = "BE memory used {value}% of mem_limit on {node}";
      alert.text_zh = "{node} BE 内存使用率 {value}%";
      alert.metric = kBeMem;
      alert.threshold = 85;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.architecture = Architecture::kSharedNothing;
    spec.versions = {"3.3.2", "3.3.4", "3.3.7"};
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "{cluster} runs StarRocks {version}, inside the range of a known memory leak in INSERT "
        "tasks (StarRocks #53809, fixed in 3.3.8): BE memory climbs steadily while the workload "
        "stays flat. Upgrade to 3.3.8 or later.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
