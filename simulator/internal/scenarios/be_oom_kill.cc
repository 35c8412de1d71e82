// be_oom_kill (memory_pressure, tuning family): BE memory reaches the machine limit and the kernel
// OOM killer kills the BE, which restarts: memory 93-99% before every kill, the node alert flaps.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& BeOomKillFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "be_oom_kill";
    spec.category = RootCause::kMemoryPressure;
    spec.summary =
        "BE OOM-killed by the kernel and restarted: memory at the limit before each loss";
    spec.shapes = {Shape::kFlapping, Shape::kFlapping, Shape::kRamp};
    spec.onset_lo = 8;
    spec.onset_hi = 24;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 5;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 1;
    spec.off_residual = 0.7;
    spec.signals.push_back({kBeMem, Move::kLevel, 93, 99});
    spec.signals.push_back({kAliveRatio, Move::kNodesDown, 1, 1});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.3, 1.2, true});
    {
      AlertSpec alert = Rule("Memory Alert", "[P1] BE memory usage high", "BE内存使用率过高");
      alert.severity = "critical";
      alert.text_en = "BE memory used {value}% of mem_limit on {node}";
      alert.text_zh = "{node} BE 内存使用率 {value}%";
      alert.metric = kBeMem;
      alert.threshold = 88;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert =
          Rule("BE Service Suspension", "[P0] StarRocks BeAliveAbnormal", "BE节点存活异常");
      alert.severity = "critical";
      alert.text_en =
          "BE {node} was killed: Out of memory: Killed process (starrocks_be); restarted by "
          "supervisor";
      alert.text_zh =
          "BE {node} 被内核 OOM Killer 杀死 (Out of memory: Killed process starrocks_be)，已重启";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "BE {node} of {cluster} runs out of memory: the kernel OOM killer kills the BE and the "
        "supervisor restarts it, again and again.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
