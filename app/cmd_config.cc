// `rockhound config show`: every setting, its value after TOML/env/flags, and where to set it.
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "app/app_context.h"
#include "core/json.h"

namespace rh::app {

void RegisterConfigCommands(CLI::App& app, Action* chosen) {
  CLI::App* config = app.add_subcommand("config", "Inspect the effective configuration");
  config->require_subcommand(1);
  CLI::App* show = config->add_subcommand(
      "show", "Print every setting with its effective value (secrets masked), its environment "
              "variable and what it does");
  auto format = std::make_shared<std::string>();
  AddFormatOption(show, format.get(), "text",
                  "an array of {key, value, env, doc}, paths derived, secrets masked");
  show->callback([chosen, format] {
    *chosen = [format](AppContext& ctx) -> Status {
      const Config& config = ctx.config();
      // The paths left empty are derived from data_dir: show where they actually are.
      const std::map<std::string, std::string> derived = {
          {"fleet.db", config.FleetDb()},
          {"memory.db", config.MemoryDb()},
          {"knowledge.db", config.KnowledgeDb()},
          {"knowledge.index_path", config.KnowledgeIndexPath()}};
      Json entries = Json::array();
      for (ConfigEntry entry : DescribeConfig(config)) {
        auto path = derived.find(entry.key);
        if (entry.value.empty() && path != derived.end()) {
          entry.value = path->second + " (from data_dir)";
        }
        if (*format == "json") {
          entries.push_back(
              {{"key", entry.key}, {"value", entry.value}, {"env", entry.env}, {"doc", entry.doc}});
          continue;
        }
        std::printf("%-34s = %-28s  # %s [%s]\n", entry.key.c_str(), entry.value.c_str(),
                    entry.doc.c_str(), entry.env.c_str());
      }
      if (*format == "json") std::printf("%s\n", DumpJson(entries, 2).c_str());
      return {};
    };
  });
}

}  // namespace rh::app
