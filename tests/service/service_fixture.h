// A service::Runtime over the server tests' seeded fleet (five clusters, three reports), on
// SQLite and on MariaDB, with a ManualClock at SeedNow(). The Runtime opens its own pooled
// connections from the config, as `rockhound serve` does.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/metrics.h"
#include "service/runtime.h"
#include "tests/fakes/database_fixture.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tests/server/fleet_seed.h"

namespace rh::testing {

class ServiceTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    config_.data_dir = data_.path().string();
    config_.fleet.db = url();
    config_.memory.db = url();
    config_.secrets.fleet_db_password = TestMysqlPassword();
    config_.secrets.memory_db_password = TestMysqlPassword();
    MakeRuntime();
    auto fleet = runtime_->Fleet();
    ASSERT_TRUE(fleet) << fleet.error().ToString();
    auto memory = runtime_->Memory();
    ASSERT_TRUE(memory) << memory.error().ToString();
    auto seeded = SeedFleet(**fleet);
    ASSERT_TRUE(seeded) << seeded.error().ToString();
    auto reports = SeedReports(**memory);
    ASSERT_TRUE(reports) << reports.error().ToString();
  }

  void MakeRuntime() {
    runtime_ = std::make_unique<service::Runtime>(config_, clock_, metrics_);
  }

  // A new Runtime whose model is `server` (Options::chat_completions, api_key "") as a keyless
  // OpenAI-compatible server: agent.provider = openai, agent.openai_model `model`, no retries.
  void UseKeylessOpenAiServer(const ScriptedAnthropicServer& server, const std::string& model) {
    config_.agent.provider = LlmProvider::kOpenAi;
    config_.agent.openai_model = model;
    config_.agent.openai_base_url = server.base_url() + "/v1";
    config_.agent.max_retries = 0;
    ASSERT_TRUE(config_.secrets.openai_api_key.empty());
    MakeRuntime();
  }

  service::Runtime& runtime() { return *runtime_; }

  TempDir data_;
  Config config_;
  ManualClock clock_{SeedNow()};
  MetricsRegistry metrics_;
  std::unique_ptr<service::Runtime> runtime_;
};

}  // namespace rh::testing
