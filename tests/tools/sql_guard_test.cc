#include "tools/sql_guard.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/internal/sql_allow_lists.h"
#include "tools/internal/sql_lexer.h"

namespace rh::tools {
namespace {

SqlGuardOptions Options(SqlDialect dialect = SqlDialect::kMysql) {
  SqlGuardOptions options;
  options.dialect = dialect;
  options.denied_tables = {"sim_ground_truth"};
  options.max_timeout_seconds = 10;
  options.max_rows = 200;
  return options;
}

std::string Rejection(std::string_view sql, SqlDialect dialect = SqlDialect::kMysql) {
  auto checked = CheckSql(sql, Options(dialect));
  if (checked) return "";
  return checked.error().message;
}

constexpr SqlDialect kBothDialects[] = {SqlDialect::kSqlite, SqlDialect::kMysql};

std::string DialectName(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? "sqlite" : "mysql";
}

TEST(SqlGuardTest, AcceptsTheAllowedKinds) {
  struct Case {
    const char* sql;
    SqlStatementKind kind;
  };
  const Case cases[] = {
      {"SELECT 1", SqlStatementKind::kSelect},
      {"  select cluster_id from cluster_info ;;  ", SqlStatementKind::kSelect},
      {"(SELECT 1) UNION ALL (SELECT 2)", SqlStatementKind::kSelect},
      {"WITH r AS (SELECT 1 AS x) SELECT x FROM r", SqlStatementKind::kSelect},
      {"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i "
       "FROM n",
       SqlStatementKind::kSelect},
      {"WITH a AS (SELECT 1), b AS (WITH c AS (SELECT 2) SELECT * FROM c) SELECT * FROM a, b",
       SqlStatementKind::kSelect},
      {"SHOW TABLES", SqlStatementKind::kShow},
      {"SHOW CREATE TABLE lark_alerts", SqlStatementKind::kShow},
      {"SHOW ALTER TABLE COLUMN FROM db1", SqlStatementKind::kShow},
      {"SHOW DELETE FROM db1", SqlStatementKind::kShow},
      {"SHOW TABLES LIKE 'lark%'", SqlStatementKind::kShow},
      {"SHOW FULL TABLES FROM db1 LIKE 'lark%'", SqlStatementKind::kShow},
      {"SHOW COLUMNS FROM lark_alerts WHERE Field LIKE 'alert%'", SqlStatementKind::kShow},
      {"SHOW PROC '/backends'", SqlStatementKind::kShow},
      {"SHOW GLOBAL VARIABLES LIKE 'query_timeout'", SqlStatementKind::kShow},
      {"DESCRIBE cluster_info", SqlStatementKind::kDescribe},
      {"DESC `cluster_info`", SqlStatementKind::kDescribe},
      {"EXPLAIN SELECT * FROM cluster_info", SqlStatementKind::kExplain},
      {"EXPLAIN QUERY PLAN SELECT 1", SqlStatementKind::kExplain},
      {"EXPLAIN FORMAT=JSON SELECT 1", SqlStatementKind::kExplain},
      {"SELECT 'DROP TABLE x; -- not code' AS text", SqlStatementKind::kSelect},
      {"SELECT 1 -- a comment\n", SqlStatementKind::kSelect},
      {"/* leading */ SELECT /* inner */ 1 # trailing", SqlStatementKind::kSelect},
      {"SELECT REPLACE(alert_name, 'Alert', '') FROM lark_alerts", SqlStatementKind::kSelect},
      {"SELECT /*+ SET_VAR(query_timeout = 5) */ COUNT(*) FROM cluster_info",
       SqlStatementKind::kSelect},
      {"SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1", SqlStatementKind::kSelect},
      {"SELECT 'it''s' AS quoted, \"double\" AS d, `ticks` AS t", SqlStatementKind::kSelect},
      {"SELECT TRUNCATE(avg_value, 2), DATE_FORMAT(t, '%Y') FROM x", SqlStatementKind::kSelect},
      {"SELECT * FROM information_schema.be_tablets", SqlStatementKind::kSelect},
      {"SELECT 'naïve 日本語' AS unicode", SqlStatementKind::kSelect},
  };
  for (const Case& each : cases) {
    auto checked = CheckSql(each.sql, Options());
    ASSERT_TRUE(checked) << each.sql << " -> " << checked.error().ToString();
    EXPECT_EQ(checked->kind, each.kind) << each.sql;
  }
}

TEST(SqlGuardTest, StripsTrailingSemicolonsAndComments) {
  auto checked = CheckSql("  SELECT 1 ; ; -- done", Options());
  ASSERT_TRUE(checked);
  EXPECT_EQ(checked->sql, "SELECT 1");
}

TEST(SqlGuardTest, DescribeAndShowName_Their_Table) {
  auto describe = CheckSql("DESCRIBE Cluster_Info", Options());
  ASSERT_TRUE(describe);
  EXPECT_EQ(describe->object_name, "cluster_info");
  auto show = CheckSql("SHOW COLUMNS FROM lark_alerts", Options());
  ASSERT_TRUE(show);
  EXPECT_EQ(show->object_name, "lark_alerts");
  EXPECT_EQ(show->leading_words[1], "COLUMNS");
}

TEST(SqlGuardTest, RejectsWithAReasonThatNamesTheProblem) {
  struct Case {
    const char* sql;
    const char* reason;  // a fragment the message must contain
  };
  const Case cases[] = {
      {"SELECT 1; DROP TABLE cluster_info", "more than one statement"},
      {"SELECT 1 --x; DROP TABLE t", "ambiguous SQL"},
      {"SELECT 'a\\'; DROP TABLE t; -- '", "ambiguous SQL"},
      {"SELECT [a;b] FROM t", "ambiguous SQL"},
      {"DROP TABLE cluster_info", "DROP statements are not allowed"},
      {"INSERT INTO t VALUES (1)", "INSERT statements are not allowed"},
      {"WITH x AS (SELECT 1) DELETE FROM cluster_info", "DELETE"},
      {"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "DELETE"},
      {"SELECT * FROM cluster_info INTO OUTFILE '/tmp/x'", "INTO"},
      {"SELECT LOAD_FILE('/etc/passwd')", "LOAD_FILE"},
      {"SELECT load_extension('x')", "LOAD_EXTENSION"},
      {"SELECT * FROM t FOR UPDATE", "UPDATE"},
      {"SELECT * FROM t LOCK IN SHARE MODE", "LOCK"},
      {"SELECT * FROM t FOR SHARE", "FOR SHARE"},
      {"EXPLAIN ANALYZE SELECT 1", "ANALYZE executes"},
      {"EXPLAIN DELETE FROM t", "only of a SELECT or of a table"},
      {"ADMIN SET FRONTEND CONFIG ('a' = 'b')", "ADMIN"},
      {"KILL 12", "KILL"},
      {"SET GLOBAL max_connections = 1", "SET changes"},
      {"SELECT /*! 1; DROP TABLE t */", "executable comment"},
      {"SELECT /*M!100000 1 */", "executable comment"},
      {"SELECT /*+ SET_VAR(query_timeout = 3600) */ 1", "hints may only lower"},
      {"SELECT /*+ SET_VAR(query_mem_limit = 1) */ 1", "SET_VAR(query_mem_limit"},
      {"SELECT /*+ MAX_EXECUTION_TIME(999999) */ 1", "MAX_EXECUTION_TIME"},
      {"SELECT * FROM sim_ground_truth", "sim_ground_truth is not readable"},
      {"SELECT * FROM `SIM_GROUND_TRUTH`", "sim_ground_truth is not readable"},
      {"SELECT * FROM \"sim_ground_truth\"", "sim_ground_truth is not readable"},
      {"SELECT * FROM pragma_table_info('sim_ground_truth')", "sim_ground_truth"},
      {"PRAGMA writable_schema = 1", "PRAGMA"},
      {"ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH"},
      {"SELECT ?", "placeholder"},
      {"SELECT (1", "unbalanced"},
      {"SELECT 1)", "unbalanced"},
      {"", "empty statement"},
      {";", "empty statement"},
      {"-- only a comment", "empty statement"},
      {"/*+ SET_VAR(query_timeout = 5) */", "empty statement"},
      {"/*k in)*//*+ *//*+ OUPad)*/ ", "empty statement"},  // found by sql_guard_fuzzer
      {"SELECT 'unterminated", "unterminated string"},
      {"SELECT /* unterminated", "unterminated /* comment"},
      {"SELECT\x01 1", "control character"},
      {"SELECT 1 -- x\r; DROP TABLE t", "carriage return inside a line comment"},
      {"SELECT '\xff'", "not valid UTF-8"},
      {"SELECT SLEEP(100)", "SLEEP"},
      {"SELECT NEXT VALUE FOR s", "VALUE FOR"},
      {"SELECT * FROM FILES('path' = 's3://b/x')", "FILES"},
      {"SHOW TABLES WHERE 1 IN (SELECT 1 FROM t FOR UPDATE)", "takes only FROM"},
      {"SHOW TABLES LIKE 'x' INTO OUTFILE '/tmp/x'", "INTO"},
      {"SHOW COLUMNS FROM t WHERE 1 IN (SELECT 1 FROM t FOR UPDATE)", "UPDATE"},
  };
  for (const Case& each : cases) {
    std::string reason = Rejection(each.sql);
    EXPECT_NE(reason.find(each.reason), std::string::npos)
        << "sql: " << each.sql << "\nreason: " << (reason.empty() ? "(accepted)" : reason);
  }
}

TEST(SqlGuardTest, BoundsLengthAndNesting) {
  std::string nested = "SELECT " + std::string(65, '(') + "1" + std::string(65, ')');
  EXPECT_NE(Rejection(nested).find("nested 65 deep"), std::string::npos);
  std::string ok = "SELECT " + std::string(64, '(') + "1" + std::string(64, ')');
  EXPECT_EQ(Rejection(ok), "");
  std::string long_sql = "SELECT '" + std::string(30000, 'a') + "'";
  EXPECT_NE(Rejection(long_sql).find("the limit is 20000"), std::string::npos);
}

TEST(SqlGuardTest, ErrorCodesSeparateUnreadableFromRefused) {
  auto unreadable = CheckSql("SELECT 'x", Options());
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, ErrorCode::kInvalidArgument);
  auto refused = CheckSql("DROP TABLE x", Options());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

// issue #13: `get_lock`('x', 0) ran on MariaDB because the deny list compared unquoted words.
// Every spelling a server reads as a call of a refused function is refused, on both dialects.
TEST(SqlGuardTest, RefusesFunctionsHoweverTheirNameIsSpelled) {
  const char* functions[] = {"get_lock",     "sleep",           "benchmark",
                             "load_file",    "master_pos_wait", "release_all_locks",
                             "release_lock", "load_extension",  "readfile"};
  for (SqlDialect dialect : kBothDialects) {
    for (const char* function : functions) {
      std::string upper = function;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string mixed = upper;
      for (size_t char_idx = 0; char_idx < mixed.size(); char_idx += 2) {
        mixed[char_idx] =
            static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[char_idx])));
      }
      const std::string spellings[] = {
          std::string("SELECT ") + function + "('x', 0)",
          std::string("SELECT `") + function + "`('x', 0)",
          std::string("SELECT `") + upper + "`('x', 0)",
          std::string("SELECT \"") + function + "\"('x', 0)",
          std::string("SELECT ") + mixed + "('x', 0)",
          std::string("SELECT ") + function + "/* split */('x', 0)",
          std::string("SELECT `") + function + "` -- split\n('x', 0)",
          std::string("SELECT `") + function + "`/*+ hint */('x', 0)",
          std::string("SELECT 1 FROM t WHERE `") + function + "`('x', 0) = 1",
          std::string("WITH a AS (SELECT `") + function + "`('x', 0) AS v) SELECT v FROM a",
      };
      for (const std::string& sql : spellings) {
        std::string reason = Rejection(sql, dialect);
        EXPECT_NE(reason.find("function " + upper), std::string::npos)
            << DialectName(dialect) << ": " << sql
            << "\nreason: " << (reason.empty() ? "(accepted)" : reason);
      }
      // Brackets are an identifier only to SQLite: the readings disagree, refused either way.
      EXPECT_NE(Rejection(std::string("SELECT [") + function + "]('x', 0)", dialect), "");
      // Inside an executable comment, or qualified as a stored function.
      EXPECT_NE(Rejection(std::string("SELECT /*!50000 `") + function + "`('x', 0) */", dialect)
                    .find("executable comment"),
                std::string::npos);
      EXPECT_NE(Rejection(std::string("SELECT db.`") + function + "`('x', 0)", dialect)
                    .find("qualified function name"),
                std::string::npos);
    }
  }
}

TEST(SqlGuardTest, FunctionsAreAllowedByAListPerDialect) {
  // Unknown names are refused by name, with the dialect.
  std::string unknown = Rejection("SELECT my_udf(1)", SqlDialect::kMysql);
  EXPECT_NE(unknown.find("function MY_UDF at byte 7 is not on run_sql's MySQL/MariaDB/StarRocks "
                         "allow-list"),
            std::string::npos)
      << unknown;
  EXPECT_NE(Rejection("SELECT my_udf(1)", SqlDialect::kSqlite).find("SQLite allow-list"),
            std::string::npos);
  // Dialect-specific functions.
  EXPECT_EQ(Rejection("SELECT printf('%.2f', x) FROM t", SqlDialect::kSqlite), "");
  EXPECT_NE(Rejection("SELECT printf('%.2f', x) FROM t", SqlDialect::kMysql), "");
  EXPECT_EQ(Rejection("SELECT DATE_FORMAT(t, '%Y') FROM x", SqlDialect::kMysql), "");
  EXPECT_NE(Rejection("SELECT DATE_FORMAT(t, '%Y') FROM x", SqlDialect::kSqlite), "");
  // What diagnostic queries use, on both, with the keywords and types that take parentheses.
  const char* portable[] = {
      "SELECT COUNT(*), SUM(a), AVG(b), MIN(c), MAX(d), ROUND(AVG(e), 2) FROM t",
      "SELECT COALESCE(a, 'x'), NULLIF(a, ''), IFNULL(a, 0), ABS(b), UPPER(c), LOWER(c) FROM t",
      "SELECT SUBSTR(a, 1, 3), SUBSTRING(a, 2), LENGTH(a), REPLACE(a, 'x', 'y'), TRIM(a) FROM t",
      "SELECT a FROM t WHERE a IN (1, 2) AND EXISTS (SELECT 1) AND NOT (a = 1) OR (b > 2)",
      "SELECT CAST(a AS DECIMAL(10, 2)), CAST(b AS CHAR(5)), CAST(c AS VARCHAR(20)) FROM t",
      "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b), LAG(b) OVER (ORDER BY b) FROM t",
      "SELECT CASE WHEN (a > 1) THEN (1) ELSE (2) END FROM t GROUP BY (a) ORDER BY (a)",
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n",
      "WITH `w`(a) AS (SELECT 1) SELECT a FROM w",
      "SELECT * FROM (SELECT 1) AS x JOIN (SELECT 2) AS y ON (1 = 1)",
      "SELECT GROUP_CONCAT(DISTINCT a), COUNT(DISTINCT (a)) FROM t",
  };
  for (SqlDialect dialect : kBothDialects) {
    for (const char* sql : portable) {
      EXPECT_EQ(Rejection(sql, dialect), "") << DialectName(dialect) << ": " << sql;
    }
  }
  // The lists themselves: nothing with a side effect, a wait or credentials is on either.
  for (SqlDialect dialect : kBothDialects) {
    for (const char* name : {"sleep",
                             "benchmark",
                             "get_lock",
                             "release_lock",
                             "release_all_locks",
                             "is_free_lock",
                             "load_file",
                             "load_extension",
                             "readfile",
                             "writefile",
                             "master_pos_wait",
                             "master_gtid_wait",
                             "source_pos_wait",
                             "nextval",
                             "setval",
                             "lastval",
                             "files",
                             "extractvalue",
                             "updatexml",
                             "password",
                             "user",
                             "current_user",
                             "connection_id",
                             "zeroblob",
                             "randomblob",
                             "sqlite_log",
                             "fts3_tokenizer",
                             "sys_exec",
                             "edit"}) {
      EXPECT_FALSE(internal::IsAllowedFunction(dialect, name)) << DialectName(dialect) << name;
      EXPECT_FALSE(internal::WhyFunctionRefused(name).empty()) << name;
    }
    for (const char* name :
         {"count",      "sum",    "avg",    "min",     "max",          "round", "abs",
          "coalesce",   "nullif", "substr", "replace", "lower",        "upper", "length",
          "row_number", "rank",   "lag",    "lead",    "group_concat", "instr"}) {
      EXPECT_TRUE(internal::IsAllowedFunction(dialect, name)) << DialectName(dialect) << name;
    }
  }
  // Keywords before '(' are not calls; a quoted keyword is a name, and a call.
  EXPECT_TRUE(internal::IsSyntaxBeforeParen("IN"));
  EXPECT_TRUE(internal::IsSyntaxBeforeParen("DECIMAL"));
  EXPECT_FALSE(internal::IsSyntaxBeforeParen("SLEEP"));
  EXPECT_NE(Rejection("SELECT `in`(1)"), "");
}

TEST(SqlGuardTest, CapsFunctionCallsPerStatement) {
  auto calls = [](int count) {
    std::string sql = "SELECT 0";
    for (int call_idx = 0; call_idx < count; ++call_idx) sql += " + abs(1)";
    return sql;
  };
  EXPECT_EQ(Rejection(calls(100)), "");
  EXPECT_NE(Rejection(calls(101)).find("more than 100 function calls"), std::string::npos);
}

// SQLite printf/format: one call with a huge width runs for seconds where no time cap reaches.
TEST(SqlGuardTest, BoundsSqlitePrintf) {
  const SqlDialect sqlite = SqlDialect::kSqlite;
  EXPECT_EQ(Rejection("SELECT printf('%5.2f|%-10s|%%|%,d', 1.5, 'x', 1000)", sqlite), "");
  EXPECT_EQ(Rejection("SELECT format('%.1000c', 'x')", sqlite), "");
  EXPECT_NE(Rejection("SELECT printf('%.*c', 2000000000, 'x')", sqlite).find("'*' widths"),
            std::string::npos);
  EXPECT_NE(Rejection("SELECT printf('%*d', 5, 1)", sqlite).find("'*' widths"), std::string::npos);
  EXPECT_NE(Rejection("SELECT printf('%.1001c', 'x')", sqlite).find("1001 is too large"),
            std::string::npos);
  EXPECT_NE(Rejection("SELECT format('%2000000000d', 1)", sqlite).find("too large"),
            std::string::npos);
  EXPECT_NE(Rejection("SELECT printf(fmt, 1) FROM t", sqlite).find("must be a string literal"),
            std::string::npos);
  EXPECT_NE(Rejection("SELECT `printf`('%.*c', 2, 'x')", sqlite).find("'*' widths"),
            std::string::npos);
  EXPECT_NE(Rejection("SELECT zeroblob(10)", sqlite).find("ZEROBLOB"), std::string::npos);
  EXPECT_NE(Rejection("SELECT randomblob(10)", sqlite).find("RANDOMBLOB"), std::string::npos);
}

// issue #13: `SELECT 1, #x;DELETE ...` passed the guard; SQLite reads #x as a parameter and the
// text after it as a second statement. MySQL reads # as a comment.
TEST(SqlGuardTest, ReadsHashTheWayEachServerDoes) {
  const SqlDialect sqlite = SqlDialect::kSqlite;
  for (const char* sql : {"SELECT 1, #x;DELETE FROM t", "SELECT 4 # comment", "SELECT #x",
                          "SELECT 1 #\n", "SELECT a FROM t WHERE a = #p"}) {
    EXPECT_NE(Rejection(sql, sqlite).find("SQLite has no # comments"), std::string::npos) << sql;
  }
  auto mysql = CheckSql("SELECT 4 # comment", Options(SqlDialect::kMysql));
  ASSERT_TRUE(mysql) << mysql.error().ToString();
  EXPECT_EQ(mysql->sql, "SELECT 4");
  // MySQL: the rest of the line is a comment, so this is the single statement "SELECT 1,".
  auto comma = CheckSql("SELECT 1, #x;DELETE FROM t", Options(SqlDialect::kMysql));
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->sql, "SELECT 1,");
  EXPECT_NE(Rejection("SELECT 1 #x\n; DELETE FROM t").find("more than one statement"),
            std::string::npos);
  EXPECT_EQ(Rejection("SELECT '#' AS hash, \"#\" AS h2", sqlite), "");
}

TEST(SqlGuardTest, RefusesPrivilegeReads) {
  struct Case {
    const char* sql;
    const char* reason;
  };
  const Case cases[] = {
      {"SHOW GRANTS", "SHOW GRANTS is not allowed (it reads privileges and credentials)"},
      {"show grants for current_user()", "SHOW GRANTS is not allowed"},
      {"SHOW CREATE USER rh", "SHOW CREATE USER is not allowed (it reads credentials)"},
      {"SHOW PRIVILEGES", "SHOW PRIVILEGES is not allowed"},
      {"SHOW FULL PROCESSLIST", "other sessions' queries"},
      {"SHOW ENGINE INNODB STATUS", "SHOW ENGINE is not allowed"},
      {"SHOW WARNINGS", "repeats values"},
      {"SHOW RUNNING QUERIES", "other sessions' queries"},
      {"SHOW PROC '/current_queries'", "not the query lists"},
      {"SHOW SLAVE STATUS", "replication"},
      {"SHOW OPEN TABLES", "SHOW OPEN is not allowed"},
      {"SHOW SOMETHING", "run_sql allows SHOW TABLES, TABLE STATUS"},
      {"SELECT * FROM mysql.user", "schema mysql at byte 14 is not readable"},
      {"SELECT * FROM `MySQL`.`user`", "password hashes"},
      {"SELECT * FROM \"mysql\".user", "schema mysql"},
      {"SELECT * FROM information_schema.USER_PRIVILEGES", "schema information_schema"},
      {"SELECT info FROM information_schema.processlist", "schema information_schema"},
      {"SELECT * FROM performance_schema.threads", "schema performance_schema"},
      {"SELECT * FROM sys.processlist", "schema sys"},
      {"SHOW TABLES FROM mysql", "schema mysql"},
      {"DESCRIBE mysql.user", "schema mysql"},
  };
  for (SqlDialect dialect : kBothDialects) {
    for (const Case& each : cases) {
      std::string reason = Rejection(each.sql, dialect);
      EXPECT_NE(reason.find(each.reason), std::string::npos)
          << DialectName(dialect) << ": " << each.sql
          << "\nreason: " << (reason.empty() ? "(accepted)" : reason);
    }
  }
}

// The catalogs stay closed, so no transformation of a table name in a catalog query can
// reveal the ground truth; SHOW listings take no WHERE.
TEST(SqlGuardTest, ClosesTheSchemaCatalogs) {
  const char* refused[] = {
      "SELECT sql FROM sqlite_master",
      "SELECT sql FROM sqlite_schema WHERE hex(name) = hex('x')",
      "SELECT sql FROM `SQLITE_MASTER`",
      "SELECT sql FROM \"sqlite_master\"",
      "SELECT sql FROM main.sqlite_master",
      "SELECT * FROM sqlite_temp_master",
      "SELECT * FROM sqlite_sequence",
      "SELECT name FROM dbstat",
      "SELECT * FROM pragma_table_list",
      "SELECT * FROM pragma_table_info(lower('X'))",
      "SELECT REVERSE(table_name) FROM information_schema.tables",
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'sim%'",
      "SELECT column_name FROM INFORMATION_SCHEMA.COLUMNS",
      "SELECT * FROM information_schema . columns",
      "SELECT * FROM information_schema.partitions_meta",
      "SHOW TABLES FROM information_schema",
      "SHOW TABLES WHERE Tables_in_db LIKE 'sim%'",
      "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'",
      "SHOW TABLE STATUS WHERE Name LIKE 'sim%'",
      "SHOW TABLES LIKE 'sim%' OR 1 = 1",
      "SHOW DATABASES WHERE 1",
  };
  for (SqlDialect dialect : kBothDialects) {
    for (const char* sql : refused) {
      EXPECT_NE(Rejection(sql, dialect), "") << DialectName(dialect) << ": " << sql;
    }
  }
  std::string reason = Rejection("SELECT name FROM sqlite_master", SqlDialect::kSqlite);
  EXPECT_NE(reason.find("SHOW TABLES"), std::string::npos) << reason;
  EXPECT_NE(reason.find("DESCRIBE <table>"), std::string::npos) << reason;
  // StarRocks runtime views that carry no table names stay readable on MySQL-family servers.
  EXPECT_EQ(Rejection("SELECT * FROM information_schema.be_compactions", SqlDialect::kMysql), "");
  EXPECT_NE(Rejection("SELECT * FROM information_schema.be_compactions", SqlDialect::kSqlite), "");
}

TEST(SqlGuardTest, IdentifiersArePlainAscii) {
  EXPECT_NE(Rejection("SELECT \xc5\xbfleep(1)").find("non-ASCII"), std::string::npos);
  EXPECT_NE(Rejection("SELECT `a;b` FROM t").find("quoted identifier"), std::string::npos);
  EXPECT_NE(Rejection("SELECT `x``y` FROM t").find("quoted identifier"), std::string::npos);
  EXPECT_EQ(Rejection("SELECT `cluster_id`, `Table Name` FROM `cluster_info`"), "");
  EXPECT_EQ(Rejection("SELECT 'na\xc3\xafve' AS \"Create Table\""), "");
}

TEST(SqlLexerTest, ReadsMysqlAndStandardQuotingDifferently) {
  using internal::LexDialect;
  using internal::LexSql;
  auto mysql = LexSql("SELECT 'a\\'b'", LexDialect::kMysql);
  ASSERT_TRUE(mysql);
  ASSERT_EQ(mysql->size(), 2u);
  EXPECT_EQ((*mysql)[1].value, "a'b");
  auto standard = LexSql("SELECT 'a\\'b'", LexDialect::kStandard);
  EXPECT_FALSE(standard);  // 'a\' then an unterminated 'b'
  auto dash = LexSql("SELECT 1--1", LexDialect::kMysql);
  ASSERT_TRUE(dash);
  EXPECT_EQ(dash->size(), 5u);  // SELECT 1 - - 1
  auto dash_standard = LexSql("SELECT 1--1", LexDialect::kStandard);
  ASSERT_TRUE(dash_standard);
  EXPECT_EQ(dash_standard->size(), 2u);  // SELECT 1 (comment)
}

TEST(SqlLexerTest, SqliteHasNoHashComment) {
  using internal::LexDialect;
  using internal::LexSql;
  auto mysql = LexSql("SELECT 1 #x", LexDialect::kMysql);
  ASSERT_TRUE(mysql);
  EXPECT_EQ(mysql->size(), 2u);
  auto standard = LexSql("SELECT 1 #x", LexDialect::kStandard);
  ASSERT_TRUE(standard);
  EXPECT_EQ(standard->size(), 2u);
  auto sqlite = LexSql("SELECT 1 #x", LexDialect::kSqlite);
  ASSERT_TRUE(sqlite);
  ASSERT_EQ(sqlite->size(), 4u);  // SELECT 1 # x
  EXPECT_EQ((*sqlite)[2].value, "#");
  auto brackets = LexSql("SELECT [a b]", LexDialect::kSqlite);
  ASSERT_TRUE(brackets);
  ASSERT_EQ(brackets->size(), 2u);
  EXPECT_EQ((*brackets)[1].kind, internal::SqlTokenKind::kQuotedIdent);
}

TEST(SqlLexerTest, FindsInvalidUtf8) {
  using internal::FindInvalidUtf8;
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("\xf0\x9f\x98\x80"), std::string_view::npos);  // emoji
  EXPECT_EQ(FindInvalidUtf8("ab\xc3"), 2u);                                // truncated
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);                              // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xed\xa0\x80"), 0u);                          // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\x80"), 1u);                                 // stray continuation
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);                      // > U+10FFFF
}

}  // namespace
}  // namespace rh::tools
