// AppContext: the composition root's state for one CLI invocation — the loaded Config, the clock,
// and the service::Runtime every command works through (created on first use, so a command opens
// only what it touches). Commands receive it, parse their flags, call the service and render;
// nothing below app/ sees this type.
//
// The clock is the system's until a command pins it: `cycle --at`, `sentinel explain --at` and
// `tool run --at` pin "now" to a time, and `demo` pins it to the simulated fleet's last hour and
// moves it hour by hour. Pinning moves the one clock the Runtime was built with, so every piece
// already opened sees the new time.
// Thread-safety: not thread-safe; owned by main's thread (the Runtime it hands out is).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "service/runtime.h"
#include "store/database.h"

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

// The system clock until Pin; from then on a manual clock at the pinned time (sleeps advance it,
// as ManualClock's auto-advance does).
class PinnableClock final : public Clock {
 public:
  TimePoint Now() const override;
  MonoTime Monotonic() const override;
  void SleepFor(Duration duration) override;
  bool WaitFor(Duration duration, std::stop_token stop) override;
  void Pin(TimePoint at);

 private:
  SystemClock system_;
  ManualClock manual_{TimePoint{}};
  std::atomic<bool> pinned_{false};
};

class AppContext {
 public:
  explicit AppContext(Config config);

  const Config& config() const { return config_; }
  // For commands that adjust settings from their flags before doing anything (serve --port,
  // fleet --db). Drops the Runtime, which is rebuilt with the new config on next use.
  Config& mutable_config();
  Clock& clock() { return clock_; }
  // "Now" is `at` from here on (see the header comment).
  void PinClock(TimePoint at) { clock_.Pin(at); }

  // Whether this command may create the data directory and the databases (service::Runtime::
  // set_may_create); main decides from the command (demo, fleet generate, cycle, run, serve,
  // kb ingest may; the commands that only read may not).
  void set_may_create(bool may_create) { may_create_ = may_create; }

  service::Runtime& runtime();
  Result<store::Database*> Fleet() { return runtime().Fleet(); }
  Result<store::Database*> Memory() { return runtime().Memory(); }
  // Closes the fleet database and what is built on it (before regenerating the file).
  void CloseFleet() {
    if (runtime_) runtime_->CloseFleet();
  }

 private:
  Config config_;
  PinnableClock clock_;
  bool may_create_ = true;
  std::unique_ptr<service::Runtime> runtime_;
};

// A command's work, run after the command line and the config have been parsed.
using Action = std::function<Status(AppContext&)>;

// Each command group adds its subcommands to `app`; the parsed one stores its action in
// *chosen. Defined in app/cmd_<group>.cc.
void RegisterConfigCommands(CLI::App& app, Action* chosen);
// investigate, reports list|show (app/cmd_investigate.cc).
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
// alerts list (app/cmd_alerts.cc).
void RegisterAlertsCommands(CLI::App& app, Action* chosen);
// issues list|show|ack|triage|dispose (app/cmd_issues.cc).
void RegisterIssuesCommands(CLI::App& app, Action* chosen);
// eval [--engine] [--cases] [--runs] [--format] [--case] [--min-pass] (app/cmd_eval.cc).
void RegisterEvalCommands(CLI::App& app, Action* chosen);
// alerts lark [--backfill N | --catch-up | --today], alerts lark list (app/cmd_alerts_lark.cc).
void RegisterAlertsLarkCommands(CLI::App& app, Action* chosen);

// Generates a simulated fleet into ctx.Fleet() with a progress line on stderr and prints what
// was written (app/cmd_fleet.cc; `demo` uses it too). Refusing to overwrite is the caller's job.
Status GenerateSimulatedFleet(AppContext& ctx, const simulator::FleetParams& params);

// --at "YYYY-MM-DD HH:MM:SS" (or RFC 3339): pins the clock to it; nothing when empty.
Status PinClockFlag(AppContext& ctx, const std::string& at);

// The one output switch of every command that prints data: `--format <people>|json`, where
// <people> is the form for a person (table, text or markdown). Checked when the command line is
// parsed, case-insensitively: a wrong value is exit 2 naming the valid ones. `json_fields` says
// what the JSON holds, e.g. "the same fields as GET /api/v1/reports".
CLI::Option* AddFormatOption(CLI::App* command, std::string* format, const std::string& people,
                             const std::string& json_fields);

}  // namespace rh::app
