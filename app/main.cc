// rockhound: the command line. Parses global options and one subcommand, loads the config
// (TOML -> environment -> flags), configures logging, and runs the subcommand's action with
// one catch-all at this edge: every failure prints one line "error: ..." and exits with the
// code for its error class (core/error.h ExitCodeFor).
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "app/app_context.h"
#include "core/config.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/redact.h"

namespace {

constexpr const char* kDescription =
    "Rockhound watches a fleet of StarRocks clusters and investigates the ones in trouble.\n"
    "Every cycle it scores each cluster's health, queues investigations for the clusters that\n"
    "need one, and stores a structured, sourced report per investigation.\n\n"
    "Start with `rockhound demo`: it builds a simulated fleet under the data directory and\n"
    "runs the whole pipeline on it. Every command has --help.";

int Run(int argc, char** argv) {
  CLI::App app{kDescription, "rockhound"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  rh::app::GlobalOptions global;
  app.add_option("--config", global.config_path,
                 "TOML config file (default: $ROCKHOUND_CONFIG; none = built-in defaults)");
  app.add_option("--data-dir", global.data_dir,
                 "Directory for the embedded databases and index (default .rockhound; "
                 "env ROCKHOUND_DATA_DIR)");
  app.add_option("--set", global.overrides,
                 "Override one setting, e.g. --set sentinel.cooldown=2h (repeatable; "
                 "`rockhound config show` lists keys)");
  app.add_option("--log-level", global.log_level, "trace|debug|info|warn|error (default info)");
  app.add_option("--log-format", global.log_format, "text|json (default text)");

  rh::app::Action chosen;
  rh::app::RegisterConfigCommands(app, &chosen);
  rh::app::RegisterInvestigateCommands(app, &chosen);
  rh::app::RegisterKbCommands(app, &chosen);
  rh::app::RegisterCycleCommands(app, &chosen);
  rh::app::RegisterServeCommands(app, &chosen);
  rh::app::RegisterFleetCommands(app, &chosen);
  rh::app::RegisterDemoCommands(app, &chosen);
  rh::app::RegisterToolCommands(app, &chosen);
  rh::app::RegisterAlertsCommands(app, &chosen);
  rh::app::RegisterIssuesCommands(app, &chosen);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  rh::ConfigSources sources;
  sources.toml_path = global.config_path;
  sources.environment = rh::CurrentEnvironment();
  if (!global.data_dir.empty()) sources.overrides.push_back("data_dir=" + global.data_dir);
  if (!global.log_level.empty()) sources.overrides.push_back("log_level=" + global.log_level);
  if (!global.log_format.empty()) sources.overrides.push_back("log_format=" + global.log_format);
  for (const auto& item : global.overrides) sources.overrides.push_back(item);
  auto config = rh::LoadConfig(sources);
  if (!config) {
    std::fprintf(stderr, "error: %s\n", rh::RedactSecrets(config.error().ToString()).c_str());
    return rh::ExitCodeFor(config.error().code);
  }
  rh::RegisterConfiguredSecrets(*config);  // from here on every configured secret is masked
  rh::ConfigureLogging(*rh::ParseLogLevel(config->log_level), *rh::ParseLogFormat(config->log_format));

  rh::app::AppContext context(std::move(*config));
  if (!chosen) {
    std::fprintf(stderr, "error: no command given; see rockhound --help\n");
    return 2;
  }
  rh::Status status = chosen(context);
  if (!status) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", rh::RedactSecrets(status.error().ToString()).c_str());
    return rh::ExitCodeFor(status.error().code);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away (a closed pipe, `| head`, a dropped socket) is an error on that
  // write, not the death of the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: unexpected failure: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "error: internal: unexpected failure\n");
    return 1;
  }
}
