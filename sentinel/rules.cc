#include "sentinel/rules.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "core/time_format.h"

namespace rh::sentinel {
namespace {

// Up to two decimals, trailing zeros dropped: 32.4, 50, 15.25.
std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", value);
  std::string text = buf;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

// A rule's outcome before it is evaluated: its id and priority, not fired.
RuleOutcome Unfired(RuleId rule) {
  RuleOutcome outcome;
  outcome.rule = rule;
  outcome.priority = RulePriority(rule);
  return outcome;
}

RuleOutcome NewCritical(const ClusterScore& cluster) {
  RuleOutcome outcome = Unfired(RuleId::kNewCritical);
  outcome.value = cluster.health.health;
  outcome.threshold = kCriticalBelow;
  outcome.fired = cluster.health.risk == RiskLevel::kCritical;
  outcome.reason = "health " + Number(cluster.health.health) + (outcome.fired ? " < " : " >= ") +
                   Number(kCriticalBelow) + " (" + std::string(RiskLevelName(cluster.health.risk)) +
                   ")";
  if (!cluster.has_telemetry) outcome.reason += "; no telemetry at the snapshot hour";
  return outcome;
}

RuleOutcome ScoreCliff(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kScoreCliff);
  outcome.threshold = config.score_cliff_points;
  if (!cluster.previous) {
    outcome.evaluated = false;
    outcome.reason = "no previous snapshot to compare with";
    return outcome;
  }
  // Both scores carry two decimals; round the difference so 15.000000001 is 15.
  const double drop = std::round((cluster.previous->health - cluster.health.health) * 100) / 100;
  outcome.value = drop;
  outcome.fired = drop > config.score_cliff_points;
  outcome.reason = (drop >= 0 ? "health fell " + Number(drop) : "health rose " + Number(-drop)) +
                   " points (" + Number(cluster.previous->health) + " -> " +
                   Number(cluster.health.health) + ") since the previous snapshot; fires above " +
                   Number(config.score_cliff_points);
  return outcome;
}

RuleOutcome AlertStorm(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kAlertStorm);
  outcome.value = cluster.storm_firing_messages;
  outcome.threshold = config.alert_storm_count;
  outcome.fired = cluster.storm_firing_messages > config.alert_storm_count;
  outcome.reason = std::to_string(cluster.storm_firing_messages) + " Firing alert message" +
                   (cluster.storm_firing_messages == 1 ? "" : "s") + " in the last " +
                   FormatDurationShort(config.alert_storm_window) + "; fires above " +
                   std::to_string(config.alert_storm_count);
  return outcome;
}

RuleOutcome TierWarning(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kTierWarning);
  outcome.value = cluster.health.health;
  outcome.threshold = kHealthyAtLeast;
  const std::string tier = cluster.tier.empty() ? "unknown" : cluster.tier;
  if (!config.tier_warning) {
    outcome.evaluated = false;
    outcome.reason = "disabled (sentinel.tier_warning = false)";
    return outcome;
  }
  const bool important = cluster.tier == "S" || cluster.tier == "A";
  const bool at_risk = cluster.health.risk != RiskLevel::kHealthy;
  outcome.fired = important && at_risk;
  outcome.reason = "tier " + tier + (important ? "" : " (rule covers S and A)") + ", risk " +
                   std::string(RiskLevelName(cluster.health.risk)) + " (health " +
                   Number(cluster.health.health) + (at_risk ? " < " : " >= ") +
                   Number(kHealthyAtLeast) + ")";
  return outcome;
}

RuleOutcome AccountWide(const ClusterScore& cluster,
                        const std::vector<const ClusterScore*>& account,
                        const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kAccountWide);
  outcome.threshold = config.account_wide_min_clusters;
  if (cluster.account_id.empty()) {
    outcome.evaluated = false;
    outcome.reason = "the cluster has no account";
    return outcome;
  }
  const std::vector<std::string> symptoms = cluster.Symptoms();
  std::vector<std::string> siblings;    // at Warning or worse and sharing something
  std::vector<std::string> shared_all;  // what they share, sorted, unique
  int at_risk_siblings = 0;
  int others = 0;
  for (const ClusterScore* other : account) {
    if (other->cluster_id == cluster.cluster_id || other->account_id != cluster.account_id) {
      continue;
    }
    ++others;
    if (other->health.risk == RiskLevel::kHealthy) continue;
    ++at_risk_siblings;
    const std::vector<std::string> theirs = other->Symptoms();
    std::vector<std::string> shared;
    std::set_intersection(symptoms.begin(), symptoms.end(), theirs.begin(), theirs.end(),
                          std::back_inserter(shared));
    if (shared.empty()) continue;
    siblings.push_back(other->cluster_id);
    shared_all.insert(shared_all.end(), shared.begin(), shared.end());
  }
  std::sort(shared_all.begin(), shared_all.end());
  shared_all.erase(std::unique(shared_all.begin(), shared_all.end()), shared_all.end());
  const bool at_risk = cluster.health.risk != RiskLevel::kHealthy;
  const int clusters = (at_risk ? 1 : 0) + static_cast<int>(siblings.size());
  outcome.value = clusters;
  outcome.fired = at_risk && clusters >= config.account_wide_min_clusters;
  const std::string account_name = "account " + cluster.account_id;
  if (!at_risk) {
    outcome.reason = "this cluster is Healthy; the rule needs it at Warning or worse";
    return outcome;
  }
  if (siblings.empty()) {
    outcome.reason = "no other cluster of " + account_name + " at Warning or worse shares an " +
                     "alert or symptom (" + std::to_string(at_risk_siblings) + " at risk of " +
                     std::to_string(others) + " other cluster" + (others == 1 ? ")" : "s)");
    return outcome;
  }
  std::string shared_text;
  for (size_t idx = 0; idx < shared_all.size() && idx < 4; ++idx) {
    shared_text += (idx ? ", " : "") + shared_all[idx];
  }
  if (shared_all.size() > 4) shared_text += ", ...";
  std::string sibling_text;
  for (size_t idx = 0; idx < siblings.size() && idx < 4; ++idx) {
    sibling_text += (idx ? ", " : "") + siblings[idx];
  }
  if (siblings.size() > 4) sibling_text += ", ...";
  outcome.reason = std::to_string(clusters) + " clusters of " + account_name +
                   " at Warning or worse share " + shared_text + " (with " + sibling_text +
                   "); fires at " + std::to_string(config.account_wide_min_clusters);
  return outcome;
}

RuleOutcome NodeLost(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kNodeLost);
  outcome.threshold = config.node_lost_alive_below;
  std::optional<double> alive;
  for (const DimensionScore& dimension : cluster.dimensions) {
    if (dimension.spec && dimension.spec->name == "starrocks_be_alive_ratio") {
      alive = dimension.value;
    }
  }
  outcome.value = alive;
  const bool below = alive && *alive < config.node_lost_alive_below;
  const std::vector<std::string> names = SplitAlertNames(config.node_lost_alerts);
  std::string alert;
  for (const FiringAlert& firing : cluster.firing_now) {
    std::string lower = firing.name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool lost = std::any_of(names.begin(), names.end(), [&](const std::string& name) {
      return lower.find(name) != std::string::npos;
    });
    if (lost) {
      alert = firing.name;
      break;
    }
  }
  outcome.fired = below || !alert.empty();
  outcome.reason = alive ? "BE/CN alive " + Number(*alive) + "%" + (below ? " < " : " >= ") +
                               Number(config.node_lost_alive_below) + "%"
                         : "BE/CN alive share not reported";
  outcome.reason += alert.empty() ? "; no node-loss alert firing" : "; " + alert + " firing";
  return outcome;
}

RuleOutcome SustainedWarning(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kSustainedWarning);
  outcome.value = cluster.health.health;
  outcome.threshold = config.sustained_warning_below;
  if (config.sustained_warning_below <= 0) {
    outcome.evaluated = false;
    outcome.reason = "disabled (sentinel.sustained_warning_below = 0)";
    return outcome;
  }
  if (!cluster.previous) {
    outcome.evaluated = false;
    outcome.reason = "no previous snapshot to compare with";
    return outcome;
  }
  const double limit = config.sustained_warning_below;
  const bool warning = cluster.health.risk == RiskLevel::kWarning;
  const bool now_below = cluster.health.health < limit;
  const bool before_below = cluster.previous->health < limit;
  outcome.fired = warning && now_below && before_below;
  outcome.reason = "risk " + std::string(RiskLevelName(cluster.health.risk)) + ", health " +
                   Number(cluster.health.health) + (now_below ? " < " : " >= ") + Number(limit) +
                   " now and " + Number(cluster.previous->health) +
                   (before_below ? " < " : " >= ") + Number(limit) + " at H - 1h" +
                   (warning ? "" : " (rule covers Warning)");
  return outcome;
}

RuleOutcome OperationRegression(const ClusterScore& cluster, const SentinelConfig& config) {
  RuleOutcome outcome = Unfired(RuleId::kOperationRegression);
  outcome.threshold = config.change_rise_warning;
  if (!cluster.operation) {
    outcome.evaluated = false;
    outcome.reason = "no " + config.change_operations + " operation in the last " +
                     FormatDurationShort(config.change_window);
    return outcome;
  }
  const RecentOperation& operation = *cluster.operation;
  const std::string since = operation.type + " (" + operation.result + ") at " +
                            FormatSqlTime(operation.started_at);
  const ChangeScore* worst = cluster.change.worst();
  if (!worst) {
    outcome.evaluated = false;
    outcome.reason = "no dimension can be compared with its level before the " + since;
    return outcome;
  }
  outcome.value = worst->ratio;
  outcome.fired = worst->state != store::HealthState::kHealthy;
  const std::string unit(worst->spec->unit);
  outcome.reason = std::string(worst->spec->short_name) + " " + Number(*worst->value) + " " +
                   unit + " = x" + Number(worst->ratio) + " its level before the " + since +
                   " (" + Number(*worst->baseline) + " " + unit + ")" +
                   (outcome.fired ? " >= x" : "; fires at x") + Number(config.change_rise_warning) +
                   " with a rise of at least " + Number(worst->min_rise) + " " + unit;
  return outcome;
}

}  // namespace

std::string_view RuleName(RuleId rule) {
  switch (rule) {
    case RuleId::kNewCritical:
      return "new_critical";
    case RuleId::kScoreCliff:
      return "score_cliff";
    case RuleId::kAlertStorm:
      return "alert_storm";
    case RuleId::kTierWarning:
      return "tier_warning";
    case RuleId::kAccountWide:
      return "account_wide";
    case RuleId::kNodeLost:
      return "node_lost";
    case RuleId::kSustainedWarning:
      return "sustained_warning";
    case RuleId::kOperationRegression:
      return "operation_regression";
  }
  return "new_critical";
}

int RulePriority(RuleId rule) {
  switch (rule) {
    case RuleId::kNewCritical:
      return 1;
    case RuleId::kScoreCliff:
      return 2;
    case RuleId::kAlertStorm:
      return 2;
    case RuleId::kTierWarning:
      return 3;
    case RuleId::kAccountWide:
      return 2;
    case RuleId::kNodeLost:
      return 2;
    case RuleId::kSustainedWarning:
      return 3;
    case RuleId::kOperationRegression:
      return 2;
  }
  return 3;
}

std::vector<RuleOutcome> EvaluateRules(const ClusterScore& cluster,
                                       const std::vector<const ClusterScore*>& account,
                                       const SentinelConfig& config) {
  return {NewCritical(cluster), ScoreCliff(cluster, config), AlertStorm(cluster, config),
          TierWarning(cluster, config), AccountWide(cluster, account, config),
          NodeLost(cluster, config),    SustainedWarning(cluster, config),
          OperationRegression(cluster, config)};
}

std::optional<int> BestPriority(const std::vector<RuleOutcome>& outcomes) {
  std::optional<int> best;
  for (const RuleOutcome& outcome : outcomes) {
    if (outcome.fired && (!best || outcome.priority < *best)) best = outcome.priority;
  }
  return best;
}

Json RulesFiredJson(const std::vector<RuleOutcome>& outcomes) {
  Json fired = Json::array();
  for (const RuleOutcome& outcome : outcomes) {
    if (!outcome.fired) continue;
    Json item = {{"rule", std::string(RuleName(outcome.rule))},
                 {"priority", outcome.priority},
                 {"reason", outcome.reason}};
    item["value"] = outcome.value ? Json(std::round(*outcome.value * 100) / 100) : Json(nullptr);
    item["threshold"] = outcome.threshold ? Json(*outcome.threshold) : Json(nullptr);
    fired.push_back(std::move(item));
  }
  return fired;
}

}  // namespace rh::sentinel
