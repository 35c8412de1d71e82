// Database: the one interface through which Rockhound talks to SQL, whatever the backend.
//
// Two implementations: SQLite (embedded default; WAL, busy timeout, safe for several threads
// and several processes on one file) and MySQL over mysql-connector-c++ (MariaDB/MySQL for a
// shared agent memory, StarRocks for fleet telemetry). Open one with OpenDatabase(url).
//
// SQL is written once for both dialects where possible: '?' placeholders with bound Values,
// times bound as TimePoint (they reach SQL as 'YYYY-MM-DD HH:MM:SS' UTC text), no time
// arithmetic in SQL. Where dialects differ (upserts, "INSERT OR IGNORE" vs "INSERT IGNORE",
// "FOR UPDATE SKIP LOCKED"), branch on dialect(). The MySQL backend never uses server-side
// prepared statements (StarRocks before 3.2 lacks them): parameters are escaped and inlined on
// the client, and each session is pinned at connect so that escaping means what it says:
// sql_mode strict and without NO_BACKSLASH_ESCAPES, utf8mb4, time_zone '+00:00'.
//
// Thread-safety: a Database is a pool of connections shared safely by several threads, so
// independent calls run in parallel (store/README.md, "Concurrency"). SQLite (WAL): Query
// outside a transaction runs on one of `pool_size` read-only connections and never waits for a
// writer; Execute, ExecuteScript and Transaction run on the one writer connection, one thread at
// a time. MySQL: each call borrows any of `pool_size` connections. Inside Transaction() (and
// OnOneConnection()) every call the body makes on this Database from the same thread runs on
// the body's connection, so the body sees its own writes; calls from other threads do not join
// it. Waiting for a connection is bounded by `pool_wait_timeout` (then `unavailable`). Opened
// `guarded`, or on ":memory:", a Database is a single connection. Each call is atomic; two
// calls are not atomic together unless they run in one Transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace rh::store {

enum class Dialect { kSqlite, kMysql };

// A bound parameter or a result cell. Booleans bind as 0/1; text is UTF-8.
using Value = std::variant<std::monostate, int64_t, double, std::string, TimePoint>;

Value Null();
// Convenience conversions for building parameter lists: {Int(3), Text("a"), Time(now)}.
inline Value Int(int64_t v) { return Value(v); }
inline Value Real(double v) { return Value(v); }
inline Value Text(std::string v) { return Value(std::move(v)); }
inline Value Time(TimePoint v) { return Value(v); }
inline Value OptText(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }

// One result row; columns addressed by index or name. Typed getters convert between the
// backends' representations (MySQL returns text for everything; SQLite returns typed cells)
// and never throw: a NULL or unconvertible cell gives the fallback.
class Row {
 public:
  Row(const std::vector<std::string>* columns, const std::vector<Value>* cells)
      : columns_(columns), cells_(cells) {}

  size_t size() const { return cells_->size(); }
  bool IsNull(size_t column) const;
  bool IsNull(std::string_view column) const;
  int64_t GetInt(size_t column, int64_t fallback = 0) const;
  int64_t GetInt(std::string_view column, int64_t fallback = 0) const;
  double GetDouble(size_t column, double fallback = 0.0) const;
  double GetDouble(std::string_view column, double fallback = 0.0) const;
  std::string GetString(size_t column, std::string_view fallback = "") const;
  std::string GetString(std::string_view column, std::string_view fallback = "") const;
  std::optional<TimePoint> GetTime(size_t column) const;
  std::optional<TimePoint> GetTime(std::string_view column) const;
  const Value& Get(size_t column) const { return (*cells_)[column]; }

 private:
  size_t IndexOf(std::string_view column) const;  // SIZE_MAX when absent
  const std::vector<std::string>* columns_;
  const std::vector<Value>* cells_;
};

class QueryResult {
 public:
  QueryResult() = default;
  QueryResult(std::vector<std::string> columns, std::vector<std::vector<Value>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  const std::vector<std::string>& columns() const { return columns_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  Row operator[](size_t row_idx) const { return Row(&columns_, &rows_[row_idx]); }
  Row front() const { return (*this)[0]; }

  class Iterator {
   public:
    Iterator(const QueryResult* result, size_t index) : result_(result), index_(index) {}
    Row operator*() const { return (*result_)[index_]; }
    Iterator& operator++() { ++index_; return *this; }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }
   private:
    const QueryResult* result_;
    size_t index_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, rows_.size()); }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Value>> rows_;
};

enum class TransactionMode {
  kWrite,  // SQLite: BEGIN IMMEDIATE (takes the write lock up front; no upgrade deadlocks)
  kRead,   // SQLite: BEGIN DEFERRED
};

class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;
  // A description safe to print (passwords masked), e.g. "sqlite:/data/fleet.db".
  virtual std::string description() const = 0;

  // Runs one statement; returns the number of rows changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement that returns rows.
  virtual Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several ';'-separated statements without parameters (schema migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Runs `body` inside one transaction: commits when it succeeds, rolls back when it returns an
  // error (which is then returned). SQLite "database is locked" at BEGIN/COMMIT and MySQL
  // deadlocks are retried a few times before giving up with `unavailable`. Nested calls join
  // the outer transaction. SQLite write transactions run one at a time (one writer); MySQL
  // transactions of different threads run at once, isolated (REPEATABLE READ) but not
  // serialized: lock what a read-modify-write depends on (FOR UPDATE, GET_LOCK).
  virtual Status Transaction(const std::function<Status()>& body,
                             TransactionMode mode = TransactionMode::kWrite) = 0;
  // Runs `body` with every call this thread makes on this Database on one connection (SQLite:
  // the writer), without a transaction: for session state that spans transactions, such as a
  // MySQL named lock taken in one and released after its commit. Inside a Transaction (or
  // another OnOneConnection) it just runs `body`. Returns what `body` returns.
  virtual Status OnOneConnection(const std::function<Status()>& body) { return body(); }

  // Convenience: the first row, or not_found.
  Result<QueryResult> QueryOne(std::string_view sql, const std::vector<Value>& params = {});
  // Convenience: the first column of the first row as an integer, or `fallback` with no rows.
  Result<int64_t> QueryInt(std::string_view sql, const std::vector<Value>& params = {},
                           int64_t fallback = 0);
  // Whether a table exists (used by migrations and read-only guards).
  Result<bool> TableExists(std::string_view table);
  // SQL for "insert unless the primary/unique key exists": "INSERT OR IGNORE" / "INSERT IGNORE".
  std::string InsertIgnore() const;
};

struct OpenOptions {
  bool read_only = false;            // SQLite: SQLITE_OPEN_READONLY; MySQL: session read-only
  bool create_if_missing = true;     // SQLite: create the file (and its directory)
  Duration busy_timeout = std::chrono::seconds(10);  // SQLite busy handler
  Duration connect_timeout = std::chrono::seconds(10);  // MySQL
  std::string password;              // MySQL password (from the environment, never the URL)
  // Connections for concurrent calls (config: fleet.pool_size, memory.pool_size). SQLite: the
  // read-only connections beside the one writer; MySQL: the connections. Opened on demand.
  int pool_size = 8;
  // Longest wait for a free connection (or the SQLite writer) before `unavailable`.
  Duration pool_wait_timeout = std::chrono::seconds(30);

  // Guarded read-only sessions (the run_sql tool). SQLite: an authorizer denies every write,
  // ATTACH/DETACH, PRAGMA other than table introspection, load_extension, the tables below and
  // the schema catalogs (sqlite_*, pragma_*, dbstat); a watchdog and a progress handler
  // interrupt statements that run past statement_timeout, and strings, printf widths and the
  // built-ins whose cost grows with their argument sizes are capped so that no single call
  // outruns it (tools/README.md, "Lock 2"). MySQL: the session is READ ONLY with
  // max_statement_time (MariaDB) / query_timeout (StarRocks) and sql_select_limit = max_rows.
  bool guarded = false;
  std::vector<std::string> denied_tables;   // matched case-insensitively
  Duration statement_timeout = Duration::zero();  // zero: no cap
  int64_t max_rows = 0;                     // zero: no cap (MySQL sql_select_limit)
};

// Opens `url`: a SQLite path (optionally "sqlite:" prefixed; ":memory:" for a private in-memory
// database) or "mysql://user@host:port/database". Errors: invalid_argument for a malformed URL,
// unavailable when the server cannot be reached, permission_denied for bad credentials,
// invalid_argument for pool_size < 1. The first connection is opened here (so these errors show
// at once); the others when concurrent calls first need them.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const OpenOptions& options = {});

// Renders a Value for messages and CSV-ish output ("NULL" for null).
std::string ValueToString(const Value& value);

}  // namespace rh::store
