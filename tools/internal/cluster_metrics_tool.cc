// query_cluster_metrics: per dimension, the window's statistics against the 7-days-ago
// baseline, the threshold state, and when a change started.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/time_format.h"
#include "store/metric_catalog.h"
#include "tools/internal/metric_analysis.h"
#include "tools/internal/tool_factories.h"

namespace rh::tools::internal {
namespace {

constexpr auto kWeek = std::chrono::hours(24 * 7);
constexpr int kChangeSpanHours = 24 * 7;  // the change-point search looks back this far
constexpr double kMaxProjectionHours = 24 * 14;
constexpr int kGapHours = 2;  // snapshots older than this mean a telemetry gap

std::string_view DirectionName(store::ThresholdKind kind) {
  switch (kind) {
    case store::ThresholdKind::kHigherIsWorse:
      return "higher_is_worse";
    case store::ThresholdKind::kLowerIsWorse:
      return "lower_is_worse";
    case store::ThresholdKind::kBaselineRatio:
      return "ratio_to_baseline";
  }
  return "higher_is_worse";
}

int StateRank(store::HealthState state) { return static_cast<int>(state); }

std::vector<std::string> DimensionNames() {
  std::vector<std::string> names;
  for (const store::MetricSpec& spec : store::MetricCatalog()) names.emplace_back(spec.short_name);
  for (const store::MetricSpec& spec : store::MetricCatalog()) names.emplace_back(spec.name);
  return names;
}

std::string DimensionHelp() {
  std::string help = "Dimensions to analyse (default: all 14), by short or full name: ";
  bool first = true;
  for (const store::MetricSpec& spec : store::MetricCatalog()) {
    help += (first ? "" : ", ") + std::string(spec.short_name) + " (" +
            std::string(spec.description) + ")";
    first = false;
  }
  return help + ".";
}

struct DimensionResult {
  const store::MetricSpec* spec;
  int group;  // 0 critical, 1 warning, 2 changed, 3 other, 4 no data
  size_t catalog_index;
  Json json;
};

class ClusterMetricsTool final : public InvestigationTool {
 public:
  ClusterMetricsTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "query_cluster_metrics", std::move(description),
            ObjectSchema(
                {{"cluster_id", ClusterIdProperty("The cluster whose metrics to analyse.")},
                 {"dimensions",
                  {{"type", "array"},
                   {"description", DimensionHelp()},
                   {"items", {{"type", "string"}, {"enum", DimensionNames()}}},
                   {"minItems", 1},
                   {"maxItems", 14}}},
                 {"window_hours",
                  IntegerProperty("Look-back in hours, ending now; the baseline is the same "
                                  "window 7 days earlier.",
                                  1, kMaxWindowHours, context->DefaultWindowHours())}},
                {"cluster_id"}),
            "pass fewer dimensions (e.g. [\"disk\", \"compaction\"])", context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    const std::string cluster_id = input["cluster_id"].get<std::string>();
    const int window_hours = input["window_hours"].get<int>();
    const TimePoint now = context().Now();
    const TimePoint window_from = now - std::chrono::hours(window_hours);
    store::Database& fleet = *context().fleet;
    RH_ASSIGN_OR_RETURN(ClusterFacts facts, LoadCluster(fleet, cluster_id));
    (void)facts;

    std::vector<const store::MetricSpec*> specs;
    if (input.contains("dimensions")) {
      for (const Json& name : input["dimensions"]) {
        const store::MetricSpec* spec = store::FindMetric(name.get<std::string>());
        if (spec && std::find(specs.begin(), specs.end(), spec) == specs.end()) {
          specs.push_back(spec);
        }
      }
    } else {
      for (const store::MetricSpec& spec : store::MetricCatalog()) specs.push_back(&spec);
    }

    // One read: the analysis span plus a week for the seasonal reference and the baseline.
    const int span_hours = std::max(window_hours, kChangeSpanHours);
    const TimePoint load_from = now - std::chrono::hours(span_hours) - kWeek;
    std::vector<store::Value> params = {store::Text(cluster_id), store::Time(load_from),
                                        store::Time(now)};
    std::string sql =
        "SELECT snapshot_hour, metric_name, avg_value, max_value FROM amv_hourly_snapshots_v1 "
        "WHERE cluster_id = ? AND snapshot_hour > ? AND snapshot_hour <= ?";
    if (specs.size() < store::MetricCatalog().size()) {
      sql += " AND metric_name IN (" + Placeholders(specs.size()) + ")";
      for (const store::MetricSpec* spec : specs)
        params.push_back(store::Text(std::string(spec->name)));
    }
    sql += " ORDER BY snapshot_hour";
    RH_ASSIGN_OR_RETURN(store::QueryResult rows, fleet.Query(sql, params));

    std::unordered_map<std::string, std::vector<HourlySample>> series;
    std::unordered_map<std::string, TimePoint> parsed_hours;
    for (store::Row row : rows) {
      if (row.IsNull(size_t{2})) continue;
      std::string hour_text = row.GetString(size_t{0});
      auto cached = parsed_hours.find(hour_text);
      if (cached == parsed_hours.end()) {
        auto hour = ParseAnyTime(hour_text);
        if (!hour) continue;
        cached = parsed_hours.emplace(hour_text, *hour).first;
      }
      HourlySample sample{cached->second, row.GetDouble(size_t{2}), std::nullopt};
      if (!row.IsNull(size_t{3})) sample.max = row.GetDouble(size_t{3});
      series[row.GetString(size_t{1})].push_back(sample);
    }

    // The latest snapshot of any metric (stale telemetry is itself a finding).
    RH_ASSIGN_OR_RETURN(
        store::QueryResult latest_rows,
        fleet.Query("SELECT MAX(snapshot_hour) AS latest FROM amv_hourly_snapshots_v1 WHERE "
                    "cluster_id = ? AND snapshot_hour <= ?",
                    {store::Text(cluster_id), store::Time(now)}));
    std::optional<TimePoint> latest_snapshot =
        latest_rows.empty() ? std::nullopt : latest_rows.front().GetTime("latest");

    std::vector<DimensionResult> results;
    for (const store::MetricSpec* spec : specs) {
      size_t catalog_index = static_cast<size_t>(spec - store::MetricCatalog().data());
      results.push_back(Analyse(*spec, series[std::string(spec->name)], window_from, now));
      results.back().catalog_index = catalog_index;
    }
    std::stable_sort(results.begin(), results.end(),
                     [](const DimensionResult& a, const DimensionResult& b) {
                       if (a.group != b.group) return a.group < b.group;
                       return a.catalog_index < b.catalog_index;
                     });

    Json summary = {{"critical", Json::array()},
                    {"warning", Json::array()},
                    {"changed", Json::array()},
                    {"no_data", Json::array()}};
    Json dimensions = Json::array();
    for (DimensionResult& result : results) {
      std::string name(result.spec->short_name);
      std::string state = JsonString(result.json, "state");
      if (state == "critical") summary["critical"].push_back(name);
      if (state == "warning") summary["warning"].push_back(name);
      if (result.json.contains("change_point")) summary["changed"].push_back(name);
      if (result.group == 4) summary["no_data"].push_back(name);
      dimensions.push_back(std::move(result.json));
    }
    Json out = {
        {"cluster_id", cluster_id},
        {"window", {{"from", IsoTime(window_from)}, {"to", IsoTime(now)}, {"hours", window_hours}}},
        {"latest_snapshot", IsoTimeOrNull(latest_snapshot)}};
    if (latest_snapshot) {
      int64_t gap = std::chrono::duration_cast<std::chrono::hours>(now - *latest_snapshot).count();
      out["data_gap_hours"] = gap;
      if (gap >= kGapHours) {
        out["note"] = "no snapshots for the last " + std::to_string(gap) +
                      " hours: a telemetry gap; the figures below end at " +
                      IsoTime(*latest_snapshot);
      }
    } else {
      out["data_gap_hours"] = nullptr;
      out["note"] = "no metric snapshots at all for this cluster";
    }
    out["summary"] = std::move(summary);
    out["dimensions"] = std::move(dimensions);
    return out;
  }

 private:
  static DimensionResult Analyse(const store::MetricSpec& spec,
                                 const std::vector<HourlySample>& samples, TimePoint window_from,
                                 TimePoint now) {
    DimensionResult result{&spec, 3, 0, Json::object()};
    Json& out = result.json;
    out["dimension"] = std::string(spec.short_name);
    out["metric"] = std::string(spec.name);
    out["unit"] = std::string(spec.unit);

    std::map<TimePoint, double> by_hour;
    for (const HourlySample& sample : samples) by_hour[sample.hour] = sample.avg;
    std::vector<HourlySample> window;
    std::vector<double> baseline;
    for (const HourlySample& sample : samples) {
      if (sample.hour <= window_from || sample.hour > now) continue;
      window.push_back(sample);
      auto week_before = by_hour.find(sample.hour - kWeek);
      if (week_before != by_hour.end()) baseline.push_back(week_before->second);
    }
    if (window.empty()) {
      result.group = 4;
      out["state"] = "no_data";
      out["samples"] = 0;
      out["last_seen"] = samples.empty() ? Json(nullptr) : Json(IsoTime(samples.back().hour));
      return result;
    }

    std::vector<double> values;
    double peak = -INFINITY;
    for (const HourlySample& sample : window) {
      values.push_back(sample.avg);
      peak = std::max(peak, sample.max.value_or(sample.avg));
    }
    const HourlySample& latest = window.back();
    std::optional<double> baseline_avg;
    if (!baseline.empty()) baseline_avg = Mean(baseline);

    store::HealthState state = store::ClassifyMetric(spec, latest.avg, baseline_avg);
    store::HealthState worst = state;
    for (double value : values) {
      store::HealthState each = store::ClassifyMetric(spec, value, baseline_avg);
      if (StateRank(each) > StateRank(worst)) worst = each;
    }
    out["state"] = std::string(store::HealthStateName(state));
    out["worst_state"] = std::string(store::HealthStateName(worst));
    out["latest"] = Tidy(latest.avg);
    out["latest_hour"] = IsoTime(latest.hour);
    out["avg"] = Tidy(Mean(values));
    out["p95"] = Tidy(Percentile(values, 0.95));
    out["max"] = Tidy(peak);
    out["samples"] = values.size();
    out["baseline_avg"] = TidyOrNull(baseline_avg);
    if (baseline_avg) {
      double change = Mean(values) - *baseline_avg;
      out["change"] = Tidy(change);
      out["change_pct"] =
          *baseline_avg != 0 ? Json(Tidy(change / std::fabs(*baseline_avg) * 100)) : Json(nullptr);
      if (spec.kind == store::ThresholdKind::kBaselineRatio && *baseline_avg > 0) {
        out["ratio_to_baseline"] = Tidy(latest.avg / *baseline_avg);
      }
    }
    out["thresholds"] = {{"warning", spec.warning},
                         {"critical", spec.critical},
                         {"direction", std::string(DirectionName(spec.kind))}};

    // Since when the current state holds (walking back over every loaded hour).
    if (state != store::HealthState::kHealthy) {
      TimePoint since = latest.hour;
      for (auto sample = samples.rbegin(); sample != samples.rend(); ++sample) {
        if (sample->hour > latest.hour) continue;
        if (StateRank(store::ClassifyMetric(spec, sample->avg, baseline_avg)) < StateRank(state)) {
          break;
        }
        since = sample->hour;
      }
      out["state_since"] = IsoTime(since);
    }

    double slope = SlopePerHour(window);
    out["trend_per_hour"] = Tidy(slope);
    if (state != store::HealthState::kCritical) {
      std::optional<double> hours;
      if (spec.kind == store::ThresholdKind::kHigherIsWorse && slope > 0 &&
          latest.avg < spec.critical) {
        hours = (spec.critical - latest.avg) / slope;
      } else if (spec.kind == store::ThresholdKind::kLowerIsWorse && slope < 0 &&
                 latest.avg > spec.critical) {
        hours = (latest.avg - spec.critical) / -slope;
      }
      if (hours && *hours <= kMaxProjectionHours) {
        out["projected_hours_to_critical"] = Tidy(*hours);
      }
    }

    // Change point over the last kChangeSpanHours (or the window, if longer).
    std::vector<HourlySample> span;
    std::vector<std::optional<double>> week_earlier;
    const TimePoint span_from =
        latest.hour -
        std::chrono::hours(std::max<int64_t>(
            kChangeSpanHours,
            std::chrono::duration_cast<std::chrono::hours>(now - window_from).count()));
    for (const HourlySample& sample : samples) {
      if (sample.hour <= span_from || sample.hour > latest.hour) continue;
      span.push_back(sample);
      auto week_before = by_hour.find(sample.hour - kWeek);
      week_earlier.push_back(week_before == by_hour.end() ? std::nullopt
                                                          : std::optional(week_before->second));
    }
    if (auto change = FindChangePoint(span, week_earlier, spec)) {
      out["change_point"] = {
          {"started", IsoTime(change->started)},
          {"hours_ago", static_cast<int64_t>(std::round(HoursBetween(change->started, now)))},
          {"direction", change->rising ? "rising" : "falling"},
          {"level_before", Tidy(change->level_before)},
          {"level_now", Tidy(change->level_now)}};
    }
    result.group = state == store::HealthState::kCritical  ? 0
                   : state == store::HealthState::kWarning ? 1
                   : out.contains("change_point")          ? 2
                                                           : 3;
    return result;
  }
};

}  // namespace

std::unique_ptr<Tool> MakeClusterMetricsTool(std::string description, ContextPtr context) {
  return std::make_unique<ClusterMetricsTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
