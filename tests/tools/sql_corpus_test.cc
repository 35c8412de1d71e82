// The adversarial SQL corpus (tests/tools/data/sql_adversarial.txt, >= 150 inputs) against
// run_sql on SQLite and MariaDB: every input is refused with a reason, by the lock its
// directives name (the SQL guard unless marked), within the time cap, and no table changes
// (checksum of every table and of the schema before and after each input); on MariaDB no named
// lock is left held. Then the same inputs again straight on the guarded read-only session,
// bypassing the SQL guard, to show the second lock holds on its own. Legitimate diagnostic
// queries (sql_legitimate.txt) still work. Last, the SQLite guarded session's own bounds: the
// printf cap, the capped built-ins, the length cap, the watchdog and the closed catalog.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "store/schema.h"
#include "tests/fakes/database_fixture.h"
#include "tests/fakes/test_env.h"
#include "tests/tools/test_fleet.h"
#include "tools/investigation_tools.h"

namespace rh::testing {
namespace {

// Which lock must refuse an input.
enum class RefusedBy { kGuard, kDatabase };

struct CorpusEntry {
  int line;
  std::string sql;
  bool on_sqlite = true;
  bool on_mysql = true;
  RefusedBy sqlite_refuser = RefusedBy::kGuard;
  RefusedBy mysql_refuser = RefusedBy::kGuard;

  bool RunsOn(const std::string& backend) const {
    return backend == "sqlite" ? on_sqlite : on_mysql;
  }
  RefusedBy RefuserOn(const std::string& backend) const {
    return backend == "sqlite" ? sqlite_refuser : mysql_refuser;
  }
};

// Decodes \n \r \t \\ \xHH and expands {{REPEAT:n:text}}.
std::string Decode(const std::string& raw) {
  std::string expanded;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t open = raw.find("{{REPEAT:", pos);
    if (open == std::string::npos) {
      expanded += raw.substr(pos);
      break;
    }
    expanded += raw.substr(pos, open - pos);
    size_t colon = raw.find(':', open + 9);
    size_t close = raw.find("}}", colon);
    int count = std::stoi(raw.substr(open + 9, colon - open - 9));
    std::string text = raw.substr(colon + 1, close - colon - 1);
    for (int repeat_idx = 0; repeat_idx < count; ++repeat_idx) expanded += text;
    pos = close + 2;
  }
  std::string out;
  for (size_t index = 0; index < expanded.size(); ++index) {
    char c = expanded[index];
    if (c != '\\' || index + 1 >= expanded.size()) {
      out.push_back(c);
      continue;
    }
    char next = expanded[++index];
    switch (next) {
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x':
        out.push_back(static_cast<char>(std::stoi(expanded.substr(index + 1, 2), nullptr, 16)));
        index += 2;
        break;
      default:
        out.push_back('\\');
        out.push_back(next);
    }
  }
  return out;
}

RefusedBy ParseRefuser(const std::string& word, int line) {
  EXPECT_TRUE(word == "guard" || word == "database") << "line " << line << ": " << word;
  return word == "database" ? RefusedBy::kDatabase : RefusedBy::kGuard;
}

// Reads a corpus file, applying its directives (see the header of sql_adversarial.txt):
//   ## @backends: both | sqlite | mysql
//   ## @refused-by: guard | database | sqlite=<who> mysql=<who>
std::vector<CorpusEntry> LoadCorpus(const std::string& name) {
  std::ifstream in(std::string(RH_SOURCE_DIR) + "/tests/tools/data/" + name);
  EXPECT_TRUE(in) << "cannot read " << name;
  std::vector<CorpusEntry> entries;
  CorpusEntry defaults{0, ""};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("## @", 0) == 0) {
      std::istringstream directive(line.substr(4));
      std::string key;
      directive >> key;
      std::vector<std::string> values;
      for (std::string value; directive >> value;) values.push_back(value);
      EXPECT_FALSE(values.empty()) << name << " line " << number;
      if (key == "backends:" && !values.empty()) {
        defaults.on_sqlite = values[0] == "both" || values[0] == "sqlite";
        defaults.on_mysql = values[0] == "both" || values[0] == "mysql";
      } else if (key == "refused-by:" && !values.empty()) {
        for (const std::string& value : values) {
          size_t equals = value.find('=');
          if (equals == std::string::npos) {
            defaults.sqlite_refuser = defaults.mysql_refuser = ParseRefuser(value, number);
          } else if (value.substr(0, equals) == "sqlite") {
            defaults.sqlite_refuser = ParseRefuser(value.substr(equals + 1), number);
          } else {
            EXPECT_EQ(value.substr(0, equals), "mysql") << name << " line " << number;
            defaults.mysql_refuser = ParseRefuser(value.substr(equals + 1), number);
          }
        }
      } else {
        ADD_FAILURE() << name << " line " << number << ": unknown directive " << line;
      }
      continue;
    }
    if (line.empty() || line.rfind("##", 0) == 0) continue;
    CorpusEntry entry = defaults;
    entry.line = number;
    entry.sql = Decode(line);
    entries.push_back(std::move(entry));
  }
  return entries;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The named lock the corpus's lock attempts use; on MariaDB it must stay free.
constexpr const char* kCorpusLock = "rh_corpus_lock";

// Every input ends within the time cap (2 s in these tests) plus this much.
constexpr double kMaxSecondsPerInput = 6.0;

std::string Printable(const std::string& sql) {
  std::string out;
  for (unsigned char c : sql.substr(0, 160)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

std::set<std::string> FilesUnder(const std::filesystem::path& dir) {
  std::set<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    files.insert(entry.path().filename().string());
  }
  return files;
}

// Files an attack could try to create outside the database.
const std::vector<std::string> kAttackFiles = {
    "/tmp/rh_evil.db",      "/tmp/rh_evil2.db", "/tmp/rh_x",
    "/tmp/rh_copy.db",      "/tmp/rh_evil.txt", "/tmp/rh_outfile.txt",
    "/tmp/rh_outfile2.txt", "/tmp/rh_shell.php"};

class SqlCorpusTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TestFleet fleet(db());
    fleet.set_max_metric_hours(6);
    fleet.BuildStandardFleet();
    ASSERT_FALSE(HasFatalFailure());
    // The table tools must never read, with one row to leak.
    ASSERT_TRUE(
        db().Execute("CREATE TABLE sim_ground_truth (incident_id VARCHAR(40), "
                     "cluster_id VARCHAR(64), category VARCHAR(40))"));
    ASSERT_TRUE(
        db().Execute("INSERT INTO sim_ground_truth VALUES ('i1', 'c-disk0001', "
                     "'disk_capacity')"));
    ASSERT_TRUE(db().Execute("INSERT INTO fleet_meta VALUES ('sim_seed', '42')"));
    for (const std::string& file : kAttackFiles) std::filesystem::remove(file);
    clock_ = std::make_unique<ManualClock>(ToolsTestNow());
    tools::ToolEnvironment env;
    env.fleet = &db();
    env.memory = &db();
    env.clock = clock_.get();
    env.config.sql_timeout_seconds = 2;
    env.fleet_url = url();
    env.fleet_password = TestMysqlPassword();
    auto built = tools::BuildInvestigationTools(env);
    ASSERT_TRUE(built) << built.error().ToString();
    registry_ = std::make_unique<tools::ToolRegistry>(std::move(*built));
  }

  std::unique_ptr<store::Database> GuardedSession() {
    store::OpenOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    options.guarded = true;
    options.denied_tables = store::ForbiddenTables();
    options.statement_timeout = std::chrono::seconds(2);
    options.max_rows = 201;
    return Open(options);
  }

  void ExpectNoAttackFiles(const std::string& context) {
    for (const std::string& file : kAttackFiles) {
      EXPECT_FALSE(std::filesystem::exists(file)) << file << " was created by " << context;
    }
  }

  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<tools::ToolRegistry> registry_;
};

TEST_P(SqlCorpusTest, EveryAdversarialInputIsRefusedAndChangesNothing) {
  std::vector<CorpusEntry> corpus = LoadCorpus("sql_adversarial.txt");
  ASSERT_GE(corpus.size(), 150u);
  const std::string original = ChecksumDatabase(db());
  const std::filesystem::path db_dir = std::filesystem::path(url()).parent_path();
  const bool sqlite = GetParam() == "sqlite";
  const std::set<std::string> files_before = sqlite ? FilesUnder(db_dir) : std::set<std::string>();
  int inputs = 0;
  int refused_by_guard = 0;
  for (const CorpusEntry& entry : corpus) {
    if (!entry.RunsOn(GetParam())) continue;
    ++inputs;
    const auto start = std::chrono::steady_clock::now();
    tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", entry.sql}});
    const double seconds = SecondsSince(start);
    const std::string where = "line " + std::to_string(entry.line) + ": " + Printable(entry.sql);
    EXPECT_TRUE(result.is_error) << where << "\nwas accepted: " << result.content;
    bool guard = result.content.find("statement rejected: ") != std::string::npos ||
                 result.content.find("invalid input for run_sql") != std::string::npos;
    bool database = result.content.find("the database refused the statement") != std::string::npos;
    if (entry.RefuserOn(GetParam()) == RefusedBy::kGuard) {
      EXPECT_TRUE(guard) << where << "\nnot refused by the SQL guard: " << result.content;
    } else {
      EXPECT_TRUE(database) << where << "\nnot refused by the database: " << result.content;
    }
    refused_by_guard += guard;
    EXPECT_GT(result.content.size(), 40u) << where;
    EXPECT_LT(seconds, kMaxSecondsPerInput) << where << " ran " << seconds << " s";
    ASSERT_EQ(ChecksumDatabase(db()), original) << where << " changed the database";
    ExpectNoAttackFiles(where);
    if (!sqlite) {
      // From a second connection: had a lock attempt reached the server, run_sql's session
      // would still hold the lock now.
      auto free = db().QueryInt("SELECT IS_FREE_LOCK(?)", {store::Text(kCorpusLock)}, -1);
      ASSERT_TRUE(free) << free.error().ToString();
      EXPECT_EQ(*free, 1) << where << " left the named lock " << kCorpusLock << " held";
    }
  }
  if (sqlite) {
    EXPECT_EQ(FilesUnder(db_dir), files_before) << "a file appeared beside the db";
  }
  std::printf("[ corpus ] %s: %d inputs refused, %d by the SQL guard, %d by the database\n",
              GetParam().c_str(), inputs, refused_by_guard, inputs - refused_by_guard);
}

// Defense in depth: the raw inputs, guard bypassed, straight on the guarded session.
TEST_P(SqlCorpusTest, TheGuardedSessionAloneRefusesEveryWrite) {
  std::vector<CorpusEntry> corpus = LoadCorpus("sql_adversarial.txt");
  auto session = GuardedSession();
  ASSERT_NE(session, nullptr);
  const std::string original = ChecksumDatabase(db());
  const bool sqlite = GetParam() == "sqlite";
  int executed = 0;
  for (const CorpusEntry& entry : corpus) {
    if (!entry.RunsOn(GetParam())) continue;
    std::string upper = entry.sql;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // On the shared MariaDB server, KILL/SHUTDOWN could hit other sessions of the test user,
    // SLEEP/BENCHMARK and the replication waits only burn the clock, and a named lock would
    // outlive the input: those rely on the guard alone there (and on grants).
    if (!sqlite) {
      bool guard_only = false;
      for (const char* word : {"KILL", "SHUTDOWN", "SLEEP", "BENCHMARK", "_WAIT", "GET_LOCK"}) {
        guard_only |= upper.find(word) != std::string::npos;
      }
      if (guard_only) continue;
    }
    ++executed;
    const auto start = std::chrono::steady_clock::now();
    auto result = session->Query(entry.sql);
    const double seconds = SecondsSince(start);
    const std::string where = "line " + std::to_string(entry.line) + ": " + Printable(entry.sql);
    EXPECT_LT(seconds, kMaxSecondsPerInput) << where << " ran " << seconds << " s";
    ASSERT_EQ(ChecksumDatabase(db()), original) << where << " changed the database when run "
                                                << "on the guarded session without the guard";
    ExpectNoAttackFiles(where);
    if (!result) continue;
    // Reads that succeed must not have read the ground truth; on SQLite, whose session closes
    // the catalogs too, not even its name or columns.
    for (store::Row row : *result) {
      for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
        std::string cell = store::ValueToString(row.Get(column_idx));
        EXPECT_NE(cell, "i1") << where;
        if (!sqlite) continue;
        for (char& c : cell) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(cell.find("sim_ground_truth"), std::string::npos) << where << ": " << cell;
        EXPECT_EQ(cell.find("incident_id"), std::string::npos) << where << ": " << cell;
      }
    }
  }
  EXPECT_GT(executed, 250);
}

TEST_P(SqlCorpusTest, LegitimateDiagnosticQueriesStillWork) {
  std::vector<CorpusEntry> queries = LoadCorpus("sql_legitimate.txt");
  ASSERT_GE(queries.size(), 40u);
  const std::string original = ChecksumDatabase(db());
  for (const CorpusEntry& entry : queries) {
    if (!entry.RunsOn(GetParam())) continue;
    tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", entry.sql}});
    EXPECT_FALSE(result.is_error) << "line " << entry.line << ": " << Printable(entry.sql) << "\n"
                                  << result.content;
    auto parsed = ParseJson(result.content);
    ASSERT_TRUE(parsed) << result.content;
    EXPECT_TRUE(parsed->contains("rows")) << result.content;
  }
  EXPECT_EQ(ChecksumDatabase(db()), original);
}

// The catalogue surfaces run_sql does answer never show the ground truth, on either backend.
TEST_P(SqlCorpusTest, CatalogAnswersHideTheGroundTruth) {
  for (const char* sql : {"SHOW TABLES", "SHOW FULL TABLES", "SHOW TABLES LIKE 'sim%'",
                          "SHOW TABLES LIKE '%ground%'"}) {
    tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", sql}});
    ASSERT_FALSE(result.is_error) << sql << ": " << result.content;
    EXPECT_EQ(result.content.find("sim_ground_truth"), std::string::npos)
        << sql << ": " << result.content;
    if (std::string(sql) == "SHOW TABLES") {
      EXPECT_NE(result.content.find("lark_alerts"), std::string::npos) << result.content;
    }
  }
  tools::ToolResult grants = registry_->Call("run_sql", Json{{"sql", "SHOW GRANTS"}});
  EXPECT_TRUE(grants.is_error);
  EXPECT_NE(grants.content.find("SHOW GRANTS is not allowed (it reads privileges"),
            std::string::npos)
      << grants.content;
  tools::ToolResult catalog =
      registry_->Call("run_sql", Json{{"sql", "SELECT table_name FROM information_schema.tables"}});
  EXPECT_TRUE(catalog.is_error);
  EXPECT_NE(catalog.content.find("SHOW TABLES"), std::string::npos) << catalog.content;
  // The refusal names the readable tables, never the denied one.
  EXPECT_NE(catalog.content.find("the readable tables are "), std::string::npos) << catalog.content;
  EXPECT_NE(catalog.content.find("lark_alerts"), std::string::npos) << catalog.content;
  EXPECT_EQ(catalog.content.find("sim_ground_truth"), std::string::npos) << catalog.content;
}

// issue #13: printf('%.*c', 2000000000, 'x') ran 11-16 s per call past the 10 s cap, three in
// one statement 50 s. Refused now, through run_sql and on the guarded session alone.
TEST_P(SqlCorpusTest, PrintfIsBoundedUnderElevenSeconds) {
  const std::string three =
      "SELECT printf('%.*c', 2000000000, 'x'), printf('%.*c', 2000000000, 'x'), "
      "printf('%.*c', 2000000000, 'x')";
  auto start = std::chrono::steady_clock::now();
  tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", three}});
  EXPECT_TRUE(result.is_error) << result.content;
  EXPECT_NE(result.content.find("PRINTF"), std::string::npos) << result.content;
  auto session = GuardedSession();
  ASSERT_NE(session, nullptr);
  auto direct = session->Query(three);
  EXPECT_FALSE(direct);
  if (GetParam() == "sqlite" && !direct) {
    EXPECT_NE(direct.error().message.find("above run_sql's cap of 1000"), std::string::npos)
        << direct.error().ToString();
  }
  const double seconds = SecondsSince(start);
  EXPECT_LT(seconds, 11.0) << "printf ran " << seconds << " s";
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlCorpusTest, RH_DATABASE_BACKENDS());

// ---- the SQLite guarded session's own bounds ---------------------------------------------------

class GuardedSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = temp_.File("guarded.db");
    auto writer = store::OpenDatabase(path_);
    ASSERT_TRUE(writer) << writer.error().ToString();
    writer_ = std::move(*writer);
    ASSERT_TRUE(writer_->ExecuteScript(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, x TEXT, y TEXT);"
        "CREATE TABLE cluster_info (cluster_id TEXT PRIMARY KEY, version TEXT);"
        "CREATE TABLE sim_ground_truth (incident_id TEXT, cluster_id TEXT);"
        "INSERT INTO cluster_info VALUES ('c-1', '3.2.1');"
        "INSERT INTO sim_ground_truth VALUES ('i1', 'c-1');"));
    // 20 rows on which ten instr() calls per row (each within the caps) take seconds in all,
    // in fewer than 1000 virtual-machine instructions: the progress handler never runs.
    for (int row_idx = 0; row_idx < 20; ++row_idx) {
      ASSERT_TRUE(writer_->Execute(
          "INSERT INTO big (x, y) VALUES (?, ?)",
          {store::Text(std::string(16384, 'a')), store::Text(std::string(4095, 'a') + "b")}));
    }
  }

  std::unique_ptr<store::Database> Guarded(std::chrono::milliseconds timeout) {
    store::OpenOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    options.guarded = true;
    options.denied_tables = store::ForbiddenTables();
    options.statement_timeout = timeout;
    options.max_rows = 201;
    auto opened = store::OpenDatabase(path_, options);
    EXPECT_TRUE(opened) << opened.error().ToString();
    return opened ? std::move(*opened) : nullptr;
  }

  TempDir temp_;
  std::string path_;
  std::unique_ptr<store::Database> writer_;
};

TEST_F(GuardedSqliteTest, WatchdogInterruptsAStatementTheProgressHandlerNeverReaches) {
  // A cap well under what the statement needs even on a fast, idle machine (about 0.15 s there):
  // only the watchdog can stop it in time.
  auto session = Guarded(std::chrono::milliseconds(30));
  ASSERT_NE(session, nullptr);
  std::string sum = "instr(x, y)";
  for (int call_idx = 1; call_idx < 10; ++call_idx) sum += " + instr(x, y)";
  const auto start = std::chrono::steady_clock::now();
  auto result = session->Query("SELECT sum(" + sum + ") FROM big");
  const double seconds = SecondsSince(start);
  ASSERT_FALSE(result) << "ran to the end in " << seconds << " s";
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded) << result.error().ToString();
  EXPECT_LT(seconds, 1.7);
  // The interrupt does not leak into the next statement.
  auto next = session->Query("SELECT count(*) FROM cluster_info");
  ASSERT_TRUE(next) << next.error().ToString();
  EXPECT_EQ(next->front().GetInt(size_t{0}), 1);
}

TEST_F(GuardedSqliteTest, CappedBuiltinsAnswerLikeSqliteWithinTheirCaps) {
  auto session = Guarded(std::chrono::seconds(5));
  ASSERT_NE(session, nullptr);
  auto result = session->Query(
      "SELECT instr('hello', 'll'), replace('abc', 'b', 'x'), trim('xxhixx', 'x'), "
      "ltrim('  a'), 'abc' LIKE 'A%', 'abc' NOT LIKE 'b%', 'a_c' LIKE 'a!_c' ESCAPE '!', "
      "'abc' GLOB 'a*', printf('%5.2f|%-3s|%d', 3.14159, 'x', 7), format('%03d', 5), "
      "typeof(instr(x'0102', x'02')), instr(NULL, 'a')");
  ASSERT_TRUE(result) << result.error().ToString();
  store::Row row = result->front();
  EXPECT_EQ(row.GetInt(size_t{0}), 3);
  EXPECT_EQ(row.GetString(1), "axc");
  EXPECT_EQ(row.GetString(2), "hi");
  EXPECT_EQ(row.GetString(3), "a");
  EXPECT_EQ(row.GetInt(4), 1);
  EXPECT_EQ(row.GetInt(5), 1);
  EXPECT_EQ(row.GetInt(6), 1);
  EXPECT_EQ(row.GetInt(7), 1);
  EXPECT_EQ(row.GetString(8), " 3.14|x  |7");
  EXPECT_EQ(row.GetString(9), "005");
  EXPECT_EQ(row.GetString(10), "integer");
  EXPECT_TRUE(row.IsNull(11));
}

TEST_F(GuardedSqliteTest, RefusesCallsSqliteCouldNotInterrupt) {
  auto session = Guarded(std::chrono::seconds(5));
  ASSERT_NE(session, nullptr);
  const std::string big =
      "WITH RECURSIVE s(x, n) AS (SELECT 'a', 0 UNION ALL SELECT x || x, n + 1 FROM s "
      "WHERE n < 15) SELECT ";
  const std::string from = " FROM (SELECT max(x) AS h FROM s)";
  struct Case {
    std::string sql;
    const char* reason;
  };
  const Case cases[] = {
      {"SELECT printf('%.*c', 2000000000, 'x')", "above run_sql's cap of 1000"},
      {"SELECT printf('%2000000000d', 1)", "above run_sql's cap of 1000"},
      {"SELECT format(substr('%.*c', 1), -2000000000, 'x')", "above run_sql's cap of 1000"},
      {"SELECT printf(substr('%n%%%d%.*c', 1), 1, 2000000000, 'x')", "above run_sql's cap"},
      {"SELECT zeroblob(10)", "not authorized"},
      {"SELECT randomblob(10)", "not authorized"},
      {big + "instr(h, substr(h, 1, 16383) || 'b')" + from, "instr/replace()"},
      {big + "replace(h, substr(h, 1, 16383) || 'b', '')" + from, "instr/replace()"},
      {big + "trim(h, substr(h, 1, 100) || 'b')" + from, "trim()"},
      {big + "rtrim(h, substr(h, 1, 100) || 'b')" + from, "trim()"},
      {big + "h LIKE '%' || substr(h, 1, 200) || 'b'" + from, "like/glob()"},
      {big + "h GLOB '*' || substr(h, 1, 200) || 'b'" + from, "like/glob()"},
      {"WITH RECURSIVE s(x, n) AS (SELECT 'a', 0 UNION ALL SELECT x || x, n + 1 FROM s WHERE "
       "n < 25) SELECT length(max(x)) FROM s",
       "too big"},
  };
  for (const Case& each : cases) {
    const auto start = std::chrono::steady_clock::now();
    auto result = session->Query(each.sql);
    EXPECT_LT(SecondsSince(start), 2.0) << each.sql;
    ASSERT_FALSE(result) << each.sql;
    EXPECT_NE(result.error().message.find(each.reason), std::string::npos)
        << each.sql << "\n"
        << result.error().ToString();
  }
  // The same built-ins on shorter arguments run.
  auto fine = session->Query(big + "instr(h, 'b'), length(trim(h, 'a')), h LIKE 'a%'" + from);
  ASSERT_TRUE(fine) << fine.error().ToString();
  EXPECT_EQ(fine->front().GetInt(size_t{0}), 0);
  EXPECT_EQ(fine->front().GetInt(1), 0);
  EXPECT_EQ(fine->front().GetInt(2), 1);
}

TEST_F(GuardedSqliteTest, CapsFunctionCallsPerStatement) {
  auto session = Guarded(std::chrono::seconds(5));
  ASSERT_NE(session, nullptr);
  auto calls = [](int count) {
    std::string sql = "SELECT 0";
    for (int call_idx = 0; call_idx < count; ++call_idx) sql += " + abs(1)";
    return sql;
  };
  auto allowed = session->Query(calls(200));
  ASSERT_TRUE(allowed) << allowed.error().ToString();
  EXPECT_EQ(allowed->front().GetInt(size_t{0}), 200);
  auto refused = session->Query(calls(300));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("not authorized"), std::string::npos)
      << refused.error().ToString();
  // The count starts afresh with each statement.
  EXPECT_TRUE(session->Query(calls(200)));
}

TEST_F(GuardedSqliteTest, TheCatalogIsClosedAndDescribeStillWorks) {
  auto session = Guarded(std::chrono::seconds(5));
  ASSERT_NE(session, nullptr);
  for (const char* sql :
       {"SELECT sql FROM sqlite_master", "SELECT name FROM sqlite_schema",
        "SELECT name FROM main.sqlite_master", "SELECT * FROM sqlite_temp_master",
        "SELECT name FROM dbstat", "SELECT * FROM pragma_table_list",
        "SELECT * FROM pragma_table_info('cluster_info')",
        "SELECT * FROM pragma_table_info(lower('SIM_GROUND_TRUTH'))", "PRAGMA table_list",
        "PRAGMA database_list", "PRAGMA table_info(sim_ground_truth)",
        "PRAGMA table_info(\"SIM_GROUND_TRUTH\")", "SELECT * FROM sim_ground_truth"}) {
    auto result = session->Query(sql);
    EXPECT_FALSE(result) << sql << " was answered";
  }
  auto describe = session->Query("PRAGMA table_info(\"cluster_info\")");
  ASSERT_TRUE(describe) << describe.error().ToString();
  EXPECT_EQ(describe->size(), 2u);
}

}  // namespace
}  // namespace rh::testing
