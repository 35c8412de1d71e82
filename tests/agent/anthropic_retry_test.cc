// Which error answers the Anthropic client retries (agent/internal/anthropic_retry.h), value by
// value, as the official SDKs decide (anthropic-sdk-python _base_client.py _should_retry). The
// wait before a retry is net/backoff.h's, tested in tests/net/backoff_test.cc.
#include "agent/internal/anthropic_retry.h"

#include <gtest/gtest.h>

namespace rh::agent::internal {
namespace {

TEST(AnthropicRetryTest, WhichStatusesAreRetried) {
  const Json none;
  for (long status : {408L, 409L, 429L, 500L, 502L, 503L, 504L, 529L}) {
    EXPECT_TRUE(ShouldRetryStatus(status, std::nullopt, none).retry) << status;
  }
  for (long status : {400L, 401L, 402L, 403L, 404L, 413L, 422L}) {
    EXPECT_FALSE(ShouldRetryStatus(status, std::nullopt, none).retry) << status;
  }
  EXPECT_EQ(ShouldRetryStatus(529, std::nullopt, none).reason, "status 529");
  EXPECT_EQ(ShouldRetryStatus(404, std::nullopt, none).reason, "status 404 is not retryable");
}

TEST(AnthropicRetryTest, XShouldRetryDecidesBeforeTheStatus) {
  const Json none;
  EXPECT_FALSE(ShouldRetryStatus(529, std::string("false"), none).retry);
  EXPECT_FALSE(ShouldRetryStatus(429, std::string("FALSE"), none).retry);
  EXPECT_TRUE(ShouldRetryStatus(400, std::string("true"), none).retry);
  EXPECT_TRUE(ShouldRetryStatus(400, std::string(" True "), none).retry);
  EXPECT_EQ(ShouldRetryStatus(529, std::string("false"), none).reason, "x-should-retry: false");
  // Any other value is ignored, as in the SDKs.
  EXPECT_TRUE(ShouldRetryStatus(503, std::string("maybe"), none).retry);
  EXPECT_FALSE(ShouldRetryStatus(400, std::string("maybe"), none).retry);
}

TEST(AnthropicRetryTest, SpendLimitIsNeverRetried) {
  const Json spend_limit = {{"type", "error"},
                            {"error",
                             {{"type", "rate_limit_error"},
                              {"message", "limit"},
                              {"details", {{"error_code", "enforced_spend_limit_reached"}}}}}};
  const RetryDecision decision = ShouldRetryStatus(429, std::string("true"), spend_limit);
  EXPECT_FALSE(decision.retry);
  EXPECT_NE(decision.reason.find("enforced_spend_limit_reached"), std::string::npos);
  // Another error_code on a 429 is an ordinary rate limit.
  Json other = spend_limit;
  other["error"]["details"]["error_code"] = "tokens_per_minute";
  EXPECT_TRUE(ShouldRetryStatus(429, std::nullopt, other).retry);
  // The spend-limit code on another status is not the spend limit.
  EXPECT_TRUE(ShouldRetryStatus(503, std::nullopt, spend_limit).retry);
}

}  // namespace
}  // namespace rh::agent::internal
