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
// Explain scores one cluster exactly as RunPass would (without writing anything) and reports
// each rule, fired or not and why, the cooldown and what a pass would do now.
// Thread-safety: a Sentinel is used by one thread at a time.
#pragma once

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

struct ClusterDecision {
  std::string cluster_id;
  std::string tier;
  HealthBreakdown health;
  std::vector<RuleOutcome> rules;         // all four
  int priority = 3;                       // best priority among fired rules
  std::string task_id;                    // the task created (empty when cooling)
  std::optional<CooldownState> cooldown;  // set when skipped by cooldown

  std::vector<const RuleOutcome*> Fired() const;
};

struct PassSummary {
  ScoringRun scoring;
  int healthy = 0;
  int warning = 0;
  int critical = 0;
  std::vector<ClusterDecision> created;  // tasks created, most urgent first
  std::vector<ClusterDecision> cooling;  // rules fired, skipped by cooldown
  double sentinel_seconds = 0;
};

struct Explanation {
  TimePoint now{};
  TimePoint snapshot_time{};
  ClusterScore cluster;
  std::vector<RuleOutcome> rules;
  std::optional<int> priority;            // set when any rule fired
  std::optional<CooldownState> cooldown;  // set while a recent task holds the cooldown
  Duration cooldown_length{};
};

class Sentinel {
 public:
  Sentinel(store::Database& fleet, store::TaskQueue& queue, Clock& clock, SentinelConfig config);

  Result<PassSummary> RunPass();
  // not_found for an unknown cluster; invalid_argument for a malformed id.
  Result<Explanation> Explain(std::string_view cluster_id);

 private:
  store::Database& fleet_;
  store::TaskQueue& queue_;
  Clock& clock_;
  SentinelConfig config_;
};

// The question a sentinel task asks the investigator.
std::string SentinelQuestion(const ClusterScore& cluster, const std::vector<RuleOutcome>& rules);

// The `rockhound cycle` summary: clusters scored, risk counts, tasks created with their reasons,
// clusters skipped by cooldown, timings.
std::string FormatPassSummary(const PassSummary& summary);
// The `rockhound sentinel explain` text.
std::string FormatExplanation(const Explanation& explanation);

}  // namespace rh::sentinel
