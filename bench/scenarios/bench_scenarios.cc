// bench_scenarios: the scenario accuracy benchmark of the offline playbook engine.
//
//   bench_scenarios [--tuning FLEETS] [--holdout FLEETS] [--days 14] [--healthy 8]
//                   [--only tuning|holdout] [--scenarios classic|all] [--misses] [--dump DIR]
//                   [--calibration FILE] [--fit-calibration FILE] [--reliability-svg FILE]
//                   [--held-out-families] [--starrocks-corpus DIR | --no-starrocks-corpus]
//
// FLEETS is a comma-separated list of seed[:clusters[:incidents]] (default 120 clusters and 26
// incidents: two of every category; with --scenarios all, 200 clusters and one incident of every
// family of the catalogue).
//
// --scenarios (default classic) picks the scenario families the fleets are generated from
// (simulator/scenario_catalog.h). With `all`, every fleet (tuning and held-out seeds alike) holds
// the whole catalogue and the figures are printed separately for the tuning families and the
// held-out families (simulator::IsHeldOutFamily: the split is by family, fixed in the
// simulator), with a line per family. Defaults: tuning 11,12,13,31:400:80 and held-out
// 21,22,23,24,41:400:80 — the 400-cluster fleets are denser, so unrelated incidents share
// accounts, alert names and hours, which the account-wide rule must not mistake for one cause.
//
// For every fleet it generates a simulated fleet (rh::simulator) into a temporary SQLite file,
// scores it once with the sentinel's HealthScorer (as `rockhound cycle` does before it
// investigates), and runs the playbook engine — through the same eight tools as `rockhound
// investigate`, with the starter knowledge and the real StarRocks corpus (below) ingested into a
// temporary Knowledge Lake — on every
// cluster of every labelled incident (sim_ground_truth; read here, in the benchmark, never by
// the engine), plus --healthy background clusters per seed. The clock is pinned 5 minutes
// after the fleet's last hour.
//
// It prints, for the tuning seeds (the only ones the rules were tuned on) and separately for
// the held-out seeds: root-cause-category accuracy per category and overall, severity accuracy
// (exact, and within one level), the Brier score of the confidence (confidence against "the
// category is right"), tool calls and wall time per investigation, and for the healthy sample
// how many reports came out at severity low/info. --misses lists every wrong category with
// what the report said; --dump writes each investigation (ground truth, report, transcript) as
// JSON files into DIR.
//
// Confidence (agent/calibration.h). The engine runs with the identity map, so every run gives
// its raw confidence; the report's confidence is that mapped through the calibration the engine
// applies (CalibrateReport with the embedded agent/calibration/playbook.v1.json, or --calibration
// FILE). Brier, ECE (10 bins) and the mean confidence when right and when wrong are printed for
// both, with a line per decision path (rh::agent::ReportPath: uncontested, contested) giving its
// runs, its accuracy and its mean calibrated confidence when right and when wrong, and a
// reliability diagram of the held-out families (raw and calibrated) and the tuning families
// (calibrated) is written as SVG (--reliability-svg, default reliability.svg next to the
// binary).
//
// --fit-calibration FILE fits the playbook's calibration (isotonic, pool-adjacent-violators, a
// map per decision path shrunk towards the raw score by kPathPriorRuns pseudo-runs and a map of
// all runs, steps of at least kMinBlock runs: FitIsotonicByPath) on the TUNING families of the
// tuning fleets only (implies
// --scenarios all and --only tuning; the held-out fleets are not generated, held-out families of
// the tuning fleets are dropped) and writes it to FILE with "version" one above the calibration
// the run used: copy it over agent/calibration/playbook.v1.json to ship it. --dump with --only
// tuning writes the tuning families' investigations only.
//
// The StarRocks corpus: the real StarRocks release notes and operations docs
// (DIR/known_bugs.jsonl and DIR/ops_docs.jsonl) are ingested into the Knowledge Lake beside the
// starter knowledge, as a deployment loads them: the known bugs the playbook must find, or rule
// out, among 2,471 release-note rows rather than the starter's five. DIR is ../shared/data/
// starrocks beside the repository (or beside the current directory) when it is there; when it
// is not, the bench says so and runs on the starter knowledge alone. --starrocks-corpus DIR
// points elsewhere (an error when DIR lacks the files); --no-starrocks-corpus skips it. Which
// corpus was loaded is printed with the figures.
//
// Per-family lines are printed for the tuning families; for the held-out families only with
// --held-out-families (rules are never tuned on held-out families: look only at the end).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/calibration.h"
#include "agent/playbook_engine.h"
#include "agent/report.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "sentinel/scorer.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "simulator/scenario_catalog.h"
#include "store/database.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace {

using rh::Json;

struct FleetSpec {
  uint64_t seed = 0;
  int clusters = 0;   // 0: the default of the scenario set
  int incidents = 0;  // 0: the default of the scenario set
  std::string Label() const {
    return std::to_string(seed) +
           (clusters == 0 && incidents == 0
                ? ""
                : ":" + std::to_string(clusters) + ":" + std::to_string(incidents));
  }
};

struct Args {
  std::vector<FleetSpec> tuning = {{11}, {12}, {13}, {31, 400, 80}};
  std::vector<FleetSpec> holdout = {{21}, {22}, {23}, {24}, {41, 400, 80}};
  int days = 14;
  int healthy = 8;
  std::string only;
  rh::simulator::ScenarioSet scenarios = rh::simulator::ScenarioSet::kClassic;
  bool misses = false;
  std::string dump;
  std::string calibration;      // a calibration file instead of the embedded one
  std::string fit_calibration;  // fit on the tuning families and write it here
  std::string reliability_svg;  // default: reliability.svg next to the binary
  std::string starrocks_corpus;  // a directory with known_bugs.jsonl and ops_docs.jsonl
  bool no_starrocks_corpus = false;  // the starter knowledge only
  bool held_out_families = false;
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_scenarios [--tuning seed[:clusters[:incidents]],...] "
               "[--holdout seed[:clusters[:incidents]],...] [--days 14] [--healthy 8] "
               "[--only tuning|holdout] [--scenarios classic|all] [--misses] [--dump DIR] "
               "[--calibration FILE] [--fit-calibration FILE] [--reliability-svg FILE] "
               "[--held-out-families] [--starrocks-corpus DIR | --no-starrocks-corpus]\n");
  return 2;
}

bool ParseFleets(const std::string& text, std::vector<FleetSpec>* fleets) {
  fleets->clear();
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    FleetSpec spec;
    std::stringstream parts(item);
    std::string part;
    int index = 0;
    while (std::getline(parts, part, ':')) {
      if (part.empty()) return false;
      if (index == 0) spec.seed = std::strtoull(part.c_str(), nullptr, 10);
      if (index == 1) spec.clusters = std::atoi(part.c_str());
      if (index == 2) spec.incidents = std::atoi(part.c_str());
      ++index;
    }
    if (index == 0 || index > 3 || spec.clusters < 0 || spec.incidents < 0) return false;
    if (index == 2 && spec.clusters == 0) return false;
    if (index == 3 && spec.incidents == 0) return false;
    fleets->push_back(spec);
  }
  return !fleets->empty();
}

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string_view arg = argv[arg_idx];
    if (arg == "--misses") {
      args->misses = true;
      continue;
    }
    if (arg == "--held-out-families") {
      args->held_out_families = true;
      continue;
    }
    if (arg == "--no-starrocks-corpus") {
      args->no_starrocks_corpus = true;
      continue;
    }
    if (arg_idx + 1 >= argc) return false;
    std::string value = argv[++arg_idx];
    if (arg == "--tuning") {
      if (!ParseFleets(value, &args->tuning)) return false;
    } else if (arg == "--holdout") {
      if (!ParseFleets(value, &args->holdout)) return false;
    } else if (arg == "--days") {
      args->days = std::atoi(value.c_str());
    } else if (arg == "--healthy") {
      args->healthy = std::atoi(value.c_str());
    } else if (arg == "--only") {
      if (value != "tuning" && value != "holdout") return false;
      args->only = value;
    } else if (arg == "--scenarios") {
      auto set = rh::simulator::ParseScenarioSet(value);
      if (!set || (*set != rh::simulator::ScenarioSet::kClassic &&
                   *set != rh::simulator::ScenarioSet::kAll)) {
        return false;
      }
      args->scenarios = *set;
    } else if (arg == "--dump") {
      args->dump = value;
    } else if (arg == "--calibration") {
      args->calibration = value;
    } else if (arg == "--fit-calibration") {
      args->fit_calibration = value;
    } else if (arg == "--reliability-svg") {
      args->reliability_svg = value;
    } else if (arg == "--starrocks-corpus") {
      args->starrocks_corpus = value;
    } else {
      return false;
    }
  }
  if (args->no_starrocks_corpus && !args->starrocks_corpus.empty()) return false;
  if (!args->fit_calibration.empty()) {
    if (args->only == "holdout") return false;
    args->scenarios = rh::simulator::ScenarioSet::kAll;
    args->only = "tuning";
  }
  return args->days > 0 && args->healthy >= 0;
}

double Seconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

// One investigation compared with the ground truth.
struct Outcome {
  uint64_t seed = 0;
  std::string cluster_id;
  std::string scenario;
  std::string family;     // the scenario family (simulator::FamilyOfScenario)
  bool held_out = false;  // a held-out family
  rh::RootCause expected_category = rh::RootCause::kInsufficientData;
  rh::Severity expected_severity = rh::Severity::kInfo;
  std::string red_herring;
  rh::RootCause category = rh::RootCause::kInsufficientData;
  rh::Severity severity = rh::Severity::kInfo;
  double confidence = 0;  // as the engine reports it: raw_confidence through the calibration
  double raw_confidence = 0;
  std::string path;  // the report's decision path (rh::agent::ReportPath)
  std::string root_cause;
  size_t tool_calls = 0;
  double seconds = 0;
  bool correct() const { return category == expected_category; }
};

struct HealthyOutcome {
  std::string cluster_id;
  rh::RootCause category = rh::RootCause::kInsufficientData;
  rh::Severity severity = rh::Severity::kInfo;
  bool quiet() const { return !rh::AtLeast(severity, rh::Severity::kMedium); }  // low or info
};

std::string Name(rh::RootCause category) { return std::string(rh::RootCauseName(category)); }
std::string Name(rh::Severity severity) { return std::string(rh::SeverityName(severity)); }

struct SeedResult {
  std::vector<Outcome> incidents;
  std::vector<HealthyOutcome> healthy;
};

rh::Result<SeedResult> RunSeed(const Args& args, const FleetSpec& spec,
                               const rh::agent::ConfidenceCalibration& calibration,
                               rh::knowledge::KnowledgeLake& lake,
                               const std::filesystem::path& work_dir) {
  const uint64_t seed = spec.seed;
  const std::filesystem::path dir = work_dir / ("seed-" + std::to_string(seed));
  std::filesystem::create_directories(dir);
  const std::string fleet_path = (dir / "fleet.db").string();
  RH_ASSIGN_OR_RETURN(auto fleet, rh::store::OpenDatabase(fleet_path));
  RH_ASSIGN_OR_RETURN(auto memory, rh::store::OpenDatabase((dir / "memory.db").string()));
  RH_RETURN_IF_ERROR(rh::store::Migrate(*memory, rh::store::SchemaSet::kMemory));

  const rh::TimePoint end_hour = rh::MakeUtcTime(2026, 3, 10, 12);
  rh::simulator::FleetParams params;
  const bool classic = args.scenarios == rh::simulator::ScenarioSet::kClassic;
  params.clusters = spec.clusters > 0 ? spec.clusters : classic ? 120 : 200;
  params.days = args.days;
  params.seed = seed;
  params.end_hour = end_hour;
  params.scenarios = args.scenarios;
  const int incidents =
      spec.incidents > 0 ? spec.incidents
      : classic          ? 26
                         : static_cast<int>(rh::simulator::FamiliesOf(args.scenarios).size());
  params.incidents =
      std::min(incidents, rh::simulator::MaxIncidentCount(params.clusters, args.scenarios));
  const auto generation_started = std::chrono::steady_clock::now();
  RH_ASSIGN_OR_RETURN(rh::simulator::GenerationStats stats,
                      rh::simulator::GenerateFleet(*fleet, params));
  rh::ManualClock clock(end_hour + std::chrono::minutes(5));
  rh::sentinel::HealthScorer scorer(*fleet, clock, rh::SentinelConfig{});
  RH_ASSIGN_OR_RETURN(rh::sentinel::ScoringRun scored, scorer.ScoreFleet());
  std::fprintf(stderr,
               "seed %llu: %lld clusters, %lld incidents (%lld clusters) generated and "
               "scored in %.1f s\n",
               static_cast<unsigned long long>(seed), static_cast<long long>(stats.clusters),
               static_cast<long long>(stats.incidents),
               static_cast<long long>(stats.ground_truth_rows),
               Seconds(std::chrono::steady_clock::now() - generation_started));
  (void)scored;

  rh::tools::ToolEnvironment env;
  env.fleet = fleet.get();
  env.memory = memory.get();
  env.knowledge = &lake;
  env.clock = &clock;
  env.fleet_url = fleet_path;
  RH_ASSIGN_OR_RETURN(rh::tools::ToolRegistry registry, rh::tools::BuildInvestigationTools(env));
  rh::agent::ToolExecutor executor(1);
  // The identity map: the bench sees the raw confidence and applies the calibration itself,
  // through the same CalibrateReport the engine uses.
  rh::agent::PlaybookEngine engine(
      registry, executor, clock,
      rh::agent::ConfidenceCalibration::Identity(rh::EngineKind::kPlaybook));

  RH_ASSIGN_OR_RETURN(std::vector<rh::simulator::GroundTruthRow> truth,
                      rh::simulator::ReadGroundTruth(*fleet));
  SeedResult result;
  auto investigate = [&](const std::string& cluster_id)
      -> rh::Result<std::pair<rh::agent::InvestigationOutcome, double>> {
    const auto started = std::chrono::steady_clock::now();
    RH_ASSIGN_OR_RETURN(rh::agent::InvestigationOutcome outcome,
                        engine.Investigate({"", cluster_id, ""}, {}));
    return std::make_pair(std::move(outcome), Seconds(std::chrono::steady_clock::now() - started));
  };
  for (const rh::simulator::GroundTruthRow& row : truth) {
    RH_ASSIGN_OR_RETURN(auto done, investigate(row.cluster_id));
    const rh::agent::InvestigationOutcome& outcome = done.first;
    Outcome item;
    item.seed = seed;
    item.cluster_id = row.cluster_id;
    item.scenario = row.scenario;
    item.family =
        rh::simulator::FamilyOfScenario(row.scenario, row.category).value_or(row.scenario);
    item.held_out = rh::simulator::IsHeldOutFamily(item.family);
    item.expected_category = row.category;
    item.expected_severity = row.expected_severity;
    item.red_herring = row.red_herring.value_or("");
    item.category = outcome.report.root_cause_category;
    item.severity = outcome.report.severity;
    item.raw_confidence = outcome.report.confidence;
    item.path = std::string(rh::agent::ReportPath(outcome.report));
    rh::agent::Report calibrated = outcome.report;
    rh::agent::CalibrateReport(calibration, &calibrated);
    item.confidence = calibrated.confidence;
    item.root_cause = outcome.report.root_cause;
    item.tool_calls = outcome.transcript.size();
    item.seconds = done.second;
    // With --only tuning, held-out families are neither printed nor dumped.
    if (!args.dump.empty() && !(item.held_out && args.only == "tuning")) {
      Json out = {{"seed", seed},
                  {"family", item.family},
                  {"ground_truth",
                   {{"incident_id", row.incident_id},
                    {"cluster_id", row.cluster_id},
                    {"scenario", row.scenario},
                    {"category", Name(row.category)},
                    {"expected_severity", Name(row.expected_severity)},
                    {"window_start", rh::FormatSqlTime(row.window_start)},
                    {"red_herring", row.red_herring ? Json(*row.red_herring) : Json()},
                    {"description", row.description}}},
                  {"raw_confidence", outcome.report.confidence},
                  {"report", rh::agent::ReportToJson(calibrated)},
                  {"transcript", rh::agent::TranscriptToJson(outcome.transcript)}};
      std::filesystem::create_directories(args.dump);
      std::ofstream file(std::filesystem::path(args.dump) /
                         ("seed" + std::to_string(seed) + "-" + row.cluster_id + ".json"));
      file << rh::DumpJson(out, 2) << "\n";
    }
    result.incidents.push_back(std::move(item));
  }
  // A sample of background clusters: a careful engineer finds nothing urgent there.
  std::set<std::string> incident_clusters;
  for (const auto& row : truth) incident_clusters.insert(row.cluster_id);
  RH_ASSIGN_OR_RETURN(rh::store::QueryResult clusters,
                      fleet->Query("SELECT cluster_id FROM cluster_info WHERE status = 'running' "
                                   "ORDER BY cluster_id"));
  for (rh::store::Row row : clusters) {
    if (static_cast<int>(result.healthy.size()) >= args.healthy) break;
    std::string cluster_id = row.GetString(size_t{0});
    if (incident_clusters.count(cluster_id)) continue;
    RH_ASSIGN_OR_RETURN(auto done, investigate(cluster_id));
    result.healthy.push_back(
        {cluster_id, done.first.report.root_cause_category, done.first.report.severity});
  }
  return result;
}

std::vector<rh::agent::CalibrationSample> Samples(const std::vector<Outcome>& outcomes,
                                                  bool raw) {
  std::vector<rh::agent::CalibrationSample> samples;
  for (const Outcome& outcome : outcomes) {
    samples.push_back(
        {raw ? outcome.raw_confidence : outcome.confidence, outcome.correct(), outcome.path});
  }
  return samples;
}

// Brier, the expected calibration error over 10 equal bins of confidence (|mean confidence -
// accuracy| weighted by the bin's share), and the mean confidence when right and when wrong:
// of the raw confidence and of the calibrated one the report carries.
void PrintConfidence(const std::vector<Outcome>& outcomes) {
  for (bool raw : {true, false}) {
    const rh::agent::ReliabilityFigures figures = rh::agent::Reliability(Samples(outcomes, raw));
    std::printf("%s confidence: Brier %.3f, ECE (10 bins) %.3f; mean %.2f when right (%lld), "
                "%.2f when wrong (%lld)\n",
                raw ? "raw       " : "calibrated", figures.brier, figures.ece, figures.mean_right,
                static_cast<long long>(figures.right), figures.mean_wrong,
                static_cast<long long>(figures.wrong));
  }
  // Per decision path: how well the path itself separates right from wrong.
  for (std::string_view path : rh::agent::kReportPaths) {
    std::vector<Outcome> own;
    for (const Outcome& outcome : outcomes) {
      if (outcome.path == path) own.push_back(outcome);
    }
    if (own.empty()) continue;
    const rh::agent::ReliabilityFigures figures = rh::agent::Reliability(Samples(own, false));
    std::printf(
        "  %-11s %4zu runs, %5.1f%% right; calibrated mean %.2f when right, %.2f when "
        "wrong\n",
        std::string(path).c_str(), own.size(),
        100.0 * static_cast<double>(figures.right) / static_cast<double>(own.size()),
        figures.mean_right, figures.mean_wrong);
  }
}

// One line per scenario family: incidents, category accuracy, severity within one level.
void PrintFamilies(const std::vector<Outcome>& outcomes) {
  struct Cell {
    int total = 0, correct = 0, near = 0;
    double confidence = 0;
  };
  std::map<std::string, Cell> cells;
  for (const Outcome& outcome : outcomes) {
    Cell& cell = cells[outcome.family];
    ++cell.total;
    if (outcome.correct()) ++cell.correct;
    if (std::abs(static_cast<int>(outcome.severity) -
                 static_cast<int>(outcome.expected_severity)) <= 1) {
      ++cell.near;
    }
    cell.confidence += outcome.confidence;
  }
  std::printf("%-36s %-20s %8s %9s %9s %6s\n", "family", "category", "correct", "accuracy",
              "sev+-1", "conf");
  for (const auto& [family, cell] : cells) {
    const rh::simulator::FamilyInfo* info = rh::simulator::FindFamily(family);
    std::printf("%-36s %-20s %4d/%-3d %8.1f%% %8.1f%% %6.2f\n", family.c_str(),
                info ? Name(info->category).c_str() : "?", cell.correct, cell.total,
                100.0 * cell.correct / cell.total, 100.0 * cell.near / cell.total,
                cell.confidence / cell.total);
  }
}

void PrintGroup(const std::string& title, const std::vector<Outcome>& outcomes,
                const std::vector<HealthyOutcome>& healthy) {
  std::printf("\n== %s: %zu labelled incident clusters ==\n", title.c_str(), outcomes.size());
  if (outcomes.empty()) return;
  std::map<std::string, std::pair<int, int>> per_category;  // by name: alphabetical
  int correct = 0, severity_exact = 0, severity_near = 0;
  double seconds = 0, calls = 0, max_seconds = 0;
  int red_herrings = 0, red_herrings_correct = 0;
  for (const Outcome& outcome : outcomes) {
    auto& cell = per_category[Name(outcome.expected_category)];
    ++cell.second;
    if (outcome.correct()) {
      ++cell.first;
      ++correct;
    }
    if (outcome.severity == outcome.expected_severity) ++severity_exact;
    // The enum's order is the scale (core/severity.h): one step is one level.
    int distance = std::abs(static_cast<int>(outcome.severity) -
                            static_cast<int>(outcome.expected_severity));
    if (distance <= 1) ++severity_near;
    seconds += outcome.seconds;
    max_seconds = std::max(max_seconds, outcome.seconds);
    calls += static_cast<double>(outcome.tool_calls);
    if (!outcome.red_herring.empty()) {
      ++red_herrings;
      if (outcome.correct()) ++red_herrings_correct;
    }
  }
  const double n = static_cast<double>(outcomes.size());
  std::printf("%-20s %8s %9s\n", "category", "correct", "accuracy");
  for (const auto& [category, cell] : per_category) {
    std::printf("%-20s %4d/%-3d %8.1f%%\n", category.c_str(), cell.first, cell.second,
                100.0 * cell.first / cell.second);
  }
  std::printf("%-20s %4d/%-3zu %8.1f%%\n", "OVERALL", correct, outcomes.size(),
              100.0 * correct / n);
  std::printf("with a red herring   %4d/%-3d %8.1f%%\n", red_herrings_correct, red_herrings,
              red_herrings ? 100.0 * red_herrings_correct / red_herrings : 0.0);
  std::printf("severity accuracy: %.1f%% exact, %.1f%% within one level\n",
              100.0 * severity_exact / n, 100.0 * severity_near / n);
  std::printf("Brier score: 0 = perfect; always 0.5 would score 0.250\n");
  PrintConfidence(outcomes);
  std::printf("per investigation: %.1f tool calls, %.1f ms mean, %.1f ms max wall time\n",
              calls / n, 1000.0 * seconds / n, 1000.0 * max_seconds);
  if (!healthy.empty()) {
    int quiet = 0;
    for (const HealthyOutcome& item : healthy) {
      if (item.quiet()) ++quiet;
    }
    std::printf("healthy background clusters reported low/info: %d/%zu\n", quiet, healthy.size());
  }
}

void PrintMisses(const std::vector<Outcome>& outcomes, const std::vector<HealthyOutcome>& healthy) {
  for (const Outcome& outcome : outcomes) {
    if (outcome.correct()) continue;
    std::printf("  MISS seed %llu %s %s: expected %s/%s, got %s/%s (%.2f)%s\n    %s\n",
                static_cast<unsigned long long>(outcome.seed), outcome.cluster_id.c_str(),
                outcome.scenario.c_str(), Name(outcome.expected_category).c_str(),
                Name(outcome.expected_severity).c_str(), Name(outcome.category).c_str(),
                Name(outcome.severity).c_str(), outcome.confidence,
                outcome.red_herring.empty() ? "" : " [red herring]", outcome.root_cause.c_str());
  }
  for (const HealthyOutcome& item : healthy) {
    if (item.quiet()) continue;
    std::printf("  LOUD healthy %s: %s/%s\n", item.cluster_id.c_str(), Name(item.category).c_str(),
                Name(item.severity).c_str());
  }
}

// Writes `text` to `path`; false (with a message) when it cannot.
bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

// The fit's smallest step, and the pseudo-runs of raw score each path's map is shrunk with.
constexpr int kMinBlock = 5;
constexpr int kPathPriorRuns = 5;

// The StarRocks corpus directory to ingest: --starrocks-corpus DIR, else ../shared/data/starrocks
// beside the repository or beside the current directory when it holds the release notes; empty
// for none (--no-starrocks-corpus, or not found).
std::filesystem::path StarRocksCorpus(const Args& args) {
  if (args.no_starrocks_corpus) return {};
  if (!args.starrocks_corpus.empty()) return args.starrocks_corpus;
  const std::filesystem::path relative = std::filesystem::path("..") / "shared" / "data" /
                                         "starrocks";
  for (const std::filesystem::path& base :
       {std::filesystem::path(RH_SOURCE_DIR), std::filesystem::current_path()}) {
    const std::filesystem::path dir = (base / relative).lexically_normal();
    if (std::filesystem::exists(dir / "known_bugs.jsonl")) return dir;
  }
  return {};
}

int Run(const Args& args, const std::string& default_svg) {
  rh::ConfigureLogging(spdlog::level::warn, rh::LogFormat::kText);
  // The calibration the engine applies: the embedded one, or --calibration FILE.
  auto calibration =
      args.calibration.empty()
          ? rh::agent::ConfidenceCalibration::Embedded(rh::EngineKind::kPlaybook)
          : rh::agent::ConfidenceCalibration::LoadFile(args.calibration);
  if (!calibration) {
    std::fprintf(stderr, "error: calibration: %s\n", calibration.error().ToString().c_str());
    return 1;
  }
  const std::filesystem::path work_dir =
      std::filesystem::temp_directory_path() /
      ("rockhound-bench-scenarios-" + std::to_string(::getpid()));
  std::filesystem::remove_all(work_dir);
  std::filesystem::create_directories(work_dir);
  const auto started = std::chrono::steady_clock::now();

  rh::ManualClock lake_clock(rh::MakeUtcTime(2026, 3, 10, 12));
  auto embedder = rh::knowledge::MakeEmbedder(rh::knowledge::EmbedderConfig{}, lake_clock);
  if (!embedder) {
    std::fprintf(stderr, "error: %s\n", embedder.error().ToString().c_str());
    return 1;
  }
  rh::knowledge::LakeOptions lake_options;
  lake_options.db_path = (work_dir / "lake.db").string();
  lake_options.index_path = (work_dir / "lake.faiss").string();
  auto lake = rh::knowledge::KnowledgeLake::Open(lake_options, std::move(*embedder), lake_clock);
  if (!lake) {
    std::fprintf(stderr, "error: %s\n", lake.error().ToString().c_str());
    return 1;
  }
  auto ingested = rh::knowledge::IngestStarterKnowledge(**lake);
  if (!ingested) {
    std::fprintf(stderr, "error: starter knowledge: %s\n", ingested.error().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "starter knowledge: %lld documents, %lld chunks\n",
               static_cast<long long>(ingested->documents_seen),
               static_cast<long long>(ingested->chunks_added));
  // The real StarRocks release notes and operations docs, as a deployment loads them: the
  // known bugs the playbook must find or rule out.
  std::string corpus_line = "starter knowledge only";
  const std::filesystem::path corpus = StarRocksCorpus(args);
  if (args.no_starrocks_corpus) {
    corpus_line += " (--no-starrocks-corpus)";
  } else if (corpus.empty()) {
    corpus_line += " (the StarRocks corpus is absent: no ../shared/data/starrocks beside " +
                   std::string(RH_SOURCE_DIR) + " or the current directory; skipped)";
  } else {
    std::vector<std::string> paths;
    for (const char* name : {"known_bugs.jsonl", "ops_docs.jsonl"}) {
      if (!std::filesystem::exists(corpus / name)) {
        std::fprintf(stderr, "error: --starrocks-corpus %s has no %s\n", corpus.c_str(), name);
        return 1;
      }
      paths.push_back((corpus / name).string());
    }
    auto corpus_stats = (*lake)->IngestPaths(paths);
    if (!corpus_stats) {
      std::fprintf(stderr, "error: StarRocks corpus: %s\n",
                   corpus_stats.error().ToString().c_str());
      return 1;
    }
    corpus_line = "starter knowledge + StarRocks corpus " + corpus.string() + " (" +
                  std::to_string(corpus_stats->documents_seen) + " documents, " +
                  std::to_string(corpus_stats->chunks_added) + " chunks)";
  }
  std::fprintf(stderr, "knowledge: %s\n", corpus_line.c_str());

  struct Group {
    std::string title;
    std::vector<FleetSpec> fleets;
  };
  std::vector<Group> groups;
  if (args.only != "holdout") groups.push_back({"tuning seeds", args.tuning});
  if (args.only != "tuning") groups.push_back({"held-out seeds", args.holdout});
  std::vector<std::pair<std::string, SeedResult>> results;
  for (const Group& group : groups) {
    SeedResult merged;
    for (const FleetSpec& spec : group.fleets) {
      const uint64_t seed = spec.seed;
      auto result = RunSeed(args, spec, *calibration, **lake, work_dir);
      if (!result) {
        std::fprintf(stderr, "error: seed %llu: %s\n", static_cast<unsigned long long>(seed),
                     result.error().ToString().c_str());
        std::filesystem::remove_all(work_dir);
        return 1;
      }
      merged.incidents.insert(merged.incidents.end(), result->incidents.begin(),
                              result->incidents.end());
      merged.healthy.insert(merged.healthy.end(), result->healthy.begin(), result->healthy.end());
      std::filesystem::remove_all(work_dir / ("seed-" + std::to_string(seed)));
    }
    results.emplace_back(group.title, std::move(merged));
  }

  std::printf(
      "bench_scenarios: the playbook engine over simulated fleets of %d days "
      "(fleets as seed[:clusters:incidents]; default %s)\n",
      args.days,
      args.scenarios == rh::simulator::ScenarioSet::kClassic
          ? "120 clusters, 26 incidents"
          : "200 clusters, one incident of every family");
  std::printf("knowledge: %s\n", corpus_line.c_str());
  if (args.scenarios == rh::simulator::ScenarioSet::kClassic) {
    for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
      std::string seeds;
      for (const FleetSpec& spec : groups[group_idx].fleets) {
        seeds += (seeds.empty() ? "" : ",") + spec.Label();
      }
      PrintGroup(results[group_idx].first + " (" + seeds + ")",
                 results[group_idx].second.incidents, results[group_idx].second.healthy);
      if (args.misses)
        PrintMisses(results[group_idx].second.incidents, results[group_idx].second.healthy);
    }
  } else {
    // The split is by family: pool every fleet, then tuning families and held-out families.
    std::string seeds;
    std::vector<Outcome> tuning, held_out;
    std::vector<HealthyOutcome> healthy;
    for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
      for (const FleetSpec& spec : groups[group_idx].fleets) {
        seeds += (seeds.empty() ? "" : ",") + spec.Label();
      }
      for (const Outcome& outcome : results[group_idx].second.incidents) {
        (outcome.held_out ? held_out : tuning).push_back(outcome);
      }
      healthy.insert(healthy.end(), results[group_idx].second.healthy.begin(),
                     results[group_idx].second.healthy.end());
    }
    std::printf("scenario catalogue: %zu families (fleets %s)\n",
                rh::simulator::ScenarioCatalogue().size(), seeds.c_str());
    std::printf("calibration: %s v%d (%s, %lld samples: %s)\n",
                std::string(rh::EngineKindName(calibration->engine())).c_str(),
                calibration->version(), calibration->method().c_str(),
                static_cast<long long>(calibration->samples()),
                args.calibration.empty() ? "embedded" : args.calibration.c_str());
    PrintGroup("tuning families", tuning, healthy);
    PrintFamilies(tuning);
    if (args.misses) PrintMisses(tuning, healthy);
    if (!args.fit_calibration.empty()) {
      // Fitted on the tuning families' raw confidence, nothing else.
      std::string fitted_on = "tuning families of fleets " + seeds + " (" +
                              std::to_string(tuning.size()) + " runs, " +
                              std::to_string(args.days) + " days each)";
      // A map per decision path shrunk towards the raw score by kPathPriorRuns, steps of at
      // least kMinBlock runs; the version after the calibration the run used.
      rh::agent::ConfidenceCalibration fit = rh::agent::FitIsotonicByPath(
          rh::EngineKind::kPlaybook, Samples(tuning, true), calibration->version() + 1,
          std::move(fitted_on), kMinBlock, kPathPriorRuns);
      if (!WriteFile(args.fit_calibration, rh::DumpJson(fit.ToJson(), 2) + "\n")) return 1;
      std::vector<rh::agent::CalibrationSample> refit;
      for (const Outcome& outcome : tuning) {
        refit.push_back({fit.Apply(outcome.raw_confidence, outcome.path), outcome.correct()});
      }
      const rh::agent::ReliabilityFigures figures = rh::agent::Reliability(refit);
      std::printf("\nfitted %s (%zu points) on %zu tuning runs; in-sample: Brier %.3f, ECE %.3f\n",
                  args.fit_calibration.c_str(), fit.points().size(), tuning.size(),
                  figures.brier, figures.ece);
    } else if (args.only != "tuning") {
      PrintGroup("held-out families", held_out, {});
      if (args.held_out_families) PrintFamilies(held_out);
      if (args.misses) PrintMisses(held_out, {});
      const std::string svg_path =
          args.reliability_svg.empty() ? default_svg : args.reliability_svg;
      const std::string svg = rh::agent::ReliabilitySvg(
          "Playbook confidence: reliability (fleets " + seeds + ")",
          {{"held-out families, raw", rh::agent::Reliability(Samples(held_out, true))},
           {"held-out families, calibrated", rh::agent::Reliability(Samples(held_out, false))},
           {"tuning families, calibrated", rh::agent::Reliability(Samples(tuning, false))}});
      if (!WriteFile(svg_path, svg)) return 1;
      std::printf("\nreliability diagram: %s\n", svg_path.c_str());
    }
  }
  std::printf("\ntotal wall time %.1f s\n", Seconds(std::chrono::steady_clock::now() - started));
  std::filesystem::remove_all(work_dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return Usage();
  try {
    const std::string svg =
        (std::filesystem::path(argv[0]).parent_path() / "reliability.svg").string();
    return Run(args, svg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
