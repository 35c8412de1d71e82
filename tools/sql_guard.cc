#include "tools/sql_guard.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "tools/internal/sql_allow_lists.h"
#include "tools/internal/sql_lexer.h"

namespace rh::tools {
namespace {

using internal::LexDialect;
using internal::SqlToken;
using internal::SqlTokenKind;
using Tokens = std::span<const SqlToken>;

constexpr std::string_view kAllowedKinds =
    "only SELECT, WITH ... SELECT, SHOW, DESCRIBE <table> and EXPLAIN <select> are allowed";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string At(const SqlToken& token) { return "byte " + std::to_string(token.offset); }

bool IsWord(const SqlToken& token, std::string_view upper) {
  return token.kind == SqlTokenKind::kWord && token.value == upper;
}
bool IsPunct(const SqlToken& token, char c) {
  return token.kind == SqlTokenKind::kPunct && token.value[0] == c;
}
bool IsName(const SqlToken& token) {
  return token.kind == SqlTokenKind::kWord || token.kind == SqlTokenKind::kQuotedIdent ||
         token.kind == SqlTokenKind::kString;
}

// Words that write, change the server or escape the session, refused anywhere outside literals
// (except in SHOW statements, which only display): why each is refused.
const std::unordered_map<std::string, std::string_view>& DeniedWords() {
  static const std::unordered_map<std::string, std::string_view> words = {
      {"INSERT", "writes rows"},
      {"UPDATE", "writes rows (or takes row locks in FOR UPDATE)"},
      {"DELETE", "deletes rows"},
      {"UPSERT", "writes rows"},
      {"DROP", "drops objects"},
      {"ALTER", "changes schemas or the cluster (ALTER TABLE/SYSTEM/USER)"},
      {"CREATE", "creates objects"},
      {"TRUNCATE", "deletes every row"},
      {"RENAME", "renames objects"},
      {"GRANT", "changes privileges"},
      {"REVOKE", "changes privileges"},
      {"ATTACH", "opens another database file"},
      {"DETACH", "detaches a database"},
      {"PRAGMA", "changes SQLite settings"},
      {"VACUUM", "rewrites the database file"},
      {"REINDEX", "rebuilds indexes"},
      {"KILL", "terminates connections or queries"},
      {"ADMIN",
       "is a StarRocks admin statement (ADMIN SET CONFIG/REPAIR/EXECUTE change the "
       "cluster)"},
      {"LOCK", "takes locks (LOCK TABLES, LOCK IN SHARE MODE)"},
      {"UNLOCK", "releases locks"},
      {"HANDLER", "opens a low-level table handler"},
      {"INTO", "writes files or variables (SELECT ... INTO OUTFILE/DUMPFILE/@var)"},
      {"OUTFILE", "writes a file on the server"},
      {"DUMPFILE", "writes a file on the server"},
      {"ANALYZE", "executes the statement or writes statistics (EXPLAIN ANALYZE, ANALYZE TABLE)"},
      {"OPTIMIZE", "rebuilds tables"},
      {"REPAIR", "repairs tables or replicas"},
      {"SHUTDOWN", "stops the server"},
      {"INSTALL", "loads server plugins"},
      {"UNINSTALL", "unloads server plugins"},
      {"FLUSH", "flushes server state"},
      {"PURGE", "deletes server logs"},
      {"PREPARE", "prepares dynamic SQL"},
      {"EXECUTE", "runs dynamic SQL or scripts (ADMIN EXECUTE)"},
      {"DEALLOCATE", "manages prepared statements"},
      {"CALL", "runs a stored procedure"},
      {"SUBMIT", "submits an asynchronous task (StarRocks SUBMIT TASK)"},
      {"RECOVER", "restores dropped objects"},
      {"DECOMMISSION", "removes nodes from the cluster"},
      {"PROCEDURE", "runs a procedure over the result (SELECT ... PROCEDURE)"},
      {"NEXTVAL", "advances a sequence (NEXTVAL(s), MariaDB's s.nextval)"},
      {"SETVAL", "changes a sequence"},
  };
  return words;
}

// Statement keywords that are refused as the first word, with a specific reason.
std::string_view WhyStatementRefused(const std::string& word) {
  static const std::unordered_map<std::string, std::string_view> reasons = {
      {"SET", "SET changes session or global variables"},
      {"USE", "USE switches the database"},
      {"BEGIN", "transaction control is not needed for a read"},
      {"START", "transaction control is not needed for a read"},
      {"COMMIT", "transaction control is not needed for a read"},
      {"ROLLBACK", "transaction control is not needed for a read"},
      {"SAVEPOINT", "transaction control is not needed for a read"},
      {"LOAD", "LOAD DATA writes rows"},
      {"REPLACE", "REPLACE writes rows"},
      {"MERGE", "MERGE writes rows"},
      {"CANCEL", "CANCEL changes running jobs"},
      {"REFRESH", "REFRESH recomputes materialized views or connections"},
      {"DO", "DO evaluates expressions for their side effects"},
      {"CACHE", "CACHE SELECT warms caches on the cluster"},
      {"TABLE", "use SELECT * FROM <table> LIMIT n"},
      {"VALUES", "use SELECT"},
      {"RESET", "RESET changes server state"},
      {"CHANGE", "CHANGE MASTER/REPLICATION changes replication"},
      {"BACKUP", "BACKUP writes snapshots"},
      {"RESTORE", "RESTORE overwrites data"},
      {"SYNC", "SYNC waits on the cluster"},
      {"CLEAN", "CLEAN deletes data"},
  };
  auto found = reasons.find(word);
  if (found != reasons.end()) return found->second;
  auto denied = DeniedWords().find(word);
  if (denied != DeniedWords().end()) return denied->second;
  return {};
}

Error Denied(std::string message) {
  return Error{ErrorCode::kPermissionDenied, std::move(message), "sql"};
}

// Index of the ')' matching the '(' at `open` (tokens are balanced: checked before).
size_t MatchingParen(Tokens tokens, size_t open) {
  int depth = 0;
  for (size_t token_idx = open; token_idx < tokens.size(); ++token_idx) {
    if (IsPunct(tokens[token_idx], '(')) ++depth;
    if (IsPunct(tokens[token_idx], ')') && --depth == 0) return token_idx;
  }
  return tokens.size();
}

// Byte offsets of the CTE names (WITH name(cols) AS ...): a name before '(' that is not a call.
using CteNames = std::vector<size_t>;

Status CheckQuery(Tokens tokens, int recursion, CteNames& cte_names);

// WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (query) [, ...] SELECT ...
Status CheckWith(Tokens tokens, int recursion, CteNames& cte_names) {
  size_t pos = 1;  // tokens[0] is WITH
  auto expect = [&](bool ok, std::string_view what) -> Status {
    if (ok) return {};
    std::string where = pos < tokens.size() ? "at " + At(tokens[pos]) : "at the end";
    return Fail(Denied("could not read the WITH clause: expected " + std::string(what) + " " +
                       where + "; write WITH name AS (SELECT ...) SELECT ..."));
  };
  if (pos < tokens.size() && IsWord(tokens[pos], "RECURSIVE")) ++pos;
  while (true) {
    RH_RETURN_IF_ERROR(expect(pos < tokens.size() && IsName(tokens[pos]), "a CTE name"));
    cte_names.push_back(tokens[pos].offset);
    ++pos;
    if (pos < tokens.size() && IsPunct(tokens[pos], '(')) pos = MatchingParen(tokens, pos) + 1;
    RH_RETURN_IF_ERROR(expect(pos < tokens.size() && IsWord(tokens[pos], "AS"), "AS"));
    ++pos;
    if (pos < tokens.size() && IsWord(tokens[pos], "NOT")) ++pos;
    if (pos < tokens.size() && IsWord(tokens[pos], "MATERIALIZED")) ++pos;
    RH_RETURN_IF_ERROR(expect(pos < tokens.size() && IsPunct(tokens[pos], '('), "'('"));
    size_t close = MatchingParen(tokens, pos);
    RH_RETURN_IF_ERROR(
        CheckQuery(tokens.subspan(pos + 1, close - pos - 1), recursion + 1, cte_names));
    pos = close + 1;
    if (pos < tokens.size() && IsPunct(tokens[pos], ',')) {
      ++pos;
      continue;
    }
    break;
  }
  size_t main = pos;
  while (main < tokens.size() && IsPunct(tokens[main], '(')) ++main;
  if (main < tokens.size() && IsWord(tokens[main], "SELECT")) return {};
  if (main >= tokens.size()) {
    return Fail(Denied("the WITH clause is not followed by a SELECT; add the final SELECT"));
  }
  return Fail(Denied("a WITH clause must end in a SELECT, but " + At(tokens[main]) + " has " +
                     (tokens[main].kind == SqlTokenKind::kWord ? tokens[main].value
                                                               : "'" + tokens[main].value + "'") +
                     "; " + std::string(kAllowedKinds)));
}

// A query body: SELECT ..., WITH ... SELECT ..., VALUES ... (inside a CTE), parenthesised.
Status CheckQuery(Tokens tokens, int recursion, CteNames& cte_names) {
  if (recursion > 32) return Fail(Denied("WITH clauses nested too deeply; flatten the query"));
  size_t first = 0;
  while (first < tokens.size() && IsPunct(tokens[first], '(')) ++first;
  if (first >= tokens.size()) return Fail(Denied("empty query inside parentheses"));
  const SqlToken& head = tokens[first];
  if (IsWord(head, "SELECT") || (recursion > 0 && IsWord(head, "VALUES"))) return {};
  if (IsWord(head, "WITH")) return CheckWith(tokens.subspan(first), recursion, cte_names);
  std::string found = head.kind == SqlTokenKind::kWord ? head.value : "'" + head.value + "'";
  return Fail(Denied("expected a SELECT at " + At(head) + " but found " + found + "; " +
                     std::string(kAllowedKinds)));
}

// EXPLAIN / DESCRIBE / DESC: of a query, or of a table.
Result<CheckedSql> CheckExplain(Tokens tokens, CteNames& cte_names) {
  static const std::vector<std::string_view> kOptionWords = {
      "QUERY",      "PLAN",   "LOGICAL", "VERBOSE", "COSTS",      "EXTENDED",
      "PARTITIONS", "FORMAT", "JSON",    "TREE",    "TRADITIONAL"};
  CheckedSql checked;
  checked.kind = SqlStatementKind::kExplain;
  size_t pos = 1;
  while (pos < tokens.size()) {
    const SqlToken& token = tokens[pos];
    bool option = IsPunct(token, '=') || (token.kind == SqlTokenKind::kWord &&
                                          std::find(kOptionWords.begin(), kOptionWords.end(),
                                                    token.value) != kOptionWords.end());
    if (!option) break;
    ++pos;
  }
  if (pos >= tokens.size()) {
    return Fail(Denied(tokens[0].value + " of what? write " + tokens[0].value +
                       " SELECT ... or DESCRIBE <table>"));
  }
  const SqlToken& target = tokens[pos];
  if (IsWord(target, "SELECT") || IsWord(target, "WITH") || IsPunct(target, '(')) {
    RH_RETURN_IF_ERROR(CheckQuery(tokens.subspan(pos), 0, cte_names));
    return checked;
  }
  // A table: name [. name] [column | 'wildcard'].
  if (IsName(target) && DeniedWords().count(target.value) == 0 &&
      WhyStatementRefused(target.value).empty()) {
    size_t name_end = pos + 1;
    // Unquoted names are compared case-insensitively by both servers: keep them lower-cased.
    std::string name = target.kind == SqlTokenKind::kWord ? Lower(target.value) : target.value;
    if (name_end + 1 < tokens.size() && IsPunct(tokens[name_end], '.') &&
        IsName(tokens[name_end + 1])) {
      const SqlToken& table = tokens[name_end + 1];
      name = table.kind == SqlTokenKind::kWord ? Lower(table.value) : table.value;
      name_end += 2;
    }
    if (tokens.size() - name_end <= 1 && (name_end == tokens.size() || IsName(tokens[name_end]))) {
      checked.kind = SqlStatementKind::kDescribe;
      checked.object_name = name;
      return checked;
    }
  }
  return Fail(Denied(tokens[0].value + " is allowed only of a SELECT or of a table (" +
                     tokens[0].value + " SELECT ... / DESCRIBE <table>); found '" +
                     std::string(target.value) + "' at " + At(target)));
}

// Hints /*+ ... */ may only lower the caps.
Status CheckHint(const SqlToken& hint, const SqlGuardOptions& options) {
  auto lexed = internal::LexSql(hint.value, LexDialect::kMysql);
  if (!lexed) return Fail(Denied("unreadable optimizer hint at " + At(hint) + "; remove it"));
  const std::vector<SqlToken>& words = *lexed;
  auto integer_at = [&](size_t pos) -> std::optional<int64_t> {
    if (pos >= words.size() || words[pos].kind != SqlTokenKind::kWord) return std::nullopt;
    int64_t value = 0;
    const std::string& text = words[pos].value;
    auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    if (res.ec != std::errc() || res.ptr != text.data() + text.size()) return std::nullopt;
    return value;
  };
  const std::string caps =
      "hints may only lower the caps: SET_VAR(query_timeout <= " +
      std::to_string(options.max_timeout_seconds) +
      ", sql_select_limit <= " + std::to_string(options.max_rows) +
      ") or MAX_EXECUTION_TIME(<= " + std::to_string(options.max_timeout_seconds * 1000) + ")";
  for (size_t pos = 0; pos < words.size(); ++pos) {
    const SqlToken& word = words[pos];
    if (word.kind != SqlTokenKind::kWord) continue;
    if (word.value == "SET_USER_VARIABLE" || word.value == "RESOURCE_GROUP") {
      return Fail(
          Denied("optimizer hint " + word.value + " at " + At(hint) + " is not allowed; " + caps));
    }
    if (word.value == "MAX_EXECUTION_TIME") {
      auto millis = integer_at(pos + 2);
      if (pos + 1 >= words.size() || !IsPunct(words[pos + 1], '(') || !millis || *millis < 1 ||
          *millis > static_cast<int64_t>(options.max_timeout_seconds) * 1000) {
        return Fail(Denied("MAX_EXECUTION_TIME hint at " + At(hint) + " is not allowed; " + caps));
      }
      continue;
    }
    if (word.value != "SET_VAR") continue;
    if (pos + 1 >= words.size() || !IsPunct(words[pos + 1], '(')) {
      return Fail(Denied("malformed SET_VAR hint at " + At(hint) + "; " + caps));
    }
    size_t cursor = pos + 2;
    while (true) {
      if (cursor + 2 >= words.size() || words[cursor].kind != SqlTokenKind::kWord ||
          !IsPunct(words[cursor + 1], '=')) {
        return Fail(Denied("malformed SET_VAR hint at " + At(hint) + "; " + caps));
      }
      const std::string& variable = words[cursor].value;
      auto value = integer_at(cursor + 2);
      bool allowed = false;
      if (variable == "QUERY_TIMEOUT") {
        allowed = value && *value >= 1 && *value <= options.max_timeout_seconds;
      } else if (variable == "SQL_SELECT_LIMIT") {
        allowed = value && *value >= 0 && *value <= options.max_rows;
      }
      if (!allowed) {
        return Fail(Denied("SET_VAR(" + Lower(variable) + " = ...) at " + At(hint) +
                           " is not allowed; " + caps));
      }
      cursor += 3;
      if (cursor < words.size() && IsPunct(words[cursor], ',')) {
        ++cursor;
        continue;
      }
      if (cursor < words.size() && IsPunct(words[cursor], ')')) break;
      return Fail(Denied("malformed SET_VAR hint at " + At(hint) + "; " + caps));
    }
    pos = cursor;
  }
  return {};
}

Status CheckDeniedTables(const std::vector<SqlToken>& tokens, const SqlGuardOptions& options) {
  for (const SqlToken& token : tokens) {
    if (token.kind == SqlTokenKind::kPunct || token.kind == SqlTokenKind::kHint) continue;
    std::string value = Lower(token.value);
    for (const std::string& denied : options.denied_tables) {
      std::string denied_lower = Lower(denied);
      bool hit = token.kind == SqlTokenKind::kString ? value.find(denied_lower) != std::string::npos
                                                     : value == denied_lower;
      if (hit) {
        return Fail(Denied("table " + denied_lower + " is not readable by tools (at " + At(token) +
                           "); query the fleet tables instead"));
      }
    }
  }
  return {};
}

// Both readings must produce the same token boundaries.
Status CheckReadingsAgree(std::string_view sql, const std::vector<SqlToken>& mysql,
                          const std::vector<SqlToken>& other, SqlDialect dialect) {
  size_t count = std::min(mysql.size(), other.size());
  for (size_t token_idx = 0; token_idx <= count; ++token_idx) {
    bool mysql_done = token_idx == mysql.size();
    bool other_done = token_idx == other.size();
    if (mysql_done && other_done) return {};
    bool same = !mysql_done && !other_done && mysql[token_idx].kind == other[token_idx].kind &&
                mysql[token_idx].offset == other[token_idx].offset &&
                mysql[token_idx].length == other[token_idx].length;
    if (same) continue;
    size_t offset = mysql_done   ? other[token_idx].offset
                    : other_done ? mysql[token_idx].offset
                                 : std::min(mysql[token_idx].offset, other[token_idx].offset);
    if (dialect == SqlDialect::kSqlite && offset < sql.size() && sql[offset] == '#') {
      return Fail(Denied("'#' at byte " + std::to_string(offset) +
                         ": SQLite has no # comments (it reads #name as a parameter, so the text "
                         "after it is SQL); use -- comments"));
    }
    return Fail(Denied("ambiguous SQL at byte " + std::to_string(offset) +
                       ": the servers' parsers read it differently (a backslash inside a quoted "
                       "literal, `--` not followed by a space, a # comment or a [bracketed] "
                       "identifier); rewrite that part without it"));
  }
  return {};
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A `...` or [...] identifier: letters, digits, '_', '$' and spaces only, so no quoted name
// can carry SQL, comment markers or look-alike characters.
bool IsPlainQuotedIdentifier(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalnum(byte) || c == '_' || c == '$' || c == ' ';
  });
}

// One pass over the statement's tokens (hints removed): identifiers, catalogs, function calls,
// denied words and constructs.
class TokenPolicy {
 public:
  TokenPolicy(std::string_view sql, const SqlGuardOptions& options, Tokens body,
              const CteNames& cte_names, size_t show_keywords_end)
      : sql_(sql),
        options_(options),
        body_(body),
        cte_names_(cte_names),
        show_keywords_end_(show_keywords_end) {}

  Status Run() {
    int calls = 0;
    for (size_t token_idx = 0; token_idx < body_.size(); ++token_idx) {
      const SqlToken& token = body_[token_idx];
      if (token.kind == SqlTokenKind::kPunct || token.kind == SqlTokenKind::kHint) continue;
      RH_RETURN_IF_ERROR(CheckIdentifier(token));
      RH_RETURN_IF_ERROR(CheckCatalog(token_idx));
      const bool called = token_idx + 1 < body_.size() && IsPunct(body_[token_idx + 1], '(');
      bool is_call = false;
      if (called) {
        RH_ASSIGN_OR_RETURN(is_call, CheckCall(token_idx));
        if (is_call && ++calls > options_.max_function_calls) {
          return Fail(Denied("more than " + std::to_string(options_.max_function_calls) +
                             " function calls in one statement (the " +
                             std::to_string(options_.max_function_calls + 1) + "th at " +
                             At(token) + "); split the question into smaller queries"));
        }
      }
      if (token.kind != SqlTokenKind::kWord || token_idx < show_keywords_end_) continue;
      // A denied word that is also an allowed function (MySQL's TRUNCATE(x, d)) is the function
      // when called: a statement cannot start in the middle of an expression.
      if (is_call) continue;
      RH_RETURN_IF_ERROR(CheckWord(token_idx));
    }
    return {};
  }

 private:
  bool IsDoubleQuoted(const SqlToken& token) const {
    return token.kind == SqlTokenKind::kString && sql_[token.offset] == '"';
  }
  // Tokens a server may read as a name: words, `quoted` / [bracketed] identifiers, and
  // "double-quoted" text (an identifier in SQLite and under ANSI_QUOTES).
  bool IsNameLike(const SqlToken& token) const {
    return token.kind == SqlTokenKind::kWord || token.kind == SqlTokenKind::kQuotedIdent ||
           IsDoubleQuoted(token);
  }

  Status CheckIdentifier(const SqlToken& token) const {
    if (token.kind == SqlTokenKind::kWord && !IsAscii(token.value)) {
      return Fail(Denied("identifier at " + At(token) +
                         " has non-ASCII characters; table, column and function names are "
                         "ASCII (put text in 'single quotes')"));
    }
    if (token.kind == SqlTokenKind::kQuotedIdent && !IsPlainQuotedIdentifier(token.value)) {
      return Fail(Denied("quoted identifier at " + At(token) +
                         " may hold only letters, digits, '_', '$' and spaces; name the "
                         "table or column plainly"));
    }
    return {};
  }

  Status CheckCatalog(size_t token_idx) const {
    const SqlToken& token = body_[token_idx];
    if (!IsNameLike(token)) return {};
    const std::string name = Lower(token.value);
    const std::string advice =
        "; list tables with SHOW TABLES, columns with DESCRIBE <table> and definitions with "
        "SHOW CREATE TABLE <table> (the tool description names the fleet tables)";
    if (internal::IsSqliteCatalog(name)) {
      return Fail(Denied(name + " at " + At(token) +
                         " is SQLite's schema catalog, which is not readable through run_sql"
                         " (it would show tables tools may not read)" +
                         advice));
    }
    std::string_view why = internal::WhyCatalogClosed(name);
    if (why.empty()) return {};
    if (name == "information_schema" && options_.dialect == SqlDialect::kMysql &&
        token_idx + 2 < body_.size() && IsPunct(body_[token_idx + 1], '.') &&
        IsNameLike(body_[token_idx + 2]) &&
        internal::IsReadableInformationSchemaTable(Lower(body_[token_idx + 2].value))) {
      return {};
    }
    return Fail(Denied("schema " + name + " at " + At(token) +
                       " is not readable through run_sql: it " + std::string(why) + advice +
                       (name == "information_schema"
                            ? "; of information_schema only the StarRocks runtime views "
                              "be_tablets, be_compactions, be_cloud_native_compactions, "
                              "be_txns, be_threads, be_bvars, be_metrics, fe_metrics, "
                              "fe_tablet_schedules and warehouse_metrics are readable"
                            : "")));
  }

  // `name (`: a function call unless the name is a keyword or type that takes parentheses or
  // a CTE name. Returns whether it is a call.
  Result<bool> CheckCall(size_t token_idx) const {
    const SqlToken& token = body_[token_idx];
    if (token.kind == SqlTokenKind::kWord && internal::IsSyntaxBeforeParen(token.value)) {
      return false;
    }
    if (std::find(cte_names_.begin(), cte_names_.end(), token.offset) != cte_names_.end()) {
      return false;
    }
    const std::string name = Lower(token.value);
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (token_idx > 0 && IsPunct(body_[token_idx - 1], '.')) {
      return Fail(Denied("qualified function name ..." + upper + "() at " + At(token) +
                         ": stored functions are not allowed; call built-in functions by name"));
    }
    if (!internal::IsAllowedFunction(options_.dialect, name)) {
      std::string_view why = internal::WhyFunctionRefused(name);
      if (!why.empty()) {
        return Fail(Denied("function " + upper + " at " + At(token) + " is not allowed (" +
                           std::string(why) + ")"));
      }
      return Fail(Denied("function " + upper + " at " + At(token) + " is not on run_sql's " +
                         std::string(internal::SqlDialectLabel(options_.dialect)) +
                         " allow-list of functions (aggregates, window functions, conditionals, "
                         "string, date, math and JSON functions; tools/README.md lists them); "
                         "rewrite it with those"));
    }
    if (options_.dialect == SqlDialect::kSqlite && (name == "printf" || name == "format")) {
      RH_RETURN_IF_ERROR(CheckPrintfFormat(token_idx + 2, upper));
    }
    return true;
  }

  // SQLite printf/format: the format is a string literal whose widths and precisions are
  // written out and at most kMaxPrintfWidth (a `%.*c` with a huge precision runs for seconds
  // inside one call, where no time cap can interrupt it).
  Status CheckPrintfFormat(size_t format_idx, const std::string& upper) const {
    const std::string limit = "; widths and precisions are written out and at most " +
                              std::to_string(kMaxPrintfWidth) + " (e.g. " + upper +
                              "('%.2f', x)), or use ROUND(x, n)";
    if (format_idx >= body_.size() || body_[format_idx].kind != SqlTokenKind::kString) {
      return Fail(Denied(upper + " at " + At(body_[format_idx - 2]) +
                         ": the format must be a string literal" + limit));
    }
    const std::string& format = body_[format_idx].value;
    for (size_t pos = 0; pos < format.size(); ++pos) {
      if (format[pos] != '%') continue;
      ++pos;
      while (pos < format.size() &&
             std::string_view("-+ #0,!").find(format[pos]) != std::string_view::npos) {
        ++pos;
      }
      for (int part = 0; part < 2; ++part) {  // width, then precision
        if (part == 1) {
          if (pos >= format.size() || format[pos] != '.') break;
          ++pos;
        }
        if (pos < format.size() && format[pos] == '*') {
          return Fail(Denied(upper + " at " + At(body_[format_idx]) +
                             ": '*' widths and precisions are not allowed" + limit));
        }
        int64_t value = 0;
        while (pos < format.size() && std::isdigit(static_cast<unsigned char>(format[pos]))) {
          value = std::min<int64_t>(value * 10 + (format[pos] - '0'), 1'000'000'000);
          ++pos;
        }
        if (value > kMaxPrintfWidth) {
          return Fail(Denied(upper + " at " + At(body_[format_idx]) + ": width or precision " +
                             std::to_string(value) + " is too large" + limit));
        }
      }
      if (pos < format.size() && format[pos] == '%') continue;
    }
    return {};
  }

  Status CheckWord(size_t token_idx) const {
    const SqlToken& token = body_[token_idx];
    auto word = DeniedWords().find(token.value);
    if (word != DeniedWords().end()) {
      return Fail(Denied(token.value + " at " + At(token) + " is not allowed: it " +
                         std::string(word->second) + "; tools only read"));
    }
    const bool next_is = token_idx + 1 < body_.size();
    if (token.value == "FOR" && next_is && IsWord(body_[token_idx + 1], "SHARE")) {
      return Fail(Denied("FOR SHARE at " + At(token) + " takes row locks; remove it"));
    }
    if ((token.value == "NEXT" || token.value == "PREVIOUS") && next_is &&
        IsWord(body_[token_idx + 1], "VALUE")) {
      return Fail(Denied(token.value + " VALUE FOR at " + At(token) +
                         " reads or advances a sequence; remove it"));
    }
    return {};
  }

  std::string_view sql_;
  const SqlGuardOptions& options_;
  Tokens body_;
  const CteNames& cte_names_;
  size_t show_keywords_end_;
};

// SHOW: one of the allowed forms. Returns the index of the first token after the form's
// keywords (the part checked like any query).
Result<size_t> CheckShow(Tokens body) {
  size_t pos = 1;
  while (pos < body.size() && body[pos].kind == SqlTokenKind::kWord &&
         internal::IsShowModifier(body[pos].value)) {
    ++pos;
  }
  std::vector<std::string_view> words;
  for (size_t word_idx = pos; word_idx < body.size() && words.size() < 3; ++word_idx) {
    if (body[word_idx].kind != SqlTokenKind::kWord) break;
    words.push_back(body[word_idx].value);
  }
  const std::string allowed = "; run_sql allows SHOW " + std::string(internal::AllowedShowForms());
  if (words.empty()) return Fail(Denied("SHOW what? write SHOW TABLES" + allowed));
  const internal::ShowForm* form = internal::FindShowForm(words);
  if (form == nullptr) {
    std::string shown = "SHOW " + std::string(words[0]);
    if (words.size() > 1 && words[0] == "CREATE") shown += " " + std::string(words[1]);
    std::string_view why =
        internal::WhyShowRefused(words[0], words.size() > 1 ? words[1] : std::string_view());
    return Fail(Denied(shown + " is not allowed" +
                       (why.empty() ? std::string() : " (it " + std::string(why) + ")") + allowed));
  }
  const size_t end = pos + form->words.size();
  std::string name = "SHOW";
  for (std::string_view word : form->words) name += " " + std::string(word);
  if (form->words.size() == 1 && form->words[0] == "PROC") {
    if (end >= body.size() || body[end].kind != SqlTokenKind::kString ||
        !internal::IsReadableProcPath(body[end].value) || end + 1 != body.size()) {
      return Fail(Denied(
          "SHOW PROC takes one path under /backends, /compute_nodes, /frontends, /statistic, "
          "/jobs, /tasks, /cluster_balance, /routine_loads, /colocation_group, /replications, "
          "/transactions, /dbs or /catalog (not the query lists, which show other sessions' "
          "queries)"));
    }
    return end;
  }
  if (!form->lists_names) return end;
  // A listing of names: FROM/IN <database> and LIKE '<pattern>' only.
  size_t cursor = end;
  while (cursor + 1 < body.size() && (IsWord(body[cursor], "FROM") || IsWord(body[cursor], "IN")) &&
         IsName(body[cursor + 1]) && body[cursor + 1].kind != SqlTokenKind::kString) {
    cursor += 2;
  }
  if (cursor + 1 < body.size() && IsWord(body[cursor], "LIKE") &&
      body[cursor + 1].kind == SqlTokenKind::kString) {
    cursor += 2;
  }
  if (cursor != body.size()) {
    return Fail(Denied(name +
                       " takes only FROM <database> and LIKE '<pattern>' in run_sql (found " +
                       (body[cursor].kind == SqlTokenKind::kWord ? body[cursor].value
                                                                 : "'" + body[cursor].value + "'") +
                       " at " + At(body[cursor]) +
                       "): a WHERE could compute on the names of tables tools may not read"));
  }
  return end;
}

}  // namespace

std::string_view SqlStatementKindName(SqlStatementKind kind) {
  switch (kind) {
    case SqlStatementKind::kSelect:
      return "select";
    case SqlStatementKind::kShow:
      return "show";
    case SqlStatementKind::kDescribe:
      return "describe";
    case SqlStatementKind::kExplain:
      return "explain";
  }
  return "select";
}

Result<CheckedSql> CheckSql(std::string_view sql, const SqlGuardOptions& options) {
  if (sql.size() > options.max_length) {
    return InvalidArgument("sql", "statement is " + std::to_string(sql.size()) +
                                      " bytes; the limit is " + std::to_string(options.max_length) +
                                      ": aggregate in SQL or ask a narrower question");
  }
  // Control characters are refused anywhere, comments included (a NUL can end a C string early).
  for (size_t pos = 0; pos < sql.size(); ++pos) {
    const auto c = static_cast<unsigned char>(sql[pos]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof(code), "0x%02x", c);
      return InvalidArgument("sql", std::string("control character ") + code + " at byte " +
                                        std::to_string(pos) + "; remove it");
    }
  }
  // The MySQL reading, and the other reading of the same server family: for MySQL-family
  // servers the NO_BACKSLASH_ESCAPES one (a server may run in either mode), for SQLite its own.
  const LexDialect other_dialect =
      options.dialect == SqlDialect::kSqlite ? LexDialect::kSqlite : LexDialect::kStandard;
  RH_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, internal::LexSql(sql, LexDialect::kMysql));
  RH_ASSIGN_OR_RETURN(std::vector<SqlToken> standard, internal::LexSql(sql, other_dialect));
  RH_RETURN_IF_ERROR(CheckReadingsAgree(sql, tokens, standard, options.dialect));

  while (!tokens.empty() && IsPunct(tokens.back(), ';')) tokens.pop_back();
  while (!standard.empty() && IsPunct(standard.back(), ';')) standard.pop_back();
  const bool only_hints = std::all_of(tokens.begin(), tokens.end(), [](const SqlToken& token) {
    return token.kind == SqlTokenKind::kHint;
  });
  if (only_hints) {  // also true when there are no tokens at all
    return InvalidArgument("sql",
                           "empty statement: send one SELECT, WITH ... SELECT, SHOW, "
                           "DESCRIBE or EXPLAIN statement");
  }

  // Exactly one statement; no placeholders; balanced, bounded nesting.
  int depth = 0;
  int max_depth = 0;
  for (const SqlToken& token : tokens) {
    if (IsPunct(token, ';')) {
      return Fail(Denied("more than one statement: the ';' at " + At(token) +
                         " is followed by more SQL; send one statement per call"));
    }
    if (IsPunct(token, '\\')) {
      return Fail(
          Denied("stray backslash at " + At(token) + " outside a string literal; remove it"));
    }
    if (IsPunct(token, '?')) {
      return Fail(Denied("placeholder '?' at " + At(token) +
                         " cannot be bound here; write the values into the statement"));
    }
    if (IsPunct(token, '(')) max_depth = std::max(max_depth, ++depth);
    if (IsPunct(token, ')') && --depth < 0) {
      return Fail(Denied("unbalanced parentheses: ')' at " + At(token) + " closes nothing"));
    }
  }
  if (depth != 0) {
    return Fail(Denied("unbalanced parentheses: " + std::to_string(depth) +
                       " '(' never closed; close them"));
  }
  if (max_depth > options.max_nesting) {
    return Fail(Denied("parentheses nested " + std::to_string(max_depth) + " deep; the limit is " +
                       std::to_string(options.max_nesting) +
                       ": flatten the query (CTEs, fewer subqueries)"));
  }

  // Statement kind.
  std::vector<SqlToken> body;  // tokens without hints
  for (const SqlToken& token : tokens) {
    if (token.kind != SqlTokenKind::kHint) body.push_back(token);
  }
  size_t first = 0;
  while (first < body.size() && IsPunct(body[first], '(')) ++first;
  if (first >= body.size() || body[first].kind != SqlTokenKind::kWord) {
    const size_t at = first < body.size() ? first : body.size() - 1;  // body has a token here
    return Fail(Denied("the statement must start with a keyword (found '" + body[at].value +
                       "' at " + At(body[at]) + "); " + std::string(kAllowedKinds)));
  }
  const std::string& head = body[first].value;
  CheckedSql checked;
  CteNames cte_names;
  // A SHOW only displays, so its form's keywords may name denied words (SHOW CREATE TABLE,
  // StarRocks SHOW ALTER TABLE / SHOW DELETE); what follows (FROM/LIKE/WHERE and MySQL's WHERE
  // subqueries) is checked like any query.
  size_t show_keywords_end = 0;
  if (head == "SELECT" || head == "WITH") {
    RH_RETURN_IF_ERROR(CheckQuery(Tokens(body), 0, cte_names));
    checked.kind = SqlStatementKind::kSelect;
  } else if (first == 0 && head == "SHOW") {
    checked.kind = SqlStatementKind::kShow;
    RH_ASSIGN_OR_RETURN(show_keywords_end, CheckShow(Tokens(body)));
  } else if (first == 0 && (head == "EXPLAIN" || head == "DESCRIBE" || head == "DESC")) {
    if (body.size() > 1 && IsWord(body[1], "ANALYZE")) {
      return Fail(Denied(head + " ANALYZE executes the statement; use " + head +
                         " SELECT ... for the plan"));
    }
    RH_ASSIGN_OR_RETURN(checked, CheckExplain(Tokens(body), cte_names));
  } else {
    std::string_view why = WhyStatementRefused(head);
    return Fail(Denied(head + " statements are not allowed" +
                       (why.empty() ? std::string() : " (" + std::string(why) + ")") + "; " +
                       std::string(kAllowedKinds)));
  }

  RH_RETURN_IF_ERROR(CheckDeniedTables(tokens, options));
  RH_RETURN_IF_ERROR(CheckDeniedTables(standard, options));
  RH_RETURN_IF_ERROR(TokenPolicy(sql, options, Tokens(body), cte_names, show_keywords_end).Run());
  for (const SqlToken& token : tokens) {
    if (token.kind == SqlTokenKind::kHint) RH_RETURN_IF_ERROR(CheckHint(token, options));
  }

  // SHOW: the leading words and the table named by SHOW COLUMNS/FIELDS FROM t, SHOW CREATE TABLE t.
  for (const SqlToken& token : body) {
    if (token.kind != SqlTokenKind::kWord) break;
    checked.leading_words.push_back(token.value);
  }
  if (checked.kind == SqlStatementKind::kShow) {
    for (size_t token_idx = 1; token_idx + 1 < body.size(); ++token_idx) {
      const SqlToken& token = body[token_idx];
      bool names_table = IsWord(token, "FROM") || IsWord(token, "IN") ||
                         (IsWord(token, "TABLE") && IsWord(body[token_idx - 1], "CREATE"));
      if (names_table && IsName(body[token_idx + 1])) {
        const SqlToken& name = body[token_idx + 1];
        checked.object_name = name.kind == SqlTokenKind::kWord ? Lower(name.value) : name.value;
        break;
      }
    }
  }
  const SqlToken& last = tokens.back();
  checked.sql = std::string(
      sql.substr(tokens.front().offset, last.offset + last.length - tokens.front().offset));
  return checked;
}

}  // namespace rh::tools
