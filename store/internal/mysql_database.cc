#include "store/internal/mysql_database.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.h"
#include "core/time_format.h"

namespace rh::store::internal {
namespace {

constexpr int kDeadlockRetries = 4;

// MySQL/MariaDB client and server error numbers we treat specially.
constexpr int kErAccessDenied = 1045;
constexpr int kErDbAccessDenied = 1044;
constexpr int kErBadDb = 1049;
constexpr int kErDupEntry = 1062;
constexpr int kErParse = 1064;
constexpr int kErNoSuchTable = 1146;
constexpr int kErLockWaitTimeout = 1205;
constexpr int kErDeadlock = 1213;
constexpr int kErOptionPreventsStatement = 1290;
constexpr int kErReadOnlyTransaction = 1792;
constexpr int kErStatementTimeout = 1969;    // MariaDB max_statement_time
constexpr int kErMysqlQueryTimeout = 3024;   // MySQL max_execution_time
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrUnknownHost = 2005;
constexpr int kCrServerGone = 2006;
constexpr int kCrServerLost = 2013;

bool IsConnectionLost(int code) {
  return code == kCrServerGone || code == kCrServerLost || code == kCrConnectionError ||
         code == kCrConnHostError;
}

Error MysqlError(const sql::SQLException& e, std::string_view context) {
  int code = e.getErrorCode();
  std::string message = e.what();
  ErrorCode error_code = ErrorCode::kInternal;
  switch (code) {
    case kErAccessDenied:
    case kErDbAccessDenied:
      error_code = ErrorCode::kPermissionDenied;
      message += " (check the user in the URL and the password in ROCKHOUND_MYSQL_PASSWORD)";
      break;
    case kErBadDb:
      error_code = ErrorCode::kNotFound;
      break;
    case kErDupEntry:
    case kErParse:
    case kErNoSuchTable:
      error_code = ErrorCode::kInvalidArgument;
      break;
    case kErLockWaitTimeout:
    case kErDeadlock:
      error_code = ErrorCode::kUnavailable;
      break;
    case kErOptionPreventsStatement:
    case kErReadOnlyTransaction:
      error_code = ErrorCode::kPermissionDenied;
      break;
    case kErStatementTimeout:
    case kErMysqlQueryTimeout:
      error_code = ErrorCode::kDeadlineExceeded;
      break;
    case kCrConnectionError:
    case kCrConnHostError:
    case kCrUnknownHost:
    case kCrServerGone:
    case kCrServerLost:
      error_code = ErrorCode::kUnavailable;
      message += " (is the server running and reachable?)";
      break;
    default:
      if (code >= 1000 && code < 2000) error_code = ErrorCode::kInvalidArgument;
      if (message.find("timeout") != std::string::npos || message.find("Timeout") != std::string::npos) {
        error_code = ErrorCode::kDeadlineExceeded;
      }
      break;
  }
  return Error{error_code, message + " [mysql error " + std::to_string(code) + "]",
               std::string(context)};
}

// A string literal for a session whose sql_mode escapes with backslashes (the mode every
// connection pins, see PinSession) or, with `backslash_escapes` false, for one in
// NO_BACKSLASH_ESCAPES, where a backslash is an ordinary character and only a doubled quote
// escapes. Using the wrong one for the session would let a value end the literal early.
std::string QuoteString(std::string_view text, bool backslash_escapes) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  if (!backslash_escapes) {
    for (char c : text) {
      if (c == '\'') out.push_back('\'');
      out.push_back(c);
    }
    out.push_back('\'');
    return out;
  }
  for (char c : text) {
    switch (c) {
      case '\0': out += "\\0"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '\x1a': out += "\\Z"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string Literal(const Value& value, bool backslash_escapes) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (auto i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&value)) {
    if (!std::isfinite(*d)) return "NULL";
    return ValueToString(value);
  }
  if (auto s = std::get_if<std::string>(&value)) return QuoteString(*s, backslash_escapes);
  return QuoteString(FormatSqlTime(std::get<TimePoint>(value)), backslash_escapes);
}

// Replaces each '?' placeholder outside quotes and comments with the escaped literal.
Result<std::string> Interpolate(std::string_view sql, const std::vector<Value>& params,
                                bool backslash_escapes) {
  std::string out;
  out.reserve(sql.size() + params.size() * 16);
  size_t next_param = 0;
  size_t pos = 0;
  while (pos < sql.size()) {
    char c = sql[pos];
    if (c == '\'' || c == '"' || c == '`') {
      size_t end = pos + 1;
      while (end < sql.size() && sql[end] != c) end += (sql[end] == '\\' && c != '`') ? 2 : 1;
      end = std::min(end + 1, sql.size());
      out.append(sql.substr(pos, end - pos));
      pos = end;
    } else if (c == '-' && pos + 1 < sql.size() && sql[pos + 1] == '-') {
      size_t end = sql.find('\n', pos);
      end = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(pos, end - pos));
      pos = end;
    } else if (c == '/' && pos + 1 < sql.size() && sql[pos + 1] == '*') {
      size_t end = sql.find("*/", pos + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(pos, end - pos));
      pos = end;
    } else if (c == '?') {
      if (next_param >= params.size()) {
        return InvalidArgument("mysql", "statement has more placeholders than the " +
                                            std::to_string(params.size()) + " values bound");
      }
      out += Literal(params[next_param++], backslash_escapes);
      ++pos;
    } else {
      out.push_back(c);
      ++pos;
    }
  }
  if (next_param != params.size()) {
    return InvalidArgument("mysql", "statement has " + std::to_string(next_param) +
                                        " placeholders but " + std::to_string(params.size()) +
                                        " values were bound");
  }
  return out;
}

// Splits a script on ';' outside quotes and comments.
std::vector<std::string> SplitScript(std::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  size_t pos = 0;
  auto flush = [&] {
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
    current.clear();
  };
  while (pos < sql.size()) {
    char c = sql[pos];
    if (c == '\'' || c == '"' || c == '`') {
      size_t end = pos + 1;
      while (end < sql.size() && sql[end] != c) end += (sql[end] == '\\' && c != '`') ? 2 : 1;
      end = std::min(end + 1, sql.size());
      current.append(sql.substr(pos, end - pos));
      pos = end;
    } else if (c == '-' && pos + 1 < sql.size() && sql[pos + 1] == '-') {
      size_t end = sql.find('\n', pos);
      pos = end == std::string_view::npos ? sql.size() : end;
    } else if (c == ';') {
      flush();
      ++pos;
    } else {
      current.push_back(c);
      ++pos;
    }
  }
  flush();
  return statements;
}

// The sql_mode every session pins (PinSession): strict, and backslashes escape in literals.
constexpr const char* kSessionSqlMode =
    "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// `mode` (a comma-separated sql_mode) without `name`, keeping only characters a mode name can
// have, so the result can be inlined into SET sql_mode.
std::string WithoutSqlMode(std::string_view mode, std::string_view name) {
  std::string out;
  size_t start = 0;
  while (start <= mode.size()) {
    size_t comma = mode.find(',', start);
    if (comma == std::string_view::npos) comma = mode.size();
    std::string item;
    for (char c : mode.substr(start, comma - start)) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') item.push_back(c);
    }
    if (!item.empty() && item != name) out += (out.empty() ? "" : ",") + item;
    start = comma + 1;
  }
  return out;
}

// Whether the sql_mode `mode` names NO_BACKSLASH_ESCAPES (removing it changes the list).
bool HasNoBackslashEscapes(std::string_view mode) {
  return WithoutSqlMode(mode, "NO_BACKSLASH_ESCAPES") != WithoutSqlMode(mode, "");
}

// Logs `message` at warn level the first time it is reported for `database` in this process.
void WarnOnce(const std::string& database, const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!warned.insert(database).second) return;
  }
  Logger("store")->warn("{}: {}", database, message);
}

class MysqlDatabase final : public Database {
 public:
  MysqlDatabase(MysqlUrl url, OpenOptions options, std::string description)
      : url_(std::move(url)), options_(std::move(options)), description_(std::move(description)) {}

  Status Connect() {
    try {
      sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
      sql::ConnectOptionsMap props;
      props["hostName"] = sql::SQLString("tcp://" + url_.host + ":" + std::to_string(url_.port));
      props["userName"] = sql::SQLString(url_.user);
      props["password"] = sql::SQLString(options_.password);
      if (!url_.database.empty()) props["schema"] = sql::SQLString(url_.database);
      int connect_seconds = static_cast<int>(
          std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                     options_.connect_timeout).count()));
      props["OPT_CONNECT_TIMEOUT"] = connect_seconds;
      props["OPT_RECONNECT"] = false;
      props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
      connection_.reset(driver->connect(props));
      std::unique_ptr<sql::Statement> stmt(connection_->createStatement());
      PinSession(stmt.get());
      std::unique_ptr<sql::ResultSet> version(stmt->executeQuery("SELECT VERSION()"));
      if (version->next()) server_version_ = version->getString(1);
      if (options_.guarded) ApplyGuardSession(stmt.get());
    } catch (const sql::SQLException& e) {
      connection_.reset();
      return Fail(MysqlError(e, description_));
    }
    return {};
  }

  Dialect dialect() const override { return Dialect::kMysql; }
  std::string description() const override { return description_; }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    // Interpolated per attempt: a reconnect may find the session escaping otherwise.
    return WithReconnect<int64_t>([&]() -> Result<int64_t> {
      RH_ASSIGN_OR_RETURN(std::string text, Interpolate(sql, params, backslash_escapes_));
      std::unique_ptr<sql::Statement> stmt(connection_->createStatement());
      ApplyStatementTimeout(stmt.get());
      const auto changed = static_cast<int64_t>(stmt->executeUpdate(text));
      // A statement that may have changed sql_mode: the escaping follows the session again.
      if (Upper(text).find("SQL_MODE") != std::string::npos) {
        backslash_escapes_ = !HasNoBackslashEscapes(ReadSqlMode(stmt.get()));
      }
      return changed;
    });
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return WithReconnect<QueryResult>([&]() -> Result<QueryResult> {
      RH_ASSIGN_OR_RETURN(std::string text, Interpolate(sql, params, backslash_escapes_));
      std::unique_ptr<sql::Statement> stmt(connection_->createStatement());
      ApplyStatementTimeout(stmt.get());
      std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(text));
      sql::ResultSetMetaData* meta = rs->getMetaData();
      unsigned int column_count = meta->getColumnCount();
      std::vector<std::string> columns;
      std::vector<int> types;
      for (unsigned int column_idx = 1; column_idx <= column_count; ++column_idx) {
        columns.push_back(meta->getColumnLabel(column_idx));
        types.push_back(meta->getColumnType(column_idx));
      }
      std::vector<std::vector<Value>> rows;
      while (rs->next()) {
        std::vector<Value>& row = rows.emplace_back();
        row.reserve(column_count);
        for (unsigned int column_idx = 1; column_idx <= column_count; ++column_idx) {
          if (rs->isNull(column_idx)) {
            row.emplace_back(std::monostate{});
            continue;
          }
          switch (types[column_idx - 1]) {
            case sql::DataType::BIT:
            case sql::DataType::TINYINT:
            case sql::DataType::SMALLINT:
            case sql::DataType::MEDIUMINT:
            case sql::DataType::INTEGER:
            case sql::DataType::BIGINT:
            case sql::DataType::YEAR:
              row.emplace_back(static_cast<int64_t>(rs->getInt64(column_idx)));
              break;
            case sql::DataType::REAL:
            case sql::DataType::DOUBLE:
            case sql::DataType::DECIMAL:
            case sql::DataType::NUMERIC:
              row.emplace_back(static_cast<double>(rs->getDouble(column_idx)));
              break;
            default:
              row.emplace_back(std::string(rs->getString(column_idx)));
          }
        }
        if (options_.max_rows > 0 && static_cast<int64_t>(rows.size()) >= options_.max_rows) break;
      }
      return QueryResult(std::move(columns), std::move(rows));
    });
  }

  Status ExecuteScript(std::string_view sql) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    for (const std::string& statement : SplitScript(sql)) {
      auto result = Execute(statement, {});
      if (!result) return Fail(result.error());
    }
    return {};
  }

  Status Transaction(const std::function<Status()>& body, TransactionMode mode) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (depth_ > 0) {
      ++depth_;
      Status result = body();
      --depth_;
      return result;
    }
    for (int attempt = 0;; ++attempt) {
      auto begun = Execute(mode == TransactionMode::kRead ? "START TRANSACTION READ ONLY"
                                                          : "START TRANSACTION", {});
      if (!begun) return Fail(begun.error());
      depth_ = 1;
      Status result;
      try {
        result = body();
      } catch (...) {
        depth_ = 0;
        RollbackQuietly();
        throw;
      }
      depth_ = 0;
      if (result) {
        auto committed = Execute("COMMIT", {});
        if (committed) return {};
        result = Fail(committed.error());
      }
      RollbackQuietly();
      bool deadlock = result.error().code == ErrorCode::kUnavailable &&
                      (result.error().message.find("[mysql error 1213]") != std::string::npos ||
                       result.error().message.find("[mysql error 1205]") != std::string::npos);
      if (!deadlock || attempt >= kDeadlockRetries) return result;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * (attempt + 1)));
    }
  }

 private:
  // Pins what inlined literals and times rely on, on every (re)connect: time_zone UTC, utf8mb4,
  // and a strict sql_mode without NO_BACKSLASH_ESCAPES (kSessionSqlMode), whatever the server's
  // global mode. A server that refuses kSessionSqlMode (StarRocks has modes of its own) keeps
  // its mode minus NO_BACKSLASH_ESCAPES, logged once; and if NO_BACKSLASH_ESCAPES still shows in
  // the session after that, literals are escaped by doubling quotes instead of with backslashes,
  // so a value can never end its literal early. An Execute that mentions sql_mode re-reads it
  // (the escaping keeps following the session). Throws only when time_zone cannot be set.
  void PinSession(sql::Statement* stmt) {
    stmt->execute("SET time_zone = '+00:00'");
    TryExecute(stmt, "SET NAMES utf8mb4");  // also asked for at the handshake (OPT_CHARSET_NAME)
    std::string refusal;
    if (!TryExecute(stmt, std::string("SET SESSION sql_mode = '") + kSessionSqlMode + "'",
                    &refusal)) {
      std::string server_mode = ReadSqlMode(stmt);
      std::string kept = WithoutSqlMode(server_mode, "NO_BACKSLASH_ESCAPES");
      if (kept != server_mode) TryExecute(stmt, "SET SESSION sql_mode = '" + kept + "'");
    }
    const std::string mode = ReadSqlMode(stmt);
    backslash_escapes_ = !HasNoBackslashEscapes(mode);
    if (!refusal.empty()) {
      WarnOnce(description_, "the server refused sql_mode '" + std::string(kSessionSqlMode) +
                                 "' (" + refusal + "); the session keeps '" + mode +
                                 "' and string values are escaped " +
                                 (backslash_escapes_ ? "with backslashes" : "by doubling quotes"));
    }
  }

  // The session's sql_mode, upper case; empty when the server does not say.
  static std::string ReadSqlMode(sql::Statement* stmt) {
    try {
      std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery("SELECT @@SESSION.sql_mode"));
      if (rs->next()) return Upper(std::string(rs->getString(1)));
    } catch (const sql::SQLException&) {
    }
    return "";
  }

  static bool TryExecute(sql::Statement* stmt, const std::string& sql,
                         std::string* refusal = nullptr) {
    try {
      stmt->execute(sql);
      return true;
    } catch (const sql::SQLException& e) {
      if (refusal) *refusal = e.what();
      return false;
    }
  }

  void RollbackQuietly() {
    try {
      if (connection_) {
        std::unique_ptr<sql::Statement> stmt(connection_->createStatement());
        stmt->execute("ROLLBACK");
      }
    } catch (const sql::SQLException&) {
    }
  }

  // Caps for the run_sql session. Each SET is tried and ignored when the server does not know
  // the variable: MariaDB has max_statement_time, MySQL max_execution_time, StarRocks
  // query_timeout; all have sql_select_limit.
  void ApplyGuardSession(sql::Statement* stmt) {
    long long seconds = std::max<long long>(
        1, std::chrono::duration_cast<std::chrono::seconds>(options_.statement_timeout).count());
    std::vector<std::string> sets = {"SET SESSION TRANSACTION READ ONLY"};
    if (options_.statement_timeout > Duration::zero()) {
      sets.push_back("SET SESSION max_statement_time = " + std::to_string(seconds));
      sets.push_back("SET SESSION max_execution_time = " + std::to_string(seconds * 1000));
      sets.push_back("SET query_timeout = " + std::to_string(seconds));
    }
    if (options_.max_rows > 0) {
      sets.push_back("SET SESSION sql_select_limit = " + std::to_string(options_.max_rows));
    }
    for (const std::string& set : sets) {
      try {
        stmt->execute(set);
      } catch (const sql::SQLException&) {
      }
    }
  }

  void ApplyStatementTimeout(sql::Statement* stmt) {
    (void)stmt;  // server-side caps are session variables (ApplyGuardSession)
  }

  // Runs `operation` (which returns Result<T>), reconnecting once when the connection was lost
  // outside a transaction.
  template <typename T, typename F>
  Result<T> WithReconnect(F&& operation) {
    for (int attempt = 0;; ++attempt) {
      if (!connection_) {
        Status connected = Connect();
        if (!connected) return Fail(connected.error());
      }
      try {
        return operation();
      } catch (const sql::SQLException& e) {
        bool lost = IsConnectionLost(e.getErrorCode());
        if (lost && depth_ == 0 && attempt == 0) {
          Logger("store")->warn("{}: connection lost ({}); reconnecting", description_, e.what());
          connection_.reset();
          continue;
        }
        if (lost) connection_.reset();
        return Fail(MysqlError(e, description_));
      }
    }
  }

  MysqlUrl url_;
  OpenOptions options_;
  std::string description_;
  std::string server_version_;
  std::unique_ptr<sql::Connection> connection_;
  bool backslash_escapes_ = true;  // how this session's string literals escape (PinSession)
  std::recursive_mutex mutex_;
  int depth_ = 0;
};

}  // namespace

Result<MysqlUrl> ParseMysqlUrl(std::string_view url) {
  constexpr std::string_view kScheme = "mysql://";
  const std::string bad_shape = "expected mysql://user@host:port/database (password from the "
                                "environment, never in the URL)";
  if (!url.starts_with(kScheme)) return InvalidArgument(std::string(url), bad_shape);
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return InvalidArgument("mysql URL", bad_shape);
  std::string_view authority = rest.substr(0, slash);
  MysqlUrl out;
  out.database = std::string(rest.substr(slash + 1));
  if (size_t query = out.database.find('?'); query != std::string::npos) out.database.resize(query);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view user = authority.substr(0, at);
    if (user.find(':') != std::string_view::npos) {
      return InvalidArgument("mysql URL", "contains a password; put it in ROCKHOUND_MYSQL_PASSWORD");
    }
    out.user = std::string(user);
    authority = authority.substr(at + 1);
  }
  if (out.user.empty()) out.user = "root";
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port_text = authority.substr(colon + 1);
    int port = 0;
    auto res = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (res.ec != std::errc() || res.ptr != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return InvalidArgument("mysql URL", "bad port '" + std::string(port_text) + "'; " + bad_shape);
    }
    out.port = port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return InvalidArgument("mysql URL", "missing host; " + bad_shape);
  out.host = std::string(authority);
  if (out.database.empty()) return InvalidArgument("mysql URL", "missing database; " + bad_shape);
  return out;
}

Result<std::unique_ptr<Database>> OpenMysqlDatabase(std::string_view url_text,
                                                    const OpenOptions& options) {
  RH_ASSIGN_OR_RETURN(MysqlUrl url, ParseMysqlUrl(url_text));
  std::string description = "mysql://" + url.user + "@" + url.host + ":" + std::to_string(url.port) +
                            "/" + url.database;
  auto db = std::make_unique<MysqlDatabase>(url, options, description);
  RH_RETURN_IF_ERROR(db->Connect());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace rh::store::internal
