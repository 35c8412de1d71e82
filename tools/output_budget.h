// Output budget: the hard cap on what one tool call may put in front of a model.
//
// A result larger than the budget is cut, and the cut is always announced: a model must never
// mistake a partial answer for the whole one. JSON objects stay valid JSON: the tail elements of
// the largest arrays are dropped first (tools order arrays most important first), then the
// longest strings are shortened, and as a last resort whole members are collapsed into
// "[omitted: N characters]"; an "output_truncated" member is added (at most 4 parts named):
//   "output_truncated": {"budget_tokens": 2000,
//                        "omitted": {"alerts": "12 of 20 items", "recent[0].detail": "...chars"},
//                        "how_to_narrow": "<the tool's own advice>"}
// Anything else (plain text) is cut at a UTF-8 boundary and ends with one line
//   "[output truncated: N of M characters omitted (budget T tokens); to narrow: ...]".
// The result is at most max_chars bytes. Budgets are counted at 4 characters per token.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rh::tools {

inline constexpr size_t kCharsPerToken = 4;

struct BudgetedOutput {
  std::string content;
  bool truncated = false;
};

BudgetedOutput FitToBudget(std::string_view content, size_t max_chars,
                           std::string_view how_to_narrow);

}  // namespace rh::tools
