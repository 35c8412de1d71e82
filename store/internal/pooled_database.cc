#include "store/internal/pooled_database.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace rh::store::internal {
namespace {

// Which connection each open Transaction/OnOneConnection body of this thread runs on, one entry
// per PooledDatabase (a body on the memory database may call the fleet database, which then
// has an entry of its own or none).
struct ThreadBinding {
  const PooledDatabase* owner;
  Database* connection;
};
thread_local std::vector<ThreadBinding> t_bindings;

// Binds `connection` to this thread for `owner` while alive; exception-safe.
class BindingScope {
 public:
  BindingScope(const PooledDatabase* owner, Database* connection) : owner_(owner) {
    t_bindings.push_back({owner, connection});
  }
  ~BindingScope() {
    auto found =
        std::find_if(t_bindings.rbegin(), t_bindings.rend(),
                     [&](const ThreadBinding& binding) { return binding.owner == owner_; });
    if (found != t_bindings.rend()) t_bindings.erase(std::next(found).base());
  }
  BindingScope(const BindingScope&) = delete;
  BindingScope& operator=(const BindingScope&) = delete;

 private:
  const PooledDatabase* owner_;
};

}  // namespace

PooledDatabase::PooledDatabase(Dialect dialect, std::string description,
                               std::unique_ptr<ConnectionPool> primary,
                               std::unique_ptr<ConnectionPool> readers)
    : dialect_(dialect),
      description_(std::move(description)),
      primary_(std::move(primary)),
      readers_(std::move(readers)) {}

// Readers close first, so the SQLite writer is the last connection to close and checkpoints
// the WAL into the database file (a read-only connection cannot).
PooledDatabase::~PooledDatabase() { readers_.reset(); }

Database* PooledDatabase::BoundConnection() const {
  for (auto binding = t_bindings.rbegin(); binding != t_bindings.rend(); ++binding) {
    if (binding->owner == this) return binding->connection;
  }
  return nullptr;
}

Result<int64_t> PooledDatabase::Execute(std::string_view sql, const std::vector<Value>& params) {
  if (Database* bound = BoundConnection()) return bound->Execute(sql, params);
  RH_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, primary_->Acquire());
  return connection->Execute(sql, params);
}

Result<QueryResult> PooledDatabase::Query(std::string_view sql, const std::vector<Value>& params) {
  if (Database* bound = BoundConnection()) return bound->Query(sql, params);
  ConnectionPool& pool = readers_ ? *readers_ : *primary_;
  RH_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, pool.Acquire());
  return connection->Query(sql, params);
}

Status PooledDatabase::ExecuteScript(std::string_view sql) {
  if (Database* bound = BoundConnection()) return bound->ExecuteScript(sql);
  RH_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, primary_->Acquire());
  return connection->ExecuteScript(sql);
}

Status PooledDatabase::Transaction(const std::function<Status()>& body, TransactionMode mode) {
  // Bound: the connection's own Transaction joins its open transaction (or, under
  // OnOneConnection, begins one on that connection).
  if (Database* bound = BoundConnection()) return bound->Transaction(body, mode);
  RH_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, primary_->Acquire());
  BindingScope binding(this, connection.get());
  return connection->Transaction(body, mode);
}

Status PooledDatabase::OnOneConnection(const std::function<Status()>& body) {
  if (BoundConnection()) return body();
  RH_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, primary_->Acquire());
  BindingScope binding(this, connection.get());
  return body();
}

}  // namespace rh::store::internal
