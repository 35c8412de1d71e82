#include "tools/output_budget.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "core/json.h"

namespace rh::tools {
namespace {

constexpr size_t kMinStringKept = 40;
constexpr int kMaxShrinkSteps = 2000;
constexpr size_t kMaxMarkerEntries = 4;  // omitted parts named in the marker

// Cuts `text` to at most `bytes` bytes without splitting a UTF-8 sequence.
std::string Utf8Prefix(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return std::string(text);
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

struct Shrinkable {
  Json* node = nullptr;
  std::string path;
  size_t size = 0;  // serialized bytes of the node
};

struct Candidates {
  Shrinkable array;      // the largest array with more than min_items elements
  Shrinkable text;       // the longest string worth shortening
  Shrinkable container;  // the largest object or array below the root
};

void Scan(Json& node, const std::string& path, size_t min_items, Candidates& found) {
  if (node.is_array() || node.is_object()) {
    size_t size = DumpJson(node).size();
    if (!path.empty() && size > kMinStringKept && size > found.container.size) {
      found.container = Shrinkable{&node, path, size};
    }
    if (node.is_array() && node.size() > min_items && size > found.array.size) {
      found.array = Shrinkable{&node, path, size};
    }
  }
  if (node.is_array()) {
    for (size_t item_idx = 0; item_idx < node.size(); ++item_idx) {
      Scan(node[item_idx], path + "[" + std::to_string(item_idx) + "]", min_items, found);
    }
  } else if (node.is_object()) {
    for (auto item = node.begin(); item != node.end(); ++item) {
      Scan(item.value(), path.empty() ? item.key() : path + "." + item.key(), min_items, found);
    }
  } else if (node.is_string()) {
    Shrinkable& text = found.text;
    size_t size = node.get_ref<const std::string&>().size();
    if (size > kMinStringKept * 2 && size > text.size) text = Shrinkable{&node, path, size};
  }
}

std::string TextFallback(std::string_view content, size_t max_chars,
                         std::string_view how_to_narrow) {
  auto marker = [&](size_t omitted) {
    return "\n[output truncated: " + std::to_string(omitted) + " of " +
           std::to_string(content.size()) + " characters omitted (budget " +
           std::to_string(max_chars / kCharsPerToken) +
           " tokens); to narrow: " + std::string(how_to_narrow) + "]";
  };
  std::string tail = marker(content.size());
  if (tail.size() >= max_chars) return Utf8Prefix(tail.substr(1), max_chars);
  std::string kept = Utf8Prefix(content, max_chars - tail.size());
  return kept + marker(content.size() - kept.size());
}

}  // namespace

BudgetedOutput FitToBudget(std::string_view content, size_t max_chars,
                           std::string_view how_to_narrow) {
  if (content.size() <= max_chars) return {std::string(content), false};
  auto parsed = ParseJson(content, "tool output");
  if (!parsed || !parsed->is_object()) {
    return {TextFallback(content, max_chars, how_to_narrow), true};
  }
  Json doc = std::move(*parsed);
  std::map<std::string, std::pair<size_t, size_t>> dropped_items;  // path -> {original, dropped}
  std::map<std::string, size_t> cut_chars;                         // path -> characters cut
  std::map<std::string, size_t> collapsed;                         // path -> characters
  auto marker = [&]() {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [path, record] : dropped_items) {
      entries.emplace_back(
          path.empty() ? "items" : path,
          std::to_string(record.second) + " of " + std::to_string(record.first) + " items");
    }
    for (const auto& [path, chars] : cut_chars) {
      entries.emplace_back(path, std::to_string(chars) + " characters");
    }
    for (const auto& [path, chars] : collapsed) {
      entries.emplace_back(path, "all of it (" + std::to_string(chars) + " characters)");
    }
    Json omitted = Json::object();
    for (size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
      if (entry_idx == kMaxMarkerEntries && entries.size() > kMaxMarkerEntries + 1) {
        omitted["and"] = std::to_string(entries.size() - kMaxMarkerEntries) + " more parts";
        break;
      }
      omitted[entries[entry_idx].first] = entries[entry_idx].second;
    }
    return Json{{"budget_tokens", max_chars / kCharsPerToken},
                {"omitted", std::move(omitted)},
                {"how_to_narrow", std::string(how_to_narrow)}};
  };
  constexpr size_t kMemberOverhead = 22;  // ,"output_truncated":
  for (int step = 0; step < kMaxShrinkSteps; ++step) {
    size_t size = DumpJson(doc).size() + DumpJson(marker()).size() + kMemberOverhead;
    if (size <= max_chars) break;
    size_t excess = size - max_chars;
    Candidates found;
    Scan(doc, "", 1, found);
    if (found.array.node == nullptr && found.text.node == nullptr) {
      found = Candidates{};
      Scan(doc, "", 0, found);
    }
    Shrinkable& array = found.array;
    Shrinkable& text = found.text;
    if (array.node != nullptr && (text.node == nullptr || array.size >= text.size)) {
      size_t count = array.node->size();
      size_t average = std::max<size_t>(1, array.size / count);
      size_t keep_at_least = count > 1 ? 1 : 0;
      size_t drop =
          std::min(count - keep_at_least, std::max<size_t>(1, (excess + average - 1) / average));
      auto& record = dropped_items[array.path];
      if (record.first == 0) record.first = count;
      record.second += drop;
      array.node->erase(array.node->end() - static_cast<std::ptrdiff_t>(drop), array.node->end());
      continue;
    }
    if (text.node != nullptr) {
      std::string value = text.node->get_ref<const std::string&>();
      if (cut_chars.count(text.path) && value.ends_with("...")) value.resize(value.size() - 3);
      constexpr size_t kEllipsis = 3;
      size_t keep = value.size() > excess + kEllipsis + kMinStringKept
                        ? value.size() - excess - kEllipsis
                        : kMinStringKept;
      std::string shortened = Utf8Prefix(value, keep);
      cut_chars[text.path] += value.size() - shortened.size();
      *text.node = shortened + "...";
      continue;
    }
    if (found.container.node != nullptr) {  // last resort: collapse a whole member
      collapsed[found.container.path] = found.container.size;
      *found.container.node = "[omitted: " + std::to_string(found.container.size) + " characters]";
      continue;
    }
    break;
  }
  doc["output_truncated"] = marker();
  std::string result = DumpJson(doc);
  if (result.size() > max_chars) return {TextFallback(result, max_chars, how_to_narrow), true};
  return {std::move(result), true};
}

}  // namespace rh::tools
