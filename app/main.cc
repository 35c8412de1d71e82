// rockhound: the command line. Parses global options and one subcommand, loads the config
// (TOML -> environment -> flags), configures logging, and runs the subcommand's action with
// one catch-all at this edge: every failure prints one line "error: ..." and exits with the
// code for its error class (core/error.h ExitCodeFor).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/app_context.h"
#include "core/config.h"
#include "core/log.h"
#include "core/redact.h"

namespace {

constexpr const char* kDescription =
    "Rockhound watches a fleet of StarRocks clusters and investigates the ones in trouble.\n"
    "Every cycle it scores each cluster's health, queues investigations for the clusters that\n"
    "need one, and stores a structured, sourced report per investigation.\n\n"
    "Start with `rockhound demo`: it builds a simulated fleet under the data directory and\n"
    "runs the whole pipeline on it. Every command has --help.";

// The one exit-code table (core/error.h ExitCodeFor); README "Exit codes" repeats it.
constexpr const char* kFooter =
    "Exit codes: 0 success; 1 unexpected failure (a bug: please report it); 2 invalid input\n"
    "(unknown command, bad flag or config value); 3 not found (cluster, report, file, data\n"
    "directory); 4 unavailable (a database or service is down: retry later); 5 deadline\n"
    "exceeded; 6 resource exhausted (budget, quota, rate limit); 7 permission denied;\n"
    "8 data loss (stored data is corrupt); 9 conflict (the state refuses it: an issue\n"
    "transition not allowed now, `eval` below --min-pass).";

// The commands that run until stopped and log what they do; the others print their result and
// log only warnings and errors unless -v or --log-level says otherwise.
bool IsDaemon(const std::string& command) {
  return command == "run" || command == "serve" || command == "mcp";
}

// The commands that create the data directory and databases when they are missing; every other
// command fails on a missing path with one line naming it (service::Runtime::set_may_create).
bool MayCreate(const std::string& command_path) {
  for (const char* creating : {"rockhound demo", "rockhound fleet generate", "rockhound cycle",
                               "rockhound run", "rockhound serve", "rockhound kb ingest"}) {
    if (command_path == creating) return true;
  }
  return false;
}

// Levenshtein distance, for "did you mean" on a mistyped command.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The deepest command the parser recognised ("rockhound", "rockhound reports", ...).
CLI::App* DeepestCommand(CLI::App& app) {
  CLI::App* current = &app;
  for (;;) {
    auto chosen = current->get_subcommands();
    if (chosen.empty()) return current;
    current = chosen.front();
  }
}

std::string CommandPath(CLI::App* command) {
  std::string path;
  for (CLI::App* at = command; at != nullptr; at = at->get_parent()) {
    path = path.empty() ? at->get_name() : at->get_name() + " " + path;
  }
  return path;
}

// When the first word the parser could not place is where a subcommand belongs, an error that
// names it and suggests the nearest command; empty when the parse error is about something else.
std::string UnknownCommandMessage(CLI::App& app, int argc, char** argv) {
  CLI::App* command = DeepestCommand(app);
  auto known = command->get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
  if (known.empty()) return {};
  // The first bare word after the deepest recognised command's own name.
  const std::string own = command == &app ? std::string() : command->get_name();
  bool after = own.empty();
  std::string word;
  for (int i = 1; i < argc; ++i) {
    std::string token = argv[i];
    if (!after) {
      after = token == own;
      continue;
    }
    if (token.empty() || token[0] == '-') {
      // a global option's value is the next word (--data-dir DIR), unless given with '='
      if (command == &app && token.find('=') == std::string::npos) {
        const CLI::Option* option = app.get_option_no_throw(token);
        if (option != nullptr && option->get_expected_min() > 0) ++i;  // not a flag
      }
      continue;
    }
    word = token;
    break;
  }
  if (word.empty()) {
    return "'" + CommandPath(command) + "' needs a command: see `" + CommandPath(command) +
           " --help`";
  }
  for (CLI::App* sub : known) {
    if (sub->get_name() == word) return {};  // known: the error is about something else
  }
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (CLI::App* sub : known) {
    const std::string& name = sub->get_name();
    size_t distance = EditDistance(word, name);
    // "report" for "reports", "reprts" for "reports": a prefix or a couple of edits away
    if (name.starts_with(word) || word.starts_with(name)) distance = std::min<size_t>(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = name;
    }
  }
  std::string message = "unknown command '" + word + "' for '" + CommandPath(command) + "'";
  if (best_distance <= std::max<size_t>(2, word.size() / 3)) {
    message += "; did you mean '" + best + "'?";
  }
  return message + " (see `" + CommandPath(command) + " --help`)";
}

int Run(int argc, char** argv) {
  CLI::App app{kDescription, "rockhound"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  app.footer(kFooter);
  rh::app::GlobalOptions global;
  app.add_option("--config", global.config_path,
                 "TOML config file (default: $ROCKHOUND_CONFIG; none = built-in defaults)");
  app.add_option("--data-dir", global.data_dir,
                 "Directory for the embedded databases and index (default .rockhound; "
                 "env ROCKHOUND_DATA_DIR)");
  app.add_option("--set", global.overrides,
                 "Override one setting, e.g. --set sentinel.cooldown=2h (repeatable; "
                 "`rockhound config show` lists keys)");
  app.add_option("--log-level", global.log_level,
                 "trace|debug|info|warn|error (default: info for run, serve and mcp; warn for "
                 "the other commands)");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log progress (info) as well as warnings and errors");
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
  rh::app::RegisterAlertsLarkCommands(app, &chosen);  // joins the alerts group
  rh::app::RegisterIssuesCommands(app, &chosen);
  rh::app::RegisterEvalCommands(app, &chosen);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every other parse error is invalid input: exit code 2, one line, and where the word was a
    // mistyped command, the nearest one.
    std::string message = UnknownCommandMessage(app, argc, argv);
    if (message.empty()) {
      message = std::string(e.what()) + " (see `" + CommandPath(DeepestCommand(app)) + " --help`)";
    }
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return rh::ExitCodeFor(rh::ErrorCode::kInvalidArgument);
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
  std::string level = config->log_level;
  if (level == "auto") {
    level = verbose || IsDaemon(DeepestCommand(app)->get_name()) ? "info" : "warn";
  }
  rh::ConfigureLogging(*rh::ParseLogLevel(level), *rh::ParseLogFormat(config->log_format));

  rh::app::AppContext context(std::move(*config));
  context.set_may_create(MayCreate(CommandPath(DeepestCommand(app))));
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
