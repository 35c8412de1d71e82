// The per-model price table (agent.prices) and the daily budget's tier shares
// (agent.daily_budget_tiers): parsing, lookup of pinned snapshot ids, and the errors config
// validation reports.
#include "core/model_prices.h"

#include <gtest/gtest.h>

#include "core/config.h"

namespace rh {
namespace {

TEST(ModelPricesTest, TheDefaultTablePricesThePinnedDefaultModel) {
  auto table = ParsePriceTable(DefaultPriceTableText());
  ASSERT_TRUE(table) << table.error().ToString();
  const ModelPrice fallback{99, 99, 99, 99};
  // The default model is a snapshot id; the alias entry prices it.
  const ModelPrice sonnet = FindModelPrice(*table, AgentConfig{}.model, fallback);
  EXPECT_EQ(AgentConfig{}.model, "claude-sonnet-4-5-20250929");
  EXPECT_DOUBLE_EQ(sonnet.input, 3.0);
  EXPECT_DOUBLE_EQ(sonnet.output, 15.0);
  EXPECT_DOUBLE_EQ(sonnet.cache_write, 3.75);
  EXPECT_DOUBLE_EQ(sonnet.cache_read, 0.30);
  // The longest matching entry wins: claude-opus-4-5-... is not priced as claude-opus-4.
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "claude-opus-4-5-20251101", fallback).input, 5.0);
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "claude-opus-4-20250514", fallback).input, 15.0);
  // Unknown models, and prefixes that are not followed by '-', take the fallback.
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "claude-sonnet-45", fallback).input, 99);
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "gpt-x", fallback).input, 99);
}

TEST(ModelPricesTest, TheDefaultTablePricesOpenAiModelsAndTheirSnapshots) {
  auto table = ParsePriceTable(DefaultPriceTableText());
  ASSERT_TRUE(table) << table.error().ToString();
  const ModelPrice fallback{99, 99, 99, 99};
  const ModelPrice mini = FindModelPrice(*table, "gpt-4.1-mini-2025-04-14", fallback);
  EXPECT_DOUBLE_EQ(mini.input, 0.40);
  EXPECT_DOUBLE_EQ(mini.output, 1.60);
  EXPECT_DOUBLE_EQ(mini.cache_read, 0.10);
  EXPECT_DOUBLE_EQ(mini.cache_write, 0.40);  // OpenAI charges no cache-write premium
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "gpt-4o-2024-08-06", fallback).input, 2.50);
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "gpt-4o-mini-2024-07-18", fallback).output, 0.60);
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "gpt-5", fallback).output, 10.0);
  // A local model the table does not name takes the fallback (agent.input_price_per_mtok...).
  EXPECT_DOUBLE_EQ(FindModelPrice(*table, "qwen2.5:14b", fallback).input, 99);
}

TEST(ModelPricesTest, BadEntriesAreRefusedNamingTheEntry) {
  auto table = ParsePriceTable("m-1=1/2/3/4; m-2 = 0.5 / 1 / 0.6 / 0.05 ,");
  ASSERT_TRUE(table) << table.error().ToString();
  EXPECT_DOUBLE_EQ(table->at("m-2").cache_read, 0.05);
  for (const char* bad : {"m-1=1/2/3", "m-1", "=1/2/3/4", "m-1=1/2/x/4", "m-1=1/-2/3/4"}) {
    auto parsed = ParsePriceTable(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().context, "agent.prices");
  }
  auto shares = ParseTierShares("S=1, A=1, B=0.75, C=0.5");
  ASSERT_TRUE(shares) << shares.error().ToString();
  EXPECT_DOUBLE_EQ(shares->at("C"), 0.5);
  for (const char* bad : {"S=2", "S", "S=x", "=0.5"}) EXPECT_FALSE(ParseTierShares(bad)) << bad;
}

TEST(ModelPricesTest, ConfigValidationChecksTheNewAgentKeys) {
  Config config;
  EXPECT_TRUE(ValidateConfig(config));
  EXPECT_EQ(config.tools.output_budget_tokens, 8000);
  config.agent.prices = "claude-x=1/2";
  EXPECT_FALSE(ValidateConfig(config));
  config = Config{};
  config.agent.daily_budget_tiers = "C=1.5";
  EXPECT_FALSE(ValidateConfig(config));
  config = Config{};
  config.agent.thinking_budget = 512;  // below the API's minimum of 1024
  EXPECT_FALSE(ValidateConfig(config));
  config.agent.thinking_budget = 2048;
  EXPECT_TRUE(ValidateConfig(config));
  config.agent.temperature = 0.2;  // the API refuses it with thinking
  EXPECT_FALSE(ValidateConfig(config));
  config = Config{};
  config.agent.max_retry_wait = Duration::zero();
  EXPECT_FALSE(ValidateConfig(config));
  config = Config{};
  config.agent.daily_budget_usd = -1;
  EXPECT_FALSE(ValidateConfig(config));
}

}  // namespace
}  // namespace rh
