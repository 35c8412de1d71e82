// query_queue_saturation (slow_queries, held_out family): the query queue reaches its concurrency
// limit: queries wait (latency 8-25 s) while CPU stays under the alert, some pending timeouts.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& QueryQueueSaturationFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "query_queue_saturation";
    spec.category = RootCause::kSlowQueries;
    spec.summary = "query queue saturated: queries wait in the queue, CPU below the alert";
    spec.shapes = {Shape::kAbrupt, Shape::kFlapping};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
    spec.flap_period_lo = 2;
    spec.flap_period_hi = 5;
    spec.flap_on_lo = 1;
    spec.flap_on_hi = 3;
    spec.flaps_per_hour_lo = 1;
    spec.flaps_per_hour_hi = 2;
    spec.signals.push_back({kLatency, Move::kLevel, 8000, 25000});
    spec.signals.push_back({kCpu, Move::kLevel, 60, 68});
    spec.signals.push_back({kQps, Move::kFactor, 0.8, 0.95, true});
    spec.signals.push_back({kQueryErr, Move::kLevel, 0.2, 1.0, true});
    {
      AlertSpec alert =
          Rule("Query Queue Pending Alert", "[P2] query queue pending", "查询队列排队过多");
      alert.severity = "warning";
      alert.text_en =
          "{value} queries pending in the query queue (query_queue_concurrency_limit reached)";
      alert.text_zh = "查询队列中有 {value} 个查询在排队（已达 query_queue_concurrency_limit）";
      alert.value_lo = 60;
      alert.value_hi = 400;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    {
      AlertSpec alert = Rule("Query Latency Alert", "[P2] query p99 slow", "查询延迟过高");
      alert.severity = "warning";
      alert.text_en = "query latency p99 {value} ms > 5000 ms";
      alert.text_zh = "查询 P99 延迟 {value} ms，超过 5000 ms";
      alert.metric = kLatency;
      alert.threshold = 5000;
      alert.decimals = 0;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kMedium;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The query queue of {cluster} is at its concurrency limit: queries wait for a slot "
        "before they run.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
