// fe_leader_lost (node_failure, held_out family): the FE leader is lost and a new one is elected:
// metadata writes stall, loads fail, the load rate and QPS fall.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& FeLeaderLostFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "fe_leader_lost";
    spec.category = RootCause::kNodeFailure;
    spec.summary =
        "FE leader lost, re-election: loads fail and stall (load failures, not query errors, lead)";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 2;
    spec.onset_hi = 12;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kTxnFailed, Move::kCount, 30, 150});
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.3, 0.6});
    spec.signals.push_back({kQps, Move::kFactor, 0.5, 0.8, true});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.5, 2.5, true});
    {
      AlertSpec alert =
          Rule("FE Service Suspension", "[P0] sr-fe-leader-switch", "FE Leader切换告警");
      alert.severity = "critical";
      alert.text_en = "FE leader {fe} lost; electing a new leader, metadata writes stalled";
      alert.text_zh = "FE Leader {fe} 失联，正在重新选主，元数据写入阻塞";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] load failed", "导入失败告警");
      alert.severity = "warning";
      alert.text_en = "{value} load transactions failed in the last hour";
      alert.text_zh = "过去一小时 {value} 个导入事务失败";
      alert.metric = kTxnFailed;
      alert.threshold = 50;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.min_fe_nodes = 3;
    spec.story =
        "The FE leader {fe} of {cluster} was lost; while the followers elect a new leader "
        "metadata writes stall and loads fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
