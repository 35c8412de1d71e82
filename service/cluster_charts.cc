#include "service/cluster_charts.h"

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "core/config.h"
#include "core/time_format.h"
#include "sentinel/health_formula.h"
#include "service/investigations.h"
#include "store/metric_catalog.h"

namespace rh::service {
namespace {

constexpr std::chrono::hours kBaselineLag{24 * 7};

struct Sample {
  TimePoint time{};
  double value = 0;
};

// How the scorer's volume dimension (sentinel/health_formula.h) also judges `spec`, from the
// running config; null for a metric no volume signal reads.
Json VolumeRule(const store::MetricSpec& spec, const SentinelConfig& config) {
  for (sentinel::VolumeSignal signal : sentinel::kVolumeSignals) {
    if (sentinel::VolumeSignalMetric(signal).name != spec.name) continue;
    const bool rise = signal == sentinel::VolumeSignal::kFailedLoads;
    Json rule = {
        {"signal", sentinel::VolumeSignalName(signal)},
        {"judged", rise ? "rise" : "drop"},
        {"warning", rise ? config.volume_failed_rise_warning : config.volume_drop_warning},
        {"critical", rise ? config.volume_failed_rise_critical : config.volume_drop_critical},
        {"baseline_days", config.volume_baseline_days}};
    if (rise) {
      rule["min_value"] = config.volume_min_failed_loads;
    } else {
      rule["min_baseline"] = signal == sentinel::VolumeSignal::kQps ? config.volume_min_qps
                                                                    : config.volume_min_load_rows;
    }
    return rule;
  }
  return nullptr;
}

}  // namespace

Result<Json> ClusterCharts::Get(const std::string& cluster_id, const ChartQuery& query) {
  RH_RETURN_IF_ERROR(ValidateClusterId(cluster_id, "cluster"));
  if (query.days < 1 || query.days > 30) {
    return InvalidArgument(
        "days", "must be a whole number from 1 to 30; got " + std::to_string(query.days));
  }
  if (query.score_days < 1 || query.score_days > 90) {
    return InvalidArgument("score_days", "must be a whole number from 1 to 90; got " +
                                             std::to_string(query.score_days));
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  RH_ASSIGN_OR_RETURN(int64_t known,
                      fleet->QueryInt("SELECT COUNT(*) FROM cluster_info WHERE cluster_id = ?",
                                      {store::Text(cluster_id)}));
  if (known == 0)
    return NotFound("cluster '" + cluster_id + "'", "is not in the fleet (cluster_info)");

  Json out = {{"cluster_id", cluster_id},
              {"end", nullptr},
              {"days", query.days},
              {"metrics", Json::array()}};
  RH_ASSIGN_OR_RETURN(store::QueryResult newest,
                      fleet->Query("SELECT MAX(snapshot_hour) AS newest FROM "
                                   "amv_hourly_snapshots_v1 WHERE cluster_id = ?",
                                   {store::Text(cluster_id)}));
  std::optional<TimePoint> end;
  if (!newest.empty()) end = newest.front().GetTime("newest");

  // Every sample of the window and of the week before it (the baselines), per metric.
  std::map<std::string, std::vector<Sample>, std::less<>> samples;
  if (end) {
    out["end"] = FormatIsoTime(*end);
    const TimePoint from = *end - std::chrono::hours(24 * query.days) - kBaselineLag;
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet->Query("SELECT snapshot_hour, metric_name, avg_value FROM amv_hourly_snapshots_v1 "
                     "WHERE cluster_id = ? AND snapshot_hour > ? AND avg_value IS NOT NULL "
                     "ORDER BY metric_name, snapshot_hour",
                     {store::Text(cluster_id), store::Time(from)}));
    for (const store::Row& row : rows) {
      auto at = row.GetTime("snapshot_hour");
      if (!at) continue;
      samples[row.GetString("metric_name")].push_back({*at, row.GetDouble("avg_value")});
    }
  }

  for (const store::MetricSpec& spec : store::MetricCatalog()) {
    Json metric = {{"name", spec.name},
                   {"short_name", spec.short_name},
                   {"label", spec.description},
                   {"unit", spec.unit},
                   {"kind", store::ThresholdKindName(spec.kind)},
                   {"warning", spec.warning},
                   {"critical", spec.critical},
                   {"platform_threshold", spec.platform_threshold},
                   {"volume", VolumeRule(spec, runtime_.config().sentinel)},
                   {"latest", nullptr},
                   {"points", Json::array()}};
    auto found = samples.find(spec.name);
    if (found != samples.end() && end) {
      const std::vector<Sample>& series = found->second;
      std::map<TimePoint, double> by_time;
      for (const Sample& sample : series) by_time.emplace(sample.time, sample.value);
      const TimePoint window_start = *end - std::chrono::hours(24 * query.days);
      Json points = Json::array();
      for (const Sample& sample : series) {
        if (sample.time <= window_start) continue;
        std::optional<double> baseline;
        if (spec.kind == store::ThresholdKind::kBaselineRatio) {
          auto earlier = by_time.find(sample.time - kBaselineLag);
          if (earlier != by_time.end()) baseline = earlier->second;
        }
        Json point = {
            {"t", FormatIsoTime(sample.time)},
            {"value", sample.value},
            {"state", store::HealthStateName(store::ClassifyMetric(spec, sample.value, baseline))}};
        if (spec.kind == store::ThresholdKind::kBaselineRatio) {
          point["baseline"] = baseline ? Json(*baseline) : Json(nullptr);
        }
        points.push_back(std::move(point));
      }
      if (!points.empty()) {
        const Json& last = points.back();
        metric["latest"] =
            Json{{"t", last["t"]},
                 {"value", last["value"]},
                 {"baseline", last.contains("baseline") ? last["baseline"] : Json(nullptr)},
                 {"state", last["state"]}};
      }
      metric["points"] = std::move(points);
    }
    out["metrics"].push_back(std::move(metric));
  }

  Json score = {{"days", query.score_days},
                {"healthy_at_least", sentinel::kHealthyAtLeast},
                {"critical_below", sentinel::kCriticalBelow},
                {"points", Json::array()}};
  RH_ASSIGN_OR_RETURN(store::QueryResult latest_score,
                      fleet->Query("SELECT MAX(snapshot_time) AS newest FROM "
                                   "cluster_risk_snapshots WHERE cluster_id = ?",
                                   {store::Text(cluster_id)}));
  std::optional<TimePoint> scored;
  if (!latest_score.empty()) scored = latest_score.front().GetTime("newest");
  if (scored) {
    RH_ASSIGN_OR_RETURN(
        store::QueryResult rows,
        fleet->Query("SELECT snapshot_time, health_score, risk_level FROM cluster_risk_snapshots "
                     "WHERE cluster_id = ? AND snapshot_time > ? ORDER BY snapshot_time",
                     {store::Text(cluster_id),
                      store::Time(*scored - std::chrono::hours(24 * query.score_days))}));
    for (const store::Row& row : rows) {
      auto at = row.GetTime("snapshot_time");
      if (!at) continue;
      score["points"].push_back(Json{{"t", FormatIsoTime(*at)},
                                     {"score", row.GetDouble("health_score")},
                                     {"risk", row.GetString("risk_level")}});
    }
  }
  out["score"] = std::move(score);
  return out;
}

}  // namespace rh::service
