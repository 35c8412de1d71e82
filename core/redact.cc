#include "core/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

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
    if (scan < text.size() && (text[scan] == '"' || text[scan] == '\'')) ++scan;
    while (scan < text.size() && text[scan] == ' ') ++scan;
    if (scan >= text.size() || (text[scan] != ':' && text[scan] != '=')) continue;
    ++scan;
    while (scan < text.size() && text[scan] == ' ') ++scan;
    char quote = 0;
    if (scan < text.size() && (text[scan] == '"' || text[scan] == '\'')) quote = text[scan++];
    // "Bearer <token>" / "Basic <token>": keep the scheme word.
    for (std::string_view scheme : {std::string_view("Bearer "), std::string_view("bearer "),
                                    std::string_view("Basic ")}) {
      if (StartsWithAt(text, scan, scheme)) scan += scheme.size();
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
    if (value.empty() || value == kMask || StartsWithAt(value, 0, kMask) || value == "null") {
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
  constexpr std::array<Shape, 7> kShapes = {{{"sk-ant-", 8},
                                             {"sk-proj-", 8},
                                             {"sk-", 20},
                                             {"LTAI", 12},
                                             {"STS.", 16},
                                             {"xoxb-", 8},
                                             {"xoxp-", 8}}};
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
                text[end] == '=')) {
          ++end;
        }
        if (end - pos - shape.prefix.size() < shape.min_tail) continue;
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
  return RedactByShape(RedactUrlPasswords(RedactKeyValues(text)));
}

std::string MaskSecret(std::string_view secret) { return MaskKeepTail(secret); }

}  // namespace rh
