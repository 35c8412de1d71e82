// WorkerPool: investigation workers that take tasks from the durable queue, run the Investigator
// and complete (or fail) the task.
//
// Each worker has its own memory-database connection and TaskQueue (so claims run in parallel),
// claims the most urgent task under a lease, keeps the lease alive with a LeaseKeeper (a
// heartbeat every queue.heartbeat of the Clock's time) while the investigation runs, then calls
// Complete with the report id — or Fail, retryable when the error is `unavailable`, so the queue
// retries it after a backoff. When the keeper finds the lease lost (another worker reclaimed the
// task after it expired, or the task was cancelled) it cancels the investigation: it stops at
// its next checkpoint, stores nothing, and the worker leaves the task to its new owner (neither
// Complete nor Fail). An exception escaping an investigation fails that task for good (the
// exception's text as its error) and the worker goes on; an exception anywhere else in a worker
// is logged and the worker goes on with the next claim (daemon mode) or ends (drain mode).
// A crash mid-investigation leaves no report (a report is stored in one transaction, once per
// task) and a lease that expires: the task is reclaimed by the next Claim anywhere. On Stop,
// workers finish the investigation in hand and claim nothing new; a task they had not started
// is released without an attempt.
//
// Two ways to run: RunUntilIdle() (the `cycle` and `demo` commands: work until nothing is
// claimable) and Start()/Stop() (the `run` and `serve` daemons: poll until stopped).
// Thread-safety: Start/Stop/RunUntilIdle from one controlling thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/investigator.h"
#include "store/task_queue.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "store/database.h"

namespace rh::agent {

struct WorkerPoolOptions {
  int workers = 2;
  std::optional<EngineKind> engine;  // nullopt: agent.engine
  QueueConfig queue;
  Duration poll_interval = std::chrono::seconds(5);  // daemon mode, when the queue is empty
  std::string owner_prefix;  // empty: "<hostname>:<pid>"
};

struct WorkerPoolStats {
  int completed = 0;
  int failed = 0;     // attempts that failed (the task may be retried)
  int released = 0;
  int cancelled = 0;  // investigations cancelled because the lease was lost (nothing stored)
};

// Opens a fresh connection to the memory database (one per worker).
using MemoryOpener = std::function<Result<std::unique_ptr<store::Database>>()>;

class WorkerPool {
 public:
  WorkerPool(Investigator& investigator, MemoryOpener open_memory, Clock& clock,
             WorkerPoolOptions options);
  // Every worker uses `memory` (a pooled Database shared with the rest of the process, which
  // must outlive the pool) instead of a connection of its own.
  WorkerPool(Investigator& investigator, store::Database& memory, Clock& clock,
             WorkerPoolOptions options);
  ~WorkerPool();

  // Works with `options.workers` threads until no task is claimable, `max_tasks` (> 0) tasks
  // were taken, or `*stop` becomes true (then nothing new is claimed); returns what was done.
  Result<WorkerPoolStats> RunUntilIdle(const std::atomic<bool>* stop = nullptr, int max_tasks = 0);

  // Daemon mode: workers poll the queue until Stop().
  Status Start();
  void Stop();
  WorkerPoolStats stats() const;

  // Called on the worker thread right after a task is claimed, before the investigation starts
  // (a stop requested from here releases the task untouched).
  void set_on_task_claimed(std::function<void(const std::string&)> fn) {
    on_task_claimed_ = std::move(fn);
  }
  // Called on a lease keeper's thread when a running task's lease is found lost, right after its
  // investigation was told to stop.
  void set_on_lease_lost(std::function<void(const std::string&)> fn) {
    on_lease_lost_ = std::move(fn);
  }
  // Called with each task's live progress (task id, event) from the worker thread or a tool
  // thread while it is investigated — the daemon's event streams. Must be cheap; must not throw.
  void set_on_progress(std::function<void(const std::string&, const ProgressEvent&)> fn) {
    on_progress_ = std::move(fn);
  }
  // Called after each task finishes (task id, report id or error) — progress for the CLI.
  void set_on_task_finished(std::function<void(const std::string&, const Result<std::string>&)> fn) {
    on_task_finished_ = std::move(fn);
  }

 private:
  // One worker: claims and runs tasks; returns when idle (drain) or stopped. Catches everything.
  void WorkerLoop(int worker_idx, bool drain);
  // One claim and its task; false when the worker should end (drain mode: idle or failing).
  bool WorkOnce(const std::string& owner, bool drain, std::unique_ptr<store::Database>& memory);
  bool ShouldStop() const { return stop_ || (external_stop_ && external_stop_->load()); }
  // Takes one unit of the max_tasks allowance; false when it is used up.
  bool TakeAllowance();
  // Runs one claimed task to completion (Complete, Fail, or nothing when the lease was lost).
  // on_task_finished_ is called from the worker threads.
  void RunTask(store::Database& memory, const std::string& owner, const store::Task& task);
  void SleepPoll();

  Investigator& investigator_;
  MemoryOpener open_memory_;
  store::Database* shared_memory_ = nullptr;
  Clock& clock_;
  WorkerPoolOptions options_;
  std::function<void(const std::string&)> on_task_claimed_;
  std::function<void(const std::string&)> on_lease_lost_;
  std::function<void(const std::string&, const Result<std::string>&)> on_task_finished_;
  std::function<void(const std::string&, const ProgressEvent&)> on_progress_;
  std::atomic<bool> stop_{false};
  const std::atomic<bool>* external_stop_ = nullptr;
  std::atomic<int> allowance_{-1};  // -1: unlimited
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  WorkerPoolStats stats_;
  std::string first_error_;
};

}  // namespace rh::agent
