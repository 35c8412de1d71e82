// SqlGuard: decides whether a SQL text from a model may run on the fleet database, before it
// ever reaches a connection. It is the first of two locks on run_sql; the second is the guarded
// read-only session (store::OpenOptions::guarded) the statement then runs on.
//
// The guard knows which server will run the statement (SqlGuardOptions::dialect) and reads the
// text the way that server's parser does. A statement passes only if ALL of these hold:
//  - it is valid UTF-8 without control characters, at most max_length bytes, with balanced
//    parentheses nested at most max_nesting deep, without `?` placeholders, stray backslashes
//    or a lone carriage return inside a line comment;
//  - two readings agree token for token: for MySQL-family servers, MySQL's (backslash escapes,
//    `--` needs a space, `#` comments) and the NO_BACKSLASH_ESCAPES/portable one (no backslash
//    escapes, `--` always a comment, `[identifiers]`); for SQLite, MySQL's and SQLite's own
//    (no backslash escapes, no `#` comment: `#` is a parameter or an error there). So no quoting
//    or comment trick can show the server a statement boundary the guard did not see, and a `#`
//    is refused on SQLite. MySQL executable comments (`/*! */`, `/*M! */`) are refused;
//  - identifiers are normalised before every check: backticks, double quotes and [brackets]
//    removed, ASCII case folded, comments between a name and its `(` dropped; identifiers are
//    ASCII, and quoted ones hold only letters, digits, `_`, `$` and spaces;
//  - it is exactly one statement (trailing semicolons are dropped) of an allowed kind: SELECT,
//    WITH ... SELECT (every CTE body a query too), SHOW of an allowed form, DESCRIBE/DESC
//    <table> or EXPLAIN (of a SELECT or a table; never EXPLAIN ANALYZE, which executes);
//  - every function it calls is on the dialect's allow-list (tools/internal/sql_allow_lists.h),
//    at most max_function_calls of them; a call of any other name, quoted or qualified, is
//    refused with the name;
//  - outside literals it contains no write or admin keyword (INSERT, UPDATE, DELETE, DROP,
//    ALTER, CREATE, TRUNCATE, GRANT, REVOKE, ATTACH, DETACH, PRAGMA, VACUUM, KILL, ADMIN, LOCK,
//    INTO, OUTFILE, DUMPFILE, ANALYZE, ...; SHOW statements may name them, e.g. SHOW CREATE
//    TABLE), no locking read (FOR UPDATE/FOR SHARE/LOCK IN SHARE MODE) and no sequence advance;
//  - SHOW is one of the allowed forms (no GRANTS, CREATE USER, PRIVILEGES, PROCESSLIST,
//    WARNINGS, ...); a SHOW that lists table names (TABLES, TABLE STATUS, DATA, ...) takes only
//    FROM <database> and LIKE '<pattern>', never WHERE;
//  - optimizer hints only lower the caps: SET_VAR(query_timeout <= the cap, sql_select_limit <=
//    max_rows) and MAX_EXECUTION_TIME(<= the cap); any other SET_VAR/SET_USER_VARIABLE/
//    RESOURCE_GROUP hint is refused;
//  - it names no denied table (as an identifier, or inside a string literal) and no schema
//    catalog: information_schema (except the StarRocks runtime views that carry no names),
//    mysql, performance_schema, sys, SQLite's sqlite_* tables, pragma_* functions and dbstat.
//    The catalogs stay closed because a catalog query can transform a table name in ways no
//    name check can follow (REVERSE(table_name), LIKE 'sim%', hex(name)); SHOW TABLES,
//    DESCRIBE and SHOW CREATE TABLE answer the same questions with the denied tables filtered.
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

// The server that will run the statement. kMysql: MySQL, MariaDB and StarRocks.
enum class SqlDialect { kSqlite, kMysql };

// SQLite printf()/format(): the largest width or precision a conversion may ask for (the
// guarded connection enforces the same cap on values computed at run time).
inline constexpr int kMaxPrintfWidth = 1000;

struct SqlGuardOptions {
  SqlDialect dialect = SqlDialect::kMysql;
  std::vector<std::string> denied_tables;  // compared case-insensitively
  size_t max_length = 20000;               // bytes
  int max_nesting = 64;                    // parentheses depth
  int max_function_calls = 100;            // per statement
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
