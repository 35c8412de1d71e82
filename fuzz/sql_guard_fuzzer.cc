// Fuzzes the SQL guard and its lexers with arbitrary bytes, for both dialects. Besides "no crash,
// no sanitizer report", it checks the guard's promises on every statement it accepts: the text
// to run is valid UTF-8 without control characters, lexes to the same tokens under the two
// readings the guard compares for that dialect, holds no statement separator, starts with an
// allowed keyword, names no denied table or schema catalog, calls only allow-listed functions,
// has no '#' for SQLite, and passes the guard again unchanged (the guard is idempotent on its
// own output).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/internal/sql_allow_lists.h"
#include "tools/internal/sql_lexer.h"
#include "tools/sql_guard.h"

namespace {

using rh::tools::SqlDialect;
using rh::tools::internal::LexDialect;
using rh::tools::internal::SqlTokenKind;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

rh::tools::SqlGuardOptions Options(SqlDialect dialect) {
  rh::tools::SqlGuardOptions guard;
  guard.dialect = dialect;
  guard.denied_tables = {"sim_ground_truth"};
  return guard;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

using Tokens = std::vector<rh::tools::internal::SqlToken>;

bool IsPunctAt(const Tokens& tokens, size_t index, char c) {
  return index < tokens.size() && tokens[index].kind == SqlTokenKind::kPunct &&
         tokens[index].value[0] == c;
}

// `name (cols) AS (` right after WITH, RECURSIVE or a ','.
bool IsCteName(const Tokens& tokens, size_t index) {
  if (index == 0) return false;
  const auto& before = tokens[index - 1];
  bool after_with =
      before.kind == SqlTokenKind::kWord && (before.value == "WITH" || before.value == "RECURSIVE");
  if (!after_with && !IsPunctAt(tokens, index - 1, ',')) return false;
  int depth = 0;
  size_t close = index + 1;
  for (; close < tokens.size(); ++close) {
    if (IsPunctAt(tokens, close, '(')) ++depth;
    if (IsPunctAt(tokens, close, ')') && --depth == 0) break;
  }
  return close + 2 < tokens.size() && tokens[close + 1].kind == SqlTokenKind::kWord &&
         tokens[close + 1].value == "AS" && IsPunctAt(tokens, close + 2, '(');
}

void CheckAccepted(std::string_view sql, SqlDialect dialect) {
  const auto options = Options(dialect);
  auto checked = rh::tools::CheckSql(sql, options);
  if (!checked) {
    Check(!checked.error().message.empty());
    return;
  }
  const LexDialect other =
      dialect == SqlDialect::kSqlite ? LexDialect::kSqlite : LexDialect::kStandard;
  Check(rh::tools::internal::LexSql(sql, LexDialect::kMysql).has_value());
  Check(rh::tools::internal::LexSql(sql, other).has_value());
  const std::string& text = checked->sql;
  Check(!text.empty());
  Check(rh::tools::internal::FindInvalidUtf8(text) == std::string_view::npos);
  for (unsigned char c : text) Check(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
  auto tokens = rh::tools::internal::LexSql(text, LexDialect::kMysql);
  auto other_tokens = rh::tools::internal::LexSql(text, other);
  Check(tokens.has_value() && other_tokens.has_value());
  Check(tokens->size() == other_tokens->size());
  bool first_word_seen = false;
  for (size_t token_idx = 0; token_idx < tokens->size(); ++token_idx) {
    const auto& token = (*tokens)[token_idx];
    const auto& twin = (*other_tokens)[token_idx];
    Check(token.offset == twin.offset && token.length == twin.length);
    Check(!(token.kind == SqlTokenKind::kPunct && token.value == ";"));
    Check(!(twin.kind == SqlTokenKind::kPunct && twin.value == "#"));
    if (token.kind == SqlTokenKind::kHint) continue;
    if (token.kind == SqlTokenKind::kWord && !first_word_seen) {
      first_word_seen = true;
      Check(token.value == "SELECT" || token.value == "WITH" || token.value == "SHOW" ||
            token.value == "DESCRIBE" || token.value == "DESC" || token.value == "EXPLAIN");
    }
    if (token.kind == SqlTokenKind::kPunct) continue;
    const std::string name = Lower(token.value);
    if (token.kind != SqlTokenKind::kString) {
      Check(name != "sim_ground_truth");
      Check(!rh::tools::internal::IsSqliteCatalog(name));
      Check(name == "information_schema" || rh::tools::internal::WhyCatalogClosed(name).empty());
    }
    // A quoted name before '(' is a call, unless it names a CTE (WITH `n`(cols) AS (...)):
    // a call must be on the allow-list.
    if (token.kind == SqlTokenKind::kQuotedIdent && IsPunctAt(*tokens, token_idx + 1, '(') &&
        !IsCteName(*tokens, token_idx)) {
      Check(rh::tools::internal::IsAllowedFunction(dialect, name));
    }
  }
  auto again = rh::tools::CheckSql(text, options);
  Check(again.has_value() && again->sql == text && again->kind == checked->kind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  CheckAccepted(sql, SqlDialect::kMysql);
  CheckAccepted(sql, SqlDialect::kSqlite);
  return 0;
}
