#include "alerts/cluster_alerts.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "alerts/lark_alert_store.h"
#include "core/log.h"

namespace rh::alerts {
namespace {

// Clusters named one by one in the multi-section rows' LIKE prefilter; beyond this the
// multi-section rows of the window are read whole and filtered here.
constexpr size_t kMaxLikeClusters = 20;
constexpr size_t kInListChunk = 200;

std::string Placeholders(size_t count) {
  std::string out;
  for (size_t idx = 0; idx < count; ++idx) out += idx == 0 ? "?" : ", ?";
  return out;
}

// " AND alert_time >= ? AND alert_time <= ?" (and the status) for the query.
std::string TimeAndStatus(const ClusterAlertQuery& query, bool single_section,
                          std::vector<store::Value>& params) {
  std::string sql;
  if (query.from) {
    sql += query.from_inclusive ? " AND alert_time >= ?" : " AND alert_time > ?";
    params.push_back(store::Time(*query.from));
  }
  if (query.to) {
    sql += query.to_inclusive ? " AND alert_time <= ?" : " AND alert_time < ?";
    params.push_back(store::Time(*query.to));
  }
  if (single_section && query.firing_only) sql += " AND status = 'Firing'";
  return sql;
}

bool Before(const StoredAlert& a, const StoredAlert& b) {
  return std::tie(*a.alert.alert_time, a.alert.message_id, a.section) <
         std::tie(*b.alert.alert_time, b.alert.message_id, b.section);
}

}  // namespace

Result<std::vector<StoredAlert>> ExpandSections(const StoredAlert& row) {
  if (row.sections <= 1) return std::vector<StoredAlert>{row};
  const AlertRecord& whole = row.alert;
  LarkAlertRow lark;
  lark.message_id = whole.message_id;
  lark.sections = row.sections;
  lark.cluster_name = whole.cluster_name;
  lark.region = whole.region;
  lark.cluster_id = whole.cluster_id;
  lark.status = whole.status;
  lark.alert_name = whole.alert_name;
  lark.detail = whole.detail;
  lark.severity = whole.severity;
  lark.dashboard_url = whole.dashboard_url;
  lark.silence_url = whole.silence_url;
  RH_ASSIGN_OR_RETURN(std::vector<LarkAlertSection> sections, SectionsOf(lark));
  std::vector<StoredAlert> out;
  out.reserve(sections.size());
  for (size_t idx = 0; idx < sections.size(); ++idx) {
    const LarkAlertSection& section = sections[idx];
    StoredAlert alert = row;
    alert.section = static_cast<int>(idx) + 1;
    alert.alert.cluster_name = section.cluster_name;
    alert.alert.region = section.region;
    alert.alert.cluster_id = section.cluster_id;
    alert.alert.status = section.status == LarkAlertStatus::kFiring ? kFiring : kResolved;
    alert.alert.alert_name = section.alert_name;
    alert.alert.detail = section.alert_detail;
    alert.alert.severity = section.severity;
    alert.alert.dashboard_url = section.dashboard_url;
    alert.alert.silence_url = section.silence_url;
    out.push_back(std::move(alert));
  }
  return out;
}

Result<std::vector<StoredAlert>> ReadClusterAlerts(store::Database& fleet,
                                                   const ClusterAlertQuery& query) {
  const std::string select = "SELECT " + std::string(AlertColumns()) +
                             " FROM lark_alerts WHERE orphan = 0";
  const std::string order = query.newest_first ? " ORDER BY alert_time DESC, message_id DESC"
                                               : " ORDER BY alert_time, message_id";
  const std::string single = " AND (sections IS NULL OR sections <= 1)";
  const std::string limit =
      query.limit > 0 ? " LIMIT " + std::to_string(query.limit) : std::string();
  std::vector<StoredAlert> out;
  auto add_whole = [&](const store::QueryResult& rows) {
    for (const store::Row& row : rows) {
      StoredAlert alert = AlertFromRow(row);
      if (!alert.alert.alert_time) alert.alert.alert_time = alert.created_at;
      out.push_back(std::move(alert));
    }
  };

  // One-section rows: by cluster id (the index), or all of the window.
  if (query.cluster_ids.empty()) {
    std::vector<store::Value> params;
    std::string sql = select + " AND cluster_id <> ''" + single;
    sql += TimeAndStatus(query, true, params);
    RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(sql + order + limit, params));
    add_whole(rows);
  } else {
    for (size_t start = 0; start < query.cluster_ids.size(); start += kInListChunk) {
      const size_t count = std::min(kInListChunk, query.cluster_ids.size() - start);
      std::vector<store::Value> params;
      for (size_t idx = start; idx < start + count; ++idx) {
        params.push_back(store::Text(query.cluster_ids[idx]));
      }
      std::string sql = select + " AND cluster_id IN (" + Placeholders(count) + ")" + single;
      sql += TimeAndStatus(query, true, params);
      RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(sql + order + limit, params));
      add_whole(rows);
    }
  }

  // Multi-section rows (rare): prefiltered by LIKE on the joined cluster ids, split here.
  {
    std::vector<store::Value> params;
    std::string sql = select + " AND sections > 1";
    sql += TimeAndStatus(query, false, params);
    if (!query.cluster_ids.empty() && query.cluster_ids.size() <= kMaxLikeClusters) {
      std::string any;
      for (const std::string& id : query.cluster_ids) {
        any += (any.empty() ? "" : " OR ") + std::string("cluster_id LIKE ?");
        params.push_back(store::Text("%" + id + "%"));
      }
      sql += " AND (" + any + ")";
    }
    RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(sql + order, params));
    const std::set<std::string> wanted(query.cluster_ids.begin(), query.cluster_ids.end());
    for (const store::Row& row : rows) {
      StoredAlert whole = AlertFromRow(row);
      if (!whole.alert.alert_time) whole.alert.alert_time = whole.created_at;
      auto sections = ExpandSections(whole);
      if (!sections) {
        Logger("alerts")->warn("lark_alerts {} read whole: {}", whole.alert.message_id,
                               sections.error().ToString());
        sections = std::vector<StoredAlert>{whole};
      }
      for (StoredAlert& alert : *sections) {
        if (alert.alert.cluster_id.empty()) continue;
        if (!wanted.empty() && !wanted.count(alert.alert.cluster_id)) continue;
        if (query.firing_only && alert.alert.status != kFiring) continue;
        out.push_back(std::move(alert));
      }
    }
  }

  if (query.newest_first) {
    std::sort(out.begin(), out.end(),
              [](const StoredAlert& a, const StoredAlert& b) { return Before(b, a); });
  } else {
    std::sort(out.begin(), out.end(), Before);
  }
  if (query.limit > 0 && out.size() > static_cast<size_t>(query.limit)) {
    out.resize(static_cast<size_t>(query.limit));
  }
  return out;
}

}  // namespace rh::alerts
