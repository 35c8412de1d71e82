#include "core/metrics.h"

#include <thread>

#include <gtest/gtest.h>

namespace rh {
namespace {

TEST(MetricsTest, PrometheusTextFormat) {
  MetricsRegistry registry;
  registry.Counter("rockhound_tasks_total", "Tasks created", {{"source", "sentinel"}}).Add(3);
  registry.Counter("rockhound_tasks_total", "Tasks created", {{"source", "adhoc"}}).Add();
  registry.Gauge("rockhound_queue_depth", "Queued tasks").Set(7);
  auto& hist = registry.Histogram("rockhound_tool_seconds", "Tool latency", {{"tool", "a\"b"}},
                                  {0.01, 0.1});
  hist.Observe(0.005);
  hist.Observe(0.05);
  hist.Observe(5);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE rockhound_tasks_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("rockhound_tasks_total{source=\"sentinel\"} 3"), std::string::npos);
  EXPECT_NE(text.find("rockhound_tasks_total{source=\"adhoc\"} 1"), std::string::npos);
  EXPECT_NE(text.find("rockhound_queue_depth 7"), std::string::npos);
  EXPECT_NE(text.find("rockhound_tool_seconds_bucket{tool=\"a\\\"b\",le=\"0.01\"} 1"), std::string::npos);
  EXPECT_NE(text.find("rockhound_tool_seconds_bucket{tool=\"a\\\"b\",le=\"0.1\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("rockhound_tool_seconds_count{tool=\"a\\\"b\"} 3"), std::string::npos);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&] {
      for (int add_idx = 0; add_idx < 1000; ++add_idx) {
        registry.Counter("c", "c").Add();
        registry.Histogram("h", "h", {}, {1.0}).Observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(registry.Counter("c", "c").value(), 4000);
  EXPECT_EQ(registry.Histogram("h", "h", {}, {1.0}).count(), 4000u);
}

}  // namespace
}  // namespace rh
