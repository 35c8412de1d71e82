#include "agent/tool_executor.h"

#include <exception>

#include "agent/internal/thread_priority.h"

namespace rh::agent {

// The jobs of one RunAll call: the caller waits on `done` until `remaining` reaches zero.
struct ToolExecutor::Batch {
  std::mutex mutex;
  std::condition_variable done;
  size_t remaining = 0;
  std::exception_ptr error;  // the first exception a job threw
};

ToolExecutor::ToolExecutor(int concurrency) {
  const int threads = concurrency < 1 ? 1 : concurrency;
  threads_.reserve(threads);
  for (int thread_idx = 0; thread_idx < threads; ++thread_idx) {
    threads_.emplace_back([this] { ThreadLoop(); });
  }
}

ToolExecutor::~ToolExecutor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

size_t ToolExecutor::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void ToolExecutor::RunAll(std::vector<std::function<void()>> jobs) {
  if (jobs.empty()) return;
  Batch batch;
  batch.remaining = jobs.size();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& job : jobs) queue_.push_back(Job{std::move(job), &batch});
  }
  work_.notify_all();
  std::unique_lock<std::mutex> lock(batch.mutex);
  batch.done.wait(lock, [&] { return batch.remaining == 0; });
  if (batch.error) std::rethrow_exception(batch.error);
}

void ToolExecutor::ThreadLoop() {
  LowerThisThreadPriority();  // investigations yield to people waiting on the API
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    // The catch-all of this thread: whatever a job throws goes back to its caller.
    std::exception_ptr error;
    try {
      job.run();
    } catch (...) {
      error = std::current_exception();
    }
    job.run = nullptr;  // release what the job captured before the caller may go on
    // Notify under the batch's mutex: once it is released the caller may return and destroy
    // the batch, so it is not touched afterwards.
    std::lock_guard<std::mutex> lock(job.batch->mutex);
    if (error && !job.batch->error) job.batch->error = error;
    if (--job.batch->remaining == 0) job.batch->done.notify_all();
  }
}

}  // namespace rh::agent
