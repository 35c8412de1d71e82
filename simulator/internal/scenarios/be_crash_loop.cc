// be_crash_loop (node_failure, tuning family): a BE dies with SIGSEGV and the supervisor restarts
// it, again and again: the node alert fires and resolves every hour or two while query errors rise
// over the day.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& BeCrashLoopFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "be_crash_loop";
    spec.category = RootCause::kNodeFailure;
    spec.summary =
        "BE crash loop: SIGSEGV, restarted by the supervisor, the critical node alert fires and "
        "resolves again and again";
    spec.shapes = {Shape::kFlapping, Shape::kFlapping, Shape::kAbrupt, Shape::kRamp};
    spec.onset_lo = 10;
    spec.onset_hi = 30;
    spec.flap_period_lo = 1;
    spec.flap_period_hi = 3;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 1;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 3;
    spec.signals.push_back({kAliveRatio, Move::kNodesDown, 1, 1});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.4, 2.0});
    spec.signals.push_back({kLatency, Move::kFactor, 1.3, 1.8, true});
    {
      AlertSpec alert =
          Rule("BE Service Suspension", "[P0] StarRocks BeAliveAbnormal", "BE节点存活异常");
      alert.severity = "critical";
      alert.text_en =
          "BE {node} exited on signal SIGSEGV (11), core dumped in "
          "starrocks::pipeline::PipelineDriver::process; restarted by supervisor";
      alert.text_zh =
          "BE {node} 进程因 SIGSEGV (11) 崩溃退出并产生 core 文件，已被守护进程重新拉起";
      alert.value_lo = 1;
      alert.value_hi = 1;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kCritical;
    spec.architecture = Architecture::kSharedNothing;
    spec.story =
        "BE {node} of {cluster} is in a crash loop: it dies with SIGSEGV and the supervisor "
        "restarts it again and again, so queries routed to it fail.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
