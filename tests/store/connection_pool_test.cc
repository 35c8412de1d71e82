// The connection pool behind store::Database (store/README.md, "Concurrency"): readers beside a
// writer, transactions bound to their thread, bounded waiting, lost MySQL connections replaced.
#include "store/internal/connection_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "store/database.h"
#include "store/internal/pooled_database.h"
#include "store/internal/sqlite_database.h"
#include "tests/fakes/database_fixture.h"

namespace rh::store {
namespace {

using testing::DatabaseBackendTest;

// A one-shot signal between threads; Wait gives up after `limit` so a broken pool fails the
// test instead of hanging it.
class Signal {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  bool Wait(Duration limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

// Counts arrivals; Wait blocks until `count` threads have arrived (or the limit passes).
class Arrivals {
 public:
  void Arrive() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++arrived_;
    cv_.notify_all();
  }
  bool Wait(int count, Duration limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return arrived_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
};

Status FromCount(const Result<int64_t>& result) {
  if (!result) return Fail(result.error());
  return {};
}

class PoolTest : public DatabaseBackendTest {
 protected:
  bool sqlite() { return db().dialect() == Dialect::kSqlite; }
  void CreateItems() {
    ASSERT_TRUE(db().Execute(sqlite()
                                 ? "CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER)"
                                 : "CREATE TABLE items (id VARCHAR(64) PRIMARY KEY, n BIGINT)"));
  }
  std::unique_ptr<Database> OpenPool(int pool_size, Duration wait) {
    OpenOptions options;
    options.pool_size = pool_size;
    options.pool_wait_timeout = wait;
    return Open(options);
  }
};

// A read outside a transaction completes while another thread holds a write transaction open,
// and does not see its uncommitted row: the writer waits for the read to finish before it
// commits, so a read that waited for the writer could not return before the test's limit.
TEST_P(PoolTest, ReadCompletesWhileAWriteTransactionIsHeldOpen) {
  CreateItems();
  Signal holding, read_done;
  std::atomic<bool> writer_inside{false};
  std::atomic<bool> writer_saw_read{false};
  std::thread writer([&] {
    Status status = db().Transaction([&]() -> Status {
      RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('uncommitted', 1)"));
      writer_inside = true;
      holding.Notify();
      writer_saw_read = read_done.Wait();
      writer_inside = false;
      return {};
    });
    EXPECT_TRUE(status) << status.error().ToString();
  });
  ASSERT_TRUE(holding.Wait());
  auto count = db().QueryInt("SELECT COUNT(*) FROM items");
  const bool still_inside = writer_inside;
  read_done.Notify();
  writer.join();
  ASSERT_TRUE(count) << count.error().ToString();
  EXPECT_EQ(*count, 0);  // the uncommitted row is invisible
  EXPECT_TRUE(still_inside) << "the read returned only after the write transaction ended";
  EXPECT_TRUE(writer_saw_read);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 1);
}

// Eight threads read in a loop while a writer commits rows two at a time: every read sees a
// whole number of transactions (an even count), counts never go backwards, and nothing fails
// (no "database is locked").
TEST_P(PoolTest, EightReadersAndAWriterStayConsistent) {
  CreateItems();
  constexpr int kReaders = 8;
  constexpr int kTransactions = 60;
  std::atomic<bool> writer_done{false};
  std::atomic<int> reads{0};
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  auto record = [&](const std::string& error) {
    std::lock_guard<std::mutex> lock(errors_mutex);
    errors.push_back(error);
  };
  std::vector<std::thread> readers;
  for (int reader_idx = 0; reader_idx < kReaders; ++reader_idx) {
    readers.emplace_back([&] {
      int64_t last = 0;
      // At least a few reads each, then until the writer is done.
      for (int loop_idx = 0; loop_idx < 5 || !writer_done; ++loop_idx) {
        auto count = db().QueryInt("SELECT COUNT(*) FROM items");
        if (!count) {
          record(count.error().ToString());
          return;
        }
        if (*count % 2 != 0) record("read half a transaction: " + std::to_string(*count));
        if (*count < last) record("count went backwards");
        last = *count;
        ++reads;
      }
    });
  }
  for (int txn_idx = 0; txn_idx < kTransactions; ++txn_idx) {
    Status status = db().Transaction([&]() -> Status {
      for (const char* side : {"a", "b"}) {
        RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES (?, ?)",
                                        {Text(side + std::to_string(txn_idx)), Int(txn_idx)}));
      }
      return {};
    });
    if (!status) record(status.error().ToString());
  }
  writer_done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_GE(reads.load(), kReaders * 5);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 2 * kTransactions);
  auto* pooled = dynamic_cast<internal::PooledDatabase*>(&db());
  ASSERT_NE(pooled, nullptr);
  // How many connections the overlap needed depends on timing; the bounds do not.
  if (sqlite()) {
    EXPECT_EQ(pooled->primary_connections(), 1);  // one writer
    EXPECT_GE(pooled->reader_connections(), 1);    // the reads ran on readers
    EXPECT_LE(pooled->reader_connections(), 8);
  } else {
    EXPECT_GE(pooled->primary_connections(), 1);
    EXPECT_LE(pooled->primary_connections(), 8);
  }
}

// Inside a transaction, Query runs on the transaction's connection and sees its own writes;
// another thread meanwhile neither sees them nor waits for them.
TEST_P(PoolTest, TransactionSeesItsOwnWritesThroughQuery) {
  CreateItems();
  int64_t inside = -1;
  int64_t outside = -1;
  Status status = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('mine', 1)"));
    RH_ASSIGN_OR_RETURN(inside, db().QueryInt("SELECT COUNT(*) FROM items"));
    std::thread other([&] { outside = db().QueryInt("SELECT COUNT(*) FROM items").value_or(-2); });
    other.join();
    return {};
  });
  ASSERT_TRUE(status) << status.error().ToString();
  EXPECT_EQ(inside, 1);
  EXPECT_EQ(outside, 0);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 1);
}

// A nested Transaction joins the outer one: it sees the outer writes, and the outer failure
// rolls back what the inner one wrote.
TEST_P(PoolTest, NestedTransactionsJoinTheOuterOne) {
  CreateItems();
  int64_t seen_by_inner = -1;
  Status failed = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('outer', 1)"));
    RH_RETURN_IF_ERROR(db().Transaction([&]() -> Status {
      RH_ASSIGN_OR_RETURN(seen_by_inner, db().QueryInt("SELECT COUNT(*) FROM items"));
      return FromCount(db().Execute("INSERT INTO items (id, n) VALUES ('inner', 2)"));
    }));
    return InvalidArgument("test", "abort after the inner transaction returned");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(seen_by_inner, 1);
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 0);
  Status committed = db().Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db().Execute("INSERT INTO items (id, n) VALUES ('outer', 1)"));
    return db().Transaction([&]() -> Status {
      return FromCount(db().Execute("INSERT INTO items (id, n) VALUES ('inner', 2)"));
    });
  });
  ASSERT_TRUE(committed) << committed.error().ToString();
  EXPECT_EQ(*db().QueryInt("SELECT COUNT(*) FROM items"), 2);
}

// OnOneConnection keeps every call of the body on one connection: a temporary table (private to
// its connection) made by Execute is there for the Query. Unbound, that Query would run on a
// SQLite reader, or (MySQL) on the other connection while another thread holds this one.
TEST_P(PoolTest, OnOneConnectionKeepsSessionState) {
  auto pool = OpenPool(2, std::chrono::seconds(20));
  ASSERT_NE(pool, nullptr);
  Signal holding, release;
  std::thread holder;
  Status status = pool->OnOneConnection([&]() -> Status {
    RH_RETURN_IF_ERROR(pool->Execute(sqlite() ? "CREATE TEMP TABLE scratch (a INTEGER)"
                                              : "CREATE TEMPORARY TABLE scratch (a INT)"));
    RH_RETURN_IF_ERROR(pool->Execute("INSERT INTO scratch (a) VALUES (7)"));
    if (!sqlite()) {  // another thread takes a connection meanwhile (SQLite's writer is ours)
      holder = std::thread([&] {
        Status held = pool->Transaction([&]() -> Status {
          holding.Notify();
          release.Wait();
          return {};
        });
        EXPECT_TRUE(held) << held.error().ToString();
      });
      holding.Wait();
    }
    RH_ASSIGN_OR_RETURN(int64_t a, pool->QueryInt("SELECT a FROM scratch"));
    EXPECT_EQ(a, 7);
    // A transaction inside begins on the same connection.
    return pool->Transaction([&]() -> Status {
      return FromCount(pool->QueryInt("SELECT COUNT(*) FROM scratch"));
    });
  });
  release.Notify();
  if (holder.joinable()) holder.join();
  ASSERT_TRUE(status) << status.error().ToString();
}

// With every connection held, a call waits pool_wait_timeout and then fails `unavailable`,
// naming the setting to change; once a connection comes back, calls work again.
TEST_P(PoolTest, ExhaustedPoolIsUnavailableAfterTheWait) {
  auto pool = OpenPool(2, std::chrono::milliseconds(200));
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Execute(sqlite() ? "CREATE TABLE t (a INTEGER)" : "CREATE TABLE t (a INT)"));
  // SQLite: the writer is the one connection writes wait for; MySQL: both connections.
  const int holders = sqlite() ? 1 : 2;
  Arrivals holding;
  Signal release;
  std::vector<std::thread> threads;
  for (int holder_idx = 0; holder_idx < holders; ++holder_idx) {
    threads.emplace_back([&] {
      Status status = pool->Transaction([&]() -> Status {
        holding.Arrive();
        release.Wait();
        return {};
      });
      EXPECT_TRUE(status) << status.error().ToString();
    });
  }
  ASSERT_TRUE(holding.Wait(holders));
  auto blocked = pool->Execute("INSERT INTO t (a) VALUES (1)");
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(blocked.error().message.find("within 200ms"), std::string::npos)
      << blocked.error().ToString();
  if (sqlite()) {
    EXPECT_NE(blocked.error().message.find("one writer"), std::string::npos);
    // Reads still run, on the readers.
    EXPECT_EQ(*pool->QueryInt("SELECT COUNT(*) FROM t"), 0);
  } else {
    EXPECT_NE(blocked.error().message.find("pool_size"), std::string::npos);
    auto query = pool->Query("SELECT 1");
    ASSERT_FALSE(query);
    EXPECT_EQ(query.error().code, ErrorCode::kUnavailable);
  }
  release.Notify();
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(pool->Execute("INSERT INTO t (a) VALUES (1)"));
  EXPECT_EQ(*pool->QueryInt("SELECT COUNT(*) FROM t"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolTest, RH_DATABASE_BACKENDS());

// ---- SQLite-specific ------------------------------------------------------------------------

// Readers open on first use, read only: a write sent through Query outside a transaction is
// refused there (Execute or a Transaction runs it on the writer).
TEST(SqlitePoolTest, ReadersOpenOnDemandAndOnlyRead) {
  testing::TempDir dir;
  auto db = OpenDatabase(dir.File("pool.db"));
  ASSERT_TRUE(db) << db.error().ToString();
  auto* pooled = dynamic_cast<internal::PooledDatabase*>(db->get());
  ASSERT_NE(pooled, nullptr);
  EXPECT_EQ(pooled->reader_connections(), 0);
  ASSERT_TRUE((*db)->Execute("CREATE TABLE t (a INTEGER)"));
  ASSERT_TRUE((*db)->Execute("INSERT INTO t (a) VALUES (1)"));
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 1);  // the writer's commit is visible
  EXPECT_EQ(pooled->reader_connections(), 1);
  auto write = (*db)->Query("DELETE FROM t RETURNING a");
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied) << write.error().ToString();
  Status in_transaction = (*db)->Transaction([&]() -> Status {
    return FromCount((*db)->Query("DELETE FROM t RETURNING a").map([](const QueryResult& rows) {
      return static_cast<int64_t>(rows.size());
    }));
  });
  EXPECT_TRUE(in_transaction) << in_transaction.error().ToString();
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 0);
}

// ":memory:" is private to the connection that opened it, so its pool is that one connection:
// a table made by Execute is there for Query.
TEST(SqlitePoolTest, InMemoryDatabaseIsOneConnection) {
  auto db = OpenDatabase(":memory:");
  ASSERT_TRUE(db) << db.error().ToString();
  ASSERT_TRUE((*db)->Execute("CREATE TABLE t (a INTEGER)"));
  ASSERT_TRUE((*db)->Execute("INSERT INTO t (a) VALUES (5)"));
  EXPECT_EQ(*(*db)->QueryInt("SELECT a FROM t"), 5);
  auto* pooled = dynamic_cast<internal::PooledDatabase*>(db->get());
  ASSERT_NE(pooled, nullptr);
  EXPECT_EQ(pooled->reader_connections(), 0);
}

TEST(SqlitePoolTest, GuardedConnectionIsNotPooledAndPoolSizeIsChecked) {
  testing::TempDir dir;
  ASSERT_TRUE(OpenDatabase(dir.File("g.db")));
  OpenOptions guarded;
  guarded.read_only = true;
  guarded.guarded = true;
  auto db = OpenDatabase(dir.File("g.db"), guarded);
  ASSERT_TRUE(db) << db.error().ToString();
  EXPECT_EQ(dynamic_cast<internal::PooledDatabase*>(db->get()), nullptr);
  OpenOptions none;
  none.pool_size = 0;
  auto refused = OpenDatabase(dir.File("g.db"), none);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("pool_size"), std::string::npos);
}

// ---- ConnectionPool ---------------------------------------------------------------------------

class ConnectionPoolTest : public ::testing::Test {
 protected:
  // Each connection a private in-memory SQLite database; `fail_next` makes the next open fail.
  internal::ConnectionOpener Opener() {
    return [this]() -> Result<std::unique_ptr<Database>> {
      ++opened_;
      if (fail_next_.exchange(false)) return Unavailable("test", "cannot open now");
      return internal::OpenSqliteDatabase(":memory:", {});
    };
  }
  std::atomic<int> opened_{0};
  std::atomic<bool> fail_next_{false};
};

TEST_F(ConnectionPoolTest, OpensOnDemandUpToCapacityThenWaitsThenGivesUp) {
  internal::ConnectionPool pool("test pool", 2, std::chrono::milliseconds(100), "raise pool_size",
                                Opener());
  EXPECT_EQ(pool.open_connections(), 0);
  auto first = pool.Acquire();
  ASSERT_TRUE(first);
  auto second = pool.Acquire();
  ASSERT_TRUE(second);
  EXPECT_NE(first->get(), second->get());
  EXPECT_EQ(pool.open_connections(), 2);
  auto third = pool.Acquire();
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(third.error().context, "test pool");
  EXPECT_NE(third.error().message.find("within 100ms (2 busy); raise pool_size"),
            std::string::npos)
      << third.error().ToString();
  Database* returned = first->get();
  { auto gone = std::move(*first); }  // the lease dies: its connection is idle again
  auto reused = pool.Acquire();
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->get(), returned);
  EXPECT_EQ(opened_.load(), 2);
}

TEST_F(ConnectionPoolTest, AWaiterGetsTheConnectionWhenItComesBack) {
  internal::ConnectionPool pool("test pool", 1, std::chrono::seconds(20), "hint", Opener());
  auto held = pool.Acquire();
  ASSERT_TRUE(held);
  Database* connection = held->get();
  Signal waiting;
  Database* got = nullptr;
  std::thread waiter([&] {
    waiting.Notify();
    auto lease = pool.Acquire();
    if (lease) got = lease->get();
  });
  waiting.Wait();
  { auto gone = std::move(*held); }
  waiter.join();
  EXPECT_EQ(got, connection);
  EXPECT_EQ(pool.open_connections(), 1);
}

TEST_F(ConnectionPoolTest, AFailedOpenFreesItsSlot) {
  internal::ConnectionPool pool("test pool", 1, std::chrono::milliseconds(100), "hint", Opener());
  fail_next_ = true;
  auto failed = pool.Acquire();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "cannot open now");
  EXPECT_EQ(pool.open_connections(), 0);
  auto next = pool.Acquire();
  ASSERT_TRUE(next) << next.error().ToString();
  EXPECT_EQ(pool.open_connections(), 1);
}

TEST_F(ConnectionPoolTest, AdoptedConnectionIsLentFirst) {
  internal::ConnectionPool pool("test pool", 2, std::chrono::milliseconds(100), "hint", Opener());
  auto adopted = internal::OpenSqliteDatabase(":memory:", {});
  ASSERT_TRUE(adopted);
  Database* raw = adopted->get();
  pool.Adopt(std::move(*adopted));
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->get(), raw);
  EXPECT_EQ(opened_.load(), 0);
}

// ---- MySQL-specific ---------------------------------------------------------------------------

class MysqlPoolTest : public DatabaseBackendTest {};

// Runs `count` transactions at once (so each holds its own connection) and returns each one's
// CONNECTION_ID(), or an empty set when one failed.
std::set<int64_t> ConnectionIdsAtOnce(Database& db, int count) {
  Arrivals arrived;
  std::mutex mutex;
  std::set<int64_t> ids;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < count; ++thread_idx) {
    threads.emplace_back([&] {
      Status status = db.Transaction([&]() -> Status {
        RH_ASSIGN_OR_RETURN(int64_t id, db.QueryInt("SELECT CONNECTION_ID()"));
        {
          std::lock_guard<std::mutex> lock(mutex);
          ids.insert(id);
        }
        arrived.Arrive();
        arrived.Wait(count);  // hold the connection until every thread has one
        return {};
      });
      if (!status) {
        ADD_FAILURE() << status.error().ToString();
        failed = true;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return failed ? std::set<int64_t>{} : ids;
}

// Every connection of the pool killed from another session: each is replaced on its next use
// (a transaction's BEGIN reconnects), and a connection killed inside a transaction fails that
// transaction with `unavailable`, then is replaced too.
TEST_P(MysqlPoolTest, KilledConnectionsAreReplacedOnNextUse) {
  OpenOptions options;
  options.pool_size = 3;
  auto pool = Open(options);
  ASSERT_NE(pool, nullptr);
  auto admin = Open();
  ASSERT_NE(admin, nullptr);
  std::set<int64_t> before = ConnectionIdsAtOnce(*pool, 3);
  ASSERT_EQ(before.size(), 3u);
  for (int64_t id : before) {
    ASSERT_TRUE(admin->Execute("KILL CONNECTION " + std::to_string(id)));
  }
  std::set<int64_t> after = ConnectionIdsAtOnce(*pool, 3);
  ASSERT_EQ(after.size(), 3u);
  for (int64_t id : after) EXPECT_EQ(before.count(id), 0u) << id;
  // Killed in the middle of a transaction.
  Status killed = pool->Transaction([&]() -> Status {
    RH_ASSIGN_OR_RETURN(int64_t id, pool->QueryInt("SELECT CONNECTION_ID()"));
    RH_RETURN_IF_ERROR(admin->Execute("KILL CONNECTION " + std::to_string(id)));
    return FromCount(pool->QueryInt("SELECT 1"));
  });
  ASSERT_FALSE(killed);
  EXPECT_EQ(killed.error().code, ErrorCode::kUnavailable) << killed.error().ToString();
  EXPECT_EQ(ConnectionIdsAtOnce(*pool, 3).size(), 3u);
  EXPECT_EQ(*pool->QueryInt("SELECT 41 + 1"), 42);
}

INSTANTIATE_TEST_SUITE_P(Backends, MysqlPoolTest, ::testing::Values(std::string("mysql")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace rh::store
