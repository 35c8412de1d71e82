// SqlLexer: splits SQL text into tokens the way a database server would, for the SQL guard.
//
// Three readings, because the servers Rockhound talks to disagree about SQL's surface:
//  - kMysql (MySQL, MariaDB, StarRocks): backslash escapes inside '...' and "..."; `--` starts a
//    comment only when followed by whitespace or a control character (else it is two minus
//    signs); `#` starts a line comment; `/*! ... */` and `/*M! ... */` are executable comments
//    (refused); `[` is plain punctuation.
//  - kStandard (MySQL with NO_BACKSLASH_ESCAPES, and the portable reading): no backslash
//    escapes; `--` always starts a comment; `[...]` is a quoted identifier; `#` starts a line
//    comment, as on every MySQL-family server.
//  - kSqlite (SQLite's own tokenizer): as kStandard, except that SQLite has no `#` comment:
//    `#` is a token of its own (SQLite reads `#name` as a parameter and a bare `#` as an error).
// The guard requires two readings to agree token for token (tools/sql_guard.h), so a text that
// one server would read as two statements and another as one never passes.
// Comments are dropped, except optimizer hints `/*+ ... */`, which become kHint tokens (they can
// change session limits). Executable comments, unterminated literals/comments, NUL and other
// control characters and invalid UTF-8 are errors (invalid_argument naming the byte offset).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::tools::internal {

enum class LexDialect { kMysql, kStandard, kSqlite };

enum class SqlTokenKind {
  kWord,         // keyword, unquoted identifier or number: [A-Za-z0-9_$] and bytes >= 0x80
  kQuotedIdent,  // `...`, [...] (standard), "..." is kString (it may be either)
  kString,       // '...' or "..."
  kPunct,        // one punctuation character: ( ) , ; . = < > + - * / % ! ? @ : # (kSqlite)
  kHint,         // an optimizer hint comment /*+ ... */ (value: the text between the markers)
};

struct SqlToken {
  SqlTokenKind kind;
  size_t offset;      // byte offset of the token in the input
  size_t length;      // bytes, including quotes
  std::string value;  // kWord: upper-cased; quoted kinds: the unquoted content; kPunct: the char
};

// Position of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF are invalid), or npos when `text` is valid.
size_t FindInvalidUtf8(std::string_view text);

Result<std::vector<SqlToken>> LexSql(std::string_view sql, LexDialect dialect);

}  // namespace rh::tools::internal
