#include "agent/worker_pool.h"

#include <unistd.h>

#include <exception>

#include "agent/cancellation.h"
#include "agent/internal/thread_priority.h"
#include "agent/lease_keeper.h"
#include "core/log.h"
#include "store/task_queue.h"

namespace rh::agent {
namespace {

std::string DefaultOwnerPrefix() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "host");
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

WorkerPool::WorkerPool(Investigator& investigator, MemoryOpener open_memory, Clock& clock,
                       WorkerPoolOptions options)
    : investigator_(investigator),
      open_memory_(std::move(open_memory)),
      clock_(clock),
      options_(std::move(options)) {
  if (options_.owner_prefix.empty()) options_.owner_prefix = DefaultOwnerPrefix();
  if (options_.workers < 1) options_.workers = 1;
}

WorkerPool::WorkerPool(Investigator& investigator, store::Database& memory, Clock& clock,
                       WorkerPoolOptions options)
    : WorkerPool(investigator, MemoryOpener(), clock, std::move(options)) {
  shared_memory_ = &memory;
}

WorkerPool::~WorkerPool() { Stop(); }

WorkerPoolStats WorkerPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool WorkerPool::TakeAllowance() {
  int left = allowance_.load();
  while (left != -1) {
    if (left == 0) return false;
    if (allowance_.compare_exchange_weak(left, left - 1)) return true;
  }
  return true;
}

Result<WorkerPoolStats> WorkerPool::RunUntilIdle(const std::atomic<bool>* stop, int max_tasks) {
  stop_ = false;
  external_stop_ = stop;
  allowance_ = max_tasks > 0 ? max_tasks : -1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_ = {};
    first_error_.clear();
  }
  std::vector<std::thread> drainers;
  for (int worker_idx = 0; worker_idx < options_.workers; ++worker_idx) {
    drainers.emplace_back([this, worker_idx] { WorkerLoop(worker_idx, /*drain=*/true); });
  }
  for (auto& thread : drainers) thread.join();
  external_stop_ = nullptr;
  allowance_ = -1;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!first_error_.empty() && stats_.completed == 0 && stats_.failed == 0) {
    return Unavailable("workers", first_error_);
  }
  return stats_;
}

Status WorkerPool::Start() {
  if (!threads_.empty()) return InvalidArgument("workers", "already started");
  stop_ = false;
  for (int worker_idx = 0; worker_idx < options_.workers; ++worker_idx) {
    threads_.emplace_back([this, worker_idx] { WorkerLoop(worker_idx, /*drain=*/false); });
  }
  return {};
}

void WorkerPool::Stop() {
  {
    // Under the mutex, so a worker between its stop check and its wait cannot miss the wake-up.
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void WorkerPool::SleepPoll() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, options_.poll_interval, [this] { return ShouldStop(); });
}

void WorkerPool::WorkerLoop(int worker_idx, bool drain) {
  LowerThisThreadPriority();  // investigations yield to people waiting on the API
  auto log = Logger("agent");
  const std::string owner = options_.owner_prefix + ":w" + std::to_string(worker_idx);
  std::unique_ptr<store::Database> memory;
  while (!ShouldStop()) {
    // The catch-all of this thread (an investigation's own exceptions are caught in RunTask and
    // fail its task): log, drop the connection, and go on, or end in drain mode.
    std::string what;
    try {
      if (!WorkOnce(owner, drain, memory)) return;
      continue;
    } catch (const std::exception& error) {
      what = error.what();
    } catch (...) {
      what = "unknown exception";
    }
    log->error("worker {}: unexpected exception: {}", owner, what);
    memory.reset();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (first_error_.empty()) first_error_ = "internal: worker: " + what;
    }
    if (drain) return;
    SleepPoll();
  }
}

bool WorkerPool::WorkOnce(const std::string& owner, bool drain,
                          std::unique_ptr<store::Database>& memory) {
  auto log = Logger("agent");
  if (drain && !TakeAllowance()) return false;
  if (!memory && !shared_memory_) {
    auto opened = open_memory_();
    if (!opened) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (first_error_.empty()) first_error_ = opened.error().ToString();
      }
      log->warn("worker {}: cannot open the memory database: {}", owner, opened.error().ToString());
      if (drain) return false;
      SleepPoll();
      return true;
    }
    memory = std::move(*opened);
  }
  store::Database& db = shared_memory_ ? *shared_memory_ : *memory;
  store::TaskQueue queue(db, clock_, options_.queue);
  auto claimed = queue.Claim(owner);
  if (!claimed) {
    log->warn("worker {}: claim failed: {}", owner, claimed.error().ToString());
    if (claimed.error().code == ErrorCode::kUnavailable) memory.reset();  // reconnect
    if (drain) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (first_error_.empty()) first_error_ = claimed.error().ToString();
      return false;
    }
    SleepPoll();
    return true;
  }
  if (!*claimed) {
    if (drain) return false;
    SleepPoll();
    return true;
  }
  const store::Task& task = **claimed;
  if (on_task_claimed_) on_task_claimed_(task.id);
  if (ShouldStop()) {  // stopped between the claim and the start: give it back untouched
    Status released = queue.Release(task.id, owner);
    if (!released) log->warn("task={} release failed: {}", task.id, released.error().ToString());
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.released;
    return false;
  }
  RunTask(db, owner, task);
  return true;
}

void WorkerPool::RunTask(store::Database& memory, const std::string& owner,
                         const store::Task& task) {
  const std::string task_id = task.id;
  const std::string cluster_id = task.cluster_id;
  auto log = Logger("agent");
  store::TaskQueue queue(memory, clock_, options_.queue);
  log->info("task={} cluster={} claimed by {}", task_id, cluster_id, owner);

  CancellationToken cancel;
  Result<InvestigationResult> result = Internal("investigation", "did not run");
  {
    // Keeps the lease alive on the clock's time; cancels the run when the lease is lost. It
    // stops at the end of this block, before the task is completed or failed.
    LeaseKeeper keeper(queue, clock_, task_id, owner, options_.queue.heartbeat, cancel,
                       [this, &task_id] {
                         if (on_lease_lost_) on_lease_lost_(task_id);
                       });
    InvestigationRequest request{task_id, cluster_id, task.question};
    request.source = std::string(store::TaskSourceName(task.source));
    if (auto rules = ParseJson(task.rules_fired, "rules_fired"); rules && rules->is_array()) {
      request.rules_fired = std::move(*rules);
    }
    if (!task.context_json.empty()) {
      if (auto context = ParseJson(task.context_json, "context_json"); context) {
        request.context = std::move(*context);
      }
    }
    std::string thrown;
    try {
      ProgressFn progress;
      if (on_progress_) {
        progress = [this, &task_id](const ProgressEvent& event) { on_progress_(task_id, event); };
      }
      result = investigator_.Run(request, options_.engine, progress, &cancel);
    } catch (const std::exception& error) {
      thrown = error.what();
    } catch (...) {
      thrown = "unknown exception";
    }
    if (!thrown.empty()) {
      log->error("task={} cluster={} investigation threw: {}", task_id, cluster_id, thrown);
      result = Internal("investigation", "unexpected exception: " + thrown);
    }
  }

  if (result) {
    Status completed = queue.Complete(task_id, owner, result->report_id);
    if (!completed) {
      log->warn("task={} report {} stored but the task could not be completed: {}", task_id,
                result->report_id, completed.error().ToString());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.completed;
  } else if (cancel.cancelled()) {
    // The lease is gone: the task belongs to another worker (or was cancelled). Fail or Complete
    // would be refused anyway; the investigation stored nothing.
    log->warn("task={} cluster={} investigation cancelled, left to the task's new owner: {}",
              task_id, cluster_id, result.error().ToString());
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.cancelled;
  } else {
    bool retryable = result.error().code == ErrorCode::kUnavailable;
    auto failed = queue.Fail(task_id, owner, result.error().ToString(), retryable);
    log->warn("task={} cluster={} investigation failed ({}): {}", task_id, cluster_id,
              retryable ? "will retry" : "not retryable", result.error().ToString());
    if (!failed) log->warn("task={} could not record the failure: {}", task_id, failed.error().ToString());
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.failed;
  }
  if (on_task_finished_) {
    on_task_finished_(task_id, result ? Result<std::string>(result->report_id)
                                      : Result<std::string>(Fail(result.error())));
  }
}

}  // namespace rh::agent
