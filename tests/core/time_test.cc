#include <gtest/gtest.h>

#include <thread>

#include "core/clock.h"
#include "core/time_format.h"

namespace rh {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(TimeFormatTest, SqlRoundTrip) {
  TimePoint t = MakeUtcTime(2026, 11, 21, 23, 5, 9);
  EXPECT_EQ(FormatSqlTime(t), "2026-11-21 23:05:09");
  EXPECT_EQ(*ParseSqlTime("2026-11-21 23:05:09"), t);
  EXPECT_EQ(*ParseSqlTime("2026-11-21 23:05:09.000000"), t);
  EXPECT_EQ(*ParseSqlTime("2026-11-21"), MakeUtcTime(2026, 11, 21));
  EXPECT_FALSE(ParseSqlTime("2026-13-01 00:00:00"));
  EXPECT_FALSE(ParseSqlTime("yesterday"));
}

TEST(TimeFormatTest, IsoWithFractionAndOffsets) {
  TimePoint t = MakeUtcTime(2024, 1, 1, 10, 0, 0);
  EXPECT_EQ(FormatIsoTime(t), "2024-01-01T10:00:00Z");
  EXPECT_EQ(*ParseIsoTime("2024-01-01T10:00:00Z"), t);
  EXPECT_EQ(std::chrono::floor<seconds>(*ParseIsoTime("2024-01-01T10:00:00.123456789Z")), t);
  EXPECT_EQ(*ParseIsoTime("2024-01-01T12:00:00+02:00"), t);
  EXPECT_EQ(*ParseIsoTime("2024-01-01T05:30:00-04:30"), t);
  EXPECT_FALSE(ParseIsoTime("2024-01-01T10:00:00 UTC"));
  EXPECT_EQ(*ParseAnyTime("2024-01-01 10:00:00"), t);
  EXPECT_EQ(*ParseAnyTime("2024-01-01T10:00:00Z"), t);
}

TEST(TimeFormatTest, FloorAndDurations) {
  TimePoint t = MakeUtcTime(2026, 11, 21, 10, 44, 3);
  EXPECT_EQ(FloorToHour(t), MakeUtcTime(2026, 11, 21, 10));
  EXPECT_EQ(FloorTo(t, minutes(15)), MakeUtcTime(2026, 11, 21, 10, 30));
  EXPECT_EQ(FormatDurationShort(hours(3) + minutes(59)), "3h59m");
  EXPECT_EQ(FormatDurationShort(seconds(45)), "45s");
  EXPECT_EQ(FormatDurationShort(hours(52)), "2d4h");
  EXPECT_EQ(FormatDurationShort(-minutes(2)), "-2m");
  EXPECT_EQ(*ParseDurationShort("1h30m"), hours(1) + minutes(30));
  EXPECT_EQ(*ParseDurationShort("2d"), hours(48));
  EXPECT_FALSE(ParseDurationShort("15"));
  EXPECT_FALSE(ParseDurationShort("5x"));
  EXPECT_FALSE(ParseDurationShort(""));
}

// The JSON-entry fuzzer sent an Alertmanager endsAt in the year 1013: converting it to the
// nanosecond clock overflowed (undefined behaviour). Years a TimePoint cannot hold are refused.
TEST(TimeFormatTest, YearsOutsideTheClockRangeAreRefused) {
  for (const char* text : {"1013-03-10T11:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                           "2263-01-01T00:00:00Z"}) {
    auto parsed = ParseIsoTime(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find("year outside"), std::string::npos) << text;
  }
  EXPECT_FALSE(ParseSqlTime("1000-01-01 00:00:00"));
  EXPECT_TRUE(ParseIsoTime("1700-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseSqlTime("2200-12-31 23:59:59"));
}

// "99999999999999h" wrapped to 22362d; a number too big for 64 bits parsed as 0.
TEST(TimeFormatTest, DurationsThatWouldOverflowAreRefused) {
  EXPECT_EQ(*ParseDurationShort("36500d"), hours(24 * 36500));
  EXPECT_EQ(*ParseDurationShort("36499d23h59m59s"), hours(24 * 36500) - seconds(1));
  for (const char* text : {"99999999999999h", "36501d", "36500d1s", "876001h",
                           "99999999999999999999s", "9223372036854775807s",
                           "36000d36000d"}) {
    auto parsed = ParseDurationShort(text);
    ASSERT_FALSE(parsed) << text << " parsed as " << FormatDurationShort(*parsed);
    EXPECT_NE(parsed.error().message.find("36500d"), std::string::npos)
        << parsed.error().ToString();
  }
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock(MakeUtcTime(2026, 1, 1));
  EXPECT_EQ(clock.Now(), MakeUtcTime(2026, 1, 1));
  clock.Advance(hours(2));
  EXPECT_EQ(clock.Now(), MakeUtcTime(2026, 1, 1, 2));
  clock.SleepFor(minutes(15));  // auto-advance
  EXPECT_EQ(clock.Now(), MakeUtcTime(2026, 1, 1, 2, 15));
}

TEST(ManualClockTest, SleepWaitsForAnotherThreadToAdvance) {
  ManualClock clock(MakeUtcTime(2026, 1, 1), /*auto_advance_on_sleep=*/false);
  std::thread sleeper([&] { clock.SleepFor(minutes(10)); });
  clock.WaitForSleepers(1);
  clock.Advance(minutes(5));
  clock.Advance(minutes(5));
  sleeper.join();
  EXPECT_EQ(clock.Now(), MakeUtcTime(2026, 1, 1, 0, 10));
}

}  // namespace
}  // namespace rh
