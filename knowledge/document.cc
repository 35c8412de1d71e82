#include "knowledge/document.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/ids.h"
#include "core/json.h"
#include "knowledge/internal/text.h"

namespace rh::knowledge {
namespace {

namespace fs = std::filesystem;
using internal::Trim;

struct Section {
  std::vector<std::string> path;  // heading path
  std::string text;
};

// Heading level of a Markdown ATX heading line ("## Title" -> 2), or 0.
int HeadingLevel(std::string_view line, std::string* title) {
  size_t level = 0;
  while (level < line.size() && line[level] == '#') ++level;
  if (level == 0 || level > 6 || level >= line.size() || line[level] != ' ') return 0;
  std::string_view rest = Trim(line.substr(level));
  while (!rest.empty() && rest.back() == '#') rest.remove_suffix(1);
  *title = std::string(Trim(rest));
  return title->empty() ? 0 : static_cast<int>(level);
}

std::vector<Section> SplitSections(const Document& document) {
  std::vector<Section> sections;
  std::vector<std::pair<int, std::string>> stack;  // (level, title)
  Section current;
  auto flush = [&] {
    if (!Trim(current.text).empty()) sections.push_back(current);
    current.text.clear();
  };
  bool in_fence = false;
  std::istringstream input(document.text);
  std::string line;
  while (std::getline(input, line)) {
    std::string_view trimmed = Trim(line);
    if (document.markdown && (trimmed.starts_with("```") || trimmed.starts_with("~~~"))) {
      in_fence = !in_fence;
    }
    std::string heading;
    int level = document.markdown && !in_fence ? HeadingLevel(line, &heading) : 0;
    if (level > 0) {
      flush();
      while (!stack.empty() && stack.back().first >= level) stack.pop_back();
      stack.emplace_back(level, heading);
      current.path.clear();
      for (const auto& entry : stack) current.path.push_back(entry.second);
      continue;
    }
    current.text += line;
    current.text += '\n';
  }
  flush();
  return sections;
}

std::string JoinPath(const std::string& document_title, const std::vector<std::string>& path) {
  std::vector<std::string> parts;
  if (!document_title.empty()) parts.push_back(document_title);
  for (const std::string& part : path) {
    if (parts.empty() || parts.back() != part) parts.push_back(part);
  }
  // A document whose title is its first heading: "Disk full > Disk full > Free space" reads
  // better as "Disk full > Free space" (handled above by skipping repeats).
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += " > ";
    out += part;
  }
  return out;
}

// Splits text into pieces of about kTargetWords words (overlap kOverlapWords), cutting at
// paragraph ends when one falls in the second half of a piece.
std::vector<std::string> SplitWords(const std::string& text) {
  std::vector<std::string_view> words = internal::SplitWhitespace(text);
  if (static_cast<int>(words.size()) <= kMaxWords) return {std::string(Trim(text))};
  // Paragraph boundaries: word indexes that start a paragraph.
  std::vector<bool> paragraph_start(words.size(), false);
  for (size_t word_idx = 1; word_idx < words.size(); ++word_idx) {
    const char* previous_end = words[word_idx - 1].data() + words[word_idx - 1].size();
    std::string_view gap(previous_end, words[word_idx].data() - previous_end);
    if (std::count(gap.begin(), gap.end(), '\n') >= 2) paragraph_start[word_idx] = true;
  }
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start < words.size()) {
    size_t end = std::min(words.size(), start + kTargetWords);
    if (words.size() - start <= static_cast<size_t>(kMaxWords)) end = words.size();
    if (end < words.size()) {
      for (size_t cut = end; cut > start + kTargetWords / 2; --cut) {
        if (paragraph_start[cut]) {
          end = cut;
          break;
        }
      }
    }
    const char* begin_ptr = words[start].data();
    const char* end_ptr = words[end - 1].data() + words[end - 1].size();
    pieces.emplace_back(begin_ptr, end_ptr - begin_ptr);
    if (end >= words.size()) break;
    start = end > start + kOverlapWords ? end - kOverlapWords : end;
  }
  return pieces;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return NotFound(path.string(), "cannot read the file");
  std::ostringstream buffer;
  buffer << input.rdbuf();
  return buffer.str();
}

std::string FirstHeading(std::string_view text) {
  std::istringstream input{std::string(text)};
  std::string line;
  while (std::getline(input, line)) {
    std::string title;
    if (HeadingLevel(line, &title) > 0) return title;
  }
  return "";
}

Status ValidateMetadata(const Document& document, const std::string& where) {
  if (!IsKnownKind(document.kind)) {
    return InvalidArgument(where, "unknown kind '" + document.kind +
                                      "'; use oncall_log, known_bug, guideline, resolution or doc");
  }
  auto ranges = VersionRanges(document.kind, document.version);
  if (!ranges) return Fail(ranges.error().WithContext(where));
  return {};
}

std::string JoinStrings(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string JsonText(const Json& row, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (row.contains(key)) {
      const Json& value = row[key];
      if (value.is_string()) return value.get<std::string>();
      if (value.is_number_integer()) return std::to_string(value.get<long long>());
    }
  }
  return "";
}

Result<std::vector<Document>> LoadJsonl(const fs::path& path, const std::string& content) {
  struct Pending {
    Document document;
    std::vector<std::string> versions;
  };
  std::vector<Pending> pending;
  std::map<std::string, size_t> by_merge_key;
  std::istringstream input(content);
  std::string line;
  size_t line_number = 0;
  const std::string file = path.string();
  while (std::getline(input, line)) {
    ++line_number;
    if (Trim(line).empty()) continue;
    std::string where = file + ":" + std::to_string(line_number);
    auto parsed = ParseJson(line, where);
    if (!parsed) return Fail(parsed.error());
    const Json& row = *parsed;
    if (!row.is_object()) return InvalidArgument(where, "each JSONL line must be a JSON object");
    std::string text = JsonText(row, {"text", "body", "content"});
    if (Trim(text).empty()) {
      return InvalidArgument(where,
                             "row has no text (expected a \"text\", \"body\" or "
                             "\"content\" string)");
    }
    Document document;
    document.markdown = true;
    document.text = text;
    document.title = JsonText(row, {"title"});
    document.kind = JsonText(row, {"kind"});
    std::string section = JsonText(row, {"section"});
    std::string version = JsonText(row, {"version"});
    if (document.kind.empty()) {
      std::string lower_section = internal::AsciiLower(section);
      document.kind = lower_section.find("bug fix") != std::string::npos ? "known_bug" : "doc";
    }
    std::vector<std::string> prs;
    if (row.contains("prs") && row["prs"].is_array()) {
      for (const Json& pr : row["prs"]) {
        if (pr.is_string()) prs.push_back(pr.get<std::string>());
        if (pr.is_number_integer()) prs.push_back(std::to_string(pr.get<long long>()));
      }
      std::sort(prs.begin(), prs.end());
    }
    std::string row_source = JsonText(row, {"source", "url"});
    std::string row_id = JsonText(row, {"id", "_id"});
    if (document.title.empty()) {
      if (document.kind == "known_bug") {
        std::string first_sentence = text.substr(0, std::min<size_t>(text.find('.'), 100));
        document.title = "Known bug: " + std::string(Trim(first_sentence));
      } else if (!section.empty() && !version.empty()) {
        document.title = "StarRocks " + version + " " + section;
      }
    }
    // The same fix listed under several versions: one document listing every fixing version.
    std::string merge_key;
    if (document.kind == "known_bug") {
      merge_key =
          prs.empty() ? "text-" + Sha256Hex(text).substr(0, 16) : "pr-" + JoinStrings(prs, "-");
    } else if (!row_id.empty()) {
      merge_key = row_id;
    } else {
      merge_key = "line-" + std::to_string(line_number);
    }
    auto existing = by_merge_key.find(merge_key);
    if (existing != by_merge_key.end()) {
      Pending& target = pending[existing->second];
      if (!version.empty() && std::find(target.versions.begin(), target.versions.end(), version) ==
                                  target.versions.end()) {
        target.versions.push_back(version);
      }
      continue;
    }
    document.key = file + "#" + merge_key;
    document.source = row_source.empty() ? file : row_source;
    if (!prs.empty()) {
      std::vector<std::string> labelled;
      for (const std::string& pr : prs) labelled.push_back("#" + pr);
      document.source += " (PR " + JoinStrings(labelled, ", ") + ")";
    }
    Pending entry{std::move(document), {}};
    if (!version.empty()) entry.versions.push_back(version);
    by_merge_key.emplace(merge_key, pending.size());
    pending.push_back(std::move(entry));
  }
  std::vector<Document> documents;
  documents.reserve(pending.size());
  for (Pending& entry : pending) {
    if (entry.document.kind == "known_bug") {
      entry.document.version = JoinStrings(entry.versions, ",");
    } else {
      entry.document.version = entry.versions.empty() ? "" : entry.versions.front();
    }
    documents.push_back(std::move(entry.document));
  }
  return documents;
}

bool IsIngestible(const fs::path& path) {
  std::string extension = internal::AsciiLower(path.extension().string());
  return extension == ".md" || extension == ".markdown" || extension == ".txt" ||
         extension == ".jsonl";
}

Result<std::vector<Document>> LoadFile(const fs::path& path) {
  RH_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  std::string extension = internal::AsciiLower(path.extension().string());
  if (extension == ".jsonl") return LoadJsonl(path, content);
  Document document;
  document.key = path.string();
  document.markdown = extension != ".txt";
  FrontMatter front_matter;
  std::string_view body =
      document.markdown ? SplitFrontMatter(content, &front_matter) : std::string_view(content);
  document.text = std::string(body);
  document.kind = front_matter.kind.empty() ? "doc" : front_matter.kind;
  document.version = front_matter.version;
  document.source = front_matter.source.empty() ? document.key : front_matter.source;
  document.title = front_matter.title;
  if (document.title.empty() && document.markdown) document.title = FirstHeading(body);
  if (document.title.empty()) document.title = path.stem().string();
  return std::vector<Document>{std::move(document)};
}

}  // namespace

bool IsKnownKind(std::string_view kind) {
  for (const char* known : kKnownKinds) {
    if (kind == known) return true;
  }
  return false;
}

std::vector<Chunk> ChunkDocument(const Document& document) {
  std::vector<Chunk> chunks;
  for (const Section& section : SplitSections(document)) {
    std::string title = JoinPath(document.title, section.path);
    for (std::string& piece : SplitWords(section.text)) {
      if (Trim(piece).empty()) continue;
      chunks.push_back(Chunk{title, std::move(piece)});
    }
  }
  if (chunks.empty() && !Trim(document.title).empty() && !Trim(document.text).empty()) {
    chunks.push_back(Chunk{document.title, std::string(Trim(document.text))});
  }
  return chunks;
}

std::string DocumentHash(const Document& document) {
  std::string material = document.kind + '\x1f' + document.version + '\x1f' + document.source +
                         '\x1f' + document.title + '\x1f' + (document.markdown ? "md" : "txt") +
                         '\x1f' + document.text;
  return Sha256Hex(material);
}

std::string_view SplitFrontMatter(std::string_view text, FrontMatter* front_matter) {
  if (!text.starts_with("---\n") && !text.starts_with("---\r\n")) return text;
  size_t body_start = text.find('\n') + 1;
  size_t end = text.find("\n---", body_start - 1);
  if (end == std::string_view::npos) return text;
  std::string_view block = text.substr(body_start, end + 1 - body_start);
  size_t after = text.find('\n', end + 4);
  std::string_view body =
      after == std::string_view::npos ? std::string_view() : text.substr(after + 1);
  size_t pos = 0;
  while (pos < block.size()) {
    size_t line_end = block.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = block.size();
    std::string_view line = block.substr(pos, line_end - pos);
    pos = line_end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = internal::AsciiLower(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "kind") front_matter->kind = value;
    if (key == "version") front_matter->version = value;
    if (key == "title") front_matter->title = value;
    if (key == "source") front_matter->source = value;
  }
  return body;
}

Result<std::vector<Document>> LoadDocuments(const std::string& path_text, const std::string& kind,
                                            const std::string& version) {
  fs::path path(path_text);
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound(path_text, "no such file or directory");
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file() && IsIngestible(it->path())) files.push_back(it->path());
    }
    if (ec) return InvalidArgument(path_text, "cannot list the directory: " + ec.message());
    std::sort(files.begin(), files.end());
  } else {
    if (!IsIngestible(path)) {
      return InvalidArgument(path_text,
                             "unsupported file type; ingest .md, .markdown, .txt or .jsonl files");
    }
    files.push_back(path);
  }
  std::vector<Document> documents;
  for (const fs::path& file : files) {
    RH_ASSIGN_OR_RETURN(std::vector<Document> loaded, LoadFile(file));
    for (Document& document : loaded) {
      if (!kind.empty()) document.kind = kind;
      if (!version.empty()) document.version = version;
      RH_RETURN_IF_ERROR(ValidateMetadata(document, document.key));
      documents.push_back(std::move(document));
    }
  }
  return documents;
}

std::optional<int64_t> EncodeVersion(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  int64_t parts[3] = {0, 0, 0};
  int part_count = 0;
  size_t pos = 0;
  while (part_count < 3) {
    size_t start = pos;
    int64_t value = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      value = value * 10 + (text[pos] - '0');
      if (value > 999) return std::nullopt;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    parts[part_count++] = value;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      continue;
    }
    break;
  }
  if (part_count < 2) return std::nullopt;
  // A suffix such as "-rc01" is ignored; anything else after the numbers is an error.
  if (pos < text.size() && text[pos] != '-' && text[pos] != '+') return std::nullopt;
  return parts[0] * 1'000'000 + parts[1] * 1'000 + parts[2];
}

Result<std::vector<VersionRange>> VersionRanges(std::string_view kind, std::string_view version) {
  std::vector<VersionRange> ranges;
  version = Trim(version);
  if (version.empty()) return ranges;
  auto bad = [&] {
    return InvalidArgument(std::string(version),
                           "is not a version: use 3.2.1, 3.2, 3.1.0-3.2.2, 3.2+ or >=3.2.0 "
                           "(known bugs: the fixing versions, comma-separated)");
  };
  auto count_parts = [](std::string_view text) {
    return 1 + std::count(text.begin(), text.end(), '.');
  };
  if (kind == "known_bug") {
    size_t pos = 0;
    while (pos <= version.size()) {
      size_t comma = version.find(',', pos);
      if (comma == std::string_view::npos) comma = version.size();
      std::string_view item = Trim(version.substr(pos, comma - pos));
      pos = comma + 1;
      if (item.empty()) continue;
      auto fixed = EncodeVersion(item);
      if (!fixed) return bad();
      int64_t line_start = *fixed / 1000 * 1000;
      if (*fixed > line_start) ranges.push_back({line_start, *fixed - 1});
    }
    return ranges;
  }
  if (version.starts_with(">=")) {
    auto low = EncodeVersion(version.substr(2));
    if (!low) return bad();
    ranges.push_back({*low, 999'999'999});
    return ranges;
  }
  if (version.back() == '+') {
    auto low = EncodeVersion(version.substr(0, version.size() - 1));
    if (!low) return bad();
    ranges.push_back({*low, 999'999'999});
    return ranges;
  }
  size_t dash = version.find('-');
  if (dash != std::string_view::npos && dash + 1 < version.size() &&
      std::isdigit(static_cast<unsigned char>(Trim(version.substr(dash + 1)).front()))) {
    auto low = EncodeVersion(version.substr(0, dash));
    std::string_view high_text = Trim(version.substr(dash + 1));
    auto high = EncodeVersion(high_text);
    if (!low || !high || *high < *low) return bad();
    if (count_parts(high_text) == 2) *high += 999;
    ranges.push_back({*low, *high});
    return ranges;
  }
  auto exact = EncodeVersion(version);
  if (!exact) return bad();
  if (count_parts(version) == 2) {
    ranges.push_back({*exact, *exact + 999});
  } else {
    ranges.push_back({*exact, *exact});
  }
  return ranges;
}

}  // namespace rh::knowledge
