// ToolExecutor on its own: at most `concurrency` jobs of all callers run at once (observed by a
// blocking probe while every job of several callers is queued), every job runs, each caller
// gets its own results back in its own order, and an exception goes back to its caller without
// stopping the other jobs or the executor. The Claude loop's use of it (many investigations,
// one bound, results in block order) is in claude_engine_test.cc.
#include "agent/tool_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "agent/internal/thread_priority.h"
#include "tests/agent/concurrency_probe.h"

namespace rh::agent {
namespace {

TEST(ToolExecutorTest, AtMostConcurrencyJobsOfAllCallersRunAtOnce) {
  constexpr int kBound = 3;
  constexpr int kCallers = 5;
  constexpr int kJobsPerCaller = 4;
  ToolExecutor executor(kBound);
  EXPECT_EQ(executor.concurrency(), kBound);
  concurrency_test::ConcurrencyProbe probe;
  std::vector<std::vector<int>> results(kCallers, std::vector<int>(kJobsPerCaller, -1));
  std::vector<std::thread> callers;
  for (int caller_idx = 0; caller_idx < kCallers; ++caller_idx) {
    callers.emplace_back([&, caller_idx] {
      std::vector<std::function<void()>> jobs;
      for (int job_idx = 0; job_idx < kJobsPerCaller; ++job_idx) {
        jobs.push_back([&, caller_idx, job_idx] {
          probe.Enter();
          results[caller_idx][job_idx] = caller_idx * 100 + job_idx;
        });
      }
      executor.RunAll(std::move(jobs));
    });
  }
  // Every job is either running (held by the probe) or queued before anything is let go.
  probe.WaitUntilInside(kBound);
  concurrency_test::WaitUntil(
      [&] { return executor.queued() == size_t(kCallers * kJobsPerCaller - kBound); });
  EXPECT_EQ(probe.inside(), kBound);
  probe.Release();
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(probe.max_inside(), kBound);
  EXPECT_EQ(probe.entered(), kCallers * kJobsPerCaller);
  for (int caller_idx = 0; caller_idx < kCallers; ++caller_idx) {
    for (int job_idx = 0; job_idx < kJobsPerCaller; ++job_idx) {
      EXPECT_EQ(results[caller_idx][job_idx], caller_idx * 100 + job_idx);
    }
  }
  EXPECT_EQ(executor.queued(), 0u);
}

TEST(ToolExecutorTest, AnExceptionGoesBackToItsCallerAfterTheOtherJobsRan) {
  ToolExecutor executor(2);
  std::atomic<int> ran{0};
  std::vector<std::function<void()>> jobs = {
      [&] { ++ran; }, [] { throw std::runtime_error("tool exploded"); }, [&] { ++ran; },
      [] { throw std::logic_error("second"); }, [&] { ++ran; }};
  try {
    executor.RunAll(std::move(jobs));
    ADD_FAILURE() << "RunAll did not rethrow";
  } catch (const std::exception& error) {
    EXPECT_TRUE(std::string(error.what()) == "tool exploded" ||
                std::string(error.what()) == "second")
        << error.what();
  }
  EXPECT_EQ(ran.load(), 3);
  // The executor's threads survived.
  int after = 0;
  executor.RunAll({[&] { after = 1; }});
  EXPECT_EQ(after, 1);
  executor.RunAll({});
}

// Tool calls run at background priority so the API's threads come first; the caller's own
// priority is left alone.
TEST(ToolExecutorTest, JobsRunAtBackgroundPriority) {
  const int caller_nice = ThisThreadNice();
  ToolExecutor executor(2);
  std::atomic<int> job_nice{-100};
  executor.RunAll({[&] { job_nice = ThisThreadNice(); }});
  EXPECT_GE(job_nice.load(), kBackgroundNice);
  EXPECT_EQ(ThisThreadNice(), caller_nice);
}

TEST(ToolExecutorTest, AtLeastOneThread) {
  ToolExecutor executor(0);
  EXPECT_EQ(executor.concurrency(), 1);
  int ran = 0;
  executor.RunAll({[&] { ++ran; }, [&] { ++ran; }});
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace rh::agent
