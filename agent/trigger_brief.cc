#include "agent/trigger_brief.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "alerts/cluster_alerts.h"
#include "core/redact.h"
#include "core/time_format.h"

namespace rh::agent {
namespace {

constexpr int kBriefMaxDimensions = 6;
constexpr size_t kBriefMaxText = 300;  // characters of an alert detail or a rule's reason

double Round2(double value) { return std::round(value * 100.0) / 100.0; }

std::string Clip(std::string text) {
  text = RedactSecrets(text);
  if (text.size() > kBriefMaxText) text = text.substr(0, kBriefMaxText) + "...";
  return text;
}

Json TimeOrNull(const store::Row& row, std::string_view column) {
  auto time = row.GetTime(column);
  return time ? Json(FormatIsoTime(*time)) : Json(nullptr);
}

// The number as it reads best: integers without a fraction.
std::string Number(const Json& value) {
  if (!value.is_number()) return value.is_null() ? "?" : value.dump();
  const double number = value.get<double>();
  if (number == std::floor(number) && std::fabs(number) < 1e15) {
    return std::to_string(static_cast<long long>(number));
  }
  std::ostringstream out;
  out << Round2(number);
  return out.str();
}

// A {"name": "value"} object with every value a clipped string (labels, annotations).
Json ClipStrings(const Json& object) {
  Json out = Json::object();
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) {
    // Masked as "key=value" so a label named like a secret (db_password) hides its value.
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const std::string masked = RedactSecrets(key + "=" + text);
    const size_t equals = masked.find('=');
    out[RedactSecrets(key)] =
        Clip(equals == std::string::npos ? RedactSecrets(text) : masked.substr(equals + 1));
  }
  return out;
}

// One alert of the task's context as the brief carries it.
Json ContextAlert(const Json& alert) {
  Json item = {{"alert_name", Clip(JsonString(alert, "alert_name"))},
               {"status", JsonString(alert, "status")}};
  for (const char* key : {"severity", "source", "message_id"}) {
    if (std::string value = JsonString(alert, key); !value.empty()) item[key] = Clip(value);
  }
  for (const char* key : {"starts_at", "ends_at", "alert_time"}) {
    if (alert.contains(key) && alert[key].is_string()) item[key] = alert[key];
  }
  if (std::string detail = JsonString(alert, "detail"); !detail.empty()) {
    item["detail"] = Clip(std::move(detail));
  }
  for (const char* key : {"labels", "annotations"}) {
    if (alert.contains(key) && alert[key].is_object() && !alert[key].empty()) {
      item[key] = ClipStrings(alert[key]);
    }
  }
  return item;
}

// The issue of the task's context as the brief carries it.
Json ContextIssue(const Json& issue) {
  Json item = Json::object();
  for (const char* key : {"issue_id", "kind", "title", "issue_status", "triage_status", "severity",
                          "reason", "first_alert_at", "escalated_at"}) {
    if (std::string value = JsonString(issue, key); !value.empty()) item[key] = Clip(value);
  }
  if (issue.contains("escalated") && issue["escalated"].is_boolean()) {
    item["escalated"] = issue["escalated"];
  }
  if (issue.contains("alert_names") && issue["alert_names"].is_array()) {
    Json names = Json::array();
    for (const Json& name : issue["alert_names"]) {
      if (name.is_string()) names.push_back(Clip(name.get<std::string>()));
    }
    item["alert_names"] = std::move(names);
  }
  return item;
}

}  // namespace

Result<Json> BuildTriggerBrief(store::Database& fleet, const InvestigationRequest& request,
                               TimePoint now) {
  Json brief = Json::object();
  Json trigger = {{"source", request.source.empty() ? std::string("direct") : request.source}};
  if (request.rules_fired.is_array() && !request.rules_fired.empty()) {
    Json rules = Json::array();
    for (const Json& rule : request.rules_fired) {
      if (!rule.is_object()) continue;
      Json item = {{"rule", JsonString(rule, "rule")}};
      for (const char* key : {"value", "threshold", "priority"}) {
        if (rule.contains(key) && !rule[key].is_null()) item[key] = rule[key];
      }
      if (std::string reason = JsonString(rule, "reason"); !reason.empty()) {
        item["reason"] = Clip(std::move(reason));
      }
      rules.push_back(std::move(item));
    }
    trigger["rules"] = std::move(rules);
  }
  if (!request.question.empty()) trigger["question"] = Clip(request.question);
  const Json& context = request.context;
  if (context.is_object() && context.contains("issue") && context["issue"].is_object()) {
    trigger["issue"] = ContextIssue(context["issue"]);
  }
  if (context.is_object() && context.contains("alerts") && context["alerts"].is_array() &&
      !context["alerts"].empty()) {
    // The alerts that queued the task, as it carries them (the newest kBriefMaxContextAlerts).
    const Json& carried = context["alerts"];
    const size_t skip = carried.size() > static_cast<size_t>(kBriefMaxContextAlerts)
                            ? carried.size() - kBriefMaxContextAlerts
                            : 0;
    Json items = Json::array();
    for (size_t idx = skip; idx < carried.size(); ++idx) {
      if (carried[idx].is_object()) items.push_back(ContextAlert(carried[idx]));
    }
    trigger["alerts"] = std::move(items);
  } else if (request.source == "webhook") {
    alerts::ClusterAlertQuery query;
    query.cluster_ids = {request.cluster_id};
    query.from = now - std::chrono::hours(24);
    query.to = now;
    query.firing_only = true;
    query.newest_first = true;
    query.limit = kBriefMaxAlerts;
    RH_ASSIGN_OR_RETURN(std::vector<alerts::StoredAlert> firing,
                        alerts::ReadClusterAlerts(fleet, query));
    Json items = Json::array();
    for (const alerts::StoredAlert& stored : firing) {
      const alerts::AlertRecord& alert = stored.alert;
      Json item = {{"alert_name", Clip(alert.alert_name)},
                   {"status", alert.status},
                   {"alert_time", FormatIsoTime(*alert.alert_time)},
                   {"starts_at", FormatIsoTime(alert.starts_at)}};
      if (!alert.severity.empty()) item["severity"] = alert.severity;
      if (!alert.detail.empty()) item["detail"] = Clip(alert.detail);
      if (!alert.source.empty()) item["source"] = alert.source;
      items.push_back(std::move(item));
    }
    trigger["alerts"] = std::move(items);
  }
  brief["trigger"] = std::move(trigger);

  RH_ASSIGN_OR_RETURN(
      store::QueryResult cluster,
      fleet.Query("SELECT c.version, c.run_mode, c.status, p.customer_tier FROM cluster_info c "
                  "LEFT JOIN dim_customer_profile p ON p.account_id = c.account_id "
                  "WHERE c.cluster_id = ?",
                  {store::Text(request.cluster_id)}));
  if (!cluster.empty()) {
    const store::Row& row = cluster.front();
    Json info = {{"version", row.GetString("version")},
                 {"run_mode", row.GetString("run_mode")},
                 {"status", row.GetString("status")}};
    if (!row.IsNull("customer_tier")) info["tier"] = row.GetString("customer_tier");
    brief["cluster"] = std::move(info);
  }

  RH_ASSIGN_OR_RETURN(
      store::QueryResult scores,
      fleet.Query("SELECT snapshot_time, health_score, metric_score, alert_score, tier_score, "
                  "risk_level, trend, firing_alerts, dimension_scores FROM cluster_health_scores "
                  "WHERE cluster_id = ? AND snapshot_time <= ? "
                  "ORDER BY snapshot_time DESC LIMIT 1",
                  {store::Text(request.cluster_id), store::Time(now)}));
  if (!scores.empty()) {
    const store::Row& row = scores.front();
    Json score = {{"at", TimeOrNull(row, "snapshot_time")},
                  {"health", Round2(row.GetDouble("health_score"))},
                  {"risk_level", row.GetString("risk_level")},
                  {"metric", Round2(row.GetDouble("metric_score"))},
                  {"alert", Round2(row.GetDouble("alert_score"))},
                  {"tier", Round2(row.GetDouble("tier_score"))},
                  {"firing_alerts", row.GetInt("firing_alerts")}};
    if (!row.IsNull("trend")) score["trend"] = Round2(row.GetDouble("trend"));
    if (auto dimensions = ParseJson(row.GetString("dimension_scores"), "dimension_scores");
        dimensions && dimensions->is_object()) {
      std::vector<std::pair<double, std::string>> worst;
      for (const auto& [metric, value] : dimensions->items()) {
        if (value.is_number() && value.get<double>() < 100.0) {
          worst.emplace_back(value.get<double>(), metric);
        }
      }
      std::sort(worst.begin(), worst.end());
      if (worst.size() > kBriefMaxDimensions) worst.resize(kBriefMaxDimensions);
      Json items = Json::object();
      for (const auto& [value, metric] : worst) items[metric] = Round2(value);
      score["worst_dimensions"] = std::move(items);
    }
    brief["score"] = std::move(score);
  }
  return brief;
}

std::string TriggerBriefText(const Json& brief) {
  if (!brief.is_object()) return "";
  std::string out;
  const Json trigger = brief.value("trigger", Json::object());
  out += "Trigger: " + JsonString(trigger, "source", "direct");
  if (trigger.contains("rules")) {
    for (const Json& rule : trigger["rules"]) {
      out += "\n- rule " + JsonString(rule, "rule") + ": value " +
             Number(rule.value("value", Json())) + " vs threshold " +
             Number(rule.value("threshold", Json()));
      if (std::string reason = JsonString(rule, "reason"); !reason.empty()) out += " (" + reason + ")";
    }
  }
  if (trigger.contains("issue") && trigger["issue"].is_object()) {
    const Json& issue = trigger["issue"];
    out += "\n- issue " + JsonString(issue, "issue_id", "?") + " (" +
           JsonString(issue, "kind", "?") + ", " + JsonString(issue, "issue_status", "?") +
           ", triage " + JsonString(issue, "triage_status", "?");
    if (issue.value("escalated", false)) {
      out += ", escalated " + JsonString(issue, "escalated_at", "");
      while (!out.empty() && out.back() == ' ') out.pop_back();
    }
    out += ")";
    if (std::string title = JsonString(issue, "title"); !title.empty()) out += ": " + title;
    if (std::string reason = JsonString(issue, "reason"); !reason.empty()) {
      out += " [queued: " + reason + "]";
    }
  }
  if (trigger.contains("alerts")) {
    for (const Json& alert : trigger["alerts"]) {
      out += "\n- alert " + JsonString(alert, "alert_name") + " [" +
             JsonString(alert, "severity", "?") + ", " + JsonString(alert, "status") +
             " since " + JsonString(alert, "starts_at", "?");
      if (std::string ends = JsonString(alert, "ends_at"); !ends.empty()) out += " until " + ends;
      out += "]";
      if (std::string detail = JsonString(alert, "detail"); !detail.empty()) out += ": " + detail;
      if (alert.contains("labels") && alert["labels"].is_object() && !alert["labels"].empty()) {
        std::string labels;
        for (const auto& [key, value] : alert["labels"].items()) {
          if (key == "alertname") continue;
          labels += (labels.empty() ? "" : ", ") + key + "=" +
                    (value.is_string() ? value.get<std::string>() : value.dump());
        }
        if (!labels.empty()) out += "\n  labels: " + labels;
      }
    }
  }
  if (std::string question = JsonString(trigger, "question"); !question.empty()) {
    out += "\n- question: " + question;
  }
  if (brief.contains("score")) {
    const Json& score = brief["score"];
    out += "\nScore at " + JsonString(score, "at", "?") + ": health " +
           Number(score.value("health", Json())) + " (" + JsonString(score, "risk_level") +
           "; metric " + Number(score.value("metric", Json())) + ", alert " +
           Number(score.value("alert", Json())) + ", tier " + Number(score.value("tier", Json())) +
           ")";
    if (score.contains("worst_dimensions") && !score["worst_dimensions"].empty()) {
      out += "; lowest sub-scores:";
      for (const auto& [metric, value] : score["worst_dimensions"].items()) {
        out += " " + metric + " " + Number(value);
      }
    }
  }
  if (brief.contains("cluster")) {
    const Json& cluster = brief["cluster"];
    out += "\nCluster: tier " + JsonString(cluster, "tier", "?") + ", version " +
           JsonString(cluster, "version") + ", " + JsonString(cluster, "run_mode");
  }
  return out;
}

}  // namespace rh::agent
