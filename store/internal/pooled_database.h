// PooledDatabase: the Database that OpenDatabase returns, routing each call to a connection of
// its pools as store/database.h states. Only store/ includes this header.
//
// Routing. A call made inside Transaction() or OnOneConnection() by the thread running the body
// goes to the body's connection (a per-thread binding, so a nested Transaction joins the outer
// one and a Query sees the body's own writes). Otherwise: Query goes to a `readers` connection
// when there is a reader pool (SQLite in WAL), else to a `primary` one; Execute, ExecuteScript,
// Transaction and OnOneConnection go to a `primary` connection (the SQLite writer, or any MySQL
// connection). Each connection is a single-connection backend (internal/sqlite_database.h,
// internal/mysql_database.h), which keeps its own transaction depth, statement cache and, for
// MySQL, reconnection after a lost connection.
//
// Thread-safety: safe for any number of threads; a connection serves one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"
#include "store/internal/connection_pool.h"

namespace rh::store::internal {

class PooledDatabase final : public Database {
 public:
  // `readers` may be null (MySQL, SQLite ":memory:" or not in WAL): queries then use `primary`.
  PooledDatabase(Dialect dialect, std::string description, std::unique_ptr<ConnectionPool> primary,
                 std::unique_ptr<ConnectionPool> readers);
  ~PooledDatabase() override;

  Dialect dialect() const override { return dialect_; }
  std::string description() const override { return description_; }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override;
  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override;
  Status ExecuteScript(std::string_view sql) override;
  Status Transaction(const std::function<Status()>& body, TransactionMode mode) override;
  Status OnOneConnection(const std::function<Status()>& body) override;

  // For tests and diagnostics: connections open now in each pool (readers: 0 without a pool).
  int primary_connections() const { return primary_->open_connections(); }
  int reader_connections() const { return readers_ ? readers_->open_connections() : 0; }

 private:
  // The connection this thread's Transaction/OnOneConnection body runs on, or null.
  Database* BoundConnection() const;

  const Dialect dialect_;
  const std::string description_;
  std::unique_ptr<ConnectionPool> primary_;
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace rh::store::internal
