// Sentinel rules: which scored clusters need an investigation, and how urgently (DESIGN.md §4).
//
//   rule           fires when                                                   priority
//   new_critical   risk level is Critical                                       1
//   score_cliff    health fell by more than sentinel.score_cliff_points (15)    2
//                  since the previous snapshot (H - 1h)
//   alert_storm    more than sentinel.alert_storm_count (5) Firing messages     2
//                  in the last sentinel.alert_storm_window (1h)
//   tier_warning   customer tier S or A and risk Warning or Critical            3
//                  (sentinel.tier_warning = false turns it off)
//   account_wide   at least sentinel.account_wide_min_clusters (2) clusters of  2
//                  one account, this one included, at Warning or worse share an
//                  alert firing (or flapping) or a symptom (the same non-healthy
//                  dimension, volume signal or missing telemetry)
//   node_lost      any tier: the share of BE/CN nodes alive (starrocks_be_alive_ratio) below     2
//                  sentinel.node_lost_alive_below (99.9 %), or a firing alert whose name
//                  contains one of sentinel.node_lost_alerts, any case (BeAliveAbnormal,
//                  FeAliveAbnormal, Service Suspension, node_down, 节点宕机, ...: an FE has no
//                  alive metric, its alert is the signal)
//   sustained_     any tier: risk Warning and health below sentinel.sustained_warning_below     3
//   warning        (70) at the scored snapshot and at the previous one (H - 1h); 0 turns it off
//   operation_     any tier, any risk: the change dimension is Warning or worse (a watched      2
//   regression     dimension at >= sentinel.change_rise_warning x its level before a SCALE,
//                  UPDATE or UPGRADE of the last sentinel.change_window, by at least
//                  sentinel.change_min_rise_share of its warning threshold)
//
// Every rule is evaluated for every cluster and says why it fired or not, with the value and the
// threshold, so `rockhound sentinel explain` can show it. The cooldown (one task per cluster per
// sentinel.cooldown, across all rules) is applied by the Sentinel when it enqueues, not here.
// Pure functions. Thread-safety: stateless.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/json.h"
#include "sentinel/scorer.h"

namespace rh::sentinel {

enum class RuleId {
  kNewCritical,
  kScoreCliff,
  kAlertStorm,
  kTierWarning,
  kAccountWide,
  kNodeLost,
  kSustainedWarning,
  kOperationRegression,
};

// Every rule, in the order EvaluateRules returns them (the one list: loop over it).
inline constexpr std::array<RuleId, 8> kRuleIds = {
    RuleId::kNewCritical,      RuleId::kScoreCliff, RuleId::kAlertStorm,
    RuleId::kTierWarning,      RuleId::kAccountWide, RuleId::kNodeLost,
    RuleId::kSustainedWarning, RuleId::kOperationRegression};

std::string_view RuleName(RuleId rule);  // "new_critical", "score_cliff", ...
int RulePriority(RuleId rule);           // 1, 2, 2, 3, 2, 2, 3, 2

struct RuleOutcome {
  RuleId rule = RuleId::kNewCritical;
  bool evaluated = true;  // false when the rule could not run (no previous snapshot, disabled)
  bool fired = false;
  int priority = 3;
  std::string reason;  // "health 32.4 < 50 (Critical)"
  std::optional<double> value;
  std::optional<double> threshold;
};

// All eight rules for one cluster, in the order of the table above. `account` holds the scored
// clusters of the cluster's account (it may include the cluster itself, which is skipped).
std::vector<RuleOutcome> EvaluateRules(const ClusterScore& cluster,
                                       const std::vector<const ClusterScore*>& account,
                                       const SentinelConfig& config);

// The best (lowest) priority among fired rules; nullopt when none fired.
std::optional<int> BestPriority(const std::vector<RuleOutcome>& outcomes);

// The fired rules as stored in investigation_tasks.rules_fired:
//   [{"rule":"new_critical","priority":1,"reason":"...","value":32.4,"threshold":50}, ...]
Json RulesFiredJson(const std::vector<RuleOutcome>& outcomes);

}  // namespace rh::sentinel
