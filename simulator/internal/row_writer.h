// RowWriter: batched multi-row INSERTs into one table ("INSERT INTO t (a, b) VALUES (?, ?),
// (?, ?), ..."), `rows_per_statement` rows per statement. The SQL text of a full statement
// never changes, so the SQLite backend reuses one prepared statement for the whole run.
// The caller owns the transaction. Internal to rh::simulator.
// Thread-safety: not thread-safe; one writer per thread.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace rh::simulator::internal {

class RowWriter {
 public:
  RowWriter(store::Database& db, std::string table, std::vector<std::string> columns,
            int rows_per_statement);

  // Appends the next cell of the current row.
  void Add(store::Value value) { pending_.push_back(std::move(value)); }
  // Closes the current row; runs a statement once rows_per_statement rows are pending.
  Status EndRow();
  // Writes whatever is pending.
  Status Flush();
  int64_t rows_written() const { return rows_written_; }

 private:
  std::string BuildSql(int rows) const;

  store::Database& db_;
  std::string table_;
  std::vector<std::string> columns_;
  int rows_per_statement_;
  std::string full_sql_;
  std::vector<store::Value> pending_;
  int pending_rows_ = 0;
  int64_t rows_written_ = 0;
};

// Rows per statement that suit the backend (SQLite caches the statement; MySQL saves round
// trips with larger statements).
int RowsPerStatement(const store::Database& db, int columns);

}  // namespace rh::simulator::internal
