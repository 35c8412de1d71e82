// Test helpers for concurrency bounds: a probe that holds everyone who enters until released
// and remembers how many were inside at once, a tool built on it, and a bounded poll.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/json.h"
#include "tools/tool.h"

namespace rh::agent::concurrency_test {

// Polls `done` (1 ms apart, at most about a minute) until it holds; a failure when it never does.
// For waiting on a state another thread reaches, never for measuring time.
inline void WaitUntil(const std::function<bool()>& done) {
  for (int poll = 0; poll < 60000; ++poll) {
    if (done()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ADD_FAILURE() << "the awaited state was never reached";
}

class ConcurrencyProbe {
 public:
  // Counts the caller in, blocks until Release(), counts it out.
  void Enter() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++inside_;
    ++entered_;
    max_inside_ = std::max(max_inside_, inside_);
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
    --inside_;
    changed_.notify_all();
  }
  // Blocks until at least `count` callers are inside at once.
  void WaitUntilInside(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return inside_ >= count; });
  }
  // Lets everyone inside, and everyone who comes later, through.
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int inside() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return inside_;
  }
  int max_inside() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_inside_;
  }
  int entered() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entered_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int inside_ = 0;
  int max_inside_ = 0;
  int entered_ = 0;
  bool released_ = false;
};

// A tool `probe` that enters the probe and answers "<label> done".
class ProbeTool final : public tools::Tool {
 public:
  explicit ProbeTool(ConcurrencyProbe& probe) : probe_(probe) {}
  std::string_view name() const override { return "probe"; }
  std::string_view description() const override { return "Blocks until the test releases it."; }
  const Json& input_schema() const override { return schema_; }
  tools::ToolResult Run(const Json& input) override {
    probe_.Enter();
    return {input.value("label", std::string("?")) + " done", false};
  }

 private:
  ConcurrencyProbe& probe_;
  const Json schema_ = Json::parse(
      R"({"type": "object", "properties": {"label": {"type": "string", "maxLength": 40}}})");
};

}  // namespace rh::agent::concurrency_test
