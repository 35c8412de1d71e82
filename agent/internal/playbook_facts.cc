#include "agent/internal/playbook_facts.h"

#include <algorithm>
#include <string_view>

#include "core/time_format.h"
#include "store/metric_catalog.h"

namespace rh::agent::internal {
namespace {

// Parses a tool output that must be a JSON object; on failure marks `source` as not ok.
std::optional<Json> ParseObject(const std::string& output, CallSource* source) {
  auto parsed = ParseJson(output, source->tool);
  if (!parsed || !parsed->is_object()) {
    source->ok = false;
    source->error = source->tool + ": output is not a JSON object";
    return std::nullopt;
  }
  source->ok = true;
  return std::move(*parsed);
}

const Json& Member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

double NumberOr(const Json& object, const char* key, double fallback) {
  return JsonNumber(object, key).value_or(fallback);
}

std::vector<std::string> Strings(const Json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const Json& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::optional<TimePoint> JsonTime(const Json& object, const char* key) {
  const Json& value = Member(object, key);
  if (!value.is_string()) return std::nullopt;
  auto parsed = ParseAnyTime(value.get<std::string>());
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::optional<double> JsonNumber(const Json& object, const char* key) {
  const Json& value = Member(object, key);
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

const NodeGroupFact* ClusterFacts::Group(const std::string& node_type) const {
  for (const NodeGroupFact& group : node_groups) {
    if (group.node_type == node_type) return &group;
  }
  return nullptr;
}

const NodeGroupFact* ClusterFacts::Compute() const {
  const NodeGroupFact* preferred = Group(architecture == "shared_data" ? "CN" : "BE");
  if (preferred) return preferred;
  const NodeGroupFact* be = Group("BE");
  return be ? be : Group("CN");
}

const AlertFact* AlertFacts::Find(const std::string& name) const {
  for (const AlertFact& alert : alerts) {
    if (alert.name == name) return &alert;
  }
  return nullptr;
}

std::vector<const AlertFact*> AlertFacts::Firing() const {
  std::vector<const AlertFact*> out;
  for (const AlertFact& alert : alerts) {
    if (alert.currently_firing) out.push_back(&alert);
  }
  return out;
}

std::vector<const AlertFact*> AlertFacts::Flapping() const {
  std::vector<const AlertFact*> out;
  for (const AlertFact& alert : alerts) {
    if (alert.flapping) out.push_back(&alert);
  }
  return out;
}

std::optional<TimePoint> AlertFacts::FirstFiringSince() const {
  std::optional<TimePoint> first;
  for (const AlertFact& alert : alerts) {
    if (!alert.currently_firing || !alert.firing_since) continue;
    if (!first || *alert.firing_since < *first) first = alert.firing_since;
  }
  return first;
}

std::optional<double> DimensionFact::LatestOverBaseline() const {
  if (!baseline_avg || *baseline_avg <= 0) return std::nullopt;
  return latest / *baseline_avg;
}

const DimensionFact* MetricFacts::Find(const std::string& name) const {
  auto found = dimensions.find(name);
  return found == dimensions.end() ? nullptr : &found->second;
}

std::string OperationFact::ParametersText() const {
  if (parameters.is_null()) return "";
  if (parameters.is_string()) return parameters.get<std::string>();
  return DumpJson(parameters);
}

std::vector<const PeerFact*> SiblingFacts::SiblingsSharing() const {
  std::vector<const PeerFact*> out;
  for (const PeerFact& peer : peers) {
    if (peer.same_account && !peer.shared_alerts.empty()) out.push_back(&peer);
  }
  return out;
}

void ReadClusterInfo(const std::string& output, ClusterFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->cluster_id = JsonString(out, "cluster_id");
  facts->cluster_name = JsonString(out, "cluster_name");
  const Json& account = Member(out, "account");
  facts->account_id = JsonString(account, "account_id");
  facts->tier = JsonString(account, "customer_tier");
  facts->account_clusters = JsonInt(account, "clusters");
  facts->version = JsonString(out, "version");
  facts->architecture = JsonString(out, "architecture");
  facts->region = JsonString(out, "region");
  facts->status = JsonString(out, "status");
  const Json& groups = Member(out, "node_groups");
  if (groups.is_array()) {
    for (const Json& group : groups) {
      NodeGroupFact fact;
      fact.node_type = JsonString(group, "node_type");
      fact.count = JsonInt(group, "count");
      fact.cu = JsonInt(group, "cu");
      fact.spec_type = JsonString(group, "spec_type");
      fact.disk_size_gb = JsonInt(group, "disk_size_gb");
      fact.essd_level = JsonString(group, "essd_level");
      facts->node_groups.push_back(std::move(fact));
    }
  }
  const Json& health = Member(out, "health");
  if (JsonBool(health, "available")) {
    facts->health_score = JsonNumber(health, "score");
    facts->risk_level = JsonString(health, "risk_level");
  }
}

void ReadAlerts(const std::string& output, AlertFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->window_hours = static_cast<int>(JsonInt(Member(out, "window"), "hours"));
  const Json& summary = Member(out, "summary");
  facts->currently_firing = static_cast<int>(JsonInt(summary, "currently_firing"));
  facts->firing_messages = static_cast<int>(JsonInt(summary, "firing_messages"));
  std::map<std::string, TimePoint> since;
  const Json& currently = Member(out, "currently_firing");
  if (currently.is_array()) {
    for (const Json& item : currently) {
      if (auto time = JsonTime(item, "firing_since")) since[JsonString(item, "alert_name")] = *time;
    }
  }
  std::vector<std::string> flapping = Strings(Member(out, "flapping_alerts"));
  const Json& alerts = Member(out, "alerts");
  if (alerts.is_array()) {
    for (const Json& item : alerts) {
      AlertFact alert;
      alert.name = JsonString(item, "alert_name");
      alert.severity = JsonString(item, "severity");
      alert.firing = static_cast<int>(JsonInt(item, "firing"));
      alert.resolved = static_cast<int>(JsonInt(item, "resolved"));
      alert.episodes = static_cast<int>(JsonInt(item, "episodes"));
      alert.currently_firing = JsonBool(item, "currently_firing");
      alert.flapping = JsonBool(item, "flapping");
      alert.first_seen = JsonTime(item, "first_seen");
      alert.last_seen = JsonTime(item, "last_seen");
      alert.detail = JsonString(item, "latest_detail");
      auto found = since.find(alert.name);
      if (found != since.end()) alert.firing_since = found->second;
      facts->alerts.push_back(std::move(alert));
    }
  }
  // Currently firing alerts whose summary fell outside the window (or was cut) still count.
  for (const auto& [name, time] : since) {
    if (facts->Find(name)) continue;
    AlertFact alert;
    alert.name = name;
    alert.currently_firing = true;
    alert.firing_since = time;
    facts->alerts.push_back(std::move(alert));
  }
  for (const std::string& name : flapping) {
    if (facts->Find(name)) continue;
    AlertFact alert;
    alert.name = name;
    alert.flapping = true;
    facts->alerts.push_back(std::move(alert));
  }
}

std::vector<std::string> ReadMetrics(const std::string& output, MetricFacts* facts) {
  CallSource probe = facts->source;
  auto parsed = ParseObject(output, &probe);
  std::vector<std::string> omitted;
  if (!parsed) {
    if (facts->dimensions.empty()) facts->source = probe;
    return omitted;
  }
  if (facts->dimensions.empty()) facts->source = probe;
  const Json& out = *parsed;
  if (auto latest = JsonTime(out, "latest_snapshot")) facts->latest_snapshot = latest;
  const Json& gap = Member(out, "data_gap_hours");
  if (gap.is_number()) {
    facts->data_gap_hours = gap.get<int64_t>();
  } else if (out.contains("data_gap_hours") && gap.is_null() && !facts->latest_snapshot) {
    facts->no_snapshots = true;
  }
  if (int64_t hours = JsonInt(Member(out, "window"), "hours"); hours > 0) {
    facts->window_hours = hours;
  }
  const Json& dimensions = Member(out, "dimensions");
  std::vector<std::string> listed;
  if (dimensions.is_array()) {
    for (const Json& item : dimensions) {
      DimensionFact dim;
      dim.name = JsonString(item, "dimension");
      if (dim.name.empty()) continue;
      dim.unit = JsonString(item, "unit");
      dim.state = JsonString(item, "state", "no_data");
      dim.worst_state = JsonString(item, "worst_state", dim.state);
      dim.latest = NumberOr(item, "latest", 0);
      dim.avg = NumberOr(item, "avg", 0);
      dim.max = NumberOr(item, "max", 0);
      dim.baseline_avg = JsonNumber(item, "baseline_avg");
      dim.change_pct = JsonNumber(item, "change_pct");
      dim.ratio_to_baseline = JsonNumber(item, "ratio_to_baseline");
      dim.state_since = JsonTime(item, "state_since");
      dim.trend_per_hour = NumberOr(item, "trend_per_hour", 0);
      dim.projected_hours_to_critical = JsonNumber(item, "projected_hours_to_critical");
      const Json& thresholds = Member(item, "thresholds");
      dim.warning = NumberOr(thresholds, "warning", 0);
      dim.critical = NumberOr(thresholds, "critical", 0);
      dim.samples = JsonInt(item, "samples");
      dim.p95 = JsonNumber(item, "p95");
      const Json& change = Member(item, "change_point");
      if (change.is_object()) {
        if (auto started = JsonTime(change, "started")) {
          ChangePointFact fact;
          fact.started = *started;
          fact.rising = JsonString(change, "direction") != "falling";
          fact.level_before = NumberOr(change, "level_before", 0);
          fact.level_now = NumberOr(change, "level_now", 0);
          fact.hours_ago = JsonInt(change, "hours_ago");
          dim.change = fact;
        }
      }
      listed.push_back(dim.name);
      facts->dimensions[dim.name] = std::move(dim);
    }
  }
  if (out.contains("output_truncated")) {
    for (const store::MetricSpec& spec : store::MetricCatalog()) {
      std::string name(spec.short_name);
      if (!facts->dimensions.count(name)) omitted.push_back(name);
    }
  }
  return omitted;
}

void ReadOperations(const std::string& output, OperationFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->window_hours = static_cast<int>(JsonInt(Member(out, "window"), "hours"));
  const Json& operations = Member(out, "operations");
  if (!operations.is_array()) return;
  for (const Json& item : operations) {
    OperationFact op;
    op.operation_id = JsonString(item, "operation_id");
    op.type = JsonString(item, "type");
    op.actor = JsonString(item, "actor");
    op.result = JsonString(item, "result");
    op.started_at = JsonTime(item, "started_at");
    op.finished_at = JsonTime(item, "finished_at");
    op.parameters = Member(item, "parameters");
    facts->operations.push_back(std::move(op));
  }
}

namespace {

std::vector<KnowledgeHitFact> Hits(const Json& hits) {
  std::vector<KnowledgeHitFact> out;
  if (!hits.is_array()) return out;
  for (const Json& item : hits) {
    KnowledgeHitFact hit;
    hit.title = JsonString(item, "title");
    hit.source = JsonString(item, "source");
    hit.kind = JsonString(item, "kind");
    hit.version = JsonString(item, "version");
    hit.snippet = JsonString(item, "snippet");
    std::erase_if(hit.snippet, [](char c) { return c == '[' || c == ']'; });
    hit.score = NumberOr(item, "score", 0);
    out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace

std::string KnowledgeHitFact::DocumentTitle() const {
  std::string out = title.substr(0, title.find(" > "));
  for (std::string_view prefix : {"Known bug: ", "Known bug - "}) {
    if (out.starts_with(prefix)) out = out.substr(prefix.size());
  }
  return out;
}

void ReadKnowledge(const std::string& output, KnowledgeFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->query = JsonString(out, "query");
  facts->version_filter = JsonString(Member(out, "filters"), "version");
  facts->hits = Hits(Member(out, "hits"));
}

void ReadKnowledgeFollowUp(const std::string& output, KnowledgeFacts* facts) {
  auto parsed = ParseObject(output, &facts->followup);
  if (!parsed) return;
  facts->followup_hits = Hits(Member(*parsed, "hits"));
}

namespace {

std::vector<PastReportFact> PastReports(const Json& array) {
  std::vector<PastReportFact> out;
  if (!array.is_array()) return out;
  for (const Json& item : array) {
    // Category and severity by name (the tool writes the stored names; others are skipped).
    auto category = ParseRootCause(JsonString(item, "category"));
    auto severity = ParseSeverity(JsonString(item, "severity"));
    if (!category || !severity) continue;
    PastReportFact report;
    report.report_id = JsonString(item, "report_id");
    report.category = *category;
    report.severity = *severity;
    report.days_ago = NumberOr(item, "days_ago", 0);
    report.root_cause = JsonString(item, "root_cause");
    out.push_back(std::move(report));
  }
  return out;
}

}  // namespace

void ReadMemory(const std::string& output, MemoryFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  const Json& repeats = Member(out, "repeats_30d");
  facts->repeats_30d = JsonInt(repeats, "reports");
  const Json& by_category = Member(repeats, "by_category");
  if (by_category.is_object()) {
    for (const auto& [name, count] : by_category.items()) {
      auto category = ParseRootCause(name);
      if (category && count.is_number_integer()) {
        facts->repeats_by_category[*category] = count.get<int64_t>();
      }
    }
  }
  facts->this_cluster = PastReports(Member(out, "this_cluster"));
  facts->same_account = PastReports(Member(out, "same_account"));
}

void ReadSiblings(const std::string& output, SiblingFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->pattern = JsonString(out, "pattern");
  facts->pattern_reason = JsonString(out, "pattern_reason");
  const Json& account = Member(out, "account");
  facts->siblings = JsonInt(account, "siblings");
  facts->siblings_sharing = JsonInt(account, "sharing_alerts");
  facts->siblings_degraded_sharing = JsonInt(account, "degraded_and_sharing");
  facts->version_peers_sharing = JsonInt(Member(out, "version_peers"), "sharing_alerts");
  const Json& peers = Member(out, "peers");
  if (!peers.is_array()) return;
  for (const Json& item : peers) {
    PeerFact peer;
    peer.cluster_id = JsonString(item, "cluster_id");
    std::vector<std::string> relation = Strings(Member(item, "relation"));
    peer.same_account =
        std::find(relation.begin(), relation.end(), "same_account") != relation.end();
    peer.same_version =
        std::find(relation.begin(), relation.end(), "same_version") != relation.end();
    peer.risk_level = JsonString(item, "risk_level");
    peer.shared_alerts = Strings(Member(item, "shared_alerts"));
    facts->peers.push_back(std::move(peer));
  }
}

void ReadSql(const std::string& output, SqlFacts* facts) {
  auto parsed = ParseObject(output, &facts->source);
  if (!parsed) return;
  const Json& out = *parsed;
  facts->columns = Strings(Member(out, "columns"));
  const Json& rows = Member(out, "rows");
  if (!rows.is_array()) return;
  for (const Json& row : rows) {
    if (!row.is_array()) continue;
    facts->rows.emplace_back(row.begin(), row.end());
  }
}

}  // namespace rh::agent::internal
