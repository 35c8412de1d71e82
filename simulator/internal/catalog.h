// Static vocabulary of the simulated fleet: StarRocks versions, regions, node specs, alert
// names and the Lark-style rendering of alert messages. Internal to rh::simulator.
// Thread-safety: immutable data and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "simulator/internal/fleet_model.h"

namespace rh::simulator::internal {

struct VersionInfo {
  std::string_view version;  // "3.3.4"
  double weight;             // share of the background fleet
};
// Ascending; 2.5.x .. 3.5.x. Versions 3.2.0-3.2.2 carry the PageCache bug fixed in 3.2.3.
const std::vector<VersionInfo>& Versions();
// Position of `version` in Versions() (-1 when unknown); used to order upgrades.
int VersionRank(std::string_view version);
bool HasPageCacheBug(std::string_view version);  // 3.2.0 .. 3.2.2 (StarRocks #37740)

struct RegionInfo {
  std::string_view name;
  int tz_offset_hours;  // business hours follow this offset
  double weight;
};
const std::vector<RegionInfo>& Regions();

// Lark message pieces.
std::string DashboardUrl(const std::string& cluster_id, TimePoint from, TimePoint to);
std::string SilenceUrl(const std::string& cluster_id, std::string_view alert_name);
std::string AlertDetail(std::string_view status, const AlertEpisode& episode,
                        const Cluster& cluster, const Account& account, TimePoint alert_time);

// One Lark message of an alert episode: the Firing notification, each re-notification while it
// fires (repeat 1, 2, ... every repeat_hours) and the Resolved message; none later than
// plan.end_hour.
struct AlertMessage {
  TimePoint alert_time;
  std::string message_id;  // "om_" + 32 hex, unique per message, stable under the seed
  const AlertEpisode* episode;
  std::string status;  // Firing | Resolved
};
// Every message of `episodes` (clusters indexed into plan.clusters), in episode order. The id
// hashes the seed, the cluster, the alert name, its start, the status and the repeat; episodes
// of one cluster with the same alert name and start (a flapping alert and a background blip can
// both fire "BE CPU Alert" in one minute) are told apart by their occurrence: the first keeps
// the id it always had, the n-th (n >= 1) adds "|n" to what is hashed.
std::vector<AlertMessage> AlertMessages(const FleetPlan& plan,
                                        const std::vector<AlertEpisode>& episodes);

// "%.1f"-style number formatting that never depends on the locale.
std::string FormatNumber(double value, int decimals);

}  // namespace rh::simulator::internal
