// query_cluster_alerts: the alert messages of one cluster over a window, summarised per alert.
#include <algorithm>

#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr int kFlappingEpisodes = 3;  // Firing episodes in the window that make an alert flap
constexpr size_t kRecentMessages = 5;
constexpr size_t kDetailBytes = 300;

// An alert's detail, condensed: Lark/Alertmanager messages repeat the cluster, account and
// region on every line; the "Summary:" and "Value:" lines carry the news. Other texts are
// clipped as they are.
std::string CondensedDetail(std::string_view detail) {
  std::string kept;
  size_t start = 0;
  while (start < detail.size()) {
    size_t end = detail.find('\n', start);
    if (end == std::string_view::npos) end = detail.size();
    std::string_view line = detail.substr(start, end - start);
    if (line.starts_with("Summary:") || line.starts_with("Value:")) {
      if (!kept.empty()) kept += "; ";
      kept += std::string(line);
    }
    start = end + 1;
  }
  return Clip(kept.empty() ? detail : std::string_view(kept), kDetailBytes);
}

struct AlertSummary {
  std::string alert_name;
  std::string severity;
  int firing = 0;
  int resolved = 0;
  int episodes = 0;  // transitions into Firing (re-notifications of a firing alert excluded)
  TimePoint first_seen;
  TimePoint last_seen;
  std::string last_status;
  std::string latest_detail;
};

class ClusterAlertsTool final : public InvestigationTool {
 public:
  ClusterAlertsTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_cluster_alerts", std::move(description),
            ObjectSchema(
                {{"cluster_id", ClusterIdProperty("The cluster whose alerts to summarise.")},
                 {"window_hours", IntegerProperty("Look-back in hours, ending now.", 1,
                                                  kMaxWindowHours, context->DefaultWindowHours())},
                 {"alert_name",
                  {{"type", "string"},
                   {"description",
                    "Only this alert name (exact, e.g. \"Data Disk Capacity "
                    "Alert\")."},
                   {"maxLength", 200}}},
                 {"max_alerts",
                  IntegerProperty("At most this many alert names listed.", 1, 50, 20)}},
                {"cluster_id"}),
            "pass alert_name for one alert, a smaller max_alerts, or a shorter window_hours",
            context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const int window_hours = input["window_hours"].get<int>();
    const size_t max_alerts = input["max_alerts"].get<size_t>();
    const std::string only = JsonString(input, "alert_name");
    const TimePoint now = context().Now();
    const TimePoint from = now - std::chrono::hours(window_hours);
    store::Database& fleet = *context().fleet;
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(fleet, cluster_id));
    (void)facts;
    const TimePoint load_from = std::min(from, now - kFiringLookback);
    RH_ASSIGN_OR_RETURN(std::vector<AlertMessage> messages,
                        LoadAlerts(fleet, {cluster_id}, load_from, now, true));
    if (!only.empty()) {
      std::erase_if(messages, [&](const AlertMessage& m) { return m.alert_name != only; });
    }
    std::vector<AlertMessage> firing_scope;  // the currently-firing definition's look-back
    for (const AlertMessage& message : messages) {
      if (message.time > now - kFiringLookback) firing_scope.push_back(message);
    }
    std::map<std::string, FiringAlert> firing = CurrentlyFiring(firing_scope);

    std::map<std::string, AlertSummary> per_alert;
    std::vector<const AlertMessage*> in_window;
    int firing_messages = 0;
    std::optional<TimePoint> first_firing;
    for (const AlertMessage& message : messages) {
      if (message.time <= from) continue;
      in_window.push_back(&message);
      AlertSummary& summary = per_alert[message.alert_name];
      bool is_firing = message.status == "Firing";
      if (summary.alert_name.empty()) {
        summary.alert_name = message.alert_name;
        summary.first_seen = message.time;
      }
      if (is_firing) {
        ++summary.firing;
        ++firing_messages;
        if (summary.last_status != "Firing") ++summary.episodes;
        if (!first_firing) first_firing = message.time;
      } else {
        ++summary.resolved;
      }
      if (!message.severity.empty()) summary.severity = message.severity;
      summary.last_seen = message.time;
      summary.last_status = message.status;
      if (!message.detail.empty()) summary.latest_detail = message.detail;
    }

    std::vector<AlertSummary> ordered;
    for (auto& [name, summary] : per_alert) ordered.push_back(summary);
    std::sort(ordered.begin(), ordered.end(), [&](const AlertSummary& a, const AlertSummary& b) {
      bool a_firing = firing.count(a.alert_name) > 0;
      bool b_firing = firing.count(b.alert_name) > 0;
      if (a_firing != b_firing) return a_firing;
      if (a.firing != b.firing) return a.firing > b.firing;
      return a.alert_name < b.alert_name;
    });

    Json flapping = Json::array();
    Json alerts = Json::array();
    for (const AlertSummary& summary : ordered) {
      bool flaps = summary.episodes >= kFlappingEpisodes;
      if (flaps) flapping.push_back(summary.alert_name);
      if (alerts.size() >= max_alerts) continue;
      alerts.push_back({{"alert_name", summary.alert_name},
                        {"severity", summary.severity},
                        {"firing", summary.firing},
                        {"resolved", summary.resolved},
                        {"episodes", summary.episodes},
                        {"first_seen", IsoTime(summary.first_seen)},
                        {"last_seen", IsoTime(summary.last_seen)},
                        {"currently_firing", firing.count(summary.alert_name) > 0},
                        {"flapping", flaps},
                        {"latest_detail", CondensedDetail(summary.latest_detail)}});
    }

    Json currently = Json::array();
    std::vector<FiringAlert> firing_list;
    for (const auto& [name, alert] : firing) firing_list.push_back(alert);
    std::sort(firing_list.begin(), firing_list.end(),
              [](const FiringAlert& a, const FiringAlert& b) { return a.since < b.since; });
    for (const FiringAlert& alert : firing_list) {
      currently.push_back({{"alert_name", alert.alert_name},
                           {"severity", alert.severity},
                           {"firing_since", IsoTime(alert.since)},
                           {"minutes_firing", MinutesBetween(alert.since, now)}});
    }

    Json recent = Json::array();
    for (auto message = in_window.rbegin();
         message != in_window.rend() && recent.size() < kRecentMessages; ++message) {
      recent.push_back({{"time", IsoTime((*message)->time)},
                        {"alert_name", (*message)->alert_name},
                        {"status", (*message)->status},
                        {"detail", CondensedDetail((*message)->detail)}});
    }

    Json window = {{"from", IsoTime(from)}, {"to", IsoTime(now)}, {"hours", window_hours}};
    Json summary = {{"messages", in_window.size()},
                    {"firing_messages", firing_messages},
                    {"resolved_messages", static_cast<int>(in_window.size()) - firing_messages},
                    {"distinct_alerts", per_alert.size()},
                    {"currently_firing", firing.size()},
                    {"flapping", flapping.size()},
                    {"first_firing_in_window", IsoTimeOrNull(first_firing)},
                    {"last_message",
                     in_window.empty() ? Json(nullptr) : Json(IsoTime(in_window.back()->time))}};
    Json out = {{"cluster_id", cluster_id},
                {"window", std::move(window)},
                {"summary", std::move(summary)},
                {"currently_firing", std::move(currently)},
                {"flapping_alerts", std::move(flapping)},
                {"alerts", std::move(alerts)},
                {"recent_messages", std::move(recent)}};
    if (per_alert.size() > max_alerts) {
      out["alerts_not_listed"] = per_alert.size() - max_alerts;
    }
    if (in_window.empty()) {
      out["note"] = "no alert messages in the window" +
                    std::string(only.empty() ? "" : " for this alert name") +
                    "; widen window_hours to look further back";
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeClusterAlertsTool(std::string description, ContextPtr context) {
  return std::make_unique<ClusterAlertsTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
