// The agent's concurrency settings in the config: agent.tool_concurrency (default 4, 1..64) and
// agent.investigation_timeout (default 10m, > 0), from a flag or the environment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config.h"

namespace rh {
namespace {

using ::testing::HasSubstr;

TEST(AgentLimitsConfigTest, DefaultsAndOverrides) {
  auto defaults = LoadConfig({});
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->agent.tool_concurrency, 4);
  EXPECT_EQ(defaults->agent.investigation_timeout, std::chrono::minutes(10));

  ConfigSources sources;
  sources.environment = {{"ROCKHOUND_AGENT_INVESTIGATION_TIMEOUT", "90s"}};
  sources.overrides = {"agent.tool_concurrency=8"};
  auto set = LoadConfig(sources);
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(set->agent.tool_concurrency, 8);
  EXPECT_EQ(set->agent.investigation_timeout, std::chrono::seconds(90));
}

TEST(AgentLimitsConfigTest, OutOfRangeValuesAreRefusedNamingTheKey) {
  for (const char* value : {"0", "-1", "65"}) {
    auto refused = LoadConfig({"", {}, {std::string("agent.tool_concurrency=") + value}});
    ASSERT_FALSE(refused) << value;
    EXPECT_THAT(refused.error().ToString(), HasSubstr("agent.tool_concurrency"));
    EXPECT_THAT(refused.error().ToString(), HasSubstr("1..64"));
  }
  for (const char* value : {"0s", "-5m"}) {
    auto refused = LoadConfig({"", {}, {std::string("agent.investigation_timeout=") + value}});
    ASSERT_FALSE(refused) << value;
    EXPECT_THAT(refused.error().ToString(), HasSubstr("agent.investigation_timeout"));
  }
  auto zero = LoadConfig({"", {}, {"agent.investigation_timeout=0s"}});
  ASSERT_FALSE(zero);
  EXPECT_THAT(zero.error().ToString(), HasSubstr("> 0"));
}

}  // namespace
}  // namespace rh
