#include "store/internal/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/log.h"
#include "core/time_format.h"

namespace rh::store::internal {
namespace {

constexpr size_t kStatementCacheSize = 64;
constexpr int kBusyRetries = 20;

// Owners of SQLite handles, so a connection closes and a statement finalizes on every path.
struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;
struct SqliteFree {
  void operator()(char* text) const { sqlite3_free(text); }
};
using SqliteMessage = std::unique_ptr<char, SqliteFree>;  // an error text sqlite3_exec allocated

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

// ---- guarded (run_sql) connections ------------------------------------------------------------
//
// Three things keep one guarded statement bounded in time, whatever its SQL:
//  - a watchdog thread calls sqlite3_interrupt() when the statement outruns its cap; SQLite
//    checks the flag at every loop step, so it ends the statement even between the progress
//    handler's calls (every 1000 virtual-machine instructions);
//  - no single function call may run long, because SQLite cannot interrupt one: strings and
//    blobs are capped at kGuardedMaxLength, zeroblob/randomblob are refused, and the built-ins
//    whose cost grows with the product of their argument sizes are replaced by capped wrappers
//    (printf/format: width and precision at most kGuardedMaxPrintfWidth, since `%.*c` with a
//    precision of 2e9 loops 2e9 times inside one call; instr/replace: haystack x needle;
//    trim/ltrim/rtrim: text x characters to trim; like/glob: text x pattern). A wrapper checks
//    the caps, then evaluates the real built-in on a private in-memory connection, so results
//    are SQLite's own;
//  - at most kGuardedMaxFunctions function calls per statement, so that a long straight line of
//    capped calls (evaluated without a loop step in between) stays short too.
constexpr int kGuardedMaxLength = 1 << 20;                   // bytes per string or blob
constexpr int kGuardedMaxLikePattern = 1000;                 // bytes
constexpr int kGuardedMaxFunctions = 256;                    // calls per statement (the guard: 100)
constexpr int64_t kGuardedMaxPrintfWidth = 1000;             // the guard's kMaxPrintfWidth
constexpr int64_t kGuardedMaxSearchWork = int64_t{1} << 26;  // instr, replace: bytes x bytes
constexpr int64_t kGuardedMaxTrimWork = int64_t{1} << 18;    // trim family: bytes x bytes
constexpr int64_t kGuardedMaxPatternWork = int64_t{1} << 21;  // like, glob: bytes x bytes

// One capped built-in: its name, arity (-1: any) and the check run before each call.
struct CappedBuiltin {
  const char* name;
  int arity;
  // Empty when the call may run; else the error message.
  std::string (*check)(int argc, sqlite3_value** argv);
};

// Bytes of a text or blob argument (numbers and NULL are short).
int64_t ArgumentBytes(sqlite3_value* value) {
  int type = sqlite3_value_type(value);
  if (type != SQLITE_TEXT && type != SQLITE_BLOB) return 32;
  return sqlite3_value_bytes(value);
}

std::string CheckProduct(const char* name, int64_t work, int64_t cap, const char* what) {
  if (work <= cap) return {};
  return std::string(name) + "(): " + what + " too large for run_sql (" + std::to_string(work) +
         " > " + std::to_string(cap) + "); use shorter arguments";
}

std::string CheckSearch(int argc, sqlite3_value** argv) {  // instr(X, Y), replace(X, Y, Z)
  if (argc < 2) return {};
  return CheckProduct("instr/replace", ArgumentBytes(argv[0]) * ArgumentBytes(argv[1]),
                      kGuardedMaxSearchWork, "text x search string is");
}

std::string CheckTrim(int argc, sqlite3_value** argv) {  // trim(X, Y)
  if (argc < 2) return {};
  return CheckProduct("trim", ArgumentBytes(argv[0]) * ArgumentBytes(argv[1]), kGuardedMaxTrimWork,
                      "text x characters to trim is");
}

std::string CheckPattern(int argc, sqlite3_value** argv) {  // like(P, X[, E]), glob(P, X)
  if (argc < 2) return {};
  return CheckProduct("like/glob", ArgumentBytes(argv[0]) * ArgumentBytes(argv[1]),
                      kGuardedMaxPatternWork, "text x pattern is");
}

// printf(FORMAT, ...): every width and precision, written out or taken from an argument by
// '*', at most kGuardedMaxPrintfWidth.
std::string CheckPrintf(int argc, sqlite3_value** argv) {
  if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return {};
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (text == nullptr) return {};
  std::string_view format(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  int next_arg = 1;
  for (size_t pos = 0; pos < format.size(); ++pos) {
    if (format[pos] != '%') continue;
    ++pos;
    while (pos < format.size() &&
           std::string_view("-+ #0,!").find(format[pos]) != std::string_view::npos) {
      ++pos;
    }
    for (int part = 0; part < 2; ++part) {  // width, then precision
      if (part == 1) {
        if (pos >= format.size() || format[pos] != '.') break;
        ++pos;
      }
      int64_t value = 0;
      if (pos < format.size() && format[pos] == '*') {
        ++pos;
        if (next_arg < argc) {
          int64_t arg = sqlite3_value_int64(argv[next_arg]);
          value = arg == INT64_MIN ? INT64_MAX : (arg < 0 ? -arg : arg);
        }
        ++next_arg;
      } else {
        while (pos < format.size() && format[pos] >= '0' && format[pos] <= '9') {
          value = std::min<int64_t>(value * 10 + (format[pos] - '0'), INT64_MAX / 20);
          ++pos;
        }
      }
      if (value > kGuardedMaxPrintfWidth) {
        return "printf(): width or precision " + std::to_string(value) +
               " is above run_sql's cap of " + std::to_string(kGuardedMaxPrintfWidth);
      }
    }
    while (pos < format.size() && format[pos] == 'l') ++pos;
    // The conversion's own argument (SQL printf's %% and %n take none).
    if (pos < format.size() && format[pos] != '%' && format[pos] != 'n') ++next_arg;
  }
  return {};
}

class GuardState;

// What a capped wrapper's user data points at.
struct CappedBinding {
  GuardState* guard;
  const CappedBuiltin* builtin;
};

void CappedFunction(sqlite3_context* context, int argc, sqlite3_value** argv);

constexpr CappedBuiltin kCappedBuiltins[] = {
    {"printf", -1, CheckPrintf}, {"format", -1, CheckPrintf}, {"instr", 2, CheckSearch},
    {"replace", 3, CheckSearch}, {"trim", 2, CheckTrim},      {"ltrim", 2, CheckTrim},
    {"rtrim", 2, CheckTrim},     {"like", 2, CheckPattern},   {"like", 3, CheckPattern},
    {"glob", 2, CheckPattern},
};

// The guard of one guarded connection: the authorizer's policy, the statement deadline and its
// watchdog, and the capped built-ins. Lives inside its SqliteDatabase, used by one statement at
// a time (the connection's mutex); the watchdog thread touches only the deadline fields, under
// `mutex_`.
class GuardState {
 public:
  GuardState(sqlite3* db, const std::vector<std::string>& denied_tables) : db_(db) {
    for (const std::string& table : denied_tables) denied_tables_.push_back(Lower(table));
    sqlite3* helper = nullptr;
    if (sqlite3_open_v2(":memory:", &helper,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) == SQLITE_OK) {
      helper_.reset(helper);
      sqlite3_limit(helper, SQLITE_LIMIT_LENGTH, kGuardedMaxLength);
      sqlite3_limit(helper, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, kGuardedMaxLikePattern);
      for (size_t builtin_idx = 0; builtin_idx < bindings_.size(); ++builtin_idx) {
        const CappedBuiltin& builtin = kCappedBuiltins[builtin_idx];
        bindings_[builtin_idx] = CappedBinding{this, &builtin};
        sqlite3_create_function_v2(
            db_, builtin.name, builtin.arity, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
            &bindings_[builtin_idx], CappedFunction, nullptr, nullptr, nullptr);
      }
    } else {
      sqlite3_close_v2(helper);  // no helper: the capped built-ins are refused instead
    }
    watchdog_ = std::thread([this] { WatchdogLoop(); });
  }

  ~GuardState() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
  }

  GuardState(const GuardState&) = delete;
  GuardState& operator=(const GuardState&) = delete;

  // Before each statement is prepared: the authorizer counts its function calls afresh.
  void BeginStatement() { functions_in_statement_ = 0; }

  void Arm(MonoTime deadline) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      deadline_ = deadline;
      armed_ = true;
      ++generation_;
    }
    wake_.notify_all();
  }
  void Disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
  }
  // The progress handler's check, between the watchdog's.
  bool PastDeadline() {
    std::lock_guard<std::mutex> lock(mutex_);
    return armed_ && MachineMonotonic() > deadline_;
  }

  int Authorize(int action, const char* arg1, const char* arg2) {
    switch (action) {
      case SQLITE_SELECT:
      case SQLITE_RECURSIVE:
        return SQLITE_OK;
      case SQLITE_READ:
        // The denied tables, and the catalogs that would name them (sqlite_master/_schema,
        // sqlite_sequence, sqlite_stat*, dbstat, sqlite_stmt, pragma_* tables).
        return arg1 != nullptr && (IsDenied(arg1) || IsCatalog(arg1)) ? SQLITE_DENY : SQLITE_OK;
      case SQLITE_FUNCTION: {
        if (++functions_in_statement_ > kGuardedMaxFunctions) return SQLITE_DENY;
        std::string name = arg2 ? Lower(arg2) : "";
        static const char* kDenied[] = {"load_extension", "readfile", "writefile",  "edit",
                                        "fts3_tokenizer", "zeroblob", "randomblob", "sqlite_log"};
        for (const char* denied : kDenied) {
          if (name == denied) return SQLITE_DENY;
        }
        if (!helper_) {
          for (const CappedBuiltin& builtin : kCappedBuiltins) {
            if (name == builtin.name) return SQLITE_DENY;
          }
        }
        return SQLITE_OK;
      }
      case SQLITE_PRAGMA: {
        // Only the schema-introspection pragmas run_sql's DESCRIBE uses, of a table or index
        // named exactly (PRAGMA table_info(t); pragma_table_info(expr) is evaluated into the
        // same PRAGMA first, so a computed name is checked as the name it computes to). No
        // listing pragma (table_list, database_list, ...): it would name the denied tables.
        std::string name = arg1 ? Lower(arg1) : "";
        static const char* kIntrospection[] = {"table_info", "table_xinfo", "index_list",
                                               "index_info", "foreign_key_list"};
        for (const char* readable : kIntrospection) {
          if (name == readable) return arg2 != nullptr && !IsDenied(arg2) ? SQLITE_OK : SQLITE_DENY;
        }
        return SQLITE_DENY;
      }
      default:
        return SQLITE_DENY;  // every write, DDL, ATTACH/DETACH, transaction control, ANALYZE...
    }
  }

  // A capped built-in, its caps checked: evaluated on the helper connection.
  void Evaluate(const CappedBuiltin& builtin, sqlite3_context* context, int argc,
                sqlite3_value** argv) {
    std::string why = builtin.check(argc, argv);
    if (!why.empty()) {
      sqlite3_result_error(context, why.c_str(), -1);
      return;
    }
    sqlite3_stmt* stmt = HelperStatement(builtin.name, argc);
    if (stmt == nullptr) {
      sqlite3_result_error(context, sqlite3_errmsg(helper_.get()), -1);
      return;
    }
    for (int arg_idx = 0; arg_idx < argc; ++arg_idx) {
      sqlite3_bind_value(stmt, arg_idx + 1, argv[arg_idx]);
    }
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      sqlite3_result_value(context, sqlite3_column_value(stmt, 0));
    } else if ((rc & 0xff) == SQLITE_TOOBIG) {
      sqlite3_result_error_toobig(context);
    } else {
      sqlite3_result_error(context, sqlite3_errmsg(helper_.get()), -1);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }

 private:
  bool IsDenied(const char* table) const {
    std::string name = Lower(table);
    return std::find(denied_tables_.begin(), denied_tables_.end(), name) != denied_tables_.end();
  }
  static bool IsCatalog(const char* table) {
    std::string name = Lower(table);
    return name.starts_with("sqlite_") || name.starts_with("pragma_") || name == "dbstat";
  }

  // "SELECT name(?1, ..., ?argc)" on the helper, prepared once per name and arity.
  sqlite3_stmt* HelperStatement(const char* name, int argc) {
    std::string key = std::string(name) + "/" + std::to_string(argc);
    auto found = helper_statements_.find(key);
    if (found != helper_statements_.end()) return found->second.get();
    std::string sql = std::string("SELECT ") + name + "(";
    for (int arg_idx = 0; arg_idx < argc; ++arg_idx) {
      sql += (arg_idx == 0 ? "?" : ", ?") + std::to_string(arg_idx + 1);
    }
    sql += ")";
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(helper_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      sqlite3_finalize(raw);
      return nullptr;
    }
    return helper_statements_.emplace(key, StatementPtr(raw)).first->second.get();
  }

  void WatchdogLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      if (!armed_) {
        wake_.wait(lock);
        continue;
      }
      const uint64_t generation = generation_;
      const auto deadline = deadline_;
      bool changed = wake_.wait_for(lock, deadline - MachineMonotonic(), [&] {
        return stop_ || !armed_ || generation_ != generation;
      });
      if (changed) continue;
      // Still the same statement, past its deadline. Under the mutex, so a statement that
      // has just disarmed cannot be interrupted by it (and the connection is open: it closes
      // only after this GuardState is gone).
      sqlite3_interrupt(db_);
      armed_ = false;
    }
  }

  sqlite3* db_;
  std::vector<std::string> denied_tables_;  // lower case
  int functions_in_statement_ = 0;
  std::array<CappedBinding, std::size(kCappedBuiltins)> bindings_{};
  // Declared before the statements prepared on it, so they finalize first.
  SqliteHandle helper_;
  std::unordered_map<std::string, StatementPtr> helper_statements_;
  std::mutex mutex_;
  std::condition_variable wake_;
  MonoTime deadline_{};
  bool armed_ = false;
  bool stop_ = false;
  uint64_t generation_ = 0;
  std::thread watchdog_;  // last: started when everything above exists
};

void CappedFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  const auto* binding = static_cast<const CappedBinding*>(sqlite3_user_data(context));
  binding->guard->Evaluate(*binding->builtin, context, argc, argv);
}

// Authorizer and progress handler of guarded connections: GuardState decides.
int GuardAuthorizer(void* user_data, int action, const char* arg1, const char* arg2,
                    const char* /*db_name*/, const char* /*trigger*/) {
  return static_cast<GuardState*>(user_data)->Authorize(action, arg1, arg2);
}

int GuardProgress(void* user_data) {
  return static_cast<GuardState*>(user_data)->PastDeadline() ? 1 : 0;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteHandle db, std::string path, const OpenOptions& options)
      : handle_(std::move(db)), db_(handle_.get()), path_(std::move(path)), options_(options) {
    if (options_.guarded) {
      guard_ = std::make_unique<GuardState>(db_, options_.denied_tables);
      sqlite3_set_authorizer(db_, GuardAuthorizer, guard_.get());
      sqlite3_progress_handler(db_, 1000, GuardProgress, guard_.get());
      sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
      sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
      sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
      sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, 100000);
      // No string, blob or row over 1 MiB (see GuardState).
      sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, kGuardedMaxLength);
      sqlite3_limit(db_, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, kGuardedMaxLikePattern);
    }
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string description() const override { return "sqlite:" + path_; }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    RH_ASSIGN_OR_RETURN(CachedStatement statement, Prepare(sql, params));
    sqlite3_stmt* stmt = statement.get();
    ArmDeadline();
    int rc;
    do {
      rc = sqlite3_step(stmt);
    } while (rc == SQLITE_ROW);
    DisarmDeadline();
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, description()));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    RH_ASSIGN_OR_RETURN(CachedStatement statement, Prepare(sql, params));
    sqlite3_stmt* stmt = statement.get();
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
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, description()));
    return QueryResult(std::move(columns), std::move(rows));
  }

  Status ExecuteScript(std::string_view sql) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::string copy(sql);
    char* raw_message = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &raw_message);
    SqliteMessage message(raw_message);
    if (rc != SQLITE_OK) {
      Error error = SqliteError(db_, rc, description());
      error.message = message ? message.get() : sqlite3_errstr(rc);
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

  // One prepared statement lent to one call: whichever way the call ends, it is reset, its
  // bindings cleared, and it goes back to the cache (or is finalized).
  class CachedStatement {
   public:
    CachedStatement(SqliteDatabase* owner, std::string sql, StatementPtr stmt)
        : owner_(owner), sql_(std::move(sql)), stmt_(std::move(stmt)) {}
    CachedStatement(CachedStatement&& other) noexcept = default;
    CachedStatement& operator=(CachedStatement&&) = delete;
    ~CachedStatement() {
      if (!stmt_) return;
      try {
        owner_->Release(std::move(sql_), std::move(stmt_));
      } catch (...) {  // out of memory while caching: the statement is finalized instead
      }
    }
    sqlite3_stmt* get() const { return stmt_.get(); }

   private:
    SqliteDatabase* owner_;
    std::string sql_;
    StatementPtr stmt_;
  };

  // The cached statement for `sql` (or a newly prepared one) with `params` bound.
  Result<CachedStatement> Prepare(std::string_view sql, const std::vector<Value>& params) {
    if (guard_) guard_->BeginStatement();
    std::string key(sql);
    StatementPtr prepared;
    auto cached = cache_.find(key);
    if (cached != cache_.end()) {
      prepared = std::move(cached->second);
      cache_.erase(cached);
      cache_order_.remove(key);
    } else {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
      prepared.reset(raw);
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, description()));
      if (!prepared) return InvalidArgument(description(), "empty SQL statement");
      std::string_view rest(tail, sql.data() + sql.size() - tail);
      if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        return InvalidArgument(description(), "more than one SQL statement; send them one at a time");
      }
    }
    CachedStatement statement(this, std::move(key), std::move(prepared));
    sqlite3_stmt* stmt = statement.get();
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
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
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, description()));
    }
    return statement;
  }

  // Takes back a statement (reset, bindings cleared) into the cache, evicting the least
  // recently used one past kStatementCacheSize; guarded connections cache nothing.
  void Release(std::string sql, StatementPtr stmt) {
    sqlite3_reset(stmt.get());
    sqlite3_clear_bindings(stmt.get());
    if (options_.guarded || cache_.count(sql)) return;  // `stmt` finalizes itself
    cache_order_.push_back(sql);
    cache_.emplace(std::move(sql), std::move(stmt));
    if (cache_.size() > kStatementCacheSize) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }

  void ArmDeadline() {
    if (!guard_ || options_.statement_timeout <= Duration::zero()) return;
    guard_->Arm(MachineMonotonic() + options_.statement_timeout);
  }
  void DisarmDeadline() {
    if (guard_) guard_->Disarm();
  }

  // Declared first, destroyed last: the cached statements below finalize before it closes.
  SqliteHandle handle_;
  sqlite3* db_;  // handle_.get()
  std::string path_;
  OpenOptions options_;
  std::unique_ptr<GuardState> guard_;
  std::recursive_mutex mutex_;
  int depth_ = 0;
  std::unordered_map<std::string, StatementPtr> cache_;
  std::list<std::string> cache_order_;
};

}  // namespace

bool IsSqliteInMemory(std::string_view path) {
  return path == ":memory:" || path.starts_with("file::memory:") ||
         (path.starts_with("file:") && path.find("mode=memory") != std::string_view::npos);
}

Result<std::unique_ptr<Database>> OpenSqliteDatabase(std::string_view path_text,
                                                     const OpenOptions& options) {
  std::string path(path_text);
  bool in_memory = IsSqliteInMemory(path);
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
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle handle(raw);  // closes on every error path below
  sqlite3* db = handle.get();
  if (rc != SQLITE_OK) return Fail(SqliteError(db, rc, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                options.busy_timeout).count()));
  auto pragma = [&](const char* sql) -> Status {
    char* raw_message = nullptr;
    int prc = sqlite3_exec(db, sql, nullptr, nullptr, &raw_message);
    SqliteMessage message(raw_message);
    if (prc != SQLITE_OK) {
      std::string text = message ? message.get() : sqlite3_errstr(prc);
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
  // A read-only connection (a pool's reader) also refuses writes to temporary tables.
  if (status && options.read_only) status = pragma("PRAGMA query_only=1");
  if (!status) return Fail(status.error());
  return std::unique_ptr<Database>(
      std::make_unique<SqliteDatabase>(std::move(handle), path, options));
}

}  // namespace rh::store::internal
