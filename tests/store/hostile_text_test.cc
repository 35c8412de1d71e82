// Hostile quotes and backslashes in the text Rockhound stores (questions, alert texts) round-trip
// unchanged through Execute/Query with bound Values and inject nothing, on SQLite and on a
// MariaDB whose GLOBAL sql_mode has NO_BACKSLASH_ESCAPES: the MySQL backend inlines values
// (no server-side prepared statements, for StarRocks), so every session pins its own sql_mode
// (store/README.md, "MySQL sessions").
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "store/database.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"

namespace rh::store {
namespace {

using testing::DatabaseBackendTest;

const std::vector<std::string>& HostileTexts() {
  static const std::vector<std::string> texts = {
      "'",
      "\\'",
      "\\\\",
      "\\",
      "ends with a backslash \\",
      "\\0",
      std::string("nul \0 inside", 12),
      "%",
      "_",
      "100% of c_1 %_",
      "\\n",
      "line\nbreak\r\nand\ttab",
      "\x1a ctrl-z",
      "\"double\" and `back`",
      "Ünïcødé ✓ 石墨 🐋",
      "''",
      "\\''",
      "'; DROP TABLE x; --",
      "\\'; DROP TABLE x; -- ",
      "\"; DROP TABLE x; --",
      "' OR '1'='1",
      "\\' OR 1=1 /*",
      "?",
      "? ' ? \\' ?",
  };
  return texts;
}

// A server setting changed through an admin connection, restored when this dies (also when the
// test fails): GLOBAL sql_mode gains NO_BACKSLASH_ESCAPES. The admin URL is
// ROCKHOUND_TEST_MYSQL_ADMIN_URL (scripts/mariadb-test-server.sh: root on the private server).
class GlobalNoBackslashEscapes {
 public:
  GlobalNoBackslashEscapes() {
    const char* url = std::getenv("ROCKHOUND_TEST_MYSQL_ADMIN_URL");
    if (!url || !*url) {
      error_ = "ROCKHOUND_TEST_MYSQL_ADMIN_URL is not set (scripts/mariadb-test-server.sh sets it)";
      return;
    }
    OpenOptions options;
    options.pool_size = 1;
    const char* password = std::getenv("ROCKHOUND_TEST_MYSQL_ADMIN_PASSWORD");
    options.password = password ? password : "";
    auto admin = OpenDatabase(url, options);
    if (!admin) {
      error_ = admin.error().ToString();
      return;
    }
    admin_ = std::move(*admin);
    auto saved = admin_->QueryOne("SELECT @@GLOBAL.sql_mode");
    if (!saved) {
      error_ = saved.error().ToString();
      return;
    }
    saved_ = saved->front().GetString(size_t{0});
    auto set = admin_->Execute(
        "SET GLOBAL sql_mode = ?",
        {Text(saved_.empty() ? "NO_BACKSLASH_ESCAPES" : saved_ + ",NO_BACKSLASH_ESCAPES")});
    if (!set) {
      error_ = set.error().ToString();
      return;
    }
    active_ = true;
  }
  ~GlobalNoBackslashEscapes() { (void)Restore(); }

  Status Restore() {
    if (!active_) return {};
    active_ = false;
    return Status(admin_->Execute("SET GLOBAL sql_mode = ?", {Text(saved_)}).map([](int64_t) {}));
  }
  Database& admin() { return *admin_; }
  const std::string& saved() const { return saved_; }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<Database> admin_;
  std::string saved_;
  std::string error_;
  bool active_ = false;
};

class HostileTextTest : public DatabaseBackendTest {
 protected:
  bool mysql() { return GetParam() == "mysql"; }

  // Everything a statement could have damaged: the canary table's rows, its checksum (MySQL),
  // and the list of tables.
  std::string Fingerprint(Database& db) {
    std::string out;
    auto rows = db.Query("SELECT id, v FROM x ORDER BY id");
    EXPECT_TRUE(rows) << rows.error().ToString();
    if (rows) {
      for (Row row : *rows) out += row.GetString(size_t{0}) + "=" + row.GetString(size_t{1}) + ";";
    }
    if (mysql()) {
      auto checksum = db.QueryOne("CHECKSUM TABLE x");
      EXPECT_TRUE(checksum) << checksum.error().ToString();
      if (checksum) out += " checksum " + checksum->front().GetString("Checksum");
    }
    auto tables = db.Query(mysql() ? "SELECT table_name FROM information_schema.tables WHERE "
                                     "table_schema = DATABASE() ORDER BY table_name"
                                   : "SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "ORDER BY name");
    EXPECT_TRUE(tables) << tables.error().ToString();
    if (tables) {
      for (Row row : *tables) out += " " + row.GetString(size_t{0});
    }
    return out;
  }

  // Stores every hostile text as a task question and as an alert's name and detail, reads each
  // back by key and by value, and checks that nothing else changed.
  void RoundTrip(Database& db, const std::string& prefix) {
    const std::string before = Fingerprint(db);
    const TimePoint at = MakeUtcTime(2026, 11, 21, 10, 0, 0);
    const auto& texts = HostileTexts();
    for (size_t text_idx = 0; text_idx < texts.size(); ++text_idx) {
      const std::string& text = texts[text_idx];
      const std::string key = prefix + std::to_string(text_idx);
      auto task = db.Execute(
          "INSERT INTO investigation_tasks (task_id, cluster_id, source, priority, question, "
          "status, created_at, updated_at) VALUES (?, ?, 'adhoc', 1, ?, 'queued', ?, ?)",
          {Text(key), Text("c-1"), Text(text), Time(at), Time(at)});
      ASSERT_TRUE(task) << task.error().ToString() << " for " << text;
      auto alert = db.Execute(
          "INSERT INTO lark_alerts (message_id, cluster_id, alert_name, status, detail, "
          "alert_time, created_at) VALUES (?, ?, ?, 'Firing', ?, ?, ?)",
          {Text(key), Text("c-1"), Text(text), Text(text + " | detail"), Time(at), Time(at)});
      ASSERT_TRUE(alert) << alert.error().ToString() << " for " << text;

      auto question = db.QueryOne("SELECT question FROM investigation_tasks WHERE task_id = ?",
                                  {Text(key)});
      ASSERT_TRUE(question) << question.error().ToString();
      EXPECT_EQ(question->front().GetString("question"), text);
      auto stored = db.QueryOne("SELECT alert_name, detail FROM lark_alerts WHERE message_id = ?",
                                {Text(key)});
      ASSERT_TRUE(stored) << stored.error().ToString();
      EXPECT_EQ(stored->front().GetString("alert_name"), text);
      EXPECT_EQ(stored->front().GetString("detail"), text + " | detail");
      // Bound in a WHERE clause, the value matches its own row.
      auto by_value = db.Query("SELECT task_id FROM investigation_tasks WHERE question = ?",
                               {Text(text)});
      ASSERT_TRUE(by_value) << by_value.error().ToString();
      std::set<std::string> ids;
      for (Row row : *by_value) ids.insert(row.GetString(size_t{0}));
      EXPECT_EQ(ids.count(key), 1u) << text;
    }
    EXPECT_EQ(*db.QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE task_id LIKE ?",
                           {Text(prefix + "%")}),
              static_cast<int64_t>(texts.size()));
    EXPECT_EQ(Fingerprint(db), before);
  }

  void CreateCanary(Database& db) {
    ASSERT_TRUE(db.Execute(mysql() ? "CREATE TABLE x (id INT PRIMARY KEY, v VARCHAR(32))"
                                   : "CREATE TABLE x (id INTEGER PRIMARY KEY, v TEXT)"));
    for (int row_idx = 1; row_idx <= 3; ++row_idx) {
      ASSERT_TRUE(db.Execute("INSERT INTO x (id, v) VALUES (?, ?)",
                             {Int(row_idx), Text("canary " + std::to_string(row_idx))}));
    }
  }
};

TEST_P(HostileTextTest, RoundTripsUnchangedAndInjectsNothing) {
  std::unique_ptr<GlobalNoBackslashEscapes> global;
  if (mysql()) {
    global = std::make_unique<GlobalNoBackslashEscapes>();
    ASSERT_TRUE(global->error().empty()) << global->error();
    auto mode = global->admin().QueryOne("SELECT @@GLOBAL.sql_mode");
    ASSERT_TRUE(mode) << mode.error().ToString();
    ASSERT_NE(mode->front().GetString(size_t{0}).find("NO_BACKSLASH_ESCAPES"), std::string::npos);
  }
  // Opened after the global change, so every new session starts from it.
  OpenOptions options;
  options.pool_size = 2;
  auto db = Open(options);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Migrate(*db, SchemaSet::kMemory));
  ASSERT_TRUE(Migrate(*db, SchemaSet::kFleet));
  CreateCanary(*db);
  if (mysql()) {
    // Both connections of the pool (held at once) pinned their session.
    std::mutex mutex;
    std::condition_variable arrived_cv;
    int arrived = 0;
    std::set<int64_t> ids;
    std::vector<std::thread> threads;
    for (int thread_idx = 0; thread_idx < 2; ++thread_idx) {
      threads.emplace_back([&] {
        Status status = db->Transaction([&]() -> Status {
          RH_ASSIGN_OR_RETURN(
              QueryResult session,
              db->QueryOne("SELECT @@SESSION.sql_mode AS mode, @@SESSION.time_zone AS tz, "
                           "@@SESSION.character_set_client AS charset, CONNECTION_ID() AS id"));
          const std::string mode = session.front().GetString("mode");
          EXPECT_EQ(mode.find("NO_BACKSLASH_ESCAPES"), std::string::npos) << mode;
          EXPECT_NE(mode.find("STRICT_TRANS_TABLES"), std::string::npos) << mode;
          EXPECT_EQ(session.front().GetString("tz"), "+00:00");
          EXPECT_EQ(session.front().GetString("charset"), "utf8mb4");
          std::unique_lock<std::mutex> lock(mutex);
          ids.insert(session.front().GetInt("id"));
          ++arrived;
          arrived_cv.notify_all();
          arrived_cv.wait_for(lock, std::chrono::seconds(20), [&] { return arrived >= 2; });
          return {};
        });
        EXPECT_TRUE(status) << status.error().ToString();
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ids.size(), 2u);
  }
  RoundTrip(*db, "tsk_hostile_");
  if (mysql()) {
    ASSERT_TRUE(global->Restore());
    auto mode = global->admin().QueryOne("SELECT @@GLOBAL.sql_mode");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->front().GetString(size_t{0}), global->saved());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileTextTest, RH_DATABASE_BACKENDS());

class MysqlHostileTextTest : public HostileTextTest {};

// A session that runs in NO_BACKSLASH_ESCAPES after all (the fallback for a server that refuses
// the pinned sql_mode): the backend re-reads the mode and escapes by doubling quotes, so the
// same texts still round-trip and inject nothing.
TEST_P(MysqlHostileTextTest, SessionSwitchedToNoBackslashEscapesStillRoundTrips) {
  OpenOptions options;
  options.pool_size = 1;
  auto db = Open(options);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Migrate(*db, SchemaSet::kMemory));
  ASSERT_TRUE(Migrate(*db, SchemaSet::kFleet));
  CreateCanary(*db);
  ASSERT_TRUE(
      db->Execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'"));
  auto mode = db->QueryOne("SELECT @@SESSION.sql_mode");
  ASSERT_TRUE(mode);
  ASSERT_NE(mode->front().GetString(size_t{0}).find("NO_BACKSLASH_ESCAPES"), std::string::npos);
  RoundTrip(*db, "tsk_nbe_");
}

INSTANTIATE_TEST_SUITE_P(Backends, MysqlHostileTextTest, ::testing::Values(std::string("mysql")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace rh::store
