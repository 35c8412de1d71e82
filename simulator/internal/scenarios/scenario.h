// Scenario: one family of labelled incidents (a data disk filling up, a BE lost, an alert storm,
// ...) told as one coherent story across metrics, alerts and operations. A family says which
// root-cause category it belongs to and which clusters it takes, plans its story (timing,
// magnitudes, constraints on the cluster, the operations the story contains, the expected
// severity), layers it onto each affected cluster's background series, and derives the alerts
// and the ground-truth text from the final series.
//
// The pipeline that calls the hooks, in generation order, is internal/scenarios.h; the list of
// families is scenarios/registry.h; the vocabulary stories are written in (Ramp, Step, LevelTo,
// FireAt, the alert thresholds, ...) is scenarios/story.h; red herrings are scenarios/
// red_herrings.h. simulator/README.md ("Adding a scenario") walks through writing one.
//
// Determinism. A hook draws only from the Rng it is handed, in a fixed order. Plan draws from
// one stream shared by every incident of the fleet, in planning order (incidents on an account
// of their own first, then the others in incident order), so changing one family's planning
// draws changes the incidents planned after it; Apply and Derive draw from streams of their own
// cluster.
//
// Internal to rh::simulator. Thread-safety: a family is an immutable singleton; its hooks are
// const and touch only what their context hands them.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/root_cause.h"
#include "core/severity.h"
#include "simulator/ground_truth.h"
#include "simulator/internal/fleet_model.h"
#include "simulator/internal/random.h"

namespace rh::simulator::internal {

// Which clusters an incident takes.
enum class Footprint {
  kOneCluster,       // one cluster, picked by the pipeline (Scenario::Prefers) before Plan
  kAccountSiblings,  // several clusters of one account that the planner builds for the story
};

// Which red herrings may sit beside the story (scenarios/red_herrings.h). A kind is left out
// when it would make the story ambiguous (a QPS blip beside a workload-driven story).
struct RedHerringPolicy {
  bool any = true;            // false: never a red herring (and nothing is drawn for one)
  bool routine_scale = true;  // a routine scale-out 8-20 days before
  bool qps_blip = true;       // a one-hour QPS blip 12-72 hours before
  // A resolved unrelated alert 6-120 hours before is always possible when `any` is set; it never
  // reuses one of the story's own alert names (Scenario::AlertNames).
};

// What Plan works with: the incident being planned and the fleet around it.
struct StoryPlan {
  FleetPlan& plan;
  Incident& incident;
  int incident_index = 0;
  Rng& rng;                // shared by every incident, drawn in planning order
  std::string tier;        // tier of the account the story happens in (S | A | B | C)
  int account_index = -1;  // kAccountSiblings: the account built for the story

  // kOneCluster: the picked cluster; the story may adjust its architecture or version.
  Cluster& cluster() const;
  const Account& account() const;
  // kOneCluster: the regression starts at hour index `start`; the story's window opens at that
  // hour plus `offset` (negative for an operation that precedes the regression).
  void Open(int start, std::chrono::minutes offset = std::chrono::minutes(0));
  // kAccountSiblings: adds a cluster to the incident, its regression starting at hour `start`.
  void AddCluster(int cluster_index, int start);
};

// What Apply works with: one affected cluster's series, before FinishSeries rounds it.
struct StorySeries {
  const FleetPlan& plan;
  const Cluster& cluster;
  const Incident& incident;
  int cluster_index = 0;
  int start = 0;  // this cluster's first hour of the regression
  int last = 0;   // the fleet's last hour index
  std::vector<HourValues>& series;
  Rng& rng;  // this cluster's kStreamIncidentEffects
  // Each metric's mean over the 24 hours before `start`, taken before anything (the story or a
  // red herring) touched the series.
  std::array<double, kMetricCount> baseline{};

  std::array<MetricSample, kMetricCount>& Hour(int hour_idx) const {
    return series[static_cast<size_t>(hour_idx)].metrics;
  }
};

// What Derive works with: one affected cluster's final series; alerts go to `alerts`.
struct StoryEvents {
  const FleetPlan& plan;
  const Cluster& cluster;
  const Incident& incident;
  int cluster_index = 0;
  size_t role = 0;  // position among the incident's clusters
  int start = 0;
  int last = 0;
  const std::vector<HourValues>& series;
  std::vector<AlertEpisode>& alerts;
  Rng& rng;           // this cluster's kStreamIncidentEvents
  std::string node;   // the node the story names: be-<n> or cn-<n>
  std::string since;  // the story's window start, SQL time

  // "Before": the median over up to six days before the incident of the mean of the same three
  // hours of the day as the last three hours, so daily seasonality does not pass for a change.
  double Before(MetricIndex metric) const;
  // The mean of the last three hours.
  double End(MetricIndex metric) const;
  // The sample at `hour_idx` (clamped into the series).
  const MetricSample& At(int hour_idx, MetricIndex metric) const;
  // The first present hour from `start` whose mean is above `threshold`, or -1.
  int FirstAbove(MetricIndex metric, double threshold) const;
  // Fires `name` in hour `hour_idx` (the hour the data crossed the threshold; -1: the hour
  // before the end, when it never did), re-notified every 4 hours. Returns the hour used.
  int FireAt(int hour_idx, const std::string& name, const std::string& severity,
             const std::string& summary, const std::string& value);
};

class Scenario {
 public:
  virtual ~Scenario() = default;

  // The family's name: unique in the registry; the name of its category unless it says otherwise.
  virtual std::string_view name() const { return RootCauseName(category()); }
  // The report taxonomy's root-cause category the family's incidents are labelled with.
  virtual RootCause category() const = 0;

  virtual Footprint footprint() const { return Footprint::kOneCluster; }
  // The most clusters one incident may take (the planner's capacity check).
  virtual int max_clusters() const { return 1; }
  // kAccountSiblings: draws Incident::count (siblings hit) and Incident::account_size (clusters
  // of the account built for the story) before any account exists.
  virtual void PlanFootprint(Incident& /*incident*/, Rng& /*rng*/) const {}
  // kOneCluster: whether the story would rather happen on `cluster` (the first free cluster of
  // a shuffled order it prefers is taken; any free one when none is preferred).
  virtual bool Prefers(const Cluster& /*cluster*/) const { return true; }

  // Chooses the variant (Incident::variant, Incident::scenario), timing (StoryPlan::Open or
  // AddCluster), magnitudes (target, factor, ...), constraints on the cluster, and the
  // operations that are part of the story (preset, added to plan.operations).
  virtual void Plan(StoryPlan& story) const = 0;
  // The severity a careful engineer would give; called after Plan with the tier of the story's
  // account.
  virtual Severity ExpectedSeverity(const Incident& incident, std::string_view tier) const = 0;
  // The alert names the story fires (a red-herring alert never reuses them).
  virtual std::vector<std::string> AlertNames(const Incident& incident) const = 0;
  virtual RedHerringPolicy red_herrings() const { return {}; }

  // Layers the story onto the cluster's background series (use Step/Ramp for the shape and
  // LevelTo/Multiply/Shift so max and p99 follow the mean).
  virtual void Apply(StorySeries& story) const = 0;
  // Fires the story's alerts where the final data crosses their thresholds and returns the
  // cluster's ground-truth description, with the numbers of the final series.
  virtual std::string Derive(StoryEvents& story) const = 0;
};

}  // namespace rh::simulator::internal
