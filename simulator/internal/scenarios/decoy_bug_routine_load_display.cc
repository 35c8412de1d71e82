// decoy_bug_routine_load_display (ingestion_failure, held_out family): a routine load job pauses
// because its Kafka topic was deleted, on 3.4.x, inside the range of #62745 (SHOW CREATE ROUTINE
// LOAD without a database returns another job, fixed in 3.4.8): shared words, not the cause.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& DecoyBugRoutineLoadDisplayFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "decoy_bug_routine_load_display";
    spec.category = RootCause::kIngestionFailure;
    spec.summary =
        "routine load PAUSED (topic deleted) on 3.4.x; bug #62745 (a SHOW command) only shares "
        "words";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 3;
    spec.onset_hi = 16;
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.0, 0.05});
    spec.signals.push_back({kTxnFailed, Move::kCount, 20, 80});
    {
      AlertSpec alert = Rule("Routine Load Consumption Delay Alert", "[P2] routine load lag",
                             "Routine Load消费延迟");
      alert.severity = "warning";
      alert.text_en =
          "routine load job 'ods_clicks' PAUSED: ErrorReason: topic 'clicks_v2' does not exist";
      alert.text_zh = "Routine Load 作业 ods_clicks 已暂停：topic 'clicks_v2' 不存在";
      alert.value_lo = 0;
      alert.value_hi = 0;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Loading Failure Alert", "[P2] load failed", "导入失败告警");
      alert.severity = "warning";
      alert.text_en = "{value} load transactions failed in the last hour";
      alert.text_zh = "过去一小时 {value} 个导入事务失败";
      alert.metric = kTxnFailed;
      alert.threshold = 20;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.versions = {"3.4.1", "3.4.3", "3.4.5"};
    spec.story =
        "The Kafka topic that feeds {cluster} (StarRocks {version}) was deleted; the routine "
        "load job paused. The SHOW CREATE ROUTINE LOAD bug of 3.4.x (#62745) shares words but is "
        "not the cause.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
