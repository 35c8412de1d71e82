#include "sentinel/sentinel.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "alerts/cluster_alerts.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
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

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string JoinFirst(const std::vector<std::string>& items, size_t limit) {
  std::string out;
  for (size_t idx = 0; idx < items.size() && idx < limit; ++idx) {
    out += (idx ? ", " : "") + items[idx];
  }
  if (items.size() > limit) out += ", ...";
  return out;
}

const std::vector<const ClusterScore*>& AccountOf(
    const std::map<std::string, std::vector<const ClusterScore*>>& accounts,
    const ClusterScore& cluster) {
  static const std::vector<const ClusterScore*> kNone;
  auto found = accounts.find(cluster.account_id);
  return found == accounts.end() ? kNone : found->second;
}

}  // namespace

bool ChangeCheck::Unchanged() const {
  return snapshot_then && risk_then == RiskLevel::kCritical && !worse && !stale &&
         new_alerts.empty() && new_operations.empty();
}

std::string ChangeCheck::Describe() const {
  std::string out = "last report " + (report_id.empty() ? std::string("?") : report_id) +
                    " (task " + task_id + " at " + FormatSqlTime(reported_at) + "): ";
  if (!snapshot_then) return out + "no score recorded for it, so it cannot be compared";
  const std::string critical(RiskLevelName(RiskLevel::kCritical));
  if (risk_then != RiskLevel::kCritical) {
    return out + "health then " + Fixed(*health_then) + " " +
           std::string(RiskLevelName(risk_then)) + ", " + critical + " now (a new episode)";
  }
  std::vector<std::string> changes;
  if (worse) changes.push_back("health " + Fixed(*health_then) + " -> " + Fixed(health_now));
  if (!new_alerts.empty()) changes.push_back("new alert " + JoinFirst(new_alerts, 3));
  if (!new_operations.empty()) {
    changes.push_back("operation since: " + JoinFirst(new_operations, 2));
  }
  if (stale) changes.push_back("report older than the recheck period");
  if (changes.empty()) {
    return out + critical + " then and now (health " + Fixed(*health_then) + " -> " +
           Fixed(health_now) +
           ", not worse by the threshold), no new alert, no operation "
           "since: unchanged";
  }
  return out + "changed: " + JoinFirst(changes, 4);
}

std::map<std::string, std::vector<const ClusterScore*>> ClustersByAccount(const ScoringRun& run) {
  std::map<std::string, std::vector<const ClusterScore*>> accounts;
  for (const ClusterScore& cluster : run.clusters) {
    if (!cluster.account_id.empty()) accounts[cluster.account_id].push_back(&cluster);
  }
  return accounts;
}

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
  // Scored first and recorded only after the change checks, which compare with the scores
  // recorded when the last report was made (a pass at the same snapshot hour rewrites them).
  RH_ASSIGN_OR_RETURN(summary.scoring, scorer.Evaluate());
  const Stopwatch rules_elapsed;
  const TimePoint now = summary.scoring.now;
  RH_ASSIGN_OR_RETURN(auto recent, queue_.LatestTaskPerCluster(now - config_.cooldown));
  const auto accounts = ClustersByAccount(summary.scoring);
  std::vector<std::pair<const ClusterScore*, ClusterDecision>> to_enqueue;
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
    std::vector<RuleOutcome> rules = EvaluateRules(cluster, AccountOf(accounts, cluster), config_);
    std::optional<int> priority = BestPriority(rules);
    if (!priority) continue;
    ClusterDecision decision;
    decision.cluster_id = cluster.cluster_id;
    decision.tier = cluster.tier;
    decision.health = cluster.health;
    decision.priority = *priority;
    decision.rules = std::move(rules);
    auto holder = recent.find(cluster.cluster_id);
    if (holder != recent.end()) {
      decision.cooldown = CooldownFrom(holder->second, now, config_.cooldown);
      summary.cooling.push_back(std::move(decision));
      continue;
    }
    RH_ASSIGN_OR_RETURN(decision.change, CheckChange(cluster, now));
    if (decision.change && decision.change->Unchanged()) {
      summary.unchanged.push_back(std::move(decision));
      continue;
    }
    to_enqueue.emplace_back(&cluster, std::move(decision));
  }
  const double decide_seconds = rules_elapsed.ElapsedSeconds();
  RH_RETURN_IF_ERROR(scorer.Record(summary.scoring));
  const Stopwatch enqueue_elapsed;
  for (auto& [cluster, decision] : to_enqueue) {
    store::EnqueueRequest request;
    request.cluster_id = cluster->cluster_id;
    request.source = store::TaskSource::kSentinel;
    request.priority = decision.priority;
    request.question = SentinelQuestion(*cluster, decision.rules);
    request.rules_fired = DumpJson(RulesFiredJson(decision.rules));
    request.requester = "sentinel";
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
  std::sort(summary.unchanged.begin(), summary.unchanged.end(), by_urgency);
  summary.sentinel_seconds = decide_seconds + enqueue_elapsed.ElapsedSeconds();
  Logger("sentinel")
      ->info(
          "sentinel at {}: {} healthy, {} warning, {} critical; {} tasks "
          "created, {} skipped by cooldown, {} skipped as unchanged",
          FormatSqlTime(summary.scoring.snapshot_time), summary.healthy, summary.warning,
          summary.critical, summary.created.size(), summary.cooling.size(),
          summary.unchanged.size());
  return summary;
}

Result<Explanation> Sentinel::Explain(std::string_view cluster_id) {
  if (!IsValidResourceId(cluster_id)) {
    return InvalidArgument("cluster '" + std::string(cluster_id) + "'",
                           "not a valid cluster id: lower-case letters, digits and '-'");
  }
  HealthScorer scorer(fleet_, clock_, config_);
  RH_ASSIGN_OR_RETURN(ScoringRun run, scorer.ScoreCluster(cluster_id));
  auto target = std::find_if(run.clusters.begin(), run.clusters.end(),
                             [&](const ClusterScore& c) { return c.cluster_id == cluster_id; });
  if (target == run.clusters.end()) {
    return InvalidArgument("cluster " + std::string(cluster_id),
                           "the cluster is stopped; the sentinel does not score stopped clusters "
                           "(they report no telemetry by design)");
  }
  Explanation explanation;
  explanation.now = run.now;
  explanation.snapshot_time = run.snapshot_time;
  explanation.cluster = *target;
  const auto accounts = ClustersByAccount(run);
  explanation.rules = EvaluateRules(explanation.cluster, AccountOf(accounts, *target), config_);
  explanation.priority = BestPriority(explanation.rules);
  RH_ASSIGN_OR_RETURN(explanation.change, CheckChange(explanation.cluster, run.now));
  explanation.cooldown_length = config_.cooldown;
  explanation.change_rise_warning = config_.change_rise_warning;
  explanation.change_rise_critical = config_.change_rise_critical;
  RH_ASSIGN_OR_RETURN(auto recent, queue_.LatestTaskPerCluster(run.now - config_.cooldown));
  auto holder = recent.find(explanation.cluster.cluster_id);
  if (holder != recent.end()) {
    explanation.cooldown = CooldownFrom(holder->second, run.now, config_.cooldown);
  }
  return explanation;
}

Result<std::optional<ChangeCheck>> Sentinel::CheckChange(const ClusterScore& cluster,
                                                         TimePoint now) {
  if (cluster.health.risk != RiskLevel::kCritical) return std::optional<ChangeCheck>();
  store::TaskFilter filter;
  filter.status = store::TaskStatus::kDone;
  filter.cluster_id = cluster.cluster_id;
  filter.limit = 1;
  RH_ASSIGN_OR_RETURN(std::vector<store::Task> done, queue_.List(filter));
  if (done.empty()) return std::optional<ChangeCheck>();
  ChangeCheck check;
  check.task_id = done.front().id;
  check.report_id = done.front().report_id;
  check.reported_at = done.front().created_at;
  check.health_now = cluster.health.health;
  check.recheck_at = check.reported_at + config_.unchanged_recheck;
  check.stale = now >= check.recheck_at;

  // The state the report investigated: the latest score at or before the task's creation.
  RH_ASSIGN_OR_RETURN(
      store::QueryResult then,
      fleet_.Query("SELECT snapshot_time, health_score, risk_level FROM cluster_health_scores "
                   "WHERE cluster_id = ? AND snapshot_time <= ? ORDER BY snapshot_time DESC "
                   "LIMIT 1",
                   {store::Text(cluster.cluster_id), store::Time(check.reported_at)}));
  if (!then.empty()) {
    store::Row row = then.front();
    check.snapshot_then = row.GetTime(size_t{0});
    check.health_then = row.GetDouble(size_t{1});
    auto risk_then = ParseRiskLevel(row.GetString(size_t{2}));
    if (risk_then) check.risk_then = *risk_then;
    check.worse = *check.health_then - cluster.health.health >= config_.reinvestigate_worse_points;
  }
  // The alerts known then, from the messages themselves: firing at the task's creation, or
  // fired in the flap window before it (a flapping alert resolved at that moment is known).
  rh::alerts::ClusterAlertQuery known_query;
  known_query.cluster_ids = {cluster.cluster_id};
  known_query.from = check.reported_at - std::max(config_.alert_window, config_.flap_window);
  known_query.to = check.reported_at;
  known_query.to_inclusive = false;
  RH_ASSIGN_OR_RETURN(std::vector<rh::alerts::StoredAlert> messages,
                      rh::alerts::ReadClusterAlerts(fleet_, known_query));
  std::map<std::string, bool> latest_firing;   // lower-case name -> latest message Firing
  std::map<std::string, bool> fired_recently;  // ... a Firing message in the flap window
  for (const rh::alerts::StoredAlert& message : messages) {
    const std::string name = Lower(message.alert.alert_name);
    const bool firing = message.alert.status == rh::alerts::kFiring;
    const TimePoint time = *message.alert.alert_time;
    if (time >= check.reported_at - config_.alert_window) latest_firing[name] = firing;
    if (firing && time >= check.reported_at - config_.flap_window) fired_recently[name] = true;
  }
  std::map<std::string, bool> firing_then;  // lower-case name -> known then
  for (const auto& [name, firing] : latest_firing) firing_then[name] = firing;
  for (const auto& [name, fired] : fired_recently) firing_then[name] = firing_then[name] || fired;
  std::vector<std::string> alerts_now;
  for (const FiringAlert& alert : cluster.firing_now) alerts_now.push_back(alert.name);
  for (const FlappingAlert& alert : cluster.flapping) alerts_now.push_back(alert.name);
  for (const std::string& alert : alerts_now) {
    auto known = firing_then.find(Lower(alert));
    if ((known == firing_then.end() || !known->second) &&
        std::find(check.new_alerts.begin(), check.new_alerts.end(), alert) ==
            check.new_alerts.end()) {
      check.new_alerts.push_back(alert);
    }
  }
  RH_ASSIGN_OR_RETURN(
      store::QueryResult operations,
      fleet_.Query(
          "SELECT operation_type, started_at FROM cluster_operations WHERE cluster_id = "
          "? AND started_at > ? AND started_at <= ? ORDER BY started_at",
          {store::Text(cluster.cluster_id), store::Time(check.reported_at), store::Time(now)}));
  for (store::Row row : operations) {
    auto started = row.GetTime(size_t{1});
    check.new_operations.push_back(row.GetString(size_t{0}) + " at " +
                                   (started ? FormatSqlTime(*started) : std::string("?")));
  }
  return std::optional<ChangeCheck>(std::move(check));
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
  out += "risk               ";
  for (RiskLevel level : kAllRiskLevels) {  // worst first
    const int count = level == RiskLevel::kHealthy   ? summary.healthy
                      : level == RiskLevel::kWarning ? summary.warning
                                                     : summary.critical;
    out += (level == kAllRiskLevels.front() ? " " : "   ") + std::string(RiskLevelName(level)) +
           " " + std::to_string(count);
  }
  out += "\n";
  out += Printf("tasks created       %zu\n", summary.created.size());
  for (const ClusterDecision& decision : summary.created) {
    out += Printf("  P%d  %-20s %-15s tier %-2s task %s\n", decision.priority,
                  decision.cluster_id.c_str(), HealthLine(decision.health).c_str(),
                  decision.tier.empty() ? "?" : decision.tier.c_str(), decision.task_id.c_str());
    for (const RuleOutcome* rule : decision.Fired()) {
      out += Printf("        %-17s %s\n", std::string(RuleName(rule->rule)).c_str(),
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
  out += Printf("skipped, unchanged  %zu\n", summary.unchanged.size());
  for (const ClusterDecision& decision : summary.unchanged) {
    out += Printf("  P%d  %-20s %-15s %s\n", decision.priority, decision.cluster_id.c_str(),
                  HealthLine(decision.health).c_str(), decision.change->Describe().c_str());
  }
  out += Printf(
      "time                score %.2fs (read %.2fs, compute %.2fs, write %.2fs), "
      "rules + queue %.2fs\n",
      scoring.read_seconds + scoring.compute_seconds + scoring.write_seconds, scoring.read_seconds,
      scoring.compute_seconds, scoring.write_seconds, summary.sentinel_seconds);
  return out;
}

std::string DecisionText(const Explanation& explanation) {
  if (!explanation.priority) {
    return "no rule fired: the sentinel would not queue an investigation";
  }
  if (!explanation.cooldown && explanation.change && explanation.change->Unchanged()) {
    return "rules fired (priority " + std::to_string(*explanation.priority) +
           ") but the cluster is persistently " +
           std::string(RiskLevelName(RiskLevel::kCritical)) +
           " and unchanged since its last report: skipped until it changes, or until " +
           FormatSqlTime(explanation.change->recheck_at) + " UTC";
  }
  if (explanation.cooldown) {
    return "rules fired (priority " + std::to_string(*explanation.priority) +
           ") but the cooldown holds: no new task before " +
           FormatSqlTime(explanation.cooldown->created_at + explanation.cooldown_length) + " UTC";
  }
  return "the next pass queues an investigation with priority " +
         std::to_string(*explanation.priority);
}

Json ExplanationJson(const Explanation& explanation) {
  const ClusterScore& cluster = explanation.cluster;
  auto health_json = [](const HealthBreakdown& health) {
    return Json{{"health", std::round(health.health * 100) / 100},
                {"risk", std::string(RiskLevelName(health.risk))},
                {"metric", std::round(health.metric * 100) / 100},
                {"alert", std::round(health.alert * 100) / 100},
                {"tier", std::round(health.tier * 100) / 100}};
  };
  Json out = {{"cluster_id", cluster.cluster_id},
              {"account_id", cluster.account_id},
              {"tier", cluster.tier},
              {"status", cluster.status},
              {"now", FormatIsoTime(explanation.now)},
              {"snapshot_time", FormatIsoTime(explanation.snapshot_time)},
              {"has_telemetry", cluster.has_telemetry},
              {"score", health_json(cluster.health)},
              {"dimension_scores", DimensionScoresJson(cluster)},
              {"top_risks", TopRisksJson(cluster)}};
  out["previous"] = cluster.previous ? health_json(*cluster.previous) : Json(nullptr);
  out["trend"] = cluster.trend ? Json(std::round(*cluster.trend * 100) / 100) : Json(nullptr);
  // The change dimension: the operation it follows and each watched dimension against its level
  // before it (null when no operation of sentinel.change_operations is recent).
  if (cluster.operation) {
    Json signals = Json::array();
    for (const ChangeScore& signal : cluster.change.signals) {
      Json item = {{"metric", std::string(signal.spec->name)}, {"judged", signal.judged}};
      if (!signal.judged) {
        item["not_judged"] = signal.not_judged;
      } else {
        item["value"] = std::round(*signal.value * 100) / 100;
        item["baseline"] = std::round(*signal.baseline * 100) / 100;
        item["baseline_samples"] = signal.baseline_samples;
        item["ratio"] = std::round(signal.ratio * 100) / 100;
        item["min_rise"] = std::round(signal.min_rise * 100) / 100;
        item["state"] = std::string(store::HealthStateName(signal.state));
        item["score"] = std::round(signal.score * 100) / 100;
      }
      signals.push_back(std::move(item));
    }
    out["operation_regression"] = {{"operation", cluster.operation->type},
                     {"result", cluster.operation->result},
                     {"started_at", FormatIsoTime(cluster.operation->started_at)},
                     {"warning", explanation.change_rise_warning},
                     {"critical", explanation.change_rise_critical},
                     {"signals", std::move(signals)}};
  } else {
    out["operation_regression"] = nullptr;
  }
  Json rules = Json::array();
  for (const RuleOutcome& rule : explanation.rules) {
    Json item = {{"rule", std::string(RuleName(rule.rule))},
                 {"evaluated", rule.evaluated},
                 {"fired", rule.fired},
                 {"priority", rule.priority},
                 {"reason", rule.reason}};
    item["value"] = rule.value ? Json(std::round(*rule.value * 100) / 100) : Json(nullptr);
    item["threshold"] = rule.threshold ? Json(*rule.threshold) : Json(nullptr);
    rules.push_back(std::move(item));
  }
  out["rules"] = std::move(rules);
  out["priority"] = explanation.priority ? Json(*explanation.priority) : Json(nullptr);
  if (explanation.cooldown) {
    const CooldownState& cooldown = *explanation.cooldown;
    out["cooldown"] = {
        {"task_id", cooldown.task_id},
        {"created_at", FormatIsoTime(cooldown.created_at)},
        {"status", std::string(store::TaskStatusName(cooldown.status))},
        {"until", FormatIsoTime(cooldown.created_at + explanation.cooldown_length)}};
  } else {
    out["cooldown"] = nullptr;
  }
  out["change"] = explanation.change ? Json(explanation.change->Describe()) : Json(nullptr);
  out["decision"] = DecisionText(explanation);
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
  if (cluster.has_telemetry) {
    out += "volume     vs the median of the same hour on earlier days";
    out += cluster.volume.judged()
               ? " (sub-score " + Fixed(cluster.volume.worst().score) + ", " +
                     std::string(store::HealthStateName(cluster.volume.worst().state)) + ")\n"
               : ": not judged\n";
    for (const VolumeScore& signal : cluster.volume.signals) {
      const store::MetricSpec& spec = VolumeSignalMetric(signal.signal);
      if (!signal.judged) {
        out +=
            Printf("  %-12s not judged: %s\n", std::string(VolumeSignalName(signal.signal)).c_str(),
                   signal.not_judged.c_str());
        continue;
      }
      out += Printf("  %-12s %-16s %-8s score %5.1f  (baseline %s over %d day(s), x%.2f)\n",
                    std::string(VolumeSignalName(signal.signal)).c_str(),
                    FormatValue(spec, *signal.value).c_str(),
                    std::string(store::HealthStateName(signal.state)).c_str(), signal.score,
                    FormatValue(spec, *signal.baseline).c_str(), signal.baseline_samples,
                    signal.ratio);
    }
  }
  if (cluster.has_telemetry) {
    out += "operation  ";
    if (!cluster.operation) {
      out += "no SCALE/UPDATE/UPGRADE (sentinel.change_operations) in the change window: not "
             "judged\n";
    } else {
      const ChangeScore* worst = cluster.change.worst();
      out += "since " + cluster.operation->type + " (" + cluster.operation->result + ") at " +
             FormatSqlTime(cluster.operation->started_at) +
             " vs the same hour on earlier days before it" +
             (worst ? " (sub-score " + Fixed(worst->score) + ", " +
                          std::string(store::HealthStateName(worst->state)) + ")\n"
                    : std::string(": not judged\n"));
      for (const ChangeScore& signal : cluster.change.signals) {
        const store::MetricSpec& spec = *signal.spec;
        if (!signal.judged) {
          out += Printf("  %-12s not judged: %s\n", std::string(spec.short_name).c_str(),
                        signal.not_judged.c_str());
          continue;
        }
        out += Printf(
            "  %-12s %-16s %-8s score %5.1f  (before %s over %d day(s), x%.2f; warning x%s, "
            "critical x%s, rise at least %s)\n",
            std::string(spec.short_name).c_str(), FormatValue(spec, *signal.value).c_str(),
            std::string(store::HealthStateName(signal.state)).c_str(), signal.score,
            FormatValue(spec, *signal.baseline).c_str(), signal.baseline_samples, signal.ratio,
            Fixed(explanation.change_rise_warning, 1).c_str(),
            Fixed(explanation.change_rise_critical, 1).c_str(),
            FormatValue(spec, signal.min_rise).c_str());
      }
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
  if (!cluster.flapping.empty()) {
    out += "\nflapping   ";
    for (size_t alert_idx = 0; alert_idx < cluster.flapping.size(); ++alert_idx) {
      const FlappingAlert& alert = cluster.flapping[alert_idx];
      out += (alert_idx ? ", " : "") + alert.name + " (" + std::to_string(alert.episodes) +
             " critical episodes, " + (alert.firing_now ? "firing now" : "resolved now") + ")";
    }
  }
  out += "\nrules\n";
  for (const RuleOutcome& rule : explanation.rules) {
    const char* mark = rule.fired ? "FIRED" : (rule.evaluated ? "no" : "n/a");
    out += Printf("  %-5s  %-17s P%d  %s\n", mark, std::string(RuleName(rule.rule)).c_str(),
                  rule.priority, rule.reason.c_str());
  }
  out += "cooldown   ";
  if (explanation.cooldown) {
    out += DescribeCooldown(*explanation.cooldown) + "\n";
  } else {
    out += "none (no task for this cluster in the last " +
           FormatDurationShort(explanation.cooldown_length) + ")\n";
  }
  if (explanation.change) out += "change     " + explanation.change->Describe() + "\n";
  out += "decision   " + DecisionText(explanation) + "\n";
  return out;
}

}  // namespace rh::sentinel
