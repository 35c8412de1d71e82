// connection_limit_exhaustion (query_errors, tuning family): a client pool leaks connections until
// the user limit is reached: the connection alert fires and stays, new connections fail, QPS drops.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ConnectionLimitExhaustionFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "connection_limit_exhaustion";
    spec.category = RootCause::kQueryErrors;
    spec.summary =
        "connection leak exhausts max_user_connections: new connections refused, QPS down";
    spec.shapes = {Shape::kRamp, Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 12;
    spec.ramp_lo = 8;
    spec.ramp_hi = 20;
    spec.signals.push_back({kQueryErr, Move::kLevel, 2.5, 7});
    spec.signals.push_back({kQps, Move::kFactor, 0.5, 0.75});
    {
      AlertSpec alert = Rule("User Connection Limit Exceeded Alert", "[P1] sr connection limit",
                             "用户连接数超限");
      alert.severity = "critical";
      alert.text_en =
          "user 'app_rw' holds {value} connections (max_user_connections); new connections fail "
          "with Too many connections";
      alert.text_zh = "用户 'app_rw' 连接数 {value} 已达上限，新连接报错 Too many connections";
      alert.value_lo = 95;
      alert.value_hi = 100;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] query error rate high", "查询失败率过高");
      alert.severity = "warning";
      alert.text_en = "query error rate {value}%";
      alert.text_zh = "查询失败率 {value}%";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.story =
        "A client pool of {cluster} leaks connections until the user connection limit is "
        "reached; new connections are refused.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
