// SqlAllowLists: every list the SQL guard decides by, in one place (tools/README.md describes
// them): which functions a run_sql statement may call on each dialect, which words may stand
// before '(' without being a function call, which SHOW statements may run, and which schema
// catalogs stay closed.
//
// Functions are allowed by name, never denied by name: a call of anything not listed here is
// refused, so a spelling the guard did not foresee (`get_lock`, "sleep", a new server built-in,
// a stored function) is refused by default. Names are compared after normalisation: unquoted,
// lower-case ASCII (SqlGuard does that).
// Thread-safety: read-only tables built on first use; safe for concurrent calls.
#pragma once

#include <span>
#include <string_view>

#include "tools/sql_guard.h"

namespace rh::tools::internal {

// "SQLite" or "MySQL/MariaDB/StarRocks", for messages.
std::string_view SqlDialectLabel(SqlDialect dialect);

// Whether `lower_name` (normalised) is a function run_sql may call on `dialect`.
bool IsAllowedFunction(SqlDialect dialect, std::string_view lower_name);

// Why a known-dangerous function is refused ("takes a named server lock"), or empty for a name
// that is merely not on the allow-list.
std::string_view WhyFunctionRefused(std::string_view lower_name);

// Keywords and type names that may be followed by '(' without calling a function: IN (...),
// EXISTS (...), OVER (...), CAST(x AS DECIMAL(10, 2)), ... `upper_word` is an unquoted word
// (a quoted name before '(' is always a call).
bool IsSyntaxBeforeParen(std::string_view upper_word);

// SHOW statements allowed on MySQL-family servers (SQLite answers a few of them itself).
struct ShowForm {
  std::span<const std::string_view> words;  // upper-case words after SHOW and its modifiers
  // A listing of table (or database) names: only FROM/IN <database> and LIKE '<pattern>' may
  // follow, never WHERE, which could compute on names the tools may not read.
  bool lists_names = false;
};
// The longest allowed form `words` (after SHOW and FULL/GLOBAL/SESSION/EXTENDED/ALL) starts
// with, or nullptr.
const ShowForm* FindShowForm(std::span<const std::string_view> words);
// Modifiers that may stand between SHOW and the form (FULL, GLOBAL, SESSION, EXTENDED, ALL).
bool IsShowModifier(std::string_view upper_word);
// Why a SHOW statement whose first words (after modifiers) are `first` `second` is refused, when
// there is a specific reason (GRANTS, CREATE USER: credentials; PROCESSLIST: other sessions'
// queries; ...), else empty.
std::string_view WhyShowRefused(std::string_view first, std::string_view second);
// A comma-separated list of the allowed SHOW forms, for messages.
std::string_view AllowedShowForms();
// StarRocks SHOW PROC '<path>': whether the path's first component may be read.
bool IsReadableProcPath(std::string_view path);

// Schema catalogs. A name (normalised) that is a closed schema: information_schema, mysql,
// performance_schema, sys, StarRocks' _statistics_ and audit database; the reason, else empty.
std::string_view WhyCatalogClosed(std::string_view lower_name);
// information_schema tables that carry no table names, credentials or query texts (StarRocks
// runtime views such as be_tablets, be_compactions, fe_metrics): readable.
bool IsReadableInformationSchemaTable(std::string_view lower_name);
// SQLite's own catalog and introspection tables: sqlite_* (sqlite_master, sqlite_schema,
// sqlite_sequence, sqlite_stat1, ...), the pragma_* table-valued functions and dbstat.
bool IsSqliteCatalog(std::string_view lower_name);

}  // namespace rh::tools::internal
