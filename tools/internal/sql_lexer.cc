#include "tools/internal/sql_lexer.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace rh::tools::internal {
namespace {

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string At(size_t offset) { return "byte " + std::to_string(offset); }

class Lexer {
 public:
  Lexer(std::string_view sql, LexDialect dialect) : sql_(sql), dialect_(dialect) {}

  Result<std::vector<SqlToken>> Run() {
    std::vector<SqlToken> tokens;
    while (pos_ < sql_.size()) {
      const auto c = static_cast<unsigned char>(sql_[pos_]);
      if (IsSpace(c)) {
        ++pos_;
        continue;
      }
      if (c < 0x20 || c == 0x7f) {
        char code[8];
        std::snprintf(code, sizeof(code), "0x%02x", c);
        return InvalidArgument(
            "sql", std::string("control character ") + code + " at " + At(pos_) + "; remove it");
      }
      if (c == '-' && Peek(1) == '-') {
        if (dialect_ != LexDialect::kMysql || DashDashStartsComment()) {
          RH_RETURN_IF_ERROR(SkipToEndOfLine());
          continue;
        }
      }
      if (c == '#' && dialect_ != LexDialect::kSqlite) {
        RH_RETURN_IF_ERROR(SkipToEndOfLine());
        continue;
      }
      if (c == '/' && Peek(1) == '*') {
        RH_ASSIGN_OR_RETURN(bool is_hint, SkipBlockComment(tokens));
        (void)is_hint;
        continue;
      }
      if (c == '\'' || c == '"') {
        RH_ASSIGN_OR_RETURN(SqlToken token, ReadQuoted(static_cast<char>(c), SqlTokenKind::kString,
                                                       dialect_ == LexDialect::kMysql));
        tokens.push_back(std::move(token));
        continue;
      }
      if (c == '`') {
        RH_ASSIGN_OR_RETURN(SqlToken token, ReadQuoted('`', SqlTokenKind::kQuotedIdent, false));
        tokens.push_back(std::move(token));
        continue;
      }
      if (c == '[' && dialect_ != LexDialect::kMysql) {
        size_t end = sql_.find(']', pos_ + 1);
        if (end == std::string_view::npos) {
          return InvalidArgument("sql", "unterminated [identifier] starting at " + At(pos_));
        }
        tokens.push_back(SqlToken{SqlTokenKind::kQuotedIdent, pos_, end + 1 - pos_,
                                  std::string(sql_.substr(pos_ + 1, end - pos_ - 1))});
        pos_ = end + 1;
        continue;
      }
      if (IsWordByte(c)) {
        size_t start = pos_;
        while (pos_ < sql_.size() && IsWordByte(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
        tokens.push_back(SqlToken{SqlTokenKind::kWord, start, pos_ - start,
                                  Upper(sql_.substr(start, pos_ - start))});
        continue;
      }
      tokens.push_back(SqlToken{SqlTokenKind::kPunct, pos_, 1, std::string(1, sql_[pos_])});
      ++pos_;
    }
    return tokens;
  }

 private:
  char Peek(size_t ahead) const { return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0'; }

  // MySQL: "--" is a comment only when followed by whitespace, a control character or the end.
  bool DashDashStartsComment() const {
    if (pos_ + 2 >= sql_.size()) return true;
    const auto next = static_cast<unsigned char>(sql_[pos_ + 2]);
    return next <= 0x20 || next == 0x7f;
  }

  // A line comment ends at '\n' on every server we know; a lone '\r' inside one is refused so
  // that no server treating it as a line end could see text the guard skipped.
  Status SkipToEndOfLine() {
    size_t end = sql_.find('\n', pos_);
    end = end == std::string_view::npos ? sql_.size() : end;
    size_t carriage = sql_.find('\r', pos_);
    while (carriage != std::string_view::npos && carriage < end) {
      if (carriage + 1 != end) {
        return InvalidArgument("sql", "carriage return inside a line comment at " + At(carriage) +
                                          "; end comments with a newline");
      }
      carriage = sql_.find('\r', carriage + 1);
    }
    pos_ = end == sql_.size() ? end : end + 1;
    return {};
  }

  // Skips /* ... */; an optimizer hint /*+ ... */ becomes a kHint token. Returns whether it
  // was a hint.
  Result<bool> SkipBlockComment(std::vector<SqlToken>& tokens) {
    size_t start = pos_;
    size_t end = sql_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) {
      return InvalidArgument("sql", "unterminated /* comment starting at " + At(start) +
                                        "; close it with */ or remove it");
    }
    std::string_view body = sql_.substr(start + 2, end - start - 2);
    if (dialect_ == LexDialect::kMysql &&
        (body.starts_with("!") || body.starts_with("M!") || body.starts_with("m!"))) {
      return PermissionDenied("sql", "executable comment /*! ... */ at " + At(start) +
                                         ": MySQL/MariaDB run the SQL inside it; write the SQL "
                                         "plainly instead");
    }
    pos_ = end + 2;
    if (body.starts_with("+")) {
      tokens.push_back(
          SqlToken{SqlTokenKind::kHint, start, pos_ - start, std::string(body.substr(1))});
      return true;
    }
    return false;
  }

  Result<SqlToken> ReadQuoted(char quote, SqlTokenKind kind, bool backslash_escapes) {
    size_t start = pos_;
    std::string value;
    size_t cursor = pos_ + 1;
    while (cursor < sql_.size()) {
      char c = sql_[cursor];
      if (backslash_escapes && c == '\\') {
        if (cursor + 1 < sql_.size()) value.push_back(sql_[cursor + 1]);
        cursor += 2;
        continue;
      }
      if (c == quote) {
        if (cursor + 1 < sql_.size() && sql_[cursor + 1] == quote) {  // doubled quote
          value.push_back(quote);
          cursor += 2;
          continue;
        }
        pos_ = cursor + 1;
        return SqlToken{kind, start, pos_ - start, std::move(value)};
      }
      value.push_back(c);
      ++cursor;
    }
    std::string what = kind == SqlTokenKind::kQuotedIdent ? "quoted identifier" : "string literal";
    return InvalidArgument("sql", "unterminated " + what + " starting at " + At(start) + " (" +
                                      std::string(1, quote) + " is never closed)");
  }

  std::string_view sql_;
  LexDialect dialect_;
  size_t pos_ = 0;
};

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    int extra = 0;
    uint32_t code_point = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
      extra = 1;
      code_point = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      extra = 2;
      code_point = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      extra = 3;
      code_point = lead & 0x07;
    } else {
      return pos;  // continuation byte, overlong 2-byte lead (c0/c1) or > f4
    }
    if (pos + extra >= text.size()) return pos;  // truncated sequence
    for (int byte_idx = 1; byte_idx <= extra; ++byte_idx) {
      const auto next = static_cast<unsigned char>(text[pos + byte_idx]);
      if ((next & 0xc0) != 0x80) return pos;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    if ((extra == 2 && code_point < 0x800) || (extra == 3 && code_point < 0x10000) ||
        (code_point >= 0xd800 && code_point <= 0xdfff) || code_point > 0x10ffff) {
      return pos;
    }
    pos += extra + 1;
  }
  return std::string_view::npos;
}

Result<std::vector<SqlToken>> LexSql(std::string_view sql, LexDialect dialect) {
  size_t invalid = FindInvalidUtf8(sql);
  if (invalid != std::string_view::npos) {
    return InvalidArgument(
        "sql", "not valid UTF-8 at " + At(invalid) + "; send the statement as UTF-8 text");
  }
  return Lexer(sql, dialect).Run();
}

}  // namespace rh::tools::internal
