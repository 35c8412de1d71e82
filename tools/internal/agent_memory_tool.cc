// query_agent_memory: what earlier investigations concluded about this cluster, its account,
// and the same root-cause category elsewhere in the fleet.
#include "core/root_cause.h"
#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr size_t kTextBytes = 240;
constexpr int kRepeatDays = 30;

// The root-cause taxonomy's names, for the input schema's enum.
const std::vector<std::string>& Categories() {
  static const std::vector<std::string> categories = [] {
    std::vector<std::string> names;
    for (RootCause category : kAllRootCauses) names.emplace_back(RootCauseName(category));
    return names;
  }();
  return categories;
}

constexpr const char* kColumns =
    "SELECT report_id, cluster_id, account_id, engine, severity, confidence, category, "
    "root_cause, summary, created_at FROM investigation_reports WHERE ";

class AgentMemoryTool final : public InvestigationTool {
 public:
  AgentMemoryTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_agent_memory", std::move(description),
            ObjectSchema(
                {{"cluster_id", ClusterIdProperty("The cluster under investigation.")},
                 {"category",
                  StringEnumProperty("Root-cause category to look up fleet-wide (default: the "
                                     "category of this cluster's latest report).",
                                     Categories())},
                 {"days", IntegerProperty("Look-back in days.", 1, 365, 90)},
                 {"limit",
                  IntegerProperty("Reports per group (cluster, account, category).", 1, 10, 5)}},
                {"cluster_id"}),
            "pass a smaller limit or fewer days", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    if (context().memory == nullptr) {
      return Unavailable("query_agent_memory",
                         "the agent memory database is not available in this process; continue "
                         "with the other tools");
    }
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const int days = input["days"].get<int>();
    const int limit = input["limit"].get<int>();
    const TimePoint now = context().Now();
    const TimePoint from = now - std::chrono::hours(24 * days);
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(*context().fleet, cluster_id));
    store::Database& memory = *context().memory;

    RH_ASSIGN_OR_RETURN(
        Json this_cluster,
        Reports(memory,
                std::string(kColumns) + "cluster_id = ? AND created_at > ? AND created_at <= ?",
                {store::Text(cluster_id), store::Time(from), store::Time(now)}, limit, now));
    RH_ASSIGN_OR_RETURN(
        Json account,
        Reports(memory,
                std::string(kColumns) +
                    "account_id = ? AND cluster_id <> ? AND created_at > ? AND created_at <= ?",
                {store::Text(facts.account_id), store::Text(cluster_id), store::Time(from),
                 store::Time(now)},
                limit, now));
    std::string category = JsonString(input, "category");
    std::string category_source = "input";
    if (category.empty() && !this_cluster.empty()) {
      category = JsonString(this_cluster[0], "category");
      category_source = "latest report of this cluster";
    }
    Json same_category = Json::array();
    if (!category.empty()) {
      RH_ASSIGN_OR_RETURN(
          same_category,
          Reports(memory,
                  std::string(kColumns) +
                      "category = ? AND cluster_id <> ? AND (account_id IS NULL OR "
                      "account_id <> ?) AND created_at > ? AND created_at <= ?",
                  {store::Text(category), store::Text(cluster_id), store::Text(facts.account_id),
                   store::Time(from), store::Time(now)},
                  limit, now));
    }

    // Repeats: this cluster's reports in the last 30 days, per category.
    RH_ASSIGN_OR_RETURN(
        store::QueryResult repeats,
        memory.Query("SELECT category, COUNT(*) AS reports FROM investigation_reports WHERE "
                     "cluster_id = ? AND created_at > ? AND created_at <= ? GROUP BY category "
                     "ORDER BY reports DESC, category",
                     {store::Text(cluster_id),
                      store::Time(now - std::chrono::hours(24 * kRepeatDays)), store::Time(now)}));
    Json repeat_counts = Json::object();
    int64_t recent_total = 0;
    for (store::Row row : repeats) {
      repeat_counts[row.GetString("category")] = row.GetInt("reports");
      recent_total += row.GetInt("reports");
    }

    Json out = {{"cluster_id", cluster_id},
                {"account_id", facts.account_id},
                {"look_back_days", days},
                {"repeats_30d", {{"reports", recent_total}, {"by_category", repeat_counts}}},
                {"this_cluster", std::move(this_cluster)},
                {"same_account", std::move(account)},
                {"same_category",
                 {{"category", category.empty() ? Json(nullptr) : Json(category)},
                  {"chosen_by", category.empty() ? Json(nullptr) : Json(category_source)},
                  {"reports", std::move(same_category)}}}};
    if (out["this_cluster"].empty() && out["same_account"].empty() &&
        out["same_category"]["reports"].empty()) {
      out["note"] = "no past investigations found: this looks like a first occurrence";
    }
    return out;
  }

 private:
  static Result<Json> Reports(store::Database& memory, const std::string& where,
                              std::vector<store::Value> params, int limit, TimePoint now) {
    params.push_back(store::Int(limit));
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        memory.Query(where + " ORDER BY created_at DESC, report_id DESC LIMIT ?", params));
    Json reports = Json::array();
    for (store::Row row : rows) {
      auto created = row.GetTime("created_at");
      Json item = {{"report_id", row.GetString("report_id")},
                   {"cluster_id", row.GetString("cluster_id")},
                   {"created_at", IsoTimeOrNull(created)},
                   {"days_ago", created ? Json(Tidy(HoursBetween(*created, now) / 24)) : Json()},
                   {"severity", row.GetString("severity")},
                   {"confidence", Tidy(row.GetDouble("confidence"))},
                   {"category", row.GetString("category")},
                   {"root_cause", Clip(row.GetString("root_cause"), kTextBytes)},
                   {"summary", Clip(row.GetString("summary"), kTextBytes)},
                   {"engine", row.GetString("engine")}};
      reports.push_back(std::move(item));
    }
    return reports;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeAgentMemoryTool(std::string description, ContextPtr context) {
  return std::make_unique<AgentMemoryTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
