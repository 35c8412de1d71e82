// ConnectionPool: a bounded set of interchangeable connections (single-connection Databases of
// one backend), opened on demand and lent to one caller at a time. Only store/ includes this.
//
// Acquire() hands out an idle connection, or opens a new one while fewer than `capacity` are
// open, or waits for one to come back; after `wait_timeout` it gives up with `unavailable`,
// whose message ends with `exhausted_hint` (what to change: the pool size setting). A Lease
// returns its connection when it dies. A connection that fails to open is not counted, so the
// next Acquire tries again.
//
// Thread-safety: every member is safe to call from several threads. The pool must outlive its
// leases; a connection is used by one lease holder at a time.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::store::internal {

using ConnectionOpener = std::function<Result<std::unique_ptr<Database>>()>;

class ConnectionPool {
 public:
  // Lends one connection; gives it back to the pool when destroyed. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(other.connection_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    Database& operator*() const { return *connection_; }
    Database* operator->() const { return connection_; }
    Database* get() const { return connection_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, Database* connection) : pool_(pool), connection_(connection) {}
    ConnectionPool* pool_;
    Database* connection_;
  };

  // `name` prefixes error messages (the database description and the pool's role).
  ConnectionPool(std::string name, int capacity, Duration wait_timeout, std::string exhausted_hint,
                 ConnectionOpener open);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Adds a connection opened by the caller (it counts against the capacity).
  void Adopt(std::unique_ptr<Database> connection);
  // An idle connection, a newly opened one, or one returned within wait_timeout; `unavailable`
  // after that, or the opener's error when opening a new connection fails.
  Result<Lease> Acquire();

  int capacity() const { return capacity_; }
  // Connections open now (idle or lent).
  int open_connections() const;

 private:
  void Return(Database* connection);

  const std::string name_;
  const int capacity_;
  const Duration wait_timeout_;
  const std::string exhausted_hint_;
  const ConnectionOpener open_;

  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Database>> connections_;  // every open connection
  std::vector<Database*> idle_;                         // of connections_, not lent
  int opening_ = 0;                                     // opens in progress (slots reserved)
};

}  // namespace rh::store::internal
