// bench_fleet_views: how fast the fleet overview pages at fleet scale.
//
// Builds (or reuses, under --cache) a simulated fleet of --clusters clusters x --days days in
// SQLite, scores its last --scored-hours hours with the real scorer and sentinel (which fill
// cluster_risk_snapshots), stores a report for every third cluster, then, through a
// service::Runtime exactly as `rockhound serve` holds it:
//   - walks every page of 50 in worst-first order and in name order (each page timed),
//   - asks for the first page --repeat times (the web page's landing view),
// and prints p50 / p99 / max per phase with the machine's load. Target (issue #12): at 10,000
// clusters, p50 < 20 ms and p99 < 50 ms per page of 50.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/time_format.h"
#include "sentinel/sentinel.h"
#include "service/fleet_views.h"
#include "service/runtime.h"
#include "simulator/fleet_generator.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "store/task_queue.h"

namespace {

struct Args {
  int clusters = 10000;
  int days = 2;
  int scored_hours = 3;
  int page = 50;
  int repeat = 300;
  uint64_t seed = 7;
  std::string cache = "/tmp/rockhound-bench-cache";
};

double Ms(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

std::string LoadAverage() {
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five;
  loadavg >> one >> five;
  return one + " " + five;
}

void Print(const char* phase, std::vector<double> samples) {
  if (samples.empty()) return;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()))];
  };
  std::printf("%-34s %6zu pages  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", phase,
              samples.size(), at(0.50), at(0.99), samples.back());
}

rh::Status Run(const Args& args) {
  std::filesystem::create_directories(args.cache);
  const std::string fleet_path = args.cache + "/views-" + std::to_string(args.clusters) + "c-" +
                                 std::to_string(args.days) + "d-seed" +
                                 std::to_string(args.seed) + ".db";
  const rh::TimePoint end_hour = *rh::ParseSqlTime("2026-11-21 10:00:00");
  bool fresh = true;
  if (std::filesystem::exists(fleet_path)) {
    RH_ASSIGN_OR_RETURN(auto db, rh::store::OpenDatabase(fleet_path));
    auto scored = db->QueryInt("SELECT COUNT(DISTINCT snapshot_time) FROM cluster_risk_snapshots");
    fresh = !scored || *scored < args.scored_hours;
  }
  const std::string memory_path = args.cache + "/views-memory-" + std::to_string(getpid()) + ".db";
  if (fresh) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(fleet_path + suffix);
    RH_ASSIGN_OR_RETURN(auto db, rh::store::OpenDatabase(fleet_path));
    rh::simulator::FleetParams params;
    params.clusters = args.clusters;
    params.days = args.days;
    params.seed = args.seed;
    params.end_hour = end_hour;
    std::fprintf(stderr, "generating %d clusters x %d days ...\n", args.clusters, args.days);
    RH_RETURN_IF_ERROR(rh::simulator::GenerateFleet(*db, params, {}));
    RH_ASSIGN_OR_RETURN(auto scratch, rh::store::OpenDatabase(":memory:"));
    RH_RETURN_IF_ERROR(rh::store::Migrate(*scratch, rh::store::SchemaSet::kMemory));
    for (int hours_back = args.scored_hours - 1; hours_back >= 0; --hours_back) {
      rh::ManualClock clock(end_hour - std::chrono::hours(hours_back) + std::chrono::minutes(5));
      rh::store::TaskQueue queue(*scratch, clock, rh::QueueConfig{});
      rh::sentinel::Sentinel sentinel(*db, queue, clock, rh::SentinelConfig{});
      std::fprintf(stderr, "scoring hour -%d ...\n", hours_back);
      RH_RETURN_IF_ERROR(sentinel.RunPass());
    }
  }

  rh::Config config;
  config.data_dir = args.cache;
  config.fleet.db = fleet_path;
  config.memory.db = memory_path;
  rh::ManualClock clock(end_hour + std::chrono::minutes(5));
  rh::service::Runtime runtime(config, clock);
  RH_ASSIGN_OR_RETURN(rh::store::Database * memory, runtime.Memory());
  RH_ASSIGN_OR_RETURN(rh::store::Database * fleet, runtime.Fleet());
  {
    RH_ASSIGN_OR_RETURN(rh::store::QueryResult ids,
                        fleet->Query("SELECT cluster_id FROM cluster_info ORDER BY cluster_id"));
    rh::store::ReportStore reports(*memory);
    RH_RETURN_IF_ERROR(memory->Transaction([&]() -> rh::Status {
      for (size_t row_idx = 0; row_idx < ids.size(); row_idx += 3) {
        rh::store::StoredReport report;
        report.cluster_id = ids[row_idx].GetString(size_t{0});
        report.engine = rh::EngineKind::kPlaybook;
        report.severity = rh::Severity::kMedium;
        report.category = rh::RootCause::kDiskCapacity;
        report.root_cause = "disk filling on " + report.cluster_id;
        report.summary = report.root_cause;
        report.report_json = "{}";
        report.markdown = "# report";
        report.transcript_json = "[]";
        report.created_at = clock.Now() - std::chrono::minutes(row_idx % 600);
        RH_RETURN_IF_ERROR(reports.Insert(report));
      }
      return {};
    }));
  }

  std::printf("bench_fleet_views: %d clusters, %d scored hours, page %d; load %s\n",
              args.clusters, args.scored_hours, args.page, LoadAverage().c_str());
  rh::service::FleetViews views(runtime);
  for (rh::service::OverviewSort sort :
       {rh::service::OverviewSort::kWorstFirst, rh::service::OverviewSort::kName}) {
    rh::service::OverviewQuery query;
    query.sort = sort;
    query.limit = args.page;
    std::vector<double> samples;
    int seen = 0;
    do {
      const auto started = std::chrono::steady_clock::now();
      RH_ASSIGN_OR_RETURN(rh::service::Overview page, views.ListClusters(query));
      samples.push_back(Ms(std::chrono::steady_clock::now() - started));
      seen += static_cast<int>(page.clusters.size());
      query.cursor = page.next_cursor;
    } while (!query.cursor.empty());
    if (seen != args.clusters) {
      return rh::Internal("bench", "paged " + std::to_string(seen) + " clusters of " +
                                       std::to_string(args.clusters));
    }
    Print(sort == rh::service::OverviewSort::kName ? "every page, name order"
                                                   : "every page, worst first",
          samples);
  }
  std::vector<double> first_page;
  for (int repeat_idx = 0; repeat_idx < args.repeat; ++repeat_idx) {
    rh::service::OverviewQuery query;
    query.limit = args.page;
    query.history_hours = 24;
    const auto started = std::chrono::steady_clock::now();
    RH_RETURN_IF_ERROR(views.ListClusters(query));
    first_page.push_back(Ms(std::chrono::steady_clock::now() - started));
  }
  Print("first page + 24 h history", first_page);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(memory_path + suffix);
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    const std::string arg = argv[arg_idx];
    auto value = [&]() -> std::string { return arg_idx + 1 < argc ? argv[++arg_idx] : ""; };
    if (arg == "--clusters") {
      args.clusters = std::stoi(value());
    } else if (arg == "--days") {
      args.days = std::stoi(value());
    } else if (arg == "--repeat") {
      args.repeat = std::stoi(value());
    } else if (arg == "--cache") {
      args.cache = value();
    } else {
      std::fprintf(stderr,
                   "usage: bench_fleet_views [--clusters N (10000)] [--days D (2)] "
                   "[--repeat R (300)] [--cache DIR]\n");
      return 2;
    }
  }
  rh::Status status = Run(args);
  if (!status) {
    std::fprintf(stderr, "bench_fleet_views: %s\n", status.error().ToString().c_str());
    return 1;
  }
  return 0;
}
