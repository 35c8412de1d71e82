// fe_follower_lost (node_failure, tuning family): an FE follower (or observer) stops for hours: the
// clients connected through it fail over, QPS drops and some queries fail; the BE alive ratio does
// not move.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& FeFollowerLostFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "fe_follower_lost";
    spec.category = RootCause::kNodeFailure;
    spec.summary =
        "FE follower or observer lost for hours: QPS down, some query errors, FE alert, BEs "
        "untouched";
    spec.shapes = {Shape::kAbrupt, Shape::kAbrupt, Shape::kFlapping, Shape::kRamp};
    spec.onset_lo = 3;
    spec.onset_hi = 20;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kQps, Move::kFactor, 0.55, 0.8});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.3, 1.5, true});
    spec.signals.push_back({kLatency, Move::kFactor, 1.1, 1.4, true});
    {
      AlertSpec alert = Rule("FE Service Suspension", "[P1] starrocks_fe_node_down", "FE节点宕机");
      alert.severity = "critical";
      alert.text_en =
          "FE follower {fe} is not alive (heartbeat lost); fewer FE nodes alive than configured";
      alert.text_zh = "FE Follower {fe} 心跳丢失，存活 FE 节点数低于配置值";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.min_fe_nodes = 3;
    spec.story =
        "The FE follower {fe} of {cluster} went down: the clients connected through it fail "
        "over, so QPS fell and some queries failed.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
