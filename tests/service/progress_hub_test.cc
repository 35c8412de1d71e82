// ProgressHub: the per-investigation event streams behind GET .../events — order, replay from
// the start, resuming after an id, the bounds (events per stream, streams, time after the end),
// waking a waiting reader, and the event names and payloads of the engines' progress.
#include "service/progress_hub.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/time_format.h"

namespace rh::service {
namespace {

using std::chrono::milliseconds;

class ProgressHubTest : public ::testing::Test {
 protected:
  ManualClock clock_{MakeUtcTime(2026, 11, 21, 10)};
};

std::vector<long long> Ids(const ProgressHub::Batch& batch) {
  std::vector<long long> ids;
  for (const ProgressMessage& message : batch.events) ids.push_back(message.id);
  return ids;
}

TEST_F(ProgressHubTest, EventsKeepTheirOrderReplayFromTheStartAndResumeAfterAnId) {
  ProgressHub hub(clock_);
  EXPECT_EQ(hub.Publish("tsk_a", "started", Json{{"task_id", "tsk_a"}}), 1);
  EXPECT_EQ(hub.Publish("tsk_b", "started", Json::object()), 1);  // streams count apart
  EXPECT_EQ(hub.Publish("tsk_a", "step", Json{{"step", 1}}), 2);
  EXPECT_EQ(hub.Publish("tsk_a", "tool_started", Json{{"tool", "query_cluster_info"}}), 3);

  const auto all = hub.Wait("tsk_a", 0, milliseconds(0));
  EXPECT_TRUE(all.known);
  EXPECT_FALSE(all.ended);
  EXPECT_EQ(all.missed, 0);
  EXPECT_EQ(Ids(all), (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(all.events[1].event, "step");
  EXPECT_EQ(all.events[1].data, "{\"step\":1}");

  EXPECT_EQ(Ids(hub.Wait("tsk_a", 2, milliseconds(0))), (std::vector<long long>{3}));
  EXPECT_TRUE(hub.Wait("tsk_a", 3, milliseconds(0)).events.empty());
  EXPECT_FALSE(hub.Wait("tsk_unknown", 0, milliseconds(0)).known);

  hub.Publish("tsk_a", "final", Json{{"report_id", "rpt_1"}});
  const auto ended = hub.Wait("tsk_a", 3, milliseconds(0));
  EXPECT_TRUE(ended.ended);
  ASSERT_EQ(ended.events.size(), 1u);
  EXPECT_EQ(ended.events[0].event, "final");
  // A reader that saw the final event is told the stream ended without waiting.
  EXPECT_TRUE(hub.Wait("tsk_a", 4, milliseconds(60000)).ended);
}

TEST_F(ProgressHubTest, AStreamKeepsItsNewestEventsAndTellsAReaderWhatItMissed) {
  ProgressHub hub(clock_, {.max_events = 3});
  for (int i = 1; i <= 5; ++i) hub.Publish("tsk_a", "text", Json{{"i", i}});
  const auto from_start = hub.Wait("tsk_a", 0, milliseconds(0));
  EXPECT_EQ(from_start.missed, 2);
  EXPECT_EQ(Ids(from_start), (std::vector<long long>{3, 4, 5}));
  const auto resumed = hub.Wait("tsk_a", 3, milliseconds(0));
  EXPECT_EQ(resumed.missed, 0);
  EXPECT_EQ(Ids(resumed), (std::vector<long long>{4, 5}));
}

TEST_F(ProgressHubTest, AnEndedStreamIsDroppedAfterKeepAfterEndAndStreamsAreCapped) {
  ProgressHub hub(clock_, {.max_events = 100, .keep_after_end = std::chrono::minutes(10),
                           .max_streams = 2});
  hub.Publish("tsk_done", "final", Json::object());
  hub.Publish("tsk_running", "started", Json::object());
  clock_.Advance(std::chrono::minutes(9));
  EXPECT_EQ(hub.streams(), 2u);
  EXPECT_TRUE(hub.Wait("tsk_done", 0, milliseconds(0)).known);
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(hub.streams(), 1u) << "ten minutes after its end the stream is gone";
  EXPECT_FALSE(hub.Wait("tsk_done", 0, milliseconds(0)).known);
  EXPECT_TRUE(hub.Wait("tsk_running", 0, milliseconds(0)).known) << "a running one stays";

  // Over max_streams: an ended stream goes first, else the oldest.
  hub.Publish("tsk_second", "started", Json::object());
  hub.Publish("tsk_second", "failed", Json::object());
  hub.Publish("tsk_third", "started", Json::object());
  EXPECT_EQ(hub.streams(), 2u);
  EXPECT_FALSE(hub.Wait("tsk_second", 0, milliseconds(0)).known);
  clock_.Advance(std::chrono::seconds(1));
  hub.Publish("tsk_fourth", "started", Json::object());
  EXPECT_FALSE(hub.Wait("tsk_running", 0, milliseconds(0)).known) << "the oldest went";
  EXPECT_TRUE(hub.Wait("tsk_third", 0, milliseconds(0)).known);
  EXPECT_TRUE(hub.Wait("tsk_fourth", 0, milliseconds(0)).known);
}

TEST_F(ProgressHubTest, AWaitingReaderWakesOnPublishAndConcurrentPublishersLoseNothing) {
  ProgressHub hub(clock_);
  hub.Publish("tsk_a", "started", Json::object());
  std::thread publisher([&] {
    std::this_thread::sleep_for(milliseconds(50));
    hub.Publish("tsk_a", "step", Json{{"step", 1}});
  });
  const auto woken = hub.Wait("tsk_a", 1, milliseconds(30000));
  publisher.join();
  EXPECT_EQ(Ids(woken), (std::vector<long long>{2}));

  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&hub, w] {
      for (int i = 0; i < 250; ++i) hub.Publish("tsk_b", "text", Json{{"w", w}, {"i", i}});
    });
  }
  for (std::thread& writer : writers) writer.join();
  const auto all = hub.Wait("tsk_b", 0, milliseconds(0));
  ASSERT_EQ(all.events.size(), 1000u);
  std::vector<int> next(4, 0);
  for (size_t i = 0; i < all.events.size(); ++i) {
    EXPECT_EQ(all.events[i].id, static_cast<long long>(i + 1));
    const Json data = Json::parse(all.events[i].data);
    const int w = data["w"].get<int>();
    EXPECT_EQ(data["i"], next[w]++) << "each writer's events stay in its order";
  }
}

TEST(ProgressEventJsonTest, EachEngineEventHasItsNameAndFields) {
  agent::ProgressEvent tool;
  tool.step = 3;
  tool.what = "tool done";
  tool.detail = "query_cluster_metrics";
  tool.call_id = "call_3";
  tool.ok = false;
  tool.duration_ms = 42;
  tool.elapsed_ms = 900;
  auto [name, data] = ProgressEventJson(tool);
  EXPECT_EQ(name, "tool_finished");
  EXPECT_EQ(data, (Json{{"step", 3}, {"elapsed_ms", 900}, {"tool", "query_cluster_metrics"},
                        {"call_id", "call_3"}, {"ok", false}, {"duration_ms", 42}}));
  agent::ProgressEvent text;
  text.what = "text";
  text.text = "Checking";
  EXPECT_EQ(ProgressEventJson(text).first, "text");
  EXPECT_EQ(ProgressEventJson(text).second["text"], "Checking");
  agent::ProgressEvent turn;
  turn.what = "model turn";
  EXPECT_EQ(ProgressEventJson(turn).first, "model_turn");
  agent::ProgressEvent tokens;
  tokens.what = "tokens";
  tokens.tokens = 1234;
  EXPECT_EQ(ProgressEventJson(tokens).second["tokens"], 1234);
  EXPECT_TRUE(IsFinalEvent("final") && IsFinalEvent("failed"));
  EXPECT_FALSE(IsFinalEvent("retrying"));
}

}  // namespace
}  // namespace rh::service
