// resource_group_limit (query_errors, held_out family): a resource group hits its concurrency or
// big-query limit: 3-12% of queries are rejected while CPU and memory are fine; often no alert.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ResourceGroupLimitFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "resource_group_limit";
    spec.category = RootCause::kQueryErrors;
    spec.summary = "resource-group limits reject queries; CPU and memory fine, often no alert";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kQueryErr, Move::kLevel, 3, 12});
    spec.signals.push_back({kQps, Move::kFactor, 0.75, 0.95, true});
    spec.signals.push_back({kCpu, Move::kFactor, 0.8, 0.95, true});
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] rg query rejected", "资源组查询被拒绝");
      alert.severity = "warning";
      alert.text_en =
          "query error rate {value}%: exceed concurrency limit of resource group 'rg_report'";
      alert.text_zh = "查询失败率 {value}%：超过资源组 'rg_report' 的并发限制";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.story =
        "The resource group 'rg_report' of {cluster} reached its concurrency limit; queries "
        "beyond it are rejected.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
