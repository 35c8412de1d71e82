// RootCause: the fixed taxonomy of root-cause categories a report names (DESIGN §5), shared by
// both engines, the report schema, the API filters and the benchmarks.
//
//   disk_capacity       a BE/CN data disk filling up (or full)
//   compaction_backlog  compaction not keeping up (score climbing, versions piling up)
//   memory_pressure     BE memory or FE JVM heap near its limit
//   cpu_saturation      BE CPU saturated
//   slow_queries        query latency (p99) far above normal
//   query_errors        failing queries
//   node_failure        a node lost, down or flapping (crash loop): FE (leader, follower,
//                       observer), BE or CN
//   operation_induced   a recent operation (upgrade, scale, config update, restart) caused it
//   ingestion_failure   loads failing or stalled
//   known_bug           a StarRocks bug affecting this version explains it
//   account_wide        the same problem on several clusters of one account
//   alert_noise         alerts fire but the cluster is fine
//   insufficient_data   the data cannot support a diagnosis
//   healthy             nothing is wrong now (the verdict of a clean investigation)
// Names are snake_case on the wire; Parse accepts any case.
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <string_view>

#include "core/error.h"

namespace rh {

enum class RootCause {
  kDiskCapacity,
  kCompactionBacklog,
  kMemoryPressure,
  kCpuSaturation,
  kSlowQueries,
  kQueryErrors,
  kNodeFailure,
  kOperationInduced,
  kIngestionFailure,
  kKnownBug,
  kAccountWide,
  kAlertNoise,
  kInsufficientData,
  kHealthy,
};

inline constexpr std::array<RootCause, 14> kAllRootCauses = {
    RootCause::kDiskCapacity,     RootCause::kCompactionBacklog, RootCause::kMemoryPressure,
    RootCause::kCpuSaturation,    RootCause::kSlowQueries,       RootCause::kQueryErrors,
    RootCause::kNodeFailure,      RootCause::kOperationInduced,  RootCause::kIngestionFailure,
    RootCause::kKnownBug,         RootCause::kAccountWide,       RootCause::kAlertNoise,
    RootCause::kInsufficientData, RootCause::kHealthy};

std::string_view RootCauseName(RootCause cause);  // "disk_capacity" ...
Result<RootCause> ParseRootCause(std::string_view text);
// "disk_capacity, compaction_backlog, ...": for help texts, schemas and error messages.
std::string_view RootCauseNames();

}  // namespace rh
