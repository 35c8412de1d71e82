// Test environment helpers shared by every suite: temporary directories, the shared data
// folder (../shared/data, skipped with a message when absent), and the MariaDB test server
// URL (ROCKHOUND_TEST_MYSQL_URL, set by scripts/test.sh which starts a private MariaDB).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace rh::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// ../shared/data/<relative>, or nullopt when the shared data is not beside the checkout.
std::optional<std::filesystem::path> SharedDataPath(const std::string& relative);

// The MariaDB URL for tests (mysql://user@127.0.0.1:port/db) from ROCKHOUND_TEST_MYSQL_URL, and
// its password from ROCKHOUND_TEST_MYSQL_PASSWORD; nullopt when no test server is configured.
std::optional<std::string> TestMysqlUrl();
std::string TestMysqlPassword();
// True when CI=true: tests that need MariaDB fail instead of skipping when it is missing.
bool RunningInCi();

}  // namespace rh::testing

// Skips (or, under CI, fails) when no MariaDB test server is configured.
#define RH_REQUIRE_MYSQL()                                                              \
  do {                                                                                  \
    if (!::rh::testing::TestMysqlUrl()) {                                               \
      if (::rh::testing::RunningInCi()) FAIL() << "ROCKHOUND_TEST_MYSQL_URL is not set in CI"; \
      GTEST_SKIP() << "no MariaDB test server: run scripts/test.sh, which starts one";  \
    }                                                                                   \
  } while (false)

namespace rh::testing {

// A private MariaDB database for one test: created on a fresh name under the test server
// (the test user may create databases named rh_t_*), dropped when the object dies. url() is
// empty when no server is configured.
class MysqlTestDatabase {
 public:
  MysqlTestDatabase();
  ~MysqlTestDatabase();
  MysqlTestDatabase(const MysqlTestDatabase&) = delete;
  MysqlTestDatabase& operator=(const MysqlTestDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }

 private:
  std::string url_;
  std::string admin_url_;
  std::string name_;
  std::string error_;
};

}  // namespace rh::testing
