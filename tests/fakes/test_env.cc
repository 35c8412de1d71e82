#include "tests/fakes/test_env.h"

#include <cstdlib>
#include <random>

namespace rh::testing {

TempDir::TempDir() {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() /
                     ("rockhound-test-" + std::to_string(rng() % 1000000000ULL));
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  std::abort();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::optional<std::filesystem::path> SharedDataPath(const std::string& relative) {
  std::filesystem::path path = std::filesystem::path(RH_SHARED_DIR) / "data" / relative;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return path;
}

std::optional<std::string> TestMysqlUrl() {
  const char* url = std::getenv("ROCKHOUND_TEST_MYSQL_URL");
  if (!url || !*url) return std::nullopt;
  return std::string(url);
}

std::string TestMysqlPassword() {
  const char* pw = std::getenv("ROCKHOUND_TEST_MYSQL_PASSWORD");
  return pw ? pw : "";
}

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace rh::testing

#include "store/database.h"

namespace rh::testing {

MysqlTestDatabase::MysqlTestDatabase() {
  auto base = TestMysqlUrl();
  if (!base) return;
  admin_url_ = *base;
  std::random_device rd;
  name_ = "rh_t_" + std::to_string(rd() % 100000000u) + "_" + std::to_string(rd() % 100000u);
  store::OpenOptions options;
  options.password = TestMysqlPassword();
  auto admin = store::OpenDatabase(admin_url_, options);
  if (!admin) {
    error_ = admin.error().ToString();
    return;
  }
  auto created = (*admin)->Execute("CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4");
  if (!created) {
    error_ = created.error().ToString();
    return;
  }
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
}

MysqlTestDatabase::~MysqlTestDatabase() {
  if (url_.empty()) return;
  store::OpenOptions options;
  options.password = TestMysqlPassword();
  auto admin = store::OpenDatabase(admin_url_, options);
  if (admin) (void)(*admin)->Execute("DROP DATABASE IF EXISTS " + name_);
}

}  // namespace rh::testing
