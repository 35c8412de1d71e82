#include "store/database.h"
#include "store/internal/connection_pool.h"
#include "store/internal/mysql_database.h"
#include "store/internal/pooled_database.h"
#include "store/internal/sqlite_database.h"

namespace rh::store {
namespace {

constexpr const char* kPoolSizeHint =
    "raise the pool size (fleet.pool_size / memory.pool_size; OpenOptions::pool_size) or find "
    "what holds connections so long";

Result<std::unique_ptr<Database>> OpenMysqlPool(std::string_view url, const OpenOptions& options) {
  RH_ASSIGN_OR_RETURN(std::unique_ptr<Database> first, internal::OpenMysqlDatabase(url, options));
  if (options.guarded) return first;  // run_sql: one capped, read-only session
  const std::string description = first->description();
  auto pool = std::make_unique<internal::ConnectionPool>(
      description, options.pool_size, options.pool_wait_timeout, kPoolSizeHint,
      [url = std::string(url), options] { return internal::OpenMysqlDatabase(url, options); });
  pool->Adopt(std::move(first));
  return std::unique_ptr<Database>(std::make_unique<internal::PooledDatabase>(
      Dialect::kMysql, description, std::move(pool), nullptr));
}

// SQLite: one writer, and read-only connections beside it when they can read while it writes
// (WAL), or when the whole database is read-only anyway.
Result<std::unique_ptr<Database>> OpenSqlitePool(std::string_view path,
                                                 const OpenOptions& options) {
  RH_ASSIGN_OR_RETURN(std::unique_ptr<Database> writer,
                      internal::OpenSqliteDatabase(path, options));
  if (options.guarded) return writer;  // run_sql: one connection with its authorizer
  const std::string description = writer->description();
  bool with_readers = false;
  if (!internal::IsSqliteInMemory(path)) {  // ":memory:" is private to its one connection
    RH_ASSIGN_OR_RETURN(QueryResult journal, writer->Query("PRAGMA journal_mode", {}));
    with_readers = options.read_only ||
                   (!journal.empty() && journal.front().GetString(size_t{0}) == "wal");
  }
  auto primary = std::make_unique<internal::ConnectionPool>(
      description + " (writer)", 1, options.pool_wait_timeout,
      "SQLite has one writer and another thread's transaction held it (pool_size sizes only "
      "the readers)",
      nullptr);
  primary->Adopt(std::move(writer));
  std::unique_ptr<internal::ConnectionPool> readers;
  if (with_readers) {
    OpenOptions reader_options = options;
    reader_options.read_only = true;
    reader_options.create_if_missing = false;
    readers = std::make_unique<internal::ConnectionPool>(
        description + " (readers)", options.pool_size, options.pool_wait_timeout, kPoolSizeHint,
        [path = std::string(path), reader_options] {
          return internal::OpenSqliteDatabase(path, reader_options);
        });
  }
  return std::unique_ptr<Database>(std::make_unique<internal::PooledDatabase>(
      Dialect::kSqlite, description, std::move(primary), std::move(readers)));
}

}  // namespace

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const OpenOptions& options) {
  if (url.empty()) return InvalidArgument("database", "no database given: a SQLite path or mysql:// URL");
  if (options.pool_size < 1) {
    return InvalidArgument("database", "pool_size must be at least 1, got " +
                                           std::to_string(options.pool_size));
  }
  if (url.starts_with("mysql://")) return OpenMysqlPool(url, options);
  if (url.starts_with("sqlite://")) url.remove_prefix(9);
  else if (url.starts_with("sqlite:")) url.remove_prefix(7);
  if (url.find("://") != std::string_view::npos) {
    return InvalidArgument(std::string(url), "unsupported database URL; use a SQLite file path or "
                                             "mysql://user@host:port/db");
  }
  return OpenSqlitePool(url, options);
}

}  // namespace rh::store
