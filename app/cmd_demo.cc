// `rockhound demo`: the whole pipeline on a simulated fleet under the data directory.
//
// RunDemo is a sequence of clearly separated steps sharing a DemoState; each step prints a
// numbered heading and what it did. The fleet step creates the simulated fleet (or reuses the
// one already there); the clock step pins "now" to the fleet's last hour so every later step
// sees the fleet as of then. Later steps (scoring, investigations, the web page) are added
// after the existing ones.
#include <cstdio>
#include <memory>
#include <string>

#include "app/app_context.h"
#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/fleet_summary.h"

namespace rh::app {
namespace {

constexpr const char* kDemoHelp =
    "Builds (or reuses) a simulated fleet in the data directory (default .rockhound/) and runs\n"
    "Rockhound on it. The first run generates 200 clusters x 14 days ending at the current\n"
    "hour (about 20 s); later runs reuse it. --fresh regenerates it; --clusters and --seed\n"
    "choose its size and randomness. Then try `rockhound fleet summary` and\n"
    "`rockhound fleet incidents` (the injected incidents, for checking the results).";

constexpr int kDemoDays = 14;

struct DemoOptions {
  int clusters = 200;
  uint64_t seed = 42;
  bool fresh = false;
  bool clusters_given = false;
  bool seed_given = false;
};

struct DemoState {
  int step = 0;
  store::Database* fleet = nullptr;
  simulator::SimulationMeta meta;
};

void Heading(DemoState& state, const std::string& title) {
  std::printf("\n[%d] %s\n", ++state.step, title.c_str());
  std::fflush(stdout);
}

// Step: a simulated fleet in the fleet database, reused when one is already complete there.
Status StepFleet(AppContext& ctx, const DemoOptions& options, DemoState& state) {
  Heading(state, "Simulated fleet (" + ctx.config().FleetDb() + ")");
  RH_ASSIGN_OR_RETURN(state.fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(auto meta, simulator::ReadSimulationMeta(*state.fleet));
  RH_ASSIGN_OR_RETURN(int64_t existing, simulator::ExistingClusterCount(*state.fleet));
  if (!options.fresh && meta && meta->complete()) {
    state.meta = *meta;
    std::printf("Reusing the simulated fleet already there (seed %llu, %d clusters x %d days, "
                "last hour %s UTC); --fresh regenerates it.\n",
                static_cast<unsigned long long>(meta->seed), meta->clusters, meta->days,
                FormatSqlTime(meta->end_hour).c_str());
    if ((options.clusters_given && options.clusters != meta->clusters) ||
        (options.seed_given && options.seed != meta->seed)) {
      std::printf("Note: --clusters/--seed differ from the existing fleet; add --fresh to "
                  "regenerate it with them.\n");
    }
    return {};
  }
  if (!options.fresh && existing > 0 && !meta) {
    return InvalidArgument(state.fleet->description(),
                           "holds " + std::to_string(existing) +
                               " clusters that are not a simulated fleet; the demo needs one. "
                               "Use another --data-dir, or --fresh to replace that data");
  }
  simulator::FleetParams params;
  params.clusters = options.clusters;
  params.days = kDemoDays;
  params.seed = options.seed;
  params.end_hour = FloorToHour(ctx.clock().Now());
  params.generated_at = ctx.clock().Now();
  params.replace_existing = true;  // --fresh, or an incomplete earlier generation
  if (auto valid = simulator::ValidateFleetParams(params); !valid) {
    Error error = valid.error();
    if (error.context == "clusters") error.context = "--clusters";
    return Fail(error);
  }
  RH_RETURN_IF_ERROR(GenerateSimulatedFleet(ctx, params));
  RH_ASSIGN_OR_RETURN(meta, simulator::ReadSimulationMeta(*state.fleet));
  if (!meta) return Internal(state.fleet->description(), "the generated fleet has no fleet_meta");
  state.meta = *meta;
  return {};
}

// Step: every later step sees the fleet "as of" its last snapshot hour.
Status StepPinClock(AppContext& ctx, DemoState& state) {
  Heading(state, "Clock");
  ctx.set_clock(std::make_unique<ManualClock>(state.meta.end_hour));
  std::printf("Pinned to %s UTC, the fleet's last snapshot hour: every following step sees the "
              "fleet as of then.\n",
              FormatSqlTime(state.meta.end_hour).c_str());
  return {};
}

// Step: what the fleet holds.
Status StepDescribeFleet(AppContext& /*ctx*/, DemoState& state) {
  Heading(state, "What the fleet holds");
  RH_ASSIGN_OR_RETURN(simulator::FleetSummary summary, simulator::SummarizeFleet(*state.fleet));
  std::fputs(simulator::FormatFleetSummary(summary).c_str(), stdout);
  return {};
}

Status RunDemo(AppContext& ctx, const DemoOptions& options) {
  std::printf("Rockhound demo: data directory %s\n", ctx.config().data_dir.c_str());
  DemoState state;
  RH_RETURN_IF_ERROR(StepFleet(ctx, options, state));
  RH_RETURN_IF_ERROR(StepPinClock(ctx, state));
  RH_RETURN_IF_ERROR(StepDescribeFleet(ctx, state));
  // Later steps go here, in pipeline order: score the fleet and queue investigations,
  // investigate, serve the reports.
  std::printf("\nNext: `rockhound fleet incidents` lists what was injected (hidden from tools).\n");
  return {};
}

}  // namespace

void RegisterDemoCommands(CLI::App& app, Action* chosen) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo", "Run Rockhound end to end on a simulated fleet under the data directory");
  demo->footer(kDemoHelp);
  CLI::Option* clusters =
      demo->add_option("--clusters", options->clusters, "Clusters in a newly generated fleet")
          ->capture_default_str();
  CLI::Option* seed =
      demo->add_option("--seed", options->seed, "Seed of a newly generated fleet")
          ->capture_default_str();
  demo->add_flag("--fresh", options->fresh,
                 "Regenerate the simulated fleet even if one is already there");
  demo->callback([chosen, options, clusters, seed] {
    options->clusters_given = clusters->count() > 0;
    options->seed_given = seed->count() > 0;
    *chosen = [options](AppContext& ctx) { return RunDemo(ctx, *options); };
  });
}

}  // namespace rh::app
