// Sentinel: one detection pass — score the fleet, run the rules, queue one investigation per
// cluster that needs one — and the explanation of that decision for one cluster.
//
// RunPass scores the fleet (HealthScorer, which records the scores), evaluates the rules
// (sentinel/rules.h) for every cluster, and for each cluster where at least one rule fired
// enqueues ONE task carrying the best priority and every fired rule with its value and
// threshold (investigation_tasks.rules_fired). The cooldown is per cluster across all rules and
// all task sources: no task is created while any task for the cluster was created less than
// sentinel.cooldown ago (the cluster is reported as "skipped by cooldown" with that task). The
// check and the insert are one transaction (TaskQueue::EnqueueUnlessCooling), so several
// `rockhound run` processes sharing one memory database never double a task.
//
// A persistent Critical cluster is re-investigated only when it changed since its last report:
// when the cluster is Critical now, was Critical at the snapshot its last report investigated
// (the latest done task; its score read back from cluster_health_scores) and none of these
// holds, the pass skips it and says why ("unchanged"):
//   - worse score: health fell by at least sentinel.reinvestigate_worse_points since then;
//   - new alert: an alert firing (or flapping) now that was not firing then (top_risks);
//   - new operation: a cluster_operations row started after that task was created;
//   - the report is older than sentinel.unchanged_recheck (24 h): look again anyway.
//
// Explain scores one cluster (and its account's other clusters, for account_wide) exactly as
// RunPass would (without writing anything) and reports each rule, fired or not and why, the
// cooldown, the change check and what a pass would do now.
// Thread-safety: a Sentinel is used by one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "sentinel/rules.h"
#include "sentinel/scorer.h"
#include "store/database.h"
#include "store/task_queue.h"

namespace rh::sentinel {

struct CooldownState {
  std::string task_id;
  TimePoint created_at{};
  store::TaskStatus status = store::TaskStatus::kQueued;
  store::TaskSource source = store::TaskSource::kSentinel;
  Duration remaining{};
};

// How a Critical cluster compares with the state its last report investigated.
struct ChangeCheck {
  std::string task_id;                     // the latest done task for the cluster
  std::string report_id;                   // its report
  TimePoint reported_at{};                 // the task's creation: the state the report looked at
  std::optional<TimePoint> snapshot_then;  // the snapshot hour scored then (none: not recorded)
  std::optional<double> health_then;
  RiskLevel risk_then = RiskLevel::kHealthy;
  double health_now = 0;
  std::vector<std::string> new_alerts;      // firing or flapping now, not firing then
  std::vector<std::string> new_operations;  // "UPGRADE at 2026-11-21 09:30:00", oldest first
  bool worse = false;                       // health fell by at least reinvestigate_worse_points
  bool stale = false;                       // the report is at least unchanged_recheck old
  TimePoint recheck_at{};                   // when an unchanged cluster is looked at again anyway

  // Persistent Critical and nothing above changed: the pass skips it.
  bool Unchanged() const;
  std::string Describe() const;  // one line: what changed, or that nothing did
};

struct ClusterDecision {
  std::string cluster_id;
  std::string tier;
  HealthBreakdown health;
  std::vector<RuleOutcome> rules;         // all seven
  int priority = 3;                       // best priority among fired rules
  std::string task_id;                    // the task created (empty when skipped)
  std::optional<CooldownState> cooldown;  // set when skipped by cooldown
  std::optional<ChangeCheck> change;      // set for a Critical cluster with an earlier report

  std::vector<const RuleOutcome*> Fired() const;
};

struct PassSummary {
  ScoringRun scoring;
  int healthy = 0;
  int warning = 0;
  int critical = 0;
  std::vector<ClusterDecision> created;  // tasks created, most urgent first
  std::vector<ClusterDecision> cooling;  // rules fired, skipped by cooldown
  std::vector<ClusterDecision> unchanged;  // rules fired, persistent Critical and unchanged
  double sentinel_seconds = 0;
};

struct Explanation {
  TimePoint now{};
  TimePoint snapshot_time{};
  ClusterScore cluster;
  std::vector<RuleOutcome> rules;
  std::optional<int> priority;            // set when any rule fired
  std::optional<CooldownState> cooldown;  // set while a recent task holds the cooldown
  std::optional<ChangeCheck> change;      // set for a Critical cluster with an earlier report
  Duration cooldown_length{};
  double change_rise_warning = 0;   // sentinel.change_rise_warning (the change dimension)
  double change_rise_critical = 0;  // sentinel.change_rise_critical
};

class Sentinel {
 public:
  Sentinel(store::Database& fleet, store::TaskQueue& queue, Clock& clock, SentinelConfig config);

  Result<PassSummary> RunPass();
  // not_found for an unknown cluster; invalid_argument for a malformed id.
  Result<Explanation> Explain(std::string_view cluster_id);

 private:
  // The change check of a Critical cluster; nullopt when the cluster is not Critical or has no
  // done task (never reported: investigate).
  Result<std::optional<ChangeCheck>> CheckChange(const ClusterScore& cluster, TimePoint now);

  store::Database& fleet_;
  store::TaskQueue& queue_;
  Clock& clock_;
  SentinelConfig config_;
};

// The question a sentinel task asks the investigator.
std::string SentinelQuestion(const ClusterScore& cluster, const std::vector<RuleOutcome>& rules);

// The clusters of each account in a scoring run (what the account_wide rule compares).
std::map<std::string, std::vector<const ClusterScore*>> ClustersByAccount(const ScoringRun& run);

// The `rockhound cycle` summary: clusters scored, risk counts, tasks created with their reasons,
// clusters skipped by cooldown or as unchanged, timings.
std::string FormatPassSummary(const PassSummary& summary);
// The `rockhound sentinel explain` text.
std::string FormatExplanation(const Explanation& explanation);
// The same explanation as JSON (`sentinel explain --format json`): score and sub-scores as the
// API's cluster object names them, every rule with its value and threshold, cooldown, decision.
Json ExplanationJson(const Explanation& explanation);
// One line: what the next pass would do with the cluster, and why.
std::string DecisionText(const Explanation& explanation);

}  // namespace rh::sentinel
