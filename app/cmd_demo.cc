// `rockhound demo`: the whole pipeline on a simulated fleet under the data directory.
//
// RunDemo is a sequence of clearly separated steps sharing a DemoState; each step prints a
// numbered heading and what it did. The fleet step creates the simulated fleet (or reuses the
// one already there); the clock step pins "now" to the fleet's last hour so every later step
// sees the fleet as of then; the knowledge step loads the starter knowledge into the Knowledge
// Lake; the cycle step scores, runs the sentinel and investigates what it queued (the same
// RunCycle as `rockhound cycle`); the reports step lists the reports and, because the fleet is
// simulated, checks each diagnosis against the injected incident.
#include <cstdio>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "agent/scheduler.h"
#include "app/app_context.h"
#include "app/cycle_format.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "knowledge/knowledge_lake.h"
#include "service/cycle.h"
#include "core/time_format.h"
#include "knowledge/starter.h"
#include "simulator/fleet_generator.h"
#include "simulator/fleet_summary.h"
#include "simulator/ground_truth.h"
#include "store/report_store.h"

namespace rh::app {
namespace {

// The engine the demo's cycle uses, as service::Runtime picks it: the model of agent.provider
// when it has its credentials (ModelApiReady) and agent.engine is not playbook.
std::string DemoEngineLabel(const Config& config) {
  const std::string provider(LlmProviderName(config.agent.provider));
  if (config.agent.engine == EngineKind::kPlaybook) {
    return "offline playbook (agent.engine=playbook)";
  }
  if (ModelApiReady(config)) {
    return "the model (agent.provider=" + provider + "), with the offline playbook as fallback";
  }
  if (config.agent.provider == LlmProvider::kAnthropic) {
    return "offline playbook (no ANTHROPIC_API_KEY set)";
  }
  return "offline playbook (agent.provider=" + provider +
         " has no credentials; docs/openai-compatible.md, docs/gateways.md)";
}

constexpr const char* kDemoHelp =
    "Builds (or reuses) a simulated fleet in the data directory (default .rockhound/) and runs\n"
    "Rockhound on it. The first run generates 200 clusters x 14 days ending at the current\n"
    "hour (a few seconds); later runs reuse it. --fresh regenerates it; --clusters and --seed\n"
    "choose its size and randomness. It then loads the starter knowledge into the Knowledge\n"
    "Lake, runs one cycle (score every cluster, run the sentinel rules, investigate every\n"
    "queued cluster: with the model when one is configured (ANTHROPIC_API_KEY, or\n"
    "agent.provider with its credentials), else with the offline playbook) and lists the\n"
    "reports, each checked against the incident the simulator injected. A second run within\n"
    "the 4-hour cooldown queues nothing new and lists the same reports. Then try\n"
    "`rockhound serve` for the web page.";

constexpr int kDemoDays = 14;

struct DemoOptions {
  int clusters = 200;
  uint64_t seed = 42;
  bool fresh = false;
  int watch_hours = 6;
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
  if (options.fresh) {
    // Start over in the agent memory too: tasks and reports of the replaced fleet would otherwise
    // hold cooldowns (same seed, same cluster ids) and show in the report table.
    RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
    RH_RETURN_IF_ERROR(memory->Transaction([&]() -> Status {
      RH_RETURN_IF_ERROR(memory->Execute("DELETE FROM investigation_reports"));
      RH_RETURN_IF_ERROR(memory->Execute("DELETE FROM investigation_tasks"));
      return {};
    }));
    std::printf("Cleared the investigation tasks and reports of the previous fleet from %s.\n",
                memory->description().c_str());
  }
  RH_ASSIGN_OR_RETURN(meta, simulator::ReadSimulationMeta(*state.fleet));
  if (!meta) return Internal(state.fleet->description(), "the generated fleet has no fleet_meta");
  state.meta = *meta;
  return {};
}

// Step: every later step sees the fleet "as of" its last snapshot hour.
Status StepPinClock(AppContext& ctx, DemoState& state) {
  Heading(state, "Clock");
  ctx.PinClock(state.meta.end_hour);
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

// Step: the starter knowledge (guidelines, resolutions, known bugs) in the Knowledge Lake. A no-op
// when it is already there and unchanged.
Status StepKnowledge(AppContext& ctx, DemoState& state) {
  Heading(state, "Knowledge Lake (" + ctx.config().KnowledgeDb() + ")");
  RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, ctx.runtime().Knowledge());
  RH_ASSIGN_OR_RETURN(knowledge::IngestStats stats,
                      knowledge::IngestStarterKnowledge(*lake, ctx.config().knowledge.starter_dir));
  RH_ASSIGN_OR_RETURN(knowledge::LakeStats lake_stats, lake->Stats());
  std::printf("Starter knowledge: %lld documents (%lld added, %lld updated, %lld unchanged)\n"
              "Lake: %lld documents, %lld chunks, embedder %s, index %s\n",
              static_cast<long long>(stats.documents_seen),
              static_cast<long long>(stats.documents_added),
              static_cast<long long>(stats.documents_updated),
              static_cast<long long>(stats.documents_unchanged),
              static_cast<long long>(lake_stats.documents),
              static_cast<long long>(lake_stats.chunks), lake_stats.embedder.c_str(),
              lake_stats.index_type.c_str());
  return {};
}

// Step: cycles as if Rockhound had been watching the fleet for the last `watch_hours` hours (one
// full cycle per snapshot hour, each investigating what it queued with the clock at that hour),
// then the cycle at the last hour. Replaying matters: a cliff (a BE going down at 22:20) is only
// a cliff in the pass right after it, and a single pass at the last hour would not see it.
Status StepCycle(AppContext& ctx, const DemoOptions& options, DemoState& state) {
  Heading(state, "Cycles: score every cluster, run the sentinel, investigate what it queued");
  sentinel::PassSummary merged;
  std::set<std::string> queued;
  auto merge = [&](const sentinel::PassSummary& pass) {
    for (const auto& decision : pass.created) {
      if (queued.insert(decision.cluster_id).second) merged.created.push_back(decision);
    }
    for (const auto& decision : pass.cooling) merged.cooling.push_back(decision);
  };
  const TimePoint end = state.meta.end_hour;
  if (options.watch_hours > 0) {
    std::printf("Sentinel over the last %d snapshot hours, as if Rockhound had been running:\n",
                options.watch_hours);
  }
  service::Cycle cycle(ctx.runtime());
  service::CycleOptions hourly;
  int investigated = 0;
  for (int hours_back = options.watch_hours; hours_back >= 1; --hours_back) {
    const TimePoint at = end - std::chrono::hours(hours_back);
    ctx.PinClock(at);
    RH_ASSIGN_OR_RETURN(service::CycleResult pass, cycle.Run(hourly, agent::ProcessStopFlag()));
    merge(pass.pass);
    investigated += pass.investigations.investigated;
    if (pass.pass.created.empty()) continue;
    std::string clusters;
    for (const auto& decision : pass.pass.created) {
      std::string reasons;
      for (const auto& rule : decision.rules) {
        if (rule.fired) reasons += (reasons.empty() ? "" : "+") + std::string(sentinel::RuleName(rule.rule));
      }
      clusters += "  " + decision.cluster_id + " (" + reasons + ")";
    }
    std::printf("  %s UTC  queued and investigated%s\n", FormatSqlTime(at).c_str(),
                clusters.c_str());
  }
  if (options.watch_hours > 0) {
    std::printf("  (%d investigation(s) in those hours; hours that queued nothing are not shown)\n",
                investigated);
  }
  ctx.PinClock(end);
  std::printf("\nCycle at the last hour, engine: %s (progress on stderr)\n",
              DemoEngineLabel(ctx.config()).c_str());
  std::fflush(stdout);
  service::CycleOptions final_cycle;
  RH_ASSIGN_OR_RETURN(service::CycleResult result,
                      cycle.Run(final_cycle, agent::ProcessStopFlag()));
  std::fputs(FormatCycleResult(result, final_cycle).c_str(), stdout);
  merge(result.pass);
  merged.scoring = result.pass.scoring;
  if (options.watch_hours > 0) {
    RH_ASSIGN_OR_RETURN(std::string check, SimulationCheck(*state.fleet, merged));
    if (!check.empty()) {
      std::printf("over the %d watched hours: %s\n", options.watch_hours + 1, check.c_str());
    }
  }
  if (merged.created.empty()) {
    std::printf("Nothing new queued (a cluster investigated in the last %s is cooling down); the "
                "reports below are the latest per cluster.\n",
                FormatDurationShort(ctx.config().sentinel.cooldown).c_str());
  }
  return {};
}

// Step: the reports, newest first, each checked against the injected incident on its cluster.
Status StepReports(AppContext& ctx, DemoState& state) {
  Heading(state, "Reports (agent memory " + ctx.config().MemoryDb() + ")");
  RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
  RH_ASSIGN_OR_RETURN(std::vector<simulator::GroundTruthRow> truth,
                      simulator::ReadGroundTruth(*state.fleet));
  std::map<std::string, const simulator::GroundTruthRow*> incident_of;
  for (const auto& row : truth) incident_of[row.cluster_id] = &row;

  store::ReportStore reports(*memory);
  store::ReportFilter filter;
  filter.limit = 200;
  RH_ASSIGN_OR_RETURN(store::ReportPage page, reports.List(filter));
  std::map<std::string, const store::StoredReport*> latest;  // newest report per cluster
  for (const auto& report : page.reports) latest.emplace(report.cluster_id, &report);
  if (latest.empty()) {
    std::printf("No reports yet.\n");
    return {};
  }
  std::printf("%-12s %-9s %-20s %5s  %-20s %s\n", "CLUSTER", "SEVERITY", "DIAGNOSIS", "CONF",
              "INJECTED", "REPORT");
  int with_incident = 0;
  int matched = 0;
  for (const auto& report : page.reports) {
    if (latest[report.cluster_id] != &report) continue;
    const auto found = incident_of.find(report.cluster_id);
    std::string injected = "(healthy)";
    std::string mark;
    if (found != incident_of.end()) {
      injected = RootCauseName(found->second->category);
      ++with_incident;
      if (found->second->category == report.category) {
        ++matched;
        mark = "  ok";
      } else {
        mark = "  differs";
      }
    }
    std::printf("%-12s %-9s %-20s %5.2f  %-20s %s%s\n", report.cluster_id.c_str(),
                std::string(SeverityName(report.severity)).c_str(),
                std::string(RootCauseName(report.category)).c_str(), report.confidence,
                injected.c_str(), report.report_id.c_str(), mark.c_str());
  }
  if (with_incident > 0) {
    std::printf("Diagnosis matches the injected incident on %d of %d investigated incident "
                "clusters.\n",
                matched, with_incident);
  }
  std::printf("Read one: rockhound reports show %s\n", page.reports.front().report_id.c_str());
  return {};
}

Status RunDemo(AppContext& ctx, const DemoOptions& options) {
  std::printf("Rockhound demo: data directory %s\n", ctx.config().data_dir.c_str());
  DemoState state;
  RH_RETURN_IF_ERROR(StepFleet(ctx, options, state));
  RH_RETURN_IF_ERROR(StepPinClock(ctx, state));
  RH_RETURN_IF_ERROR(StepDescribeFleet(ctx, state));
  RH_RETURN_IF_ERROR(StepKnowledge(ctx, state));
  RH_RETURN_IF_ERROR(StepCycle(ctx, options, state));
  RH_RETURN_IF_ERROR(StepReports(ctx, state));
  std::printf(
      "\nNext:\n"
      "  rockhound serve                 web page, HTTP API and /metrics on http://127.0.0.1:8080/\n"
      "  rockhound fleet incidents       what was injected (hidden from the tools)\n"
      "  rockhound investigate <cluster> --question \"...\"   an ad-hoc investigation\n"
      "  rockhound demo --fresh          start over with a newly generated fleet\n"
      "Use the same --data-dir (%s) for each.\n",
      ctx.config().data_dir.c_str());
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
  demo->add_option("--watch-hours", options->watch_hours,
                   "Snapshot hours of sentinel passes replayed before the final cycle (0: only "
                   "the final cycle)")
      ->capture_default_str()
      ->check(CLI::Range(0, 24 * 13));  // the fleet holds 14 days
  demo->add_flag("--fresh", options->fresh,
                 "Regenerate the simulated fleet even if one is already there, and clear the "
                 "investigation tasks and reports of the previous one");
  demo->callback([chosen, options, clusters, seed] {
    options->clusters_given = clusters->count() > 0;
    options->seed_given = seed->count() > 0;
    *chosen = [options](AppContext& ctx) { return RunDemo(ctx, *options); };
  });
}

}  // namespace rh::app
