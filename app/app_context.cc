#include "app/app_context.h"

#include "core/log.h"
#include "store/schema.h"

namespace rh::app {

AppContext::AppContext(Config config, std::unique_ptr<Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

Result<store::Database*> AppContext::Fleet() {
  if (!fleet_) {
    store::OpenOptions options;
    options.password = config_.secrets.fleet_db_password;
    options.pool_size = config_.fleet.pool_size;
    auto db = store::OpenDatabase(config_.FleetDb(), options);
    if (!db) return Fail(db.error().WithContext("fleet.db"));
    auto migrated = store::Migrate(**db, store::SchemaSet::kFleet);
    if (!migrated) return Fail(migrated.error().WithContext("fleet.db"));
    fleet_ = std::move(*db);
  }
  return fleet_.get();
}

Result<store::Database*> AppContext::Memory() {
  if (!memory_) {
    store::OpenOptions options;
    options.password = config_.secrets.memory_db_password;
    options.pool_size = config_.memory.pool_size;
    auto db = store::OpenDatabase(config_.MemoryDb(), options);
    if (!db) return Fail(db.error().WithContext("memory.db"));
    auto migrated = store::Migrate(**db, store::SchemaSet::kMemory);
    if (!migrated) return Fail(migrated.error().WithContext("memory.db"));
    memory_ = std::move(*db);
  }
  return memory_.get();
}

}  // namespace rh::app
