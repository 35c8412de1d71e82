// config_update_mem_limit (operation_induced, held_out family): a global variable UPDATE lowers
// query_mem_limit: 20-60 min later queries fail on the memory limit (errors, not latency).
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ConfigUpdateMemLimitFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "config_update_mem_limit";
    spec.category = RootCause::kOperationInduced;
    spec.summary = "config UPDATE lowers query_mem_limit: query failures (not latency) after it";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 2;
    spec.onset_hi = 16;
    spec.signals.push_back({kQueryErr, Move::kLevel, 2.5, 9});
    spec.signals.push_back({kBeMem, Move::kFactor, 0.85, 0.95, true});
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] query error rate high", "查询失败率过高");
      alert.severity = "warning";
      alert.text_en = "query error rate {value}%: Mem usage has exceed the limit of single query";
      alert.text_zh = "查询失败率 {value}%";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      spec.alerts.push_back(std::move(alert));
    }
    OperationSpec op;
    op.kind = OperationKind::kUpdate;
    op.parameters =
        "{\"scope\":\"global_variable\",\"changes\":{\"query_mem_limit\":\"2147483648\"}}";
    op.minutes_lo = 20;
    op.minutes_hi = 60;
    op.duration_lo = 1;
    op.duration_hi = 3;
    op.opens_window = true;
    spec.operation = op;
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.red_herrings = {.routine_scale = false};
    spec.story =
        "A config UPDATE on {cluster} lowered query_mem_limit to 2 GB; queries that used more "
        "now fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
