#include "simulator/internal/row_writer.h"

#include <algorithm>

namespace rh::simulator::internal {

RowWriter::RowWriter(store::Database& db, std::string table, std::vector<std::string> columns,
                     int rows_per_statement)
    : db_(db),
      table_(std::move(table)),
      columns_(std::move(columns)),
      rows_per_statement_(std::max(1, rows_per_statement)) {
  full_sql_ = BuildSql(rows_per_statement_);
  pending_.reserve(columns_.size() * static_cast<size_t>(rows_per_statement_));
}

std::string RowWriter::BuildSql(int rows) const {
  std::string row = "(";
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    row += column_idx == 0 ? "?" : ", ?";
  }
  row += ")";
  std::string sql = "INSERT INTO " + table_ + " (";
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    if (column_idx > 0) sql += ", ";
    sql += columns_[column_idx];
  }
  sql += ") VALUES ";
  sql.reserve(sql.size() + static_cast<size_t>(rows) * (row.size() + 2));
  for (int row_idx = 0; row_idx < rows; ++row_idx) {
    if (row_idx > 0) sql += ", ";
    sql += row;
  }
  return sql;
}

Status RowWriter::EndRow() {
  ++pending_rows_;
  if (pending_rows_ < rows_per_statement_) return {};
  return Flush();
}

Status RowWriter::Flush() {
  if (pending_rows_ == 0) return {};
  auto written = pending_rows_ == rows_per_statement_
                     ? db_.Execute(full_sql_, pending_)
                     : db_.Execute(BuildSql(pending_rows_), pending_);
  if (!written) return Fail(written.error().WithContext("insert into " + table_));
  rows_written_ += pending_rows_;
  pending_rows_ = 0;
  pending_.clear();
  return {};
}

int RowsPerStatement(const store::Database& db, int columns) {
  // SQLite binds at most 32766 parameters; MySQL statements are capped by max_allowed_packet.
  const int rows = db.dialect() == store::Dialect::kSqlite ? 50 : 500;
  return std::max(1, std::min(rows, 30000 / std::max(1, columns)));
}

}  // namespace rh::simulator::internal
