#include "store/internal/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "core/time_format.h"

namespace rh::store::internal {
namespace {

constexpr size_t kStatementCacheSize = 64;
constexpr int kBusyRetries = 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  ErrorCode code = ErrorCode::kInternal;
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      message += " (another process holds the database lock; retry)";
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_ERROR:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      code = ErrorCode::kInvalidArgument;
      break;
    case SQLITE_AUTH:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = ErrorCode::kPermissionDenied;
      break;
    case SQLITE_INTERRUPT:
      code = ErrorCode::kDeadlineExceeded;
      message = "statement interrupted: it ran past its time cap";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kDataLoss;
      break;
    case SQLITE_CANTOPEN:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      code = ErrorCode::kResourceExhausted;
      break;
    default:
      break;
  }
  return Error{code, message, std::string(context)};
}

struct GuardState {
  std::vector<std::string> denied_tables;  // lower case
  std::chrono::steady_clock::time_point deadline{};
  bool deadline_armed = false;
};

// Authorizer for guarded (run_sql) connections: reads only.
int GuardAuthorizer(void* user_data, int action, const char* arg1, const char* arg2,
                    const char* /*db_name*/, const char* /*trigger*/) {
  auto* guard = static_cast<GuardState*>(user_data);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_READ: {
      if (arg1) {
        std::string table = Lower(arg1);
        for (const std::string& denied : guard->denied_tables) {
          if (table == denied) return SQLITE_DENY;
        }
      }
      return SQLITE_OK;
    }
    case SQLITE_FUNCTION: {
      std::string name = arg2 ? Lower(arg2) : "";
      if (name == "load_extension" || name == "readfile" || name == "writefile" ||
          name == "edit" || name == "fts3_tokenizer") {
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    }
    case SQLITE_PRAGMA: {
      // Only reads of harmless pragmas. The schema-introspection ones take a table or index
      // name as their argument (PRAGMA table_info(t), pragma_table_info('t')): allowed unless
      // that table is denied. Any other argument would be a setting: denied.
      std::string name = arg1 ? Lower(arg1) : "";
      static const char* kIntrospection[] = {"table_info", "table_xinfo", "index_list",
                                             "index_info", "foreign_key_list"};
      static const char* kArgumentless[] = {"database_list", "compile_options"};
      for (const char* readable : kIntrospection) {
        if (name != readable) continue;
        if (arg2 == nullptr) return SQLITE_OK;
        std::string table = Lower(arg2);
        for (const std::string& denied : guard->denied_tables) {
          if (table == denied) return SQLITE_DENY;
        }
        return SQLITE_OK;
      }
      for (const char* readable : kArgumentless) {
        if (name == readable && arg2 == nullptr) return SQLITE_OK;
      }
      return SQLITE_DENY;
    }
    default:
      return SQLITE_DENY;  // every write, DDL, ATTACH/DETACH, transaction control, ANALYZE...
  }
}

int GuardProgress(void* user_data) {
  auto* guard = static_cast<GuardState*>(user_data);
  return guard->deadline_armed && std::chrono::steady_clock::now() > guard->deadline ? 1 : 0;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::string path, const OpenOptions& options)
      : db_(db), path_(std::move(path)), options_(options) {
    if (options_.guarded) {
      guard_ = std::make_unique<GuardState>();
      for (const auto& table : options_.denied_tables) guard_->denied_tables.push_back(Lower(table));
      sqlite3_set_authorizer(db_, GuardAuthorizer, guard_.get());
      sqlite3_progress_handler(db_, 1000, GuardProgress, guard_.get());
      sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
      sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
      sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
      sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, 100000);
      // No string or blob over 16 MiB: zeroblob(1e9) or printf('%.*c', 1e9, 'x') must not
      // allocate a gigabyte.
      sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, 16 << 20);
    }
  }

  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string description() const override { return "sqlite:" + path_; }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    RH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    ArmDeadline();
    int rc;
    do {
      rc = sqlite3_step(stmt);
    } while (rc == SQLITE_ROW);
    DisarmDeadline();
    int64_t changes = sqlite3_changes64(db_);
    Release(sql, stmt);
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, description()));
    return changes;
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    RH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int column_count = sqlite3_column_count(stmt);
    std::vector<std::string> columns;
    columns.reserve(column_count);
    for (int column_idx = 0; column_idx < column_count; ++column_idx) {
      const char* name = sqlite3_column_name(stmt, column_idx);
      columns.emplace_back(name ? name : "");
    }
    std::vector<std::vector<Value>> rows;
    ArmDeadline();
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value>& row = rows.emplace_back();
      row.reserve(column_count);
      for (int column_idx = 0; column_idx < column_count; ++column_idx) {
        switch (sqlite3_column_type(stmt, column_idx)) {
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, column_idx)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, column_idx));
            break;
          case SQLITE_NULL:
            row.emplace_back(std::monostate{});
            break;
          default: {
            const auto* text = sqlite3_column_text(stmt, column_idx);
            int bytes = sqlite3_column_bytes(stmt, column_idx);
            row.emplace_back(std::string(reinterpret_cast<const char*>(text), bytes));
          }
        }
      }
      if (options_.max_rows > 0 && static_cast<int64_t>(rows.size()) >= options_.max_rows) {
        rc = SQLITE_DONE;
        break;
      }
    }
    DisarmDeadline();
    Release(sql, stmt);
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, description()));
    return QueryResult(std::move(columns), std::move(rows));
  }

  Status ExecuteScript(std::string_view sql) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::string copy(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      Error error = SqliteError(db_, rc, description());
      error.message = text;
      return Fail(error);
    }
    return {};
  }

  Status Transaction(const std::function<Status()>& body, TransactionMode mode) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (depth_ > 0) {  // join the outer transaction
      ++depth_;
      Status result = body();
      --depth_;
      return result;
    }
    const char* begin = mode == TransactionMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
    RH_RETURN_IF_ERROR(RunWithBusyRetry(begin));
    depth_ = 1;
    Status result;
    try {
      result = body();
    } catch (...) {
      depth_ = 0;
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    depth_ = 0;
    if (!result) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return result;
    }
    Status committed = RunWithBusyRetry("COMMIT");
    if (!committed) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return committed;
    }
    return {};
  }

 private:
  Status RunWithBusyRetry(const char* sql) {
    for (int attempt = 0;; ++attempt) {
      int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return {};
      int primary = rc & 0xff;
      if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && attempt < kBusyRetries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
        continue;
      }
      return Fail(SqliteError(db_, rc, description()).WithContext(sql));
    }
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
    sqlite3_stmt* stmt = nullptr;
    auto cached = cache_.find(std::string(sql));
    if (cached != cache_.end()) {
      stmt = cached->second;
      cache_.erase(cached);
      cache_order_.remove(std::string(sql));
    } else {
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
      if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Fail(SqliteError(db_, rc, description()));
      }
      if (stmt == nullptr) return InvalidArgument(description(), "empty SQL statement");
      std::string_view rest(tail, sql.data() + sql.size() - tail);
      if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        sqlite3_finalize(stmt);
        return InvalidArgument(description(), "more than one SQL statement; send them one at a time");
      }
    }
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      sqlite3_finalize(stmt);
      return InvalidArgument(description(), "statement has " + std::to_string(expected) +
                                                " placeholders but " + std::to_string(params.size()) +
                                                " values were bound");
    }
    for (size_t param_idx = 0; param_idx < params.size(); ++param_idx) {
      int slot = static_cast<int>(param_idx) + 1;
      const Value& v = params[param_idx];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, slot);
      } else if (auto i = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, slot, *i);
      } else if (auto d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, slot, *d);
      } else if (auto s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, slot, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (auto t = std::get_if<TimePoint>(&v)) {
        std::string text = FormatSqlTime(*t);
        rc = sqlite3_bind_text64(stmt, slot, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Fail(SqliteError(db_, rc, description()));
      }
    }
    return stmt;
  }

  // Returns a statement to the cache (reset, bindings cleared) or finalizes it.
  void Release(std::string_view sql, sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    std::string key(sql);
    if (options_.guarded || cache_.count(key)) {
      sqlite3_finalize(stmt);
      return;
    }
    cache_.emplace(key, stmt);
    cache_order_.push_back(key);
    if (cache_.size() > kStatementCacheSize) {
      auto oldest = cache_.find(cache_order_.front());
      if (oldest != cache_.end()) {
        sqlite3_finalize(oldest->second);
        cache_.erase(oldest);
      }
      cache_order_.pop_front();
    }
  }

  void ArmDeadline() {
    if (!guard_ || options_.statement_timeout <= Duration::zero()) return;
    guard_->deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           options_.statement_timeout);
    guard_->deadline_armed = true;
  }
  void DisarmDeadline() {
    if (guard_) guard_->deadline_armed = false;
  }

  sqlite3* db_;
  std::string path_;
  OpenOptions options_;
  std::unique_ptr<GuardState> guard_;
  std::recursive_mutex mutex_;
  int depth_ = 0;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::list<std::string> cache_order_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(std::string_view path_text,
                                                     const OpenOptions& options) {
  std::string path(path_text);
  bool in_memory = path == ":memory:" || path.starts_with("file::memory:");
  if (!in_memory && !options.read_only && options.create_if_missing) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return InvalidArgument(path, "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }
  if (!in_memory && (options.read_only || !options.create_if_missing) &&
      !std::filesystem::exists(path)) {
    return NotFound(path, "no such database file; create it first (e.g. `rockhound fleet "
                          "generate`) or check the path");
  }
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= options.read_only ? SQLITE_OPEN_READONLY
                             : (SQLITE_OPEN_READWRITE |
                                (options.create_if_missing ? SQLITE_OPEN_CREATE : 0));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db, rc, path);
    sqlite3_close_v2(db);
    return Fail(error);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                options.busy_timeout).count()));
  auto pragma = [&](const char* sql) -> Status {
    char* message = nullptr;
    int prc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (prc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(prc);
      sqlite3_free(message);
      Error error = SqliteError(db, prc, path);
      error.message = text + (prc == SQLITE_NOTADB ? " (the file is not a SQLite database)" : "");
      return Fail(error);
    }
    return {};
  };
  Status status;
  if (!options.read_only && !in_memory) status = pragma("PRAGMA journal_mode=WAL");
  if (status && !options.read_only) status = pragma("PRAGMA synchronous=NORMAL");
  if (status) status = pragma("PRAGMA foreign_keys=ON");
  if (status) status = pragma("PRAGMA temp_store=MEMORY");
  if (status && options.read_only) status = pragma("SELECT count(*) FROM sqlite_master");
  if (!status) {
    sqlite3_close_v2(db);
    return Fail(status.error());
  }
  return std::unique_ptr<Database>(std::make_unique<SqliteDatabase>(db, path, options));
}

}  // namespace rh::store::internal
