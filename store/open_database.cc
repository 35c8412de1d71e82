#include "store/database.h"
#include "store/internal/mysql_database.h"
#include "store/internal/sqlite_database.h"

namespace rh::store {

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const OpenOptions& options) {
  if (url.empty()) return InvalidArgument("database", "no database given: a SQLite path or mysql:// URL");
  if (url.starts_with("mysql://")) return internal::OpenMysqlDatabase(url, options);
  if (url.starts_with("sqlite://")) url.remove_prefix(9);
  else if (url.starts_with("sqlite:")) url.remove_prefix(7);
  if (url.find("://") != std::string_view::npos) {
    return InvalidArgument(std::string(url), "unsupported database URL; use a SQLite file path or "
                                             "mysql://user@host:port/db");
  }
  return internal::OpenSqliteDatabase(url, options);
}

}  // namespace rh::store
