// cn_node_lost (node_failure, held_out family): a CN of a shared-data cluster is lost: the
// survivors serve its scans with a cold data cache (latency up); sometimes no alert at all.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& CnNodeLostFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "cn_node_lost";
    spec.category = RootCause::kNodeFailure;
    spec.summary =
        "shared-data CN lost: alive ratio down, cold data cache on the survivors, the alert may be "
        "missing";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 2;
    spec.onset_hi = 16;
    spec.signals.push_back({kAliveRatio, Move::kNodesDown, 1, 2});
    spec.signals.push_back({kLatency, Move::kFactor, 1.8, 3.5});
    spec.signals.push_back({kCpu, Move::kShift, 8, 15, true});
    {
      AlertSpec alert = Rule("BE Service Suspension", "[P1] CN node offline", "CN节点离线");
      alert.severity = "critical";
      alert.text_en = "CN {node} heartbeat lost; node removed from the warehouse";
      alert.text_zh = "CN {node} 心跳丢失，已从计算组移除";
      alert.value_lo = 1;
      alert.value_hi = 2;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedData;
    spec.story =
        "CN {node} of the shared-data cluster {cluster} was lost; the survivors serve its scans "
        "with a cold data cache.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
