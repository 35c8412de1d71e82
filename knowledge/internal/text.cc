#include "knowledge/internal/text.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_set>

namespace rh::knowledge::internal {

bool IsStopWord(std::string_view lower_word) {
  static const std::unordered_set<std::string_view> kStopWords = {
      "a",       "about",  "above",   "after",   "again",     "against", "all",     "also",
      "am",      "an",     "and",     "any",     "are",       "as",      "at",      "be",
      "because", "been",   "before",  "being",   "below",     "between", "both",    "but",
      "by",      "can",    "could",   "did",     "do",        "does",    "doing",   "down",
      "during",  "each",   "few",     "for",     "from",      "further", "had",     "has",
      "have",    "having", "he",      "her",     "here",      "hers",    "him",     "his",
      "how",     "i",      "if",      "in",      "into",      "is",      "it",      "its",
      "itself",  "just",   "may",     "me",      "might",     "more",    "most",    "must",
      "my",      "no",     "nor",     "not",     "now",       "of",      "off",     "on",
      "once",    "only",   "or",      "other",   "our",       "ours",    "out",     "over",
      "own",     "same",   "she",     "should",  "so",        "some",    "such",    "than",
      "that",    "the",    "their",   "theirs",  "them",      "then",    "there",   "these",
      "they",    "this",   "those",   "through", "to",        "too",     "under",   "until",
      "up",      "us",     "very",    "was",     "we",        "were",    "what",    "when",
      "where",   "which",  "while",   "who",     "whom",      "why",     "will",    "with",
      "would",   "you",    "your",    "yours",   "via",       "within",  "without", "using",
      "used",    "use",    "however", "thus",    "therefore", "whether", "either",  "neither",
  };
  return kStopWords.count(lower_word) > 0;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& character : out) {
    if (character >= 'A' && character <= 'Z') character = static_cast<char>(character - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  size_t end = text.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::vector<std::string_view> SplitWhitespace(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos > start) out.push_back(text.substr(start, pos - start));
  }
  return out;
}

size_t CountWords(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char character : text) {
    bool space = std::isspace(static_cast<unsigned char>(character));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

uint64_t FastHash64(const void* data, size_t size, uint64_t seed) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  const auto* bytes = static_cast<const unsigned char*>(data);
  uint64_t hash = seed ^ (size * 0xff51afd7ed558ccdULL);
  size_t offset = 0;
  for (; offset + 8 <= size; offset += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + offset, 8);
    hash = (hash ^ word) * kPrime;
    hash ^= hash >> 29;
  }
  for (; offset < size; ++offset) hash = (hash ^ bytes[offset]) * kPrime;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return hash;
}

}  // namespace rh::knowledge::internal
