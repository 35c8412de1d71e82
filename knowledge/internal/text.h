// Small text helpers shared by the knowledge module's implementation files.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rh::knowledge::internal {

// True for English function words that carry no topic ("the", "of", "is", ...).
bool IsStopWord(std::string_view lower_word);

// Lower-cases ASCII letters (other bytes unchanged).
std::string AsciiLower(std::string_view text);

// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view text);

// Splits on ASCII whitespace.
std::vector<std::string_view> SplitWhitespace(std::string_view text);

// Number of whitespace-separated words.
size_t CountWords(std::string_view text);

// A 64-bit FNV-1a-style hash over 8-byte words (fast; for corruption checks, not security).
uint64_t FastHash64(const void* data, size_t size, uint64_t seed = 0x9e3779b97f4a7c15ULL);

}  // namespace rh::knowledge::internal
