// big_query_mem_exceed (query_errors, tuning family): big queries hit their per-query memory limit
// and fail ("Mem usage has exceed the limit of single query") while BE memory stays below pressure.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& BigQueryMemExceedFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "big_query_mem_exceed";
    spec.category = RootCause::kQueryErrors;
    spec.summary = "big queries fail on the per-query memory limit; BE memory itself is fine";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping, Shape::kRamp};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kQueryErr, Move::kLevel, 2.5, 8});
    spec.signals.push_back({kScanRows, Move::kFactor, 1.8, 3.0, true});
    spec.signals.push_back({kBeMem, Move::kLevel, 58, 68, true});
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] query error rate high", "查询失败率过高");
      alert.severity = "warning";
      alert.text_en =
          "query error rate {value}%: Mem usage has exceed the limit of single query "
          "(query_mem_limit)";
      alert.text_zh = "查询失败率 {value}%，报错 Mem usage has exceed the limit of single query";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "New ad-hoc reports on {cluster} run queries that exceed the per-query memory limit and "
        "fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
