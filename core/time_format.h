// Time formats used at Rockhound's edges. Inside, time is a rh::TimePoint (UTC); it becomes
// text only when it crosses into SQL, JSON or a person's terminal.
//
//  - SQL:  "YYYY-MM-DD HH:MM:SS" (UTC, no zone). Valid as a DATETIME literal in SQLite,
//          MariaDB/MySQL and StarRocks, and sorts correctly as text in SQLite.
//  - ISO:  RFC 3339, "YYYY-MM-DDTHH:MM:SSZ" on output; on input also fractional seconds and
//          "+HH:MM" offsets (Alertmanager sends "2024-01-01T10:00:00.123456789Z").
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace rh {

std::string FormatSqlTime(TimePoint t);
Result<TimePoint> ParseSqlTime(std::string_view text);
std::string FormatIsoTime(TimePoint t);
Result<TimePoint> ParseIsoTime(std::string_view text);
// Accepts either format (what a DATETIME column or an API parameter may hold).
Result<TimePoint> ParseAnyTime(std::string_view text);

TimePoint FloorToHour(TimePoint t);
TimePoint FloorTo(TimePoint t, Duration step);
// A calendar time in UTC, e.g. MakeUtcTime(2026, 11, 21, 10) for 2026-11-21 10:00:00Z.
TimePoint MakeUtcTime(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

// "3h59m", "45s", "2d4h": a short human duration (negative durations get a leading '-').
std::string FormatDurationShort(Duration d);
// The longest duration ParseDurationShort accepts: 100 years. Longer ones overflow (the clock
// counts nanoseconds in 64 bits, about 292 years either side of 1970) once added to a time.
inline constexpr Duration kMaxParsedDuration = std::chrono::days(36500);

// Parses "15m", "4h", "90s", "1h30m", "2d" into a duration; invalid_argument for anything else,
// including a total over kMaxParsedDuration ("99999999999999h" is refused, not wrapped).
Result<Duration> ParseDurationShort(std::string_view text);

}  // namespace rh
