#include "core/model_prices.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace rh {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string_view DefaultPriceTableText() {
  return "claude-opus-4-5=5/25/6.25/0.50, claude-opus-4-1=15/75/18.75/1.50, "
         "claude-opus-4=15/75/18.75/1.50, claude-sonnet-4-5=3/15/3.75/0.30, "
         "claude-sonnet-4=3/15/3.75/0.30, claude-haiku-4-5=1/5/1.25/0.10, "
         "claude-3-5-haiku=0.80/4/1/0.08, "
         // OpenAI's standard-tier list prices (platform.openai.com/docs/pricing, checked
         // 2025-11): no cache-write premium (written = input price), cached input as listed.
         "gpt-5=1.25/10/1.25/0.125, gpt-5-mini=0.25/2/0.25/0.025, gpt-5-nano=0.05/0.40/0.05/0.005, "
         "gpt-4.1=2/8/2/0.50, gpt-4.1-mini=0.40/1.60/0.40/0.10, gpt-4.1-nano=0.10/0.40/0.10/0.025, "
         "gpt-4o=2.50/10/2.50/1.25, gpt-4o-mini=0.15/0.60/0.15/0.075, o3=2/8/2/0.50, "
         "o4-mini=1.10/4.40/1.10/0.275";
}

Result<std::map<std::string, ModelPrice>> ParsePriceTable(std::string_view text) {
  std::map<std::string, ModelPrice> table;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",;", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = Trim(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    const size_t equals = entry.find('=');
    const std::string model(Trim(entry.substr(0, equals)));
    if (equals == std::string_view::npos || model.empty()) {
      return InvalidArgument("agent.prices", "'" + std::string(entry) +
                                                 "' is not model=input/output/cache_write/"
                                                 "cache_read (USD per million tokens)");
    }
    std::vector<double> values;
    std::string_view rest = entry.substr(equals + 1);
    while (true) {
      const size_t slash = rest.find('/');
      auto value = ParseNumber(rest.substr(0, slash));
      if (!value) {
        return InvalidArgument("agent.prices", "'" + std::string(entry) +
                                                   "': prices must be numbers >= 0 (USD per "
                                                   "million tokens)");
      }
      values.push_back(*value);
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    if (values.size() != 4) {
      return InvalidArgument("agent.prices", "'" + std::string(entry) +
                                                 "': need four prices input/output/cache_write/"
                                                 "cache_read, got " +
                                                 std::to_string(values.size()));
    }
    table[model] = ModelPrice{values[0], values[1], values[2], values[3]};
  }
  return table;
}

Result<std::map<std::string, double>> ParseTierShares(std::string_view text) {
  std::map<std::string, double> shares;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",;", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = Trim(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    const size_t equals = entry.find('=');
    const std::string tier(Trim(entry.substr(0, equals)));
    std::optional<double> share;
    if (equals != std::string_view::npos) share = ParseNumber(entry.substr(equals + 1));
    if (tier.empty() || !share || *share > 1.0) {
      return InvalidArgument("agent.daily_budget_tiers",
                             "'" + std::string(entry) +
                                 "' is not tier=share with a share between 0 and 1 (e.g. "
                                 "\"S=1,A=1,B=0.75,C=0.5\")");
    }
    shares[tier] = *share;
  }
  return shares;
}

ModelPrice FindModelPrice(const std::map<std::string, ModelPrice>& table, std::string_view model,
                          const ModelPrice& fallback) {
  if (auto exact = table.find(std::string(model)); exact != table.end()) return exact->second;
  const ModelPrice* best = nullptr;
  size_t best_length = 0;
  for (const auto& [id, price] : table) {
    if (model.size() > id.size() && model.starts_with(id) && model[id.size()] == '-' &&
        id.size() > best_length) {
      best = &price;
      best_length = id.size();
    }
  }
  return best ? *best : fallback;
}

}  // namespace rh
