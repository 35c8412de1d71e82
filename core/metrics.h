// Metrics: process-wide counters, gauges and histograms, rendered in the Prometheus text
// exposition format by the server's GET /metrics.
//
// Any module records into GlobalMetrics() (or an injected MetricsRegistry in tests):
//   GlobalMetrics().Counter("rockhound_tool_calls_total", "Tool calls", {{"tool", name}}).Add();
//   GlobalMetrics().Histogram("rockhound_investigation_duration_seconds", "...", {}, kBuckets)
//       .Observe(seconds);
// A metric name is registered with one help text and type; label sets are free-form. Names and
// label values are escaped on output. Handles returned stay valid for the registry's life.
// Thread-safety: all operations are thread-safe; Add/Set/Observe are lock-free or short-locked.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rh {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class CounterMetric {
 public:
  void Add(double amount = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class GaugeMetric {
 public:
  void Set(double value) { value_.store(value); }
  void Add(double amount);
  double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0.0};
};

class HistogramMetric {
 public:
  explicit HistogramMetric(std::vector<double> bounds);
  void Observe(double value);
  // Cumulative counts per upper bound (last = +Inf), the sum and the count.
  std::vector<unsigned long long> cumulative_counts() const;
  double sum() const;
  unsigned long long count() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<unsigned long long> counts_;  // per bucket, non-cumulative, +Inf last
  double sum_ = 0.0;
  unsigned long long count_ = 0;
};

class MetricsRegistry {
 public:
  CounterMetric& Counter(std::string_view name, std::string_view help, MetricLabels labels = {});
  GaugeMetric& Gauge(std::string_view name, std::string_view help, MetricLabels labels = {});
  HistogramMetric& Histogram(std::string_view name, std::string_view help, MetricLabels labels,
                             const std::vector<double>& bounds);
  // The Prometheus text format (version 0.0.4), families sorted by name.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<MetricLabels, std::unique_ptr<CounterMetric>> counters;
    std::map<MetricLabels, std::unique_ptr<GaugeMetric>> gauges;
    std::map<MetricLabels, std::unique_ptr<HistogramMetric>> histograms;
  };
  Family& FamilyFor(std::string_view name, std::string_view help, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

MetricsRegistry& GlobalMetrics();

// Default latency buckets in seconds (5 ms .. 10 min).
const std::vector<double>& DefaultSecondsBuckets();

}  // namespace rh
