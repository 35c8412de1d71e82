#include "store/database.h"

#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::store {
namespace {

using testing::DatabaseBackendTest;

class DatabaseTest : public DatabaseBackendTest {
 protected:
  void CreateItems() {
    const bool sqlite = db().dialect() == Dialect::kSqlite;
    ASSERT_TRUE(db().Execute(sqlite ? "CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, x REAL, "
                                      "note TEXT, at TEXT)"
                                    : "CREATE TABLE items (id VARCHAR(64) PRIMARY KEY, n BIGINT, "
                                      "x DOUBLE, note TEXT, at DATETIME)"));
  }
};

TEST_P(DatabaseTest, BoundParametersRoundTripEveryType) {
  CreateItems();
  TimePoint at = MakeUtcTime(2026, 11, 21, 10, 0, 0);
  const std::string tricky = "it's a \"quote\"; DROP TABLE items; -- ? \\ \n end";
  auto inserted = db().Execute("INSERT INTO items (id, n, x, note, at) VALUES (?, ?, ?, ?, ?)",
                               {Text("a"), Int(42), Real(2.5), Text(tricky), Time(at)});
  ASSERT_TRUE(inserted) << inserted.error().ToString();
  EXPECT_EQ(*inserted, 1);
  ASSERT_TRUE(db().Execute("INSERT INTO items (id, n, x, note, at) VALUES (?, ?, ?, ?, ?)",
                           {Text("b"), Null(), Null(), Null(), Null()}));
  auto rows = db().Query("SELECT id, n, x, note, at FROM items WHERE n = ? OR n IS NULL ORDER BY id",
                         {Int(42)});
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  Row a = (*rows)[0];
  EXPECT_EQ(a.GetString("id"), "a");
  EXPECT_EQ(a.GetInt("n"), 42);
  EXPECT_DOUBLE_EQ(a.GetDouble("x"), 2.5);
  EXPECT_EQ(a.GetString("note"), tricky);
  ASSERT_TRUE(a.GetTime("at"));
  EXPECT_EQ(*a.GetTime("at"), at);
  Row b = (*rows)[1];
  EXPECT_TRUE(b.IsNull("n"));
  EXPECT_EQ(b.GetInt("n", -1), -1);
  EXPECT_FALSE(b.GetTime("at"));
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 2);
}

TEST_P(DatabaseTest, PlaceholderInsideStringLiteralIsNotAParameter) {
  CreateItems();
  ASSERT_TRUE(db().Execute("INSERT INTO items (id, note) VALUES ('q?', ?)", {Text("x")}));
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items WHERE id = 'q?'"), 1);
  auto mismatch = db().Execute("INSERT INTO items (id) VALUES (?)", {});
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, TransactionCommitsOrRollsBackAsAWhole) {
  CreateItems();
  Status ok = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('t1', 1)"));
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('t2', 2)"));
    return {};
  });
  ASSERT_TRUE(ok) << ok.error().ToString();
  Status failed = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('t3', 3)"));
    return InvalidArgument("test", "abort on purpose");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "abort on purpose");
  Status duplicate = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('t4', 4)"));
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('t1', 5)"));
    return {};
  });
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 2);  // t3 and t4 rolled back
  // Nested transactions join the outer one.
  Status nested = db().Transaction([&]() -> Status {
    return db().Transaction([&]() -> Status {
      return Status(db().Execute("INSERT INTO items (id) VALUES ('t5')").map([](int64_t) {}));
    });
  });
  EXPECT_TRUE(nested);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 3);
}

TEST_P(DatabaseTest, InsertIgnoreSkipsDuplicates) {
  CreateItems();
  std::string sql = db().InsertIgnore() + " INTO items (id, n) VALUES (?, ?)";
  EXPECT_EQ(*db().Execute(sql, {Text("k"), Int(1)}), 1);
  EXPECT_EQ(*db().Execute(sql, {Text("k"), Int(2)}), 0);
  EXPECT_EQ(*db().QueryInt("SELECT n FROM items WHERE id = 'k'"), 1);
}

TEST_P(DatabaseTest, SqlErrorsAreClearAndTyped) {
  auto syntax = db().Query("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::kInvalidArgument);
  auto missing = db().Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().ToString().find("no_such_table"), std::string::npos);
  auto none = db().QueryOne("SELECT 1 FROM schema_migrations WHERE 1 = 0");
  EXPECT_FALSE(none);
}

TEST_P(DatabaseTest, MigrationsCreateBothSchemasAndAreIdempotent) {
  for (SchemaSet set : {SchemaSet::kFleet, SchemaSet::kMemory}) {
    auto version = Migrate(db(), set);
    ASSERT_TRUE(version) << version.error().ToString();
    EXPECT_EQ(*version, Migrations(set).back().version);
    auto again = Migrate(db(), set);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *version);
  }
  for (const char* table : {"dim_customer_profile", "cluster_info", "cluster_node_groups",
                            "amv_hourly_snapshots_v1", "lark_alerts", "cluster_operations",
                            "cluster_health_scores", "cluster_risk_snapshots", "fleet_meta",
                            "investigation_tasks", "investigation_reports", "schema_migrations",
                            "lark_unparsed_messages", "alert_issues", "alert_issue_members",
                            "alert_issue_events", "alert_issue_links"}) {
    EXPECT_TRUE(*db().TableExists(table)) << table;
  }
  const int64_t applied = static_cast<int64_t>(Migrations(SchemaSet::kFleet).size() +
                                               Migrations(SchemaSet::kMemory).size());
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM schema_migrations"), applied);
  // A second connection (another process) sees the schema and does not re-apply it.
  auto other = Open();
  EXPECT_EQ(*SchemaVersion(*other, SchemaSet::kFleet), Migrations(SchemaSet::kFleet).back().version);
  EXPECT_TRUE(Migrate(*other, SchemaSet::kMemory));
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM schema_migrations"), applied);
}

TEST_P(DatabaseTest, ConcurrentWritersFromSeveralConnectionsLoseNothing) {
  CreateItems();
  constexpr int kWriters = 4;
  constexpr int kRowsEach = 50;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int writer_idx = 0; writer_idx < kWriters; ++writer_idx) {
    writers.emplace_back([&, writer_idx] {
      auto conn = Open();
      for (int row_idx = 0; row_idx < kRowsEach; ++row_idx) {
        Status status = conn->Transaction([&]() -> Status {
          auto inserted = conn->Execute("INSERT INTO items (id, n) VALUES (?, ?)",
                                        {Text("w" + std::to_string(writer_idx) + "-" +
                                              std::to_string(row_idx)),
                                         Int(row_idx)});
          if (!inserted) return Fail(inserted.error());
          return {};
        });
        if (!status) ++failures;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), kWriters * kRowsEach);
}

// One Database shared by threads: every read-modify-write transaction sees all earlier ones.
// SQLite runs write transactions one at a time (one writer); MySQL runs the pool's transactions
// at once, so the read locks the row it depends on (FOR UPDATE), as a caller must.
TEST_P(DatabaseTest, SharedDatabaseIsSafeAcrossThreads) {
  CreateItems();
  ASSERT_TRUE(db().Execute("INSERT INTO items (id, n) VALUES ('counter', 0)"));
  const std::string read_counter =
      std::string("SELECT n FROM items WHERE id = 'counter'") +
      (db().dialect() == Dialect::kMysql ? " FOR UPDATE" : "");
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int row_idx = 0; row_idx < 25; ++row_idx) {
        Status status = db().Transaction([&]() -> Status {
          RH_ASSIGN_OR_RETURN(int64_t count, db().QueryInt(read_counter));
          RH_RETURN_IF_ERROR(db().Execute(
              "INSERT INTO items (id, n) VALUES (?, ?)",
              {Text(std::to_string(thread_idx) + "/" + std::to_string(row_idx)), Int(count)}));
          RH_RETURN_IF_ERROR(
              db().Execute("UPDATE items SET n = ? WHERE id = 'counter'", {Int(count + 1)}));
          return {};
        });
        EXPECT_TRUE(status) << status.error().ToString();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items WHERE id <> 'counter'"), 100);
  // Each transaction saw all earlier ones: the counts recorded are exactly 0..99.
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(DISTINCT n) FROM items WHERE id <> 'counter'"), 100);
  EXPECT_EQ(*db().QueryInt("SELECT n FROM items WHERE id = 'counter'"), 100);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, RH_DATABASE_BACKENDS());

// ---- SQLite-specific ------------------------------------------------------------------------

TEST(SqliteDatabaseTest, TwoProcessesWritingOneFileLoseNothing) {
  testing::TempDir dir;
  std::string path = dir.File("shared.db");
  {
    auto db = OpenDatabase(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Execute("CREATE TABLE hits (process INTEGER, seq INTEGER, PRIMARY KEY "
                               "(process, seq))"));
  }
  constexpr int kProcesses = 2;
  constexpr int kRowsEach = 300;
  std::vector<pid_t> children;
  for (int process_idx = 0; process_idx < kProcesses; ++process_idx) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto db = OpenDatabase(path);
      if (!db) _exit(10);
      for (int seq = 0; seq < kRowsEach; ++seq) {
        Status status = (*db)->Transaction([&]() -> Status {
          auto inserted = (*db)->Execute("INSERT INTO hits (process, seq) VALUES (?, ?)",
                                         {Int(process_idx), Int(seq)});
          if (!inserted) return Fail(inserted.error());
          return {};
        });
        if (!status) _exit(11);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  }
  auto db = OpenDatabase(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM hits"), kProcesses * kRowsEach);
}

TEST(SqliteDatabaseTest, OpenErrorsAreClear) {
  testing::TempDir dir;
  OpenOptions read_only;
  read_only.read_only = true;
  auto missing = OpenDatabase(dir.File("absent.db"), read_only);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  {
    std::FILE* f = std::fopen(dir.File("garbage.db").c_str(), "w");
    std::fputs("this is not a sqlite database, just some text that is long enough......", f);
    std::fclose(f);
  }
  auto garbage = OpenDatabase(dir.File("garbage.db"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kDataLoss);
  auto scheme = OpenDatabase("postgres://h/db");
  ASSERT_FALSE(scheme);
  EXPECT_EQ(scheme.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteDatabaseTest, GuardedConnectionRefusesWritesAndForbiddenTables) {
  testing::TempDir dir;
  std::string path = dir.File("fleet.db");
  {
    auto db = OpenDatabase(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t (a INTEGER)"));
    ASSERT_TRUE((*db)->Execute("CREATE TABLE sim_ground_truth (a INTEGER)"));
    ASSERT_TRUE((*db)->Execute("INSERT INTO t VALUES (1)"));
  }
  OpenOptions options;
  options.read_only = true;
  options.guarded = true;
  options.denied_tables = {"sim_ground_truth"};
  options.statement_timeout = std::chrono::milliseconds(200);
  auto guarded = OpenDatabase(path, options);
  ASSERT_TRUE(guarded) << guarded.error().ToString();
  EXPECT_EQ(*(*guarded)->QueryInt("SELECT COUNT(*) FROM t"), 1);
  for (const char* sql : {"INSERT INTO t VALUES (2)", "DELETE FROM t", "DROP TABLE t",
                          "ATTACH DATABASE '/tmp/x.db' AS x", "PRAGMA journal_mode=DELETE",
                          "SELECT * FROM sim_ground_truth", "SELECT load_extension('x')"}) {
    auto result = (*guarded)->Query(sql);
    EXPECT_FALSE(result) << sql;
  }
  auto slow = (*guarded)->Query(
      "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT COUNT(*) FROM r");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, ErrorCode::kDeadlineExceeded);
  auto db = OpenDatabase(path);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 1);
}

TEST(MysqlDatabaseTest, BadUrlsAndUnreachableServersFailClearly) {
  auto with_password = OpenDatabase("mysql://u:secret@127.0.0.1:1/db");
  ASSERT_FALSE(with_password);
  EXPECT_EQ(with_password.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(with_password.error().ToString().find("secret"), std::string::npos);
  EXPECT_FALSE(OpenDatabase("mysql://u@127.0.0.1:notaport/db"));
  EXPECT_FALSE(OpenDatabase("mysql://u@127.0.0.1:3306"));
  OpenOptions fast;
  fast.connect_timeout = std::chrono::seconds(1);
  auto unreachable = OpenDatabase("mysql://u@127.0.0.1:1/db", fast);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
}

TEST(MysqlDatabaseTest, WrongCredentialsArePermissionDenied) {
  RH_REQUIRE_MYSQL();
  OpenOptions options;
  options.password = "definitely-wrong-password";
  auto db = OpenDatabase(*testing::TestMysqlUrl(), options);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(db.error().ToString().find("definitely-wrong"), std::string::npos);
}

}  // namespace
}  // namespace rh::store
