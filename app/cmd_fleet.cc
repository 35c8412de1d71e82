// `rockhound fleet generate|summary|incidents`: create, inspect and (for demos and benchmarks)
// reveal the ground truth of a simulated fleet. --db overrides the configured fleet database.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "app/app_context.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/fleet_summary.h"
#include "simulator/ground_truth.h"

namespace rh::app {
namespace {

constexpr const char* kGenerateHelp =
    "Write a simulated StarRocks fleet into the fleet database: accounts (tiers S/A/B/C),\n"
    "clusters of both architectures with node groups, hourly snapshots of the 14 metrics,\n"
    "Lark alerts (firing and resolving), operations, and labelled incidents (one of every\n"
    "root-cause category for small fleets, about 4% of the clusters for large ones).\n"
    "The same --seed and parameters always give byte-identical data.\n\n"
    "Examples:\n"
    "  rockhound fleet generate --clusters 200 --days 14 --seed 42\n"
    "  rockhound fleet generate --clusters 1000 --db /tmp/big.db --end \"2026-11-21 10:00:00\"\n"
    "Then: `rockhound fleet summary`, `rockhound fleet incidents`.";

constexpr const char* kIncidentsHelp =
    "Print the ground truth of a simulated fleet: each labelled incident's cluster, category,\n"
    "expected severity, window, red herring and story. It lives in the table sim_ground_truth,\n"
    "which no tool and no investigation engine can read; it is here so you can check what an\n"
    "investigation found against what was injected (demos, benchmarks).";

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t digit_idx = 0; digit_idx < digits.size(); ++digit_idx) {
    if (digit_idx > 0 && (digits.size() - digit_idx) % 3 == 0) out.push_back(',');
    out.push_back(digits[digit_idx]);
  }
  return out;
}

// A progress line on stderr: redrawn in place on a terminal, every 10% otherwise.
simulator::ProgressCallback StderrProgress() {
  const bool tty = isatty(fileno(stderr)) != 0;
  auto last_percent = std::make_shared<int>(-1);
  return [tty, last_percent](const simulator::GenerationProgress& progress) {
    if (progress.stage != "snapshots" || progress.total <= 0) {
      if (progress.stage == "done" && tty && *last_percent >= 0) std::fputc('\n', stderr);
      return;
    }
    const int percent = static_cast<int>(100 * progress.done / progress.total);
    if (percent == *last_percent || (!tty && percent / 10 == *last_percent / 10)) return;
    *last_percent = percent;
    std::fprintf(stderr, "%sgenerating snapshots: %3d%% (%lld/%lld clusters)%s", tty ? "\r" : "",
                 percent, static_cast<long long>(progress.done),
                 static_cast<long long>(progress.total), tty ? "" : "\n");
    std::fflush(stderr);
  };
}

// --db wins over the configured fleet database for this invocation.
void ApplyDbOverride(AppContext& ctx, const std::string& db) {
  if (!db.empty()) {
    ctx.CloseFleet();
    ctx.mutable_config().fleet.db = db;
  }
}

// The parameter names of ValidateFleetParams are the flags' names.
Error AsFlagError(Error error) {
  if (error.context == "clusters" || error.context == "days" || error.context == "end" ||
      error.context == "incidents" || error.context == "scenarios") {
    error.context = "--" + error.context;
  }
  return error;
}

struct GenerateOptions {
  int clusters = 200;
  int days = 14;
  uint64_t seed = 42;
  std::string db;
  std::string end;
  int incidents = -1;  // -1: the default for the fleet size
  std::string scenarios = "classic";
  bool force = false;
};

Status RunGenerate(AppContext& ctx, const GenerateOptions& options) {
  ApplyDbOverride(ctx, options.db);
  simulator::FleetParams params;
  params.clusters = options.clusters;
  params.days = options.days;
  params.seed = options.seed;
  if (options.incidents >= 0) params.incidents = options.incidents;
  auto scenarios = simulator::ParseScenarioSet(options.scenarios);
  if (!scenarios) return Fail(AsFlagError(scenarios.error()));
  params.scenarios = *scenarios;
  if (options.end.empty()) {
    params.end_hour = FloorToHour(ctx.clock().Now());
  } else {
    auto end = ParseAnyTime(options.end);
    if (!end) {
      return InvalidArgument("--end", "expected \"YYYY-MM-DD HH:00:00\" (UTC), e.g. \"" +
                                          FormatSqlTime(FloorToHour(ctx.clock().Now())) +
                                          "\"; got \"" + options.end + "\"");
    }
    params.end_hour = *end;
  }
  params.generated_at = ctx.clock().Now();
  if (auto valid = simulator::ValidateFleetParams(params); !valid) {
    return Fail(AsFlagError(valid.error()));
  }

  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(int64_t existing, simulator::ExistingClusterCount(*fleet));
  if (existing > 0 && !options.force) {
    std::string what = std::to_string(existing) + " clusters";
    RH_ASSIGN_OR_RETURN(auto meta, simulator::ReadSimulationMeta(*fleet));
    if (meta) {
      what += " (simulated, seed " + std::to_string(meta->seed) + ", last hour " +
              FormatSqlTime(meta->end_hour) + ")";
    }
    return InvalidArgument(fleet->description(),
                           "already holds a fleet of " + what +
                               "; nothing was written. Pass --force to replace it, or --db PATH "
                               "to write somewhere else");
  }
  // Leftovers of an empty fleet (e.g. fleet_meta of an interrupted run) are safe to replace.
  params.replace_existing = true;
  return GenerateSimulatedFleet(ctx, params);
}

OrderedJson CountsJson(const simulator::Counts& counts) {
  OrderedJson out = OrderedJson::object();
  for (const auto& [label, count] : counts) out[label] = count;
  return out;
}

OrderedJson OptionalTime(const std::optional<TimePoint>& time) {
  return time ? OrderedJson(FormatIsoTime(*time)) : OrderedJson();
}

OrderedJson FleetSummaryJson(const simulator::FleetSummary& summary) {
  OrderedJson out;
  out["database"] = summary.database;
  if (summary.simulation) {
    const simulator::SimulationMeta& meta = *summary.simulation;
    out["simulation"] = {{"seed", meta.seed},         {"clusters", meta.clusters},
                         {"days", meta.days},         {"incidents", meta.incidents},
                         {"end_hour", FormatIsoTime(meta.end_hour)},
                         {"status", meta.status}};
  } else {
    out["simulation"] = nullptr;
  }
  out["accounts"] = summary.accounts;
  out["accounts_by_tier"] = CountsJson(summary.accounts_by_tier);
  out["clusters"] = summary.clusters;
  out["clusters_by_run_mode"] = CountsJson(summary.clusters_by_run_mode);
  out["clusters_by_version_line"] = CountsJson(summary.clusters_by_version_line);
  out["clusters_by_region"] = CountsJson(summary.clusters_by_region);
  out["snapshot_rows"] = summary.snapshot_rows;
  out["first_snapshot"] = OptionalTime(summary.first_snapshot);
  out["last_snapshot"] = OptionalTime(summary.last_snapshot);
  out["alert_messages"] = summary.alert_messages;
  out["firing_alerts"] = summary.firing_alerts;
  out["clusters_with_firing_alerts"] = summary.clusters_with_firing_alerts;
  out["operations"] = summary.operations;
  out["operations_by_type"] = CountsJson(summary.operations_by_type);
  out["labelled_incidents"] =
      summary.labelled_incidents ? OrderedJson(*summary.labelled_incidents) : OrderedJson();
  out["labelled_clusters"] =
      summary.labelled_clusters ? OrderedJson(*summary.labelled_clusters) : OrderedJson();
  return out;
}

Status RunSummary(AppContext& ctx, const std::string& db, const std::string& format) {
  ApplyDbOverride(ctx, db);
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(simulator::FleetSummary summary, simulator::SummarizeFleet(*fleet));
  if (format == "json") {
    std::printf("%s\n", DumpJson(FleetSummaryJson(summary), 2).c_str());
    return {};
  }
  if (summary.clusters == 0) {
    std::printf("The fleet database %s is empty: run `rockhound fleet generate` (or `rockhound "
                "demo`) to create a simulated fleet.\n",
                summary.database.c_str());
    return {};
  }
  std::fputs(simulator::FormatFleetSummary(summary).c_str(), stdout);
  return {};
}

Status RunIncidents(AppContext& ctx, const std::string& db, const std::string& format) {
  ApplyDbOverride(ctx, db);
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(std::vector<simulator::GroundTruthRow> rows,
                      simulator::ReadGroundTruth(*fleet));
  if (format == "json") {
    OrderedJson out = OrderedJson::array();
    for (const simulator::GroundTruthRow& row : rows) {
      OrderedJson item;
      item["incident_id"] = row.incident_id;
      item["cluster_id"] = row.cluster_id;
      item["account_id"] = row.account_id;
      item["category"] = std::string(RootCauseName(row.category));
      item["scenario"] = row.scenario;
      item["expected_severity"] = std::string(SeverityName(row.expected_severity));
      item["window_start"] = FormatIsoTime(row.window_start);
      item["window_end"] = FormatIsoTime(row.window_end);
      item["red_herring"] = row.red_herring ? OrderedJson(*row.red_herring) : OrderedJson();
      item["description"] = row.description;
      out.push_back(std::move(item));
    }
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return {};
  }
  if (rows.empty()) {
    std::printf("%s holds no labelled incidents (not a simulated fleet, or generated with "
                "--incidents 0).\n",
                fleet->description().c_str());
    return {};
  }
  std::printf("Ground truth of the simulated fleet in %s (table sim_ground_truth).\n"
              "Hidden from every tool and investigation engine; shown here for demos and "
              "benchmarks.\n\n",
              fleet->description().c_str());
  std::printf("%-8s %-11s %-18s %-9s %-16s %s\n", "incident", "cluster", "category", "severity",
              "since (UTC)", "scenario");
  for (const simulator::GroundTruthRow& row : rows) {
    std::printf("%-8s %-11s %-18s %-9s %-16s %s\n", row.incident_id.c_str(),
                row.cluster_id.c_str(), std::string(RootCauseName(row.category)).c_str(),
                std::string(SeverityName(row.expected_severity)).c_str(),
                FormatSqlTime(row.window_start).substr(0, 16).c_str(), row.scenario.c_str());
    std::printf("    %s\n", row.description.c_str());
    if (row.red_herring) std::printf("    red herring: %s\n", row.red_herring->c_str());
  }
  return {};
}

}  // namespace

Status GenerateSimulatedFleet(AppContext& ctx, const simulator::FleetParams& params) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  std::fprintf(stderr, "generating %d clusters x %d days (seed %llu, last hour %s UTC) into %s\n",
               params.clusters, params.days, static_cast<unsigned long long>(params.seed),
               FormatSqlTime(params.end_hour).c_str(), fleet->description().c_str());
  const Stopwatch elapsed;
  auto stats = simulator::GenerateFleet(*fleet, params, StderrProgress());
  if (!stats) return Fail(AsFlagError(stats.error()));
  const double seconds = elapsed.ElapsedSeconds();
  std::printf("Generated a simulated fleet in %s (%.1f s):\n", fleet->description().c_str(),
              seconds);
  std::printf("  %s accounts, %s clusters (%s node groups)\n", Thousands(stats->accounts).c_str(),
              Thousands(stats->clusters).c_str(), Thousands(stats->node_groups).c_str());
  std::printf("  %s hourly snapshot rows from %s to %s UTC\n",
              Thousands(stats->snapshot_rows).c_str(), FormatSqlTime(stats->first_hour).c_str(),
              FormatSqlTime(stats->end_hour).c_str());
  std::printf("  %s alert messages, %s operations\n", Thousands(stats->alert_messages).c_str(),
              Thousands(stats->operations).c_str());
  std::printf("  %s labelled incidents on %s clusters (`rockhound fleet incidents`; hidden from "
              "tools)\n",
              Thousands(stats->incidents).c_str(), Thousands(stats->ground_truth_rows).c_str());
  return {};
}

void RegisterFleetCommands(CLI::App& app, Action* chosen) {
  CLI::App* fleet = app.add_subcommand(
      "fleet", "Create and inspect the fleet database (simulated fleets for demos and tests)");
  fleet->require_subcommand(1);

  auto generate_options = std::make_shared<GenerateOptions>();
  CLI::App* generate = fleet->add_subcommand("generate", "Generate a simulated fleet");
  generate->footer(kGenerateHelp);
  generate->add_option("--clusters", generate_options->clusters, "Number of clusters (1-100000)")
      ->capture_default_str();
  generate->add_option("--days", generate_options->days, "Days of hourly snapshots (1-366)")
      ->capture_default_str();
  generate->add_option("--seed", generate_options->seed,
                       "Random seed: same seed + same parameters = same fleet")
      ->capture_default_str();
  generate->add_option("--db", generate_options->db,
                       "Fleet database to write (SQLite path or mysql:// URL); default: the "
                       "configured fleet.db (ROCKHOUND_FLEET_DB)");
  generate->add_option("--end", generate_options->end,
                       "Last snapshot hour, \"YYYY-MM-DD HH:00:00\" UTC (default: the current "
                       "hour)");
  generate->add_option("--incidents", generate_options->incidents,
                       "Labelled incidents to inject (default: one per category for small "
                       "fleets, ~4% of the clusters for large ones; 0 for none)");
  generate->add_option("--scenarios", generate_options->scenarios,
                       "Scenario families to deal incidents from: classic (13, one per "
                       "category), tuning, held_out or all (the catalogue, simulator/README.md)")
      ->capture_default_str();
  generate->add_flag("--force", generate_options->force,
                     "Replace a fleet that is already in the database (default: refuse)");
  generate->callback([chosen, generate_options] {
    *chosen = [generate_options](AppContext& ctx) { return RunGenerate(ctx, *generate_options); };
  });

  auto summary_db = std::make_shared<std::string>();
  CLI::App* summary = fleet->add_subcommand(
      "summary",
      "What the fleet database holds: accounts by tier, clusters by architecture, version and "
      "region, snapshot range, firing alerts, operations, labelled incidents");
  summary->add_option("--db", *summary_db, "Fleet database to read (default: the configured one)");
  auto summary_format = std::make_shared<std::string>();
  AddFormatOption(summary, summary_format.get(), "text",
                  "the same counts as the text, by tier, architecture, version, region");
  summary->callback([chosen, summary_db, summary_format] {
    *chosen = [summary_db, summary_format](AppContext& ctx) {
      return RunSummary(ctx, *summary_db, *summary_format);
    };
  });

  auto incidents_db = std::make_shared<std::string>();
  auto incidents_format = std::make_shared<std::string>("text");
  CLI::App* incidents = fleet->add_subcommand(
      "incidents", "Show the ground truth of a simulated fleet (hidden from every tool)");
  incidents->footer(kIncidentsHelp);
  incidents->add_option("--db", *incidents_db,
                        "Fleet database to read (default: the configured one)");
  AddFormatOption(incidents, incidents_format.get(), "text",
                  "one object per labelled incident (id, cluster, category, severity, window)");
  incidents->callback([chosen, incidents_db, incidents_format] {
    *chosen = [incidents_db, incidents_format](AppContext& ctx) {
      return RunIncidents(ctx, *incidents_db, *incidents_format);
    };
  });
}

}  // namespace rh::app
