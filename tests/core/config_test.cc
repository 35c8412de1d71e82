#include "core/config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/fakes/test_env.h"

namespace rh {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(ConfigTest, DefaultsAreValid) {
  auto config = LoadConfig({});
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->sentinel.cooldown, hours(4));
  EXPECT_EQ(config->sentinel.interval, minutes(15));
  EXPECT_EQ(config->FleetDb(), ".rockhound/fleet.db");
  EXPECT_EQ(config->agent.engine, "auto");
}

TEST(ConfigTest, TomlThenEnvironmentThenFlags) {
  testing::TempDir dir;
  std::ofstream(dir.File("rh.toml")) << "data_dir = \"/var/lib/rh\"\n"
                                        "[sentinel]\ncooldown = \"2h\"\nalert_storm_count = 7\n"
                                        "[agent]\nmax_steps = 12\n";
  ConfigSources sources;
  sources.toml_path = dir.File("rh.toml");
  sources.environment = {{"ROCKHOUND_SENTINEL_COOLDOWN", "3h"}, {"ROCKHOUND_FLEET_DB", "/x/f.db"}};
  sources.overrides = {"agent.max_steps=9"};
  auto config = LoadConfig(sources);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->data_dir, "/var/lib/rh");
  EXPECT_EQ(config->sentinel.cooldown, hours(3));         // env beats TOML
  EXPECT_EQ(config->sentinel.alert_storm_count, 7);       // TOML beats default
  EXPECT_EQ(config->agent.max_steps, 9);                  // flag beats TOML
  EXPECT_EQ(config->FleetDb(), "/x/f.db");
  EXPECT_EQ(config->MemoryDb(), "/var/lib/rh/memory.db");
}

TEST(ConfigTest, ClearErrorsNameTheKey) {
  testing::TempDir dir;
  std::ofstream(dir.File("bad.toml")) << "[sentinel]\ncoldown = \"2h\"\n";
  auto unknown = LoadConfig({dir.File("bad.toml"), {}, {}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().ToString().find("unknown key 'sentinel.coldown'"), std::string::npos);

  auto bad_duration = LoadConfig({"", {{"ROCKHOUND_SENTINEL_COOLDOWN", "four hours"}}, {}});
  ASSERT_FALSE(bad_duration);
  EXPECT_NE(bad_duration.error().ToString().find("ROCKHOUND_SENTINEL_COOLDOWN"), std::string::npos);

  auto bad_db = LoadConfig({"", {{"ROCKHOUND_FLEET_DB", "postgres://x/y"}}, {}});
  ASSERT_FALSE(bad_db);
  EXPECT_NE(bad_db.error().ToString().find("fleet.db"), std::string::npos);

  auto pw_in_url = LoadConfig({"", {{"ROCKHOUND_MEMORY_DB", "mysql://u:pw@h:3306/db"}}, {}});
  ASSERT_FALSE(pw_in_url);
  EXPECT_NE(pw_in_url.error().message.find("ROCKHOUND_MYSQL_PASSWORD"), std::string::npos);

  auto missing_file = LoadConfig({dir.File("absent.toml"), {}, {}});
  ASSERT_FALSE(missing_file);
  EXPECT_NE(missing_file.error().ToString().find("absent.toml"), std::string::npos);

  auto bad_toml = dir.File("syntax.toml");
  std::ofstream(bad_toml) << "[sentinel\n";
  EXPECT_FALSE(LoadConfig({bad_toml, {}, {}}));

  auto bad_set = LoadConfig({"", {}, {"agent.engine"}});
  ASSERT_FALSE(bad_set);
  EXPECT_NE(bad_set.error().message.find("key=value"), std::string::npos);
}

TEST(ConfigTest, SecretsOnlyFromEnvironmentAndMaskedWhenShown) {
  testing::TempDir dir;
  std::ofstream(dir.File("secret.toml")) << "[agent]\napi_key = \"sk-ant-xyz\"\n";
  auto refused = LoadConfig({dir.File("secret.toml"), {}, {}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("environment"), std::string::npos);

  auto config = LoadConfig({"", {{"ANTHROPIC_API_KEY", "sk-ant-api03-abcdefghijkl7777"},
                                 {"ROCKHOUND_MYSQL_PASSWORD", "pw-shared-123456"}}, {}});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->secrets.memory_db_password, "pw-shared-123456");
  bool saw_key = false;
  for (const ConfigEntry& entry : DescribeConfig(*config)) {
    EXPECT_EQ(entry.value.find("abcdefghijkl"), std::string::npos) << entry.key;
    EXPECT_EQ(entry.value.find("pw-shared"), std::string::npos) << entry.key;
    if (entry.key == "secrets.anthropic_api_key") {
      saw_key = true;
      EXPECT_EQ(entry.value, "****7777");
    }
  }
  EXPECT_TRUE(saw_key);
}

TEST(ConfigTest, ValidationRules) {
  EXPECT_FALSE(LoadConfig({"", {{"ROCKHOUND_AGENT_ENGINE", "claude"}}, {}}));  // no key
  EXPECT_TRUE(LoadConfig({"", {{"ROCKHOUND_AGENT_ENGINE", "claude"}, {"ANTHROPIC_API_KEY", "k"}}, {}}));
  EXPECT_FALSE(LoadConfig({"", {{"ROCKHOUND_SERVER_BIND", "0.0.0.0"}}, {}}));  // no token
  EXPECT_TRUE(LoadConfig({"", {{"ROCKHOUND_SERVER_BIND", "0.0.0.0"}, {"ROCKHOUND_SERVER_TOKEN", "t"}}, {}}));
  EXPECT_FALSE(LoadConfig({"", {}, {"queue.heartbeat=10m"}}));  // longer than the lease
  EXPECT_FALSE(LoadConfig({"", {}, {"notify.min_severity=urgent"}}));
  EXPECT_FALSE(LoadConfig({"", {}, {"agent.temperature=1.5"}}));
  EXPECT_TRUE(LoadConfig({"", {}, {"agent.temperature=0.2"}}));
}

}  // namespace
}  // namespace rh
