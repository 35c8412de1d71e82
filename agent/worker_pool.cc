#include "agent/worker_pool.h"

#include <unistd.h>

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
  auto log = Logger("agent");
  const std::string owner = options_.owner_prefix + ":w" + std::to_string(worker_idx);
  std::unique_ptr<store::Database> memory;
  while (!ShouldStop()) {
    if (drain && !TakeAllowance()) return;
    if (!memory) {
      auto opened = open_memory_();
      if (!opened) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (first_error_.empty()) first_error_ = opened.error().ToString();
        }
        log->warn("worker {}: cannot open the memory database: {}", owner, opened.error().ToString());
        if (drain) return;
        SleepPoll();
        continue;
      }
      memory = std::move(*opened);
    }
    store::TaskQueue queue(*memory, clock_, options_.queue);
    auto claimed = queue.Claim(owner);
    if (!claimed) {
      log->warn("worker {}: claim failed: {}", owner, claimed.error().ToString());
      if (claimed.error().code == ErrorCode::kUnavailable) memory.reset();  // reconnect
      if (drain) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (first_error_.empty()) first_error_ = claimed.error().ToString();
        return;
      }
      SleepPoll();
      continue;
    }
    if (!*claimed) {
      if (drain) return;
      SleepPoll();
      continue;
    }
    const store::Task& task = **claimed;
    if (on_task_claimed_) on_task_claimed_(task.id);
    if (ShouldStop()) {  // stopped between the claim and the start: give it back untouched
      Status released = queue.Release(task.id, owner);
      if (!released) log->warn("task={} release failed: {}", task.id, released.error().ToString());
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.released;
      return;
    }
    RunTask(*memory, owner, task.id, task.cluster_id, task.question);
  }
}

void WorkerPool::RunTask(store::Database& memory, const std::string& owner,
                         const std::string& task_id, const std::string& cluster_id,
                         const std::string& question) {
  auto log = Logger("agent");
  store::TaskQueue queue(memory, clock_, options_.queue);
  log->info("task={} cluster={} claimed by {}", task_id, cluster_id, owner);

  // Heartbeat the lease on real time while the investigation runs.
  std::mutex beat_mutex;
  std::condition_variable beat_cv;
  bool finished = false;
  std::thread heartbeat([&] {
    std::unique_lock<std::mutex> lock(beat_mutex);
    while (!beat_cv.wait_for(lock, options_.queue.heartbeat, [&] { return finished; })) {
      lock.unlock();
      Status beat = queue.Heartbeat(task_id, owner);
      if (!beat) log->warn("task={} heartbeat failed: {}", task_id, beat.error().ToString());
      lock.lock();
    }
  });

  InvestigationRequest request{task_id, cluster_id, question};
  auto result = investigator_.Run(request, options_.engine);
  {
    std::lock_guard<std::mutex> lock(beat_mutex);
    finished = true;
  }
  beat_cv.notify_all();
  heartbeat.join();

  if (result) {
    Status completed = queue.Complete(task_id, owner, result->report_id);
    if (!completed) {
      log->warn("task={} report {} stored but the task could not be completed: {}", task_id,
                result->report_id, completed.error().ToString());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.completed;
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
