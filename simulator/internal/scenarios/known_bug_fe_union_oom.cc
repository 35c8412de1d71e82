// known_bug_fe_union_oom (known_bug, tuning family): StarRocks 3.4.0-3.4.3 can build incorrect
// UNION plans that run the FE out of memory (#59040, fixed in 3.4.4): FE heap at the limit, the FE
// restarts.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& KnownBugFeUnionOomFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "known_bug_fe_union_oom";
    spec.category = RootCause::kKnownBug;
    spec.summary =
        "known bug #59040 (3.4.0-3.4.3, fixed 3.4.4): incorrect UNION plans run the FE out of "
        "memory";
    spec.shapes = {Shape::kFlapping, Shape::kRamp, Shape::kAbrupt};
    spec.onset_lo = 6;
    spec.onset_hi = 20;
    spec.ramp_lo = 12;
    spec.ramp_hi = 30;
    spec.flap_period_lo = 3;
    spec.flap_period_hi = 6;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 1;
    spec.off_residual = 0.5;
    spec.signals.push_back({kFeHeap, Move::kLevel, 92, 99});
    spec.signals.push_back({kQps, Move::kFactor, 0.7, 0.9, true});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.3, 1.2, true});
    {
      AlertSpec alert =
          Rule("High FE JVM Usage Alert", "[P1] FE JVM heap usage high", "FE JVM堆内存使用率过高");
      alert.severity = "critical";
      alert.text_en = "FE JVM heap used {value}% on {fe}";
      alert.text_zh = "FE {fe} JVM 堆使用率 {value}%";
      alert.metric = kFeHeap;
      alert.threshold = 90;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("FE Service Suspension", "[P1] starrocks_fe_node_down", "FE节点宕机");
      alert.severity = "critical";
      alert.text_en =
          "FE {fe} restarted after java.lang.OutOfMemoryError: Java heap space (planning a UNION "
          "query)";
      alert.text_zh = "FE {fe} 因 java.lang.OutOfMemoryError: Java heap space 重启";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.versions = {"3.4.1", "3.4.3"};
    spec.min_fe_nodes = 3;
    spec.story =
        "{cluster} runs StarRocks {version}, where incorrect UNION execution plans can run the "
        "FE out of memory (StarRocks #59040, fixed in 3.4.4): the FE heap reaches its limit on "
        "UNION queries. Upgrade to 3.4.4 or later.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
