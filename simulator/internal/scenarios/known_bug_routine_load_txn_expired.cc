// known_bug_routine_load_txn_expired (known_bug, held_out family): routine load tasks are cancelled
// when their transaction expires (#50334, fixed in 3.1.16 / 3.2.13 / 3.3.7): on an affected version
// the load rate collapses.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& KnownBugRoutineLoadTxnExpiredFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "known_bug_routine_load_txn_expired";
    spec.category = RootCause::kKnownBug;
    spec.summary =
        "known bug #50334 (before 3.2.13 / 3.3.7): routine load tasks cancelled on expired "
        "transactions";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 16;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 4;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 2;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 1;
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.0, 0.1});
    spec.signals.push_back({kTxnFailed, Move::kCount, 5, 30, true});
    {
      AlertSpec alert = Rule("Routine Load Consumption Delay Alert", "[P2] routine load lag",
                             "Routine Load消费延迟");
      alert.severity = "warning";
      alert.text_en =
          "routine load job 'ods_orders' task cancelled: transaction expired (TXN_EXPIRED); max "
          "lag {value} messages";
      alert.text_zh =
          "Routine Load 作业 ods_orders 任务因事务过期被取消 (TXN_EXPIRED)，最大消费延迟 {value} "
          "条";
      alert.value_lo = 400000;
      alert.value_hi = 2500000;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.versions = {"3.2.6", "3.2.8", "3.2.11", "3.3.2", "3.3.4"};
    spec.story =
        "{cluster} runs StarRocks {version}, where Routine Load tasks are cancelled when their "
        "transaction expires (StarRocks #50334, fixed in 3.2.13 and 3.3.7): the job stops "
        "consuming. Upgrade, then resume the job.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
