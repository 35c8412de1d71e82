// broker_load_nightly (ingestion_failure, held_out family): the nightly Broker Load batch fails two
// nights running (source files missing on HDFS): failures and a load collapse only in the night
// window.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& BrokerLoadNightlyFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "broker_load_nightly";
    spec.category = RootCause::kIngestionFailure;
    spec.summary = "nightly Broker Load fails: failures and load collapse only in the batch window";
    spec.shapes = {Shape::kFlapping};
    spec.onset_lo = 30;
    spec.onset_hi = 50;
    spec.flap_period_lo = 24;
    spec.flap_period_hi = 24;
    spec.flap_on_lo = 3;
    spec.flap_on_hi = 4;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 1;
    spec.off_residual = 0;
    spec.signals.push_back({kTxnFailed, Move::kCount, 30, 120});
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.1, 0.3});
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] broker load failed", "Broker Load失败");
      alert.severity = "warning";
      alert.text_en =
          "Broker Load job 'dwd_orders_daily' CANCELLED: type:ETL_RUN_FAIL; msg: No source file in "
          "this table";
      alert.text_zh =
          "Broker Load 作业 dwd_orders_daily 已取消：ETL_RUN_FAIL，No source file in this table";
      alert.metric = kTxnFailed;
      alert.threshold = 20;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kMedium;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The nightly Broker Load batch into {cluster} fails: its source files are missing on "
        "HDFS.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
