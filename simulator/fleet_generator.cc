#include "simulator/fleet_generator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"
#include "simulator/ground_truth.h"
#include "simulator/internal/catalog.h"
#include "simulator/internal/metric_model.h"
#include "simulator/internal/planner.h"
#include "simulator/internal/row_writer.h"
#include "simulator/internal/scenarios.h"
#include "store/schema.h"

namespace rh::simulator {
namespace {

using internal::AlertEpisode;
using internal::FleetPlan;
using internal::HourValues;
using internal::RowWriter;
using store::Int;
using store::Null;
using store::Real;
using store::Text;
using store::Time;

constexpr int kMaxClusters = 100000;
constexpr int kMaxDays = 366;
constexpr int kSnapshotRowsPerTransaction = 5000;
constexpr const char* kGeneratorVersion = "rockhound-simulator/1";

// Every table a fleet lives in, children first.
const std::vector<std::string>& FleetTables() {
  static const std::vector<std::string> tables = {
      "amv_hourly_snapshots_v1", "lark_alerts",          "cluster_operations",
      "cluster_health_scores",   "cluster_risk_snapshots", "cluster_node_groups",
      "cluster_info",            "dim_customer_profile", "fleet_meta"};
  return tables;
}

// Cluster indices ordered by cluster id (the order rows are written in: it hides the planning
// order and makes SQLite's inserts sequential in the primary key).
std::vector<int> ClusterWriteOrder(const FleetPlan& plan) {
  std::vector<int> order(plan.clusters.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return plan.clusters[static_cast<size_t>(a)].id < plan.clusters[static_cast<size_t>(b)].id;
  });
  return order;
}

Status WriteInventory(store::Database& db, const FleetPlan& plan, const std::vector<int>& order) {
  std::vector<int> account_order(plan.accounts.size());
  std::iota(account_order.begin(), account_order.end(), 0);
  std::sort(account_order.begin(), account_order.end(), [&](int a, int b) {
    return plan.accounts[static_cast<size_t>(a)].id < plan.accounts[static_cast<size_t>(b)].id;
  });
  RowWriter accounts(db, "dim_customer_profile",
                     {"account_id", "account_name", "customer_tier", "owner", "industry",
                      "created_at"},
                     internal::RowsPerStatement(db, 6));
  for (int account_index : account_order) {
    const internal::Account& account = plan.accounts[static_cast<size_t>(account_index)];
    accounts.Add(Text(account.id));
    accounts.Add(Text(account.name));
    accounts.Add(Text(account.tier));
    accounts.Add(Text(account.owner));
    accounts.Add(Text(account.industry));
    accounts.Add(Time(account.created_at));
    RH_RETURN_IF_ERROR(accounts.EndRow());
  }
  RH_RETURN_IF_ERROR(accounts.Flush());

  RowWriter clusters(db, "cluster_info",
                     {"cluster_id", "cluster_name", "account_id", "region", "version", "run_mode",
                      "package_type", "status", "created_at", "updated_at"},
                     internal::RowsPerStatement(db, 10));
  RowWriter groups(db, "cluster_node_groups",
                   {"cluster_id", "node_type", "node_count", "cu", "spec_type", "disk_size_gb",
                    "essd_level"},
                   internal::RowsPerStatement(db, 7));
  for (int cluster_index : order) {
    const internal::Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
    clusters.Add(Text(cluster.id));
    clusters.Add(Text(cluster.name));
    clusters.Add(Text(plan.accounts[static_cast<size_t>(cluster.account_index)].id));
    clusters.Add(Text(cluster.region));
    clusters.Add(Text(cluster.version));
    clusters.Add(Text(cluster.run_mode == internal::RunMode::kSharedNothing ? "shared_nothing"
                                                                            : "shared_data"));
    clusters.Add(Text(cluster.package_type));
    clusters.Add(Text(cluster.status));
    clusters.Add(Time(cluster.created_at));
    clusters.Add(Time(cluster.updated_at));
    RH_RETURN_IF_ERROR(clusters.EndRow());
    for (const internal::NodeGroup* group : {&cluster.fe, &cluster.compute}) {
      groups.Add(Text(cluster.id));
      groups.Add(Text(group->node_type));
      groups.Add(Int(group->count));
      groups.Add(Int(group->cu));
      groups.Add(Text(group->spec_type));
      groups.Add(Int(group->disk_gb));
      groups.Add(group->essd_level.empty() ? Null() : Text(group->essd_level));
      RH_RETURN_IF_ERROR(groups.EndRow());
    }
  }
  RH_RETURN_IF_ERROR(clusters.Flush());
  return groups.Flush();
}

Status WriteMeta(store::Database& db, const std::vector<std::pair<std::string, std::string>>& rows) {
  RowWriter meta(db, "fleet_meta", {"meta_key", "meta_value"}, 64);
  for (const auto& [key, value] : rows) {
    meta.Add(Text(key));
    meta.Add(Text(value));
    RH_RETURN_IF_ERROR(meta.EndRow());
  }
  return meta.Flush();
}

Result<int64_t> WriteAlerts(store::Database& db, const FleetPlan& plan,
                            const std::vector<AlertEpisode>& episodes) {
  using internal::AlertMessage;
  std::vector<AlertMessage> messages = internal::AlertMessages(plan, episodes);
  std::sort(messages.begin(), messages.end(), [](const AlertMessage& a, const AlertMessage& b) {
    if (a.alert_time != b.alert_time) return a.alert_time < b.alert_time;
    return a.message_id < b.message_id;
  });
  RowWriter writer(db, "lark_alerts",
                   {"message_id", "cluster_id", "account_id", "region", "alert_name", "severity",
                    "status", "detail", "dashboard_url", "silence_url", "source", "alert_time",
                    "starts_at", "ends_at", "created_at"},
                   internal::RowsPerStatement(db, 15));
  for (const AlertMessage& message : messages) {
    const AlertEpisode& episode = *message.episode;
    const internal::Cluster& cluster = plan.clusters[static_cast<size_t>(episode.cluster_index)];
    const internal::Account& account = plan.accounts[static_cast<size_t>(cluster.account_index)];
    const bool resolved = message.status == "Resolved";
    writer.Add(Text(message.message_id));
    writer.Add(Text(cluster.id));
    writer.Add(Text(account.id));
    writer.Add(Text(cluster.region));
    writer.Add(Text(episode.alert_name));
    writer.Add(Text(episode.severity));
    writer.Add(Text(message.status));
    writer.Add(Text(internal::AlertDetail(message.status, episode, cluster, account,
                                          message.alert_time)));
    writer.Add(Text(internal::DashboardUrl(cluster.id, episode.starts_at - std::chrono::hours(1),
                                           message.alert_time + std::chrono::hours(1))));
    writer.Add(Text(internal::SilenceUrl(cluster.id, episode.alert_name)));
    writer.Add(Text("lark"));
    writer.Add(Time(message.alert_time));
    writer.Add(Time(episode.starts_at));
    writer.Add(resolved ? Time(*episode.ends_at) : Null());
    writer.Add(Time(message.alert_time));
    RH_RETURN_IF_ERROR(writer.EndRow());
  }
  RH_RETURN_IF_ERROR(writer.Flush());
  return writer.rows_written();
}

std::string_view OperationType(internal::OperationKind kind) {
  switch (kind) {
    case internal::OperationKind::kUpdate: return "UPDATE";
    case internal::OperationKind::kScale: return "SCALE";
    case internal::OperationKind::kRestart: return "RESTART";
    case internal::OperationKind::kUpgrade: return "UPGRADE";
    case internal::OperationKind::kStop: return "STOP";
    case internal::OperationKind::kStart: return "START";
  }
  return "UPDATE";
}

Result<int64_t> WriteOperations(store::Database& db, const FleetPlan& plan) {
  // plan.operations is sorted by cluster, then time (ChainOperations): number them per cluster.
  struct Numbered {
    const internal::Operation* op;
    std::string id;
  };
  std::vector<Numbered> numbered;
  int ordinal = 0;
  for (size_t op_idx = 0; op_idx < plan.operations.size(); ++op_idx) {
    const internal::Operation& op = plan.operations[op_idx];
    if (op_idx > 0 && plan.operations[op_idx - 1].cluster_index != op.cluster_index) ordinal = 0;
    const std::string& cluster_id = plan.clusters[static_cast<size_t>(op.cluster_index)].id;
    numbered.push_back({&op, internal::OperationId(plan.seed, cluster_id, ordinal++)});
  }
  std::sort(numbered.begin(), numbered.end(), [](const Numbered& a, const Numbered& b) {
    if (a.op->started_at != b.op->started_at) return a.op->started_at < b.op->started_at;
    return a.id < b.id;
  });
  RowWriter writer(db, "cluster_operations",
                   {"operation_id", "cluster_id", "account_id", "operation_type", "actor",
                    "parameters", "result", "started_at", "finished_at"},
                   internal::RowsPerStatement(db, 9));
  for (const Numbered& entry : numbered) {
    const internal::Operation& op = *entry.op;
    const internal::Cluster& cluster = plan.clusters[static_cast<size_t>(op.cluster_index)];
    writer.Add(Text(entry.id));
    writer.Add(Text(cluster.id));
    writer.Add(Text(plan.accounts[static_cast<size_t>(cluster.account_index)].id));
    writer.Add(Text(std::string(OperationType(op.kind))));
    writer.Add(Text(op.actor));
    writer.Add(Text(op.parameters));
    writer.Add(Text(op.result));
    writer.Add(Time(op.started_at));
    writer.Add(op.finished_at ? Time(*op.finished_at) : Null());
    RH_RETURN_IF_ERROR(writer.EndRow());
  }
  RH_RETURN_IF_ERROR(writer.Flush());
  return writer.rows_written();
}

Result<int64_t> WriteGroundTruth(store::Database& db, const FleetPlan& plan) {
  RowWriter writer(db, "sim_ground_truth",
                   {"incident_id", "cluster_id", "account_id", "scenario", "category",
                    "expected_severity", "window_start", "window_end", "red_herring",
                    "description"},
                   internal::RowsPerStatement(db, 10));
  for (const internal::Incident& incident : plan.incidents) {
    std::vector<size_t> roles(incident.clusters.size());
    std::iota(roles.begin(), roles.end(), 0);
    std::sort(roles.begin(), roles.end(), [&](size_t a, size_t b) {
      return plan.clusters[static_cast<size_t>(incident.clusters[a])].id <
             plan.clusters[static_cast<size_t>(incident.clusters[b])].id;
    });
    for (size_t role : roles) {
      const internal::Cluster& cluster =
          plan.clusters[static_cast<size_t>(incident.clusters[role])];
      writer.Add(Text(incident.id));
      writer.Add(Text(cluster.id));
      writer.Add(Text(plan.accounts[static_cast<size_t>(cluster.account_index)].id));
      writer.Add(Text(incident.scenario));
      writer.Add(Text(std::string(RootCauseName(incident.category))));
      writer.Add(Text(std::string(SeverityName(incident.severity))));
      writer.Add(Time(incident.window_start[role]));
      writer.Add(Time(plan.end_hour));
      // Only the first cluster of an incident carries its red herring.
      writer.Add(role == 0 && !incident.red_herring_text.empty() ? Text(incident.red_herring_text)
                                                                 : Null());
      writer.Add(Text(incident.descriptions[role]));
      RH_RETURN_IF_ERROR(writer.EndRow());
    }
  }
  RH_RETURN_IF_ERROR(writer.Flush());
  return writer.rows_written();
}

// SQLite bulk load: the snapshot table's secondary indexes are dropped while it is filled and
// rebuilt afterwards from their own DDL (one sort instead of millions of scattered index
// updates, which would rewrite the same index pages into the WAL at every commit). The DDL is
// parked in fleet_meta ("deferred_index:<name>") in the same transaction as the DROP, so a run
// killed half-way gets its indexes back at the next ClearFleet or GenerateFleet.
constexpr const char* kDeferredIndexPrefix = "deferred_index:";

Status DropSnapshotIndexes(store::Database& db) {
  if (db.dialect() != store::Dialect::kSqlite) return {};
  return db.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(store::QueryResult indexes,
                        db.Query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                 "tbl_name = 'amv_hourly_snapshots_v1' AND sql IS NOT NULL "
                                 "ORDER BY name"));
    for (const store::Row row : indexes) {
      const std::string name = row.GetString(0);
      RH_RETURN_IF_ERROR(db.Execute("INSERT INTO fleet_meta (meta_key, meta_value) VALUES (?, ?)",
                                    {Text(kDeferredIndexPrefix + name), Text(row.GetString(1))}));
      RH_RETURN_IF_ERROR(db.Execute("DROP INDEX IF EXISTS " + name));
    }
    return {};
  });
}

// Recreates every index parked by DropSnapshotIndexes (no-op when none is).
Status RestoreSnapshotIndexes(store::Database& db) {
  if (db.dialect() != store::Dialect::kSqlite) return {};
  RH_ASSIGN_OR_RETURN(bool has_meta, db.TableExists("fleet_meta"));
  if (!has_meta) return {};
  RH_ASSIGN_OR_RETURN(int64_t parked_count,
                      db.QueryInt("SELECT COUNT(*) FROM fleet_meta WHERE meta_key LIKE "
                                  "'deferred_index:%'"));
  if (parked_count == 0) return {};
  // Sort in temporary files rather than in memory (the connection may use temp_store=MEMORY):
  // the sort of a 10,000-cluster fleet would otherwise take gigabytes of RAM.
  RH_ASSIGN_OR_RETURN(int64_t temp_store, db.QueryInt("PRAGMA temp_store"));
  RH_RETURN_IF_ERROR(db.Execute("PRAGMA temp_store = FILE"));
  Status rebuilt = db.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(store::QueryResult parked,
                        db.Query("SELECT meta_key, meta_value FROM fleet_meta WHERE meta_key "
                                 "LIKE 'deferred_index:%' ORDER BY meta_key"));
    for (const store::Row row : parked) {
      const std::string name = row.GetString(0).substr(std::string(kDeferredIndexPrefix).size());
      std::string create = row.GetString(1);
      // "CREATE INDEX name" -> "CREATE INDEX IF NOT EXISTS name": a retry is harmless.
      const std::string plain = "CREATE INDEX " + name;
      if (create.rfind(plain, 0) == 0) {
        create = "CREATE INDEX IF NOT EXISTS " + name + create.substr(plain.size());
      }
      auto created = db.Execute(create);
      if (!created) return Fail(created.error().WithContext("rebuild index " + name));
      RH_RETURN_IF_ERROR(
          db.Execute("DELETE FROM fleet_meta WHERE meta_key = ?", {Text(row.GetString(0))}));
    }
    return {};
  });
  RH_RETURN_IF_ERROR(db.Execute("PRAGMA temp_store = " + std::to_string(temp_store)));
  return rebuilt;
}

Status Generate(store::Database& db, const FleetParams& params, int incident_count,
                const ProgressCallback& progress, GenerationStats& stats) {
  FleetPlan plan = internal::PlanFleet(params, incident_count);
  const std::vector<int> order = ClusterWriteOrder(plan);
  const std::string end_text = FormatSqlTime(plan.end_hour);

  RH_RETURN_IF_ERROR(db.Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(WriteInventory(db, plan, order));
    return WriteMeta(db, {{"sim_status", "generating"}});
  }));

  // Snapshots: cluster by cluster, a few thousand rows per transaction.
  const auto& metric_names = internal::MetricNames();
  std::vector<std::string> hour_texts;
  hour_texts.reserve(static_cast<size_t>(plan.hours));
  for (int hour_idx = 0; hour_idx < plan.hours; ++hour_idx) {
    hour_texts.push_back(FormatSqlTime(plan.HourTime(hour_idx)));
  }
  std::vector<AlertEpisode> incident_alerts;
  RowWriter snapshots(db, "amv_hourly_snapshots_v1",
                      {"cluster_id", "snapshot_hour", "metric_name", "avg_value", "max_value",
                       "p99_value"},
                      internal::RowsPerStatement(db, 6));
  const int rows_per_cluster = plan.hours * internal::kMetricCount;
  const size_t clusters_per_transaction =
      static_cast<size_t>(std::max(1, kSnapshotRowsPerTransaction / rows_per_cluster));
  std::vector<HourValues> series;
  RH_RETURN_IF_ERROR(DropSnapshotIndexes(db));
  auto write_snapshots = [&]() -> Status {
    for (size_t batch_begin = 0; batch_begin < order.size(); batch_begin += clusters_per_transaction) {
      const size_t batch_end = std::min(order.size(), batch_begin + clusters_per_transaction);
      RH_RETURN_IF_ERROR(db.Transaction([&]() -> Status {
        for (size_t order_idx = batch_begin; order_idx < batch_end; ++order_idx) {
          const int cluster_index = order[order_idx];
          const internal::Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
          const internal::ClusterProfile profile = internal::MakeProfile(plan, cluster_index);
          internal::GenerateBackground(plan, cluster_index, profile, series);
          internal::ApplyIncident(plan, cluster_index, series);
          internal::FinishSeries(series);
          internal::BuildIncidentEvents(plan, cluster_index, series, incident_alerts);
          for (int hour_idx = 0; hour_idx < plan.hours; ++hour_idx) {
            const HourValues& hour = series[static_cast<size_t>(hour_idx)];
            if (!hour.present) continue;
            for (int metric_idx = 0; metric_idx < internal::kMetricCount; ++metric_idx) {
              const internal::MetricSample& sample = hour.metrics[static_cast<size_t>(metric_idx)];
              snapshots.Add(Text(cluster.id));
              snapshots.Add(Text(hour_texts[static_cast<size_t>(hour_idx)]));
              snapshots.Add(Text(metric_names[static_cast<size_t>(metric_idx)]));
              snapshots.Add(Real(sample.avg));
              snapshots.Add(Real(sample.max));
              snapshots.Add(sample.has_p99 ? Real(sample.p99) : Null());
              RH_RETURN_IF_ERROR(snapshots.EndRow());
            }
          }
        }
        return snapshots.Flush();
      }));
      if (progress) {
        progress({"snapshots", static_cast<int64_t>(batch_end), static_cast<int64_t>(order.size())});
      }
    }
    return {};
  };
  const Status snapshots_written = write_snapshots();
  // Rebuild the indexes whatever happened, so a failed run leaves the schema intact.
  const Status indexes_restored = RestoreSnapshotIndexes(db);
  RH_RETURN_IF_ERROR(snapshots_written);
  RH_RETURN_IF_ERROR(indexes_restored);
  stats.snapshot_rows = snapshots.rows_written();

  std::vector<AlertEpisode> episodes = plan.alerts;
  episodes.insert(episodes.end(), incident_alerts.begin(), incident_alerts.end());
  RH_RETURN_IF_ERROR(db.Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(stats.alert_messages, WriteAlerts(db, plan, episodes));
    RH_ASSIGN_OR_RETURN(stats.operations, WriteOperations(db, plan));
    RH_ASSIGN_OR_RETURN(stats.ground_truth_rows, WriteGroundTruth(db, plan));
    RH_RETURN_IF_ERROR(
        db.Execute("DELETE FROM fleet_meta WHERE meta_key = ?", {Text("sim_status")}));
    const TimePoint generated_at = params.generated_at.value_or(params.end_hour);
    return WriteMeta(db, {{"sim_seed", std::to_string(params.seed)},
                          {"sim_clusters", std::to_string(params.clusters)},
                          {"sim_days", std::to_string(params.days)},
                          {"sim_end", end_text},
                          {"sim_first_hour", FormatSqlTime(plan.first_hour)},
                          {"sim_incidents", std::to_string(plan.incidents.size())},
                          {"sim_scenarios", std::string(ScenarioSetName(params.scenarios))},
                          {"sim_generator", kGeneratorVersion},
                          {"generated_at", FormatSqlTime(generated_at)},
                          {"sim_status", "complete"}});
  }));
  if (progress) progress({"done", 1, 1});

  stats.accounts = static_cast<int64_t>(plan.accounts.size());
  stats.clusters = static_cast<int64_t>(plan.clusters.size());
  stats.node_groups = stats.clusters * 2;
  stats.incidents = static_cast<int64_t>(plan.incidents.size());
  stats.first_hour = plan.first_hour;
  stats.end_hour = plan.end_hour;
  return {};
}

}  // namespace

int MaxIncidentCount(int clusters, ScenarioSet set) {
  const int capacity = static_cast<int>(std::floor(0.6 * std::max(0, clusters)));
  int count = 0;
  int used = 0;
  while (true) {
    const int need = internal::MaxClustersForIncident(count, set);
    if (used + need > capacity) break;
    used += need;
    ++count;
  }
  return count;
}

int DefaultIncidentCount(int clusters, ScenarioSet set) {
  const int wanted = std::max(internal::ScenarioFamilyCount(set),
                              static_cast<int>(std::lround(0.04 * clusters)));
  return std::min(wanted, MaxIncidentCount(clusters, set));
}

Status ValidateFleetParams(const FleetParams& params) {
  if (params.clusters < 1 || params.clusters > kMaxClusters) {
    return InvalidArgument("clusters", "must be between 1 and " + std::to_string(kMaxClusters) +
                                           " (got " + std::to_string(params.clusters) + ")");
  }
  if (params.days < 1 || params.days > kMaxDays) {
    return InvalidArgument("days", "must be between 1 and " + std::to_string(kMaxDays) +
                                       " (got " + std::to_string(params.days) + ")");
  }
  if (params.end_hour < MakeUtcTime(2000, 1, 1) || params.end_hour > MakeUtcTime(2200, 1, 1)) {
    return InvalidArgument("end", "must be a time between 2000 and 2200, e.g. \"2026-11-21 "
                                  "10:00:00\" (got " + FormatSqlTime(params.end_hour) + ")");
  }
  if (FloorToHour(params.end_hour) != params.end_hour) {
    return InvalidArgument("end", "must be on the hour (minutes and seconds zero), e.g. " +
                                      FormatSqlTime(FloorToHour(params.end_hour)) + "; got " +
                                      FormatSqlTime(params.end_hour));
  }
  if (params.incidents) {
    const int max = MaxIncidentCount(params.clusters, params.scenarios);
    if (*params.incidents < 0) {
      return InvalidArgument("incidents", "must be 0 or more (got " +
                                              std::to_string(*params.incidents) + ")");
    }
    if (*params.incidents > max) {
      return InvalidArgument(
          "incidents", "a fleet of " + std::to_string(params.clusters) + " clusters holds at most " +
                           std::to_string(max) + " labelled incidents (incident clusters may take "
                           "at most 60% of the fleet; got " + std::to_string(*params.incidents) +
                           "): raise --clusters or lower --incidents");
    }
  }
  return {};
}

Result<int64_t> ExistingClusterCount(store::Database& db) {
  RH_ASSIGN_OR_RETURN(bool exists, db.TableExists("cluster_info"));
  if (!exists) return 0;
  return db.QueryInt("SELECT COUNT(*) FROM cluster_info");
}

Status ClearFleet(store::Database& db) {
  std::vector<std::string> tables;
  for (const std::string& table : FleetTables()) {
    RH_ASSIGN_OR_RETURN(bool exists, db.TableExists(table));
    if (exists) tables.push_back(table);
  }
  RH_ASSIGN_OR_RETURN(bool has_ground_truth, db.TableExists(kGroundTruthTable));
  if (has_ground_truth) tables.emplace_back(kGroundTruthTable);
  if (db.dialect() == store::Dialect::kMysql) {
    // TRUNCATE is far faster than DELETE for millions of rows (it commits implicitly).
    for (const std::string& table : tables) {
      auto truncated = db.Execute("TRUNCATE TABLE " + table);
      if (!truncated) return Fail(truncated.error().WithContext("clear " + table));
    }
    return {};
  }
  RH_RETURN_IF_ERROR(db.Transaction([&]() -> Status {
    for (const std::string& table : tables) {
      // Parked index definitions survive until the (now instant) rebuild below.
      auto deleted = db.Execute(table == "fleet_meta"
                                    ? "DELETE FROM fleet_meta WHERE meta_key NOT LIKE "
                                      "'deferred_index:%'"
                                    : "DELETE FROM " + table);
      if (!deleted) return Fail(deleted.error().WithContext("clear " + table));
    }
    return {};
  }));
  return RestoreSnapshotIndexes(db);
}

Result<GenerationStats> GenerateFleet(store::Database& db, const FleetParams& params,
                                      const ProgressCallback& progress) {
  RH_RETURN_IF_ERROR(ValidateFleetParams(params));
  RH_RETURN_IF_ERROR(internal::CheckMetricCatalog());
  const int incident_count =
      params.incidents.value_or(DefaultIncidentCount(params.clusters, params.scenarios));

  auto migrated = store::Migrate(db, store::SchemaSet::kFleet);
  if (!migrated) return Fail(migrated.error().WithContext(db.description()));
  RH_RETURN_IF_ERROR(CreateGroundTruthTable(db));
  RH_RETURN_IF_ERROR(RestoreSnapshotIndexes(db));  // after a generation that was killed
  RH_ASSIGN_OR_RETURN(int64_t existing, ExistingClusterCount(db));
  RH_ASSIGN_OR_RETURN(int64_t meta_rows, db.QueryInt("SELECT COUNT(*) FROM fleet_meta"));
  if (existing > 0 || meta_rows > 0) {
    if (!params.replace_existing) {
      return InvalidArgument(db.description(),
                             "already holds a fleet (" + std::to_string(existing) +
                                 " clusters); refusing to overwrite it without replace_existing");
    }
    RH_RETURN_IF_ERROR(ClearFleet(db));
  }

  GenerationStats stats;
  Status status = Generate(db, params, incident_count, progress, stats);
  if (!status) {
    Status cleared = ClearFleet(db);
    if (!cleared) {
      Logger("simulator")->warn("could not remove the partial fleet after a failure: {}",
                                cleared.error().ToString());
    }
    return Fail(status.error().WithContext("generate fleet"));
  }
  return stats;
}

}  // namespace rh::simulator
