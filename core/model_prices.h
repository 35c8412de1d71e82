// ModelPrices: what one million tokens of each kind cost for a model id, and the table of them
// that `agent.prices` configures (cost accounting and the per-investigation and daily budgets).
//
// The table's text form is one entry per model id, separated by commas or semicolons:
//   "claude-sonnet-4-5=3/15/3.75/0.30, claude-opus-4-5=5/25/6.25/0.50"
// each `model=input/output/cache_write/cache_read` in USD per million tokens. A model id is
// looked up exactly, else by the longest entry that is a prefix of it followed by '-' (so the
// pinned snapshot claude-sonnet-4-5-20250929 is priced by the claude-sonnet-4-5 entry); a model
// the table does not know is priced at agent.input_price_per_mtok / output_price_per_mtok with
// the API's multipliers (cache write 1.25x input, cache read 0.1x input).
// The tier shares of the daily budget (agent.daily_budget_tiers) are parsed here too.
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace rh {

struct ModelPrice {
  double input = 0;        // USD per million uncached input tokens
  double output = 0;       // USD per million output tokens
  double cache_write = 0;  // USD per million tokens written to the cache (5-minute TTL)
  double cache_read = 0;   // USD per million tokens read from the cache
};

// The prices agent.prices holds by default: Anthropic's list prices of the current models and
// OpenAI's of its common ones (the source and date are in model_prices.cc).
std::string_view DefaultPriceTableText();

// Parses the text form above; invalid_argument naming the entry and what is wrong.
Result<std::map<std::string, ModelPrice>> ParsePriceTable(std::string_view text);

// The price of `model` in `table` (exact id, else the longest "<entry>-" prefix), else
// `fallback`.
ModelPrice FindModelPrice(const std::map<std::string, ModelPrice>& table, std::string_view model,
                          const ModelPrice& fallback);

// Parses agent.daily_budget_tiers, "S=1,A=1,B=0.75,C=0.5": each customer tier's share (0..1) of
// the daily budget. invalid_argument naming the entry and what is wrong.
Result<std::map<std::string, double>> ParseTierShares(std::string_view text);

}  // namespace rh
