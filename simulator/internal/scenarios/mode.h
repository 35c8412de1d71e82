// ModeFamily: a scenario family of the catalogue (simulator/scenario_catalog.h) described as data
// (a ModeSpec: the signals it moves, the alerts it fires, the operation it contains, its
// severity) and told by one shared engine, so that every failure mode gets the same variants:
//
//   shape     abrupt (a step), ramp (over about a day), flapping (on/off episodes, alerts that
//             fire and resolve again and again) or blip (one or two hours, long over)
//   partial   optional signals and alerts left out (not every symptom is present)
//   naming    the alert under its official StarRocks rule name, a team's custom name, or a Chinese
//             name with Chinese text
//   gaps      one to three missing snapshot hours inside the story (never the last three)
//
// The ground-truth scenario is "<family>/<shape>[_partial]". Each family is one file
// (scenarios/<family>.cc) that returns a ModeFamily built from its spec.
// Internal to rh::simulator. Thread-safety: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "simulator/internal/scenarios/scenario.h"

namespace rh::simulator::internal {

enum class Shape { kAbrupt, kRamp, kFlapping, kBlip };
std::string_view ShapeName(Shape shape);  // "abrupt" | "ramp" | "flapping" | "blip"

// How a signal moves its metric; magnitudes are drawn uniformly in [lo, hi] per cluster.
enum class Move {
  kLevel,      // towards the level lo..hi (a percentage, ms, ...)
  kFactor,     // times lo..hi
  kShift,      // plus lo..hi
  kCount,      // a count-like metric (txn_failed) to lo..hi per hour
  kNodesDown,  // alive ratio: lo..hi nodes (rounded) of the compute group down
};

struct Signal {
  MetricIndex metric = kCpu;
  Move move = Move::kLevel;
  double lo = 0;
  double hi = 0;
  bool optional = false;  // a partial variant may leave it out
};

struct AlertSpec {
  std::string official;              // the StarRocks rule name ("BE Service Suspension")
  std::string custom;                // a team's own name for it ("[P0] sr-be-alive-abnormal")
  std::string chinese;               // its Chinese name ("BE 节点存活异常")
  std::string severity = "warning";  // critical | warning | info
  // Summary text; {node} (be-<n>/cn-<n>), {fe} (fe-<n>), {value}, {version} are filled in.
  std::string text_en;
  std::string text_zh;
  // The metric the rule watches and its threshold (fires in the first hour the data crosses
  // it); -1: the alert fires at the onset whatever the metrics (value drawn in value_lo..hi).
  int metric = -1;
  double threshold = 0;
  bool below = false;  // fires when the metric falls below the threshold
  double value_lo = 0;
  double value_hi = 0;
  int decimals = 1;
  bool optional = false;  // a partial variant may leave it out
};

struct OperationSpec {
  OperationKind kind = OperationKind::kUpdate;
  std::string actor;       // empty: the account owner
  std::string parameters;  // JSON for UPDATE/RESTART; UPGRADE and SCALE are filled in
  int scale_nodes = 0;     // SCALE: nodes removed (< 0) or added (> 0)
  int minutes_lo = 10;     // the operation starts this long before the onset
  int minutes_hi = 60;
  int duration_lo = 5;  // minutes it ran
  int duration_hi = 30;
  std::string result = "SUCCESS";  // SUCCESS | FAILED | RUNNING (never finished)
  bool opens_window = false;       // the story's window starts at the operation
};

enum class Architecture { kAny, kSharedNothing, kSharedData };

struct ModeSpec {
  std::string name;
  RootCause category = RootCause::kInsufficientData;
  std::string summary;  // one line for the catalogue
  std::vector<Shape> shapes = {Shape::kAbrupt};
  int onset_lo = 3;  // the story starts this many hours before the end
  int onset_hi = 24;
  int ramp_lo = 18;  // a ramp reaches its level over this many hours
  int ramp_hi = 30;
  int flap_period_lo = 2;  // flapping: an episode every period hours ...
  int flap_period_hi = 4;
  int flap_on_lo = 1;  // ... lasting on hours
  int flap_on_hi = 1;
  int flaps_per_hour_lo = 1;  // ... in which the alert fires and resolves this often
  int flaps_per_hour_hi = 3;
  double off_residual = 0.15;  // flapping: share of the effect between episodes
  std::vector<Signal> signals;
  std::vector<AlertSpec> alerts;
  std::optional<OperationSpec> operation;
  Severity severity = Severity::kHigh;           // tiers B and C
  Severity severity_top_tier = Severity::kHigh;  // tiers S and A
  Architecture architecture = Architecture::kAny;
  std::vector<std::string> versions;  // the cluster runs one of these (known bugs)
  int min_fe_nodes = 0;               // the cluster has at least this many FE nodes
  double telemetry_gap = 0;           // share of the window's hours without snapshots (1: all)
  bool gaps = true;                   // may have one to three missing hours
  bool siblings = false;              // several siblings of one account (account-wide)
  RedHerringPolicy red_herrings;
  // The description's opening: {cluster}, {node}, {version}, {since}, {account} are filled in;
  // the engine appends the numbers of every signal and the alerts it fired.
  std::string story;
};

class ModeFamily final : public Scenario {
 public:
  explicit ModeFamily(ModeSpec spec) : spec_(std::move(spec)) {}
  const ModeSpec& spec() const { return spec_; }

  std::string_view name() const override { return spec_.name; }
  RootCause category() const override { return spec_.category; }
  Footprint footprint() const override;
  int max_clusters() const override { return spec_.siblings ? 4 : 1; }
  void PlanFootprint(Incident& incident, Rng& rng) const override;
  bool Prefers(const Cluster& cluster) const override;
  void Plan(StoryPlan& story) const override;
  Severity ExpectedSeverity(const Incident& incident, std::string_view tier) const override;
  std::vector<std::string> AlertNames(const Incident& incident) const override;
  RedHerringPolicy red_herrings() const override { return spec_.red_herrings; }
  void Apply(StorySeries& story) const override;
  std::string Derive(StoryEvents& story) const override;

 private:
  ModeSpec spec_;
};

// The three names of a rule in one place (official, custom, Chinese).
AlertSpec Rule(std::string official, std::string custom, std::string chinese);

}  // namespace rh::simulator::internal
