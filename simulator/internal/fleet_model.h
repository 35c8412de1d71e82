// The in-memory plan of a simulated fleet: accounts, clusters, node groups, alert episodes,
// operations and incidents, built before anything is written. Snapshots are not planned here:
// they are computed cluster by cluster while writing (metric_model.h) because they are 99% of
// the rows. Internal to rh::simulator.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "simulator/ground_truth.h"

namespace rh::simulator::internal {

class Scenario;  // scenarios/scenario.h

// Independent random streams: Rng(seed, kStream..., cluster_index). Adding a stream never
// changes the numbers drawn from the others.
enum Stream : uint64_t {
  kStreamAccounts = 1,
  kStreamClusters = 2,
  kStreamProfile = 3,
  kStreamSeries = 4,
  kStreamIncidents = 5,
  kStreamBackgroundEvents = 6,
  kStreamIncidentEffects = 7,
  kStreamIncidentEvents = 8,
  kStreamOperations = 9,
};

// The 14 dimensions, in the order of store::MetricCatalog() (checked at start-up).
enum MetricIndex : int {
  kCpu = 0,
  kBeJvmHeap,
  kDisk,
  kCompaction,
  kLatency,
  kQueryErr,
  kBeMem,
  kFeHeap,
  kQps,
  kLoadRate,
  kTablets,
  kAliveRatio,
  kTxnFailed,
  kScanRows,
  kMetricCount,
};

struct MetricSample {
  double avg = 0;
  double max = 0;
  double p99 = 0;
  bool has_p99 = true;
};

// One cluster-hour: every metric, or nothing when telemetry is missing for that hour.
struct HourValues {
  std::array<MetricSample, kMetricCount> metrics{};
  bool present = true;
};

enum class RunMode { kSharedNothing, kSharedData };

struct NodeGroup {
  std::string node_type;  // FE | BE | CN
  int count = 0;
  int cu = 0;
  std::string spec_type;
  int disk_gb = 0;
  std::string essd_level;
};

struct Account {
  std::string id;
  std::string name;
  std::string tier;  // S | A | B | C
  std::string owner;
  std::string industry;
  TimePoint created_at{};
  std::vector<int> cluster_indices;
};

struct Cluster {
  std::string id;
  std::string name;
  int account_index = 0;
  std::string region;
  int tz_offset_hours = 0;
  std::string version;
  RunMode run_mode = RunMode::kSharedNothing;
  std::string package_type;
  std::string status = "running";
  TimePoint created_at{};
  TimePoint updated_at{};
  NodeGroup fe;
  NodeGroup compute;  // BE (shared_nothing) or CN (shared_data)
  int incident = -1;  // index into FleetPlan::incidents, -1 for background clusters
  int incident_role = 0;  // position among the incident's clusters
};

// One alert from firing to (optionally) resolving; rendered into Lark-like messages.
struct AlertEpisode {
  int cluster_index = 0;
  std::string alert_name;
  std::string severity;  // critical | warning | info
  std::string summary;   // "BE data disk used 91.2% > 85% on be-3 (/data1)"
  std::string value;     // "91.2"
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;   // nullopt: still firing at the fleet's end
  int repeat_hours = 0;               // re-notify while firing (0 = never)
};

// Operation kinds before their parameters are chained (see planner: ChainOperations).
enum class OperationKind { kUpdate, kScale, kRestart, kUpgrade, kStop, kStart };

struct Operation {
  int cluster_index = 0;
  OperationKind kind = OperationKind::kUpdate;
  std::string actor;
  std::string parameters;  // JSON, filled by ChainOperations unless preset
  bool preset = false;     // parameters fixed by a scenario (chain state updated from them)
  std::string result = "SUCCESS";
  TimePoint started_at{};
  std::optional<TimePoint> finished_at;
  bool scale_out = false;     // SCALE: a routine scale-out (one more node, or a larger CU)
  int red_herring_of = -1;    // index of the incident this operation is the red herring of
  // For preset UPGRADE/SCALE: the state before the operation, so the chain can continue.
  std::string from_version;
  int from_count = 0;
  int from_cu = 0;
};

enum class RedHerringKind { kNone, kResolvedAlert, kRoutineScale, kQpsBlip };

struct Incident {
  const Scenario* family = nullptr;  // the scenario family that tells the story
  RootCause category = RootCause::kDiskCapacity;
  std::string id;        // "inc-001"
  std::string scenario;  // variant name
  int variant = 0;
  std::vector<int> clusters;
  std::vector<int> start_idx;  // per cluster: first hour index of the regression
  int account_size = 0;  // Footprint::kAccountSiblings: clusters of the account built for it
  // Story parameters (meaning per family; see scenarios/<family>.cc).
  double target = 0;
  double target2 = 0;
  double factor = 1;
  double factor2 = 1;
  int count = 0;
  int minute = 0;               // minute within the start hour (node failure, first flap)
  int node = 1;                 // which BE/CN the story names (be-<node>)
  int op_minutes_before = 0;    // operation_induced: operation start before the regression
  RedHerringKind red_herring = RedHerringKind::kNone;
  int red_herring_idx = -1;     // hour index of a QPS blip / resolved alert
  double red_herring_factor = 1;
  std::string red_herring_text;
  // Catalogue families (scenarios/mode.h): how the story is told.
  int shape = 0;                // scenarios/mode.h Shape
  int alert_style = 0;          // 0 official rule names, 1 custom names, 2 Chinese names and text
  uint32_t dropped = 0;         // bit i: signal i left out; bit 16 + i: alert i left out
  int flap_period = 0;          // flapping: an episode every flap_period hours ...
  int flap_on = 0;              // ... of flap_on hours (blip: the blip's hours)
  int flaps_per_hour = 1;       // flapping: the alert fires and resolves this often an hour
  std::vector<int> gap_hours;   // hours before the last one without snapshots
  Severity severity = Severity::kInfo;  // expected severity
  std::vector<TimePoint> window_start;    // per cluster
  std::vector<std::string> descriptions;  // per cluster, filled after its series is generated
};

struct Spike {
  int hour_idx = 0;
  MetricIndex metric = kCpu;
  double value = 0;  // the hour's max_value
};

struct FleetPlan {
  uint64_t seed = 0;
  int hours = 0;
  TimePoint first_hour{};
  TimePoint end_hour{};
  std::vector<Account> accounts;
  std::vector<Cluster> clusters;
  std::vector<Incident> incidents;
  std::vector<AlertEpisode> alerts;       // background and planned (red herrings)
  std::vector<Operation> operations;
  // Per cluster: brief peaks behind background alerts (only max_value/p99 move).
  std::vector<std::vector<Spike>> spikes;

  TimePoint HourTime(int hour_idx) const { return first_hour + std::chrono::hours(hour_idx); }
};

}  // namespace rh::simulator::internal
