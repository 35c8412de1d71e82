// The confidence calibration: fitting by pool-adjacent-violators, the file format and its
// errors, the embedded per-engine files, applying the map to a report, and the reliability
// figures and diagram the scenario benchmark prints.
#include "agent/calibration.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "agent/report.h"

namespace rh::agent {
namespace {

std::string ValidFile(const std::string& points) {
  return R"({"engine": "playbook", "version": 2, "method": "isotonic", "fitted_on": "test",
             "samples": 10, "points": )" +
         points + "}";
}

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("rh-calibration-test-" + std::to_string(::getpid()) + "-" + name);
}

TEST(CalibrationFit, PoolAdjacentViolatorsOnAKnownExample) {
  // 0.1 right, 0.2 wrong: a violation, pooled to one block of accuracy 0.5 at raw 0.15; 0.3 and
  // 0.4 both right: pooled (a tie is pooled too) to accuracy 1, clamped to 0.98.
  const ConfidenceCalibration fit = FitIsotonic(
      EngineKind::kPlaybook, {{0.4, true}, {0.1, true}, {0.3, true}, {0.2, false}}, 3, "example");
  EXPECT_EQ(fit.method(), "isotonic");
  EXPECT_EQ(fit.version(), 3);
  EXPECT_EQ(fit.samples(), 4);
  EXPECT_EQ(fit.fitted_on(), "example");
  ASSERT_EQ(fit.points().size(), 2u);
  EXPECT_NEAR(fit.points()[0].first, 0.15, 1e-9);
  EXPECT_NEAR(fit.points()[0].second, 0.5, 1e-9);
  EXPECT_NEAR(fit.points()[1].first, 0.35, 1e-9);
  EXPECT_NEAR(fit.points()[1].second, kMaxProbability, 1e-9);
  // Linear between the points, flat outside them.
  EXPECT_NEAR(fit.Apply(0.0), 0.5, 1e-9);
  EXPECT_NEAR(fit.Apply(0.25), 0.5 + 0.5 * (kMaxProbability - 0.5), 1e-9);
  EXPECT_NEAR(fit.Apply(1.0), kMaxProbability, 1e-9);
}

TEST(CalibrationFit, EqualRawValuesArePooledIntoOnePoint) {
  const ConfidenceCalibration fit = FitIsotonic(
      EngineKind::kPlaybook,
      {{0.5, true}, {0.5, false}, {0.5, false}, {0.5, true}, {0.9, true}, {0.9, true}}, 1, "");
  ASSERT_EQ(fit.points().size(), 2u);
  EXPECT_NEAR(fit.points()[0].first, 0.5, 1e-9);
  EXPECT_NEAR(fit.points()[0].second, 0.5, 1e-9);
  EXPECT_NEAR(fit.points()[1].second, kMaxProbability, 1e-9);
}

TEST(CalibrationFit, TheFittedMapIsMonotoneAndTracksTheTrueRate) {
  // Runs whose chance of being right is raw^2: the fit must never decrease and land near it.
  std::mt19937 random(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<CalibrationSample> samples;
  for (int idx = 0; idx < 4000; ++idx) {
    const double raw = uniform(random);
    samples.push_back({raw, uniform(random) < raw * raw});
  }
  const ConfidenceCalibration fit = FitIsotonic(EngineKind::kPlaybook, samples, 1, "synthetic");
  ASSERT_GE(fit.points().size(), 3u);
  for (size_t idx = 1; idx < fit.points().size(); ++idx) {
    EXPECT_GT(fit.points()[idx].first, fit.points()[idx - 1].first);
    EXPECT_GT(fit.points()[idx].second, fit.points()[idx - 1].second);
  }
  double previous = 0;
  for (double raw = 0; raw <= 1.0; raw += 0.01) {
    const double probability = fit.Apply(raw);
    EXPECT_GE(probability, previous);
    previous = probability;
  }
  EXPECT_NEAR(fit.Apply(0.5), 0.25, 0.1);
  EXPECT_NEAR(fit.Apply(0.9), 0.81, 0.1);
  // Calibrating improves the Brier score of these runs.
  std::vector<CalibrationSample> calibrated;
  for (const CalibrationSample& sample : samples) {
    calibrated.push_back({fit.Apply(sample.raw), sample.correct});
  }
  EXPECT_LT(Reliability(calibrated).brier, Reliability(samples).brier);
  EXPECT_LT(Reliability(calibrated).ece, Reliability(samples).ece);
}

TEST(CalibrationFit, NoSamplesIsTheIdentity) {
  const ConfidenceCalibration fit = FitIsotonic(EngineKind::kClaude, {}, 1, "nothing");
  EXPECT_EQ(fit.method(), "identity");
  EXPECT_TRUE(fit.points().empty());
  EXPECT_DOUBLE_EQ(fit.Apply(0.37), 0.37);
  EXPECT_DOUBLE_EQ(fit.Apply(1.7), 1.0);
  EXPECT_DOUBLE_EQ(fit.Apply(-2), 0.0);
}

TEST(CalibrationFile, RoundTripsThroughJson) {
  const ConfidenceCalibration fit = FitIsotonic(
      EngineKind::kPlaybook, {{0.2, false}, {0.3, true}, {0.6, false}, {0.8, true}, {0.9, true}},
      4, "round trip");
  auto loaded = ConfidenceCalibration::FromJson(DumpJson(fit.ToJson()), "fit");
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_EQ(loaded->engine(), EngineKind::kPlaybook);
  EXPECT_EQ(loaded->version(), 4);
  EXPECT_EQ(loaded->fitted_on(), "round trip");
  EXPECT_EQ(loaded->samples(), 5);
  ASSERT_EQ(loaded->points().size(), fit.points().size());
  for (double raw : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    EXPECT_NEAR(loaded->Apply(raw), fit.Apply(raw), 1e-3);
  }
}

TEST(CalibrationFile, BadFilesAreRefusedNamingWhatIsWrong) {
  struct Case {
    std::string text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"not json", "calib.json"},
      {"[1, 2]", "must be a JSON object"},
      {R"({"engine": "playbook", "version": 1})", "missing \"method\""},
      {ValidFile("[[0.2, 0.5], [0.1, 0.6]]"), "raw values must strictly increase"},
      {ValidFile("[[0.1, 0.6], [0.2, 0.5]]"), "never decrease"},
      {ValidFile("[[0.1, 1.5]]"), "points[0] must be [raw, probability]"},
      {ValidFile("[[0.1]]"), "points[0]"},
      {ValidFile("[]"), "needs at least one point"},
      {ValidFile("{}"), "\"points\" must be an array"},
      {R"({"engine": "gpt", "version": 1, "method": "identity", "fitted_on": "", "samples": 0,
           "points": []})",
       "\"engine\" must be \"playbook\" or \"claude\""},
      {R"({"engine": "playbook", "version": 0, "method": "identity", "fitted_on": "",
           "samples": 0, "points": []})",
       "\"version\" must be a positive integer"},
      {R"({"engine": "playbook", "version": 1, "method": "platt", "fitted_on": "",
           "samples": 0, "points": []})",
       "\"method\" must be"},
      {R"({"engine": "playbook", "version": 1, "method": "identity", "fitted_on": "",
           "samples": 0, "points": [[0.1, 0.2]]})",
       "an \"identity\" calibration has no points"},
  };
  for (const Case& item : cases) {
    auto loaded = ConfidenceCalibration::FromJson(item.text, "calib.json");
    ASSERT_FALSE(loaded) << item.text;
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument) << item.text;
    EXPECT_NE(loaded.error().ToString().find(item.says), std::string::npos)
        << loaded.error().ToString();
    EXPECT_NE(loaded.error().ToString().find("calib.json"), std::string::npos);
  }
}

TEST(CalibrationFile, LoadFileSaysWhenTheFileIsMissingOrBad) {
  const std::filesystem::path missing = TempPath("missing.json");
  std::filesystem::remove(missing);
  auto absent = ConfidenceCalibration::LoadFile(missing.string());
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
  EXPECT_NE(absent.error().message.find("--fit-calibration"), std::string::npos);

  const std::filesystem::path bad = TempPath("bad.json");
  std::ofstream(bad) << ValidFile("[[0.5, 0.9], [0.6, 0.1]]");
  auto refused = ConfidenceCalibration::LoadFile(bad.string());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().ToString().find(bad.string()), std::string::npos);

  const std::filesystem::path good = TempPath("good.json");
  std::ofstream(good) << ValidFile("[[0.2, 0.1], [0.8, 0.9]]");
  auto loaded = ConfidenceCalibration::LoadFile(good.string());
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_NEAR(loaded->Apply(0.5), 0.5, 1e-9);
  std::filesystem::remove(bad);
  std::filesystem::remove(good);
}

TEST(CalibrationFile, EachEngineHasAValidEmbeddedCalibration) {
  auto playbook = ConfidenceCalibration::Embedded(EngineKind::kPlaybook);
  ASSERT_TRUE(playbook) << playbook.error().ToString();
  EXPECT_EQ(playbook->engine(), EngineKind::kPlaybook);
  // The shipped playbook map is fitted per decision path: monotone points on the tuning
  // families' runs, for every path.
  EXPECT_EQ(playbook->method(), "isotonic_by_path");
  EXPECT_GT(playbook->samples(), 100);
  EXPECT_NE(playbook->fitted_on().find("tuning families"), std::string::npos);
  EXPECT_EQ(playbook->paths().size(), std::size(kReportPaths));
  for (std::string_view path : kReportPaths) {
    double previous = 0;
    for (double raw = 0; raw <= 1.0; raw += 0.05) {
      EXPECT_GE(playbook->Apply(raw, path), previous) << path;
      previous = playbook->Apply(raw, path);
    }
  }
  // Claude's is the identity until recorded runs exist to fit it.
  auto claude = ConfidenceCalibration::Embedded(EngineKind::kClaude);
  ASSERT_TRUE(claude) << claude.error().ToString();
  EXPECT_EQ(claude->engine(), EngineKind::kClaude);
  EXPECT_EQ(claude->method(), "identity");
  EXPECT_DOUBLE_EQ(claude->Apply(0.42), 0.42);
  EXPECT_FALSE(ConfidenceCalibration::Embedded(EngineKind::kAuto));
}

Report TwoHypothesisReport(double confidence) {
  Report report;
  report.severity = Severity::kHigh;
  report.confidence = confidence;
  report.root_cause = "BE memory exhausted";
  report.root_cause_category = RootCause::kMemoryPressure;
  report.evidence = {{"call_3", "query_cluster_metrics", "BE memory 96% (critical)"}};
  report.recommendations = {{"Scale BE CU", "memory is exhausted", "", Json::object(), ""}};
  report.summary = "memory";
  Hypothesis own;
  own.rank = 1;
  own.category = RootCause::kMemoryPressure;
  own.statement = "BE memory exhausted";
  own.likelihood = confidence;
  own.evidence_for = report.evidence;
  Hypothesis other;
  other.rank = 2;
  other.category = RootCause::kSlowQueries;
  other.statement = "slow queries";
  other.likelihood = 0.1;
  report.hypotheses = {own, other};
  return report;
}

TEST(CalibrationApply, TheReportCarriesTheCalibratedProbability) {
  auto calibration =
      ConfidenceCalibration::FromJson(ValidFile("[[0.5, 0.2], [0.9, 0.6]]"), "test");
  ASSERT_TRUE(calibration);
  Report report = TwoHypothesisReport(0.8);
  CalibrateReport(*calibration, &report);
  EXPECT_DOUBLE_EQ(report.confidence, 0.5);
  EXPECT_DOUBLE_EQ(report.hypotheses[0].likelihood, 0.5);
  // The competitor's share of what is left scales from 0.2 to 0.5: 0.1 -> 0.25.
  EXPECT_DOUBLE_EQ(report.hypotheses[1].likelihood, 0.25);
  // Still a valid report (likelihoods never rise down the ranking).
  auto parsed = ParseReport(ReportToJson(report), {"call_3"});
  ASSERT_TRUE(parsed) << parsed.error().ToString();

  // A competitor never ends up above the winner.
  Report confident = TwoHypothesisReport(0.95);
  confident.hypotheses[1].likelihood = 0.05;
  auto flat = ConfidenceCalibration::FromJson(ValidFile("[[0.9, 0.1], [0.96, 0.1]]"), "flat");
  ASSERT_TRUE(flat) << flat.error().ToString();
  CalibrateReport(*flat, &confident);
  EXPECT_LE(confident.hypotheses[1].likelihood, confident.hypotheses[0].likelihood);

  // The identity leaves the report as it was.
  Report same = TwoHypothesisReport(0.8);
  CalibrateReport(ConfidenceCalibration::Identity(EngineKind::kPlaybook), &same);
  EXPECT_DOUBLE_EQ(same.confidence, 0.8);
  EXPECT_DOUBLE_EQ(same.hypotheses[1].likelihood, 0.1);
}

// ---- per decision path ------------------------------------------------------------------------

std::string ByPathFile(const std::string& paths) {
  return R"({"engine": "playbook", "version": 4, "method": "isotonic_by_path",
             "fitted_on": "test", "samples": 20, "points": [[0.2, 0.5], [0.8, 0.9]],
             "paths": )" +
         paths + "}";
}

TEST(CalibrationPath, TheReportsPathIsWhetherItsOwnHypothesisHasEvidenceAgainstIt) {
  Report report = TwoHypothesisReport(0.8);
  EXPECT_EQ(ReportPath(report), kUncontested);
  report.hypotheses[0].evidence_against.push_back(
      {"call_2", "query_cluster_alerts", "left unexplained: 'BE Disk Usage High' firing"});
  EXPECT_EQ(ReportPath(report), kContested);
  EXPECT_EQ(ReportPath(Report{}), kUncontested);  // no hypothesis: nothing against it
}

TEST(CalibrationPath, EachPathHasItsOwnMapAndTheOthersUseTheMapOfAllRuns) {
  auto calibration = ConfidenceCalibration::FromJson(
      ByPathFile(R"({"contested": {"samples": 8, "points": [[0.2, 0.1], [0.8, 0.4]]}})"), "test");
  ASSERT_TRUE(calibration) << calibration.error().ToString();
  EXPECT_EQ(calibration->method(), "isotonic_by_path");
  ASSERT_EQ(calibration->paths().size(), 1u);
  EXPECT_EQ(calibration->paths()[0].first, "contested");
  EXPECT_EQ(calibration->paths()[0].second.samples, 8);
  EXPECT_NEAR(calibration->Apply(0.5, kContested), 0.25, 1e-9);
  EXPECT_NEAR(calibration->Apply(0.5, kUncontested), 0.7, 1e-9);  // no map of its own
  EXPECT_NEAR(calibration->Apply(0.5), 0.7, 1e-9);

  // CalibrateReport reads the path from the report.
  Report clean = TwoHypothesisReport(0.5);
  Report contested = TwoHypothesisReport(0.5);
  contested.hypotheses[0].evidence_against.push_back(
      {"call_3", "query_cluster_metrics", "left unexplained: disk 92% (critical)"});
  CalibrateReport(*calibration, &clean);
  CalibrateReport(*calibration, &contested);
  EXPECT_DOUBLE_EQ(clean.confidence, 0.7);
  EXPECT_DOUBLE_EQ(contested.confidence, 0.25);
  EXPECT_DOUBLE_EQ(contested.hypotheses[0].likelihood, 0.25);
  EXPECT_LE(contested.hypotheses[1].likelihood, contested.hypotheses[0].likelihood);

  // The file format round-trips with its paths.
  auto again = ConfidenceCalibration::FromJson(DumpJson(calibration->ToJson()), "again");
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->ToJson(), calibration->ToJson());
}

TEST(CalibrationPath, BadPathMapsAreRefusedNamingWhatIsWrong) {
  auto expect_refused = [](const std::string& text, const std::string& words) {
    auto calibration = ConfidenceCalibration::FromJson(text, "bad.json");
    ASSERT_FALSE(calibration) << text;
    EXPECT_NE(calibration.error().ToString().find(words), std::string::npos)
        << calibration.error().ToString();
  };
  expect_refused(ByPathFile(R"({"sideways": {"samples": 3, "points": [[0.5, 0.5]]}})"),
                 "paths.sideways: the path must be");
  expect_refused(ByPathFile(R"({"contested": {"samples": 3, "points": [[0.5, 0.5], [0.4, 0.6]]}})"),
                 "paths.contested.points[1]: raw values must strictly increase");
  expect_refused(ByPathFile(R"({"contested": {"points": [[0.5, 0.5]]}})"),
                 "paths.contested must be");
  expect_refused(ByPathFile(R"({})"), "\"paths\" must be a non-empty object");
  expect_refused(R"({"engine": "playbook", "version": 4, "method": "isotonic_by_path",
                     "fitted_on": "t", "samples": 2, "points": [[0.5, 0.5]]})",
                 "needs \"paths\"");
  expect_refused(R"({"engine": "playbook", "version": 4, "method": "isotonic", "fitted_on": "t",
                     "samples": 2, "points": [[0.5, 0.5]],
                     "paths": {"contested": {"samples": 2, "points": [[0.5, 0.5]]}}})",
                 "\"paths\" belongs only to");
}

TEST(CalibrationPath, FitByPathSeparatesAContestedPathThatIsOftenWrong) {
  // Uncontested: right 19 times in 20 at every raw; contested: right 2 times in 10 at the same
  // raws.
  std::vector<CalibrationSample> samples;
  for (int idx = 0; idx < 20; ++idx) samples.push_back({0.6 + 0.01 * idx, idx != 7, "uncontested"});
  for (int idx = 0; idx < 10; ++idx)
    samples.push_back({0.6 + 0.02 * idx, idx % 5 == 0, "contested"});
  const ConfidenceCalibration fit =
      FitIsotonicByPath(EngineKind::kPlaybook, samples, 5, "paths", 1, 0);
  EXPECT_EQ(fit.method(), "isotonic_by_path");
  EXPECT_EQ(fit.version(), 5);
  EXPECT_EQ(fit.samples(), 30);
  ASSERT_EQ(fit.paths().size(), 2u);
  EXPECT_EQ(fit.paths()[1].second.samples, 10);
  EXPECT_GT(fit.Apply(0.7, kUncontested), 0.85);
  EXPECT_NEAR(fit.Apply(0.7, kContested), 0.2, 1e-9);
  // Shrunk by 10 pseudo-runs of raw score: the contested path's 10 runs weigh half.
  const ConfidenceCalibration shrunk =
      FitIsotonicByPath(EngineKind::kPlaybook, samples, 5, "paths", 1, 10);
  EXPECT_NEAR(shrunk.Apply(0.7, kContested), 0.5 * 0.2 + 0.5 * 0.7, 1e-9);
  // The file it writes reads back as the same map.
  auto again = ConfidenceCalibration::FromJson(DumpJson(shrunk.ToJson()), "fit");
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_NEAR(again->Apply(0.7, kContested), shrunk.Apply(0.7, kContested), 1e-3);
  // A path no run took is the raw score itself (between the clamps): nothing was learnt about
  // it.
  std::vector<CalibrationSample> clean(samples.begin(), samples.begin() + 20);
  const ConfidenceCalibration unseen =
      FitIsotonicByPath(EngineKind::kPlaybook, clean, 5, "paths", 1, 10);
  EXPECT_NEAR(unseen.Apply(0.42, kContested),
              kMinProbability + 0.42 * (kMaxProbability - kMinProbability), 1e-9);
  EXPECT_GT(unseen.Apply(0.42, kUncontested), 0.6);
  // No samples at all: the identity.
  EXPECT_EQ(FitIsotonicByPath(EngineKind::kPlaybook, {}, 5, "", 1, 10).method(), "identity");
}

TEST(CalibrationFit, BlocksSmallerThanTheMinimumAreMergedIntoTheirNeighbour) {
  // Without a minimum: the two wrong runs at the bottom make a step of their own at 0.02.
  std::vector<CalibrationSample> samples = {{0.1, false}, {0.15, false}};
  for (int idx = 0; idx < 8; ++idx) samples.push_back({0.5 + 0.01 * idx, idx != 3});
  const ConfidenceCalibration loose = FitIsotonic(EngineKind::kPlaybook, samples, 1, "");
  ASSERT_FALSE(loose.points().empty());
  EXPECT_NEAR(loose.points().front().second, kMinProbability, 1e-9);
  // With a minimum of 5 runs a step, they are pooled with the runs above them.
  const ConfidenceCalibration merged = FitIsotonic(EngineKind::kPlaybook, samples, 1, "", 5);
  ASSERT_FALSE(merged.points().empty());
  EXPECT_GT(merged.points().front().second, 0.3);
  double previous = 0;
  for (const auto& [raw, probability] : merged.points()) {
    EXPECT_GE(probability, previous);
    previous = probability;
  }
}

TEST(Reliability, BrierEceAndMeansOnAKnownSet) {
  // Two runs at 0.95 (one right), two at 0.15 (both wrong).
  const ReliabilityFigures figures =
      Reliability({{0.95, true}, {0.95, false}, {0.15, false}, {0.15, false}});
  EXPECT_EQ(figures.runs, 4);
  EXPECT_NEAR(figures.brier, (0.05 * 0.05 + 0.95 * 0.95 + 2 * 0.15 * 0.15) / 4, 1e-9);
  // Bin 9: confidence 0.95, accuracy 0.5; bin 1: confidence 0.15, accuracy 0.
  EXPECT_NEAR(figures.ece, 0.5 * 0.45 + 0.5 * 0.15, 1e-9);
  EXPECT_NEAR(figures.mean_right, 0.95, 1e-9);
  EXPECT_NEAR(figures.mean_wrong, (0.95 + 0.15 + 0.15) / 3, 1e-9);
  EXPECT_EQ(figures.bins[9].runs, 2);
  EXPECT_EQ(figures.bins[1].runs, 2);
  EXPECT_EQ(figures.bins[5].runs, 0);
  EXPECT_EQ(Reliability({}).runs, 0);
}

TEST(Reliability, TheDiagramIsAnSvgWithOneCurvePerSeries) {
  const std::string svg = ReliabilitySvg(
      "held-out <families>", {{"raw", Reliability({{0.9, true}, {0.5, false}, {0.2, false}})},
                              {"calibrated", Reliability({{0.6, true}, {0.3, false}})}});
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("held-out &lt;families&gt;"), std::string::npos);
  size_t curves = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    ++curves;
  }
  EXPECT_EQ(curves, 2u);
  EXPECT_NE(svg.find("raw: 3 runs, Brier"), std::string::npos);
  EXPECT_NE(svg.find("calibrated: 2 runs"), std::string::npos);
}

}  // namespace
}  // namespace rh::agent
