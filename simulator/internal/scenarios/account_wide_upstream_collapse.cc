// account_wide_upstream_collapse (account_wide, held_out family): the event pipeline shared by an
// account stops: the load rate of 2-4 siblings collapses within three hours of each other, no
// failures, alerts on some only.
#include "simulator/internal/scenarios/mode.h"

namespace rh::simulator::internal {

const Scenario& AccountWideUpstreamCollapseFamily() {
  static const ModeFamily family([] {
    ModeSpec spec;
    spec.name = "account_wide_upstream_collapse";
    spec.category = RootCause::kAccountWide;
    spec.summary =
        "shared upstream pipeline stops: load volume collapses on several siblings, no failures";
    spec.shapes = {Shape::kAbrupt};
    spec.onset_lo = 3;
    spec.onset_hi = 14;
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
    spec.severity_top_tier = Severity::kCritical;
    spec.siblings = true;
    spec.story =
        "The event pipeline shared by account {account} stopped; {cluster} and its siblings "
        "receive nothing to load.";
    return spec;
  }());
  return family;
}

}  // namespace rh::simulator::internal
