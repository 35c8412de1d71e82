// `rockhound config show`: every setting, its value after TOML/env/flags, and where to set it.
#include <cstdio>

#include "app/app_context.h"

namespace rh::app {

void RegisterConfigCommands(CLI::App& app, Action* chosen) {
  CLI::App* config = app.add_subcommand("config", "Inspect the effective configuration");
  config->require_subcommand(1);
  CLI::App* show = config->add_subcommand(
      "show", "Print every setting with its effective value (secrets masked), its environment "
              "variable and what it does");
  show->callback([chosen] {
    *chosen = [](AppContext& ctx) -> Status {
      for (const ConfigEntry& entry : DescribeConfig(ctx.config())) {
        std::printf("%-34s = %-28s  # %s [%s]\n", entry.key.c_str(), entry.value.c_str(),
                    entry.doc.c_str(), entry.env.c_str());
      }
      return {};
    };
  });
}

}  // namespace rh::app
