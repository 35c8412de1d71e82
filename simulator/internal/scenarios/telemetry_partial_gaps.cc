// telemetry_partial_gaps (insufficient_data, tuning family): the metrics collector flaps: most of
// the last 12-24 hours have no snapshot, the last one none at all.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& TelemetryPartialGapsFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "telemetry_partial_gaps";
    spec.category = RootCause::kInsufficientData;
    spec.summary = "collector flapping: most recent hours missing, the last hour too";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 12;
    spec.onset_hi = 24;
    spec.severity = Severity::kLow;
    spec.severity_top_tier = Severity::kLow;
    spec.telemetry_gap = 0.65;
    spec.red_herrings = {.qps_blip = false};
    spec.story =
        "The metrics collector of {cluster} keeps dropping out: most hours since {since} and the "
        "last hour have no snapshot, so its current health cannot be judged.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
