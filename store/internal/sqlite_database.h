// SQLite backend of Database (see store/database.h). Only store/ includes this header.
#pragma once

#include <memory>
#include <string_view>

#include "store/database.h"

namespace rh::store::internal {

// One SQLite connection (OpenDatabase pools several: internal/pooled_database.h). Read-only
// connections also set query_only.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(std::string_view path, const OpenOptions& options);

// Whether `path` names a private in-memory database (":memory:", "file::memory:", a file: URI
// with mode=memory), which only the connection that opened it sees.
bool IsSqliteInMemory(std::string_view path);

}  // namespace rh::store::internal
