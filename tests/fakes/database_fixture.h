// A parameterised fixture that runs the same test body against SQLite and against a real
// MariaDB server: INSTANTIATE_TEST_SUITE_P(Backends, MyTest, RH_DATABASE_BACKENDS()).
// On "mysql" without a configured server the test is skipped (failed under CI=true).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/database.h"
#include "tests/fakes/test_env.h"

namespace rh::testing {

class DatabaseBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mysql") {
      RH_REQUIRE_MYSQL();
      mysql_ = std::make_unique<MysqlTestDatabase>();
      ASSERT_FALSE(mysql_->url().empty()) << mysql_->error();
      url_ = mysql_->url();
    } else {
      url_ = temp_.File("test.db");
    }
    db_ = Open();
    ASSERT_NE(db_, nullptr);
  }

  // Opens another connection to the same database (another "worker").
  std::unique_ptr<store::Database> Open(store::OpenOptions options = {}) {
    options.password = TestMysqlPassword();
    auto db = store::OpenDatabase(url_, options);
    EXPECT_TRUE(db) << db.error().ToString();
    return db ? std::move(*db) : nullptr;
  }

  const std::string& url() const { return url_; }
  store::Database& db() { return *db_; }

 private:
  TempDir temp_;
  std::unique_ptr<MysqlTestDatabase> mysql_;
  std::string url_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace rh::testing

#define RH_DATABASE_BACKENDS() ::testing::Values(std::string("sqlite"), std::string("mysql")), \
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param; }
