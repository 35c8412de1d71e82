// kafka_upstream_outage (ingestion_failure, held_out family): the Kafka cluster upstream stops
// delivering: the load rate collapses to near zero with no failed transaction and usually no alert
// (a pure volume collapse).
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& KafkaUpstreamOutageFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "kafka_upstream_outage";
    spec.category = RootCause::kIngestionFailure;
    spec.summary = "upstream Kafka outage: load rate to ~0, no failures, usually no alert";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 3;
    spec.onset_hi = 18;
    spec.signals.push_back({kLoadRate, Move::kFactor, 0.0, 0.08});
    {
      AlertSpec alert =
          Rule("Ingestion Volume Drop Alert", "[P3] load rows rate dropped", "导入量骤降");
      alert.severity = "warning";
      alert.text_en = "rows loaded per second fell to {value}% of the same hour last week";
      alert.text_zh = "导入速率降至上周同期的 {value}%";
      alert.value_lo = 0;
      alert.value_hi = 8;
      alert.decimals = 0;
      alert.optional = true;
      spec.alerts.push_back(std::move(alert));
    }
    spec.severity = Severity::kHigh;
    spec.severity_top_tier = Severity::kHigh;
    spec.story =
        "The Kafka cluster upstream of {cluster} stopped delivering: nothing arrives to load.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
