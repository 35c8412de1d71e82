#include "service/alert_intake.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/log.h"
#include "core/time_format.h"
#include "service/investigations.h"
#include "service/reports.h"
#include "store/task_queue.h"

namespace rh::service {
namespace {

constexpr size_t kMaxContextAlerts = 50;  // newest kept when a task collects more
constexpr size_t kMaxBriefDetail = 500;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Json OptionalTime(const std::optional<TimePoint>& at) {
  return at ? Json(FormatIsoTime(*at)) : Json(nullptr);
}

// `context` with `more` alerts appended (by message id, once each; newest kMaxContextAlerts).
Json MergeAlerts(Json context, const std::vector<Json>& more) {
  if (!context.is_object()) context = Json::object();
  if (!context.contains("alerts") || !context["alerts"].is_array()) {
    context["alerts"] = Json::array();
  }
  std::set<std::string> seen;
  for (const Json& alert : context["alerts"]) seen.insert(JsonString(alert, "message_id"));
  for (const Json& alert : more) {
    if (seen.insert(JsonString(alert, "message_id")).second) context["alerts"].push_back(alert);
  }
  Json& alerts = context["alerts"];
  if (alerts.size() > kMaxContextAlerts) {
    alerts.erase(alerts.begin(), alerts.begin() + (alerts.size() - kMaxContextAlerts));
  }
  return context;
}

}  // namespace

Json AlertJson(const alerts::StoredAlert& stored) {
  const alerts::AlertRecord& alert = stored.alert;
  auto empty_null = [](const std::string& text) {
    return text.empty() ? Json(nullptr) : Json(text);
  };
  return Json{{"message_id", alert.message_id},
              {"section", stored.section > 0 ? Json(stored.section) : Json(nullptr)},
              {"source", alert.source},
              {"cluster_id", empty_null(alert.cluster_id)},
              {"cluster_name", empty_null(alert.cluster_name)},
              {"account_id", empty_null(alert.account_id)},
              {"region", empty_null(alert.region)},
              {"alert_name", alert.alert_name},
              {"severity", empty_null(alert.severity)},
              {"status", alert.status},
              {"detail", alert.detail},
              {"dashboard_url", empty_null(alert.dashboard_url)},
              {"silence_url", empty_null(alert.silence_url)},
              {"alert_time", OptionalTime(alert.alert_time)},
              {"starts_at", FormatIsoTime(alert.starts_at)},
              {"ends_at", OptionalTime(alert.ends_at)},
              {"orphan", stored.orphan()},
              {"orphan_reason", empty_null(alert.orphan_reason)},
              {"created_at", FormatIsoTime(stored.created_at)}};
}

Json AlertBriefJson(const alerts::AlertRecord& alert) {
  std::string detail = alert.detail;
  if (detail.size() > kMaxBriefDetail) detail = detail.substr(0, kMaxBriefDetail) + "...";
  return Json{{"message_id", alert.message_id},
              {"source", alert.source},
              {"alert_name", alert.alert_name},
              {"severity", alert.severity},
              {"status", alert.status},
              {"starts_at", FormatIsoTime(alert.starts_at)},
              {"alert_time", OptionalTime(alert.alert_time)},
              {"ends_at", OptionalTime(alert.ends_at)},
              {"labels", alert.labels.is_object() ? alert.labels : Json::object()},
              {"annotations", alert.annotations.is_object() ? alert.annotations : Json::object()},
              {"detail", detail}};
}

Result<AlertIntakeResult> AlertIntake::IngestWebhook(std::string_view body) {
  alerts::WebhookOptions options;
  options.cluster_label = runtime_.config().server.cluster_label;
  auto parsed = alerts::ParseAlertWebhook(body, options);
  if (!parsed) {
    Logger("service")->warn("webhook body refused (nothing stored): {}", parsed.error().ToString());
    return Fail(parsed.error());
  }
  for (const std::string& reason : parsed->rejected) {
    Logger("service")->warn("webhook: an alert of the body cannot be stored: {}", reason);
  }
  RH_ASSIGN_OR_RETURN(AlertIntakeResult result, Ingest(parsed->alerts));
  result.rejected = parsed->rejected;
  return result;
}

Result<AlertIntakeResult> AlertIntake::Ingest(const std::vector<alerts::AlertRecord>& received) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  AlertIntakeResult result;
  alerts::AlertStore store(*fleet, runtime_.clock());
  RH_ASSIGN_OR_RETURN(result.stored, store.Store(received));
  for (const alerts::AlertRecord& alert : result.stored.inserted_alerts) {
    if (alert.orphan_reason.empty()) continue;
    Logger("service")->warn("alert {} ({}) kept as an orphan: {}", alert.message_id,
                            alert.alert_name, alert.orphan_reason);
  }
  auto matched = store.MatchOrphans();
  if (matched) {
    result.orphans_matched = *matched;
  } else {
    Logger("service")->warn("orphan alerts not matched: {}", matched.error().ToString());
  }
  if (runtime_.config().server.investigate_critical_alerts) {
    // New firing critical alerts of known clusters, by cluster.
    std::map<std::string, std::vector<const alerts::AlertRecord*>> by_cluster;
    for (const alerts::AlertRecord& alert : result.stored.inserted_alerts) {
      if (alert.status == alerts::kFiring && alert.severity == "critical" &&
          alert.orphan_reason.empty()) {
        by_cluster[alert.cluster_id].push_back(&alert);
      }
    }
    Investigations investigations(runtime_);
    for (const auto& [cluster_id, cluster_alerts] : by_cluster) {
      std::vector<std::string> names;
      std::vector<Json> briefs;
      for (const alerts::AlertRecord* alert : cluster_alerts) {
        if (std::find(names.begin(), names.end(), alert->alert_name) == names.end()) {
          names.push_back(alert->alert_name);
        }
        briefs.push_back(AlertBriefJson(*alert));
      }
      std::string joined;
      for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
      InvestigationSpec spec;
      spec.cluster_id = cluster_id;
      spec.source = store::TaskSource::kWebhook;
      spec.priority = 1;
      spec.requester = "alertmanager";
      spec.question = "Critical alert firing: " + joined;
      spec.context_json = DumpJson(MergeAlerts(Json{{"trigger", "webhook"}}, briefs));
      spec.one_per_cluster = true;
      auto requested = investigations.Request(spec);
      if (requested && !requested->created) {
        // The cluster's open webhook task takes these alerts too.
        auto memory = runtime_.Memory();
        auto context =
            ParseJson(requested->task.context_json.empty() ? std::string("{}")
                                                           : requested->task.context_json);
        if (memory) {
          store::TaskQueue queue(**memory, runtime_.clock(), runtime_.config().queue);
          auto attached =
              queue.SetContext(requested->task.id,
                               DumpJson(MergeAlerts(context ? *context : Json::object(), briefs)));
          if (!attached) {
            Logger("service")->warn("task={} alerts not attached: {}", requested->task.id,
                                    attached.error().ToString());
          }
        }
      }
      if (!requested) {
        ++result.enqueue_failures;
        Logger("service")->error("cluster={} webhook investigation not queued: {}", cluster_id,
                                 requested.error().ToString());
        continue;
      }
      result.tasks.push_back(QueuedFromAlert{requested->task.id, cluster_id, requested->created});
    }
  }
  if (result.stored.inserted > 0 || result.orphans_matched > 0) {
    if (auto issues = Issues(runtime_).Update(); issues) {
      result.issues = std::move(*issues);
    } else {
      Logger("service")->warn("issue tracker did not run: {}", issues.error().ToString());
    }
  }
  Logger("service")->info(
      "alerts: {} received, {} new ({} orphans), {} already stored, {} "
      "orphans matched",
      result.stored.received, result.stored.inserted, result.stored.orphans,
      result.stored.duplicates, result.orphans_matched);
  return result;
}

Result<alerts::AlertPage> AlertIntake::List(const AlertQueryText& query) {
  alerts::AlertFilter filter;
  if (!query.cluster_id.empty()) {
    RH_RETURN_IF_ERROR(ValidateClusterId(query.cluster_id, "cluster"));
    filter.cluster_id = query.cluster_id;
  }
  const std::string status = Lower(query.status);
  if (status == "firing") {
    filter.status = alerts::kFiring;
  } else if (status == "resolved") {
    filter.status = alerts::kResolved;
  } else if (status == "orphan") {
    filter.orphans_only = true;
  } else if (!status.empty()) {
    return InvalidArgument("status",
                           "must be firing, resolved or orphan; got '" + query.status + "'");
  }
  filter.source = Lower(query.source);
  if (!filter.source.empty() &&
      std::none_of(std::begin(alerts::kAlertSources), std::end(alerts::kAlertSources),
                   [&](const char* known) { return filter.source == known; })) {
    return InvalidArgument("source", "must be alertmanager, grafana, lark or simulator; got '" +
                                         query.source + "'");
  }
  RH_ASSIGN_OR_RETURN(filter.since, ParseSince(query.since, runtime_.clock().Now()));
  if (query.limit < 1 || query.limit > 1000) {
    return InvalidArgument("limit", "must be from 1 to 1000");
  }
  filter.limit = query.limit;
  filter.cursor = query.cursor;
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  return alerts::AlertStore(*fleet, runtime_.clock()).List(filter);
}

}  // namespace rh::service
