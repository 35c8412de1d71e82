// ConfidenceCalibration: the map from an engine's raw confidence to a probability that the
// report's root-cause category is right. A raw confidence is a score: the playbook's grows with
// the signals that agree and shrinks with contradictions, close competing hypotheses and missing
// evidence (agent/README.md "Confidence"), but 0.8 raw need not mean right 80 % of the time.
// The calibration is a monotone piecewise-linear map fitted on labelled runs by isotonic
// regression (pool-adjacent-violators, FitIsotonic) — on the TUNING scenario families only
// (`bench_scenarios --fit-calibration FILE`) — and kept per engine as a versioned JSON file in
// agent/calibration/ (playbook.v1.json), embedded at build time. The engine applies it when it
// writes the report; the Claude engine's map is the identity until recorded Claude runs exist to
// fit one (claude.v1.json says so).
//
// One map is not always enough: a raw score of 0.7 from a verdict that accounts for everything
// seen is a different bet from 0.7 for one that leaves a firing alert unexplained. The map may
// therefore be kept per decision path (ReportPath: whether the report's own hypothesis has
// evidence against it — a contradiction, an observation it leaves unexplained, a fallback rule),
// each fitted on that path's runs only and shrunk towards the raw score when the path has few
// runs ("isotonic_by_path", FitIsotonicByPath).
//
// File format (every field required unless said otherwise):
//   {"engine": "playbook", "version": 1,
//    "method": "isotonic" | "identity" | "isotonic_by_path",
//    "fitted_on": "<what it was fitted on>", "samples": N,
//    "points": [[raw, probability], ...],   // raw strictly increasing, probability
//                                           // non-decreasing, all in [0, 1]
//    "paths": {"<path>": {"samples": N, "points": [[raw, probability], ...]}, ...}}
//                                           // only (and required) with isotonic_by_path;
//                                           // <path> one of kReportPaths
// "identity" has no points. "points" is the map of all runs (the one used for a path the file
// has no map for). Between points a map is linear; below the first point it is the first
// probability, above the last the last.
// Thread-safety: immutable after construction; Apply may run concurrently.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine_kind.h"
#include "core/error.h"
#include "core/json.h"

namespace rh::agent {

struct Report;

// One labelled run: the raw confidence, whether the category was right, and the report's
// decision path (ReportPath).
struct CalibrationSample {
  double raw = 0;
  bool correct = false;
  std::string path{};  // "" when the path is unknown
};

// The decision paths a calibration may keep a map for: "uncontested" when the report's own
// (rank-1) hypothesis has no evidence against it, "contested" when it has some (a contradiction,
// an observation the verdict leaves unexplained, a verdict from a fallback rule).
inline constexpr std::string_view kUncontested = "uncontested";
inline constexpr std::string_view kContested = "contested";
inline constexpr std::string_view kReportPaths[] = {kUncontested, kContested};
std::string_view ReportPath(const Report& report);

class ConfidenceCalibration {
 public:
  // The identity map for `engine` (method "identity", no points).
  static ConfidenceCalibration Identity(EngineKind engine);
  // Parses the file format above; invalid_argument naming `origin` and the field that is wrong
  // (and what it must be) for anything else. Nothing is half-read: an error returns no map.
  static Result<ConfidenceCalibration> FromJson(std::string_view text, std::string_view origin);
  // Reads and parses a file (not_found when it does not exist, invalid_argument when bad).
  static Result<ConfidenceCalibration> LoadFile(const std::string& path);
  // The calibration embedded at build time for `engine` (agent/calibration/<engine>.v1.json);
  // an internal error only if the embedded file is bad (a build defect; a test checks it).
  static Result<ConfidenceCalibration> Embedded(EngineKind engine);

  // The probability for a raw confidence (clamped to [0, 1] first): through the map of `path`
  // when the calibration has one, else the map of all runs.
  double Apply(double raw) const;
  double Apply(double raw, std::string_view path) const;

  EngineKind engine() const { return engine_; }
  int version() const { return version_; }
  const std::string& method() const { return method_; }
  const std::string& fitted_on() const { return fitted_on_; }
  int64_t samples() const { return samples_; }
  const std::vector<std::pair<double, double>>& points() const { return points_; }
  struct PathMap {
    int64_t samples = 0;
    std::vector<std::pair<double, double>> points;
  };
  // The per-path maps of an "isotonic_by_path" calibration, by path name (empty otherwise).
  const std::vector<std::pair<std::string, PathMap>>& paths() const { return paths_; }

  // The file format above (FromJson(DumpJson(ToJson())) gives the same map).
  Json ToJson() const;

 private:
  friend ConfidenceCalibration FitIsotonic(EngineKind, std::vector<CalibrationSample>, int,
                                           std::string, int);
  friend ConfidenceCalibration FitIsotonicByPath(EngineKind, std::vector<CalibrationSample>, int,
                                                 std::string, int, int);
  EngineKind engine_ = EngineKind::kPlaybook;
  int version_ = 1;
  std::string method_ = "identity";
  std::string fitted_on_;
  int64_t samples_ = 0;
  std::vector<std::pair<double, double>> points_;
  std::vector<std::pair<std::string, PathMap>> paths_;
};

// Applies `calibration` to a report: confidence becomes the calibrated probability of its path
// (ReportPath; rounded to 0.01), the rank-1 hypothesis' likelihood follows it, and the competing
// hypotheses keep their share of what the winner leaves (rescaled to the new remainder, never above
// the rank above).
void CalibrateReport(const ConfidenceCalibration& calibration, Report* report);

// Isotonic regression of `correct` on `raw` by pool-adjacent-violators: samples sorted by raw
// (equal raws pooled first), adjacent blocks whose accuracy decreases merged until the accuracy
// never decreases; each block becomes a point (its mean raw, its accuracy). The probabilities are
// then clamped to [kMinProbability, kMaxProbability] (a finite sample never proves certainty).
// No samples gives the identity. With `min_block` > 1, a block of fewer runs is merged into its
// neighbour (the lower one, else the upper) after pooling: a handful of runs does not make a
// step (a probability of 0.02 from three wrong runs would be overfitting, not calibration).
inline constexpr double kMinProbability = 0.02;
inline constexpr double kMaxProbability = 0.98;
ConfidenceCalibration FitIsotonic(EngineKind engine, std::vector<CalibrationSample> samples,
                                  int version, std::string fitted_on, int min_block = 1);
// The map of all runs ("points") and, for every path of kReportPaths, a map fitted on that
// path's runs only, shrunk towards the raw score by `prior_runs` pseudo-runs: with n runs, the
// path's map is n/(n + prior_runs) * its isotonic fit + prior_runs/(n + prior_runs) * raw. A path
// the fitting runs seldom or never take (a verdict that leaves something unexplained, a fallback
// rule) keeps close to the raw score, which already discounts it, instead of inheriting the
// accuracy of the paths that were seen. Method "isotonic_by_path"; no samples: the identity.
ConfidenceCalibration FitIsotonicByPath(EngineKind engine, std::vector<CalibrationSample> samples,
                                        int version, std::string fitted_on, int min_block,
                                        int prior_runs);

// Reliability figures of a set of (confidence, correct) runs.
struct ReliabilityFigures {
  int64_t runs = 0;
  double brier = 0;            // mean (confidence - correct)^2
  double ece = 0;              // expected calibration error over 10 equal-width bins
  double mean_right = 0;       // mean confidence when right (0 without such runs)
  double mean_wrong = 0;       // mean confidence when wrong (0 without such runs)
  int64_t right = 0;
  int64_t wrong = 0;
  struct Bin {
    int64_t runs = 0;
    double mean_confidence = 0;
    double accuracy = 0;
  };
  std::vector<Bin> bins;  // 10 bins: [0, 0.1), ..., [0.9, 1.0]
};
ReliabilityFigures Reliability(const std::vector<CalibrationSample>& runs);

// A reliability diagram as a standalone SVG document: one curve per named series (accuracy
// against mean confidence per non-empty bin, with the bin's share as the dot size) over the
// diagonal, each legend entry with its Brier and ECE.
std::string ReliabilitySvg(
    const std::string& title,
    const std::vector<std::pair<std::string, ReliabilityFigures>>& series);

}  // namespace rh::agent
