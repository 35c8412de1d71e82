// healthy_innocent_operation (healthy, held_out family): a healthy cluster whose only event is an
// operation days ago (an UPGRADE or a config UPDATE that succeeded) and a short blip since; nothing
// is wrong now.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& HealthyInnocentOperationFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "healthy_innocent_operation";
    spec.category = RootCause::kHealthy;
    spec.summary =
        "healthy: an innocent UPGRADE days earlier and a resolved blip; nothing wrong now";
    spec.shapes = {Shape::kBlip};
    spec.onset_lo = 6;
    spec.onset_hi = 30;
    spec.signals.push_back({kLatency, Move::kFactor, 1.3, 1.8, true});
    spec.signals.push_back({kCpu, Move::kShift, 4, 9, true});
    {
      AlertSpec alert = Rule("Query Latency Alert", "[P2] query p99 slow", "查询延迟过高");
      alert.severity = "warning";
      alert.text_en = "query latency p99 above 5000 ms for 6 minutes";
      alert.text_zh = "查询 P99 延迟超过 5000 ms 持续 6 分钟";
      alert.value_lo = 5100;
      alert.value_hi = 6800;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kUpgrade;
    op.minutes_lo = 4320;
    op.minutes_hi = 11520;
    op.duration_lo = 20;
    op.duration_hi = 50;
    spec.operation = op;
    spec.severity = Severity::kInfo;
    spec.severity_top_tier = Severity::kInfo;
    spec.gaps = false;
    spec.red_herrings = {.any = false};
    spec.story =
        "{cluster} is healthy: it was upgraded to {version} days ago without trouble, and a "
        "short latency blip since is long over.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
