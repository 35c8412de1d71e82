// AppContext: the composition root's state for one CLI invocation — the loaded Config, the
// Clock, and the databases, opened (and migrated) on first use. Commands receive it and
// build the module objects they need from it; nothing below app/ sees this type.
// Thread-safety: not thread-safe; owned by main's thread (the Database objects it hands out
// are themselves thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::knowledge {
class KnowledgeLake;
}  // namespace rh::knowledge

namespace rh::simulator {
struct FleetParams;
}  // namespace rh::simulator

namespace rh::app {

struct GlobalOptions {
  std::string config_path;
  std::string data_dir;
  std::vector<std::string> overrides;
  std::string log_level;
  std::string log_format;
};

class AppContext {
 public:
  AppContext(Config config, std::unique_ptr<Clock> clock);

  const Config& config() const { return config_; }
  Config& mutable_config() { return config_; }
  Clock& clock() { return *clock_; }
  // Replaces the clock (e.g. `demo` pins "now" to the end of the simulated fleet).
  void set_clock(std::unique_ptr<Clock> clock) { clock_ = std::move(clock); }

  // The fleet telemetry database, opened and migrated on first use.
  Result<store::Database*> Fleet();
  // The agent memory database, opened and migrated on first use.
  Result<store::Database*> Memory();
  // Closes the fleet database (e.g. before regenerating the file).
  void CloseFleet() { fleet_.reset(); }

 private:
  Config config_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<store::Database> fleet_;
  std::unique_ptr<store::Database> memory_;
};

// A command's work, run after the command line and the config have been parsed.
using Action = std::function<Status(AppContext&)>;

// Each command group adds its subcommands to `app`; the parsed one stores its action in
// *chosen. Defined in app/cmd_<group>.cc.
void RegisterConfigCommands(CLI::App& app, Action* chosen);
void RegisterInvestigateCommands(CLI::App& app, Action* chosen);
// cycle, run, sentinel explain, tasks list|show|cancel (app/cmd_cycle.cc).
void RegisterCycleCommands(CLI::App& app, Action* chosen);
// serve, mcp (app/cmd_serve.cc).
void RegisterServeCommands(CLI::App& app, Action* chosen);
// fleet generate|summary|incidents (app/cmd_fleet.cc).
void RegisterFleetCommands(CLI::App& app, Action* chosen);
// demo (app/cmd_demo.cc).
void RegisterDemoCommands(CLI::App& app, Action* chosen);
// tool list|run (app/cmd_tool.cc).
void RegisterToolCommands(CLI::App& app, Action* chosen);

// kb ingest|search|stats|remove (app/cmd_kb.cc).
void RegisterKbCommands(CLI::App& app, Action* chosen);
// The Knowledge Lake the config describes (embedder, paths, fusion); app/cmd_kb.cc.
Result<std::unique_ptr<knowledge::KnowledgeLake>> OpenKnowledgeLake(AppContext& ctx);

// Generates a simulated fleet into ctx.Fleet() with a progress line on stderr and prints what
// was written (app/cmd_fleet.cc; `demo` uses it too). Refusing to overwrite is the caller's job.
Status GenerateSimulatedFleet(AppContext& ctx, const simulator::FleetParams& params);

}  // namespace rh::app
