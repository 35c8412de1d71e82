// run_sql: one read-only statement against the fleet database, through the SQL guard and then
// on a dedicated guarded read-only connection, with row and byte caps.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/log.h"
#include "store/schema.h"
#include "tools/internal/tool_factories.h"
#include "tools/sql_guard.h"

namespace rh::tools::internal {
namespace {

constexpr size_t kCellBytes = 500;
constexpr size_t kResultOverheadBytes = 600;  // room for the envelope around the rows

Json CellJson(const store::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return nullptr;
  if (auto integer = std::get_if<int64_t>(&value)) return *integer;
  if (auto real = std::get_if<double>(&value)) {
    if (!std::isfinite(*real)) return nullptr;
    double magnitude = std::fabs(*real);
    if (magnitude == 0) return 0.0;
    // Six significant digits: plenty for a reader, cheap in tokens.
    int digits = 6 - static_cast<int>(std::ceil(std::log10(magnitude)));
    double scale = std::pow(10.0, std::clamp(digits, -12, 12));
    return std::round(*real * scale) / scale;
  }
  return Clip(store::ValueToString(value), kCellBytes);
}

class RunSqlTool final : public InvestigationTool {
 public:
  RunSqlTool(std::string description, ContextPtr context)
      : InvestigationTool(
            "run_sql", std::move(description),
            ObjectSchema(
                {{"sql",
                  {{"type", "string"},
                   {"description",
                    "One read-only statement: SELECT, WITH ... SELECT, SHOW, "
                    "DESCRIBE <table> or EXPLAIN SELECT. Times are UTC "
                    "'YYYY-MM-DD HH:MM:SS'."},
                   {"minLength", 1},
                   {"maxLength", 20000}}},
                 {"max_rows",
                  IntegerProperty("At most this many rows returned.", 1,
                                  std::max(1, context->config.sql_max_rows),
                                  std::min(50, std::max(1, context->config.sql_max_rows)))}},
                {"sql"}),
            "select fewer columns, add WHERE / LIMIT, or aggregate (GROUP BY) instead of "
            "listing rows",
            context) {}

 protected:
  Result<Json> Execute(const Json& input) override {
    const ToolsConfig& config = context().config;
    SqlGuardOptions guard;
    guard.dialect =
        context().fleet_url.starts_with("mysql://") ? SqlDialect::kMysql : SqlDialect::kSqlite;
    guard.denied_tables = store::ForbiddenTables();
    guard.max_timeout_seconds = config.sql_timeout_seconds;
    guard.max_rows = config.sql_max_rows;
    auto checked = CheckSql(input["sql"].get<std::string>(), guard);
    if (!checked) {
      std::string message = "statement rejected: " + checked.error().message;
      // A closed schema catalog: say what can be read instead.
      if (message.find("not readable through run_sql") != std::string::npos) {
        std::string tables = ReadableTables();
        if (!tables.empty()) message += "; the readable tables are " + tables;
      }
      return MakeError(checked.error().code, "run_sql", message);
    }
    RH_ASSIGN_OR_RETURN(store::Database * db, Connection());
    std::vector<store::Value> params;
    bool reads_catalog = false;
    RH_ASSIGN_OR_RETURN(std::string sql, Dialected(*checked, db->dialect(), params, reads_catalog));
    // SQLite's catalog is closed to the guarded connection: SHOW TABLES and SHOW CREATE TABLE,
    // whose SQL is fixed here (the table name bound), read it on a plain read-only connection.
    if (reads_catalog) {
      RH_ASSIGN_OR_RETURN(db, CatalogConnection());
    }
    auto result = db->Query(sql, params);
    if (!result) return Explain(result.error());
    if (sql.starts_with("PRAGMA table_info")) *result = DescribeRows(*result);

    const size_t max_rows = input["max_rows"].get<size_t>();
    const size_t budget_bytes = static_cast<size_t>(std::max(0, config.output_budget_tokens)) * 4;
    const size_t byte_cap =
        std::max<size_t>(256, std::min<size_t>(static_cast<size_t>(config.sql_max_bytes),
                                               budget_bytes > kResultOverheadBytes * 2
                                                   ? budget_bytes - kResultOverheadBytes
                                                   : budget_bytes / 2));
    Json columns = result->columns();
    Json rows = Json::array();
    size_t bytes = DumpJson(columns).size();
    bool cut_by_bytes = false;
    size_t total = 0;
    for (store::Row row : *result) {
      if (IsDeniedRow(*checked, row)) continue;
      ++total;
      if (rows.size() >= max_rows || cut_by_bytes) continue;
      Json cells = Json::array();
      for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
        cells.push_back(CellJson(row.Get(column_idx)));
      }
      size_t row_bytes = DumpJson(cells).size() + 1;
      if (bytes + row_bytes > byte_cap && !rows.empty()) {
        cut_by_bytes = true;
        continue;
      }
      bytes += row_bytes;
      rows.push_back(std::move(cells));
    }
    // The connection fetches one row past the row cap, to know whether there were more.
    const bool more_than_cap = total > static_cast<size_t>(config.sql_max_rows);
    const bool truncated = rows.size() < total;
    Json out = {{"statement", std::string(SqlStatementKindName(checked->kind))},
                {"columns", std::move(columns)},
                {"row_count", rows.size()},
                {"rows_truncated", truncated},
                {"rows", std::move(rows)}};
    if (truncated) {
      std::string shown = std::to_string(out["row_count"].get<size_t>()) + " of " +
                          (more_than_cap ? "more than " + std::to_string(config.sql_max_rows)
                                         : std::to_string(total));
      std::string cap = cut_by_bytes ? "the " + std::to_string(byte_cap) + "-byte cap"
                                     : "max_rows " + std::to_string(max_rows);
      out["note"] = "showing " + shown + " rows (" + cap +
                    "); add WHERE/LIMIT, select fewer columns, or aggregate with GROUP BY";
    }
    return out;
  }

 private:
  // The guarded connection, opened on first use (a database outage must not stop the other
  // tools from being built) and reused.
  Result<store::Database*> Connection() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (connection_) return connection_.get();
    const ToolsConfig& config = context().config;
    if (context().fleet_url.empty()) {
      return Unavailable("run_sql", "no fleet database URL configured for run_sql");
    }
    store::OpenOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    options.guarded = true;
    options.denied_tables = store::ForbiddenTables();
    options.statement_timeout = std::chrono::seconds(config.sql_timeout_seconds);
    options.max_rows = config.sql_max_rows + 1;
    options.password = context().fleet_password;
    auto opened = store::OpenDatabase(context().fleet_url, options);
    if (!opened) return Fail(opened.error().WithContext("run_sql connection"));
    connection_ = std::move(*opened);
    return connection_.get();
  }

  // SHOW TABLES' answer as "a, b, c" (denied tables left out), or empty when it fails.
  std::string ReadableTables() {
    auto db = Connection();
    if (!db) return "";
    CheckedSql show;
    show.kind = SqlStatementKind::kShow;
    show.sql = "SHOW TABLES";
    show.leading_words = {"SHOW", "TABLES"};
    std::vector<store::Value> params;
    bool reads_catalog = false;
    auto sql = Dialected(show, (*db)->dialect(), params, reads_catalog);
    if (!sql) return "";
    store::Database* target = *db;
    if (reads_catalog) {
      auto catalog = CatalogConnection();
      if (!catalog) return "";
      target = *catalog;
    }
    auto result = target->Query(*sql, params);
    if (!result) return "";
    std::string names;
    for (store::Row row : *result) {
      if (IsDeniedRow(show, row)) continue;
      names += (names.empty() ? "" : ", ") + row.GetString(size_t{0});
    }
    return names;
  }

  // SQLite only: a plain (unguarded) read-only connection for the catalog queries this tool
  // writes itself; never given the model's SQL.
  Result<store::Database*> CatalogConnection() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (catalog_) return catalog_.get();
    store::OpenOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    auto opened = store::OpenDatabase(context().fleet_url, options);
    if (!opened) return Fail(opened.error().WithContext("run_sql catalog connection"));
    catalog_ = std::move(*opened);
    return catalog_.get();
  }

  // SQLite has no SHOW/DESCRIBE: the few that matter become queries over its catalogue, and
  // EXPLAIN becomes EXPLAIN QUERY PLAN (the readable plan, not bytecode).
  // Sets `reads_catalog` for the SQL that reads sqlite_master (CatalogConnection()).
  static Result<std::string> Dialected(const CheckedSql& checked, store::Dialect dialect,
                                       std::vector<store::Value>& params, bool& reads_catalog) {
    if (dialect != store::Dialect::kSqlite) return checked.sql;
    const std::vector<std::string>& words = checked.leading_words;
    // PRAGMA table_info (not the pragma_table_info() function, whose set-up the guarded
    // authorizer refuses); the name is an identifier token from the guard, quoted here.
    auto describe = [&](const std::string& table) {
      std::string quoted;
      for (char c : table) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return "PRAGMA table_info(\"" + quoted + "\")";
    };
    switch (checked.kind) {
      case SqlStatementKind::kSelect:
        return checked.sql;
      case SqlStatementKind::kDescribe:
        return describe(checked.object_name);
      case SqlStatementKind::kExplain: {
        if (words.size() >= 2 && words[1] == "QUERY") return checked.sql;
        std::string head = checked.sql.substr(0, words[0].size());
        std::transform(head.begin(), head.end(), head.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (head != words[0]) return checked.sql;  // e.g. a leading hint comment
        return "EXPLAIN QUERY PLAN " + checked.sql.substr(words[0].size());
      }
      case SqlStatementKind::kShow: {
        std::string what = words.size() >= 2 ? words[1] : "";
        if (what == "TABLES" || (what == "FULL" && words.size() >= 3 && words[2] == "TABLES")) {
          reads_catalog = true;
          return std::string(
              "SELECT name AS table_name, type AS table_type FROM sqlite_master "
              "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
              "ORDER BY name");
        }
        if ((what == "COLUMNS" || what == "FIELDS") && !checked.object_name.empty()) {
          return describe(checked.object_name);
        }
        if (what == "CREATE" && words.size() >= 3 && words[2] == "TABLE" &&
            !checked.object_name.empty()) {
          params.push_back(store::Text(checked.object_name));
          reads_catalog = true;
          return std::string(
              "SELECT name AS \"Table\", sql AS \"Create Table\" FROM "
              "sqlite_master WHERE type IN ('table', 'view') AND name = ? "
              "COLLATE NOCASE");
        }
        return InvalidArgument("run_sql",
                               "this fleet database is SQLite, which has no SHOW " + what +
                                   "; use SHOW TABLES, DESCRIBE <table> or SHOW CREATE TABLE "
                                   "<table>");
      }
    }
    return checked.sql;
  }

  // PRAGMA table_info rows (cid, name, type, notnull, dflt_value, pk) in the shape of MySQL's
  // DESCRIBE: Field, Type, Null, Key, Default.
  static store::QueryResult DescribeRows(const store::QueryResult& pragma) {
    std::vector<std::vector<store::Value>> rows;
    for (store::Row row : pragma) {
      rows.push_back(
          {store::Text(row.GetString("name")), store::Text(row.GetString("type")),
           store::Text(row.GetInt("notnull") != 0 ? "NO" : "YES"),
           store::Text(row.GetInt("pk") > 0 ? "PRI" : ""),
           row.IsNull("dflt_value") ? store::Null() : store::Text(row.GetString("dflt_value"))});
    }
    return store::QueryResult({"Field", "Type", "Null", "Key", "Default"}, std::move(rows));
  }

  // SHOW and DESCRIBE display the catalogue (SHOW TABLES, SHOW TABLE STATUS, SHOW CREATE of a
  // view, StarRocks SHOW DATA / SHOW PROC '/dbs/...'): a row that mentions a denied table
  // anywhere is dropped. The guard lets no expression compute on these rows (no WHERE on the
  // listings), so a name can only appear here as itself.
  static bool IsDeniedRow(const CheckedSql& checked, const store::Row& row) {
    if (checked.kind != SqlStatementKind::kShow && checked.kind != SqlStatementKind::kDescribe) {
      return false;
    }
    for (size_t column_idx = 0; column_idx < row.size(); ++column_idx) {
      std::string cell = store::ValueToString(row.Get(column_idx));
      std::transform(cell.begin(), cell.end(), cell.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      for (std::string denied : store::ForbiddenTables()) {
        std::transform(denied.begin(), denied.end(), denied.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (cell.find(denied) != std::string::npos) return true;
      }
    }
    return false;
  }

  static tl::unexpected<Error> Explain(const Error& error) {
    std::string advice;
    switch (error.code) {
      case ErrorCode::kDeadlineExceeded:
        advice =
            "; it ran past the time cap: filter on indexed columns (cluster_id, "
            "snapshot_hour, alert_time) or aggregate over a shorter period";
        break;
      case ErrorCode::kPermissionDenied:
        advice =
            "; the read-only session refused it: only reads of the fleet tables are "
            "allowed";
        break;
      case ErrorCode::kInvalidArgument:
        advice = "; check table and column names with SHOW TABLES and DESCRIBE <table>";
        break;
      default:
        break;
    }
    return MakeError(error.code, "run_sql",
                     "the database refused the statement: " + error.message + advice);
  }

  std::mutex mutex_;
  std::unique_ptr<store::Database> connection_;
  std::unique_ptr<store::Database> catalog_;
};

}  // namespace

std::unique_ptr<Tool> MakeRunSqlTool(std::string description, ContextPtr context) {
  return std::make_unique<RunSqlTool>(std::move(description), std::move(context));
}

}  // namespace rh::tools::internal
