// What the eight investigation tools share: their context (databases, clock, config), a base
// class that turns Result errors into is_error results, schema builders, number/time formatting
// and the fleet look-ups several tools need (cluster facts, currently firing alerts, latest
// health scores). Only tools/ includes this header.
//
// Definitions used by every tool (documented in tools/README.md):
//  - an alert is "currently firing" when its latest message (per cluster and alert name) within
//    kFiringLookback before now is Firing; messages at the same second order Firing before
//    Resolved;
//  - the latest health score is the cluster_health_scores row with the greatest snapshot_time
//    <= now.
// Thread-safety: the helpers are stateless; Database calls are thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/risk_level.h"
#include "knowledge/search.h"
#include "store/database.h"
#include "tools/tool.h"

namespace rh::tools::internal {

inline constexpr Duration kFiringLookback = std::chrono::hours(24 * 7);
inline constexpr int kMaxWindowHours = 24 * 30;

struct ToolContext {
  store::Database* fleet = nullptr;
  store::Database* memory = nullptr;
  knowledge::KnowledgeSearch* knowledge = nullptr;
  Clock* clock = nullptr;
  ToolsConfig config;
  std::string fleet_url;
  std::string fleet_password;

  TimePoint Now() const { return clock->Now(); }
  int DefaultWindowHours() const;
};

// Base of the eight tools: Run() validates nothing (the registry did), calls Execute and turns
// an Error into "error: <code>: <context>: <message>" with is_error set.
class InvestigationTool : public Tool {
 public:
  InvestigationTool(std::string name, std::string description, Json schema, std::string hint,
                    std::shared_ptr<const ToolContext> context)
      : name_(std::move(name)),
        description_(std::move(description)),
        schema_(std::move(schema)),
        hint_(std::move(hint)),
        context_(std::move(context)) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  const Json& input_schema() const override { return schema_; }
  std::string_view narrowing_hint() const override { return hint_; }
  ToolResult Run(const Json& input) final;

 protected:
  virtual Result<Json> Execute(const Json& input) = 0;
  const ToolContext& context() const { return *context_; }

 private:
  std::string name_;
  std::string description_;
  Json schema_;
  std::string hint_;
  std::shared_ptr<const ToolContext> context_;
};

// ---- schema builders --------------------------------------------------------------------
Json ObjectSchema(Json properties, const std::vector<std::string>& required);
Json ClusterIdProperty(std::string_view description);
Json IntegerProperty(std::string_view description, int minimum, int maximum, int default_value);
Json StringEnumProperty(std::string_view description, const std::vector<std::string>& values);

// ---- formatting -------------------------------------------------------------------------
std::string IsoTime(TimePoint time);
Json IsoTimeOrNull(const std::optional<TimePoint>& time);
// Rounds for a reader: >= 1000 to integers, >= 1 to 2 decimals, below 1 to 3 significant digits.
double Tidy(double value);
Json TidyOrNull(const std::optional<double>& value);
int64_t MinutesBetween(TimePoint from, TimePoint to);
double HoursBetween(TimePoint from, TimePoint to);
// At most `max_bytes` of `text` (UTF-8 safe), "..." appended when cut.
std::string Clip(std::string_view text, size_t max_bytes);
// "?, ?, ?" for n placeholders.
std::string Placeholders(size_t count);

// ---- fleet look-ups ---------------------------------------------------------------------
struct ClusterFacts {
  std::string cluster_id;
  std::string cluster_name;
  std::string account_id;
  std::string account_name;
  std::string customer_tier;
  std::string owner;
  std::string industry;
  std::string region;
  std::string version;
  std::string run_mode;
  std::string package_type;
  std::string status;
  std::optional<TimePoint> created_at;
};

// not_found (naming ids with the same prefix, when any) for an unknown cluster.
Result<ClusterFacts> LoadCluster(store::Database& fleet, const std::string& cluster_id);

struct NodeGroup {
  std::string node_type;  // FE | BE | CN
  int64_t count = 0;
  int64_t cu = 0;
  std::string spec_type;
  int64_t disk_size_gb = 0;
  std::string essd_level;
};
Result<std::vector<NodeGroup>> LoadNodeGroups(store::Database& fleet,
                                              const std::string& cluster_id);
// The compute group: BE for shared_nothing, CN for shared_data (whichever exists).
const NodeGroup* ComputeGroup(const std::vector<NodeGroup>& groups);

struct AlertMessage {
  std::string cluster_id;
  std::string message_id;
  std::string alert_name;
  std::string severity;
  std::string status;  // Firing | Resolved
  std::string detail;
  TimePoint time;
  std::optional<TimePoint> starts_at;
};
// Messages of `cluster_ids` with from < alert_time <= to, ordered by cluster, time, Firing first
// (alerts::ReadClusterAlerts: one per section of a multi-section Lark row, message_id
// "om_...#<section>").
Result<std::vector<AlertMessage>> LoadAlerts(store::Database& fleet,
                                             const std::vector<std::string>& cluster_ids,
                                             TimePoint from, TimePoint to, bool with_detail);

struct FiringAlert {
  std::string alert_name;
  std::string severity;
  TimePoint since;  // starts_at of the latest Firing message, else its alert_time
  TimePoint last_message;
};
// Per alert name: the alerts whose latest message in `messages` (one cluster, ordered) is Firing.
std::map<std::string, FiringAlert> CurrentlyFiring(const std::vector<AlertMessage>& messages);

struct HealthSnapshot {
  TimePoint time;
  double score = 0;
  double metric_score = 0;
  double alert_score = 0;
  double tier_score = 0;
  RiskLevel risk_level = RiskLevel::kHealthy;
  std::optional<double> baseline_score;
  std::optional<double> trend;
  int64_t firing_alerts = 0;
};
// The latest snapshot <= now per cluster (clusters never scored, or whose row holds no risk
// level of core/risk_level.h, are absent).
Result<std::map<std::string, HealthSnapshot>> LatestHealth(
    store::Database& fleet, const std::vector<std::string>& cluster_ids, TimePoint now);

}  // namespace rh::tools::internal
