// The retry timing (net/backoff.h), value by value. The default policy's expected values come
// from the official Anthropic SDK: anthropic-sdk-python tests/test_client.py
// ::test_parse_retry_after_header and _base_client.py _calculate_retry_timeout.
#include "net/backoff.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/time_format.h"

namespace rh::net {
namespace {

const TimePoint kNow = MakeUtcTime(2026, 11, 21, 10, 0, 0);

double Seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

// The delay the default policy computes from a retry-after header alone (no retry taken yet,
// no jitter).
double DelayForRetryAfter(const std::optional<std::string>& header,
                          const BackoffPolicy& policy = BackoffPolicy()) {
  return Seconds(RetryDelay(policy, ParseRetryAfter(std::nullopt, header, kNow), 0, 0.0));
}

TEST(BackoffTest, RetryAfterTableFromThePythonSdk) {
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

TEST(BackoffTest, TheLongestHonouredServerWaitIsAParameter) {
  BackoffPolicy patient;
  patient.max_server_wait = std::chrono::minutes(5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("61", patient), 61.0);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("300", patient), 300.0);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("301", patient), 0.5);
  // A server wait is not capped by the backoff's own max.
  patient.max = std::chrono::seconds(1);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("120", patient), 120.0);
}

TEST(BackoffTest, RetryAfterAsAnHttpDateIsRelativeToTheInjectedNow) {
  EXPECT_NEAR(DelayForRetryAfter("Sat, 21 Nov 2026 10:00:20 GMT"), 20.0, 1e-9);
  EXPECT_NEAR(DelayForRetryAfter("21 Nov 2026 10:00:45 GMT"), 45.0, 1e-9);
  auto seconds = ParseRetryAfter(std::nullopt, std::string("Sat, 21 Nov 2026 09:59:00 GMT"), kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, -60.0);
  // In the past or beyond the 60 s maximum: backoff.
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("Sat, 21 Nov 2026 09:59:00 GMT"), 0.5);
  EXPECT_DOUBLE_EQ(DelayForRetryAfter("Sat, 21 Nov 2026 10:05:00 GMT"), 0.5);
}

TEST(BackoffTest, HttpDatesAreReadByCurlGetdateInEveryHttpForm) {
  const TimePoint expected = MakeUtcTime(2026, 11, 21, 10, 0, 20);
  EXPECT_EQ(ParseHttpDate("Sat, 21 Nov 2026 10:00:20 GMT"), expected);      // RFC 1123
  EXPECT_EQ(ParseHttpDate("Saturday, 21-Nov-26 10:00:20 GMT"), expected);   // RFC 850
  EXPECT_EQ(ParseHttpDate("Sat Nov 21 10:00:20 2026"), expected);           // asctime
  EXPECT_EQ(ParseHttpDate("  Sat, 21 Nov 2026 10:00:20 GMT  "), expected);  // trimmed
  // A zone other than GMT is applied, not ignored.
  EXPECT_EQ(ParseHttpDate("Sat, 21 Nov 2026 02:00:20 PST"), expected);
  EXPECT_EQ(ParseHttpDate("Sat, 21 Nov 2026 11:00:20 +0100"), expected);
  EXPECT_FALSE(ParseHttpDate("Sat, 21 Foo 2026 10:00:20 GMT"));
  EXPECT_FALSE(ParseHttpDate("soon"));
  EXPECT_FALSE(ParseHttpDate(""));
  EXPECT_FALSE(ParseHttpDate("20"));  // a number is a delay, never a day of the month
}

TEST(BackoffTest, RetryAfterMsWinsOverRetryAfter) {
  auto seconds = ParseRetryAfter(std::string("1500"), std::string("20"), kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, 1.5);
  // An unusable retry-after-ms falls through to retry-after.
  seconds = ParseRetryAfter(std::string("soon"), std::string("7"), kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, 7.0);
  seconds = ParseRetryAfter(std::string("250"), std::nullopt, kNow);
  ASSERT_TRUE(seconds);
  EXPECT_DOUBLE_EQ(*seconds, 0.25);
  EXPECT_FALSE(ParseRetryAfter(std::string("soon"), std::nullopt, kNow));
  EXPECT_FALSE(ParseRetryAfter(std::nullopt, std::nullopt, kNow));
}

TEST(BackoffTest, DefaultBackoffDoublesFromHalfASecondAndCapsAtEight) {
  const double expected[] = {0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0};
  for (int retries_taken = 0; retries_taken < 7; ++retries_taken) {
    EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(BackoffPolicy(), retries_taken, 0.0)),
                     expected[retries_taken])
        << "retries_taken=" << retries_taken;
  }
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(BackoffPolicy(), 5000, 0.0)), 8.0);
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(BackoffPolicy(), -3, 0.0)), 0.5);
}

TEST(BackoffTest, InitialMaxAndMultiplierAreParameters) {
  BackoffPolicy policy;
  policy.initial = std::chrono::seconds(1);
  policy.max = std::chrono::seconds(30);
  policy.multiplier = 3.0;
  const double expected[] = {1.0, 3.0, 9.0, 27.0, 30.0};
  for (int retries_taken = 0; retries_taken < 5; ++retries_taken) {
    EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, retries_taken, 0.0)), expected[retries_taken])
        << "retries_taken=" << retries_taken;
  }
  // A huge max is no cap at all (and nothing overflows).
  policy.max = Duration::max();
  policy.multiplier = 2.0;
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 9, 0.0)), 512.0);
  EXPECT_GT(BackoffDelay(policy, 1000, 0.0), std::chrono::hours(24 * 365));
  // A multiplier below 1 would shrink the wait: treated as 1 (a constant backoff).
  policy.multiplier = 0.5;
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 4, 0.0)), 1.0);
}

TEST(BackoffTest, JitterTakesOffUpToItsFraction) {
  const BackoffPolicy policy;
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 0, 0.5)), 0.5 * 0.875);
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 1, 0.999999)), 1.0 * (1 - 0.25 * 0.999999));
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 3, 0.0)), 4.0);
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(policy, 0, 7.0)), 0.5 * 0.75);  // clamped to 1
  BackoffPolicy steady = policy;
  steady.jitter_fraction = 0.0;
  EXPECT_DOUBLE_EQ(Seconds(BackoffDelay(steady, 2, 0.9)), 2.0);
  // A server-given wait is never jittered.
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(policy, 2.0, 3, 0.9)), 2.0);
  EXPECT_DOUBLE_EQ(Seconds(RetryDelay(policy, std::nullopt, 3, 0.5)), 4.0 * 0.875);
}

}  // namespace
}  // namespace rh::net
