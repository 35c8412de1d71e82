// external_catalog_failure (query_errors, held_out family): a JDBC external catalog becomes
// unreachable: queries on it fail (communications link failure), internal tables fine.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& ExternalCatalogFailureFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "external_catalog_failure";
    spec.category = RootCause::kQueryErrors;
    spec.summary = "JDBC / external catalog unreachable: federated queries fail";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 2;
    spec.onset_hi = 12;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 3;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 3;
    spec.signals.push_back({kQueryErr, Move::kLevel, 2.5, 9});
    spec.signals.push_back({kLatency, Move::kFactor, 1.2, 1.6, true});
    {
      AlertSpec alert =
          Rule("Query Failure Alert", "[P2] jdbc catalog error", "外部Catalog查询失败");
      alert.severity = "warning";
      alert.text_en =
          "query error rate {value}%: JDBC catalog 'mysql_crm': Communications link failure "
          "(connection refused)";
      alert.text_zh =
          "查询失败率 {value}%：JDBC Catalog mysql_crm 连接失败 (Communications link failure)";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The MySQL database behind the JDBC catalog 'mysql_crm' of {cluster} is unreachable; "
        "federated queries fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
