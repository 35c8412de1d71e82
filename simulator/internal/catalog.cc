#include "simulator/internal/catalog.h"

#include <charconv>
#include <map>
#include <tuple>

#include "core/ids.h"
#include "core/time_format.h"
#include "core/url.h"

namespace rh::simulator::internal {

const std::vector<VersionInfo>& Versions() {
  static const std::vector<VersionInfo> versions = {
      {"2.5.13", 2.0}, {"2.5.17", 2.5}, {"2.5.21", 3.0}, {"3.0.6", 1.5},  {"3.0.9", 3.0},
      {"3.1.8", 2.5},  {"3.1.11", 4.0}, {"3.1.14", 5.0}, {"3.2.0", 0.4},  {"3.2.1", 0.6},
      {"3.2.2", 0.8},  {"3.2.6", 4.0},  {"3.2.8", 7.0},  {"3.2.11", 7.0}, {"3.2.13", 5.0},
      {"3.3.2", 4.0},  {"3.3.4", 7.0},  {"3.3.7", 6.0},  {"3.3.9", 6.0},  {"3.3.13", 5.0},
      {"3.4.1", 4.0},  {"3.4.3", 5.0},  {"3.4.5", 4.0},  {"3.5.0", 3.0},  {"3.5.2", 3.0},
      {"3.5.4", 2.0},
  };
  return versions;
}

int VersionRank(std::string_view version) {
  const auto& versions = Versions();
  for (size_t version_idx = 0; version_idx < versions.size(); ++version_idx) {
    if (versions[version_idx].version == version) return static_cast<int>(version_idx);
  }
  return -1;
}

bool HasPageCacheBug(std::string_view version) {
  return version == "3.2.0" || version == "3.2.1" || version == "3.2.2";
}

const std::vector<RegionInfo>& Regions() {
  static const std::vector<RegionInfo> regions = {
      {"cn-hangzhou", 8, 24},   {"cn-beijing", 8, 18},    {"cn-shanghai", 8, 15},
      {"cn-shenzhen", 8, 10},   {"ap-southeast-1", 8, 10}, {"ap-northeast-1", 9, 5},
      {"us-west-1", -8, 6},     {"us-east-1", -5, 5},      {"eu-central-1", 1, 7},
  };
  return regions;
}

std::string FormatNumber(double value, int decimals) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed,
                              decimals);
  return std::string(buffer, result.ptr);
}

namespace {

int64_t EpochMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string DashboardUrl(const std::string& cluster_id, TimePoint from, TimePoint to) {
  return "https://grafana.example.com/d/starrocks-overview/starrocks-cluster-overview?var-cluster=" +
         cluster_id + "&from=" + std::to_string(EpochMillis(from)) +
         "&to=" + std::to_string(EpochMillis(to));
}

std::string SilenceUrl(const std::string& cluster_id, std::string_view alert_name) {
  const std::string matchers =
      "{cluster_id=\"" + cluster_id + "\",alertname=\"" + std::string(alert_name) + "\"}";
  return "https://alertmanager.example.com/#/silences/new?filter=" + PercentEncode(matchers);
}

std::string AlertDetail(std::string_view status, const AlertEpisode& episode,
                        const Cluster& cluster, const Account& account, TimePoint alert_time) {
  std::string out;
  out.reserve(512);
  out += "[" + std::string(status) + "] " + episode.alert_name + "\n";
  out += "Cluster: " + cluster.name + " (" + cluster.id + ")\n";
  out += "Account: " + account.name + " (" + account.id + "), tier " + account.tier + "\n";
  out += "Region: " + cluster.region + "\n";
  out += "Severity: " + episode.severity + "\n";
  out += "Summary: " + episode.summary + "\n";
  out += "Value: " + episode.value + "\n";
  out += "Starts at: " + FormatSqlTime(episode.starts_at) + " UTC\n";
  if (status == "Resolved" && episode.ends_at) {
    out += "Ended at: " + FormatSqlTime(*episode.ends_at) + " UTC (lasted " +
           FormatDurationShort(*episode.ends_at - episode.starts_at) + ")\n";
  } else if (alert_time > episode.starts_at) {
    out += "Still firing after " + FormatDurationShort(alert_time - episode.starts_at) +
           " (repeat notification)\n";
  }
  return out;
}

namespace {

std::string MessageId(uint64_t seed, const std::string& cluster_id, const AlertEpisode& episode,
                      std::string_view status, int repeat, int occurrence) {
  return "om_" + Sha256Hex(std::to_string(seed) + "|" + cluster_id + "|" + episode.alert_name +
                           "|" + FormatSqlTime(episode.starts_at) + "|" + std::string(status) +
                           "|" + std::to_string(repeat) +
                           (occurrence > 0 ? "|" + std::to_string(occurrence) : ""))
                     .substr(0, 32);
}

}  // namespace

std::vector<AlertMessage> AlertMessages(const FleetPlan& plan,
                                        const std::vector<AlertEpisode>& episodes) {
  std::vector<AlertMessage> messages;
  // (cluster, alert name, start) -> episodes seen so far with that key.
  std::map<std::tuple<int, std::string, TimePoint>, int> seen;
  for (const AlertEpisode& episode : episodes) {
    const std::string& cluster_id = plan.clusters[static_cast<size_t>(episode.cluster_index)].id;
    if (episode.starts_at > plan.end_hour) continue;
    const int occurrence =
        seen[std::make_tuple(episode.cluster_index, episode.alert_name, episode.starts_at)]++;
    messages.push_back(
        {episode.starts_at, MessageId(plan.seed, cluster_id, episode, "Firing", 0, occurrence),
         &episode, "Firing"});
    if (episode.repeat_hours > 0) {
      for (int repeat = 1;; ++repeat) {
        const TimePoint again =
            episode.starts_at + std::chrono::hours(episode.repeat_hours * repeat);
        if (again > plan.end_hour || (episode.ends_at && again >= *episode.ends_at)) break;
        messages.push_back(
            {again, MessageId(plan.seed, cluster_id, episode, "Firing", repeat, occurrence),
             &episode, "Firing"});
      }
    }
    if (episode.ends_at && *episode.ends_at <= plan.end_hour) {
      messages.push_back({*episode.ends_at,
                          MessageId(plan.seed, cluster_id, episode, "Resolved", 0, occurrence),
                          &episode, "Resolved"});
    }
  }
  return messages;
}

}  // namespace rh::simulator::internal
