// ClusterCharts: what the cluster and report pages chart — every metric of the catalogue
// (store/metric_catalog.h) for one cluster as hourly values over the last N days, each point
// classified Healthy/Warning/Critical by the same thresholds the scorer uses (the catalogue is
// the one source: the thresholds are sent with the series, never copied into the page), and the
// cluster's health score over the last M days with the risk bands of sentinel/health_formula.h.
//
// The window ends at the cluster's newest snapshot hour (not the wall clock), so a simulated or
// stale fleet still shows its data. Baseline-ratio metrics (QPS, load and scan rows/s) are
// classified against the value 7 days earlier, as the catalogue defines them; each of their
// points carries that baseline, so the bands can be drawn as value = ratio x baseline. QPS, load
// rows/s and failed loads are also judged by the scorer's volume dimension against their usual
// level at that hour; the rule (from the running config) is sent with them.
// Errors: invalid_argument for a bad id or range, not_found for a cluster not in cluster_info,
// unavailable when the fleet database is down.
// Thread-safety: safe to call from several threads (the Runtime's pools).
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "service/runtime.h"

namespace rh::service {

struct ChartQuery {
  int days = 7;         // metric series: 1..30 days
  int score_days = 14;  // health score series: 1..90 days
};

class ClusterCharts {
 public:
  explicit ClusterCharts(Runtime& runtime) : runtime_(runtime) {}

  // {"cluster_id", "end", "days",
  //  "metrics": [{"name", "short_name", "label", "unit", "kind" (higher_is_worse |
  //               lower_is_worse | baseline_ratio), "warning", "critical", "platform_threshold",
  //               "volume": null | {"signal" (qps | load_rate | failed_loads), "judged"
//                          (drop | rise), "warning", "critical" (shares or multiples of the
//                          same-hour median of the last "baseline_days" days), "min_baseline"
//                          or "min_value"} — how the scorer's volume dimension also judges it,
//                          from the running sentinel config,
//               "latest": {"t", "value", "baseline", "state"} | null,
  //               "points": [{"t", "value", "state", "baseline"?}]}],   (catalogue order)
  //  "score": {"days", "healthy_at_least", "critical_below",
  //            "points": [{"t", "score", "risk"}]}}
  Result<Json> Get(const std::string& cluster_id, const ChartQuery& query);

 private:
  Runtime& runtime_;
};

}  // namespace rh::service
