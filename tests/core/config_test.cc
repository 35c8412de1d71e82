#include "core/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "core/log.h"
#include "core/redact.h"
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
  EXPECT_EQ(config->agent.engine, EngineKind::kAuto);
  EXPECT_EQ(config->notify.min_severity, Severity::kHigh);
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
  auto low = LoadConfig({"", {}, {"notify.min_severity=low", "agent.engine=playbook"}});
  ASSERT_TRUE(low) << low.error().ToString();
  EXPECT_EQ(low->notify.min_severity, Severity::kLow);
  EXPECT_EQ(low->agent.engine, EngineKind::kPlaybook);
  EXPECT_FALSE(LoadConfig({"", {}, {"agent.temperature=1.5"}}));
  EXPECT_TRUE(LoadConfig({"", {}, {"agent.temperature=0.2"}}));
}

// The error of loading `sources`, as main prints it ("" when it loads).
std::string LoadError(const ConfigSources& sources) {
  auto config = LoadConfig(sources);
  return config ? std::string() : config.error().ToString();
}

// One line naming the key, whatever the source.
void ExpectRefused(const ConfigSources& sources, const std::string& key,
                   const std::string& mention) {
  const std::string error = LoadError(sources);
  EXPECT_NE(error.find(key), std::string::npos) << "expected '" << key << "' in: " << error;
  EXPECT_NE(error.find(mention), std::string::npos) << "expected '" << mention << "' in: " << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(ConfigTest, NanInfinityAndMeaninglessNegativesAreRefused) {
  for (const char* value : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e999"}) {
    ExpectRefused({"", {}, {std::string("agent.temperature=") + value}}, "agent.temperature",
                  "finite");
    ExpectRefused({"", {}, {std::string("agent.cost_budget_usd=") + value}},
                  "agent.cost_budget_usd", "finite");
    ExpectRefused({"", {{"ROCKHOUND_SENTINEL_SCORE_CLIFF_POINTS", value}}, {}},
                  "ROCKHOUND_SENTINEL_SCORE_CLIFF_POINTS", "finite");
  }
  testing::TempDir dir;
  std::ofstream(dir.File("nan.toml")) << "[agent]\ntemperature = nan\n";
  ExpectRefused({dir.File("nan.toml"), {}, {}}, "agent.temperature", "finite");
  std::ofstream(dir.File("inf.toml")) << "[knowledge]\nvector_weight = -inf\n";
  ExpectRefused({dir.File("inf.toml"), {}, {}}, "knowledge.vector_weight", "finite");

  ExpectRefused({"", {}, {"agent.cost_budget_usd=-1"}}, "agent.cost_budget_usd", "> 0");
  ExpectRefused({"", {}, {"agent.cost_budget_usd=0"}}, "agent.cost_budget_usd", "> 0");
  ExpectRefused({"", {}, {"agent.token_budget=-5"}}, "agent.token_budget", "> 0");
  ExpectRefused({"", {}, {"agent.input_price_per_mtok=-3"}}, "agent.input_price_per_mtok", ">= 0");
  ExpectRefused({"", {}, {"agent.output_price_per_mtok=-15"}}, "agent.output_price_per_mtok",
                ">= 0");
  ExpectRefused({"", {}, {"knowledge.approximate_above=-1"}}, "knowledge.approximate_above",
                ">= 0");
  ExpectRefused({"", {}, {"agent.request_timeout=0s"}}, "agent.request_timeout", "> 0");
  ExpectRefused({"", {}, {"tools.default_window=0m"}}, "tools.default_window", "> 0");
  EXPECT_EQ(LoadError({"", {}, {"agent.cost_budget_usd=0.5", "agent.input_price_per_mtok=0",
                                "knowledge.vector_weight=-1", "agent.temperature=0"}}),
            "");
}

TEST(ConfigTest, SentinelVolumeFlappingAndReinvestigationKeysAreValidated) {
  auto defaults = LoadConfig({"", {}, {}});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->sentinel.volume_baseline_days, 7);
  EXPECT_DOUBLE_EQ(defaults->sentinel.volume_drop_warning, 0.5);
  EXPECT_DOUBLE_EQ(defaults->sentinel.volume_drop_critical, 0.2);
  EXPECT_EQ(defaults->sentinel.flap_window, hours(24));
  EXPECT_EQ(defaults->sentinel.account_wide_min_clusters, 2);
  EXPECT_EQ(defaults->sentinel.unchanged_recheck, hours(24));
  // Set through every source.
  testing::TempDir dir;
  std::ofstream(dir.File("s.toml")) << "[sentinel]\nvolume_drop_warning = 0.4\n"
                                       "flap_min_episodes = 4\n";
  auto set = LoadConfig({dir.File("s.toml"),
                         {{"ROCKHOUND_SENTINEL_VOLUME_MIN_QPS", "2.5"}},
                         {"sentinel.unchanged_recheck=12h"}});
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_DOUBLE_EQ(set->sentinel.volume_drop_warning, 0.4);
  EXPECT_EQ(set->sentinel.flap_min_episodes, 4);
  EXPECT_DOUBLE_EQ(set->sentinel.volume_min_qps, 2.5);
  EXPECT_EQ(set->sentinel.unchanged_recheck, hours(12));
  // NaN and infinities are refused for every new number.
  for (const char* key :
       {"volume_drop_warning", "volume_drop_critical", "volume_min_qps", "volume_min_load_rows",
        "volume_failed_rise_warning", "volume_failed_rise_critical", "volume_min_failed_loads",
        "flap_episode_points", "reinvestigate_worse_points"}) {
    for (const char* value : {"nan", "-inf", "inf"}) {
      ExpectRefused({"", {}, {std::string("sentinel.") + key + "=" + value}},
                    std::string("sentinel.") + key, "finite");
    }
  }
  // Negative values are refused.
  for (const char* key : {"volume_min_qps", "volume_min_load_rows", "volume_min_failed_loads",
                          "flap_episode_points", "reinvestigate_worse_points"}) {
    ExpectRefused({"", {}, {std::string("sentinel.") + key + "=-1"}},
                  std::string("sentinel.") + key, "negative");
  }
  ExpectRefused({"", {}, {"sentinel.volume_drop_warning=-0.5"}}, "sentinel.volume_drop_warning",
                "> 0 and < 1");
  ExpectRefused({"", {}, {"sentinel.volume_drop_warning=1.5"}}, "sentinel.volume_drop_warning",
                "> 0 and < 1");
  ExpectRefused({"", {}, {"sentinel.volume_drop_critical=0.6"}}, "sentinel.volume_drop_critical",
                "below sentinel.volume_drop_warning");
  ExpectRefused({"", {}, {"sentinel.volume_drop_critical=-0.1"}},
                "sentinel.volume_drop_critical", "> 0");
  ExpectRefused({"", {}, {"sentinel.volume_failed_rise_warning=0.5"}},
                "sentinel.volume_failed_rise_warning", "> 1");
  ExpectRefused({"", {}, {"sentinel.volume_failed_rise_critical=4"}},
                "sentinel.volume_failed_rise_critical", "above");
  ExpectRefused({"", {}, {"sentinel.volume_baseline_days=0"}}, "sentinel.volume_baseline_days",
                "1..28");
  ExpectRefused({"", {}, {"sentinel.volume_baseline_days=-3"}}, "sentinel.volume_baseline_days",
                "1..28");
  ExpectRefused({"", {}, {"sentinel.volume_min_baseline_days=8"}},
                "sentinel.volume_min_baseline_days", "between 1 and");
  ExpectRefused({"", {}, {"sentinel.flap_window=0s"}}, "sentinel.flap_window", "> 0");
  ExpectRefused({"", {}, {"sentinel.flap_window=-1h"}}, "sentinel.flap_window", "");
  ExpectRefused({"", {}, {"sentinel.flap_min_episodes=1"}}, "sentinel.flap_min_episodes", ">= 2");
  ExpectRefused({"", {}, {"sentinel.flap_episode_points=101"}}, "sentinel.flap_episode_points",
                "<= 100");
  ExpectRefused({"", {}, {"sentinel.account_wide_min_clusters=1"}},
                "sentinel.account_wide_min_clusters", ">= 2");
  ExpectRefused({"", {}, {"sentinel.unchanged_recheck=0s"}}, "sentinel.unchanged_recheck", "> 0");
}

TEST(ConfigTest, OverflowingDurationsAreRefusedNotWrapped) {
  // 99999999999999h used to wrap to 22362d.
  ExpectRefused({"", {}, {"sentinel.cooldown=99999999999999h"}}, "sentinel.cooldown", "36500d");
  ExpectRefused({"", {{"ROCKHOUND_QUEUE_LEASE", "99999999999999999999s"}}, {}},
                "ROCKHOUND_QUEUE_LEASE", "36500d");
  testing::TempDir dir;
  std::ofstream(dir.File("long.toml")) << "[sentinel]\ncooldown = \"99999999999999h\"\n";
  ExpectRefused({dir.File("long.toml"), {}, {}}, "sentinel.cooldown", "36500d");
  auto longest = LoadConfig({"", {}, {"sentinel.cooldown=36500d"}});
  ASSERT_TRUE(longest) << longest.error().ToString();
  EXPECT_EQ(longest->sentinel.cooldown, hours(24 * 36500));
}

TEST(ConfigTest, NoTableDeeperThanASection) {
  testing::TempDir dir;
  std::ofstream(dir.File("deep.toml")) << "[sentinel.rules.cliff]\npoints = 3\n";
  const std::string error = LoadError({dir.File("deep.toml"), {}, {}});
  EXPECT_NE(error.find("unknown section 'sentinel.rules'"), std::string::npos) << error;
}

TEST(ConfigTest, ConfigMustNameAFile) {
  testing::TempDir dir;
  EXPECT_EQ(LoadError({dir.path().string(), {}, {}}),
            "invalid_argument: --config " + dir.path().string() +
                ": is a directory; give a TOML file");
  EXPECT_EQ(LoadError({dir.File("absent.toml"), {}, {}}),
            "invalid_argument: --config " + dir.File("absent.toml") +
                ": does not exist; give a TOML file");
  EXPECT_EQ(LoadError({"", {{"ROCKHOUND_CONFIG", dir.path().string()}}, {}}),
            "invalid_argument: ROCKHOUND_CONFIG " + dir.path().string() +
                ": is a directory; give a TOML file");
}

// Keyed on how a name ends, not on substrings: the token settings are settings.
TEST(ConfigTest, SecretLookingKeysByNameEndingNotSubstring) {
  testing::TempDir dir;
  std::ofstream(dir.File("tokens.toml"))
      << "[tools]\noutput_budget_tokens = 3000\n"
         "[agent]\nmax_tokens = 8192\ntoken_budget = 500000\n"
         "[knowledge]\nembedder_url = \"http://127.0.0.1:11434\"\n";
  auto config = LoadConfig({dir.File("tokens.toml"), {}, {}});
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->tools.output_budget_tokens, 3000);
  EXPECT_EQ(config->agent.max_tokens, 8192);
  EXPECT_EQ(config->agent.token_budget, 500000);
  EXPECT_EQ(config->knowledge.embedder_url, "http://127.0.0.1:11434");

  for (const std::string& line :
       {std::string("[agent]\napi_key = \"sk-ant-abc\""),
        std::string("[fleet]\ndb_password = \"pw\""),
        std::string("[server]\ntoken = \"t\""),
        std::string("[server]\nauth_token = \"t\""),
        std::string("[knowledge]\nembedder_api_key = \"k\""),
        std::string("[notify]\nwebhook_url = \"https://hooks.slack.com/services/T/B/X\""),
        std::string("[notify]\nclient_secret = \"s\""),
        std::string("[secrets]\nanything = \"x\""),
        std::string("[knowledge]\nembedder_url = \"http://user:pw@127.0.0.1:11434\""),
        std::string("[server]\npublic_url = \"https://alice@rockhound.example\"")}) {
    std::ofstream(dir.File("secret.toml"), std::ios::trunc) << line << "\n";
    const std::string error = LoadError({dir.File("secret.toml"), {}, {}});
    EXPECT_NE(error.find("looks like a secret"), std::string::npos) << line << " -> " << error;
  }
}

TEST(ConfigTest, ConfigShowPrintsUrlsWithoutUserinfo) {
  auto config = LoadConfig(
      {"",
       {{"ANTHROPIC_BASE_URL", "https://user:base-pass-1234@llm.example.com/v1"},
        {"ROCKHOUND_KNOWLEDGE_EMBEDDER_URL", "http://emb:embed-pass-5678@127.0.0.1:11434"},
        {"ROCKHOUND_FLEET_DB", "mysql://rockhound@10.0.0.5:9030/fleet"}},
       {}});
  ASSERT_TRUE(config) << config.error().ToString();
  std::map<std::string, std::string> shown;
  for (const ConfigEntry& entry : DescribeConfig(*config)) {
    EXPECT_EQ(entry.value.find("pass"), std::string::npos) << entry.key << " = " << entry.value;
    shown[entry.key] = entry.value;
  }
  EXPECT_EQ(shown["secrets.anthropic_base_url"], "https://llm.example.com/v1");
  EXPECT_EQ(shown["knowledge.embedder_url"], "http://127.0.0.1:11434");
  EXPECT_EQ(shown["fleet.db"], "mysql://rockhound@10.0.0.5:9030/fleet");  // a login, no secret
}

TEST(ConfigTest, ConfiguredSecretsAreRegisteredForRedaction) {
  ClearRegisteredSecrets();
  auto config = LoadConfig(
      {"",
       {{"ANTHROPIC_API_KEY", "plain-key-without-shape-0001"},
        {"ROCKHOUND_FLEET_DB_PASSWORD", "fleet-pass-0002"},
        {"ROCKHOUND_MEMORY_DB_PASSWORD", "memory-pass-0003"},
        {"ROCKHOUND_SERVER_TOKEN", "server-token-0004"},
        {"ROCKHOUND_EMBEDDER_API_KEY", "embedder-key-0005"},
        {"ROCKHOUND_NOTIFY_WEBHOOK_URL",
         "https://hooks.slack.com/services/T0000/B0000/AbCdEfGhIjKlMnOpQrSt0006"},
        {"ROCKHOUND_KNOWLEDGE_EMBEDDER_URL", "http://emb:embed-pass-0007@127.0.0.1:11434"},
        {"ROCKHOUND_SERVER_BIND", "0.0.0.0"}},
       {}});
  ASSERT_TRUE(config) << config.error().ToString();
  RegisterConfiguredSecrets(*config);
  const std::string said =
      "plain-key-without-shape-0001 fleet-pass-0002 memory-pass-0003 server-token-0004 "
      "embedder-key-0005 /services/T0000/B0000/AbCdEfGhIjKlMnOpQrSt0006 embed-pass-0007";
  EXPECT_EQ(RedactSecrets(said),
            "****0001 ****0002 ****0003 ****0004 ****0005 ****0006 ****0007");
  ClearRegisteredSecrets();

  // A short token is not registered: it would mask ordinary words.
  auto short_token = LoadConfig({"", {{"ROCKHOUND_SERVER_TOKEN", "admin"}}, {}});
  ASSERT_TRUE(short_token);
  RegisterConfiguredSecrets(*short_token);
  EXPECT_EQ(RedactSecrets("admin logged in"), "admin logged in");
}

// The log masks a configured secret by value, whatever surrounds it.
TEST(ConfigTest, LogLinesMaskRegisteredSecrets) {
  ClearRegisteredSecrets();
  Config config;
  config.secrets.memory_db_password = "Tr0ub4dor&3-horse";
  RegisterConfiguredSecrets(config);
  {
    LogCapture capture;
    Logger("core")->info("connect failed for [Tr0ub4dor&3-horse] at db:3306");
    EXPECT_NE(capture.Text().find("[core] info: connect failed for [****orse] at db:3306"),
              std::string::npos)
        << capture.Text();
    EXPECT_EQ(capture.Text().find("Tr0ub4dor"), std::string::npos);
  }
  ClearRegisteredSecrets();
}

// The database pool sizes (store::OpenOptions::pool_size): 8 by default, 1..256.
TEST(ConfigTest, DatabasePoolSizes) {
  auto defaults = LoadConfig({});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->fleet.pool_size, 8);
  EXPECT_EQ(defaults->memory.pool_size, 8);
  auto set = LoadConfig({"", {{"ROCKHOUND_FLEET_POOL_SIZE", "3"}}, {"memory.pool_size=16"}});
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(set->fleet.pool_size, 3);
  EXPECT_EQ(set->memory.pool_size, 16);
  ExpectRefused({"", {}, {"fleet.pool_size=0"}}, "fleet.pool_size", "1..256");
  ExpectRefused({"", {}, {"memory.pool_size=257"}}, "memory.pool_size", "1..256");
}

// agent.engine and notify.min_severity are parsed once, by the vocabulary (core/engine_kind.h,
// core/severity.h): a bad value names the key and every valid value.
TEST(ConfigTest, VocabularyFieldsNameEveryValidValue) {
  ExpectRefused({"", {}, {"agent.engine=gpt"}}, "agent.engine",
                "must be one of " + std::string(EngineKindNames()) + "; got 'gpt'");
  ExpectRefused({"", {{"ROCKHOUND_NOTIFY_MIN_SEVERITY", "urgent"}}, {}}, "notify.min_severity",
                "must be one of " + std::string(SeverityNames()) + "; got 'urgent'");
  auto shown = LoadConfig({"", {}, {"agent.engine=playbook", "notify.min_severity=medium"}});
  ASSERT_TRUE(shown) << shown.error().ToString();
  std::map<std::string, std::string> values;
  for (const ConfigEntry& entry : DescribeConfig(*shown)) values[entry.key] = entry.value;
  EXPECT_EQ(values["agent.engine"], "playbook");
  EXPECT_EQ(values["notify.min_severity"], "medium");
}

}  // namespace
}  // namespace rh

namespace rh {
namespace {

TEST(ConfigTest, LarkSettingsAreCheckedAndItsCredentialsAreEnvOnlySecrets) {
  auto defaults = LoadConfig({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->lark.page_size, 50);
  EXPECT_EQ(defaults->lark.base_url, "https://open.feishu.cn");
  EXPECT_FALSE(defaults->lark.catch_up_every_cycle);
  ExpectRefused({"", {}, {"lark.page_size=51"}}, "lark.page_size", "1..50");
  ExpectRefused({"", {}, {"lark.chat_id=12345"}}, "lark.chat_id", "oc_");
  ExpectRefused({"", {}, {"lark.base_url=ftp://x"}}, "lark.base_url", "https://");
  ExpectRefused({"", {}, {"lark.catch_up_every_cycle=true"}}, "lark.catch_up_every_cycle",
                "lark.chat_id");
  auto on = LoadConfig({"", {{"ROCKHOUND_LARK_CHAT_ID", "oc_abc"}},
                        {"lark.catch_up_every_cycle=true", "lark.first_catch_up=6h"}});
  ASSERT_TRUE(on) << on.error().ToString();
  EXPECT_TRUE(on->lark.catch_up_every_cycle);
  EXPECT_EQ(on->lark.first_catch_up, std::chrono::hours(6));

  testing::TempDir dir;
  std::ofstream(dir.File("rh.toml")) << "[lark]\napp_secret = \"InTheFile123\"\n";
  ExpectRefused({dir.File("rh.toml"), {}, {}}, "app_secret", "secret");

  ClearRegisteredSecrets();
  auto config = LoadConfig({"",
                            {{"ROCKHOUND_LARK_APP_ID", "cli_a1b2c3d4e5f60001"},
                             {"ROCKHOUND_LARK_APP_SECRET", "LarkAppSecretValue0002"}},
                            {}});
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->secrets.lark_app_id, "cli_a1b2c3d4e5f60001");
  RegisterConfiguredSecrets(*config);
  EXPECT_EQ(RedactSecrets("app cli_a1b2c3d4e5f60001 secret LarkAppSecretValue0002"),
            "app ****0001 secret ****0002");
  std::map<std::string, std::string> shown;
  for (const ConfigEntry& entry : DescribeConfig(*config)) shown[entry.key] = entry.value;
  EXPECT_EQ(shown["secrets.lark_app_secret"], "****0002");
  ClearRegisteredSecrets();
}

// The issue tracker's rule table and windows: defaults classify the StarRocks and platform alert
// names, a name in both lists or windows out of order are refused by key.
TEST(ConfigTest, IssueRuleTableAndWindows) {
  auto defaults = LoadConfig({"", {}, {}});
  ASSERT_TRUE(defaults);
  std::vector<std::string> anomaly = SplitAlertNames(defaults->issues.anomaly_alerts);
  std::vector<std::string> failure = SplitAlertNames(defaults->issues.failure_alerts);
  EXPECT_NE(std::find(anomaly.begin(), anomaly.end(), "heapusagetoohigh"), anomaly.end());
  EXPECT_NE(std::find(anomaly.begin(), anomaly.end(), "be cpu alert"), anomaly.end());
  EXPECT_NE(std::find(failure.begin(), failure.end(), "bealiveabnormal"), failure.end());
  EXPECT_NE(std::find(failure.begin(), failure.end(), "be service suspension"), failure.end());
  EXPECT_EQ(defaults->issues.time_window, std::chrono::minutes(30));
  EXPECT_EQ(defaults->issues.correlation_window, std::chrono::hours(4));
  EXPECT_EQ(defaults->issues.default_kind, IssueKind::kFailure);

  auto custom = LoadConfig({"", {{"ROCKHOUND_ISSUES_ANOMALY_ALERTS", "DiskAlmostFull ,  SlowQ"}},
                            {"issues.default_kind=ANOMALY", "issues.time_window=10m"}});
  ASSERT_TRUE(custom) << custom.error().ToString();
  EXPECT_EQ(SplitAlertNames(custom->issues.anomaly_alerts),
            (std::vector<std::string>{"diskalmostfull", "slowq"}));
  EXPECT_EQ(custom->issues.default_kind, IssueKind::kAnomaly);

  auto both = LoadConfig({"", {}, {"issues.anomaly_alerts=X, BeAliveAbnormal"}});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().ToString().find("issues.failure_alerts"), std::string::npos);
  EXPECT_NE(both.error().ToString().find("bealiveabnormal"), std::string::npos);
  EXPECT_FALSE(LoadConfig({"", {}, {"issues.correlation_window=10m"}}));  // < time window
  EXPECT_FALSE(LoadConfig({"", {}, {"issues.time_window=0s"}}));
  EXPECT_FALSE(LoadConfig({"", {}, {"issues.default_kind=sometimes"}}));
  EXPECT_FALSE(LoadConfig({"", {}, {"issues.investigate_tiers=S,Z"}}));
  EXPECT_TRUE(LoadConfig({"", {}, {"issues.investigate_tiers="}}));
}

}  // namespace
}  // namespace rh

namespace rh {
namespace {

// agent.provider (issue 18): anthropic by default; openai needs a model, an http(s) base URL
// and, for agent.engine=claude, OPENAI_API_KEY, which is a masked env-only secret.
TEST(ConfigTest, OpenAiProviderIsValidatedAndItsKeyIsMasked) {
  auto defaults = LoadConfig({});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->agent.provider, LlmProvider::kAnthropic);
  EXPECT_EQ(defaults->agent.openai_base_url, "https://api.openai.com/v1");
  auto bad_name = LoadConfig({"", {{"ROCKHOUND_AGENT_PROVIDER", "azure"}}, {}});
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("anthropic, openai, bedrock, vertex"),
            std::string::npos);
  auto no_model = LoadConfig({"", {{"ROCKHOUND_AGENT_PROVIDER", "openai"}}, {}});
  ASSERT_FALSE(no_model);
  EXPECT_NE(no_model.error().ToString().find("agent.openai_model"), std::string::npos);
  auto bad_url = LoadConfig({"",
                             {{"ROCKHOUND_AGENT_PROVIDER", "openai"},
                              {"ROCKHOUND_AGENT_OPENAI_MODEL", "qwen2.5:14b"},
                              {"ROCKHOUND_AGENT_OPENAI_BASE_URL", "localhost:11434/v1"}},
                             {}});
  ASSERT_FALSE(bad_url);
  EXPECT_NE(bad_url.error().ToString().find("agent.openai_base_url"), std::string::npos);
  auto no_key = LoadConfig({"",
                            {{"ROCKHOUND_AGENT_PROVIDER", "openai"},
                             {"ROCKHOUND_AGENT_ENGINE", "claude"},
                             {"ROCKHOUND_AGENT_OPENAI_MODEL", "qwen2.5:14b"},
                             {"ANTHROPIC_API_KEY", "sk-ant-unused-key"}},
                            {}});
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().ToString().find("OPENAI_API_KEY"), std::string::npos);
  auto ok = LoadConfig({"",
                        {{"ROCKHOUND_AGENT_PROVIDER", "openai"},
                         {"ROCKHOUND_AGENT_ENGINE", "claude"},
                         {"ROCKHOUND_AGENT_OPENAI_MODEL", "qwen2.5:14b"},
                         {"ROCKHOUND_AGENT_OPENAI_BASE_URL", "http://localhost:11434/v1"},
                         {"OPENAI_API_KEY", "sk-openai-abcdefgh9999"}},
                        {}});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->agent.provider, LlmProvider::kOpenAi);
  EXPECT_EQ(ok->secrets.openai_api_key, "sk-openai-abcdefgh9999");
  std::map<std::string, std::string> shown;
  for (const ConfigEntry& entry : DescribeConfig(*ok)) shown[entry.key] = entry.value;
  EXPECT_EQ(shown["agent.provider"], "openai");
  EXPECT_EQ(shown["secrets.openai_api_key"], "****9999");
  for (const auto& [key, value] : shown) {
    EXPECT_EQ(value.find("abcdefgh"), std::string::npos) << key;
  }
}

// A keyless local server: OPENAI_API_KEY is required only for api.openai.com.
TEST(ConfigTest, OpenAiKeyIsRequiredOnlyForApiOpenAiCom) {
  auto local = LoadConfig({"",
                           {{"ROCKHOUND_AGENT_PROVIDER", "openai"},
                            {"ROCKHOUND_AGENT_ENGINE", "claude"},
                            {"ROCKHOUND_AGENT_OPENAI_MODEL", "qwen2.5:14b"},
                            {"ROCKHOUND_AGENT_OPENAI_BASE_URL", "http://gpu-box:8000/v1"}},
                           {}});
  ASSERT_TRUE(local) << local.error().ToString();
  EXPECT_TRUE(ModelApiReady(*local));
  Config openai = *local;
  openai.agent.openai_base_url = "https://api.openai.com/v1";
  EXPECT_FALSE(ModelApiReady(openai));
  openai.secrets.openai_api_key = "sk-openai-abcdefgh9999";
  EXPECT_TRUE(ModelApiReady(openai));
}

// agent.provider bedrock / vertex (docs/gateways.md): the gateway's model id, region and
// project are validated; a token (masked, env-only) or a signing proxy's base URL is needed for
// agent.engine=claude; the auto engine picks claude only when one is there.
TEST(ConfigTest, GatewayProvidersAreValidatedAndTheirTokensMasked) {
  const std::string model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  auto anthropic_model = LoadConfig({"",
                                     {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"},
                                      {"ROCKHOUND_AGENT_GATEWAY_REGION", "us-east-1"}},
                                     {}});
  ASSERT_FALSE(anthropic_model);  // the default model is an Anthropic id, not a Bedrock one
  EXPECT_NE(anthropic_model.error().ToString().find("agent.model"), std::string::npos);
  auto no_region = LoadConfig(
      {"", {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"}, {"ROCKHOUND_AGENT_MODEL", model}}, {}});
  ASSERT_FALSE(no_region);
  EXPECT_NE(no_region.error().ToString().find("agent.gateway_region"), std::string::npos);
  auto no_token = LoadConfig({"",
                              {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"},
                               {"ROCKHOUND_AGENT_ENGINE", "claude"},
                               {"ROCKHOUND_AGENT_MODEL", model},
                               {"ROCKHOUND_AGENT_GATEWAY_REGION", "us-east-1"},
                               {"ANTHROPIC_API_KEY", "sk-ant-unused-key"}},
                              {}});
  ASSERT_FALSE(no_token);
  EXPECT_NE(no_token.error().ToString().find("AWS_BEARER_TOKEN_BEDROCK"), std::string::npos);
  auto proxy = LoadConfig({"",
                           {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"},
                            {"ROCKHOUND_AGENT_ENGINE", "claude"},
                            {"ROCKHOUND_AGENT_MODEL", model},
                            {"ROCKHOUND_AGENT_GATEWAY_BASE_URL", "http://127.0.0.1:8000"}},
                           {}});
  ASSERT_TRUE(proxy) << proxy.error().ToString();
  EXPECT_TRUE(ModelApiReady(*proxy));
  // Bedrock streams in AWS's binary event-stream format, which is not read: refused up front.
  auto streamed = LoadConfig({"",
                              {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"},
                               {"ROCKHOUND_AGENT_MODEL", model},
                               {"ROCKHOUND_AGENT_GATEWAY_BASE_URL", "http://127.0.0.1:8000"},
                               {"ROCKHOUND_AGENT_STREAM", "true"}},
                              {}});
  ASSERT_FALSE(streamed);
  EXPECT_NE(streamed.error().ToString().find("agent.stream"), std::string::npos);
  auto bedrock = LoadConfig({"",
                             {{"ROCKHOUND_AGENT_PROVIDER", "bedrock"},
                              {"ROCKHOUND_AGENT_MODEL", model},
                              {"ROCKHOUND_AGENT_GATEWAY_REGION", "us-east-1"},
                              {"AWS_BEARER_TOKEN_BEDROCK", "ABSKbedrockkey77775555"}},
                             {}});
  ASSERT_TRUE(bedrock) << bedrock.error().ToString();
  EXPECT_TRUE(ModelApiReady(*bedrock));
  auto no_project = LoadConfig({"",
                                {{"ROCKHOUND_AGENT_PROVIDER", "vertex"},
                                 {"ROCKHOUND_AGENT_MODEL", "claude-sonnet-4-5@20250929"},
                                 {"ROCKHOUND_AGENT_GATEWAY_REGION", "us-east5"}},
                                {}});
  ASSERT_FALSE(no_project);
  EXPECT_NE(no_project.error().ToString().find("agent.vertex_project"), std::string::npos);
  auto vertex = LoadConfig({"",
                            {{"ROCKHOUND_AGENT_PROVIDER", "vertex"},
                             {"ROCKHOUND_AGENT_MODEL", "claude-sonnet-4-5@20250929"},
                             {"ROCKHOUND_AGENT_GATEWAY_REGION", "us-east5"},
                             {"ROCKHOUND_AGENT_VERTEX_PROJECT", "rockhound-prod"}},
                            {}});
  ASSERT_TRUE(vertex) << vertex.error().ToString();
  EXPECT_FALSE(ModelApiReady(*vertex));  // auto falls back to the playbook
  Config with_token = *vertex;
  with_token.secrets.vertex_access_token = "ya29.vertextoken66664444";
  EXPECT_TRUE(ModelApiReady(with_token));
  std::map<std::string, std::string> shown;
  for (const ConfigEntry& entry : DescribeConfig(*bedrock)) shown[entry.key] = entry.value;
  for (const ConfigEntry& entry : DescribeConfig(with_token)) shown[entry.key] += entry.value;
  EXPECT_EQ(shown["secrets.bedrock_api_key"], "****5555(unset)");
  EXPECT_EQ(shown["secrets.vertex_access_token"], "(unset)****4444");
  for (const auto& [key, value] : shown) {
    EXPECT_EQ(value.find("bedrockkey7777"), std::string::npos) << key;
    EXPECT_EQ(value.find("vertextoken6666"), std::string::npos) << key;
  }
}

// The process environment is read through a filter (ROCKHOUND_*, ANTHROPIC_*): OPENAI_API_KEY
// must pass it, or agent.provider=openai could never find its key.
TEST(ConfigTest, CurrentEnvironmentKeepsOpenAiApiKey) {
  ASSERT_EQ(setenv("OPENAI_API_KEY", "env-openai-key-4242", 1), 0);
  ASSERT_EQ(setenv("OPENAI_UNRELATED_SETTING", "x", 1), 0);
  ASSERT_EQ(setenv("AWS_BEARER_TOKEN_BEDROCK", "env-bedrock-key-4242", 1), 0);
  const auto env = CurrentEnvironment();
  unsetenv("OPENAI_API_KEY");
  unsetenv("AWS_BEARER_TOKEN_BEDROCK");
  EXPECT_EQ(env.at("AWS_BEARER_TOKEN_BEDROCK"), "env-bedrock-key-4242");
  unsetenv("OPENAI_UNRELATED_SETTING");
  ASSERT_TRUE(env.contains("OPENAI_API_KEY"));
  EXPECT_EQ(env.at("OPENAI_API_KEY"), "env-openai-key-4242");
  EXPECT_FALSE(env.contains("OPENAI_UNRELATED_SETTING"));
}


TEST(ConfigTest, AgentStreamIsOffByDefaultAndABoolean) {
  auto defaults = LoadConfig({});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_FALSE(defaults->agent.stream);
  auto from_env = LoadConfig({"", {{"ROCKHOUND_AGENT_STREAM", "true"}}, {}});
  ASSERT_TRUE(from_env) << from_env.error().ToString();
  EXPECT_TRUE(from_env->agent.stream);
  auto from_flag = LoadConfig({"", {}, {"agent.stream=false"}});
  ASSERT_TRUE(from_flag) << from_flag.error().ToString();
  EXPECT_FALSE(from_flag->agent.stream);
  auto bad = LoadConfig({"", {}, {"agent.stream=sometimes"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().ToString().find("agent.stream"), std::string::npos)
      << bad.error().ToString();
}

}  // namespace
}  // namespace rh
