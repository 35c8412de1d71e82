// ToolExecutor: the bounded pool every investigation's tool calls run on. At most
// `concurrency` calls (agent.tool_concurrency, default 4) run at once across all investigations
// of the process, on a fixed set of threads started once; calls beyond that wait in one FIFO
// queue. So eight workers whose models each ask for four tools at once put four queries on the
// databases at a time, not thirty-two, and no thread is started per call.
//
// One executor is created with the engine stack (the composition root) and shared by both
// engines: the Claude loop hands it the tool calls of one turn (results still in block order,
// each call writing only its own record), the playbook its calls one at a time.
// Its threads run at background CPU priority (agent/internal/thread_priority.h).
// Thread-safety: RunAll may be called from any number of threads at once. The executor must
// outlive every engine using it; destroying it waits for the jobs already queued.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rh::agent {

class ToolExecutor {
 public:
  // Starts max(1, concurrency) threads.
  explicit ToolExecutor(int concurrency);
  ~ToolExecutor();
  ToolExecutor(const ToolExecutor&) = delete;
  ToolExecutor& operator=(const ToolExecutor&) = delete;

  int concurrency() const { return static_cast<int>(threads_.size()); }
  // Jobs waiting for a thread right now (of all callers).
  size_t queued() const;

  // Runs every job on the executor's threads (in order of submission, at most concurrency() jobs
  // of all callers at once) and returns once all of them have finished. A job that throws does
  // not stop the others; the first exception is rethrown here once all have finished.
  void RunAll(std::vector<std::function<void()>> jobs);

 private:
  struct Batch;
  struct Job {
    std::function<void()> run;
    Batch* batch;
  };

  void ThreadLoop();

  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rh::agent
