// MySQL-protocol backend of Database (MariaDB, MySQL, StarRocks) over mysql-connector-c++ 1.1.
// Only store/ includes this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"

namespace rh::store::internal {

// A parsed mysql://user@host:port/database URL.
struct MysqlUrl {
  std::string user;
  std::string host;
  int port = 3306;
  std::string database;
};
Result<MysqlUrl> ParseMysqlUrl(std::string_view url);

Result<std::unique_ptr<Database>> OpenMysqlDatabase(std::string_view url, const OpenOptions& options);

}  // namespace rh::store::internal
