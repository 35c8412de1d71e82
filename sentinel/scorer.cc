#include "sentinel/scorer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>

#include "alerts/cluster_alerts.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time_format.h"
#include "store/metric_catalog.h"

namespace rh::sentinel {
namespace {

using store::Dialect;
using store::QueryResult;
using store::Row;
using store::Text;
using store::Time;
using store::Value;

constexpr Duration kSnapshotLookback = std::chrono::hours(24);
constexpr size_t kRowsPerUpsert = 50;
constexpr size_t kTopRisks = 5;

// The four hours a pass reads, in this order.
enum HourSlot : size_t {
  kNow = 0,
  kPrevious = 1,
  kBaseline = 2,
  kPreviousBaseline = 3,
  kSlots = 4
};

struct AlertMessage {
  std::string name;
  std::string severity;  // lower-case label
  Severity level = Severity::kMedium;
  bool firing = false;
  TimePoint time{};
};

struct ClusterRow {
  std::string cluster_id;
  std::string account_id;
  std::string status;
  std::string tier;
};

using MetricValues = std::vector<std::optional<double>>;  // by catalogue index
// Same-hour samples of the three volume signals, for H (index 0) and for H - 1h (index 1).
using VolumeSamples = std::array<std::array<std::vector<double>, 3>, 2>;

double Round2(double value) { return std::round(value * 100.0) / 100.0; }

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Alert counts as of `as_of` over [as_of - window, as_of), and the flapping critical alerts over
// [as_of - flap_window, as_of); fills `firing_now` and `flapping` when given.
AlertCounts CountAlerts(const std::vector<AlertMessage>& messages, TimePoint as_of,
                        const SentinelConfig& config, std::vector<FiringAlert>* firing_now,
                        std::vector<FlappingAlert>* flapping) {
  struct AlertState {
    const AlertMessage* latest = nullptr;  // latest message in the alert window
    bool firing = false;                   // as of the latest message seen (any age)
    int critical_episodes = 0;             // critical episodes starting in the flap window
  };
  AlertCounts counts;
  std::map<std::string_view, AlertState> alerts;
  const TimePoint from = as_of - config.alert_window;
  const TimePoint flap_from = as_of - config.flap_window;
  for (const AlertMessage& message : messages) {
    if (message.time >= as_of) break;
    AlertState& state = alerts[message.name];
    if (message.firing && !state.firing && message.time >= flap_from &&
        message.level == Severity::kCritical) {
      ++state.critical_episodes;
    }
    state.firing = message.firing;
    if (message.time < from) continue;
    if (message.firing) ++counts.firing_messages;
    state.latest = &message;
  }
  for (const auto& [name, state] : alerts) {
    const bool firing = state.latest && state.latest->firing;
    if (firing) {
      if (state.latest->level == Severity::kCritical) {
        ++counts.firing_now_critical;
      } else {
        ++counts.firing_now_other;
      }
      if (firing_now) {
        firing_now->push_back(
            {state.latest->name, state.latest->severity, state.latest->level, state.latest->time});
      }
    }
    if (state.critical_episodes >= config.flap_min_episodes) {
      ++counts.flapping_critical;
      counts.flap_episodes += state.critical_episodes;
      if (!firing) ++counts.flapping_resolved_now;
      if (flapping) {
        flapping->push_back({std::string(name), state.critical_episodes, firing,
                             state.latest ? state.latest->time : TimePoint{}});
      }
    }
  }
  if (firing_now) {
    // Worst severity first (the enum's order is the ranking), then the oldest.
    std::sort(firing_now->begin(), firing_now->end(),
              [](const FiringAlert& a, const FiringAlert& b) {
                if (a.level != b.level) return a.level < b.level;
                return a.since < b.since;
              });
  }
  if (flapping) {
    std::sort(flapping->begin(), flapping->end(),
              [](const FlappingAlert& a, const FlappingAlert& b) {
                if (a.episodes != b.episodes) return a.episodes > b.episodes;
                return a.name < b.name;
              });
  }
  return counts;
}

VolumeDimension ScoreVolume(const MetricValues& values,
                            const std::array<std::vector<double>, 3>& samples,
                            const SentinelConfig& config) {
  VolumeDimension volume;
  const auto& catalog = store::MetricCatalog();
  for (size_t signal_idx = 0; signal_idx < kVolumeSignals.size(); ++signal_idx) {
    const VolumeSignal signal = kVolumeSignals[signal_idx];
    const store::MetricSpec* spec = &VolumeSignalMetric(signal);
    const size_t metric_idx = static_cast<size_t>(spec - catalog.data());
    volume.signals[signal_idx] =
        ScoreVolumeSignal(signal, values[metric_idx], samples[signal_idx], config);
  }
  return volume;
}

int CountFiringIn(const std::vector<AlertMessage>& messages, TimePoint after, TimePoint until) {
  int count = 0;
  for (const AlertMessage& message : messages) {
    if (message.firing && message.time > after && message.time <= until) ++count;
  }
  return count;
}

bool AnyValue(const MetricValues& values) {
  return std::any_of(values.begin(), values.end(), [](const auto& v) { return v.has_value(); });
}

constexpr size_t kClustersPerChangeQuery = 200;

// Same-hour samples of the change dimension's metrics: (cluster index) -> metric index ->
// (sample hour, value).
using ChangeSamples = std::map<size_t, std::vector<std::pair<TimePoint, double>>>;

// The earliest operation started in (hour + 1h - window, min(hour + 1h, now)].
const RecentOperation* RecentOperationAt(const std::vector<RecentOperation>& operations,
                                         TimePoint hour, TimePoint now, Duration window) {
  const TimePoint end = std::min(hour + std::chrono::hours(1), now);
  for (const RecentOperation& operation : operations) {
    if (operation.started_at > end - window && operation.started_at <= end) return &operation;
  }
  return nullptr;
}

// The change dimension at `hour` for the values of that hour: each watched metric against its
// same-hour samples of the days before `operation` started.
ChangeDimension ScoreChange(const RecentOperation* operation, const MetricValues& values,
                            const ChangeSamples* samples, TimePoint hour,
                            const SentinelConfig& config) {
  ChangeDimension change;
  if (!operation) return change;
  const auto& catalog = store::MetricCatalog();
  for (const store::MetricSpec* spec : ChangeWatchedMetrics()) {
    const size_t metric_idx = static_cast<size_t>(spec - catalog.data());
    std::vector<double> before;
    if (samples) {
      auto found = samples->find(metric_idx);
      if (found != samples->end()) {
        for (const auto& [sample_hour, value] : found->second) {
          const auto days_back = std::chrono::duration_cast<std::chrono::hours>(hour - sample_hour);
          const bool same_hour = days_back.count() > 0 && days_back.count() % 24 == 0 &&
                                 days_back.count() / 24 <= config.volume_baseline_days;
          // The whole sample hour ends before the operation starts.
          if (same_hour && sample_hour + std::chrono::hours(1) <= operation->started_at) {
            before.push_back(value);
          }
        }
      }
    }
    change.signals.push_back(ScoreChangeSignal(*spec, values[metric_idx], before, config));
  }
  return change;
}

}  // namespace

Json DimensionScoresJson(const ClusterScore& cluster) {
  Json object = Json::object();
  for (const DimensionScore& dimension : cluster.dimensions) {
    object[std::string(dimension.spec->name)] =
        dimension.value ? Json(Round2(dimension.score)) : Json(nullptr);
  }
  for (const VolumeScore& signal : cluster.volume.signals) {
    object["volume_" + std::string(VolumeSignalName(signal.signal))] =
        signal.judged ? Json(Round2(signal.score)) : Json(nullptr);
  }
  return object;
}

Json TopRisksJson(const ClusterScore& cluster) {
  Json risks = Json::array();
  if (!cluster.has_telemetry) {
    Json item = {{"kind", "telemetry"}, {"state", "missing"}};
    item["last_snapshot"] =
        cluster.last_snapshot ? Json(FormatSqlTime(*cluster.last_snapshot)) : Json(nullptr);
    risks.push_back(std::move(item));
  }
  for (const DimensionScore* dimension : cluster.WorstDimensions(kTopRisks)) {
    Json item = {{"kind", "metric"},
                 {"metric", std::string(dimension->spec->name)},
                 {"value", Round2(*dimension->value)},
                 {"unit", std::string(dimension->spec->unit)},
                 {"state", std::string(store::HealthStateName(dimension->state))},
                 {"score", Round2(dimension->score)}};
    if (dimension->baseline) item["baseline"] = Round2(*dimension->baseline);
    risks.push_back(std::move(item));
  }
  for (const VolumeScore& signal : cluster.volume.signals) {
    if (!signal.judged || signal.state == store::HealthState::kHealthy) continue;
    const store::MetricSpec& spec = VolumeSignalMetric(signal.signal);
    risks.push_back({{"kind", "volume"},
                     {"signal", std::string(VolumeSignalName(signal.signal))},
                     {"metric", std::string(spec.name)},
                     {"value", Round2(*signal.value)},
                     {"baseline", Round2(*signal.baseline)},
                     {"ratio", Round2(signal.ratio)},
                     {"unit", std::string(spec.unit)},
                     {"state", std::string(store::HealthStateName(signal.state))},
                     {"score", Round2(signal.score)}});
  }
  for (const ChangeScore& signal : cluster.change.signals) {
    if (!signal.judged || signal.state == store::HealthState::kHealthy) continue;
    Json item = {{"kind", "change"},
                 {"metric", std::string(signal.spec->name)},
                 {"value", Round2(*signal.value)},
                 {"baseline", Round2(*signal.baseline)},
                 {"ratio", Round2(signal.ratio)},
                 {"unit", std::string(signal.spec->unit)},
                 {"state", std::string(store::HealthStateName(signal.state))},
                 {"score", Round2(signal.score)}};
    if (cluster.operation) {
      item["operation"] = cluster.operation->type;
      item["operation_started"] = FormatSqlTime(cluster.operation->started_at);
    }
    risks.push_back(std::move(item));
  }
  for (const FiringAlert& alert : cluster.firing_now) {
    risks.push_back({{"kind", "alert"},
                     {"alert", alert.name},
                     {"severity", alert.severity},
                     {"since", FormatSqlTime(alert.since)}});
  }
  for (const FlappingAlert& alert : cluster.flapping) {
    risks.push_back({{"kind", "flapping"},
                     {"alert", alert.name},
                     {"episodes", alert.episodes},
                     {"firing_now", alert.firing_now}});
  }
  return risks;
}

namespace {

Value OptReal(const std::optional<double>& value) {
  return value ? store::Real(Round2(*value)) : store::Null();
}

// "INSERT INTO table (cols) VALUES (...), ... <upsert clause>" for `rows` rows.
std::string UpsertSql(Dialect dialect, std::string_view table,
                      const std::vector<std::string_view>& columns, size_t key_columns,
                      size_t rows) {
  std::string sql = "INSERT INTO " + std::string(table) + " (";
  std::string placeholders = "(";
  for (size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
    if (column_idx > 0) {
      sql += ", ";
      placeholders += ", ";
    }
    sql += columns[column_idx];
    placeholders += "?";
  }
  placeholders += ")";
  sql += ") VALUES ";
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    if (row_idx > 0) sql += ", ";
    sql += placeholders;
  }
  if (dialect == Dialect::kSqlite) {
    sql += " ON CONFLICT (";
    for (size_t column_idx = 0; column_idx < key_columns; ++column_idx) {
      if (column_idx > 0) sql += ", ";
      sql += columns[column_idx];
    }
    sql += ") DO UPDATE SET ";
  } else {
    sql += " ON DUPLICATE KEY UPDATE ";
  }
  for (size_t column_idx = key_columns; column_idx < columns.size(); ++column_idx) {
    if (column_idx > key_columns) sql += ", ";
    const std::string column(columns[column_idx]);
    sql += column +
           (dialect == Dialect::kSqlite ? " = excluded." + column : " = VALUES(" + column + ")");
  }
  return sql;
}

Status UpsertRows(store::Database& db, std::string_view table,
                  const std::vector<std::string_view>& columns, size_t key_columns,
                  const std::vector<std::vector<Value>>& rows) {
  for (size_t begin = 0; begin < rows.size(); begin += kRowsPerUpsert) {
    const size_t count = std::min(kRowsPerUpsert, rows.size() - begin);
    std::vector<Value> params;
    params.reserve(count * columns.size());
    for (size_t row_idx = begin; row_idx < begin + count; ++row_idx) {
      params.insert(params.end(), rows[row_idx].begin(), rows[row_idx].end());
    }
    auto written = db.Execute(UpsertSql(db.dialect(), table, columns, key_columns, count), params);
    if (!written) return Fail(written.error().WithContext(table));
  }
  return {};
}

}  // namespace

std::vector<const DimensionScore*> ClusterScore::WorstDimensions(size_t limit) const {
  std::vector<const DimensionScore*> worst;
  for (const DimensionScore& dimension : dimensions) {
    if (dimension.value && dimension.state != store::HealthState::kHealthy) {
      worst.push_back(&dimension);
    }
  }
  std::stable_sort(
      worst.begin(), worst.end(),
      [](const DimensionScore* a, const DimensionScore* b) { return a->score < b->score; });
  if (worst.size() > limit) worst.resize(limit);
  return worst;
}

std::vector<std::string> ClusterScore::Symptoms() const {
  std::vector<std::string> symptoms;
  if (!has_telemetry) symptoms.push_back("telemetry:missing");
  for (const FiringAlert& alert : firing_now) symptoms.push_back("alert:" + Lower(alert.name));
  for (const FlappingAlert& alert : flapping) symptoms.push_back("alert:" + Lower(alert.name));
  for (const DimensionScore& dimension : dimensions) {
    if (dimension.value && dimension.state != store::HealthState::kHealthy) {
      symptoms.push_back("metric:" + std::string(dimension.spec->short_name));
    }
  }
  for (const VolumeScore& signal : volume.signals) {
    if (signal.judged && signal.state != store::HealthState::kHealthy) {
      symptoms.push_back("volume:" + std::string(VolumeSignalName(signal.signal)));
    }
  }
  for (const ChangeScore& signal : change.signals) {
    if (signal.judged && signal.state != store::HealthState::kHealthy) {
      symptoms.push_back("change:" + std::string(signal.spec->short_name));
    }
  }
  std::sort(symptoms.begin(), symptoms.end());
  symptoms.erase(std::unique(symptoms.begin(), symptoms.end()), symptoms.end());
  return symptoms;
}

HealthScorer::HealthScorer(store::Database& fleet, Clock& clock, SentinelConfig config)
    : fleet_(fleet), clock_(clock), config_(config) {}

Result<TimePoint> HealthScorer::ResolveSnapshotHour(TimePoint now) {
  const TimePoint candidate = FloorToHour(now);
  RH_ASSIGN_OR_RETURN(
      QueryResult latest,
      fleet_.Query("SELECT snapshot_hour FROM amv_hourly_snapshots_v1 WHERE snapshot_hour <= ? AND "
                   "snapshot_hour >= ? ORDER BY snapshot_hour DESC LIMIT 1",
                   {Time(candidate), Time(candidate - kSnapshotLookback)}));
  if (latest.empty() || !latest.front().GetTime(size_t{0})) {
    return Unavailable("amv_hourly_snapshots_v1",
                       "no telemetry for any cluster between " +
                           FormatSqlTime(candidate - kSnapshotLookback) + " and " +
                           FormatSqlTime(candidate) +
                           " UTC; is the telemetry pipeline running (or, for a simulated fleet, "
                           "is the clock at the fleet's end)?");
  }
  return *latest.front().GetTime(size_t{0});
}

Result<ScoringRun> HealthScorer::ScoreFleet() {
  RH_ASSIGN_OR_RETURN(ScoringRun run, Evaluate());
  RH_RETURN_IF_ERROR(Record(run));
  return run;
}

Result<ScoringRun> HealthScorer::Evaluate() { return Score(std::nullopt); }

Status HealthScorer::Record(ScoringRun& run) {
  const Stopwatch write_elapsed;
  RH_RETURN_IF_ERROR(Write(run));
  run.write_seconds = write_elapsed.ElapsedSeconds();
  Logger("sentinel")
      ->info(
          "scored {} clusters at {} ({} without telemetry, {} stopped) in "
          "{:.2f}s",
          run.clusters.size(), FormatSqlTime(run.snapshot_time), run.missing_telemetry,
          run.skipped_stopped, run.read_seconds + run.compute_seconds + run.write_seconds);
  return {};
}

Result<ScoringRun> HealthScorer::ScoreCluster(std::string_view cluster_id) {
  RH_ASSIGN_OR_RETURN(QueryResult found,
                      fleet_.Query("SELECT account_id FROM cluster_info WHERE cluster_id = ?",
                                   {Text(std::string(cluster_id))}));
  if (found.empty()) {
    return NotFound("cluster " + std::string(cluster_id),
                    "not in cluster_info; check the id (`rockhound tasks list` and the fleet "
                    "summary show known clusters)");
  }
  // The account's clusters, or the cluster alone when it has no account.
  const std::string account = found.front().GetString(size_t{0});
  if (account.empty()) return Score(ScoringScope{"cluster_id", std::string(cluster_id)});
  return Score(ScoringScope{"account_id", account});
}

Result<ScoringRun> HealthScorer::Score(std::optional<ScoringScope> scope) {
  const Stopwatch read_elapsed;
  ScoringRun run;
  run.now = clock_.Now();
  RH_ASSIGN_OR_RETURN(run.snapshot_time, ResolveSnapshotHour(run.now));
  const TimePoint hour = run.snapshot_time;
  const TimePoint hours[kSlots] = {hour, hour - std::chrono::hours(1),
                                   hour - config_.baseline_offset,
                                   hour - std::chrono::hours(1) - config_.baseline_offset};
  // Restricts a per-cluster table to the clusters of the scope (explain).
  const std::string scope_filter =
      scope ? " AND cluster_id IN (SELECT cluster_id FROM cluster_info WHERE " + scope->column +
                  " = ?)"
            : "";

  // Clusters and tiers.
  std::string cluster_sql =
      "SELECT c.cluster_id, c.account_id, c.status, p.customer_tier FROM cluster_info c LEFT JOIN "
      "dim_customer_profile p ON p.account_id = c.account_id";
  std::vector<Value> cluster_params;
  if (scope) {
    cluster_sql += " WHERE c." + scope->column + " = ?";
    cluster_params.push_back(Text(scope->value));
  }
  RH_ASSIGN_OR_RETURN(QueryResult cluster_rows, fleet_.Query(cluster_sql, cluster_params));
  std::vector<ClusterRow> clusters;
  clusters.reserve(cluster_rows.size());
  for (Row row : cluster_rows) {
    ClusterRow cluster{row.GetString(size_t{0}), row.GetString(size_t{1}), row.GetString(size_t{2}),
                       row.GetString(size_t{3})};
    if (cluster.status == "stopped") {
      ++run.skipped_stopped;
      continue;
    }
    clusters.push_back(std::move(cluster));
  }
  std::sort(clusters.begin(), clusters.end(),
            [](const ClusterRow& a, const ClusterRow& b) { return a.cluster_id < b.cluster_id; });
  std::unordered_map<std::string, size_t> cluster_index;
  cluster_index.reserve(clusters.size() * 2);
  for (size_t cluster_idx = 0; cluster_idx < clusters.size(); ++cluster_idx) {
    cluster_index.emplace(clusters[cluster_idx].cluster_id, cluster_idx);
  }

  // Metrics: one query per hour slot, through the snapshot_hour index.
  const auto& catalog = store::MetricCatalog();
  std::unordered_map<std::string, size_t> metric_index;
  for (size_t metric_idx = 0; metric_idx < catalog.size(); ++metric_idx) {
    metric_index.emplace(std::string(catalog[metric_idx].name), metric_idx);
  }
  auto metric_list = [&](auto keep, std::vector<Value>& params) {
    std::string list = " AND metric_name IN (";
    bool first = true;
    for (const store::MetricSpec& spec : catalog) {
      if (!keep(spec)) continue;
      list += first ? "?" : ", ?";
      first = false;
      params.push_back(Text(std::string(spec.name)));
    }
    return list + ")";
  };
  std::vector<std::array<MetricValues, kSlots>> values(clusters.size());
  for (auto& slots : values) {
    for (MetricValues& slot : slots) slot.assign(catalog.size(), std::nullopt);
  }
  bool fleet_has_previous = false;
  for (size_t slot = 0; slot < kSlots; ++slot) {
    std::string sql =
        "SELECT cluster_id, metric_name, avg_value FROM amv_hourly_snapshots_v1 WHERE "
        "snapshot_hour = ?";
    std::vector<Value> params = {Time(hours[slot])};
    if (slot == kPreviousBaseline) {
      // The previous hour's baseline only serves the surge ratios; the index carries
      // metric_name, so the other rows are skipped without reading them.
      sql += metric_list(
          [](const store::MetricSpec& spec) {
            return spec.kind == store::ThresholdKind::kBaselineRatio;
          },
          params);
    }
    if (scope) {
      sql += scope_filter;
      params.push_back(Text(scope->value));
    }
    RH_ASSIGN_OR_RETURN(QueryResult rows, fleet_.Query(sql, params));
    for (Row row : rows) {
      if (row.IsNull(size_t{2})) continue;
      const auto* cluster_id = std::get_if<std::string>(&row.Get(0));
      const auto* metric_name = std::get_if<std::string>(&row.Get(1));
      if (!cluster_id || !metric_name) continue;
      auto cluster_it = cluster_index.find(*cluster_id);
      auto metric_it = metric_index.find(*metric_name);
      if (cluster_it == cluster_index.end() || metric_it == metric_index.end()) continue;
      values[cluster_it->second][slot][metric_it->second] = row.GetDouble(size_t{2});
    }
    if (slot == kPrevious) {
      if (!rows.empty() && !scope) {
        fleet_has_previous = true;
      } else {
        RH_ASSIGN_OR_RETURN(
            QueryResult any,
            fleet_.Query("SELECT 1 FROM amv_hourly_snapshots_v1 WHERE snapshot_hour = ? LIMIT 1",
                         {Time(hours[kPrevious])}));
        fleet_has_previous = !any.empty();
      }
    }
  }

  // The volume baseline: the three volume metrics at the same hour of each of the last days,
  // for H and for H - 1h, in one query through the same index.
  std::vector<VolumeSamples> volume_samples(clusters.size());
  {
    std::map<TimePoint, size_t> day_hours;  // hour -> 0 (a day before H) or 1 (before H - 1h)
    std::string sql =
        "SELECT cluster_id, snapshot_hour, metric_name, avg_value FROM amv_hourly_snapshots_v1 "
        "WHERE snapshot_hour IN (";
    std::vector<Value> params;
    for (size_t which = 0; which < 2; ++which) {
      for (int day = 1; day <= config_.volume_baseline_days; ++day) {
        const TimePoint sample_hour = hours[which] - std::chrono::hours(24 * day);
        day_hours.emplace(sample_hour, which);
        sql += params.empty() ? "?" : ", ?";
        params.push_back(Time(sample_hour));
      }
    }
    sql += ")";
    std::array<std::string, 3> volume_metrics;
    for (size_t signal_idx = 0; signal_idx < kVolumeSignals.size(); ++signal_idx) {
      volume_metrics[signal_idx] = std::string(VolumeSignalMetric(kVolumeSignals[signal_idx]).name);
    }
    sql += metric_list(
        [&](const store::MetricSpec& spec) {
          return std::find(volume_metrics.begin(), volume_metrics.end(), spec.name) !=
                 volume_metrics.end();
        },
        params);
    if (scope) {
      sql += scope_filter;
      params.push_back(Text(scope->value));
    }
    RH_ASSIGN_OR_RETURN(QueryResult rows, fleet_.Query(sql, params));
    for (Row row : rows) {
      if (row.IsNull(size_t{3})) continue;
      const auto* cluster_id = std::get_if<std::string>(&row.Get(0));
      const auto* metric_name = std::get_if<std::string>(&row.Get(2));
      const auto sample_hour = row.GetTime(size_t{1});
      if (!cluster_id || !metric_name || !sample_hour) continue;
      auto cluster_it = cluster_index.find(*cluster_id);
      auto hour_it = day_hours.find(*sample_hour);
      auto signal_it = std::find(volume_metrics.begin(), volume_metrics.end(), *metric_name);
      if (cluster_it == cluster_index.end() || hour_it == day_hours.end() ||
          signal_it == volume_metrics.end()) {
        continue;
      }
      volume_samples[cluster_it->second][hour_it->second]
                    [static_cast<size_t>(signal_it - volume_metrics.begin())]
                        .push_back(row.GetDouble(size_t{3}));
    }
  }

  // Recent operations (the change dimension): those of sentinel.change_operations started in the
  // change window before the end of H or of H - 1h, earliest first.
  std::vector<std::vector<RecentOperation>> operations(clusters.size());
  std::vector<ChangeSamples> change_samples(clusters.size());
  {
    const std::vector<std::string> types = SplitAlertNames(config_.change_operations);
    std::string sql =
        "SELECT cluster_id, operation_type, result, started_at FROM cluster_operations WHERE "
        "started_at > ? AND started_at <= ?";
    std::vector<Value> params = {
        Time(hour - config_.change_window),
        Time(std::min(hour + std::chrono::hours(1), run.now))};
    if (scope) {
      sql += scope_filter;
      params.push_back(Text(scope->value));
    }
    sql += " ORDER BY started_at";
    RH_ASSIGN_OR_RETURN(QueryResult rows, fleet_.Query(sql, params));
    for (Row row : rows) {
      auto cluster_it = cluster_index.find(row.GetString(size_t{0}));
      const auto started = row.GetTime(size_t{3});
      if (cluster_it == cluster_index.end() || !started) continue;
      std::string type = row.GetString(size_t{1});
      if (std::find(types.begin(), types.end(), Lower(type)) == types.end()) continue;
      operations[cluster_it->second].push_back(
          {std::move(type), row.GetString(size_t{2}), *started});
    }
    // The watched metrics at the same hour of each earlier day, for H and H - 1h, for the clusters
    // with a recent operation only, by primary key.
    std::vector<size_t> with_operation;
    for (size_t cluster_idx = 0; cluster_idx < clusters.size(); ++cluster_idx) {
      if (!operations[cluster_idx].empty()) with_operation.push_back(cluster_idx);
    }
    for (size_t begin = 0; begin < with_operation.size(); begin += kClustersPerChangeQuery) {
      const size_t end = std::min(with_operation.size(), begin + kClustersPerChangeQuery);
      std::string sample_sql =
          "SELECT cluster_id, snapshot_hour, metric_name, avg_value FROM amv_hourly_snapshots_v1 "
          "WHERE cluster_id IN (";
      std::vector<Value> sample_params;
      for (size_t idx = begin; idx < end; ++idx) {
        sample_sql += idx == begin ? "?" : ", ?";
        sample_params.push_back(Text(clusters[with_operation[idx]].cluster_id));
      }
      sample_sql += ") AND snapshot_hour IN (";
      bool first = true;
      for (size_t which = 0; which < 2; ++which) {
        for (int day = 1; day <= config_.volume_baseline_days; ++day) {
          sample_sql += first ? "?" : ", ?";
          first = false;
          sample_params.push_back(Time(hours[which] - std::chrono::hours(24 * day)));
        }
      }
      sample_sql += ")";
      sample_sql += metric_list(
          [](const store::MetricSpec& spec) {
            const auto& watched = ChangeWatchedMetrics();
            return std::find(watched.begin(), watched.end(), &spec) != watched.end();
          },
          sample_params);
      RH_ASSIGN_OR_RETURN(QueryResult rows, fleet_.Query(sample_sql, sample_params));
      for (Row row : rows) {
        if (row.IsNull(size_t{3})) continue;
        auto cluster_it = cluster_index.find(row.GetString(size_t{0}));
        auto metric_it = metric_index.find(row.GetString(size_t{2}));
        const auto sample_hour = row.GetTime(size_t{1});
        if (cluster_it == cluster_index.end() || metric_it == metric_index.end() || !sample_hour) {
          continue;
        }
        change_samples[cluster_it->second][metric_it->second].emplace_back(
            *sample_hour, row.GetDouble(size_t{3}));
      }
    }
  }

  // Alert messages from the earliest window start up to now.
  const TimePoint alerts_as_of = std::min(hour + std::chrono::hours(1), run.now);
  const TimePoint previous_alerts_as_of = std::min(hour, run.now);
  const TimePoint alerts_from =
      std::min({hour - config_.alert_window, previous_alerts_as_of - config_.flap_window,
                run.now - config_.alert_storm_window});
  // The one reader of "alerts of a cluster": a multi-section Lark row counts section by section.
  alerts::ClusterAlertQuery alert_query;
  alert_query.from = alerts_from;
  alert_query.to = run.now;
  if (scope) {
    for (const ClusterRow& cluster : clusters) {
      alert_query.cluster_ids.push_back(cluster.cluster_id);
    }
  }
  std::vector<std::vector<AlertMessage>> alerts(clusters.size());
  if (!scope || !alert_query.cluster_ids.empty()) {
    RH_ASSIGN_OR_RETURN(std::vector<rh::alerts::StoredAlert> alert_rows,
                        rh::alerts::ReadClusterAlerts(fleet_, alert_query));
    for (const rh::alerts::StoredAlert& stored : alert_rows) {
      auto cluster_it = cluster_index.find(stored.alert.cluster_id);
      if (cluster_it == cluster_index.end()) continue;
      std::string severity = Lower(stored.alert.severity);
      const Severity level = AlertLabelSeverity(severity);
      alerts[cluster_it->second].push_back({stored.alert.alert_name, std::move(severity), level,
                                            Lower(stored.alert.status) == "firing",
                                            *stored.alert.alert_time});
    }
  }
  for (auto& messages : alerts) {
    // By time; at equal times a Resolved message counts as the later one.
    std::stable_sort(messages.begin(), messages.end(),
                     [](const AlertMessage& a, const AlertMessage& b) {
                       if (a.time != b.time) return a.time < b.time;
                       return a.firing && !b.firing;
                     });
  }
  run.read_seconds = read_elapsed.ElapsedSeconds();

  // Compute.
  const Stopwatch compute_elapsed;
  run.clusters.reserve(clusters.size());
  for (size_t cluster_idx = 0; cluster_idx < clusters.size(); ++cluster_idx) {
    const ClusterRow& row = clusters[cluster_idx];
    const auto& slots = values[cluster_idx];
    ClusterScore score;
    score.cluster_id = row.cluster_id;
    score.account_id = row.account_id;
    score.tier = row.tier;
    score.status = row.status;
    score.has_telemetry = AnyValue(slots[kNow]);
    score.dimensions = ScoreDimensions(slots[kNow], slots[kBaseline]);
    score.volume = ScoreVolume(slots[kNow], volume_samples[cluster_idx][0], config_);
    if (const RecentOperation* operation =
            RecentOperationAt(operations[cluster_idx], hour, run.now, config_.change_window)) {
      score.operation = *operation;
      score.change =
          ScoreChange(operation, slots[kNow], &change_samples[cluster_idx], hour, config_);
    }
    score.alerts =
        CountAlerts(alerts[cluster_idx], alerts_as_of, config_, &score.firing_now, &score.flapping);
    score.storm_firing_messages =
        CountFiringIn(alerts[cluster_idx], run.now - config_.alert_storm_window, run.now);
    score.health =
        ComputeHealth(MetricComponent(score.dimensions, score.has_telemetry, &score.volume,
                                      &score.change),
                      score.alerts, score.tier, config_.flap_episode_points);
    if (AnyValue(slots[kBaseline])) {
      // At the baseline hour the volume dimensions are at their own baseline.
      score.baseline_metric =
          Round2(MetricComponent(ScoreDimensions(slots[kBaseline], slots[kBaseline]), true));
      score.trend = Round2(score.health.metric - *score.baseline_metric);
    }
    if (fleet_has_previous) {
      const bool previous_telemetry = AnyValue(slots[kPrevious]);
      const VolumeDimension previous_volume =
          ScoreVolume(slots[kPrevious], volume_samples[cluster_idx][1], config_);
      const ChangeDimension previous_change =
          ScoreChange(RecentOperationAt(operations[cluster_idx], hours[kPrevious],
                                        previous_alerts_as_of, config_.change_window),
                      slots[kPrevious], &change_samples[cluster_idx], hours[kPrevious], config_);
      const double previous_metric =
          MetricComponent(ScoreDimensions(slots[kPrevious], slots[kPreviousBaseline]),
                          previous_telemetry, &previous_volume, &previous_change);
      score.previous = ComputeHealth(
          previous_metric,
          CountAlerts(alerts[cluster_idx], previous_alerts_as_of, config_, nullptr, nullptr),
          score.tier, config_.flap_episode_points);
    }
    if (!score.has_telemetry) ++run.missing_telemetry;
    run.clusters.push_back(std::move(score));
  }
  run.compute_seconds = compute_elapsed.ElapsedSeconds();

  // Where telemetry is missing, say since when (one indexed lookup per such cluster).
  const Stopwatch last_seen_elapsed;
  for (ClusterScore& score : run.clusters) {
    if (score.has_telemetry) continue;
    RH_ASSIGN_OR_RETURN(
        QueryResult last,
        fleet_.Query("SELECT snapshot_hour FROM amv_hourly_snapshots_v1 WHERE cluster_id = ? AND "
                     "snapshot_hour <= ? ORDER BY snapshot_hour DESC LIMIT 1",
                     {Text(score.cluster_id), Time(hour)}));
    if (!last.empty()) score.last_snapshot = last.front().GetTime(size_t{0});
  }
  run.read_seconds += last_seen_elapsed.ElapsedSeconds();
  return run;
}

Status HealthScorer::Write(const ScoringRun& run) {
  static const std::vector<std::string_view> kScoreColumns = {
      "cluster_id",  "snapshot_time", "health_score",     "metric_score",
      "alert_score", "tier_score",    "risk_level",       "baseline_score",
      "trend",       "firing_alerts", "dimension_scores", "computed_at"};
  static const std::vector<std::string_view> kRiskColumns = {
      "cluster_id",     "snapshot_time", "risk_level",    "health_score",
      "previous_score", "score_delta",   "customer_tier", "top_risks"};
  std::vector<std::vector<Value>> score_rows;
  std::vector<std::vector<Value>> risk_rows;
  score_rows.reserve(run.clusters.size());
  risk_rows.reserve(run.clusters.size());
  for (const ClusterScore& cluster : run.clusters) {
    const std::string risk(RiskLevelName(cluster.health.risk));
    score_rows.push_back(
        {Text(cluster.cluster_id), Time(run.snapshot_time),
         store::Real(Round2(cluster.health.health)), store::Real(Round2(cluster.health.metric)),
         store::Real(Round2(cluster.health.alert)), store::Real(Round2(cluster.health.tier)),
         Text(risk), OptReal(cluster.baseline_metric), OptReal(cluster.trend),
         store::Int(cluster.alerts.firing_messages), Text(DumpJson(DimensionScoresJson(cluster))),
         Time(run.now)});
    std::optional<double> previous;
    std::optional<double> delta;
    if (cluster.previous) {
      previous = cluster.previous->health;
      delta = cluster.health.health - cluster.previous->health;
    }
    risk_rows.push_back({Text(cluster.cluster_id), Time(run.snapshot_time), Text(risk),
                         store::Real(Round2(cluster.health.health)), OptReal(previous),
                         OptReal(delta), cluster.tier.empty() ? store::Null() : Text(cluster.tier),
                         Text(DumpJson(TopRisksJson(cluster)))});
  }
  Status status = fleet_.Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(UpsertRows(fleet_, "cluster_health_scores", kScoreColumns, 2, score_rows));
    RH_RETURN_IF_ERROR(UpsertRows(fleet_, "cluster_risk_snapshots", kRiskColumns, 2, risk_rows));
    return {};
  });
  if (!status) return Fail(status.error().WithContext("writing scores"));
  return {};
}

}  // namespace rh::sentinel
