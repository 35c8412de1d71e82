// SqlGuard: decides whether a SQL text from a model may run on the fleet database, before it
// ever reaches a connection. It is the first of two locks on run_sql; the second is the guarded
// read-only session (store::OpenOptions::guarded) the statement then runs on.
//
// A statement passes only if ALL of these hold:
//  - it is valid UTF-8 without control characters, at most max_length bytes, with balanced
//    parentheses nested at most max_nesting deep, without `?` placeholders, stray backslashes
//    or a lone carriage return inside a line comment;
//  - it lexes to the same tokens under MySQL rules (backslash escapes, `--` needs a space,
//    `#` comments) and SQLite rules (no backslash escapes, `[identifiers]`), so no quoting or
//    comment trick can hide text from one server that the other runs; MySQL executable comments
//    (`/*! */`, `/*M! */`) are refused;
//  - it is exactly one statement (trailing semicolons are dropped) of an allowed kind: SELECT,
//    WITH ... SELECT (every CTE body a query too), SHOW, DESCRIBE/DESC <table> or EXPLAIN (of a
//    SELECT or a table; never EXPLAIN ANALYZE, which executes);
//  - outside literals it contains no write or admin keyword (INSERT, UPDATE, DELETE, DROP,
//    ALTER, CREATE, TRUNCATE, GRANT, REVOKE, ATTACH, DETACH, PRAGMA, VACUUM, KILL, ADMIN, LOCK,
//    INTO, OUTFILE, DUMPFILE, ANALYZE, ...; SHOW statements may name them, e.g. SHOW CREATE
//    TABLE), no locking read (FOR UPDATE/FOR SHARE/LOCK IN SHARE MODE), no sequence advance,
//    and no dangerous function (LOAD_FILE, load_extension, readfile/writefile, SLEEP, BENCHMARK,
//    GET_LOCK, FILES(), NEXTVAL, ...);
//  - optimizer hints only lower the caps: SET_VAR(query_timeout <= the cap, sql_select_limit <=
//    max_rows) and MAX_EXECUTION_TIME(<= the cap); any other SET_VAR/SET_USER_VARIABLE/
//    RESOURCE_GROUP hint is refused;
//  - it names no denied table (as an identifier, or inside a string literal).
// Failures: invalid_argument for text that cannot be read (bad UTF-8, unterminated literal,
// too long, empty), permission_denied for everything the policy refuses. Every message says
// what was found (with its byte offset where useful) and what to do instead.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::tools {

enum class SqlStatementKind { kSelect, kShow, kDescribe, kExplain };
std::string_view SqlStatementKindName(SqlStatementKind kind);

struct SqlGuardOptions {
  std::vector<std::string> denied_tables;  // compared case-insensitively
  size_t max_length = 20000;               // bytes
  int max_nesting = 64;                    // parentheses depth
  int max_timeout_seconds = 10;            // hints may not raise the time cap above this
  int64_t max_rows = 200;                  // hints may not raise sql_select_limit above this
};

struct CheckedSql {
  SqlStatementKind kind = SqlStatementKind::kSelect;
  // The statement to run: from its first token to its last, trailing semicolons and
  // surrounding comments removed.
  std::string sql;
  // Upper-cased leading words (SHOW TABLES -> {"SHOW", "TABLES"}), up to the first non-word.
  std::vector<std::string> leading_words;
  // DESCRIBE t, SHOW COLUMNS FROM t, SHOW CREATE TABLE t: the (unquoted) table name t.
  std::string object_name;
};

Result<CheckedSql> CheckSql(std::string_view sql, const SqlGuardOptions& options);

}  // namespace rh::tools
