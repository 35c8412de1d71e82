// account_wide_client_release (account_wide, tuning family): one client release of an account hits
// 2-4 of its clusters within a couple of hours: the same query failures everywhere.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& AccountWideClientReleaseFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "account_wide_client_release";
    spec.category = RootCause::kAccountWide;
    spec.summary =
        "one bad client release hits several clusters of an account: the same query failures";
    spec.shapes = {Shape::kAbrupt, Shape::kRamp};
    spec.onset_lo = 2;
    spec.onset_hi = 12;
    spec.ramp_lo = 6;
    spec.ramp_hi = 16;
    spec.signals.push_back({kQueryErr, Move::kLevel, 3, 8});
    spec.signals.push_back({kQps, Move::kFactor, 0.9, 1.1, true});
    {
      AlertSpec alert = Rule("Query Failure Alert", "[P2] query error rate high", "查询失败率过高");
      alert.severity = "warning";
      alert.text_en =
          "query error rate {value}%: Unknown table 'dim_user_v2' from the new client release";
      alert.text_zh = "查询失败率 {value}%：新版客户端报错 Unknown table 'dim_user_v2'";
      alert.metric = kQueryErr;
      alert.threshold = 2;
      alert.decimals = 2;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.siblings = true;
    spec.story =
        "Account {account} rolled out a client release that queries a table that does not exist "
        "yet; {cluster} and its siblings fail the same queries.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
