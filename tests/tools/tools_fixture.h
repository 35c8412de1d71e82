// The fixture of the tool content tests: the standard hand-made fleet (test_fleet.h) in SQLite
// or MariaDB, a ManualClock at ToolsTestNow(), and the registry of the eight tools over them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "tests/fakes/database_fixture.h"
#include "tests/tools/test_fleet.h"
#include "tools/investigation_tools.h"

namespace rh::testing {

class ToolsBackendTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TestFleet fleet(db());
    fleet.BuildStandardFleet();
    ASSERT_FALSE(HasFatalFailure());
    clock_ = std::make_unique<ManualClock>(ToolsTestNow());
    Rebuild(ToolsConfig{});
  }

  void Rebuild(const ToolsConfig& config, knowledge::KnowledgeSearch* knowledge = nullptr,
               bool with_memory = true) {
    tools::ToolEnvironment env;
    env.fleet = &db();
    env.memory = with_memory ? &db() : nullptr;
    env.knowledge = knowledge;
    env.clock = clock_.get();
    env.config = config;
    env.config.sql_timeout_seconds = std::min(env.config.sql_timeout_seconds, 2);
    env.fleet_url = url();
    env.fleet_password = TestMysqlPassword();
    auto built = tools::BuildInvestigationTools(env);
    ASSERT_TRUE(built) << built.error().ToString();
    registry_ = std::make_unique<tools::ToolRegistry>(std::move(*built));
  }

  // Calls a tool that must succeed and returns its parsed JSON output.
  Json Ok(const std::string& tool, const Json& input) {
    tools::ToolResult result = registry_->Call(tool, input);
    EXPECT_FALSE(result.is_error) << tool << " " << input.dump() << ": " << result.content;
    auto parsed = ParseJson(result.content);
    EXPECT_TRUE(parsed) << result.content;
    return parsed ? *parsed : Json::object();
  }
  // Calls a tool that must fail and returns its message.
  std::string Err(const std::string& tool, const Json& input) {
    tools::ToolResult result = registry_->Call(tool, input);
    EXPECT_TRUE(result.is_error) << tool << " " << input.dump() << ": " << result.content;
    return result.content;
  }

  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<tools::ToolRegistry> registry_;
};

}  // namespace rh::testing
