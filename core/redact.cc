#include "core/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace rh {
namespace {

constexpr std::string_view kMask = "****";

// Key names (lower case, compared case-insensitively, '_' and '-' ignored) whose value is secret.
constexpr std::array<std::string_view, 15> kSecretKeys = {
    "adminpassword", "password",     "passwd",       "pwd",       "accesskeysecret",
    "accesskeyid",   "securitytoken", "ststoken",    "secret",    "secretkey",
    "token",         "apikey",       "xapikey",      "authorization", "accesstoken"};

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

std::string NormalizeKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool IsSecretKey(std::string_view key) {
  std::string norm = NormalizeKey(key);
  if (norm.empty()) return false;
  for (std::string_view secret_key : kSecretKeys) {
    if (norm == secret_key) return true;
    // Suffix forms: db_password, anthropic_api_key, notify_token, admin_pwd...
    if (norm.size() > secret_key.size() && secret_key.size() >= 5 &&
        norm.compare(norm.size() - secret_key.size(), secret_key.size(), secret_key) == 0) {
      return true;
    }
  }
  return false;
}

bool IsValueChar(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != '"' && c != '\'' && c != ',' &&
         c != ';' && c != '&' && c != '}' && c != ')' && c != ']' && c != '<' && c != '>';
}

std::string MaskKeepTail(std::string_view value) {
  if (value.size() <= 8) return std::string(kMask);
  return std::string(kMask) + std::string(value.substr(value.size() - 4));
}

bool StartsWithAt(std::string_view text, size_t pos, std::string_view prefix) {
  return text.size() >= pos + prefix.size() && text.compare(pos, prefix.size(), prefix) == 0;
}

// A value that reads as a word of prose rather than a credential: lower-case letters with '-' or
// '\'' inside, perhaps a capital first letter, perhaps trailing sentence punctuation ("send",
// "no", "Expired."). Credentials have digits, inner capitals or symbols.
bool IsProseWord(std::string_view value) {
  constexpr std::string_view kSentenceEnd = ".,:;!?";
  while (!value.empty() && kSentenceEnd.find(value.back()) != std::string_view::npos) {
    value.remove_suffix(1);
  }
  for (size_t char_idx = 0; char_idx < value.size(); ++char_idx) {
    const unsigned char c = static_cast<unsigned char>(value[char_idx]);
    if (std::islower(c) || c == '-' || c == '\'') continue;
    if (std::isupper(c) && char_idx == 0) continue;
    return false;
  }
  return true;
}

// ---- the registry of secret values ----

struct SecretRegistry {
  std::shared_mutex mutex;
  std::vector<std::string> values;  // longest first, so a URL is masked before its own path
};

SecretRegistry& Registry() {
  static SecretRegistry* registry = new SecretRegistry();  // never destroyed: logs outlive main()
  return *registry;
}

void AddValue(std::string value) {
  SecretRegistry& registry = Registry();
  std::unique_lock<std::shared_mutex> lock(registry.mutex);
  if (std::find(registry.values.begin(), registry.values.end(), value) != registry.values.end()) {
    return;
  }
  registry.values.push_back(std::move(value));
  std::stable_sort(registry.values.begin(), registry.values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

// The value as it reads inside a JSON string (what a JSON log line or tool result holds).
std::string JsonEscaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Pass 0: every registered value, wherever it appears.
std::string RedactRegisteredValues(std::string_view text) {
  SecretRegistry& registry = Registry();
  std::shared_lock<std::shared_mutex> lock(registry.mutex);
  std::string out(text);
  for (const std::string& value : registry.values) {
    size_t found = out.find(value);
    if (found == std::string::npos) continue;
    const std::string mask = MaskKeepTail(value);
    std::string replaced;
    replaced.reserve(out.size());
    size_t pos = 0;
    for (; found != std::string::npos; found = out.find(value, pos)) {
      replaced.append(out, pos, found - pos);
      replaced.append(mask);
      pos = found + value.size();
    }
    replaced.append(out, pos);
    out = std::move(replaced);
  }
  return out;
}

// Where the authority of "scheme://authority/path" starts and ends; npos when text has no "://".
std::pair<size_t, size_t> Authority(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {std::string_view::npos, std::string_view::npos};
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  return {start, end};
}

// Pass 1: key <sep> value, where key names a secret. Handles JSON ("key": "value"),
// key=value, key: value, and "Authorization: Bearer value".
std::string RedactKeyValues(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsKeyChar(text[pos]) || (pos > 0 && IsKeyChar(text[pos - 1]))) {
      out.push_back(text[pos++]);
      continue;
    }
    size_t key_end = pos;
    while (key_end < text.size() && IsKeyChar(text[key_end])) ++key_end;
    std::string_view key = text.substr(pos, key_end - pos);
    out.append(key);
    pos = key_end;
    if (!IsSecretKey(key)) continue;
    // Separator: optional closing quote, spaces, ':' or '=', spaces, optional opening quote.
    size_t scan = pos;
    const bool key_quoted = scan < text.size() && (text[scan] == '"' || text[scan] == '\'');
    if (key_quoted) ++scan;
    while (scan < text.size() && text[scan] == ' ') ++scan;
    if (scan >= text.size() || (text[scan] != ':' && text[scan] != '=')) continue;
    const char separator = text[scan++];
    const size_t value_start = scan;
    while (scan < text.size() && text[scan] == ' ') ++scan;
    // "token: send ..." reads as prose, "token:abc", "token=abc" and "token: x9f..." do not.
    const bool prose_form = separator == ':' && !key_quoted && scan > value_start;
    char quote = 0;
    if (scan < text.size() && (text[scan] == '"' || text[scan] == '\'')) quote = text[scan++];
    // "Bearer <token>" / "Basic <token>": keep the scheme word.
    bool after_scheme = false;
    for (std::string_view scheme : {std::string_view("Bearer "), std::string_view("bearer "),
                                    std::string_view("Basic ")}) {
      if (StartsWithAt(text, scan, scheme)) {
        scan += scheme.size();
        after_scheme = true;
      }
    }
    size_t value_end = scan;
    if (quote) {
      while (value_end < text.size() && text[value_end] != quote) {
        value_end += (text[value_end] == '\\' && value_end + 1 < text.size()) ? 2 : 1;
      }
      value_end = std::min(value_end, text.size());
    } else {
      while (value_end < text.size() && IsValueChar(text[value_end])) ++value_end;
    }
    std::string_view value = text.substr(scan, value_end - scan);
    out.append(text.substr(pos, scan - pos));
    const bool prose = prose_form && !quote && !after_scheme && IsProseWord(value);
    if (prose || value.empty() || StartsWithAt(value, 0, kMask) || value == "null") {
      out.append(value);
    } else {
      out.append(MaskKeepTail(value));
    }
    pos = value_end;
  }
  return out;
}

// Pass 2: scheme://user:password@host -> scheme://user:****@host.
std::string RedactUrlPasswords(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t scheme = text.find("://", pos);
    if (scheme == std::string_view::npos) break;
    size_t auth_start = scheme + 3;
    size_t auth_end = auth_start;
    while (auth_end < text.size() && text[auth_end] != '@' && text[auth_end] != '/' &&
           !std::isspace(static_cast<unsigned char>(text[auth_end])) && text[auth_end] != '"') {
      ++auth_end;
    }
    out.append(text.substr(pos, auth_start - pos));
    if (auth_end < text.size() && text[auth_end] == '@') {
      std::string_view userinfo = text.substr(auth_start, auth_end - auth_start);
      size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos && userinfo.substr(colon + 1) != kMask) {
        out.append(userinfo.substr(0, colon + 1));
        out.append(kMask);
      } else {
        out.append(userinfo);
      }
      pos = auth_end;
    } else {
      pos = auth_start;
    }
  }
  out.append(text.substr(pos));
  return out;
}

// Pass 3: bare credentials recognised by their prefix.
std::string RedactByShape(std::string_view text) {
  struct Shape {
    std::string_view prefix;
    size_t min_tail;  // characters after the prefix for it to count as a credential
  };
  // Bearer is a shape only when the token after it looks like one (not "Bearer authentication").
  constexpr std::array<Shape, 17> kShapes = {{{"sk-ant-", 8},
                                              {"sk-proj-", 8},
                                              {"sk-", 20},
                                              {"AKIA", 16},
                                              {"ASIA", 16},
                                              {"LTAI", 12},
                                              {"STS.", 16},
                                              {"xoxb-", 8},
                                              {"xoxp-", 8},
                                              {"xoxa-", 8},
                                              {"xoxr-", 8},
                                              {"xoxs-", 8},
                                              {"ghp_", 20},
                                              {"gho_", 20},
                                              {"github_pat_", 20},
                                              {"Bearer ", 16},
                                              {"bearer ", 16}}};
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    bool matched = false;
    if (pos == 0 || !IsKeyChar(text[pos - 1])) {
      for (const Shape& shape : kShapes) {
        if (!StartsWithAt(text, pos, shape.prefix)) continue;
        size_t end = pos + shape.prefix.size();
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
                text[end] == '_' || text[end] == '.' || text[end] == '+' || text[end] == '/' ||
                text[end] == '=' || text[end] == '~')) {
          ++end;
        }
        std::string_view tail = text.substr(pos + shape.prefix.size(),
                                            end - pos - shape.prefix.size());
        if (tail.size() < shape.min_tail) continue;
        if (shape.prefix.ends_with(' ') && (IsProseWord(tail) || StartsWithAt(tail, 0, kMask))) {
          continue;
        }
        out.append(shape.prefix);
        out.append(MaskKeepTail(text.substr(pos + shape.prefix.size(), end - pos - shape.prefix.size())));
        pos = end;
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(text[pos++]);
  }
  return out;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  return RedactByShape(RedactUrlPasswords(RedactKeyValues(RedactRegisteredValues(text))));
}

std::string MaskSecret(std::string_view secret) { return MaskKeepTail(secret); }

bool RegisterSecretValue(std::string_view value) {
  if (value.size() < kMinRegisteredSecretChars) return false;
  AddValue(std::string(value));
  std::string escaped = JsonEscaped(value);
  if (escaped != value) AddValue(std::move(escaped));
  return true;
}

void RegisterSecretUrl(std::string_view url) {
  RegisterSecretValue(url);
  auto [start, end] = Authority(url);
  if (start == std::string_view::npos) return;
  std::string_view authority = url.substr(start, end - start);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) RegisterSecretValue(userinfo.substr(colon + 1));
  }
  std::string_view path = url.substr(end);
  RegisterSecretValue(path);
  std::string_view path_only = path.substr(0, path.find_first_of("?#"));
  size_t slash = path_only.rfind('/');
  std::string_view segment =
      slash == std::string_view::npos ? path_only : path_only.substr(slash + 1);
  if (segment.size() >= 16) RegisterSecretValue(segment);
}

void ClearRegisteredSecrets() {
  SecretRegistry& registry = Registry();
  std::unique_lock<std::shared_mutex> lock(registry.mutex);
  registry.values.clear();
}

bool UrlHasUserinfo(std::string_view url) {
  auto [start, end] = Authority(url);
  return start != std::string_view::npos &&
         url.substr(start, end - start).find('@') != std::string_view::npos;
}

std::string UrlWithoutUserinfo(std::string_view url) {
  auto [start, end] = Authority(url);
  if (start == std::string_view::npos) return std::string(url);
  size_t at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

}  // namespace rh
