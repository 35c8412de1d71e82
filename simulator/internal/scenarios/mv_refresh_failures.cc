// mv_refresh_failures (ingestion_failure, held_out family): an asynchronous materialized view fails
// to refresh every hour; queries rewritten to it fall back to the base tables.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& MvRefreshFailuresFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "mv_refresh_failures";
    spec.category = RootCause::kIngestionFailure;
    spec.summary = "materialized view refresh fails every hour; queries fall back to base tables";
    spec.shapes = {Shape::kFlapping, Shape::kAbrupt};
    spec.onset_lo = 4;
    spec.onset_hi = 16;
    spec.flap_period_lo = 1;
    spec.flap_period_hi = 1;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 1;
    spec.signals.push_back({kTxnFailed, Move::kCount, 8, 30});
    spec.signals.push_back({kLatency, Move::kFactor, 1.3, 2.0, true});
    {
      AlertSpec alert = Rule("Materialized View Refresh Exception Alert", "[P2] mv refresh failed",
                             "物化视图刷新失败");
      alert.severity = "warning";
      alert.text_en =
          "materialized view 'mv_sales_daily' refresh failed: task run FAILED (Memory of process "
          "exceed limit)";
      alert.text_zh = "物化视图 mv_sales_daily 刷新失败：任务 FAILED";
      alert.value_lo = 1;
      alert.value_hi = 3;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kMedium;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The asynchronous materialized view 'mv_sales_daily' of {cluster} fails to refresh; its "
        "data goes stale.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
