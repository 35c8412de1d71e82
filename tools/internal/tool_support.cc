#include "tools/internal/tool_support.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "alerts/cluster_alerts.h"
#include "core/time_format.h"
#include "tools/input_schema.h"

namespace rh::tools::internal {
namespace {

constexpr size_t kInListChunk = 400;

}  // namespace

int ToolContext::DefaultWindowHours() const {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(config.default_window).count();
  return static_cast<int>(std::clamp<int64_t>(hours, 1, kMaxWindowHours));
}

ToolResult InvestigationTool::Run(const Json& input) {
  Result<Json> output = Execute(input);
  if (!output) return ToolResult{"error: " + output.error().ToString(), true};
  return ToolResult{DumpJson(*output), false};
}

// ---- schema builders --------------------------------------------------------------------

Json ObjectSchema(Json properties, const std::vector<std::string>& required) {
  Json schema = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

Json ClusterIdProperty(std::string_view description) {
  return {{"type", "string"},
          {"description", std::string(description)},
          {"pattern", std::string(kResourceIdPattern)},
          {"maxLength", 64},
          {"examples", {"c-1a2b3c4d"}}};
}

Json IntegerProperty(std::string_view description, int minimum, int maximum, int default_value) {
  return {{"type", "integer"},
          {"description", std::string(description)},
          {"minimum", minimum},
          {"maximum", maximum},
          {"default", default_value}};
}

Json StringEnumProperty(std::string_view description, const std::vector<std::string>& values) {
  return {{"type", "string"}, {"description", std::string(description)}, {"enum", values}};
}

// ---- formatting -------------------------------------------------------------------------

std::string IsoTime(TimePoint time) { return FormatIsoTime(time); }

Json IsoTimeOrNull(const std::optional<TimePoint>& time) {
  return time ? Json(FormatIsoTime(*time)) : Json(nullptr);
}

double Tidy(double value) {
  if (!std::isfinite(value)) return 0.0;
  double magnitude = std::fabs(value);
  if (magnitude >= 1000) return std::round(value);
  if (magnitude >= 1) return std::round(value * 100) / 100;
  if (magnitude == 0) return 0.0;
  int digits = 3 - static_cast<int>(std::ceil(std::log10(magnitude)));
  double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

Json TidyOrNull(const std::optional<double>& value) {
  return value ? Json(Tidy(*value)) : Json(nullptr);
}

int64_t MinutesBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::minutes>(to - from).count();
}

double HoursBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

std::string Clip(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string Placeholders(size_t count) {
  std::string out;
  for (size_t placeholder_idx = 0; placeholder_idx < count; ++placeholder_idx) {
    out += placeholder_idx == 0 ? "?" : ", ?";
  }
  return out;
}

// ---- fleet look-ups ---------------------------------------------------------------------

Result<ClusterFacts> LoadCluster(store::Database& fleet, const std::string& cluster_id) {
  RH_ASSIGN_OR_RETURN(
      store::QueryResult rows,
      fleet.Query("SELECT c.cluster_id, c.cluster_name, c.account_id, c.region, c.version, "
                  "c.run_mode, c.package_type, c.status, c.created_at, p.account_name, "
                  "p.customer_tier, p.owner, p.industry FROM cluster_info c LEFT JOIN "
                  "dim_customer_profile p ON p.account_id = c.account_id WHERE c.cluster_id = ?",
                  {store::Text(cluster_id)}));
  if (rows.empty()) {
    std::string prefix = cluster_id.substr(0, std::min<size_t>(cluster_id.size(), 4)) + "%";
    RH_ASSIGN_OR_RETURN(store::QueryResult similar,
                        fleet.Query("SELECT cluster_id, cluster_name FROM cluster_info WHERE "
                                    "cluster_name = ? OR cluster_id LIKE ? ORDER BY cluster_id "
                                    "LIMIT 5",
                                    {store::Text(cluster_id), store::Text(prefix)}));
    std::string message = "no cluster with this id in cluster_info";
    for (store::Row row : similar) {
      if (row.GetString("cluster_name") == cluster_id) {
        return NotFound(cluster_id, "this is a cluster name; its id is " +
                                        row.GetString("cluster_id") + ": call again with it");
      }
    }
    if (!similar.empty()) {
      message += "; ids with the same prefix:";
      for (store::Row row : similar) message += " " + row.GetString("cluster_id");
    } else {
      message +=
          "; cluster ids look like c-1a2b3c4d (run_sql: SELECT cluster_id, cluster_name "
          "FROM cluster_info WHERE cluster_name LIKE '%name%')";
    }
    return NotFound(cluster_id, message);
  }
  store::Row row = rows.front();
  ClusterFacts facts;
  facts.cluster_id = row.GetString("cluster_id");
  facts.cluster_name = row.GetString("cluster_name");
  facts.account_id = row.GetString("account_id");
  facts.region = row.GetString("region");
  facts.version = row.GetString("version");
  facts.run_mode = row.GetString("run_mode");
  facts.package_type = row.GetString("package_type");
  facts.status = row.GetString("status");
  facts.created_at = row.GetTime("created_at");
  facts.account_name = row.GetString("account_name");
  facts.customer_tier = row.GetString("customer_tier");
  facts.owner = row.GetString("owner");
  facts.industry = row.GetString("industry");
  return facts;
}

Result<std::vector<NodeGroup>> LoadNodeGroups(store::Database& fleet,
                                              const std::string& cluster_id) {
  RH_ASSIGN_OR_RETURN(
      store::QueryResult rows,
      fleet.Query("SELECT node_type, node_count, cu, spec_type, disk_size_gb, essd_level FROM "
                  "cluster_node_groups WHERE cluster_id = ? ORDER BY node_type",
                  {store::Text(cluster_id)}));
  std::vector<NodeGroup> groups;
  for (store::Row row : rows) {
    groups.push_back(NodeGroup{row.GetString("node_type"), row.GetInt("node_count"),
                               row.GetInt("cu"), row.GetString("spec_type"),
                               row.GetInt("disk_size_gb"), row.GetString("essd_level")});
  }
  // FE first, then the compute groups: the order people read a topology in.
  std::stable_sort(groups.begin(), groups.end(), [](const NodeGroup& a, const NodeGroup& b) {
    return (a.node_type == "FE") > (b.node_type == "FE");
  });
  return groups;
}

const NodeGroup* ComputeGroup(const std::vector<NodeGroup>& groups) {
  for (const NodeGroup& group : groups) {
    if (group.node_type == "BE" || group.node_type == "CN") return &group;
  }
  return nullptr;
}

Result<std::vector<AlertMessage>> LoadAlerts(store::Database& fleet,
                                             const std::vector<std::string>& cluster_ids,
                                             TimePoint from, TimePoint to, bool with_detail) {
  // The one reader of "alerts of a cluster" (a multi-section Lark row is one alert per section).
  alerts::ClusterAlertQuery query;
  query.cluster_ids = cluster_ids;
  query.from = from;
  query.from_inclusive = false;
  query.to = to;
  RH_ASSIGN_OR_RETURN(std::vector<alerts::StoredAlert> read,
                      alerts::ReadClusterAlerts(fleet, query));
  std::vector<AlertMessage> messages;
  messages.reserve(read.size());
  for (const alerts::StoredAlert& stored : read) {
    const alerts::AlertRecord& alert = stored.alert;
    messages.push_back(AlertMessage{alert.cluster_id, stored.AlertId(), alert.alert_name,
                                    alert.severity, alert.status,
                                    with_detail ? alert.detail : std::string(),
                                    *alert.alert_time, alert.starts_at});
  }
  // By cluster, time, Firing before Resolved at one time, id.
  std::stable_sort(messages.begin(), messages.end(),
                   [](const AlertMessage& a, const AlertMessage& b) {
                     const bool a_resolved = a.status != alerts::kFiring;
                     const bool b_resolved = b.status != alerts::kFiring;
                     return std::tie(a.cluster_id, a.time, a_resolved, a.message_id) <
                            std::tie(b.cluster_id, b.time, b_resolved, b.message_id);
                   });
  return messages;
}

std::map<std::string, FiringAlert> CurrentlyFiring(const std::vector<AlertMessage>& messages) {
  std::map<std::string, const AlertMessage*> latest;
  for (const AlertMessage& message : messages) latest[message.alert_name] = &message;
  std::map<std::string, FiringAlert> firing;
  for (const auto& [name, message] : latest) {
    if (message->status != "Firing") continue;
    firing[name] = FiringAlert{name, message->severity, message->starts_at.value_or(message->time),
                               message->time};
  }
  return firing;
}

Result<std::map<std::string, HealthSnapshot>> LatestHealth(
    store::Database& fleet, const std::vector<std::string>& cluster_ids, TimePoint now) {
  std::map<std::string, HealthSnapshot> latest;
  for (size_t start = 0; start < cluster_ids.size(); start += kInListChunk) {
    size_t count = std::min(kInListChunk, cluster_ids.size() - start);
    std::vector<store::Value> params;
    for (size_t id_idx = start; id_idx < start + count; ++id_idx) {
      params.push_back(store::Text(cluster_ids[id_idx]));
    }
    params.push_back(store::Time(now));
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet.Query("SELECT h.cluster_id, h.snapshot_time, h.health_score, h.metric_score, "
                    "h.alert_score, h.tier_score, h.risk_level, h.baseline_score, h.trend, "
                    "h.firing_alerts FROM cluster_health_scores h WHERE h.cluster_id IN (" +
                        Placeholders(count) +
                        ") AND h.snapshot_time = (SELECT MAX(s.snapshot_time) FROM "
                        "cluster_health_scores s WHERE s.cluster_id = h.cluster_id AND "
                        "s.snapshot_time <= ?)",
                    params));
    for (store::Row row : rows) {
      auto time = row.GetTime("snapshot_time");
      auto risk_level = ParseRiskLevel(row.GetString("risk_level"));
      if (!time || !risk_level) continue;
      HealthSnapshot snapshot;
      snapshot.time = *time;
      snapshot.score = row.GetDouble("health_score");
      snapshot.metric_score = row.GetDouble("metric_score");
      snapshot.alert_score = row.GetDouble("alert_score");
      snapshot.tier_score = row.GetDouble("tier_score");
      snapshot.risk_level = *risk_level;
      if (!row.IsNull("baseline_score")) snapshot.baseline_score = row.GetDouble("baseline_score");
      if (!row.IsNull("trend")) snapshot.trend = row.GetDouble("trend");
      snapshot.firing_alerts = row.GetInt("firing_alerts");
      latest[row.GetString("cluster_id")] = snapshot;
    }
  }
  return latest;
}

}  // namespace rh::tools::internal
