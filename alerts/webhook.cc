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

// Grafana unified alerting's `valueString` and `values` (what triggered the alert), as a line
// of the detail; empty for Alertmanager bodies and Grafana alerts without them.
std::string GrafanaValues(const Json& alert) {
  std::string line;
  std::string value_string = StringField(alert, "valueString");
  if (!value_string.empty()) line = value_string;
  if (alert.contains("values") && alert["values"].is_object() && !alert["values"].empty()) {
    std::string values;
    for (const auto& [key, value] : alert["values"].items()) {
      if (!values.empty()) values += ", ";
      values += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    }
    line += (line.empty() ? "values: " : " (values: ") + values + (line.empty() ? "" : ")");
  }
  return line;
}

// The alert's labels, sorted, as "k=v,k=v" (the identity of an alert without a cluster label).
std::string LabelKey(const Json& labels) {
  std::map<std::string, std::string> sorted;
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) sorted[key] = value.get<std::string>();
  }
  std::string out;
  for (const auto& [key, value] : sorted) out += key + "=" + value + ",";
  return out;
}

// One alert of the body: a record (maybe an orphan) or the reason it cannot be stored.
Result<AlertRecord> ParseOneAlert(const Json& alert, size_t index, const Json& body, bool grafana,
                                  const WebhookOptions& options) {
  const std::string where = "alerts[" + std::to_string(index) + "]";
  if (!alert.is_object()) return InvalidArgument(where, "must be an object");
  if (!alert.contains("labels") || !alert["labels"].is_object()) {
    return InvalidArgument(where + ".labels", "is missing or not an object");
  }
  const Json& labels = alert["labels"];
  AlertRecord out;
  out.alert_name = StringField(labels, "alertname");
  if (out.alert_name.empty()) {
    return InvalidArgument(where + ".labels", "has no 'alertname' label");
  }
  std::string status = Lower(StringField(alert, "status"));
  if (status.empty()) status = Lower(StringField(body, "status"));
  if (status == "firing" || status == "alerting") {
    out.status = kFiring;
  } else if (status == "resolved" || status == "ok") {
    out.status = kResolved;
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
  if (out.status == kResolved && !IsZeroTime(ends_text)) {
    auto ends_at = ParseIsoTime(ends_text);
    if (ends_at) out.ends_at = *ends_at;  // a bad endsAt loses the end, not the alert
  }

  // The cluster: the first candidate label, else an orphan (kept, matched later by name).
  std::string used_label;
  std::string cluster_value;
  for (const std::string& label : ClusterLabelCandidates(options)) {
    std::string value = StringField(labels, label);
    if (!value.empty()) {
      cluster_value = value;
      used_label = label;
      break;
    }
  }
  out.cluster_name = StringField(labels, "cluster_name");
  std::string cluster_key = cluster_value;
  if (cluster_value.empty()) {
    cluster_key = out.cluster_name.empty() ? "labels:" + LabelKey(labels)
                                           : "name:" + out.cluster_name;
    if (out.cluster_name.empty()) {
      out.orphan_reason = "no '" + options.cluster_label +
                          "' label names the cluster; add it to the alert rule or set "
                          "server.cluster_label to the label that does";
    }
  } else if (IsValidResourceId(cluster_value)) {
    out.cluster_id = cluster_value;
  } else {
    // Not an id: perhaps a cluster name ("Prod Cluster 1"); matched by name, else an orphan.
    if (out.cluster_name.empty()) out.cluster_name = cluster_value;
    out.orphan_reason = "label " + used_label + "='" + cluster_value +
                        "' is not a cluster id ([a-z0-9-]) nor the name of a known cluster";
  }
  out.severity = Lower(StringField(labels, "severity"));
  out.labels = labels;
  if (alert.contains("annotations") && alert["annotations"].is_object()) {
    out.annotations = alert["annotations"];
  }
  std::string detail = DetailOf(alert, body);
  if (grafana) {
    std::string values = GrafanaValues(alert);
    if (!values.empty()) detail += (detail.empty() ? "" : "\n") + values;
  }
  out.detail = RedactSecrets(detail);  // stored and shown: no secret in it
  out.source = grafana ? "grafana" : "alertmanager";
  if (grafana) {
    out.dashboard_url = StringField(alert, "panelURL");
    if (out.dashboard_url.empty()) out.dashboard_url = StringField(alert, "dashboardURL");
    out.silence_url = StringField(alert, "silenceURL");
  } else if (!cluster_value.empty()) {
    out.silence_url = AlertmanagerSilenceUrl(StringField(body, "externalURL"), used_label,
                                             out.alert_name, cluster_value);
  }
  if (out.dashboard_url.empty()) out.dashboard_url = StringField(alert, "generatorURL");
  out.message_id = WebhookMessageId(out.alert_name, cluster_key, out.status, out.starts_at);
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

std::string WebhookMessageId(std::string_view alert_name, std::string_view cluster_key,
                             std::string_view status, TimePoint starts_at) {
  std::string key;
  key.append(alert_name).append(cluster_key).append(status).append(FormatIsoTime(starts_at));
  return "wh_" + Sha256Hex(key);
}

Result<ParsedWebhook> ParseAlertWebhook(std::string_view body, const WebhookOptions& options) {
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
  ParsedWebhook parsed;
  parsed.source = grafana ? "grafana" : "alertmanager";
  std::set<std::string> seen;
  std::optional<Error> first_problem;
  for (size_t alert_idx = 0; alert_idx < alerts.size(); ++alert_idx) {
    auto alert = ParseOneAlert(alerts[alert_idx], alert_idx, root, grafana, options);
    if (!alert) {
      if (!first_problem) first_problem = alert.error();
      parsed.rejected.push_back(alert.error().context + ": " + alert.error().message);
      continue;
    }
    if (!seen.insert(alert->message_id).second) continue;
    parsed.alerts.push_back(std::move(*alert));
  }
  if (parsed.alerts.empty()) {
    Error error = *first_problem;
    error.message += " (no alert of the body can be stored)";
    return Fail(error);
  }
  return parsed;
}

}  // namespace rh::alerts
