// decoy_bug_error_rate_metric (query_errors, tuning family): real query failures (a client release
// sends invalid SQL) on a 3.3 cluster, inside the range of #65891 (the query error rate metric
// computed wrongly, fixed in 3.3.21): the bug shares words with the symptom but does not explain
// failing queries.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& DecoyBugErrorRateMetricFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "decoy_bug_error_rate_metric";
    spec.category = RootCause::kQueryErrors;
    spec.summary =
        "real query failures on 3.3.x; bug #65891 (error-rate metric computed wrongly) only shares "
        "words";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.ramp_lo = 8;
    spec.ramp_hi = 20;
    spec.signals.push_back({kQueryErr, Move::kLevel, 3, 10});
    spec.signals.push_back({kQps, Move::kFactor, 0.9, 1.1, true});
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] query error rate high", "查询失败率过高");
      alert.severity = "warning";
      alert.text_en =
          "query error rate {value}%: Getting analyzing error. Detail message: Column 'order_ts' "
          "cannot be resolved";
      alert.text_zh =
          "查询失败率 {value}%，报错 Getting analyzing error: Column 'order_ts' cannot be resolved";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.versions = {"3.3.2", "3.3.4", "3.3.7", "3.3.9", "3.3.13"};
    spec.story =
        "A client release against {cluster} (StarRocks {version}) sends queries that reference a "
        "dropped column; they fail with analysis errors. The error-rate metric bug of 3.3.x "
        "(#65891) shares words but does not make queries fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
