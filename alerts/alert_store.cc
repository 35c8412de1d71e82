#include "alerts/alert_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "alerts/cluster_alerts.h"
#include "core/time_format.h"

namespace rh::alerts {
namespace {

constexpr std::string_view kColumns =
    "message_id, source, cluster_id, cluster_name, account_id, region, alert_name, severity, "
    "status, detail, dashboard_url, silence_url, alert_time, starts_at, ends_at, created_at, "
    "orphan, orphan_reason";
// What readers read: the stored columns and the number of sections of a Lark row.
constexpr std::string_view kReadColumns =
    "message_id, source, cluster_id, cluster_name, account_id, region, alert_name, severity, "
    "status, detail, dashboard_url, silence_url, alert_time, starts_at, ends_at, created_at, "
    "orphan, orphan_reason, sections";

store::Value OptionalText(const std::string& text) {
  return text.empty() ? store::Null() : store::Text(text);
}

struct KnownCluster {
  std::string cluster_id;
  std::string account_id;
  std::string region;
};

// "?, ?, ?" for `count` placeholders.
std::string Placeholders(size_t count) {
  std::string out;
  for (size_t idx = 0; idx < count; ++idx) out += idx == 0 ? "?" : ", ?";
  return out;
}

Status CheckRecord(const AlertRecord& record, size_t index) {
  const std::string where = "alert " + std::to_string(index);
  if (record.message_id.empty()) return InvalidArgument(where, "has no message_id");
  if (record.alert_name.empty()) return InvalidArgument(where, "has no alert name");
  if (record.source.empty()) return InvalidArgument(where, "has no source");
  if (record.status != kFiring && record.status != kResolved) {
    return InvalidArgument(where, "status must be Firing or Resolved; got '" + record.status + "'");
  }
  return {};
}

// Looks up the clusters the records claim, by id and by name.
Result<std::pair<std::map<std::string, KnownCluster>, std::map<std::string, KnownCluster>>>
LookUpClusters(store::Database& fleet, const std::set<std::string>& ids,
               const std::set<std::string>& names) {
  std::map<std::string, KnownCluster> by_id;
  std::map<std::string, KnownCluster> by_name;
  auto read = [&](const char* column, const std::set<std::string>& keys,
                  std::map<std::string, KnownCluster>& into) -> Status {
    if (keys.empty()) return {};
    std::vector<store::Value> params;
    for (const std::string& key : keys) params.push_back(store::Text(key));
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet.Query(std::string("SELECT cluster_id, cluster_name, account_id, region FROM "
                                "cluster_info WHERE ") +
                        column + " IN (" + Placeholders(keys.size()) + ") ORDER BY cluster_id",
                    params));
    for (const store::Row& row : rows) {
      KnownCluster cluster{row.GetString("cluster_id"), row.GetString("account_id"),
                           row.GetString("region")};
      into.emplace(row.GetString(column), cluster);  // by name: the first id wins
    }
    return {};
  };
  RH_RETURN_IF_ERROR(read("cluster_id", ids, by_id));
  RH_RETURN_IF_ERROR(read("cluster_name", names, by_name));
  return std::make_pair(std::move(by_id), std::move(by_name));
}

}  // namespace

std::string_view AlertColumns() { return kReadColumns; }

StoredAlert AlertFromRow(const store::Row& row) {
  StoredAlert stored;
  AlertRecord& alert = stored.alert;
  alert.message_id = row.GetString("message_id");
  alert.source = row.GetString("source");
  alert.cluster_id = row.GetString("cluster_id");
  alert.cluster_name = row.GetString("cluster_name");
  alert.account_id = row.GetString("account_id");
  alert.region = row.GetString("region");
  alert.alert_name = row.GetString("alert_name");
  alert.severity = row.GetString("severity");
  alert.status = row.GetString("status");
  alert.detail = row.GetString("detail");
  alert.dashboard_url = row.GetString("dashboard_url");
  alert.silence_url = row.GetString("silence_url");
  alert.alert_time = row.GetTime("alert_time");
  alert.starts_at = row.GetTime("starts_at").value_or(alert.alert_time.value_or(TimePoint{}));
  alert.ends_at = row.GetTime("ends_at");
  if (row.GetInt("orphan") != 0) {
    alert.orphan_reason = row.GetString("orphan_reason", "orphan");
  }
  stored.created_at = row.GetTime("created_at").value_or(TimePoint{});
  stored.sections = row.IsNull("sections") ? 1 : static_cast<int>(row.GetInt("sections"));
  return stored;
}

Result<StoreOutcome> AlertStore::Store(const std::vector<AlertRecord>& records) {
  StoreOutcome outcome;
  std::vector<AlertRecord> unique;
  std::set<std::string> seen;
  for (size_t idx = 0; idx < records.size(); ++idx) {
    RH_RETURN_IF_ERROR(CheckRecord(records[idx], idx));
    outcome.message_ids.push_back(records[idx].message_id);
    if (seen.insert(records[idx].message_id).second) unique.push_back(records[idx]);
  }
  outcome.received = static_cast<int>(unique.size());
  if (unique.empty()) return outcome;
  const TimePoint now = clock_.Now();
  // Insert in key order: concurrent transactions over overlapping bodies then take their row
  // locks in the same order (no deadlock on MySQL).
  std::sort(unique.begin(), unique.end(), [](const AlertRecord& a, const AlertRecord& b) {
    return a.message_id < b.message_id;
  });
  Status status = fleet_.Transaction([&]() -> Status {
    outcome.inserted = 0;
    outcome.orphans = 0;
    outcome.inserted_alerts.clear();
    std::set<std::string> ids;
    std::set<std::string> names;
    for (const AlertRecord& record : unique) {
      if (!record.cluster_id.empty()) ids.insert(record.cluster_id);
      if (!record.cluster_name.empty()) names.insert(record.cluster_name);
    }
    RH_ASSIGN_OR_RETURN(auto known, LookUpClusters(fleet_, ids, names));
    const auto& [by_id, by_name] = known;
    const std::string insert = fleet_.InsertIgnore() + " INTO lark_alerts (" +
                               std::string(kColumns) + ") VALUES (" + Placeholders(18) + ")";
    for (AlertRecord record : unique) {
      const KnownCluster* cluster = nullptr;
      if (auto found = by_id.find(record.cluster_id); found != by_id.end()) {
        cluster = &found->second;
      } else if (auto named = by_name.find(record.cluster_name); named != by_name.end()) {
        cluster = &named->second;
      }
      if (cluster != nullptr) {
        record.cluster_id = cluster->cluster_id;
        if (record.account_id.empty()) record.account_id = cluster->account_id;
        if (record.region.empty()) record.region = cluster->region;
        record.orphan_reason.clear();
      } else if (record.orphan_reason.empty()) {
        record.orphan_reason =
            record.cluster_id.empty()
                ? "cluster name '" + record.cluster_name + "' is not in the fleet (cluster_info)"
                : "cluster '" + record.cluster_id + "' is not in the fleet (cluster_info)";
        if (record.cluster_id.empty() && record.cluster_name.empty()) {
          record.orphan_reason = "the alert names no cluster";
        }
      }
      if (!record.alert_time) record.alert_time = now;
      const bool orphan = !record.orphan_reason.empty();
      RH_ASSIGN_OR_RETURN(
          int64_t changed,
          fleet_.Execute(
              insert,
              {store::Text(record.message_id), store::Text(record.source),
               store::Text(record.cluster_id), OptionalText(record.cluster_name),
               OptionalText(record.account_id), OptionalText(record.region),
               store::Text(record.alert_name), OptionalText(record.severity),
               store::Text(record.status), store::Text(record.detail),
               OptionalText(record.dashboard_url), OptionalText(record.silence_url),
               store::Time(*record.alert_time), store::Time(record.starts_at),
               record.ends_at ? store::Time(*record.ends_at) : store::Null(), store::Time(now),
               store::Int(orphan ? 1 : 0), OptionalText(record.orphan_reason)}));
      if (changed > 0) {
        ++outcome.inserted;
        if (orphan) ++outcome.orphans;
        outcome.inserted_alerts.push_back(std::move(record));
      }
    }
    return {};
  });
  if (!status) return Fail(status.error());
  outcome.duplicates = outcome.received - outcome.inserted;
  return outcome;
}

Result<AlertPage> AlertStore::List(const AlertFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return InvalidArgument("limit", "must be from 1 to 1000");
  }
  std::string sql = "SELECT " + std::string(kReadColumns) + " FROM lark_alerts WHERE 1 = 1";
  std::vector<store::Value> params;
  // A multi-section Lark row ("c-1|c-2", "Firing|Resolved") matches a cluster or status filter
  // when one of its sections does; those sections are listed (ExpandSections), each on its own.
  const bool by_section = !filter.cluster_id.empty() || filter.status.has_value();
  if (!filter.cluster_id.empty()) {
    sql += " AND (cluster_id = ? OR (sections > 1 AND cluster_id LIKE ?))";
    params.push_back(store::Text(filter.cluster_id));
    params.push_back(store::Text("%" + filter.cluster_id + "%"));
  }
  if (filter.status) {
    sql += " AND (status = ? OR sections > 1)";
    params.push_back(store::Text(*filter.status));
  }
  if (!filter.source.empty()) {
    sql += " AND source = ?";
    params.push_back(store::Text(filter.source));
  }
  if (filter.since) {
    sql += " AND alert_time >= ?";
    params.push_back(store::Time(*filter.since));
  }
  if (filter.orphans_only) sql += " AND orphan = 1";
  if (!filter.cursor.empty()) {
    // Cursor: "<alert_time SQL time>|<message_id>" of the last row of the previous page.
    size_t bar = filter.cursor.find('|');
    auto at = bar == std::string::npos ? Result<TimePoint>(InvalidArgument("", ""))
                                       : ParseSqlTime(filter.cursor.substr(0, bar));
    if (!at) return InvalidArgument("cursor", "malformed; pass next_cursor from the previous page");
    sql += " AND (alert_time < ? OR (alert_time = ? AND message_id < ?))";
    params.push_back(store::Time(*at));
    params.push_back(store::Time(*at));
    params.push_back(store::Text(filter.cursor.substr(bar + 1)));
  }
  sql += " ORDER BY alert_time DESC, message_id DESC LIMIT " + std::to_string(filter.limit + 1);
  RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet_.Query(sql, params));
  AlertPage page;
  for (size_t idx = 0; idx < rows.size() && idx < size_t(filter.limit); ++idx) {
    StoredAlert row = AlertFromRow(rows[idx]);
    if (idx + 1 == size_t(filter.limit) && rows.size() > size_t(filter.limit)) {
      // The cursor is the last row read, whether or not its sections are listed.
      page.next_cursor =
          FormatSqlTime(row.alert.alert_time.value_or(TimePoint{})) + "|" + row.alert.message_id;
    }
    if (!by_section || row.sections <= 1) {
      page.alerts.push_back(std::move(row));
      continue;
    }
    auto sections = ExpandSections(row);
    if (!sections) {  // listed whole rather than hidden
      page.alerts.push_back(std::move(row));
      continue;
    }
    for (StoredAlert& section : *sections) {
      if (!filter.cluster_id.empty() && section.alert.cluster_id != filter.cluster_id) continue;
      if (filter.status && section.alert.status != *filter.status) continue;
      page.alerts.push_back(std::move(section));
    }
  }
  return page;
}

Result<std::optional<StoredAlert>> AlertStore::Get(const std::string& message_id) {
  RH_ASSIGN_OR_RETURN(store::QueryResult rows,
                      fleet_.Query("SELECT " + std::string(kReadColumns) +
                                       " FROM lark_alerts WHERE message_id = ?",
                                   {store::Text(message_id)}));
  if (rows.empty()) return std::optional<StoredAlert>();
  return std::optional<StoredAlert>(AlertFromRow(rows.front()));
}

Result<int> AlertStore::MatchOrphans() {
  RH_ASSIGN_OR_RETURN(
      store::QueryResult orphans,
      fleet_.Query("SELECT message_id, cluster_id, cluster_name FROM lark_alerts WHERE orphan = 1 "
                   "ORDER BY message_id"));
  if (orphans.empty()) return 0;
  std::set<std::string> ids;
  std::set<std::string> names;
  for (const store::Row& row : orphans) {
    if (!row.GetString("cluster_id").empty()) ids.insert(row.GetString("cluster_id"));
    if (!row.GetString("cluster_name").empty()) names.insert(row.GetString("cluster_name"));
  }
  RH_ASSIGN_OR_RETURN(auto known, LookUpClusters(fleet_, ids, names));
  // Named references, not a structured binding: clang 14 (the fuzz build) cannot capture a
  // binding in the lambda below.
  const auto& by_id = known.first;
  const auto& by_name = known.second;
  int matched = 0;
  Status status = fleet_.Transaction([&]() -> Status {
    matched = 0;
    for (const store::Row& row : orphans) {
      const KnownCluster* cluster = nullptr;
      if (auto found = by_id.find(row.GetString("cluster_id")); found != by_id.end()) {
        cluster = &found->second;
      } else if (auto named = by_name.find(row.GetString("cluster_name"));
                 named != by_name.end()) {
        cluster = &named->second;
      }
      if (cluster == nullptr) continue;
      RH_ASSIGN_OR_RETURN(
          int64_t changed,
          fleet_.Execute("UPDATE lark_alerts SET cluster_id = ?, account_id = ?, region = ?, "
                         "orphan = 0, orphan_reason = NULL WHERE message_id = ? AND orphan = 1",
                         {store::Text(cluster->cluster_id), OptionalText(cluster->account_id),
                          OptionalText(cluster->region),
                          store::Text(row.GetString("message_id"))}));
      matched += static_cast<int>(changed);
    }
    return {};
  });
  if (!status) return Fail(status.error());
  return matched;
}

Result<int64_t> AlertStore::CountOrphans() {
  return fleet_.QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE orphan = 1");
}

}  // namespace rh::alerts
