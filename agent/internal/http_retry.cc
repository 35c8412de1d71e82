#include "agent/internal/http_retry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/time_format.h"

namespace rh::agent::internal {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string Lower(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

// A finite decimal number filling the whole text, as Python's float() accepts it.
std::optional<double> ParseNumber(std::string_view text) {
  const std::string trimmed = Trim(text);
  if (trimmed.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() + trimmed.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool IsSpendLimit(const Json& error_body) {
  if (!error_body.is_object()) return false;
  auto error = error_body.find("error");
  if (error == error_body.end() || !error->is_object()) return false;
  auto details = error->find("details");
  if (details == error->end() || !details->is_object()) return false;
  return JsonString(*details, "error_code") == "enforced_spend_limit_reached";
}

}  // namespace

RetryDecision ShouldRetryStatus(long status, const HeaderLookup& x_should_retry,
                                const Json& error_body) {
  if (status == 429 && IsSpendLimit(error_body)) {
    return {false, "429 enforced_spend_limit_reached (monthly spend limit)"};
  }
  if (x_should_retry) {
    const std::string value = Lower(Trim(*x_should_retry));
    if (value == "true") return {true, "x-should-retry: true"};
    if (value == "false") return {false, "x-should-retry: false"};
  }
  if (status == 408 || status == 409 || status == 429 || status >= 500) {
    return {true, "status " + std::to_string(status)};
  }
  return {false, "status " + std::to_string(status) + " is not retryable"};
}

std::optional<double> ParseRetryAfter(const HeaderLookup& retry_after_ms,
                                      const HeaderLookup& retry_after, TimePoint now) {
  if (retry_after_ms) {
    if (auto millis = ParseNumber(*retry_after_ms)) return *millis / 1000.0;
  }
  if (!retry_after) return std::nullopt;
  if (auto seconds = ParseNumber(*retry_after)) return *seconds;
  if (auto date = ParseHttpDate(*retry_after)) {
    return std::chrono::duration<double>(*date - now).count();
  }
  return std::nullopt;
}

Duration RetryDelay(std::optional<double> retry_after_seconds, int retries_taken, double jitter) {
  double seconds = 0;
  if (retry_after_seconds && *retry_after_seconds > 0 &&
      *retry_after_seconds <= kMaxHonouredRetryAfterSeconds) {
    seconds = *retry_after_seconds;
  } else {
    const int exponent = std::clamp(retries_taken, 0, 1000);
    const double backoff =
        std::min(kInitialRetryDelaySeconds * std::pow(2.0, exponent), kMaxRetryDelaySeconds);
    seconds = backoff * (1.0 - 0.25 * std::clamp(jitter, 0.0, 1.0));
  }
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (the weekday is optional here).
  std::string value = Trim(text);
  if (auto comma = value.find(','); comma != std::string::npos)
    value = Trim(value.substr(comma + 1));
  static constexpr std::array<const char*, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  int day = 0;
  char month_text[4] = {};
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char zone[4] = {};
  int consumed = 0;
  if (std::sscanf(value.c_str(), "%2d %3s %4d %2d:%2d:%2d %3s%n", &day, month_text, &year, &hour,
                  &minute, &second, zone, &consumed) != 7 ||
      consumed != static_cast<int>(value.size())) {
    return std::nullopt;
  }
  if (Lower(zone) != "gmt" && Lower(zone) != "utc") return std::nullopt;
  const std::string month_lower = Lower(month_text);
  int month = 0;
  for (size_t month_idx = 0; month_idx < kMonths.size(); ++month_idx) {
    if (month_lower == kMonths[month_idx]) month = static_cast<int>(month_idx) + 1;
  }
  if (month == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return MakeUtcTime(year, month, day, hour, minute, second);
}

}  // namespace rh::agent::internal
