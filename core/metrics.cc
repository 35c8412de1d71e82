#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rh {
namespace {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string SanitizeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
    out.push_back(ok ? c : '_');
  }
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  return out;
}

std::string FormatValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {  // shortest text that round-trips
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::string RenderLabels(const MetricLabels& labels, const std::string& extra_key = "",
                         const std::string& extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ",";
    first = false;
    out += SanitizeName(key) + "=\"" + EscapeLabelValue(value) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) out += ",";
    out += extra_key + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

}  // namespace

void CounterMetric::Add(double amount) {
  if (amount < 0) return;  // counters only go up
  double current = value_.load();
  while (!value_.compare_exchange_weak(current, current + amount)) {
  }
}
double CounterMetric::value() const { return value_.load(); }

void GaugeMetric::Add(double amount) {
  double current = value_.load();
  while (!value_.compare_exchange_weak(current, current + amount)) {
  }
}

HistogramMetric::HistogramMetric(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  counts_.assign(bounds_.size() + 1, 0);
}

void HistogramMetric::Observe(double value) {
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

std::vector<unsigned long long> HistogramMetric::cumulative_counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<unsigned long long> out(counts_.size());
  unsigned long long running = 0;
  for (size_t bucket_idx = 0; bucket_idx < counts_.size(); ++bucket_idx) {
    running += counts_[bucket_idx];
    out[bucket_idx] = running;
  }
  return out;
}

double HistogramMetric::sum() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sum_;
}

unsigned long long HistogramMetric::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    Type type) {
  auto [it, inserted] = families_.try_emplace(SanitizeName(name));
  if (inserted) {
    it->second.type = type;
    it->second.help = std::string(help);
  }
  return it->second;
}

CounterMetric& MetricsRegistry::Counter(std::string_view name, std::string_view help,
                                        MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family& family = FamilyFor(name, help, Type::kCounter);
  std::sort(labels.begin(), labels.end());
  auto& slot = family.counters[labels];
  if (!slot) slot = std::make_unique<CounterMetric>();
  return *slot;
}

GaugeMetric& MetricsRegistry::Gauge(std::string_view name, std::string_view help,
                                    MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family& family = FamilyFor(name, help, Type::kGauge);
  std::sort(labels.begin(), labels.end());
  auto& slot = family.gauges[labels];
  if (!slot) slot = std::make_unique<GaugeMetric>();
  return *slot;
}

HistogramMetric& MetricsRegistry::Histogram(std::string_view name, std::string_view help,
                                            MetricLabels labels, const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Family& family = FamilyFor(name, help, Type::kHistogram);
  std::sort(labels.begin(), labels.end());
  auto& slot = family.histograms[labels];
  if (!slot) slot = std::make_unique<HistogramMetric>(bounds);
  return *slot;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    out << "# HELP " << name << " " << family.help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& [labels, counter] : family.counters) {
      out << name << RenderLabels(labels) << " " << FormatValue(counter->value()) << "\n";
    }
    for (const auto& [labels, gauge] : family.gauges) {
      out << name << RenderLabels(labels) << " " << FormatValue(gauge->value()) << "\n";
    }
    for (const auto& [labels, histogram] : family.histograms) {
      auto cumulative = histogram->cumulative_counts();
      const auto& bounds = histogram->bounds();
      for (size_t bucket_idx = 0; bucket_idx < cumulative.size(); ++bucket_idx) {
        std::string le = bucket_idx < bounds.size() ? FormatValue(bounds[bucket_idx]) : "+Inf";
        out << name << "_bucket" << RenderLabels(labels, "le", le) << " "
            << cumulative[bucket_idx] << "\n";
      }
      out << name << "_sum" << RenderLabels(labels) << " " << FormatValue(histogram->sum()) << "\n";
      out << name << "_count" << RenderLabels(labels) << " " << histogram->count() << "\n";
    }
  }
  return out.str();
}

MetricsRegistry& GlobalMetrics() {
  static MetricsRegistry* registry = new MetricsRegistry();  // lives for the whole process
  return *registry;
}

const std::vector<double>& DefaultSecondsBuckets() {
  static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                              2.5,   5,    10,    30,   60,  120,  300, 600};
  return buckets;
}

}  // namespace rh
