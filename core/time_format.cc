#include "core/time_format.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace rh {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int kMinYear = 1700;
constexpr int kMaxYear = 2200;

struct CivilTime {
  int year, month, day, hour, minute, second;
};

CivilTime ToCivil(TimePoint t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto day_point = std::chrono::floor<days>(secs);
  std::chrono::year_month_day ymd{day_point};
  auto rest = secs - day_point;
  auto h = std::chrono::duration_cast<hours>(rest);
  rest -= h;
  auto m = std::chrono::duration_cast<minutes>(rest);
  rest -= m;
  return CivilTime{int(ymd.year()), int(unsigned(ymd.month())), int(unsigned(ymd.day())),
                   int(h.count()), int(m.count()), int(rest.count())};
}

bool ReadInt(std::string_view text, size_t pos, size_t len, int* out) {
  if (pos + len > text.size()) return false;
  for (size_t char_idx = pos; char_idx < pos + len; ++char_idx) {
    if (!std::isdigit(static_cast<unsigned char>(text[char_idx]))) return false;
  }
  auto res = std::from_chars(text.data() + pos, text.data() + pos + len, *out);
  return res.ec == std::errc();
}

Result<TimePoint> FromCivil(const CivilTime& c, std::string_view original) {
  std::chrono::year_month_day ymd{std::chrono::year(c.year), std::chrono::month(c.month),
                                  std::chrono::day(c.day)};
  if (!ymd.ok() || c.hour > 23 || c.minute > 59 || c.second > 60) {
    return InvalidArgument(std::string(original), "not a valid calendar date and time");
  }
  // A TimePoint counts nanoseconds in 64 bits (1677..2262): further years would overflow.
  if (c.year < kMinYear || c.year > kMaxYear) {
    return InvalidArgument(std::string(original), "year outside " + std::to_string(kMinYear) +
                                                      ".." + std::to_string(kMaxYear));
  }
  return TimePoint(std::chrono::sys_days(ymd)) + hours(c.hour) + minutes(c.minute) +
         seconds(c.second);
}

// Parses "YYYY-MM-DD?HH:MM:SS" where ? is ' ' or 'T'; returns the position after the seconds.
Result<TimePoint> ParseDateTimePrefix(std::string_view text, size_t* end) {
  CivilTime c{};
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
      text[13] != ':' || text[16] != ':' || !ReadInt(text, 0, 4, &c.year) ||
      !ReadInt(text, 5, 2, &c.month) || !ReadInt(text, 8, 2, &c.day) ||
      !ReadInt(text, 11, 2, &c.hour) || !ReadInt(text, 14, 2, &c.minute) ||
      !ReadInt(text, 17, 2, &c.second)) {
    return InvalidArgument(std::string(text.substr(0, 64)),
                           "expected a time like 2026-11-21 10:00:00 or 2026-11-21T10:00:00Z");
  }
  *end = 19;
  return FromCivil(c, text);
}

}  // namespace

std::string FormatSqlTime(TimePoint t) {
  CivilTime c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string FormatIsoTime(TimePoint t) {
  CivilTime c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

Result<TimePoint> ParseSqlTime(std::string_view text) {
  if (text.size() == 10) {  // a DATE: midnight
    std::string with_time = std::string(text) + " 00:00:00";
    return ParseSqlTime(with_time);
  }
  size_t end = 0;
  RH_ASSIGN_OR_RETURN(TimePoint t, ParseDateTimePrefix(text, &end));
  // MySQL may return fractional seconds ("....SS.000000"): accept and drop them.
  if (end < text.size() && text[end] == '.') {
    ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  }
  if (end != text.size()) {
    return InvalidArgument(std::string(text.substr(0, 64)), "unexpected characters after the time");
  }
  return t;
}

Result<TimePoint> ParseIsoTime(std::string_view text) {
  size_t pos = 0;
  RH_ASSIGN_OR_RETURN(TimePoint t, ParseDateTimePrefix(text, &pos));
  if (pos < text.size() && text[pos] == '.') {
    size_t digits_start = ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string frac(text.substr(digits_start, std::min<size_t>(pos - digits_start, 9)));
    while (frac.size() < 9) frac.push_back('0');
    t += std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(std::stoll(frac)));
  }
  if (pos == text.size()) return t;  // no zone: UTC
  char zone = text[pos];
  if ((zone == 'Z' || zone == 'z') && pos + 1 == text.size()) return t;
  if ((zone == '+' || zone == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (ReadInt(text, pos + 1, 2, &oh) && ReadInt(text, pos + 4, 2, &om)) {
      auto offset = hours(oh) + minutes(om);
      return zone == '+' ? t - offset : t + offset;
    }
  }
  return InvalidArgument(std::string(text.substr(0, 64)),
                         "bad time zone; expected 'Z' or '+HH:MM' after the time");
}

Result<TimePoint> ParseAnyTime(std::string_view text) {
  if (text.size() > 19 || (text.size() == 19 && text[10] == 'T')) return ParseIsoTime(text);
  return ParseSqlTime(text);
}

TimePoint FloorToHour(TimePoint t) { return std::chrono::floor<hours>(t); }

TimePoint FloorTo(TimePoint t, Duration step) {
  if (step <= Duration::zero()) return t;
  auto since = t.time_since_epoch();
  return TimePoint(since - (since % step));
}

TimePoint MakeUtcTime(int year, int month, int day, int hour, int minute, int second) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  return TimePoint(std::chrono::sys_days(ymd)) + hours(hour) + minutes(minute) + seconds(second);
}

std::string FormatDurationShort(Duration d) {
  std::string out;
  if (d < Duration::zero()) {
    out = "-";
    d = -d;
  }
  auto total = std::chrono::duration_cast<seconds>(d).count();
  long long day_count = total / 86400, hour_count = (total % 86400) / 3600,
            minute_count = (total % 3600) / 60, second_count = total % 60;
  if (day_count) out += std::to_string(day_count) + "d";
  if (hour_count) out += std::to_string(hour_count) + "h";
  if (minute_count) out += std::to_string(minute_count) + "m";
  if (second_count || out.empty() || out == "-") out += std::to_string(second_count) + "s";
  return out;
}

Result<Duration> ParseDurationShort(std::string_view text) {
  if (text.empty()) return InvalidArgument("duration", "is empty; use e.g. 15m, 4h, 90s, 1h30m");
  // Counted in seconds and bounded at every step, so no product or sum can overflow.
  constexpr long long kMaxSeconds = std::chrono::duration_cast<seconds>(kMaxParsedDuration).count();
  const auto too_long = [&] {
    return InvalidArgument(std::string(text), "is longer than 36500d (100 years)");
  };
  long long total_seconds = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start || pos == text.size()) {
      return InvalidArgument(std::string(text), "not a duration; use e.g. 15m, 4h, 90s, 1h30m, 2d");
    }
    long long value = 0;
    auto parsed = std::from_chars(text.data() + start, text.data() + pos, value);
    if (parsed.ec != std::errc()) return too_long();
    long long unit_seconds = 0;
    switch (text[pos++]) {
      case 'd': unit_seconds = 86400; break;
      case 'h': unit_seconds = 3600; break;
      case 'm': unit_seconds = 60; break;
      case 's': unit_seconds = 1; break;
      default:
        return InvalidArgument(std::string(text), "unknown unit; use d, h, m or s (e.g. 1h30m)");
    }
    if (value > (kMaxSeconds - total_seconds) / unit_seconds) return too_long();
    total_seconds += value * unit_seconds;
  }
  return Duration(seconds(total_seconds));
}

}  // namespace rh
