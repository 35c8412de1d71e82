#include "sentinel/sentinel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"

namespace rh::sentinel {
namespace {

std::string Printf(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), format, args...);
  return buf;
}

std::string Fixed(double value, int decimals = 1) { return Printf("%.*f", decimals, value); }

CooldownState CooldownFrom(const store::Task& task, TimePoint now, Duration cooldown) {
  CooldownState state;
  state.task_id = task.id;
  state.created_at = task.created_at;
  state.status = task.status;
  state.source = task.source;
  state.remaining = task.created_at + cooldown - now;
  return state;
}

std::string DescribeCooldown(const CooldownState& cooldown) {
  return FormatDurationShort(std::chrono::duration_cast<std::chrono::minutes>(cooldown.remaining)) +
         " left (task " + cooldown.task_id + " at " + FormatSqlTime(cooldown.created_at) + ", " +
         std::string(store::TaskSourceName(cooldown.source)) + ", " +
         std::string(store::TaskStatusName(cooldown.status)) + ")";
}

std::string FormatValue(const store::MetricSpec& spec, double value) {
  const double magnitude = std::abs(value);
  const int decimals = magnitude >= 100 ? 0 : (magnitude >= 1 ? 1 : 3);
  return Fixed(value, decimals) + " " + std::string(spec.unit);
}

std::string HealthLine(const HealthBreakdown& health) {
  return Fixed(health.health) + " " + std::string(RiskLevelName(health.risk));
}

}  // namespace

std::vector<const RuleOutcome*> ClusterDecision::Fired() const {
  std::vector<const RuleOutcome*> fired;
  for (const RuleOutcome& rule : rules) {
    if (rule.fired) fired.push_back(&rule);
  }
  return fired;
}

Sentinel::Sentinel(store::Database& fleet, store::TaskQueue& queue, Clock& clock,
                   SentinelConfig config)
    : fleet_(fleet), queue_(queue), clock_(clock), config_(config) {}

std::string SentinelQuestion(const ClusterScore& cluster, const std::vector<RuleOutcome>& rules) {
  std::string fired;
  for (const RuleOutcome& rule : rules) {
    if (!rule.fired) continue;
    if (!fired.empty()) fired += ", ";
    fired += std::string(RuleName(rule.rule));
  }
  return "Cluster " + cluster.cluster_id + " is " +
         std::string(RiskLevelName(cluster.health.risk)) + " (health " +
         Fixed(cluster.health.health) + ") and the sentinel flagged it (" + fired +
         "). What is wrong, why, and what should we do?";
}

Result<PassSummary> Sentinel::RunPass() {
  PassSummary summary;
  HealthScorer scorer(fleet_, clock_, config_);
  RH_ASSIGN_OR_RETURN(summary.scoring, scorer.ScoreFleet());
  const Stopwatch rules_elapsed;
  const TimePoint now = summary.scoring.now;
  RH_ASSIGN_OR_RETURN(auto recent, queue_.LatestTaskPerCluster(now - config_.cooldown));
  for (const ClusterScore& cluster : summary.scoring.clusters) {
    switch (cluster.health.risk) {
      case RiskLevel::kHealthy:
        ++summary.healthy;
        break;
      case RiskLevel::kWarning:
        ++summary.warning;
        break;
      case RiskLevel::kCritical:
        ++summary.critical;
        break;
    }
    std::vector<RuleOutcome> rules = EvaluateRules(cluster, config_);
    std::optional<int> priority = BestPriority(rules);
    if (!priority) continue;
    ClusterDecision decision;
    decision.cluster_id = cluster.cluster_id;
    decision.tier = cluster.tier;
    decision.health = cluster.health;
    decision.priority = *priority;
    auto holder = recent.find(cluster.cluster_id);
    if (holder != recent.end()) {
      decision.rules = std::move(rules);
      decision.cooldown = CooldownFrom(holder->second, now, config_.cooldown);
      summary.cooling.push_back(std::move(decision));
      continue;
    }
    store::EnqueueRequest request;
    request.cluster_id = cluster.cluster_id;
    request.source = store::TaskSource::kSentinel;
    request.priority = *priority;
    request.question = SentinelQuestion(cluster, rules);
    request.rules_fired = DumpJson(RulesFiredJson(rules));
    request.requester = "sentinel";
    decision.rules = std::move(rules);
    RH_ASSIGN_OR_RETURN(store::EnqueueResult outcome,
                        queue_.EnqueueUnlessCooling(request, config_.cooldown));
    if (outcome.created) {
      decision.task_id = outcome.task.id;
      summary.created.push_back(std::move(decision));
    } else {
      decision.cooldown = CooldownFrom(outcome.task, now, config_.cooldown);
      summary.cooling.push_back(std::move(decision));
    }
  }
  auto by_urgency = [](const ClusterDecision& a, const ClusterDecision& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.health.health != b.health.health) return a.health.health < b.health.health;
    return a.cluster_id < b.cluster_id;
  };
  std::sort(summary.created.begin(), summary.created.end(), by_urgency);
  std::sort(summary.cooling.begin(), summary.cooling.end(), by_urgency);
  summary.sentinel_seconds = rules_elapsed.ElapsedSeconds();
  Logger("sentinel")
      ->info(
          "sentinel at {}: {} healthy, {} warning, {} critical; {} tasks "
          "created, {} skipped by cooldown",
          FormatSqlTime(summary.scoring.snapshot_time), summary.healthy, summary.warning,
          summary.critical, summary.created.size(), summary.cooling.size());
  return summary;
}

Result<Explanation> Sentinel::Explain(std::string_view cluster_id) {
  if (!IsValidResourceId(cluster_id)) {
    return InvalidArgument("cluster '" + std::string(cluster_id) + "'",
                           "not a valid cluster id: lower-case letters, digits and '-'");
  }
  HealthScorer scorer(fleet_, clock_, config_);
  RH_ASSIGN_OR_RETURN(ScoringRun run, scorer.ScoreCluster(cluster_id));
  if (run.clusters.empty()) {
    return InvalidArgument("cluster " + std::string(cluster_id),
                           "the cluster is stopped; the sentinel does not score stopped clusters "
                           "(they report no telemetry by design)");
  }
  Explanation explanation;
  explanation.now = run.now;
  explanation.snapshot_time = run.snapshot_time;
  explanation.cluster = std::move(run.clusters.front());
  explanation.rules = EvaluateRules(explanation.cluster, config_);
  explanation.priority = BestPriority(explanation.rules);
  explanation.cooldown_length = config_.cooldown;
  RH_ASSIGN_OR_RETURN(auto recent, queue_.LatestTaskPerCluster(run.now - config_.cooldown));
  auto holder = recent.find(explanation.cluster.cluster_id);
  if (holder != recent.end()) {
    explanation.cooldown = CooldownFrom(holder->second, run.now, config_.cooldown);
  }
  return explanation;
}

std::string FormatPassSummary(const PassSummary& summary) {
  const ScoringRun& scoring = summary.scoring;
  std::string out;
  out += "snapshot hour       " + FormatSqlTime(scoring.snapshot_time) + " UTC (now " +
         FormatSqlTime(scoring.now) + " UTC)\n";
  out += Printf("clusters scored     %zu", scoring.clusters.size());
  std::vector<std::string> notes;
  if (scoring.skipped_stopped > 0) {
    notes.push_back(std::to_string(scoring.skipped_stopped) + " stopped, not scored");
  }
  if (scoring.missing_telemetry > 0) {
    notes.push_back(std::to_string(scoring.missing_telemetry) +
                    " without telemetry at the snapshot hour");
  }
  for (size_t note_idx = 0; note_idx < notes.size(); ++note_idx) {
    out += (note_idx == 0 ? "  (" : "; ") + notes[note_idx];
  }
  out += notes.empty() ? "\n" : ")\n";
  out += Printf("risk                Healthy %d   Warning %d   Critical %d\n", summary.healthy,
                summary.warning, summary.critical);
  out += Printf("tasks created       %zu\n", summary.created.size());
  for (const ClusterDecision& decision : summary.created) {
    out += Printf("  P%d  %-20s %-15s tier %-2s task %s\n", decision.priority,
                  decision.cluster_id.c_str(), HealthLine(decision.health).c_str(),
                  decision.tier.empty() ? "?" : decision.tier.c_str(), decision.task_id.c_str());
    for (const RuleOutcome* rule : decision.Fired()) {
      out += Printf("        %-13s %s\n", std::string(RuleName(rule->rule)).c_str(),
                    rule->reason.c_str());
    }
  }
  out += Printf("skipped by cooldown %zu\n", summary.cooling.size());
  for (const ClusterDecision& decision : summary.cooling) {
    std::string fired;
    for (const RuleOutcome* rule : decision.Fired()) {
      if (!fired.empty()) fired += ", ";
      fired += std::string(RuleName(rule->rule));
    }
    out += Printf("  P%d  %-20s %-15s %s; cooldown %s\n", decision.priority,
                  decision.cluster_id.c_str(), HealthLine(decision.health).c_str(), fired.c_str(),
                  DescribeCooldown(*decision.cooldown).c_str());
  }
  out += Printf(
      "time                score %.2fs (read %.2fs, compute %.2fs, write %.2fs), "
      "rules + queue %.2fs\n",
      scoring.read_seconds + scoring.compute_seconds + scoring.write_seconds, scoring.read_seconds,
      scoring.compute_seconds, scoring.write_seconds, summary.sentinel_seconds);
  return out;
}

std::string FormatExplanation(const Explanation& explanation) {
  const ClusterScore& cluster = explanation.cluster;
  const HealthBreakdown& health = cluster.health;
  std::string out;
  out += "cluster    " + cluster.cluster_id + "  account " +
         (cluster.account_id.empty() ? "?" : cluster.account_id) + "  tier " +
         (cluster.tier.empty() ? "? (scored as B)" : cluster.tier) + "  status " + cluster.status +
         "\n";
  out += "snapshot   " + FormatSqlTime(explanation.snapshot_time) + " UTC (now " +
         FormatSqlTime(explanation.now) + " UTC)\n";
  out += "health     " + HealthLine(health) + " = 0.60 x metrics " + Fixed(health.metric) +
         " + 0.25 x alerts " + Fixed(health.alert) + " + 0.15 x tier " + Fixed(health.tier) + "\n";
  if (cluster.previous) {
    out += "previous   " + HealthLine(*cluster.previous) + " at " +
           FormatSqlTime(explanation.snapshot_time - std::chrono::hours(1)) + "\n";
  } else {
    out += "previous   none (no telemetry for the fleet an hour earlier)\n";
  }
  if (cluster.baseline_metric) {
    out += "baseline   metrics " + Fixed(*cluster.baseline_metric) + " 7 days earlier (trend " +
           Printf("%+.1f", *cluster.trend) + ")\n";
  } else {
    out += "baseline   none (no telemetry 7 days earlier)\n";
  }
  if (!cluster.has_telemetry) {
    out += "telemetry  MISSING at the snapshot hour (metric component 0); last snapshot " +
           (cluster.last_snapshot ? FormatSqlTime(*cluster.last_snapshot) : std::string("never")) +
           "\n";
  }
  auto worst = cluster.WorstDimensions(cluster.dimensions.size());
  if (cluster.has_telemetry) {
    if (worst.empty()) {
      out += "metrics    every reported dimension is healthy\n";
    } else {
      out += "metrics    not healthy, worst first:\n";
      for (const DimensionScore* dimension : worst) {
        const store::MetricSpec& spec = *dimension->spec;
        std::string thresholds =
            spec.kind == store::ThresholdKind::kBaselineRatio
                ? "warning x" + Fixed(spec.warning, 0) + ", critical x" + Fixed(spec.critical, 0) +
                      " of baseline " +
                      (dimension->baseline ? FormatValue(spec, *dimension->baseline)
                                           : std::string("?"))
                : std::string(spec.kind == store::ThresholdKind::kLowerIsWorse ? "below " : "") +
                      "warning " + FormatValue(spec, spec.warning) + ", critical " +
                      FormatValue(spec, spec.critical);
        out +=
            Printf("  %-12s %-16s %-8s score %5.1f  (%s)\n", std::string(spec.short_name).c_str(),
                   FormatValue(spec, *dimension->value).c_str(),
                   std::string(store::HealthStateName(dimension->state)).c_str(), dimension->score,
                   thresholds.c_str());
      }
    }
    int missing = 0;
    for (const DimensionScore& dimension : cluster.dimensions) {
      if (!dimension.value) ++missing;
    }
    if (missing > 0) {
      out += "           " + std::to_string(missing) + " dimension(s) not reported this hour\n";
    }
  }
  out += "alerts     " + std::to_string(cluster.alerts.firing_messages) +
         " Firing message(s) in the alert window; firing now: ";
  if (cluster.firing_now.empty()) out += "none";
  for (size_t alert_idx = 0; alert_idx < cluster.firing_now.size(); ++alert_idx) {
    const FiringAlert& alert = cluster.firing_now[alert_idx];
    out += (alert_idx ? ", " : "") + alert.name + " (" +
           (alert.severity.empty() ? std::string("no severity") : alert.severity) + ", since " +
           FormatSqlTime(alert.since) + ")";
  }
  out += "\nrules\n";
  for (const RuleOutcome& rule : explanation.rules) {
    const char* mark = rule.fired ? "FIRED" : (rule.evaluated ? "no" : "n/a");
    out += Printf("  %-5s  %-13s P%d  %s\n", mark, std::string(RuleName(rule.rule)).c_str(),
                  rule.priority, rule.reason.c_str());
  }
  out += "cooldown   ";
  if (explanation.cooldown) {
    out += DescribeCooldown(*explanation.cooldown) + "\n";
  } else {
    out += "none (no task for this cluster in the last " +
           FormatDurationShort(explanation.cooldown_length) + ")\n";
  }
  out += "decision   ";
  if (!explanation.priority) {
    out += "no rule fired: the sentinel would not queue an investigation\n";
  } else if (explanation.cooldown) {
    out += "rules fired (priority " + std::to_string(*explanation.priority) +
           ") but the cooldown holds: no new task before " +
           FormatSqlTime(explanation.cooldown->created_at + explanation.cooldown_length) + " UTC\n";
  } else {
    out += "the next pass queues an investigation with priority " +
           std::to_string(*explanation.priority) + "\n";
  }
  return out;
}

}  // namespace rh::sentinel
