// bench_simulator: how fast the simulator writes a fleet into SQLite.
//
//   bench_simulator [--clusters N] [--days D] [--seed S] [--keep PATH]
//
// Generates N clusters x D days (default 1,000 x 14, about 4.7 M snapshot rows) into a fresh
// SQLite file under the system temp directory (removed afterwards unless --keep names a path)
// and prints the row counts, the wall time and the throughput. Target (issue 2): under 60 s for
// the default size on a 2-core machine.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "store/database.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: bench_simulator [--clusters N] [--days D] [--seed S] [--keep PATH]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  rh::simulator::FleetParams params;
  params.clusters = 1000;
  params.days = 14;
  params.seed = 42;
  params.end_hour = rh::MakeUtcTime(2026, 11, 21, 10);
  std::string keep;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string_view arg = argv[arg_idx];
    if (arg_idx + 1 >= argc) return Usage();
    const char* value = argv[++arg_idx];
    if (arg == "--clusters") {
      params.clusters = std::atoi(value);
    } else if (arg == "--days") {
      params.days = std::atoi(value);
    } else if (arg == "--seed") {
      params.seed = std::strtoull(value, nullptr, 10);
    } else if (arg == "--keep") {
      keep = value;
    } else {
      return Usage();
    }
  }
  if (auto valid = rh::simulator::ValidateFleetParams(params); !valid) {
    std::fprintf(stderr, "error: %s\n", valid.error().ToString().c_str());
    return 2;
  }

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bench-simulator-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = keep.empty() ? (dir / "fleet.db").string() : keep;
  if (!keep.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(keep + suffix);
  }
  int exit_code = 0;
  {
    auto db = rh::store::OpenDatabase(path);
    if (!db) {
      std::fprintf(stderr, "error: %s\n", db.error().ToString().c_str());
      return 1;
    }
    std::printf("bench_simulator: %d clusters x %d days (seed %llu) into %s\n", params.clusters,
                params.days, static_cast<unsigned long long>(params.seed), path.c_str());
    const auto started = std::chrono::steady_clock::now();
    auto stats = rh::simulator::GenerateFleet(**db, params);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!stats) {
      std::fprintf(stderr, "error: %s\n", stats.error().ToString().c_str());
      exit_code = 1;
    } else {
      const int64_t total_rows = stats->snapshot_rows + stats->alert_messages +
                                 stats->operations + stats->accounts + stats->clusters +
                                 stats->node_groups + stats->ground_truth_rows;
      std::printf("snapshot rows   %lld\n", static_cast<long long>(stats->snapshot_rows));
      std::printf("alert messages  %lld\n", static_cast<long long>(stats->alert_messages));
      std::printf("operations      %lld\n", static_cast<long long>(stats->operations));
      std::printf("incidents       %lld (%lld ground-truth rows)\n",
                  static_cast<long long>(stats->incidents),
                  static_cast<long long>(stats->ground_truth_rows));
      std::printf("total rows      %lld\n", static_cast<long long>(total_rows));
      std::printf("seconds         %.2f\n", seconds);
      std::printf("rows/s          %.0f\n", total_rows / seconds);
      std::printf("file size MB    %.1f\n",
                  std::filesystem::file_size(path) / (1024.0 * 1024.0));
    }
  }
  if (keep.empty()) std::filesystem::remove_all(dir);
  return exit_code;
}
