#include "alerts/webhook.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/ids.h"
#include "core/json.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "core/url.h"

namespace rh::alerts {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}


// A string field of a JSON object, or empty when absent or not a string.
std::string StringField(const Json& object, std::string_view key) {
  return JsonString(object, key);
}

// Alertmanager marks "no end yet" with Go's zero time.
bool IsZeroTime(std::string_view text) { return text.empty() || text.starts_with("0001-01-01"); }

// The text a person reads in the alert list: the annotations that describe the alert, else the
// labels (sorted, without alertname), so a bare alert still says which instance fired.
std::string DetailOf(const Json& alert, const Json& body) {
  const Json& annotations = alert.contains("annotations") && alert["annotations"].is_object()
                                ? alert["annotations"]
                                : Json::object();
  std::vector<std::string> parts;
  for (const char* key : {"summary", "description", "message"}) {
    std::string value = StringField(annotations, key);
    if (!value.empty()) parts.push_back(value);
  }
  if (parts.empty()) {
    std::string grafana_message = StringField(body, "message");
    if (!grafana_message.empty()) parts.push_back(grafana_message);
  }
  if (parts.empty()) {
    std::string labels_text;
    for (const auto& [key, value] : alert["labels"].items()) {
      if (key == "alertname" || !value.is_string()) continue;
      if (!labels_text.empty()) labels_text += ", ";
      labels_text += key + "=" + value.get<std::string>();
    }
    parts.push_back(labels_text);
  }
  std::string detail;
  for (const std::string& part : parts) {
    if (!detail.empty()) detail += "\n";
    detail += part;
  }
  constexpr size_t kMaxDetail = 4000;
  if (detail.size() > kMaxDetail) detail = detail.substr(0, kMaxDetail) + "...";
  return detail;
}

// Alertmanager's UI link that pre-fills a silence for this alert in this cluster.
std::string AlertmanagerSilenceUrl(std::string_view external_url, std::string_view label,
                                   const std::string& alert_name, const std::string& cluster_id) {
  if (external_url.empty()) return "";
  std::string base(external_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string filter =
      "{alertname=\"" + alert_name + "\", " + std::string(label) + "=\"" + cluster_id + "\"}";
  return base + "/#/silences/new?filter=" + PercentEncode(filter);
}

Result<WebhookAlert> ParseOneAlert(const Json& alert, size_t index, const Json& body, bool grafana,
                                   const WebhookOptions& options) {
  const std::string where = "alerts[" + std::to_string(index) + "]";
  if (!alert.is_object()) return InvalidArgument(where, "must be an object");
  if (!alert.contains("labels") || !alert["labels"].is_object()) {
    return InvalidArgument(where + ".labels", "is missing or not an object");
  }
  const Json& labels = alert["labels"];
  WebhookAlert out;
  out.alert_name = StringField(labels, "alertname");
  if (out.alert_name.empty()) {
    return InvalidArgument(where + ".labels", "has no 'alertname' label");
  }
  std::string used_label;
  for (const std::string& label : ClusterLabelCandidates(options)) {
    std::string value = StringField(labels, label);
    if (!value.empty()) {
      out.cluster_id = value;
      used_label = label;
      break;
    }
  }
  if (out.cluster_id.empty()) {
    return InvalidArgument(where + ".labels",
                           "alert '" + out.alert_name + "' has no '" + options.cluster_label +
                               "' label naming the cluster; add it to the alert rule or set "
                               "server.cluster_label to the label that names the cluster");
  }
  if (!IsValidResourceId(out.cluster_id)) {
    return InvalidArgument(where + ".labels." + used_label,
                           "'" + out.cluster_id + "' is not a cluster id (expected [a-z0-9-])");
  }
  std::string status = Lower(StringField(alert, "status"));
  if (status.empty()) status = Lower(StringField(body, "status"));
  if (status == "firing" || status == "alerting") {
    out.status = "Firing";
  } else if (status == "resolved" || status == "ok") {
    out.status = "Resolved";
  } else {
    return InvalidArgument(where + ".status",
                           "must be 'firing' or 'resolved'; got '" + status + "'");
  }
  std::string starts_text = StringField(alert, "startsAt");
  if (IsZeroTime(starts_text)) return InvalidArgument(where + ".startsAt", "is missing");
  auto starts_at = ParseIsoTime(starts_text);
  if (!starts_at) {
    return InvalidArgument(where + ".startsAt", "'" + starts_text + "' is not an RFC 3339 time: " +
                                                    starts_at.error().message);
  }
  out.starts_at = *starts_at;
  std::string ends_text = StringField(alert, "endsAt");
  if (out.status == "Resolved" && !IsZeroTime(ends_text)) {
    auto ends_at = ParseIsoTime(ends_text);
    if (!ends_at) {
      return InvalidArgument(where + ".endsAt", "'" + ends_text + "' is not an RFC 3339 time");
    }
    out.ends_at = *ends_at;
  }
  out.severity = Lower(StringField(labels, "severity"));
  out.detail = RedactSecrets(DetailOf(alert, body));  // stored and shown: no secret in it
  out.source = grafana ? "grafana" : "alertmanager";
  if (grafana) {
    out.dashboard_url = StringField(alert, "panelURL");
    if (out.dashboard_url.empty()) out.dashboard_url = StringField(alert, "dashboardURL");
    out.silence_url = StringField(alert, "silenceURL");
  } else {
    out.silence_url = AlertmanagerSilenceUrl(StringField(body, "externalURL"), used_label,
                                             out.alert_name, out.cluster_id);
  }
  if (out.dashboard_url.empty()) out.dashboard_url = StringField(alert, "generatorURL");
  out.message_id = WebhookMessageId(out.alert_name, out.cluster_id, out.status, out.starts_at);
  return out;
}

}  // namespace

std::vector<std::string> ClusterLabelCandidates(const WebhookOptions& options) {
  std::vector<std::string> candidates;
  for (const std::string& label :
       {options.cluster_label, std::string("cluster_id"), std::string("cluster")}) {
    if (label.empty()) continue;
    if (std::find(candidates.begin(), candidates.end(), label) == candidates.end()) {
      candidates.push_back(label);
    }
  }
  return candidates;
}

std::string WebhookMessageId(std::string_view alert_name, std::string_view cluster_id,
                             std::string_view status, TimePoint starts_at) {
  std::string key;
  key.append(alert_name).append(cluster_id).append(status).append(FormatIsoTime(starts_at));
  return "wh_" + Sha256Hex(key);
}

Result<std::vector<WebhookAlert>> ParseAlertWebhook(std::string_view body,
                                                    const WebhookOptions& options) {
  if (body.empty()) return InvalidArgument("body", "is empty; expected an Alertmanager webhook");
  RH_ASSIGN_OR_RETURN(Json root, ParseJson(body, "body"));
  if (!root.is_object()) return InvalidArgument("body", "must be a JSON object");
  if (!root.contains("alerts") || !root["alerts"].is_array()) {
    return InvalidArgument("alerts",
                           "is missing or not an array; expected an Alertmanager "
                           "(version 4) or Grafana webhook body");
  }
  const Json& alerts = root["alerts"];
  if (alerts.empty()) return InvalidArgument("alerts", "is empty");
  std::string version = root.contains("version") && root["version"].is_string()
                            ? root["version"].get<std::string>()
                            : "";
  bool grafana = version == "1" || root.contains("orgId");
  if (!grafana && !version.empty() && version != "4") {
    return InvalidArgument("version", "'" + version +
                                          "' is not supported; expected \"4\" "
                                          "(Alertmanager) or \"1\" (Grafana)");
  }
  std::vector<WebhookAlert> parsed;
  std::set<std::string> seen;
  for (size_t alert_idx = 0; alert_idx < alerts.size(); ++alert_idx) {
    RH_ASSIGN_OR_RETURN(WebhookAlert alert,
                        ParseOneAlert(alerts[alert_idx], alert_idx, root, grafana, options));
    if (!seen.insert(alert.message_id).second) continue;
    parsed.push_back(std::move(alert));
  }
  return parsed;
}

Result<IngestResult> AlertIngestor::Ingest(const std::vector<WebhookAlert>& alerts) {
  IngestResult result;
  result.received = static_cast<int>(alerts.size());
  if (alerts.empty()) return result;
  const TimePoint now = clock_.Now();
  Status status = fleet_.Transaction([&]() -> Status {
    result.inserted = 0;
    result.inserted_alerts.clear();
    std::set<std::string> cluster_ids;
    for (const WebhookAlert& alert : alerts) cluster_ids.insert(alert.cluster_id);
    std::string placeholders;
    std::vector<store::Value> params;
    for (const std::string& cluster_id : cluster_ids) {
      placeholders += placeholders.empty() ? "?" : ", ?";
      params.push_back(store::Text(cluster_id));
    }
    RH_ASSIGN_OR_RETURN(store::QueryResult known,
                        fleet_.Query("SELECT cluster_id, account_id, region FROM cluster_info "
                                     "WHERE cluster_id IN (" +
                                         placeholders + ")",
                                     params));
    std::map<std::string, std::pair<std::string, std::string>> clusters;
    for (const store::Row& row : known) {
      clusters[row.GetString("cluster_id")] = {row.GetString("account_id"),
                                               row.GetString("region")};
    }
    for (const std::string& cluster_id : cluster_ids) {
      if (!clusters.contains(cluster_id)) {
        return InvalidArgument("cluster '" + cluster_id + "'",
                               "is not in the fleet (cluster_info); nothing was stored");
      }
    }
    const std::string insert =
        fleet_.InsertIgnore() +
        " INTO lark_alerts (message_id, cluster_id, account_id, region, alert_name, severity, "
        "status, detail, dashboard_url, silence_url, source, alert_time, starts_at, ends_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // Insert in key order: concurrent transactions over overlapping bodies then take their row
    // locks in the same order (no deadlock on MySQL).
    std::vector<const WebhookAlert*> ordered;
    for (const WebhookAlert& alert : alerts) ordered.push_back(&alert);
    std::sort(ordered.begin(), ordered.end(), [](const WebhookAlert* a, const WebhookAlert* b) {
      return a->message_id < b->message_id;
    });
    for (const WebhookAlert* alert_ptr : ordered) {
      const WebhookAlert& alert = *alert_ptr;
      const auto& [account_id, region] = clusters[alert.cluster_id];
      auto optional_text = [](const std::string& text) {
        return text.empty() ? store::Null() : store::Text(text);
      };
      RH_ASSIGN_OR_RETURN(
          int64_t changed,
          fleet_.Execute(
              insert,
              {store::Text(alert.message_id), store::Text(alert.cluster_id),
               optional_text(account_id), optional_text(region), store::Text(alert.alert_name),
               optional_text(alert.severity), store::Text(alert.status), store::Text(alert.detail),
               optional_text(alert.dashboard_url), optional_text(alert.silence_url),
               store::Text(alert.source), store::Time(now), store::Time(alert.starts_at),
               alert.ends_at ? store::Time(*alert.ends_at) : store::Null(), store::Time(now)}));
      if (changed > 0) {
        ++result.inserted;
        result.inserted_alerts.push_back(alert);
      }
    }
    return {};
  });
  if (!status) return Fail(status.error());
  result.duplicates = result.received - result.inserted;
  for (const WebhookAlert& alert : alerts) result.message_ids.push_back(alert.message_id);
  return result;
}

}  // namespace rh::alerts
