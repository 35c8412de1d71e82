// The server.* settings of the HTTP hardening (core/config.h ServerConfig): defaults, loading
// from the environment and flags, and validation with one clear message per bad value.
#include <gtest/gtest.h>

#include <string>

#include "core/config.h"

namespace rh::testing {
namespace {

// The validation error for one --set override, or "" when the config is valid.
std::string ProblemWith(const std::string& override_text) {
  ConfigSources sources;
  sources.overrides = {override_text};
  auto config = LoadConfig(sources);
  return config ? "" : config.error().ToString();
}

TEST(ServerConfigTest, DefaultsMatchTheDocumentedLimits) {
  Config config;
  EXPECT_EQ(config.server.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config.server.body_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config.server.max_connections, 1024);
  EXPECT_EQ(config.server.max_connections_per_client, 256);
  EXPECT_EQ(config.server.allowed_hosts, "");
  EXPECT_TRUE(ValidateConfig(config));
}

TEST(ServerConfigTest, LoadsFromTheEnvironmentAndFlags) {
  ConfigSources sources;
  sources.environment = {{"ROCKHOUND_SERVER_ALLOWED_HOSTS", "rockhound.example.com,10.0.0.5:8443"},
                         {"ROCKHOUND_SERVER_MAX_CONNECTIONS", "4096"}};
  sources.overrides = {"server.header_timeout=5s", "server.body_timeout=2m",
                       "server.max_connections_per_client=1000"};
  auto config = LoadConfig(sources);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->server.allowed_hosts, "rockhound.example.com,10.0.0.5:8443");
  EXPECT_EQ(config->server.max_connections, 4096);
  EXPECT_EQ(config->server.max_connections_per_client, 1000);
  EXPECT_EQ(config->server.header_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->server.body_timeout, std::chrono::minutes(2));
}

TEST(ServerConfigTest, RefusesBadValuesNamingTheSetting) {
  struct Case {
    std::string override_text;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {"server.header_timeout=0s", "server.header_timeout: must be between 1s and 10m"},
      {"server.header_timeout=1h", "server.header_timeout"},
      {"server.body_timeout=2h", "server.body_timeout: must be between 1s and 1h"},
      {"server.max_connections=0", "server.max_connections: must be 1..1000000"},
      {"server.max_connections_per_client=0", "server.max_connections_per_client"},
      {"server.max_connections_per_client=2000",
       "at most server.max_connections (1024)"},
      {"server.allowed_hosts=http://rockhound.example.com", "'http://rockhound.example.com'"},
      {"server.allowed_hosts=a.example.com/path", "'a.example.com/path'"},
      {"server.allowed_hosts=*.example.com", "'*.example.com'"},
      {"server.allowed_hosts=a.example.com,,b.example.com", "(an empty entry)"},
      {"server.allowed_hosts=a.example.com:99999", "'a.example.com:99999'"},
      {"server.allowed_hosts=a.example.com:", "'a.example.com:'"},
      {"server.allowed_hosts=[::1", "'[::1'"},
  };
  for (const Case& test_case : cases) {
    const std::string problem = ProblemWith(test_case.override_text);
    EXPECT_NE(problem.find(test_case.mentions), std::string::npos)
        << test_case.override_text << " -> " << problem;
  }
  EXPECT_EQ(ProblemWith("server.allowed_hosts= a.example.com , 10.0.0.5:8443,[fd00::5]:80,b-2"),
            "");
}

}  // namespace
}  // namespace rh::testing
