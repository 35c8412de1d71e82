#include "eval/fleet_slice.h"

#include <cmath>
#include <map>
#include <set>

#include "sentinel/scorer.h"
#include "store/metric_catalog.h"
#include "store/schema.h"

namespace rh::eval {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// A healthy cluster's hourly average of every catalogue metric (by short name).
const std::map<std::string, double>& HealthyDefaults() {
  static const std::map<std::string, double> defaults = {
      {"cpu", 32},         {"jvm_heap", 38},     {"disk", 48},       {"compaction", 18},
      {"latency", 900},    {"query_err", 0.03},  {"be_mem", 52},     {"fe_heap", 42},
      {"qps", 120},        {"load_rate", 25000}, {"tablets", 18000}, {"alive_be", 100},
      {"txn_failed", 0.5}, {"scan_rows", 2.0e6}};
  return defaults;
}

bool HasDailyCycle(const std::string& name) {
  return name == "qps" || name == "load_rate" || name == "scan_rows" || name == "cpu";
}

struct Series {
  double base = 0;
  std::vector<std::pair<double, double>> points;  // (hours before H, value), oldest first

  double At(double hours_before) const {
    if (points.empty() || hours_before > points.front().first) return base;
    for (size_t i = 1; i < points.size(); ++i) {
      const auto& [h0, v0] = points[i - 1];
      const auto& [h1, v1] = points[i];
      if (hours_before >= h1) {
        if (h0 == h1) return v1;
        return v0 + (v1 - v0) * (h0 - hours_before) / (h0 - h1);
      }
    }
    return points.back().second;
  }
};

Result<Series> ParseSeries(const std::string& name, const Json& spec, const std::string& where) {
  Series series;
  series.base = HealthyDefaults().at(name);
  if (!spec.is_object()) return InvalidArgument(where, "a metric is {base?, points?}");
  if (spec.contains("base")) {
    if (!spec["base"].is_number()) return InvalidArgument(where, "base: a number");
    series.base = spec["base"].get<double>();
  }
  for (const Json& point : spec.value("points", Json::array())) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number() ||
        point[0].get<double>() < 0) {
      return InvalidArgument(where, "points: [[hours_before_last_hour >= 0, value], ...]");
    }
    series.points.emplace_back(point[0].get<double>(), point[1].get<double>());
    if (series.points.size() > 1 &&
        series.points.back().first > series.points[series.points.size() - 2].first) {
      return InvalidArgument(where, "points: oldest first (hours before decreasing)");
    }
  }
  return series;
}

TimePoint HoursBefore(TimePoint at, double hours_before) {
  return at -
         std::chrono::duration_cast<Duration>(std::chrono::duration<double>(hours_before * 3600.0));
}

Status WriteCluster(store::Database& db, const Json& cluster, const EvalCase& c,
                    TimePoint end_hour) {
  const std::string id = JsonString(cluster, "id");
  const std::string where = c.path + ": fleet.clusters[" + id + "]";
  const TimePoint created = end_hour - hours(24 * 400);
  RH_RETURN_IF_ERROR(db.Execute(
      "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
      "run_mode, package_type, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
      {id, JsonString(cluster, "name", id), JsonString(cluster, "account"),
       JsonString(cluster, "region", "cn-hangzhou"), JsonString(cluster, "version", "3.3.4"),
       JsonString(cluster, "run_mode", "shared_nothing"), std::string("official"),
       JsonString(cluster, "status", "running"), created, created}));
  const Json nodes = cluster.value("nodes", Json::array());
  if (!nodes.is_array() || nodes.empty()) return InvalidArgument(where, "nodes: at least one");
  for (const Json& node : nodes) {
    const std::string type = JsonString(node, "type");
    if (type != "FE" && type != "BE" && type != "CN") {
      return InvalidArgument(where, "nodes: type FE, BE or CN; got '" + type + "'");
    }
    Json essd = node.value("essd", Json());
    RH_RETURN_IF_ERROR(db.Execute(
        "INSERT INTO cluster_node_groups (cluster_id, node_type, node_count, cu, spec_type, "
        "disk_size_gb, essd_level) VALUES (?,?,?,?,?,?,?)",
        {id, type, int64_t{node.value("count", 3)}, int64_t{node.value("cu", 16)},
         JsonString(node, "spec", "standard"), int64_t{node.value("disk_gb", 500)},
         essd.is_string() ? store::Value(essd.get<std::string>()) : store::Value()}));
  }

  std::map<std::string, Series> series;
  for (const auto& [name, value] : HealthyDefaults()) series[name].base = value;
  const Json metrics = cluster.value("metrics", Json::object());
  if (!metrics.is_object()) return InvalidArgument(where, "metrics: an object by short name");
  for (const auto& [name, spec] : metrics.items()) {
    if (!HealthyDefaults().count(name)) {
      return InvalidArgument(where, "metrics: unknown metric '" + name +
                                        "' (use the short names of store/metric_catalog.h)");
    }
    RH_ASSIGN_OR_RETURN(series[name], ParseSeries(name, spec, where + ".metrics." + name));
  }
  const int gap_hours = cluster.value("gap_hours", 0);
  const int total_hours = c.days * 24;
  for (int h = total_hours - 1; h >= gap_hours; --h) {
    const TimePoint hour = end_hour - hours(h);
    for (const store::MetricSpec& spec : store::MetricCatalog()) {
      const std::string name(spec.short_name);
      double value = series[name].At(h);
      if (HasDailyCycle(name)) {
        const int hour_of_day = static_cast<int>((total_hours - h) % 24);
        value *= 1.0 + 0.05 * std::sin(2.0 * M_PI * hour_of_day / 24.0);
      }
      double max_value = value * 1.04;
      double p99_value = value * 1.02;
      if (name == "alive_be") max_value = p99_value = value;
      RH_RETURN_IF_ERROR(
          db.Execute("INSERT INTO amv_hourly_snapshots_v1 (cluster_id, snapshot_hour, metric_name, "
                     "avg_value, max_value, p99_value) VALUES (?,?,?,?,?,?)",
                     {id, hour, std::string(spec.name), value, max_value, p99_value}));
    }
  }
  return {};
}

}  // namespace

TimePoint SliceEndHour(const EvalCase& eval_case) {
  return std::chrono::floor<hours>(eval_case.now);
}

Status LoadFleetSlice(store::Database& db, const EvalCase& c) {
  RH_RETURN_IF_ERROR(store::Migrate(db, store::SchemaSet::kFleet));
  const TimePoint end_hour = SliceEndHour(c);
  const TimePoint at = end_hour + minutes(5);
  const Json& fleet = c.fleet;
  RH_RETURN_IF_ERROR(db.Transaction([&]() -> Status {
    std::map<std::string, std::string> tiers;
    for (const Json& account : fleet.value("accounts", Json::array())) {
      const std::string id = JsonString(account, "id");
      const std::string tier = JsonString(account, "tier", "B");
      if (id.empty() || (tier != "S" && tier != "A" && tier != "B" && tier != "C")) {
        return InvalidArgument(c.path, "fleet.accounts: each needs an id and a tier S|A|B|C");
      }
      tiers[id] = tier;
      RH_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO dim_customer_profile (account_id, account_name, customer_tier, owner, "
          "industry, created_at) VALUES (?,?,?,?,?,?)",
          {id, JsonString(account, "name", id), tier, std::string("sre@example.com"),
           JsonString(account, "industry", "retail"), end_hour - hours(24 * 500)}));
    }
    std::map<std::string, std::string> account_of;
    for (const Json& cluster : fleet.value("clusters", Json::array())) {
      const std::string account = JsonString(cluster, "account");
      if (!tiers.count(account)) {
        return InvalidArgument(c.path, "fleet.clusters[" + JsonString(cluster, "id") +
                                           "]: account '" + account + "' is not in accounts");
      }
      account_of[JsonString(cluster, "id")] = account;
      RH_RETURN_IF_ERROR(WriteCluster(db, cluster, c, end_hour));
    }
    int message = 0;
    for (const Json& alert : fleet.value("alerts", Json::array())) {
      const std::string cluster = JsonString(alert, "cluster");
      if (!account_of.count(cluster)) {
        return InvalidArgument(c.path, "fleet.alerts: cluster '" + cluster + "' is unknown");
      }
      const std::string status = JsonString(alert, "status", "Firing");
      if (status != "Firing" && status != "Resolved") {
        return InvalidArgument(c.path, "fleet.alerts: status Firing or Resolved");
      }
      const double hours_ago = alert.value("hours_ago", 1.0);
      const Json repeat = alert.value("repeat", Json());
      const int count = repeat.is_object() ? repeat.value("count", 1) : 1;
      const double every = repeat.is_object() ? repeat.value("every_hours", 2.0) : 0.0;
      const double resolve_after =
          repeat.is_object() ? repeat.value("resolve_after_minutes", 20.0) / 60.0 : 0.0;
      auto write = [&](const std::string& state, TimePoint time, TimePoint starts) -> Status {
        ++message;
        auto written = db.Execute(
            "INSERT INTO lark_alerts (message_id, cluster_id, account_id, region, "
            "alert_name, severity, status, detail, source, alert_time, starts_at, "
            "ends_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            {"om_eval_" + c.id + "_" + std::to_string(message), cluster, account_of[cluster],
             std::string("cn-hangzhou"), JsonString(alert, "name"),
             JsonString(alert, "severity", "warning"), state, JsonString(alert, "detail"),
             std::string("lark"), time, starts,
             state == "Resolved" ? store::Value(time) : store::Value(), time});
        if (!written) return Fail(written.error());
        return {};
      };
      for (int i = count - 1; i >= 0; --i) {
        const double fired = hours_ago + i * every + (count > 1 ? resolve_after : 0.0);
        const TimePoint fired_at = HoursBefore(at, fired);
        const TimePoint starts = HoursBefore(at, alert.value("started_hours_ago", fired));
        if (count > 1) {
          RH_RETURN_IF_ERROR(write("Firing", fired_at, fired_at));
          RH_RETURN_IF_ERROR(write("Resolved", HoursBefore(at, fired - resolve_after), fired_at));
        } else {
          RH_RETURN_IF_ERROR(write(status, fired_at, starts));
        }
      }
    }
    int operation = 0;
    for (const Json& op : fleet.value("operations", Json::array())) {
      const std::string cluster = JsonString(op, "cluster");
      if (!account_of.count(cluster)) {
        return InvalidArgument(c.path, "fleet.operations: cluster '" + cluster + "' is unknown");
      }
      const TimePoint started = HoursBefore(at, op.value("hours_ago", 2.0));
      const std::string result = JsonString(op, "result", "SUCCESS");
      const TimePoint finished = started + minutes(op.value("minutes", 30));
      RH_RETURN_IF_ERROR(db.Execute(
          "INSERT INTO cluster_operations (operation_id, cluster_id, account_id, operation_type, "
          "actor, parameters, result, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?)",
          {"op-" + c.id + "-" + std::to_string(++operation), cluster, account_of[cluster],
           JsonString(op, "type", "UPDATE"), JsonString(op, "actor", "console:ops@example.com"),
           DumpJson(op.value("params", Json::object())), result, started,
           result == "RUNNING" ? store::Value() : store::Value(finished)}));
    }
    return {};
  }));
  ManualClock clock(at);
  sentinel::HealthScorer scorer(db, clock, SentinelConfig{});
  // A slice without telemetry in the scored hour (an insufficient_data case) stays unscored, as
  // a fleet whose collector stopped would: the tools then say that no score exists.
  auto scored = scorer.ScoreFleet();
  if (!scored && scored.error().code != ErrorCode::kUnavailable) return Fail(scored.error());
  return {};
}

}  // namespace rh::eval
