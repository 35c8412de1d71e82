#include "store/database.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/time_format.h"

namespace rh::store {

Value Null() { return Value(); }

std::string ValueToString(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", v);
      // Prefer the shortest form that round-trips.
      for (int precision = 6; precision <= 17; ++precision) {
        char shorter[64];
        std::snprintf(shorter, sizeof(shorter), "%.*g", precision, v);
        if (std::strtod(shorter, nullptr) == v) return shorter;
      }
      return buf;
    }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(TimePoint v) const { return FormatSqlTime(v); }
  };
  return std::visit(Visitor{}, value);
}

size_t Row::IndexOf(std::string_view column) const {
  for (size_t column_idx = 0; column_idx < columns_->size(); ++column_idx) {
    if ((*columns_)[column_idx] == column) return column_idx;
  }
  return SIZE_MAX;
}

bool Row::IsNull(size_t column) const {
  return column >= cells_->size() || std::holds_alternative<std::monostate>((*cells_)[column]);
}
bool Row::IsNull(std::string_view column) const { return IsNull(IndexOf(column)); }

int64_t Row::GetInt(size_t column, int64_t fallback) const {
  if (IsNull(column)) return fallback;
  const Value& v = (*cells_)[column];
  if (auto i = std::get_if<int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(std::llround(*d));
  if (auto s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    auto res = std::from_chars(s->data(), s->data() + s->size(), out);
    if (res.ec == std::errc() && res.ptr == s->data() + s->size()) return out;
    char* end = nullptr;
    double d = std::strtod(s->c_str(), &end);
    if (end && end != s->c_str() && *end == '\0') return static_cast<int64_t>(std::llround(d));
    return fallback;
  }
  return fallback;
}
int64_t Row::GetInt(std::string_view column, int64_t fallback) const {
  return GetInt(IndexOf(column), fallback);
}

double Row::GetDouble(size_t column, double fallback) const {
  if (IsNull(column)) return fallback;
  const Value& v = (*cells_)[column];
  if (auto d = std::get_if<double>(&v)) return *d;
  if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    double d = std::strtod(s->c_str(), &end);
    if (end && end != s->c_str() && *end == '\0') return d;
  }
  return fallback;
}
double Row::GetDouble(std::string_view column, double fallback) const {
  return GetDouble(IndexOf(column), fallback);
}

std::string Row::GetString(size_t column, std::string_view fallback) const {
  if (IsNull(column)) return std::string(fallback);
  return ValueToString((*cells_)[column]);
}
std::string Row::GetString(std::string_view column, std::string_view fallback) const {
  return GetString(IndexOf(column), fallback);
}

std::optional<TimePoint> Row::GetTime(size_t column) const {
  if (IsNull(column)) return std::nullopt;
  const Value& v = (*cells_)[column];
  if (auto t = std::get_if<TimePoint>(&v)) return *t;
  if (auto s = std::get_if<std::string>(&v)) {
    auto parsed = ParseAnyTime(*s);
    if (parsed) return *parsed;
  }
  return std::nullopt;
}
std::optional<TimePoint> Row::GetTime(std::string_view column) const {
  return GetTime(IndexOf(column));
}

Result<QueryResult> Database::QueryOne(std::string_view sql, const std::vector<Value>& params) {
  RH_ASSIGN_OR_RETURN(QueryResult result, Query(sql, params));
  if (result.empty()) return NotFound(description(), "no row for: " + std::string(sql.substr(0, 120)));
  return result;
}

Result<int64_t> Database::QueryInt(std::string_view sql, const std::vector<Value>& params,
                                   int64_t fallback) {
  RH_ASSIGN_OR_RETURN(QueryResult result, Query(sql, params));
  if (result.empty()) return fallback;
  return result.front().GetInt(size_t{0}, fallback);
}

Result<bool> Database::TableExists(std::string_view table) {
  if (dialect() == Dialect::kSqlite) {
    RH_ASSIGN_OR_RETURN(int64_t count,
                        QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table','view') "
                                 "AND name = ?",
                                 {Text(std::string(table))}));
    return count > 0;
  }
  RH_ASSIGN_OR_RETURN(int64_t count,
                      QueryInt("SELECT COUNT(*) FROM information_schema.tables WHERE "
                               "table_schema = DATABASE() AND table_name = ?",
                               {Text(std::string(table))}));
  return count > 0;
}

std::string Database::InsertIgnore() const {
  return dialect() == Dialect::kSqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
}

}  // namespace rh::store
