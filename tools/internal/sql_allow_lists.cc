#include "tools/internal/sql_allow_lists.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rh::tools::internal {
namespace {

using NameSet = std::unordered_set<std::string_view>;

// ---- functions ------------------------------------------------------------------------------
// What a diagnostic query needs: aggregates, window functions, conditionals, strings, dates,
// math and JSON. Left out on purpose: anything with a side effect or a wait (locks, sleeps,
// sequences, files, replication waits), anything that reads server or session state beyond the
// data (user, connection, last insert id, compile options), generators of large values with no
// diagnostic use (zeroblob, randomblob, compress), and functions whose errors echo their input
// (extractvalue, updatexml). See WhyFunctionRefused for the reasons shown to the model.

// SQLite 3.40 core, date, math (SQLITE_ENABLE_MATH_FUNCTIONS), JSON1, aggregate and window
// functions, plus a few later additions (concat, string_agg, unhex, octet_length, timediff) that
// a newer library answers and an older one reports as unknown. printf/format and the functions
// whose cost grows with the product of their argument sizes (instr, replace, trim, like, glob)
// are allowed here and capped by the guarded connection (store/internal/sqlite_database.cc).
const NameSet& SqliteFunctions() {
  static const NameSet names = {
      // core scalar
      "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif",
      "instr", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif",
      "octet_length", "printf", "quote", "random", "replace", "round", "rtrim", "sign", "soundex",
      "sqlite_version", "substr", "substring", "trim", "typeof", "unhex", "unicode", "unlikely",
      "upper",
      // date and time
      "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff", "current_date",
      "current_time", "current_timestamp",
      // math
      "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
      "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power",
      "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
      // JSON (json_each / json_tree are table-valued)
      "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
      "json_patch", "json_quote", "json_remove", "json_replace", "json_set", "json_type",
      "json_valid", "json_group_array", "json_group_object", "json_each", "json_tree",
      // aggregate
      "avg", "count", "group_concat", "string_agg", "sum", "total",
      // window
      "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
      "first_value", "last_value", "nth_value"};
  return names;
}

// Common to MySQL 8, MariaDB 10/11 and StarRocks 3 (and a few StarRocks-only diagnostics
// helpers: date_trunc, time_slice, the *_add/*_diff date family, get_json_*, array_*).
const NameSet& MysqlFunctions() {
  static const NameSet names = {
      // aggregate
      "avg", "bit_and", "bit_or", "bit_xor", "count", "group_concat", "json_arrayagg",
      "json_objectagg", "max", "min", "std", "stddev", "stddev_pop", "stddev_samp", "sum",
      "var_pop", "var_samp", "variance", "any_value", "approx_count_distinct", "ndv",
      "percentile_approx", "percentile_cont", "percentile_disc", "median", "array_agg", "max_by",
      "min_by", "count_if",
      // window
      "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
      "first_value", "last_value", "nth_value",
      // conditionals and comparison
      "coalesce", "greatest", "grouping", "if", "ifnull", "isnull", "least", "nullif", "nvl",
      "strcmp",
      // math
      "abs", "acos", "asin", "atan", "atan2", "bin", "bit_count", "ceil", "ceiling", "conv", "cos",
      "cot", "crc32", "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "oct", "pi",
      "pmod", "pow", "power", "radians", "rand", "round", "sign", "sin", "sqrt", "tan", "truncate",
      // strings
      "ascii", "bit_length", "char", "char_length", "character_length", "concat", "concat_ws",
      "elt", "ends_with", "field", "find_in_set", "format", "from_base64", "hex", "instr", "lcase",
      "left", "length", "locate", "lower", "lpad", "ltrim", "md5", "mid", "null_or_empty",
      "octet_length", "ord", "parse_url", "position", "quote", "regexp_extract", "regexp_instr",
      "regexp_like", "regexp_replace", "regexp_substr", "repeat", "replace", "reverse", "right",
      "rpad", "rtrim", "sha", "sha1", "sha2", "soundex", "space", "split", "split_part",
      "starts_with", "strleft", "strright", "substr", "substring", "substring_index", "to_base64",
      "trim", "ucase", "unhex", "upper",
      // dates and times
      "adddate", "addtime", "convert_tz", "curdate", "current_date", "current_time",
      "current_timestamp", "curtime", "date", "date_add", "date_format", "date_sub", "date_trunc",
      "datediff", "day", "dayname", "dayofmonth", "dayofweek", "dayofyear", "extract", "from_days",
      "from_unixtime", "hour", "last_day", "localtime", "localtimestamp", "makedate", "maketime",
      "microsecond", "minute", "month", "monthname", "now", "period_add", "period_diff", "quarter",
      "sec_to_time", "second", "str_to_date", "str2date", "subdate", "subtime", "sysdate", "time",
      "time_format", "time_slice", "date_slice", "time_to_sec", "timediff", "timestamp",
      "timestampadd", "timestampdiff", "to_date", "to_days", "to_seconds", "unix_timestamp",
      "utc_date", "utc_time", "utc_timestamp", "week", "weekday", "weekofyear", "year", "yearweek",
      "years_add", "years_sub", "years_diff", "months_add", "months_sub", "months_diff",
      "weeks_add", "weeks_sub", "weeks_diff", "days_add", "days_sub", "days_diff", "hours_add",
      "hours_sub", "hours_diff", "minutes_add", "minutes_sub", "minutes_diff", "seconds_add",
      "seconds_sub", "seconds_diff",
      // conversion
      "convert",
      // JSON (json_table / json_each are table functions)
      "json_array", "json_array_append", "json_array_insert", "json_contains", "json_contains_path",
      "json_depth", "json_each", "json_exists", "json_extract", "json_insert", "json_keys",
      "json_length", "json_merge_patch", "json_merge_preserve", "json_object", "json_overlaps",
      "json_pretty", "json_query", "json_quote", "json_remove", "json_replace", "json_search",
      "json_set", "json_string", "json_table", "json_type", "json_unquote", "json_valid",
      "json_value", "get_json_string", "get_json_int", "get_json_double", "parse_json",
      // arrays (StarRocks)
      "array_length", "array_contains", "array_join", "array_distinct", "array_sort", "array_slice",
      "array_sum", "array_avg", "array_min", "array_max", "array_position", "element_at",
      "cardinality", "unnest", "generate_series",
      // which server this is
      "database", "schema", "version", "current_version"};
  return names;
}

// Known-dangerous names, so that the refusal says why (any dialect).
const std::unordered_map<std::string_view, std::string_view>& DangerousFunctions() {
  static const std::unordered_map<std::string_view, std::string_view> reasons = {
      {"load_file", "reads files on the database server"},
      {"load_extension", "loads native code into SQLite"},
      {"readfile", "reads local files"},
      {"writefile", "writes local files"},
      {"edit", "starts an editor"},
      {"fts3_tokenizer", "registers native tokenizers"},
      {"sys_exec", "runs shell commands"},
      {"sys_eval", "runs shell commands"},
      {"get_lock", "takes a named server lock that outlives the statement"},
      {"release_lock", "releases named server locks"},
      {"release_all_locks", "releases named server locks"},
      {"is_free_lock", "reads other sessions' named locks"},
      {"is_used_lock", "reads other sessions' named locks"},
      {"sleep", "only burns the time cap"},
      {"benchmark", "only burns CPU and the time cap"},
      {"nextval", "advances a sequence"},
      {"setval", "changes a sequence"},
      {"lastval", "reads session sequence state"},
      {"files", "reads or writes external files (StarRocks FILES())"},
      {"master_pos_wait", "blocks on replication"},
      {"source_pos_wait", "blocks on replication"},
      {"master_gtid_wait", "blocks on replication"},
      {"wait_for_executed_gtid_set", "blocks on replication"},
      {"wait_until_sql_thread_after_gtids", "blocks on replication"},
      {"extractvalue", "echoes its input in error messages"},
      {"updatexml", "echoes its input in error messages"},
      {"password", "hashes credentials"},
      {"old_password", "hashes credentials"},
      {"encrypt", "hashes credentials"},
      {"uncompress", "can expand a small value into a very large one"},
      {"zeroblob", "allocates large blobs and has no diagnostic use"},
      {"randomblob", "allocates large blobs and has no diagnostic use"},
      {"sqlite_log", "writes to the server's log"},
      {"sqlite_compileoption_get", "reads build settings, not data"},
      {"sqlite_compileoption_used", "reads build settings, not data"},
      {"user", "reads session credentials, not data"},
      {"current_user", "reads session credentials, not data"},
      {"session_user", "reads session credentials, not data"},
      {"system_user", "reads session credentials, not data"},
      {"connection_id", "reads session state, not data"},
      {"last_insert_id", "reads session state, not data"},
      {"last_insert_rowid", "reads session state, not data"},
      {"changes", "reads session state, not data"},
      {"total_changes", "reads session state, not data"},
  };
  return reasons;
}

// ---- words before '(' that are not calls -----------------------------------------------------
const NameSet& SyntaxBeforeParen() {
  static const NameSet words = {
      // clauses, operators and set operations
      "SELECT", "FROM", "JOIN", "STRAIGHT_JOIN", "LATERAL", "ON", "USING", "WHERE", "HAVING", "AND",
      "OR", "XOR", "NOT", "IN", "EXISTS", "ANY", "ALL", "SOME", "IS", "LIKE", "RLIKE", "REGEXP",
      "GLOB", "BETWEEN", "ESCAPE", "DIV", "THEN", "ELSE", "WHEN", "CASE", "BY", "UNION", "EXCEPT",
      "INTERSECT", "MINUS", "DISTINCT", "DISTINCTROW", "AS", "MATERIALIZED", "VALUES", "ROW",
      "LIMIT", "OFFSET", "OVER", "FILTER", "GROUP", "PARTITION", "INDEX", "KEY", "COLUMNS", "MATCH",
      "AGAINST", "INTERVAL", "CAST", "BINARY", "ROLLUP", "CUBE", "SETS",
      // type names inside CAST / CONVERT
      "CHAR", "NCHAR", "VARCHAR", "NVARCHAR", "VARBINARY", "DECIMAL", "DEC", "NUMERIC", "FIXED",
      "FLOAT", "DOUBLE", "REAL", "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BIT",
      "DATETIME", "TIME", "TIMESTAMP", "STRING", "DECIMALV2", "DECIMAL32", "DECIMAL64",
      "DECIMAL128"};
  return words;
}

// ---- SHOW -----------------------------------------------------------------------------------
constexpr std::string_view kTables[] = {"TABLES"};
constexpr std::string_view kTableStatus[] = {"TABLE", "STATUS"};
constexpr std::string_view kDatabases[] = {"DATABASES"};
constexpr std::string_view kSchemas[] = {"SCHEMAS"};
constexpr std::string_view kData[] = {"DATA"};
constexpr std::string_view kMaterializedViews[] = {"MATERIALIZED", "VIEWS"};
constexpr std::string_view kDynamicPartitionTables[] = {"DYNAMIC", "PARTITION", "TABLES"};
constexpr std::string_view kColumns[] = {"COLUMNS"};
constexpr std::string_view kFields[] = {"FIELDS"};
constexpr std::string_view kIndex[] = {"INDEX"};
constexpr std::string_view kIndexes[] = {"INDEXES"};
constexpr std::string_view kKeys[] = {"KEYS"};
constexpr std::string_view kCreateTable[] = {"CREATE", "TABLE"};
constexpr std::string_view kCreateView[] = {"CREATE", "VIEW"};
constexpr std::string_view kCreateMaterializedView[] = {"CREATE", "MATERIALIZED", "VIEW"};
constexpr std::string_view kCreateDatabase[] = {"CREATE", "DATABASE"};
constexpr std::string_view kPartitions[] = {"PARTITIONS"};
constexpr std::string_view kTemporaryPartitions[] = {"TEMPORARY", "PARTITIONS"};
constexpr std::string_view kTablet[] = {"TABLET"};
constexpr std::string_view kTablets[] = {"TABLETS"};
constexpr std::string_view kVariables[] = {"VARIABLES"};
constexpr std::string_view kStatus[] = {"STATUS"};
constexpr std::string_view kEngines[] = {"ENGINES"};
constexpr std::string_view kCharacterSet[] = {"CHARACTER", "SET"};
constexpr std::string_view kCharset[] = {"CHARSET"};
constexpr std::string_view kCollation[] = {"COLLATION"};
constexpr std::string_view kBackends[] = {"BACKENDS"};
constexpr std::string_view kFrontends[] = {"FRONTENDS"};
constexpr std::string_view kComputeNodes[] = {"COMPUTE", "NODES"};
constexpr std::string_view kBroker[] = {"BROKER"};
constexpr std::string_view kRoutineLoad[] = {"ROUTINE", "LOAD"};
constexpr std::string_view kLoad[] = {"LOAD"};
constexpr std::string_view kAlterTable[] = {"ALTER", "TABLE"};
constexpr std::string_view kDelete[] = {"DELETE"};
constexpr std::string_view kResourceGroup[] = {"RESOURCE", "GROUP"};
constexpr std::string_view kResourceGroups[] = {"RESOURCE", "GROUPS"};
constexpr std::string_view kCatalogs[] = {"CATALOGS"};
constexpr std::string_view kWarehouses[] = {"WAREHOUSES"};
constexpr std::string_view kProc[] = {"PROC"};

const std::vector<ShowForm>& ShowForms() {
  static const std::vector<ShowForm> forms = {
      {kTables, true},
      {kTableStatus, true},
      {kDatabases, true},
      {kSchemas, true},
      {kData, true},
      {kMaterializedViews, true},
      {kDynamicPartitionTables, true},
      {kColumns, false},
      {kFields, false},
      {kIndex, false},
      {kIndexes, false},
      {kKeys, false},
      {kCreateTable, false},
      {kCreateView, false},
      {kCreateMaterializedView, false},
      {kCreateDatabase, false},
      {kPartitions, false},
      {kTemporaryPartitions, false},
      {kTablet, false},
      {kTablets, false},
      {kVariables, false},
      {kStatus, false},
      {kEngines, false},
      {kCharacterSet, false},
      {kCharset, false},
      {kCollation, false},
      {kBackends, false},
      {kFrontends, false},
      {kComputeNodes, false},
      {kBroker, false},
      {kRoutineLoad, false},
      {kLoad, false},
      {kAlterTable, false},
      {kDelete, false},
      {kResourceGroup, false},
      {kResourceGroups, false},
      {kCatalogs, false},
      {kWarehouses, false},
      {kProc, false},
  };
  return forms;
}

}  // namespace

std::string_view SqlDialectLabel(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? "SQLite" : "MySQL/MariaDB/StarRocks";
}

bool IsAllowedFunction(SqlDialect dialect, std::string_view lower_name) {
  const NameSet& names = dialect == SqlDialect::kSqlite ? SqliteFunctions() : MysqlFunctions();
  return names.count(lower_name) > 0;
}

std::string_view WhyFunctionRefused(std::string_view lower_name) {
  auto found = DangerousFunctions().find(lower_name);
  return found == DangerousFunctions().end() ? std::string_view() : found->second;
}

bool IsSyntaxBeforeParen(std::string_view upper_word) {
  return SyntaxBeforeParen().count(upper_word) > 0;
}

const ShowForm* FindShowForm(std::span<const std::string_view> words) {
  const ShowForm* best = nullptr;
  for (const ShowForm& form : ShowForms()) {
    if (form.words.size() > words.size()) continue;
    if (!std::equal(form.words.begin(), form.words.end(), words.begin())) continue;
    if (best == nullptr || form.words.size() > best->words.size()) best = &form;
  }
  return best;
}

bool IsShowModifier(std::string_view upper_word) {
  return upper_word == "FULL" || upper_word == "GLOBAL" || upper_word == "SESSION" ||
         upper_word == "EXTENDED" || upper_word == "ALL";
}

std::string_view WhyShowRefused(std::string_view first, std::string_view second) {
  if (first == "CREATE" && (second == "USER" || second == "ROLE")) return "reads credentials";
  if (first == "CREATE" &&
      (second == "PROCEDURE" || second == "FUNCTION" || second == "TRIGGER" || second == "EVENT")) {
    return "shows stored code, which may name tables tools may not read";
  }
  static const std::unordered_map<std::string_view, std::string_view> reasons = {
      {"GRANTS", "reads privileges and credentials"},
      {"PRIVILEGES", "reads privileges"},
      {"USERS", "reads accounts"},
      {"ROLES", "reads accounts and privileges"},
      {"AUTHENTICATION", "reads credentials"},
      {"PROPERTY", "reads account properties"},
      {"PROCESSLIST", "shows other sessions' queries"},
      {"RUNNING", "shows other sessions' queries"},
      {"PROFILE", "shows query texts"},
      {"PROFILES", "shows query texts"},
      {"PROFILELIST", "shows other sessions' queries"},
      {"EXPLAIN", "shows other sessions' queries (SHOW EXPLAIN FOR)"},
      {"ANALYZE", "shows other sessions' queries (SHOW ANALYZE FOR)"},
      {"ENGINE", "shows other sessions' transactions and queries (SHOW ENGINE ... STATUS)"},
      {"WARNINGS", "repeats values the previous statement computed"},
      {"ERRORS", "repeats values the previous statement computed"},
      {"OPEN", "lists every open table, including ones tools may not read"},
      {"BINLOG", "reads the replication log, which holds the data written"},
      {"RELAYLOG", "reads the replication log, which holds the data written"},
      {"MASTER", "reads replication settings"},
      {"SLAVE", "reads replication settings"},
      {"REPLICA", "reads replication settings"},
      {"REPLICAS", "reads replication settings"},
  };
  auto found = reasons.find(first);
  return found == reasons.end() ? std::string_view() : found->second;
}

std::string_view AllowedShowForms() {
  static const std::string text = [] {
    std::string out;
    for (const ShowForm& form : ShowForms()) {
      if (!out.empty()) out += ", ";
      for (size_t word_idx = 0; word_idx < form.words.size(); ++word_idx) {
        out += (word_idx == 0 ? "" : " ") + std::string(form.words[word_idx]);
      }
    }
    return out;
  }();
  return text;
}

bool IsReadableProcPath(std::string_view path) {
  static const NameSet readable = {"backends",        "compute_nodes", "frontends",
                                   "statistic",       "jobs",          "tasks",
                                   "cluster_balance", "routine_loads", "colocation_group",
                                   "replications",    "transactions",  "dbs",
                                   "catalog"};
  while (path.starts_with('/')) path.remove_prefix(1);
  std::string_view first = path.substr(0, path.find('/'));
  return readable.count(first) > 0;
}

std::string_view WhyCatalogClosed(std::string_view lower_name) {
  static const std::unordered_map<std::string_view, std::string_view> reasons = {
      {"information_schema",
       "lists every table and column, including ones tools may not read, and other sessions' "
       "queries"},
      {"mysql", "holds accounts, password hashes and privileges"},
      {"performance_schema", "holds other sessions' queries and server internals"},
      {"sys", "holds other sessions' queries and server internals"},
      {"_statistics_", "holds column statistics of every table"},
      {"starrocks_audit_db__", "holds the audit log of every session's queries"},
  };
  auto found = reasons.find(lower_name);
  return found == reasons.end() ? std::string_view() : found->second;
}

bool IsReadableInformationSchemaTable(std::string_view lower_name) {
  static const NameSet readable = {
      "be_tablets",       "be_compactions", "be_cloud_native_compactions",
      "be_txns",          "be_threads",     "be_bvars",
      "be_metrics",       "fe_metrics",     "fe_tablet_schedules",
      "warehouse_metrics"};
  return readable.count(lower_name) > 0;
}

bool IsSqliteCatalog(std::string_view lower_name) {
  return lower_name.starts_with("sqlite_") || lower_name.starts_with("pragma_") ||
         lower_name == "dbstat";
}

}  // namespace rh::tools::internal
