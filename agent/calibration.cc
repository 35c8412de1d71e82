// ConfidenceCalibration: loading, applying and fitting the monotone map (see calibration.h).
#include "agent/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/report.h"

namespace rh::agent {
namespace embedded {
std::string_view EmbeddedFile(std::string_view name);
}  // namespace embedded

namespace {

Result<EngineKind> CalibratedEngine(const Json& value, const std::string& origin) {
  if (!value.is_string()) {
    return InvalidArgument(origin, "\"engine\" must be a string: \"playbook\" or \"claude\"");
  }
  auto engine = ParseEngineKind(value.get<std::string>());
  if (!engine || *engine == EngineKind::kAuto) {
    return InvalidArgument(origin, "\"engine\" must be \"playbook\" or \"claude\", not \"" +
                                       value.get<std::string>() + "\"");
  }
  return *engine;
}

bool IsProbability(const Json& value) {
  return value.is_number() && value.get<double>() >= 0.0 && value.get<double>() <= 1.0;
}

// Reads a "points" array (`where` names it in the errors) into `out`.
Status ReadPoints(const Json& points, const std::string& origin, const std::string& where,
                  std::vector<std::pair<double, double>>* out) {
  if (!points.is_array()) {
    return InvalidArgument(origin,
                           "\"" + where + "\" must be an array of [raw, probability] pairs");
  }
  for (size_t idx = 0; idx < points.size(); ++idx) {
    const Json& point = points[idx];
    const std::string at = where + "[" + std::to_string(idx) + "]";
    if (!point.is_array() || point.size() != 2 || !IsProbability(point[0]) ||
        !IsProbability(point[1])) {
      return InvalidArgument(origin, at + " must be [raw, probability], both in [0, 1]");
    }
    const double raw = point[0].get<double>();
    const double probability = point[1].get<double>();
    if (!out->empty()) {
      if (raw <= out->back().first) {
        return InvalidArgument(origin, at + ": raw values must strictly increase");
      }
      if (probability < out->back().second) {
        return InvalidArgument(origin, at + ": probabilities must never decrease (the map "
                                            "is monotone)");
      }
    }
    out->emplace_back(raw, probability);
  }
  return {};
}

double ApplyPoints(const std::vector<std::pair<double, double>>& points, double raw) {
  raw = std::clamp(std::isnan(raw) ? 0.0 : raw, 0.0, 1.0);
  if (points.empty()) return raw;
  if (raw <= points.front().first) return points.front().second;
  if (raw >= points.back().first) return points.back().second;
  auto upper = std::upper_bound(
      points.begin(), points.end(), raw,
      [](double value, const std::pair<double, double>& point) { return value < point.first; });
  auto lower = upper - 1;
  const double span = upper->first - lower->first;
  const double share = (raw - lower->first) / span;
  return lower->second + share * (upper->second - lower->second);
}

Json PointsJson(const std::vector<std::pair<double, double>>& points) {
  Json out = Json::array();
  for (const auto& [raw, probability] : points) {
    out.push_back({std::round(raw * 1e4) / 1e4, std::round(probability * 1e4) / 1e4});
  }
  return out;
}

}  // namespace

ConfidenceCalibration ConfidenceCalibration::Identity(EngineKind engine) {
  ConfidenceCalibration calibration;
  calibration.engine_ = engine;
  calibration.method_ = "identity";
  return calibration;
}

Result<ConfidenceCalibration> ConfidenceCalibration::FromJson(std::string_view text,
                                                              std::string_view origin_view) {
  const std::string origin(origin_view);
  RH_ASSIGN_OR_RETURN(Json doc, ParseJson(text, origin));
  if (!doc.is_object()) {
    return InvalidArgument(origin, "a calibration file must be a JSON object with engine, "
                                   "version, method, fitted_on, samples and points");
  }
  for (const char* key : {"engine", "version", "method", "fitted_on", "samples", "points"}) {
    if (!doc.contains(key)) {
      return InvalidArgument(origin, std::string("missing \"") + key +
                                         "\"; refit with `bench_scenarios --fit-calibration`");
    }
  }
  ConfidenceCalibration calibration;
  RH_ASSIGN_OR_RETURN(calibration.engine_, CalibratedEngine(doc["engine"], origin));
  if (!doc["version"].is_number_integer() || doc["version"].get<int64_t>() < 1) {
    return InvalidArgument(origin, "\"version\" must be a positive integer");
  }
  calibration.version_ = doc["version"].get<int>();
  if (!doc["method"].is_string() || (doc["method"] != "isotonic" && doc["method"] != "identity" &&
                                     doc["method"] != "isotonic_by_path")) {
    return InvalidArgument(origin,
                           "\"method\" must be \"isotonic\", \"isotonic_by_path\" or \"identity\"");
  }
  calibration.method_ = doc["method"].get<std::string>();
  if (!doc["fitted_on"].is_string()) {
    return InvalidArgument(origin, "\"fitted_on\" must be a string saying what it was fitted on");
  }
  calibration.fitted_on_ = doc["fitted_on"].get<std::string>();
  if (!doc["samples"].is_number_integer() || doc["samples"].get<int64_t>() < 0) {
    return InvalidArgument(origin, "\"samples\" must be a non-negative integer");
  }
  calibration.samples_ = doc["samples"].get<int64_t>();
  RH_RETURN_IF_ERROR(ReadPoints(doc["points"], origin, "points", &calibration.points_));
  if (calibration.method_ == "identity" && !calibration.points_.empty()) {
    return InvalidArgument(origin, "an \"identity\" calibration has no points");
  }
  if (calibration.method_ != "identity" && calibration.points_.empty()) {
    return InvalidArgument(
        origin, "an \"" + calibration.method_ + "\" calibration needs at least one point");
  }
  const bool by_path = calibration.method_ == "isotonic_by_path";
  if (doc.contains("paths") != by_path) {
    return InvalidArgument(origin, by_path ? "an \"isotonic_by_path\" calibration needs \"paths\""
                                           : "\"paths\" belongs only to an \"isotonic_by_path\" "
                                             "calibration");
  }
  if (by_path) {
    const Json& paths = doc["paths"];
    if (!paths.is_object() || paths.empty()) {
      return InvalidArgument(origin,
                             "\"paths\" must be a non-empty object of path -> "
                             "{samples, points}");
    }
    for (const auto& [name, map] : paths.items()) {
      const std::string where = "paths." + name;
      if (std::find(std::begin(kReportPaths), std::end(kReportPaths), name) ==
          std::end(kReportPaths)) {
        return InvalidArgument(origin, where + ": the path must be \"" + std::string(kUncontested) +
                                           "\" or \"" + std::string(kContested) + "\"");
      }
      if (!map.is_object() || !map.contains("samples") || !map.contains("points") ||
          !map["samples"].is_number_integer() || map["samples"].get<int64_t>() < 1) {
        return InvalidArgument(origin, where +
                                           " must be {\"samples\": N >= 1, \"points\": "
                                           "[[raw, probability], ...]}");
      }
      PathMap path;
      path.samples = map["samples"].get<int64_t>();
      RH_RETURN_IF_ERROR(ReadPoints(map["points"], origin, where + ".points", &path.points));
      if (path.points.empty()) {
        return InvalidArgument(origin, where + ".points needs at least one point");
      }
      calibration.paths_.emplace_back(name, std::move(path));
    }
  }
  return calibration;
}

Result<ConfidenceCalibration> ConfidenceCalibration::LoadFile(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return NotFound(path, "no calibration file there; fit one with `bench_scenarios "
                          "--fit-calibration FILE` or use the embedded one");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable(path, "cannot read the calibration file");
  std::ostringstream text;
  text << in.rdbuf();
  return FromJson(text.str(), path);
}

Result<ConfidenceCalibration> ConfidenceCalibration::Embedded(EngineKind engine) {
  const std::string name = std::string(EngineKindName(engine)) + ".v1.json";
  std::string_view text = embedded::EmbeddedFile(name);
  if (text.empty()) {
    return Internal(name, "no embedded calibration for this engine in agent/calibration/");
  }
  auto calibration = FromJson(text, "agent/calibration/" + name);
  if (!calibration) return Internal(name, calibration.error().ToString());
  if (calibration->engine() != engine) {
    return Internal(name, "the embedded file is for engine " +
                              std::string(EngineKindName(calibration->engine())));
  }
  return calibration;
}

double ConfidenceCalibration::Apply(double raw) const { return ApplyPoints(points_, raw); }

double ConfidenceCalibration::Apply(double raw, std::string_view path) const {
  for (const auto& [name, map] : paths_) {
    if (name == path) return ApplyPoints(map.points, raw);
  }
  return ApplyPoints(points_, raw);
}

Json ConfidenceCalibration::ToJson() const {
  Json out = {{"engine", std::string(EngineKindName(engine_))},
              {"version", version_},
              {"method", method_},
              {"fitted_on", fitted_on_},
              {"samples", samples_},
              {"points", PointsJson(points_)}};
  if (method_ == "isotonic_by_path") {
    Json paths = Json::object();
    for (const auto& [name, map] : paths_) {
      paths[name] = {{"samples", map.samples}, {"points", PointsJson(map.points)}};
    }
    out["paths"] = std::move(paths);
  }
  return out;
}

std::string_view ReportPath(const Report& report) {
  if (!report.hypotheses.empty() && !report.hypotheses.front().evidence_against.empty()) {
    return kContested;
  }
  return kUncontested;
}

void CalibrateReport(const ConfidenceCalibration& calibration, Report* report) {
  const double raw = std::clamp(report->confidence, 0.0, 1.0);
  const double calibrated = std::round(calibration.Apply(raw, ReportPath(*report)) * 100) / 100;
  report->confidence = calibrated;
  // What the winner leaves, before and after: the competitors' shares scale with it.
  const double scale = raw < 1.0 ? (1.0 - calibrated) / (1.0 - raw) : 0.0;
  for (size_t idx = 0; idx < report->hypotheses.size(); ++idx) {
    Hypothesis& hypothesis = report->hypotheses[idx];
    if (idx == 0) {
      hypothesis.likelihood = calibrated;
      continue;
    }
    hypothesis.likelihood = std::min(report->hypotheses[idx - 1].likelihood,
                                     std::round(hypothesis.likelihood * scale * 100) / 100);
  }
}

ConfidenceCalibration FitIsotonic(EngineKind engine, std::vector<CalibrationSample> samples,
                                  int version, std::string fitted_on, int min_block) {
  ConfidenceCalibration calibration = ConfidenceCalibration::Identity(engine);
  calibration.version_ = version;
  calibration.fitted_on_ = std::move(fitted_on);
  calibration.samples_ = static_cast<int64_t>(samples.size());
  if (samples.empty()) return calibration;
  std::stable_sort(samples.begin(), samples.end(),
                   [](const CalibrationSample& a, const CalibrationSample& b) {
                     return a.raw < b.raw;
                   });
  struct Block {
    double raw_sum = 0;
    double hits = 0;
    double count = 0;
    double Accuracy() const { return hits / count; }
  };
  std::vector<Block> blocks;
  for (const CalibrationSample& sample : samples) {
    const double raw = std::clamp(sample.raw, 0.0, 1.0);
    // Equal raw values are one point: pool them before looking for violators.
    if (!blocks.empty() && blocks.back().raw_sum / blocks.back().count == raw) {
      blocks.back().raw_sum += raw;
      blocks.back().hits += sample.correct ? 1 : 0;
      blocks.back().count += 1;
    } else {
      blocks.push_back({raw, sample.correct ? 1.0 : 0.0, 1.0});
    }
    // Pool adjacent violators: merge while the last block's accuracy is below the previous.
    while (blocks.size() >= 2 &&
           blocks[blocks.size() - 1].Accuracy() <= blocks[blocks.size() - 2].Accuracy()) {
      Block last = blocks.back();
      blocks.pop_back();
      blocks.back().raw_sum += last.raw_sum;
      blocks.back().hits += last.hits;
      blocks.back().count += last.count;
    }
  }
  // Too few runs for a step of their own: merged into the neighbour below (the first block into
  // the one above). Merging neighbours of a monotone sequence keeps it monotone.
  for (size_t idx = 0; blocks.size() > 1 && idx < blocks.size();) {
    if (blocks[idx].count >= min_block) {
      ++idx;
      continue;
    }
    const size_t into = idx == 0 ? 1 : idx - 1;
    blocks[into].raw_sum += blocks[idx].raw_sum;
    blocks[into].hits += blocks[idx].hits;
    blocks[into].count += blocks[idx].count;
    blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(idx));
    if (idx > 0) --idx;  // the merged block may still be too small
  }
  calibration.method_ = "isotonic";
  for (const Block& block : blocks) {
    const double probability = std::clamp(block.Accuracy(), kMinProbability, kMaxProbability);
    const double raw = block.raw_sum / block.count;
    if (!calibration.points_.empty() && probability <= calibration.points_.back().second) {
      continue;  // the clamp made two blocks equal: keep the lower one's point
    }
    calibration.points_.emplace_back(raw, probability);
  }
  return calibration;
}

ConfidenceCalibration FitIsotonicByPath(EngineKind engine, std::vector<CalibrationSample> samples,
                                        int version, std::string fitted_on, int min_block,
                                        int prior_runs) {
  ConfidenceCalibration calibration =
      FitIsotonic(engine, samples, version, std::move(fitted_on), min_block);
  if (samples.empty()) return calibration;
  for (std::string_view path : kReportPaths) {
    std::vector<CalibrationSample> own;
    for (const CalibrationSample& sample : samples) {
      if (sample.path == path) own.push_back(sample);
    }
    const int64_t count = static_cast<int64_t>(own.size());
    const ConfidenceCalibration fit = FitIsotonic(engine, std::move(own), version, "", min_block);
    // weight * fit + (1 - weight) * raw: piecewise linear with the breakpoints of both, so the
    // blend at 0, 1 and the fit's points is exact; monotone as both are; clamped as a fit is.
    const double weight =
        static_cast<double>(count) / static_cast<double>(count + std::max(0, prior_runs));
    std::vector<double> raws = {0.0, 1.0};
    for (const auto& point : fit.points_) raws.push_back(point.first);
    std::sort(raws.begin(), raws.end());
    raws.erase(std::unique(raws.begin(), raws.end()), raws.end());
    ConfidenceCalibration::PathMap map;
    map.samples = count;
    for (double raw : raws) {
      const double probability =
          std::clamp(count == 0 ? raw : weight * fit.Apply(raw) + (1.0 - weight) * raw,
                     kMinProbability, kMaxProbability);
      if (!map.points.empty() && probability < map.points.back().second) continue;
      map.points.emplace_back(raw, probability);
    }
    calibration.paths_.emplace_back(std::string(path), std::move(map));
  }
  calibration.method_ = "isotonic_by_path";
  return calibration;
}

ReliabilityFigures Reliability(const std::vector<CalibrationSample>& runs) {
  ReliabilityFigures figures;
  figures.bins.resize(10);
  figures.runs = static_cast<int64_t>(runs.size());
  if (runs.empty()) return figures;
  double right_sum = 0, wrong_sum = 0;
  std::vector<double> confidence_sum(10, 0), hits(10, 0);
  for (const CalibrationSample& run : runs) {
    const double hit = run.correct ? 1.0 : 0.0;
    figures.brier += (run.raw - hit) * (run.raw - hit);
    if (run.correct) {
      right_sum += run.raw;
      ++figures.right;
    } else {
      wrong_sum += run.raw;
      ++figures.wrong;
    }
    const size_t bin = std::min<size_t>(9, static_cast<size_t>(std::max(0.0, run.raw) * 10));
    figures.bins[bin].runs += 1;
    confidence_sum[bin] += run.raw;
    hits[bin] += hit;
  }
  const double n = static_cast<double>(runs.size());
  figures.brier /= n;
  figures.mean_right = figures.right ? right_sum / static_cast<double>(figures.right) : 0.0;
  figures.mean_wrong = figures.wrong ? wrong_sum / static_cast<double>(figures.wrong) : 0.0;
  for (size_t bin = 0; bin < 10; ++bin) {
    ReliabilityFigures::Bin& cell = figures.bins[bin];
    if (cell.runs == 0) continue;
    const double count = static_cast<double>(cell.runs);
    cell.mean_confidence = confidence_sum[bin] / count;
    cell.accuracy = hits[bin] / count;
    figures.ece += count / n * std::abs(cell.mean_confidence - cell.accuracy);
  }
  return figures;
}

std::string ReliabilitySvg(
    const std::string& title,
    const std::vector<std::pair<std::string, ReliabilityFigures>>& series) {
  constexpr double kLeft = 60, kTop = 40, kSize = 400;
  static const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  auto x = [&](double value) { return kLeft + value * kSize; };
  auto y = [&](double value) { return kTop + (1.0 - value) * kSize; };
  auto fmt = [](const char* format, double a, double b = 0, double c = 0, double d = 0) {
    char buffer[160];
    std::snprintf(buffer, sizeof(buffer), format, a, b, c, d);
    return std::string(buffer);
  };
  auto escape = [](const std::string& text) {
    std::string out;
    for (char ch : text) {
      if (ch == '<') {
        out += "&lt;";
      } else if (ch == '>') {
        out += "&gt;";
      } else if (ch == '&') {
        out += "&amp;";
      } else {
        out += ch;
      }
    }
    return out;
  };
  const double height = kTop + kSize + 60 + 20.0 * static_cast<double>(series.size());
  std::string svg = fmt(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      kLeft + kSize + 40, height);
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += fmt("<text x=\"%.0f\" y=\"24\" font-size=\"14\">", kLeft) + escape(title) + "</text>\n";
  svg += fmt("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
             "stroke=\"#444\"/>\n",
             kLeft, kTop, kSize, kSize);
  for (int tick = 0; tick <= 10; tick += 2) {
    const double value = tick / 10.0;
    svg += fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
               x(value), y(0), x(value), y(1));
    svg += fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
               x(0), y(value), x(1), y(value));
    svg += fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n", x(value),
               y(0) + 16, value);
    svg += fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", x(0) - 6,
               y(value) + 4, value);
  }
  svg += fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
             "stroke-dasharray=\"4 4\"/>\n",
             x(0), y(0), x(1), y(1));
  svg += fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">confidence</text>\n", x(0.5),
             y(0) + 34);
  svg += fmt("<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
             "accuracy</text>\n",
             y(0.5));
  for (size_t idx = 0; idx < series.size(); ++idx) {
    const auto& [name, figures] = series[idx];
    const std::string colour = kColours[idx % 4];
    std::string path;  // the polyline's points
    for (const ReliabilityFigures::Bin& bin : figures.bins) {
      if (bin.runs == 0) continue;
      if (!path.empty()) path += " ";
      path += fmt("%.1f,%.1f", x(bin.mean_confidence), y(bin.accuracy));
    }
    if (!path.empty()) {
      svg += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" +
             path + "\"/>\n";
    }
    for (const ReliabilityFigures::Bin& bin : figures.bins) {
      if (bin.runs == 0 || figures.runs == 0) continue;
      const double share = static_cast<double>(bin.runs) / static_cast<double>(figures.runs);
      svg += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" ", x(bin.mean_confidence),
                 y(bin.accuracy), 2.5 + 10.0 * std::sqrt(share)) +
             "fill=\"" + colour + "\" fill-opacity=\"0.5\"/>\n";
    }
    const double legend_y = y(0) + 56 + 20.0 * static_cast<double>(idx);
    svg += fmt("<rect x=\"%.0f\" y=\"%.1f\" width=\"12\" height=\"12\" ", kLeft, legend_y - 10) +
           "fill=\"" + colour + "\"/>\n";
    svg += fmt("<text x=\"%.0f\" y=\"%.1f\">", kLeft + 18, legend_y) + escape(name) +
           fmt(": %.0f runs, Brier %.3f, ECE %.3f", static_cast<double>(figures.runs),
               figures.brier, figures.ece) +
           "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace rh::agent
