// Fuzzes the SQL guard and both lexers with arbitrary bytes. Besides "no crash, no sanitizer
// report", it checks the guard's promises on every statement it accepts: the text to run is
// valid UTF-8 without control characters, lexes to the same tokens under MySQL and SQLite rules,
// holds no statement separator, starts with an allowed keyword, names no denied table, and
// passes the guard again unchanged (the guard is idempotent on its own output).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/internal/sql_lexer.h"
#include "tools/sql_guard.h"

namespace {

using rh::tools::internal::LexDialect;
using rh::tools::internal::SqlTokenKind;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

const rh::tools::SqlGuardOptions& Options() {
  static const rh::tools::SqlGuardOptions options = [] {
    rh::tools::SqlGuardOptions guard;
    guard.denied_tables = {"sim_ground_truth"};
    return guard;
  }();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto mysql = rh::tools::internal::LexSql(sql, LexDialect::kMysql);
  auto standard = rh::tools::internal::LexSql(sql, LexDialect::kStandard);
  auto checked = rh::tools::CheckSql(sql, Options());
  if (!checked) {
    Check(!checked.error().message.empty());
    return 0;
  }
  const std::string& text = checked->sql;
  Check(!text.empty());
  Check(rh::tools::internal::FindInvalidUtf8(text) == std::string_view::npos);
  for (unsigned char c : text) Check(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
  Check(mysql.has_value() && standard.has_value());
  auto tokens = rh::tools::internal::LexSql(text, LexDialect::kMysql);
  auto standard_tokens = rh::tools::internal::LexSql(text, LexDialect::kStandard);
  Check(tokens.has_value() && standard_tokens.has_value());
  Check(tokens->size() == standard_tokens->size());
  bool first_word_seen = false;
  for (size_t token_idx = 0; token_idx < tokens->size(); ++token_idx) {
    const auto& token = (*tokens)[token_idx];
    const auto& other = (*standard_tokens)[token_idx];
    Check(token.offset == other.offset && token.length == other.length);
    Check(!(token.kind == SqlTokenKind::kPunct && token.value == ";"));
    if (token.kind == SqlTokenKind::kWord && !first_word_seen) {
      first_word_seen = true;
      Check(token.value == "SELECT" || token.value == "WITH" || token.value == "SHOW" ||
            token.value == "DESCRIBE" || token.value == "DESC" || token.value == "EXPLAIN");
    }
    if (token.kind == SqlTokenKind::kWord) Check(token.value != "SIM_GROUND_TRUTH");
  }
  auto again = rh::tools::CheckSql(text, Options());
  Check(again.has_value() && again->sql == text && again->kind == checked->kind);
  return 0;
}
