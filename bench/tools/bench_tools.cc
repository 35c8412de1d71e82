// bench_tools: latency of each investigation tool on a simulated fleet in SQLite.
//
//   bench_tools [--clusters 1000] [--days 14] [--seed 42] [--calls 200] [--cache DIR]
//
// The fleet (N clusters x D days of hourly snapshots, ~4.7 M rows for 1,000 x 14) is generated
// once with rh::simulator and cached under --cache (default /tmp/rockhound-bench-tools), then
// scored once by the sentinel's HealthScorer so the health tables are filled as in production.
// The agent memory gets 2,000 synthetic past reports; the Knowledge Lake the starter knowledge
// (builtin embedder). The clock is pinned to the fleet's last hour. Each tool is then called
// --calls times through the ToolRegistry (validation, budget and redaction included) on
// clusters drawn with a seeded RNG, after 10 warm-up calls, and the benchmark prints p50, p99,
// mean and max in milliseconds, the mean output size, and whether p50 meets the target of
// 20 ms (issue 4). Any is_error result is counted and printed: a tool that fails fast would
// otherwise look fast.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "sentinel/scorer.h"
#include "simulator/fleet_generator.h"
#include "store/database.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace {

constexpr double kTargetP50Ms = 20.0;
constexpr int kWarmupCalls = 10;

struct Args {
  int clusters = 1000;
  int days = 14;
  uint64_t seed = 42;
  int calls = 200;
  std::string cache = "/tmp/rockhound-bench-tools";
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int arg_idx = 1; arg_idx + 1 < argc; arg_idx += 2) {
    std::string_view arg = argv[arg_idx];
    std::string value = argv[arg_idx + 1];
    if (arg == "--clusters") {
      args->clusters = std::stoi(value);
    } else if (arg == "--days") {
      args->days = std::stoi(value);
    } else if (arg == "--seed") {
      args->seed = std::stoull(value);
    } else if (arg == "--calls") {
      args->calls = std::stoi(value);
    } else if (arg == "--cache") {
      args->cache = value;
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void Die(const std::string& what, const rh::Error& error) {
  std::fprintf(stderr, "bench_tools: %s: %s\n", what.c_str(), error.ToString().c_str());
  std::exit(1);
}

// The cached, scored fleet: generated when missing or incomplete.
std::string PrepareFleet(const Args& args, rh::TimePoint* end_hour) {
  std::filesystem::create_directories(args.cache);
  const std::string path = args.cache + "/fleet-" + std::to_string(args.clusters) + "c-" +
                           std::to_string(args.days) + "d-s" + std::to_string(args.seed) + ".db";
  auto db = rh::store::OpenDatabase(path);
  if (!db) Die(path, db.error());
  auto status = (*db)->Query("SELECT meta_value FROM fleet_meta WHERE meta_key = 'sim_status'");
  bool complete = status && !status->empty() && status->front().GetString(size_t{0}) == "complete";
  if (!complete) {
    std::fprintf(stderr, "bench_tools: generating %d clusters x %d days into %s ...\n",
                 args.clusters, args.days, path.c_str());
    auto started = std::chrono::steady_clock::now();
    rh::simulator::FleetParams params;
    params.clusters = args.clusters;
    params.days = args.days;
    params.seed = args.seed;
    params.end_hour = rh::MakeUtcTime(2026, 11, 21, 10);
    params.replace_existing = true;
    auto stats = rh::simulator::GenerateFleet(**db, params);
    if (!stats) Die("generate", stats.error());
    std::fprintf(stderr, "bench_tools: generated %lld snapshot rows in %.1f s\n",
                 static_cast<long long>(stats->snapshot_rows), Seconds(started));
  }
  auto end = (*db)->Query("SELECT meta_value FROM fleet_meta WHERE meta_key = 'sim_end'");
  if (!end || end->empty())
    Die("fleet_meta", rh::Error{rh::ErrorCode::kDataLoss, "no sim_end", path});
  auto parsed = rh::ParseAnyTime(end->front().GetString(size_t{0}));
  if (!parsed) Die("sim_end", parsed.error());
  *end_hour = *parsed;
  auto scored =
      (*db)->QueryInt("SELECT COUNT(*) FROM cluster_health_scores WHERE snapshot_time = ?",
                      {rh::store::Time(*end_hour)});
  if (scored && *scored == 0) {
    rh::ManualClock clock(*end_hour + std::chrono::minutes(5));
    rh::sentinel::HealthScorer scorer(**db, clock, rh::SentinelConfig{});
    auto run = scorer.ScoreFleet();
    if (!run) Die("score", run.error());
    std::fprintf(stderr, "bench_tools: scored %zu clusters\n", run->clusters.size());
  }
  return path;
}

// 2,000 past reports over random clusters and categories, the last 90 days.
void FillMemory(rh::store::Database& memory, const std::vector<std::string>& clusters,
                const std::vector<std::string>& accounts, rh::TimePoint now, std::mt19937& rng) {
  static const char* kCategories[] = {"disk_capacity",  "compaction_backlog", "memory_pressure",
                                      "cpu_saturation", "slow_queries",       "query_errors",
                                      "node_failure",   "known_bug",          "alert_noise"};
  auto status = memory.Transaction([&]() -> rh::Status {
    for (int report_idx = 0; report_idx < 2000; ++report_idx) {
      size_t cluster_idx = rng() % clusters.size();
      rh::TimePoint created = now - std::chrono::minutes(rng() % (90 * 24 * 60));
      RH_RETURN_IF_ERROR(memory.Execute(
          "INSERT INTO investigation_reports (report_id, cluster_id, account_id, engine, "
          "severity, confidence, category, root_cause, summary, report_json, markdown, "
          "created_at) VALUES (?, ?, ?, 'playbook', 'high', 0.8, ?, ?, ?, '{}', '', ?)",
          {rh::store::Text("rpt_" + std::to_string(report_idx)),
           rh::store::Text(clusters[cluster_idx]), rh::store::Text(accounts[cluster_idx]),
           rh::store::Text(kCategories[rng() % std::size(kCategories)]),
           rh::store::Text("root cause of report " + std::to_string(report_idx)),
           rh::store::Text("summary of report " + std::to_string(report_idx)),
           rh::store::Time(created)}));
    }
    return {};
  });
  if (!status) Die("memory", status.error());
}

struct Figures {
  std::string tool;
  std::vector<double> millis;
  size_t bytes = 0;
  int errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: bench_tools [--clusters 1000] [--days 14] [--seed 42] "
                 "[--calls 200] [--cache DIR]\n");
    return 2;
  }
  rh::ConfigureLogging(spdlog::level::warn, rh::LogFormat::kText);
  rh::TimePoint end_hour;
  const std::string fleet_path = PrepareFleet(args, &end_hour);
  auto fleet = rh::store::OpenDatabase(fleet_path);
  if (!fleet) Die("fleet", fleet.error());

  std::filesystem::path scratch = std::filesystem::temp_directory_path() /
                                  ("rockhound-bench-tools-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  auto memory = rh::store::OpenDatabase((scratch / "memory.db").string());
  if (!memory) Die("memory", memory.error());
  if (auto migrated = rh::store::Migrate(**memory, rh::store::SchemaSet::kMemory); !migrated) {
    Die("memory", migrated.error());
  }
  rh::ManualClock clock(end_hour);
  std::mt19937 rng(static_cast<unsigned>(args.seed));
  std::vector<std::string> clusters;
  std::vector<std::string> accounts;
  auto ids = (*fleet)->Query("SELECT cluster_id, account_id FROM cluster_info ORDER BY cluster_id");
  if (!ids) Die("clusters", ids.error());
  for (rh::store::Row row : *ids) {
    clusters.push_back(row.GetString(size_t{0}));
    accounts.push_back(row.GetString(size_t{1}));
  }
  FillMemory(**memory, clusters, accounts, end_hour, rng);

  auto embedder = rh::knowledge::MakeEmbedder(rh::knowledge::EmbedderConfig{}, clock);
  if (!embedder) Die("embedder", embedder.error());
  rh::knowledge::LakeOptions lake_options;
  lake_options.db_path = (scratch / "knowledge.db").string();
  lake_options.index_path = (scratch / "knowledge.faiss").string();
  auto lake = rh::knowledge::KnowledgeLake::Open(lake_options, std::move(*embedder), clock);
  if (!lake) Die("knowledge lake", lake.error());
  if (auto ingested = rh::knowledge::IngestStarterKnowledge(**lake); !ingested) {
    Die("starter knowledge", ingested.error());
  }

  rh::tools::ToolEnvironment env;
  env.fleet = fleet->get();
  env.memory = memory->get();
  env.knowledge = lake->get();
  env.clock = &clock;
  env.fleet_url = fleet_path;
  auto registry = rh::tools::BuildInvestigationTools(env);
  if (!registry) Die("tools", registry.error());

  const std::string day_ago = rh::FormatSqlTime(end_hour - std::chrono::hours(24));
  const std::vector<std::string> queries = {
      "BE memory climbing without workload increase", "data disk capacity full",
      "compaction score too many versions", "query latency p99 slow", "BE service suspension"};
  auto input_for = [&](std::string_view tool, int call_idx) -> rh::Json {
    const std::string& cluster = clusters[rng() % clusters.size()];
    if (tool == "search_knowledge_lake") return {{"query", queries[call_idx % queries.size()]}};
    if (tool == "run_sql") {
      if (call_idx % 2 == 0) {
        return {{"sql",
                 "SELECT alert_name, status, COUNT(*) AS messages FROM lark_alerts WHERE "
                 "cluster_id = '" +
                     cluster + "' GROUP BY alert_name, status"}};
      }
      return {{"sql",
               "SELECT metric_name, AVG(avg_value) AS avg, MAX(max_value) AS peak FROM "
               "amv_hourly_snapshots_v1 WHERE cluster_id = '" +
                   cluster + "' AND snapshot_hour > '" + day_ago + "' GROUP BY metric_name"}};
    }
    return {{"cluster_id", cluster}};
  };

  std::printf("bench_tools: %d clusters x %d days (seed %llu), SQLite %s, %d calls per tool\n",
              args.clusters, args.days, static_cast<unsigned long long>(args.seed),
              fleet_path.c_str(), args.calls);
  std::printf("%-26s %9s %9s %9s %9s %10s %7s  %s\n", "tool", "p50 ms", "p99 ms", "mean ms",
              "max ms", "out bytes", "errors", "p50 < 20 ms");
  bool all_met = true;
  int total_errors = 0;
  for (std::string_view tool : rh::tools::kInvestigationToolNames) {
    Figures figures{std::string(tool), {}, 0, 0, ""};
    for (int call_idx = -kWarmupCalls; call_idx < args.calls; ++call_idx) {
      rh::Json input = input_for(tool, call_idx + kWarmupCalls);
      auto started = std::chrono::steady_clock::now();
      rh::tools::ToolResult result = registry->Call(tool, input);
      double millis = Seconds(started) * 1000;
      if (call_idx < 0) continue;
      figures.millis.push_back(millis);
      figures.bytes += result.content.size();
      if (result.is_error) {
        ++figures.errors;
        if (figures.first_error.empty()) figures.first_error = result.content.substr(0, 200);
      }
    }
    double sum = 0;
    for (double value : figures.millis) sum += value;
    double p50 = Percentile(figures.millis, 0.5);
    bool met = p50 < kTargetP50Ms;
    all_met &= met;
    total_errors += figures.errors;
    std::printf("%-26s %9.2f %9.2f %9.2f %9.2f %10zu %7d  %s\n", figures.tool.c_str(), p50,
                Percentile(figures.millis, 0.99), sum / figures.millis.size(),
                *std::max_element(figures.millis.begin(), figures.millis.end()),
                figures.bytes / figures.millis.size(), figures.errors, met ? "yes" : "NO");
    if (!figures.first_error.empty()) {
      std::printf("    first error: %s\n", figures.first_error.c_str());
    }
  }
  std::printf("target p50 < %.0f ms per tool: %s; errors: %d\n", kTargetP50Ms,
              all_met ? "met" : "NOT met", total_errors);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return all_met && total_errors == 0 ? 0 : 1;
}
