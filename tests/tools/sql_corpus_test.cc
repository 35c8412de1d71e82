// The adversarial SQL corpus (tests/tools/data/sql_adversarial.txt, >= 150 inputs) against
// run_sql on SQLite and MariaDB: every input is refused with a reason, and no table changes
// (checksum of every table and of the schema before and after each input). Then the same
// inputs again straight on the guarded read-only session, bypassing the SQL guard, to show the
// second lock holds on its own. Legitimate diagnostic queries (sql_legitimate.txt) still work.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "store/schema.h"
#include "tests/fakes/database_fixture.h"
#include "tests/tools/test_fleet.h"
#include "tools/investigation_tools.h"

namespace rh::testing {
namespace {

struct CorpusEntry {
  int line;
  std::string sql;
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

std::vector<CorpusEntry> LoadCorpus(const std::string& name) {
  std::ifstream in(std::string(RH_SOURCE_DIR) + "/tests/tools/data/" + name);
  EXPECT_TRUE(in) << "cannot read " << name;
  std::vector<CorpusEntry> entries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.rfind("##", 0) == 0) continue;
    entries.push_back({number, Decode(line)});
  }
  return entries;
}

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
  int refused_by_guard = 0;
  for (const CorpusEntry& entry : corpus) {
    tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", entry.sql}});
    const std::string where = "line " + std::to_string(entry.line) + ": " + Printable(entry.sql);
    EXPECT_TRUE(result.is_error) << where << "\nwas accepted: " << result.content;
    bool guard = result.content.find("statement rejected: ") != std::string::npos ||
                 result.content.find("invalid input for run_sql") != std::string::npos;
    bool database = result.content.find("the database refused the statement") != std::string::npos;
    EXPECT_TRUE(guard || database) << where << "\nunclear reason: " << result.content;
    refused_by_guard += guard;
    EXPECT_GT(result.content.size(), 40u) << where;
    ASSERT_EQ(ChecksumDatabase(db()), original) << where << " changed the database";
    ExpectNoAttackFiles(where);
  }
  if (sqlite) {
    EXPECT_EQ(FilesUnder(db_dir), files_before) << "a file appeared beside the db";
  }
  std::printf("[ corpus ] %s: %zu inputs refused, %d by the SQL guard, %zu by the database\n",
              GetParam().c_str(), corpus.size(), refused_by_guard,
              corpus.size() - static_cast<size_t>(refused_by_guard));
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
    // On the shared MariaDB server, KILL/SHUTDOWN could hit other sessions of the test user and
    // SLEEP/BENCHMARK only burn the clock: those rely on the guard alone there (and on grants).
    if (!sqlite) {
      std::string upper = entry.sql;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper.find("KILL") != std::string::npos || upper.find("SHUTDOWN") != std::string::npos ||
          upper.find("SLEEP") != std::string::npos ||
          upper.find("BENCHMARK") != std::string::npos) {
        continue;
      }
    }
    ++executed;
    auto result = session->Query(entry.sql);
    const std::string where = "line " + std::to_string(entry.line) + ": " + Printable(entry.sql);
    ASSERT_EQ(ChecksumDatabase(db()), original) << where << " changed the database when run "
                                                << "on the guarded session without the guard";
    ExpectNoAttackFiles(where);
    if (result) {
      // Reads that succeed must not have read the ground truth.
      for (store::Row row : *result) {
        for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
          EXPECT_NE(store::ValueToString(row.Get(column_idx)), "i1") << where;
        }
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
    tools::ToolResult result = registry_->Call("run_sql", Json{{"sql", entry.sql}});
    EXPECT_FALSE(result.is_error) << "line " << entry.line << ": " << Printable(entry.sql) << "\n"
                                  << result.content;
    auto parsed = ParseJson(result.content);
    ASSERT_TRUE(parsed) << result.content;
    EXPECT_TRUE(parsed->contains("rows")) << result.content;
  }
  EXPECT_EQ(ChecksumDatabase(db()), original);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlCorpusTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
