// FleetSlice: writes an eval case's fleet (eval/eval_case.h, `fleet`) into a fleet database and
// scores it with the sentinel's HealthScorer as `rockhound cycle` does, so every tool and the
// trigger brief see what they would see in production.
//
// The slice, all times relative to the case's last snapshot hour H (the hour of `now`):
//   accounts    [{id, name, tier S|A|B|C, industry?}]
//   clusters    [{id, name, account, version, run_mode?=shared_nothing, status?=running,
//                 region?, nodes: [{type FE|BE|CN, count, cu, disk_gb, essd?, spec?}],
//                 metrics: {<short name>: {base?, points?: [[hours_before_H, value], ...]}},
//                 gap_hours?: no snapshot at all for the last N hours}]
//               Every catalogue metric (store/metric_catalog.h) gets one row per hour of the
//               case's `days`: its healthy default (or `base`) until the first point, then
//               linear between points, the last point's value after it; the volume metrics
//               carry a small daily cycle. max = 1.04 x, p99 = 1.02 x the hourly average.
//   alerts      [{cluster, name, severity, status Firing|Resolved, hours_ago, detail?,
//                 started_hours_ago?, repeat?: {count, every_hours, resolve_after_minutes}}]
//               (repeat: `count` Firing/Resolved pairs, the last at hours_ago: a flapping alert)
//   operations  [{cluster, type, params?, result?=SUCCESS, actor?, hours_ago, minutes?=30}]
// Unknown metrics, node types or accounts are invalid_argument naming the item.
// Thread-safety: uses `db` from the calling thread only.
#pragma once

#include "core/error.h"
#include "eval/eval_case.h"
#include "store/database.h"

namespace rh::eval {

// The last snapshot hour of a case: `now` truncated to the hour.
TimePoint SliceEndHour(const EvalCase& eval_case);

// Migrates the fleet schema in `db` (which must be empty), writes the slice in one transaction
// and scores it at the case's `now`.
Status LoadFleetSlice(store::Database& db, const EvalCase& eval_case);

}  // namespace rh::eval
