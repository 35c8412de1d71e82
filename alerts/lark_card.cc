#include "alerts/lark_card.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "core/json.h"

namespace rh::alerts {
namespace {

constexpr size_t kMaxFieldChars = 4000;  // a longer value is cut with "..."

// ---- text normalisation -----------------------------------------------------------------

// Decodes one UTF-8 code point at text[pos]; advances pos. Invalid bytes decode as U+FFFD.
char32_t NextCodePoint(std::string_view text, size_t& pos) {
  const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(pos);
  int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                                     : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || pos + length > text.size()) {
    ++pos;
    return 0xFFFD;
  }
  char32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (int i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      ++pos;
      return 0xFFFD;
    }
    code = (code << 6) | (byte(pos + i) & 0x3F);
  }
  pos += length;
  return code;
}

bool IsCjk(char32_t code) {
  return (code >= 0x4E00 && code <= 0x9FFF) || (code >= 0x3400 && code <= 0x4DBF);
}

// A key or keyword as compared: ASCII letters and digits lower-cased, CJK ideographs kept,
// everything else (spaces, markdown, punctuation, full-width colons, emoji) dropped.
std::string Normalize(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t code = NextCodePoint(text, pos);
    if (code < 0x80) {
      const char c = static_cast<char>(code);
      if (c >= 'A' && c <= 'Z') {
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.push_back(c);
      }
    } else if (IsCjk(code)) {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

// Removes lark_md decoration from a value: HTML-like tags (<font color=red>, </font>, <at ...>),
// bold/italic/code markers at either end, surrounding blanks.
std::string CleanValue(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() &&
        (std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/')) {
      const size_t close = text.find('>', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  std::string_view view = Trim(out);
  const auto marker = [](char c) { return c == '*' || c == '_' || c == '`' || c == '~'; };
  while (!view.empty() && marker(view.front())) view.remove_prefix(1);
  while (!view.empty() && marker(view.back())) view.remove_suffix(1);
  return TruncateUtf8(std::string(Trim(view)), kMaxFieldChars);
}

// The position of the first ':' or full-width '：' (U+FF1A) in `line`, and its length.
std::optional<std::pair<size_t, size_t>> FindColon(std::string_view line) {
  const size_t ascii = line.find(':');
  const size_t wide = line.find("\xEF\xBC\x9A");
  if (ascii == std::string_view::npos && wide == std::string_view::npos) return std::nullopt;
  if (wide == std::string_view::npos || (ascii != std::string_view::npos && ascii < wide)) {
    return std::make_pair(ascii, size_t{1});
  }
  return std::make_pair(wide, size_t{3});
}

// ---- the vocabulary ---------------------------------------------------------------------

enum class Field {
  kClusterName,
  kRegion,
  kAccountName,
  kClusterId,
  kStatus,
  kAlertName,
  kDetail,
  kSeverity,
  kDashboard,
  kSilence,
};
constexpr size_t kFieldCount = 10;

constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "cluster_name", "region",       "account_name", "cluster_id",    "alert_status",
    "alert_name",   "alert_detail", "severity",     "dashboard_url", "silence_url"};

const std::map<std::string, Field>& KeyIndex() {
  static const std::map<std::string, Field> index = [] {
    std::map<std::string, Field> out;
    for (const LarkCardKey& key : LarkCardKeys()) {
      Field field = Field::kClusterName;
      for (size_t i = 0; i < kFieldCount; ++i) {
        if (key.field == kFieldNames[i]) field = static_cast<Field>(i);
      }
      for (const std::string& spelling : key.spellings) out.emplace(Normalize(spelling), field);
    }
    return out;
  }();
  return index;
}

std::optional<Field> KeyOf(std::string_view text) {
  const std::string normalized = Normalize(text);
  if (normalized.empty()) return std::nullopt;
  auto it = KeyIndex().find(normalized);
  if (it == KeyIndex().end()) return std::nullopt;
  return it->second;
}

bool IsUrlField(Field field) { return field == Field::kDashboard || field == Field::kSilence; }

bool ContainsAny(const std::string& normalized, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* word) {
    return normalized.find(Normalize(word)) != std::string::npos;
  });
}

// Firing / Resolved from a status value or a title; nullopt when it names neither or both.
std::optional<LarkAlertStatus> StatusOf(std::string_view text) {
  const std::string normalized = Normalize(text);
  const bool resolved = normalized == "ok" ||
                        ContainsAny(normalized, {"resolved", "recovered", "已恢复", "恢复",
                                                 "已解决", "解除"});
  const bool firing = ContainsAny(normalized, {"firing", "alerting", "problem", "告警中", "触发",
                                               "未恢复"});
  if (resolved == firing) return std::nullopt;
  return firing ? LarkAlertStatus::kFiring : LarkAlertStatus::kResolved;
}

// Which URL field a link's label names, if any.
std::optional<Field> LinkFieldOf(std::string_view label) {
  const std::string normalized = Normalize(label);
  if (ContainsAny(normalized, {"silence", "mute", "静默", "屏蔽"})) return Field::kSilence;
  if (ContainsAny(normalized, {"dashboard", "grafana", "看板", "图表", "监控大盘"})) {
    return Field::kDashboard;
  }
  return std::nullopt;
}

// ---- flattening the card into text blocks, links and breaks -------------------------------

struct Piece {
  enum class Kind { kText, kLink, kBreak };
  Kind kind = Kind::kText;
  std::string text;  // kText: the block; kLink: the label
  std::string url;   // kLink
};

std::string TextOf(const Json& node) {
  if (node.is_string()) return node.get<std::string>();
  if (!node.is_object()) return "";
  std::string content = JsonString(node, "content");
  if (content.empty()) content = JsonString(node, "text");
  return content;
}

std::string UrlOf(const Json& node) {
  std::string url = JsonString(node, "url");
  if (url.empty() && node.contains("multi_url") && node["multi_url"].is_object()) {
    url = JsonString(node["multi_url"], "url");
    if (url.empty()) url = JsonString(node["multi_url"], "pc_url");
  }
  if (url.empty() && node.contains("behaviors") && node["behaviors"].is_array()) {
    for (const Json& behavior : node["behaviors"]) {
      if (!behavior.is_object()) continue;
      url = JsonString(behavior, "default_url");
      if (url.empty()) url = JsonString(behavior, "pc_url");
      if (!url.empty()) break;
    }
  }
  if (url.empty()) url = JsonString(node, "href");
  return url;
}

void Flatten(const Json& element, std::vector<Piece>& out, int depth);

void FlattenAll(const Json& elements, std::vector<Piece>& out, int depth) {
  if (!elements.is_array()) return;
  for (const Json& element : elements) Flatten(element, out, depth + 1);
}

void Flatten(const Json& element, std::vector<Piece>& out, int depth) {
  if (depth > 16) return;
  if (element.is_array()) {
    // Rendered form: one row of inline runs. Text runs join into one line; links follow it.
    std::string line;
    std::vector<Piece> links;
    for (const Json& run : element) {
      if (!run.is_object()) continue;
      const std::string tag = JsonString(run, "tag");
      const std::string href = JsonString(run, "href");
      if (tag == "a" || !href.empty()) {
        links.push_back({Piece::Kind::kLink, JsonString(run, "text"), href});
      } else if (tag == "hr") {
        out.push_back({Piece::Kind::kBreak, "", ""});
      } else {
        line += JsonString(run, "text");
      }
    }
    if (!line.empty()) out.push_back({Piece::Kind::kText, line, ""});
    for (Piece& link : links) out.push_back(std::move(link));
    return;
  }
  if (!element.is_object()) return;
  const std::string tag = JsonString(element, "tag");
  if (tag == "hr" || tag == "divider") {
    out.push_back({Piece::Kind::kBreak, "", ""});
    return;
  }
  if (tag == "button") {
    out.push_back({Piece::Kind::kLink, TextOf(element.value("text", Json())), UrlOf(element)});
    return;
  }
  if (tag == "overflow" || tag == "select_static") {
    if (element.contains("options") && element["options"].is_array()) {
      for (const Json& option : element["options"]) {
        if (!option.is_object()) continue;
        const std::string url = UrlOf(option);
        if (!url.empty()) {
          out.push_back({Piece::Kind::kLink, TextOf(option.value("text", Json())), url});
        }
      }
    }
    return;
  }
  if (tag == "markdown" || tag == "lark_md" || tag == "plain_text") {
    out.push_back({Piece::Kind::kText, TextOf(element), ""});
    return;
  }
  if (element.contains("text")) {
    const std::string text = TextOf(element["text"]);
    if (!text.empty()) out.push_back({Piece::Kind::kText, text, ""});
  }
  if (element.contains("fields") && element["fields"].is_array()) {
    for (const Json& field : element["fields"]) {
      if (field.is_object() && field.contains("text")) {
        out.push_back({Piece::Kind::kText, TextOf(field["text"]), ""});
      }
    }
  }
  if (element.contains("extra")) Flatten(element["extra"], out, depth + 1);
  for (const char* child : {"elements", "actions", "columns"}) {
    if (element.contains(child)) FlattenAll(element[child], out, depth);
  }
}

// ---- building sections --------------------------------------------------------------------

struct Partial {
  std::array<std::string, kFieldCount> values;
  bool any = false;
  std::string& operator[](Field field) { return values[static_cast<size_t>(field)]; }
};

class SectionBuilder {
 public:
  void Break() { close_pending_ = true; }

  void Set(Field field, std::string value) {
    if (value.empty()) return;
    if (close_pending_ && Current().any) sections_.emplace_back();
    close_pending_ = false;
    if (!Current()[field].empty() && !IsUrlField(field)) sections_.emplace_back();
    if (IsUrlField(field) && !Current()[field].empty()) return;  // first link of a kind wins
    Current()[field] = std::move(value);
    Current().any = true;
    last_field_ = field;
  }

  // A line that names no key: continues the detail when the detail was the last field set.
  void Continue(std::string_view line) {
    if (last_field_ != Field::kDetail || close_pending_ || sections_.empty()) return;
    std::string& detail = Current()[Field::kDetail];
    std::string more = CleanValue(line);
    if (more.empty() || detail.size() + more.size() > kMaxFieldChars) return;
    detail += "\n" + more;
  }

  void FieldEnded() { last_field_.reset(); }

  std::vector<Partial>& sections() {
    if (!sections_.empty() && !sections_.back().any) sections_.pop_back();
    return sections_;
  }

 private:
  Partial& Current() {
    if (sections_.empty()) sections_.emplace_back();
    return sections_.back();
  }

  std::vector<Partial> sections_;
  bool close_pending_ = false;
  std::optional<Field> last_field_;
};

// Markdown links "[label](url)" in `line`: returns the line with each link replaced by its
// label, and the links found; `bare` gets the line without the links.
std::string ExtractLinks(std::string_view line, std::vector<Piece>* links, std::string* bare) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '[') {
      const size_t label_end = line.find("](", i);
      const size_t url_end =
          label_end == std::string_view::npos ? label_end : line.find(')', label_end + 2);
      if (url_end != std::string_view::npos) {
        std::string label(line.substr(i + 1, label_end - i - 1));
        links->push_back({Piece::Kind::kLink, label,
                          std::string(Trim(line.substr(label_end + 2, url_end - label_end - 2)))});
        out += label;
        i = url_end + 1;
        continue;
      }
    }
    out.push_back(line[i]);
    bare->push_back(line[i]);
    ++i;
  }
  return out;
}

void AddLink(SectionBuilder& builder, const Piece& link, std::optional<Field> wanted) {
  if (link.url.empty()) return;
  std::optional<Field> field = wanted ? wanted : LinkFieldOf(link.text);
  if (field) builder.Set(*field, link.url);
}

void ReadText(SectionBuilder& builder, std::string_view block, std::optional<Field>& pending) {
  size_t start = 0;
  while (start <= block.size()) {
    size_t end = block.find('\n', start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view raw = Trim(block.substr(start, end - start));
    start = end + 1;
    if (raw.empty()) continue;
    std::vector<Piece> links;
    std::string bare;
    const std::string line = ExtractLinks(raw, &links, &bare);
    std::optional<Field> key;
    std::string value;
    if (auto colon = FindColon(line)) {
      key = KeyOf(std::string_view(line).substr(0, colon->first));
      if (key) value = CleanValue(std::string_view(line).substr(colon->first + colon->second));
    } else {
      key = KeyOf(line);  // a field's key line ("**Cluster Name**"), its value on the next line
    }
    if (key) {
      pending.reset();
      if (IsUrlField(*key)) {
        if (!links.empty()) {
          AddLink(builder, links.front(), key);
          links.erase(links.begin());
        } else if (value.starts_with("http://") || value.starts_with("https://")) {
          builder.Set(*key, value);
        } else {
          pending = key;
        }
      } else if (value.empty()) {
        pending = key;
      } else {
        builder.Set(*key, value);
      }
    } else if (pending) {
      const Field field = *pending;
      pending.reset();
      if (IsUrlField(field)) {
        if (!links.empty()) {
          AddLink(builder, links.front(), field);
          links.erase(links.begin());
        } else if (line.find("://") != std::string::npos) {
          builder.Set(field, CleanValue(line));
        }
      } else {
        builder.Set(field, CleanValue(line));
      }
    } else if (!Trim(bare).empty()) {
      builder.Continue(bare);
    }
    for (const Piece& link : links) AddLink(builder, link, std::nullopt);
  }
}

// The card object inside `root`: the card itself, `card` (a bot webhook body), or the string
// `json_card` (raw_card_content), which is parsed again.
Result<Json> CardOf(const Json& root) {
  if (root.contains("card") && root["card"].is_object()) return root["card"];
  if (root.contains("json_card") && root["json_card"].is_string()) {
    return ParseJson(root["json_card"].get<std::string>(), "json_card");
  }
  return root;
}

std::string TitleOf(const Json& card) {
  if (card.contains("header") && card["header"].is_object()) {
    const Json& header = card["header"];
    if (header.contains("title")) return TextOf(header["title"]);
  }
  if (card.contains("title") && card["title"].is_string()) return card["title"].get<std::string>();
  return "";
}

}  // namespace

std::string TruncateUtf8(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

std::string_view LarkAlertStatusName(LarkAlertStatus status) {
  return status == LarkAlertStatus::kFiring ? "Firing" : "Resolved";
}

const std::vector<LarkCardKey>& LarkCardKeys() {
  static const std::vector<LarkCardKey> keys = {
      {"cluster_name", {"Cluster Name", "cluster_name", "Cluster", "集群名称", "集群名", "集群"}},
      {"region", {"Region", "地域", "区域"}},
      {"account_name",
       {"Account Name", "account_name", "Account", "Customer", "账号", "账号名称", "账户",
        "账户名称", "客户", "客户名称"}},
      {"cluster_id", {"Cluster ID", "cluster_id", "集群ID", "集群 ID"}},
      {"alert_status", {"Alert Status", "alert_status", "Status", "State", "告警状态", "状态"}},
      {"alert_name", {"Alert Name", "alert_name", "Alert", "Alertname", "告警名称", "告警名"}},
      {"alert_detail",
       {"Alert Detail", "alert_detail", "Detail", "Details", "Description", "Summary", "告警详情",
        "详情", "告警内容", "描述"}},
      {"severity", {"Severity", "Level", "告警等级", "告警级别", "级别", "等级"}},
      {"dashboard_url", {"Dashboard", "dashboard_url", "Dashboard URL", "看板", "监控看板"}},
      {"silence_url", {"Silence", "silence_url", "Silence URL", "静默", "静默链接"}},
  };
  return keys;
}

Result<ParsedLarkCard> ParseLarkAlertCard(std::string_view content) {
  if (Trim(content).empty()) return InvalidArgument("card", "content is empty");
  RH_ASSIGN_OR_RETURN(Json root, ParseJson(content, "card content"));
  if (!root.is_object()) return InvalidArgument("card", "content is not a JSON object");
  RH_ASSIGN_OR_RETURN(Json card, CardOf(root));
  if (!card.is_object()) return InvalidArgument("card", "json_card is not a JSON object");

  ParsedLarkCard parsed;
  parsed.title = TitleOf(card);
  const Json* elements = nullptr;
  if (card.contains("elements")) {
    elements = &card["elements"];
  } else if (card.contains("body") && card["body"].is_object() &&
             card["body"].contains("elements")) {
    elements = &card["body"]["elements"];
  }
  if (elements == nullptr || !elements->is_array()) {
    return InvalidArgument("card", "has no elements (neither `elements` nor `body.elements`): "
                                   "not an interactive card");
  }
  std::vector<Piece> pieces;
  FlattenAll(*elements, pieces, 0);

  SectionBuilder builder;
  std::optional<Field> pending;
  for (const Piece& piece : pieces) {
    switch (piece.kind) {
      case Piece::Kind::kBreak:
        pending.reset();
        builder.FieldEnded();
        builder.Break();
        break;
      case Piece::Kind::kLink:
        AddLink(builder, piece,
                pending && IsUrlField(*pending) ? pending : std::optional<Field>());
        pending.reset();
        break;
      case Piece::Kind::kText:
        ReadText(builder, piece.text, pending);
        break;
    }
  }

  const std::optional<LarkAlertStatus> title_status = StatusOf(parsed.title);
  std::vector<Partial>& partials = builder.sections();
  for (size_t index = 0; index < partials.size(); ++index) {
    Partial& partial = partials[index];
    const std::string where = "section " + std::to_string(index + 1) + " of " +
                              std::to_string(partials.size());
    std::vector<std::string> missing;
    if (partial[Field::kAlertName].empty()) missing.push_back("alert name");
    if (partial[Field::kClusterId].empty() && partial[Field::kClusterName].empty()) {
      missing.push_back("cluster id or cluster name");
    }
    std::optional<LarkAlertStatus> status;
    if (!partial[Field::kStatus].empty()) {
      status = StatusOf(partial[Field::kStatus]);
      if (!status) {
        parsed.problems.push_back(where + ": status '" + partial[Field::kStatus] +
                                  "' is neither Firing nor Resolved");
        continue;
      }
    } else {
      status = title_status;
      if (!status) missing.push_back("status (Firing/Resolved)");
    }
    if (!missing.empty()) {
      std::string text;
      for (const std::string& item : missing) text += (text.empty() ? "" : ", ") + item;
      parsed.problems.push_back(where + ": no " + text);
      continue;
    }
    LarkAlertSection section;
    section.cluster_name = partial[Field::kClusterName];
    section.region = partial[Field::kRegion];
    section.account_name = partial[Field::kAccountName];
    section.cluster_id = partial[Field::kClusterId];
    section.status = *status;
    section.alert_name = partial[Field::kAlertName];
    section.alert_detail = partial[Field::kDetail];
    section.severity = partial[Field::kSeverity];
    std::transform(section.severity.begin(), section.severity.end(), section.severity.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    section.dashboard_url = partial[Field::kDashboard];
    section.silence_url = partial[Field::kSilence];
    parsed.sections.push_back(std::move(section));
  }
  if (parsed.sections.empty()) {
    if (partials.empty()) {
      return InvalidArgument("card", "holds no alert section: no line of the form 'Alert Name: "
                                     "...' / '告警名称：...' (docs/lark.md lists the keys)");
    }
    std::string text;
    for (const std::string& problem : parsed.problems) text += (text.empty() ? "" : "; ") + problem;
    return InvalidArgument("card", "no complete alert section: " + text);
  }
  return parsed;
}

}  // namespace rh::alerts
