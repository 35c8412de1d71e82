#include "tools/sql_guard.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/internal/sql_lexer.h"

namespace rh::tools {
namespace {

SqlGuardOptions Options() {
  SqlGuardOptions options;
  options.denied_tables = {"sim_ground_truth"};
  options.max_timeout_seconds = 10;
  options.max_rows = 200;
  return options;
}

std::string Rejection(std::string_view sql) {
  auto checked = CheckSql(sql, Options());
  if (checked) return "";
  return checked.error().message;
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
      {"SHOW TABLES WHERE Tables_in_db LIKE 'lark%'", SqlStatementKind::kShow},
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
      {"SELECT 'it''s' AS quoted, \"double\" AS d, `tick``s` AS t", SqlStatementKind::kSelect},
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
      {"SHOW TABLES WHERE 1 IN (SELECT 1 FROM t FOR UPDATE)", "UPDATE"},
      {"SHOW TABLES LIKE 'x' INTO OUTFILE '/tmp/x'", "INTO"},
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
