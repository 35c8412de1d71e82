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

// "%.1f"-style number formatting that never depends on the locale.
std::string FormatNumber(double value, int decimals);

}  // namespace rh::simulator::internal
