#include "simulator/internal/metric_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "simulator/internal/random.h"
#include "store/metric_catalog.h"

namespace rh::simulator::internal {
namespace {

// Short names (store/metric_catalog.h) in MetricIndex order.
constexpr std::array<std::string_view, kMetricCount> kShortNames = {
    "cpu", "jvm_heap", "disk", "compaction", "latency", "query_err", "be_mem",
    "fe_heap", "qps", "load_rate", "tablets", "alive_be", "txn_failed", "scan_rows"};

// Decimal places kept per metric (query error rates are small percentages).
constexpr std::array<int, kMetricCount> kDecimals = {2, 2, 2, 1, 0, 4, 2, 2, 2, 0, 0, 2, 0, 0};

constexpr std::array<bool, kMetricCount> kIsPercent = {true,  true,  true,  false, false,
                                                       true,  true,  true,  false, false,
                                                       false, true,  false, false};

double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double rounded = std::round(value * scale) / scale;
  return rounded == 0 ? 0.0 : rounded;  // no "-0"
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) --quotient;
  return quotient;
}

// Fills max and p99 from avg: max = avg * spread, p99 between avg and max.
void Spread(MetricSample& sample, Rng& rng, double lo, double hi) {
  sample.max = sample.avg * rng.Uniform(lo, hi);
  sample.p99 = sample.avg + (sample.max - sample.avg) * rng.Uniform(0.6, 0.92);
}
// Same for percentages whose peaks sit a few points above the mean.
void SpreadAdditive(MetricSample& sample, Rng& rng, double lo, double hi) {
  sample.max = sample.avg + rng.Uniform(lo, hi);
  sample.p99 = sample.avg + (sample.max - sample.avg) * rng.Uniform(0.6, 0.92);
}

}  // namespace

const std::array<std::string, kMetricCount>& MetricNames() {
  static const std::array<std::string, kMetricCount> names = [] {
    std::array<std::string, kMetricCount> out;
    for (int metric_idx = 0; metric_idx < kMetricCount; ++metric_idx) {
      const store::MetricSpec* spec = store::FindMetric(kShortNames[metric_idx]);
      out[metric_idx] = spec ? std::string(spec->name) : std::string(kShortNames[metric_idx]);
    }
    return out;
  }();
  return names;
}

Status CheckMetricCatalog() {
  const auto& catalog = store::MetricCatalog();
  if (catalog.size() != kMetricCount) {
    return Internal("simulator", "store/metric_catalog.h lists " + std::to_string(catalog.size()) +
                                     " metrics; the simulator models " +
                                     std::to_string(kMetricCount));
  }
  for (int metric_idx = 0; metric_idx < kMetricCount; ++metric_idx) {
    if (store::FindMetric(kShortNames[metric_idx]) == nullptr) {
      return Internal("simulator", "metric '" + std::string(kShortNames[metric_idx]) +
                                       "' is missing from store/metric_catalog.h");
    }
  }
  return {};
}

int64_t EpochHour(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count();
}

ClusterProfile MakeProfile(const FleetPlan& plan, int cluster_index) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  Rng rng(plan.seed, kStreamProfile, static_cast<uint64_t>(cluster_index));
  ClusterProfile profile;
  const double days = std::max(1.0, plan.hours / 24.0);
  const double capacity = static_cast<double>(cluster.compute.count * cluster.compute.cu);

  profile.diurnal_amplitude = rng.Uniform(0.12, 0.32);
  profile.peak_local_hour = rng.UniformInt(11, 17);
  // Most businesses are quieter at the weekend; consumer-facing ones (games, retail) are not.
  const std::string& industry = plan.accounts[static_cast<size_t>(cluster.account_index)].industry;
  profile.weekend_factor = (industry == "gaming" || industry == "e-commerce")
                               ? rng.Uniform(1.0, 1.08)
                               : rng.Uniform(0.72, 0.92);
  profile.growth_per_day = std::min(rng.Uniform(0.0, 0.006), 0.15 / days);
  profile.cpu_base = rng.Uniform(12, 28);
  profile.be_jvm_base = rng.Uniform(16, 34);
  profile.be_jvm_sawtooth = rng.Uniform(3, 9);
  profile.be_jvm_period = rng.UniformInt(5, 16);
  profile.disk_start = rng.Uniform(18, 54);
  profile.disk_growth_per_day =
      std::min(rng.Uniform(0.02, 0.3), std::max(0.0, (62.0 - profile.disk_start) / days));
  profile.compaction_base = rng.Uniform(3, 28);
  profile.latency_base_ms = rng.Uniform(220, 2100);
  profile.err_base = rng.Uniform(0.003, 0.028);
  profile.mem_base = rng.Uniform(28, 50);
  profile.fe_heap_base = rng.Uniform(22, 38);
  profile.fe_heap_sawtooth = rng.Uniform(4, 12);
  profile.fe_heap_period = rng.UniformInt(8, 30);
  profile.qps_base = rng.Uniform(0.04, 0.4) * capacity;
  profile.load_base = rng.Uniform(40, 900) * capacity;
  profile.nightly_batch = rng.Bernoulli(0.3);
  profile.tablets_base = rng.Uniform(2500, 26000);
  profile.tablets_growth_per_day =
      std::min(rng.Uniform(0, 80), std::max(0.0, (38000.0 - profile.tablets_base) / days));
  profile.rows_per_query = rng.Uniform(2e4, 6e5);
  profile.txn_fail_lambda = rng.Uniform(0.02, 0.35);
  profile.blip_probability = rng.Uniform(0.0005, 0.003);
  return profile;
}

void GenerateBackground(const FleetPlan& plan, int cluster_index, const ClusterProfile& profile,
                        std::vector<HourValues>& series) {
  const Cluster& cluster = plan.clusters[static_cast<size_t>(cluster_index)];
  Rng rng(plan.seed, kStreamSeries, static_cast<uint64_t>(cluster_index));
  series.assign(static_cast<size_t>(plan.hours), HourValues{});
  const int64_t first_epoch_hour = EpochHour(plan.first_hour);
  const double jvm_phase = rng.Uniform(0, profile.be_jvm_period);
  const double fe_phase = rng.Uniform(0, profile.fe_heap_period);
  const double disk_phase = rng.Uniform(0, 24);
  double load_noise = 0;  // AR(1) noise shared by the workload metrics
  double latency_noise = 0;
  double mem_noise = 0;

  for (int hour_idx = 0; hour_idx < plan.hours; ++hour_idx) {
    HourValues& hour = series[static_cast<size_t>(hour_idx)];
    auto& m = hour.metrics;
    const int64_t local = first_epoch_hour + hour_idx + cluster.tz_offset_hours;
    const int local_hour = static_cast<int>(local - FloorDiv(local, 24) * 24);
    const int64_t local_day = FloorDiv(local, 24);
    const int weekday = static_cast<int>((local_day + 4) % 7);  // 0 = Sunday (1970-01-01: Thu)
    const bool weekend = weekday == 0 || weekday == 6;
    const double diurnal =
        std::cos(2.0 * std::numbers::pi * (local_hour - profile.peak_local_hour) / 24.0);
    const double day_position = hour_idx / 24.0;

    load_noise = 0.7 * load_noise + 0.71 * rng.Normal();
    latency_noise = 0.6 * latency_noise + 0.8 * rng.Normal();
    mem_noise = 0.8 * mem_noise + 0.6 * rng.Normal();
    const double blip = rng.Bernoulli(profile.blip_probability) ? rng.Uniform(1.15, 1.4) : 1.0;

    const double load_factor = (1.0 + profile.diurnal_amplitude * diurnal) *
                               (weekend ? profile.weekend_factor : 1.0) *
                               (1.0 + profile.growth_per_day * day_position) *
                               (1.0 + 0.04 * load_noise) * blip;
    // Ingestion: follows the day, or a nightly batch window around 02:00 local time.
    const double night_distance = std::min(std::abs(local_hour - 2), 24 - std::abs(local_hour - 2));
    const double ingest_shape =
        profile.nightly_batch
            ? 0.55 + 1.4 * std::exp(-(night_distance * night_distance) / 4.0)
            : 1.0 + 0.3 * diurnal;

    m[kQps].avg = profile.qps_base * load_factor;
    Spread(m[kQps], rng, 1.3, 1.9);
    m[kScanRows].avg = m[kQps].avg * profile.rows_per_query * rng.LogNormalFactor(0.08);
    Spread(m[kScanRows], rng, 1.5, 3.0);
    m[kLoadRate].avg = profile.load_base * ingest_shape * rng.LogNormalFactor(0.08);
    Spread(m[kLoadRate], rng, 1.3, 2.4);

    m[kCpu].avg = profile.cpu_base * (0.4 + 0.6 * load_factor) * (1.0 + 0.08 * (ingest_shape - 1.0)) *
                  (1.0 + 0.035 * rng.Normal());
    Spread(m[kCpu], rng, 1.15, 1.55);
    m[kLatency].avg = profile.latency_base_ms * (0.8 + 0.2 * load_factor * load_factor) *
                      std::exp(0.07 * latency_noise);
    Spread(m[kLatency], rng, 1.2, 1.9);
    m[kQueryErr].avg = profile.err_base * rng.LogNormalFactor(0.3);
    Spread(m[kQueryErr], rng, 1.5, 4.0);

    m[kBeMem].avg = profile.mem_base + 6.0 * (load_factor - 1.0) + 1.0 * mem_noise;
    SpreadAdditive(m[kBeMem], rng, 1.0, 5.0);
    const double jvm_cycle = std::fmod(hour_idx + jvm_phase, profile.be_jvm_period) /
                             profile.be_jvm_period;
    m[kBeJvmHeap].avg = profile.be_jvm_base + profile.be_jvm_sawtooth * jvm_cycle +
                        0.7 * rng.Normal();
    SpreadAdditive(m[kBeJvmHeap], rng, 1.0, 6.0);
    const double fe_cycle = std::fmod(hour_idx + fe_phase, profile.fe_heap_period) /
                            profile.fe_heap_period;
    m[kFeHeap].avg = profile.fe_heap_base + profile.fe_heap_sawtooth * fe_cycle +
                     0.7 * rng.Normal();
    SpreadAdditive(m[kFeHeap], rng, 1.0, 6.0);

    m[kDisk].avg = profile.disk_start + profile.disk_growth_per_day * day_position +
                   0.15 * std::sin(2.0 * std::numbers::pi * (hour_idx + disk_phase) / 24.0) +
                   0.04 * rng.Normal();
    SpreadAdditive(m[kDisk], rng, 0.05, 0.5);
    m[kCompaction].avg =
        profile.compaction_base * (0.6 + 0.4 * ingest_shape) * rng.LogNormalFactor(0.15);
    Spread(m[kCompaction], rng, 1.3, 2.5);

    m[kTablets].avg = profile.tablets_base + profile.tablets_growth_per_day * day_position;
    m[kTablets].max = m[kTablets].avg;
    m[kTablets].has_p99 = false;
    m[kAliveRatio] = MetricSample{100.0, 100.0, 100.0, true};
    m[kTxnFailed].avg = rng.Poisson(profile.txn_fail_lambda * ingest_shape);
    m[kTxnFailed].max = m[kTxnFailed].avg;
    m[kTxnFailed].has_p99 = false;
  }

  // Brief spikes behind background alerts (only the hour's peak moves, the mean stays healthy).
  for (const Spike& spike : plan.spikes[static_cast<size_t>(cluster_index)]) {
    MetricSample& sample = series[static_cast<size_t>(spike.hour_idx)].metrics[spike.metric];
    sample.max = std::max(sample.max, spike.value);
    sample.p99 = sample.avg + (sample.max - sample.avg) * 0.7;
  }
}

void ScaleTo(MetricSample& sample, double new_avg) {
  if (sample.avg > 0) {
    const double ratio = new_avg / sample.avg;
    sample.max *= ratio;
    sample.p99 *= ratio;
  } else {
    sample.max = new_avg * 1.3;
    sample.p99 = new_avg * 1.2;
  }
  sample.avg = new_avg;
}

void Shift(MetricSample& sample, double delta) {
  sample.avg += delta;
  sample.max += delta;
  sample.p99 += delta;
}

void FinishSeries(std::vector<HourValues>& series) {
  for (HourValues& hour : series) {
    if (!hour.present) continue;
    for (int metric_idx = 0; metric_idx < kMetricCount; ++metric_idx) {
      MetricSample& sample = hour.metrics[metric_idx];
      const double upper = kIsPercent[metric_idx] ? 100.0 : 1e15;
      sample.avg = std::clamp(sample.avg, 0.0, upper);
      sample.max = std::clamp(std::max(sample.max, sample.avg), 0.0, upper);
      sample.p99 = std::clamp(sample.p99, sample.avg, sample.max);
      const int decimals = kDecimals[metric_idx];
      sample.avg = Round(sample.avg, decimals);
      sample.max = Round(sample.max, decimals);
      sample.p99 = Round(sample.p99, decimals);
    }
  }
}

}  // namespace rh::simulator::internal
