// query_cluster_operations: what people and automation did to the cluster, and how each action
// sits in time against the alerts.
#include <algorithm>

#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr int kDefaultOperationsWindowHours = 24 * 7;  // operations are rare: look back a week
constexpr auto kNextAlertHorizon = std::chrono::hours(24);
constexpr size_t kParameterBytes = 300;

const std::vector<std::string>& OperationTypes() {
  static const std::vector<std::string> types = {"START", "STOP",    "UPDATE",
                                                 "SCALE", "RESTART", "UPGRADE"};
  return types;
}

class ClusterOperationsTool final : public InvestigationTool {
 public:
  ClusterOperationsTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_cluster_operations", std::move(description),
            ObjectSchema(
                {{"cluster_id", ClusterIdProperty("The cluster whose operations to list.")},
                 {"window_hours",
                  IntegerProperty(
                      "Look-back in hours, ending now.", 1, kMaxWindowHours,
                      std::max(kDefaultOperationsWindowHours, context->DefaultWindowHours()))},
                 {"operation_type",
                  StringEnumProperty("Only operations of this type.", OperationTypes())},
                 {"max_operations",
                  IntegerProperty("At most this many operations, newest first.", 1, 50, 20)}},
                {"cluster_id"}),
            "pass operation_type, a smaller max_operations or a shorter window_hours", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const int window_hours = input["window_hours"].get<int>();
    const size_t max_operations = input["max_operations"].get<size_t>();
    const std::string only_type = JsonString(input, "operation_type");
    const TimePoint now = context().Now();
    const TimePoint from = now - std::chrono::hours(window_hours);
    store::Database& fleet = *context().fleet;
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(fleet, cluster_id));
    (void)facts;

    std::vector<store::Value> params = {store::Text(cluster_id), store::Time(from),
                                        store::Time(now)};
    std::string sql =
        "SELECT operation_id, operation_type, actor, parameters, result, started_at, "
        "finished_at FROM cluster_operations WHERE cluster_id = ? AND started_at > ? AND "
        "started_at <= ?";
    if (!only_type.empty()) {
      sql += " AND operation_type = ?";
      params.push_back(store::Text(only_type));
    }
    sql += " ORDER BY started_at DESC, operation_id";
    RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(sql, params));

    // Firing messages in the window (and a day past each operation, bounded by now).
    RH_ASSIGN_OR_RETURN(std::vector<AlertMessage> alerts,
                        LoadAlerts(fleet, {cluster_id}, from, now, false));
    std::erase_if(alerts, [](const AlertMessage& m) { return m.status != "Firing"; });
    const AlertMessage* first_alert = alerts.empty() ? nullptr : &alerts.front();

    Json operations = Json::array();
    std::map<std::string, int> by_type;
    int failed = 0;
    for (store::Row row : rows) {
      std::string type = row.GetString("operation_type");
      std::string result = row.GetString("result");
      ++by_type[type];
      if (result == "FAILED") ++failed;
      if (operations.size() >= max_operations) continue;
      auto started = row.GetTime("started_at");
      auto finished = row.GetTime("finished_at");
      Json item = {{"operation_id", row.GetString("operation_id")},
                   {"type", type},
                   {"actor", row.GetString("actor")},
                   {"result", result},
                   {"started_at", IsoTimeOrNull(started)},
                   {"finished_at", IsoTimeOrNull(finished)}};
      if (started && finished) item["duration_minutes"] = MinutesBetween(*started, *finished);
      std::string parameters = row.GetString("parameters");
      auto parsed = ParseJson(parameters, "parameters", kMaxJsonDepth / 2);  // nested 3 deep below
      if (parameters.empty()) {
        item["parameters"] = nullptr;
      } else if (parsed && DumpJson(*parsed).size() <= kParameterBytes) {
        item["parameters"] = *parsed;
      } else {
        item["parameters"] = Clip(parameters, kParameterBytes);
      }
      if (started) {
        item["minutes_before_first_alert"] =
            first_alert ? Json(MinutesBetween(*started, first_alert->time)) : Json(nullptr);
        auto next = std::find_if(alerts.begin(), alerts.end(), [&](const AlertMessage& m) {
          return m.time >= *started && m.time <= *started + kNextAlertHorizon;
        });
        item["next_alert"] = next == alerts.end()
                                 ? Json(nullptr)
                                 : Json{{"alert_name", next->alert_name},
                                        {"minutes_after", MinutesBetween(*started, next->time)}};
      }
      operations.push_back(std::move(item));
    }
    Json out = {
        {"cluster_id", cluster_id},
        {"window", {{"from", IsoTime(from)}, {"to", IsoTime(now)}, {"hours", window_hours}}},
        {"first_alert", first_alert ? Json{{"alert_name", first_alert->alert_name},
                                           {"time", IsoTime(first_alert->time)}}
                                    : Json(nullptr)},
        {"summary", {{"operations", rows.size()}, {"by_type", by_type}, {"failed", failed}}},
        {"operations", std::move(operations)}};
    if (rows.size() > max_operations) out["operations_not_listed"] = rows.size() - max_operations;
    if (rows.empty()) {
      out["note"] = "no operations in the window; widen window_hours to look further back";
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeClusterOperationsTool(std::string description, ContextPtr context) {
  return std::make_unique<ClusterOperationsTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
