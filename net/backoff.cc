#include "net/backoff.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace rh::net {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
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

double Seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

// Seconds as a Duration: <= 0 (or NaN) is zero; beyond half of Duration's range (146 years) is
// Duration::max(), so the conversion cannot overflow.
Duration FromSeconds(double seconds) {
  if (!(seconds > 0)) return Duration::zero();
  if (seconds >= Seconds(Duration::max()) / 2) return Duration::max();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

std::optional<double> ParseRetryAfter(const std::optional<std::string>& retry_after_ms,
                                      const std::optional<std::string>& retry_after,
                                      TimePoint now) {
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

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  const std::string value = Trim(text);
  // A bare number is a delay, not a date (curl_getdate would read "20" as a day of the month).
  if (value.empty() || ParseNumber(value)) return std::nullopt;
  const time_t seconds = curl_getdate(value.c_str(), nullptr);
  if (seconds == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

Duration BackoffDelay(const BackoffPolicy& policy, int retries_taken, double jitter) {
  const double multiplier = std::max(1.0, policy.multiplier);
  // 2^1000 is far past any max; the clamp only keeps pow finite.
  const int exponent = std::clamp(retries_taken, 0, 1000);
  const double initial = std::max(0.0, Seconds(policy.initial));
  double backoff = initial * std::pow(multiplier, exponent);
  if (!std::isfinite(backoff) || backoff > Seconds(policy.max)) backoff = Seconds(policy.max);
  backoff = std::max(0.0, backoff);
  const double fraction = std::clamp(policy.jitter_fraction, 0.0, 1.0);
  return FromSeconds(backoff * (1.0 - fraction * std::clamp(jitter, 0.0, 1.0)));
}

Duration RetryDelay(const BackoffPolicy& policy, std::optional<double> server_wait_seconds,
                    int retries_taken, double jitter) {
  if (server_wait_seconds && *server_wait_seconds > 0 &&
      *server_wait_seconds <= Seconds(policy.max_server_wait)) {
    return FromSeconds(*server_wait_seconds);
  }
  return BackoffDelay(policy, retries_taken, jitter);
}

}  // namespace rh::net
