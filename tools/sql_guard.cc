#include "tools/sql_guard.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <span>
#include <unordered_map>

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
  };
  return words;
}

// Functions refused when called (word followed by '('): why.
const std::unordered_map<std::string, std::string_view>& DeniedFunctions() {
  static const std::unordered_map<std::string, std::string_view> functions = {
      {"LOAD_FILE", "reads files on the database server"},
      {"LOAD_EXTENSION", "loads native code into SQLite"},
      {"READFILE", "reads local files"},
      {"WRITEFILE", "writes local files"},
      {"EDIT", "starts an editor"},
      {"FTS3_TOKENIZER", "registers native tokenizers"},
      {"SYS_EXEC", "runs shell commands"},
      {"SYS_EVAL", "runs shell commands"},
      {"GET_LOCK", "takes a named server lock"},
      {"RELEASE_LOCK", "releases named server locks"},
      {"RELEASE_ALL_LOCKS", "releases named server locks"},
      {"SLEEP", "only burns the time cap"},
      {"BENCHMARK", "only burns CPU and the time cap"},
      {"NEXTVAL", "advances a sequence"},
      {"SETVAL", "changes a sequence"},
      {"LASTVAL", "reads session sequence state"},
      {"FILES", "reads or writes external files (StarRocks FILES())"},
      {"MASTER_POS_WAIT", "blocks on replication"},
      {"SOURCE_POS_WAIT", "blocks on replication"},
      {"MASTER_GTID_WAIT", "blocks on replication"},
      {"WAIT_FOR_EXECUTED_GTID_SET", "blocks on replication"},
  };
  return functions;
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

Status CheckQuery(Tokens tokens, int recursion);

// WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (query) [, ...] SELECT ...
Status CheckWith(Tokens tokens, int recursion) {
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
    ++pos;
    if (pos < tokens.size() && IsPunct(tokens[pos], '(')) pos = MatchingParen(tokens, pos) + 1;
    RH_RETURN_IF_ERROR(expect(pos < tokens.size() && IsWord(tokens[pos], "AS"), "AS"));
    ++pos;
    if (pos < tokens.size() && IsWord(tokens[pos], "NOT")) ++pos;
    if (pos < tokens.size() && IsWord(tokens[pos], "MATERIALIZED")) ++pos;
    RH_RETURN_IF_ERROR(expect(pos < tokens.size() && IsPunct(tokens[pos], '('), "'('"));
    size_t close = MatchingParen(tokens, pos);
    RH_RETURN_IF_ERROR(CheckQuery(tokens.subspan(pos + 1, close - pos - 1), recursion + 1));
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
Status CheckQuery(Tokens tokens, int recursion) {
  if (recursion > 32) return Fail(Denied("WITH clauses nested too deeply; flatten the query"));
  size_t first = 0;
  while (first < tokens.size() && IsPunct(tokens[first], '(')) ++first;
  if (first >= tokens.size()) return Fail(Denied("empty query inside parentheses"));
  const SqlToken& head = tokens[first];
  if (IsWord(head, "SELECT") || (recursion > 0 && IsWord(head, "VALUES"))) return {};
  if (IsWord(head, "WITH")) return CheckWith(tokens.subspan(first), recursion);
  std::string found = head.kind == SqlTokenKind::kWord ? head.value : "'" + head.value + "'";
  return Fail(Denied("expected a SELECT at " + At(head) + " but found " + found + "; " +
                     std::string(kAllowedKinds)));
}

// EXPLAIN / DESCRIBE / DESC: of a query, or of a table.
Result<CheckedSql> CheckExplain(Tokens tokens) {
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
    RH_RETURN_IF_ERROR(CheckQuery(tokens.subspan(pos), 0));
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
Status CheckReadingsAgree(const std::vector<SqlToken>& mysql,
                          const std::vector<SqlToken>& standard) {
  size_t count = std::min(mysql.size(), standard.size());
  for (size_t token_idx = 0; token_idx <= count; ++token_idx) {
    bool mysql_done = token_idx == mysql.size();
    bool standard_done = token_idx == standard.size();
    if (mysql_done && standard_done) return {};
    bool same = !mysql_done && !standard_done &&
                mysql[token_idx].kind == standard[token_idx].kind &&
                mysql[token_idx].offset == standard[token_idx].offset &&
                mysql[token_idx].length == standard[token_idx].length;
    if (same) continue;
    size_t offset = mysql_done      ? standard[token_idx].offset
                    : standard_done ? mysql[token_idx].offset
                                    : std::min(mysql[token_idx].offset, standard[token_idx].offset);
    return Fail(Denied(
        "ambiguous SQL at byte " + std::to_string(offset) +
        ": MySQL and SQLite read it differently (a backslash inside a quoted literal, `--` not "
        "followed by a space, or a [bracketed] identifier); rewrite that part without it"));
  }
  return {};
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
  RH_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, internal::LexSql(sql, LexDialect::kMysql));
  RH_ASSIGN_OR_RETURN(std::vector<SqlToken> standard, internal::LexSql(sql, LexDialect::kStandard));
  RH_RETURN_IF_ERROR(CheckReadingsAgree(tokens, standard));

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
  if (head == "SELECT" || head == "WITH") {
    RH_RETURN_IF_ERROR(CheckQuery(Tokens(body), 0));
    checked.kind = SqlStatementKind::kSelect;
  } else if (first == 0 && head == "SHOW") {
    checked.kind = SqlStatementKind::kShow;
  } else if (first == 0 && (head == "EXPLAIN" || head == "DESCRIBE" || head == "DESC")) {
    if (body.size() > 1 && IsWord(body[1], "ANALYZE")) {
      return Fail(Denied(head + " ANALYZE executes the statement; use " + head +
                         " SELECT ... for the plan"));
    }
    RH_ASSIGN_OR_RETURN(checked, CheckExplain(Tokens(body)));
  } else {
    std::string_view why = WhyStatementRefused(head);
    return Fail(Denied(head + " statements are not allowed" +
                       (why.empty() ? std::string() : " (" + std::string(why) + ")") + "; " +
                       std::string(kAllowedKinds)));
  }

  // Words, functions and constructs refused anywhere. A SHOW only displays, so its leading
  // keywords may name them (SHOW CREATE TABLE, StarRocks SHOW ALTER TABLE / SHOW DELETE); what
  // follows (FROM/LIKE/WHERE and MySQL's WHERE subqueries) is checked like any query.
  size_t show_keywords_end = 0;
  if (checked.kind == SqlStatementKind::kShow) {
    while (show_keywords_end < body.size() && body[show_keywords_end].kind == SqlTokenKind::kWord &&
           !IsWord(body[show_keywords_end], "WHERE") && !IsWord(body[show_keywords_end], "LIKE") &&
           !IsWord(body[show_keywords_end], "FROM") && !IsWord(body[show_keywords_end], "IN")) {
      ++show_keywords_end;
    }
  }
  for (size_t token_idx = 0; token_idx < body.size(); ++token_idx) {
    const SqlToken& token = body[token_idx];
    if (token.kind != SqlTokenKind::kWord) continue;
    bool called = token_idx + 1 < body.size() && IsPunct(body[token_idx + 1], '(');
    if (called) {
      auto function = DeniedFunctions().find(token.value);
      if (function != DeniedFunctions().end()) {
        return Fail(Denied("function " + token.value + " at " + At(token) + " is not allowed (" +
                           std::string(function->second) + ")"));
      }
    }
    if (token_idx < show_keywords_end) continue;
    auto word = DeniedWords().find(token.value);
    if (word != DeniedWords().end()) {
      return Fail(Denied(token.value + " at " + At(token) + " is not allowed: it " +
                         std::string(word->second) + "; tools only read"));
    }
    bool next_is = token_idx + 1 < body.size();
    if (token.value == "FOR" && next_is && IsWord(body[token_idx + 1], "SHARE")) {
      return Fail(Denied("FOR SHARE at " + At(token) + " takes row locks; remove it"));
    }
    if ((token.value == "NEXT" || token.value == "PREVIOUS") && next_is &&
        IsWord(body[token_idx + 1], "VALUE")) {
      return Fail(Denied(token.value + " VALUE FOR at " + At(token) +
                         " reads or advances a sequence; remove it"));
    }
  }
  for (const SqlToken& token : tokens) {
    if (token.kind == SqlTokenKind::kHint) RH_RETURN_IF_ERROR(CheckHint(token, options));
  }
  RH_RETURN_IF_ERROR(CheckDeniedTables(tokens, options));
  RH_RETURN_IF_ERROR(CheckDeniedTables(standard, options));

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
