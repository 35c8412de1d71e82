#include "agent/internal/anthropic_retry.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace rh::agent::internal {
namespace {

// The value lower-cased, without surrounding white space.
std::string Normalised(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
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

RetryDecision ShouldRetryStatus(long status, const std::optional<std::string>& x_should_retry,
                                const Json& error_body) {
  if (status == 429 && IsSpendLimit(error_body)) {
    return {false, "429 enforced_spend_limit_reached (monthly spend limit)"};
  }
  if (x_should_retry) {
    const std::string value = Normalised(*x_should_retry);
    if (value == "true") return {true, "x-should-retry: true"};
    if (value == "false") return {false, "x-should-retry: false"};
  }
  if (status == 408 || status == 409 || status == 429 || status >= 500) {
    return {true, "status " + std::to_string(status)};
  }
  return {false, "status " + std::to_string(status) + " is not retryable"};
}

}  // namespace rh::agent::internal
