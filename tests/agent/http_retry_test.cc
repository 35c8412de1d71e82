// The SDK retry policy, value by value (agent/internal/http_retry.h). The expected values come
// from the official SDKs: anthropic-sdk-python tests/test_client.py::test_parse_retry_after_header
// and _base_client.py _should_retry / _calculate_retry_timeout.
#include "agent/internal/http_retry.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/time_format.h"

namespace rh::agent::internal {
namespace {

const TimePoint kNow = MakeUtcTime(2026, 11, 21, 10, 0, 0);

double Seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

// The delay the SDK computes from a retry-after header alone (retries_taken 0, no jitter).
double DelayForRetryAfter(const std::optional<std::string>& header) {
  return Seconds(RetryDelay(ParseRetryAfter(std::nullopt, header, kNow), 0, 0.0));
}

TEST(HttpRetryTest, RetryAfterTableFromThePythonSdk) {
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("20"), 20.0);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("60"), 60.0);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("61"), 0.5);  // over 60 s: ignored, backoff instead
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("0"), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("-10"), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("garbage"), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter(std::nullopt), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter(" 3 "), 3.0);
}

TEST(HttpRetryTest, RetryAfterAsHttpDateIsRelativeToTheInjectedClock) {
  EXPECT_NEAR(DelayForRetryAfter("Sat, 21 Nov 2026 10:00:20 GMT"), 20.0, 1e-9);
  EXPECT_NEAR(DelayForRetryAfter("21 Nov 2026 10:00:45 GMT"), 45.0, 1e-9);
  // In the past or more than 60 s ahead: backoff.
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("Sat, 21 Nov 2026 09:59:00 GMT"), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("Sat, 21 Nov 2026 10:05:00 GMT"), 0.5);
  EXPECT_FALSE(ParseHttpDate("Sat, 21 Foo 2026 10:00:20 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sat, 21 Nov 2026 10:00:20 PST"));
}

TEST(HttpRetryTest, RetryAfterMsWinsOverRetryAfter) {
  auto seconds = ParseRetryAfter(std::string("1500"), std::string("20"), kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, 1.5);
  // An unusable retry-after-ms falls through to retry-after.
  seconds = ParseRetryAfter(std::string("soon"), std::string("7"), kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, 7.0);
}

TEST(HttpRetryTest, BackoffDoublesFromHalfASecondAndCapsAtEight) {
  const double expected[] = {0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0};
  for (int retries_taken = 0; retries_taken < 7; ++retries_taken) {
    EXPECT_DOUBLE_EQ(Seconds(RetryDelay(std::nullopt, retries_taken, 0.0)), expected[retries_taken])
        << "retries_taken=" << retries_taken;
  }
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(std::nullopt, 5000, 0.0)), 8.0);
}

TEST(HttpRetryTest, JitterTakesOffUpToAQuarter) {
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(std::nullopt, 0, 0.5)), 0.5 * 0.875);
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(std::nullopt, 1, 0.999999)), 1.0 * (1 - 0.25 * 0.999999));
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(std::nullopt, 3, 0.0)), 4.0);
  // A server-given wait is never jittered.
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(2.0, 3, 0.9)), 2.0);
}

TEST(HttpRetryTest, WhichStatusesAreRetried) {
  const Json none;
  for (long status : {408L, 409L, 429L, 500L, 502L, 503L, 504L, 529L}) {
    EXPECT_TRUE(ShouldRetryStatus(status, std::nullopt, none).retry) << status;
  }
  for (long status : {400L, 401L, 402L, 403L, 404L, 413L, 422L}) {
    EXPECT_FALSE(ShouldRetryStatus(status, std::nullopt, none).retry) << status;
  }
}

TEST(HttpRetryTest, XShouldRetryDecidesBeforeTheStatus) {
  const Json none;
  EXPECT_FALSE(ShouldRetryStatus(529, std::string("false"), none).retry);
  EXPECT_FALSE(ShouldRetryStatus(429, std::string("FALSE"), none).retry);
  EXPECT_TRUE(ShouldRetryStatus(400, std::string("true"), none).retry);
  // Any other value is ignored, as in the SDKs.
  EXPECT_TRUE(ShouldRetryStatus(503, std::string("maybe"), none).retry);
  EXPECT_FALSE(ShouldRetryStatus(400, std::string("maybe"), none).retry);
}

TEST(HttpRetryTest, SpendLimitIsNeverRetried) {
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
}

}  // namespace
}  // namespace rh::agent::internal
