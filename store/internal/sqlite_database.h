// SQLite backend of Database (see store/database.h). Only store/ includes this header.
#pragma once

#include <memory>
#include <string_view>

#include "store/database.h"

namespace rh::store::internal {

Result<std::unique_ptr<Database>> OpenSqliteDatabase(std::string_view path, const OpenOptions& options);

}  // namespace rh::store::internal
