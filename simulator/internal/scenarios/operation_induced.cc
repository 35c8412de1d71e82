// operation_induced: an operation 10-90 minutes before a regression on an unchanged workload:
// an UPGRADE (latency >= 6.5 s, some errors), a config UPDATE (pipeline_dop = 1 or
// storage_page_cache_limit = 1%: latency >= 6.5 s) or a SCALE-in that halved the CU (CPU
// 74-90%). The operation is part of the story (a preset operation) and opens its window.
#include <algorithm>

#include "core/json.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/scenarios/scenario.h"
#include "simulator/internal/scenarios/story.h"

namespace rh::simulator::internal {
namespace {

using std::chrono::minutes;

// An upgrade target from 3.2.6 on, and (in *from) a version up to five releases below it that
// the cluster could have run (never one with the PageCache bug; 3.x for shared-data).
std::string PickUpgradeTarget(Rng& rng, const Cluster& cluster, std::string* from) {
  const auto& versions = Versions();
  std::vector<int> targets;
  for (int rank = VersionRank("3.2.6"); rank < static_cast<int>(versions.size()); ++rank) {
    targets.push_back(rank);
  }
  const int to_rank = rng.Pick(targets);
  std::vector<std::string> sources;
  for (int back = 1; back <= 5 && to_rank - back >= 0; ++back) {
    const auto& info = versions[static_cast<size_t>(to_rank - back)];
    if (HasPageCacheBug(info.version)) continue;
    if (cluster.run_mode == RunMode::kSharedData && info.version < std::string_view("3")) continue;
    sources.emplace_back(info.version);
  }
  *from = sources.empty() ? std::string("3.1.14") : rng.Pick(sources);
  return std::string(versions[static_cast<size_t>(to_rank)].version);
}

class OperationInduced final : public Scenario {
 public:
  RootCause category() const override { return RootCause::kOperationInduced; }
  // No routine SCALE beside a story whose cause is an operation.
  RedHerringPolicy red_herrings() const override { return {.routine_scale = false}; }

  void Plan(StoryPlan& story) const override {
    Incident& incident = story.incident;
    Cluster& cluster = story.cluster();
    Rng& rng = story.rng;
    const int start = StartIdx(story.plan, rng.UniformInt(3, 30));
    incident.variant = rng.UniformInt(0, 2);
    incident.op_minutes_before = rng.UniformInt(10, 90);
    Operation op;
    op.cluster_index = incident.clusters.front();
    op.preset = true;
    op.actor = story.account().owner;
    op.started_at = story.plan.HourTime(start) - minutes(incident.op_minutes_before);
    OrderedJson params = OrderedJson::object();
    if (incident.variant == 0) {
      incident.scenario = "regression_after_upgrade";
      op.kind = OperationKind::kUpgrade;
      std::string from;
      cluster.version = PickUpgradeTarget(rng, cluster, &from);
      op.from_version = from;
      params["from_version"] = from;
      params["to_version"] = cluster.version;
      op.finished_at =
          op.started_at + minutes(std::min(incident.op_minutes_before - 2, rng.UniformInt(15, 45)));
      incident.factor = rng.Uniform(3.0, 6.0);   // latency
      incident.target2 = rng.Uniform(0.4, 1.5);  // error rate %
    } else if (incident.variant == 1) {
      incident.scenario = "regression_after_config_update";
      op.kind = OperationKind::kUpdate;
      if (rng.Bernoulli(0.5)) {
        params["scope"] = "global_variable";
        params["changes"] = OrderedJson::object({{"pipeline_dop", "1"}});
      } else {
        params["scope"] = cluster.compute.node_type;
        params["changes"] = OrderedJson::object({{"storage_page_cache_limit", "1%"}});
      }
      op.finished_at = op.started_at + minutes(rng.UniformInt(1, 4));
      incident.factor = rng.Uniform(3.0, 6.0);  // latency
    } else {
      incident.scenario = "regression_after_scale_in";
      op.kind = OperationKind::kScale;
      const int to_cu = std::min(cluster.compute.cu, 32);
      cluster.compute.cu = to_cu;
      op.from_cu = to_cu * 2;
      params["node_type"] = cluster.compute.node_type;
      params["from_cu"] = op.from_cu;
      params["to_cu"] = to_cu;
      op.finished_at =
          op.started_at + minutes(std::min(incident.op_minutes_before - 2, rng.UniformInt(8, 30)));
      incident.target = rng.Uniform(74, 90);     // CPU %
      incident.factor2 = rng.Uniform(1.8, 3.0);  // latency
    }
    op.parameters = DumpJson(params);
    story.plan.operations.push_back(std::move(op));
    story.Open(start, -minutes(incident.op_minutes_before));
  }

  Severity ExpectedSeverity(const Incident&, std::string_view tier) const override {
    return tier == "S" ? Severity::kCritical : Severity::kHigh;
  }

  std::vector<std::string> AlertNames(const Incident&) const override {
    return {"Query Latency Alert", "BE CPU Alert"};
  }

  void Apply(StorySeries& story) const override {
    const Incident& incident = story.incident;
    const double cpu_mean = story.baseline[kCpu];
    const double latency_mean = story.baseline[kLatency];
    const double err_mean = story.baseline[kQueryErr];
    for (int hour_idx = story.start; hour_idx <= story.last; ++hour_idx) {
      auto& m = story.Hour(hour_idx);
      if (incident.variant == 2) {
        LevelTo(m[kCpu], cpu_mean, incident.target, 1.0);
        Multiply(m[kLatency], incident.factor2);
      } else {
        LevelTo(m[kLatency], latency_mean,
                std::max(latency_mean * incident.factor, story.rng.Uniform(6500, 7500)), 1.0);
        if (incident.variant == 0) LevelTo(m[kQueryErr], err_mean, incident.target2, 1.0);
        if (incident.variant == 1) Multiply(m[kCpu], 0.75);
      }
    }
  }

  std::string Derive(StoryEvents& story) const override {
    const Incident& incident = story.incident;
    const std::string op_type = incident.variant == 0   ? "UPGRADE"
                                : incident.variant == 1 ? "UPDATE"
                                                        : "SCALE";
    if (incident.variant == 2) {
      FireBeCpuAlert(story);
    } else {
      FireQueryLatencyAlert(story);
    }
    std::string parameters;
    for (const Operation& op : story.plan.operations) {
      if (op.cluster_index == story.cluster_index && op.preset &&
          op.started_at == incident.window_start[story.role]) {
        parameters = op.parameters;
      }
    }
    return "The " + op_type + " " + parameters + " on " + story.cluster.name + " at " +
           story.since + " was followed " + std::to_string(incident.op_minutes_before) +
           " min later by a regression: " +
           (incident.variant == 2 ? "CPU " + Pct(story.Before(kCpu)) + " -> " +
                                        Pct(story.End(kCpu)) + " on the smaller nodes"
                                  : "latency p99 " + FormatNumber(story.Before(kLatency), 0) +
                                        " -> " + FormatNumber(story.End(kLatency), 0) + " ms") +
           " with an unchanged workload (QPS " + PctChange(story.Before(kQps), story.End(kQps)) +
           "). Roll the change back.";
  }
};

}  // namespace

const Scenario& OperationInducedFamily() {
  static const OperationInduced family;
  return family;
}

}  // namespace rh::simulator::internal
