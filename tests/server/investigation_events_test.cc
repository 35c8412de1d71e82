// GET /api/v1/investigations/{id}/events over real sockets, read by libcurl as an SSE client:
// every event of a playbook investigation arrives, in order, live; late subscribers replay the
// stream; Last-Event-ID resumes it; a finished investigation without a live stream still gets
// its final event; unknown ids are 404. SQLite and MariaDB.
#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/internal/sse_stream.h"
#include "service/cycle.h"
#include "service/progress_hub.h"
#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

// A minimal SSE client on libcurl: GETs the stream until the server closes it, decoding events
// as they arrive (the same decoder the model client uses).
class CurlEventReader {
 public:
  CurlEventReader(int port, std::string path, std::string last_event_id = "")
      : url_("http://127.0.0.1:" + std::to_string(port) + path),
        last_event_id_(std::move(last_event_id)),
        decoder_([this](const agent::internal::SseEvent& event) {
          std::lock_guard<std::mutex> lock(mutex_);
          events_.push_back(event);
        }) {}

  // Reads until the server ends the stream (or 60 s pass). Returns the HTTP status.
  long Run() {
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Accept: text/event-stream");
    if (!last_event_id_.empty()) {
      headers = curl_slist_append(headers, ("Last-Event-ID: " + last_event_id_).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CurlEventReader::OnData);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &CurlEventReader::OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    result_ = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    decoder_.Finish();
    return status;
  }
  // Blocks until the first bytes of the body arrived (the subscription is live).
  void WaitConnected() {
    std::unique_lock<std::mutex> lock(mutex_);
    connected_.wait_for(lock, std::chrono::seconds(20), [&] { return !body_.empty(); });
  }
  std::vector<agent::internal::SseEvent> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::string body() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return body_;
  }
  std::string content_type() const { return content_type_; }
  CURLcode result() const { return result_; }

 private:
  static size_t OnData(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<CurlEventReader*>(user);
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->body_.append(data, size * count);
    }
    self->connected_.notify_all();
    self->decoder_.Feed(std::string_view(data, size * count));
    return size * count;
  }
  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    std::string line(data, size * count);
    if (line.rfind("Content-Type:", 0) == 0 || line.rfind("content-type:", 0) == 0) {
      static_cast<CurlEventReader*>(user)->content_type_ = line;
    }
    return size * count;
  }

  std::string url_;
  std::string last_event_id_;
  agent::internal::SseDecoder decoder_;
  mutable std::mutex mutex_;
  std::condition_variable connected_;
  std::vector<agent::internal::SseEvent> events_;
  std::string body_;
  std::string content_type_;
  CURLcode result_ = CURLE_OK;
};

class InvestigationEventsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    config_.agent.engine = EngineKind::kPlaybook;
    config_.agent.workers = 1;
    config_.server.investigate_critical_alerts = false;
    StartServer();
  }
  std::string RequestInvestigation() {
    HttpReply reply = Post("/api/v1/investigations",
                           DumpJson(Json{{"cluster_id", kCriticalCluster},
                                         {"question", "why is it critical?"}}));
    EXPECT_EQ(reply.status, 202) << reply.body;
    return JsonString(reply.json, "task_id");
  }
  void Investigate() {
    std::atomic<bool> stop{false};
    auto worked = service::Cycle(*runtime_).Investigate(1, stop);
    ASSERT_TRUE(worked) << worked.error().ToString();
    EXPECT_EQ(worked->investigated, 1);
  }
};

TEST_P(InvestigationEventsTest, ALibcurlClientReceivesEveryEventOfAnInvestigationInOrder) {
  const std::string task_id = RequestInvestigation();
  ASSERT_FALSE(task_id.empty());
  CurlEventReader live(port_, "/api/v1/investigations/" + task_id + "/events");
  long status = 0;
  std::thread reader([&] { status = live.Run(); });
  live.WaitConnected();  // subscribed before anything happened
  Investigate();
  reader.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(live.result(), CURLE_OK) << "the server ends the stream cleanly after the final event";
  EXPECT_NE(live.content_type().find("text/event-stream"), std::string::npos);

  // What the hub holds is what was sent, every event, in order, ids 1..N.
  const auto hub = runtime_->progress_hub().Wait(task_id, 0, std::chrono::milliseconds(0));
  ASSERT_TRUE(hub.ended);
  const auto received = live.events();
  ASSERT_EQ(received.size(), hub.events.size()) << live.body();
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].id, std::to_string(i + 1));
    EXPECT_EQ(received[i].event, hub.events[i].event);
    EXPECT_EQ(received[i].data, hub.events[i].data);
  }
  // The shape of a playbook run: started, the 8 steps in order each with its tool calls (a
  // start and a finish per call, same call id), the report, the final event with the report.
  ASSERT_GE(received.size(), 2u + 8 + 2 * 8 + 1);
  EXPECT_EQ(received.front().event, "started");
  int step = 0;
  std::string open_call;
  for (const auto& event : received) {
    const Json data = Json::parse(event.data);
    if (event.event == "step") {
      EXPECT_EQ(data["step"], ++step);
      EXPECT_TRUE(open_call.empty());
    } else if (event.event == "tool_started") {
      EXPECT_TRUE(open_call.empty()) << "the playbook calls one tool at a time";
      open_call = data["call_id"].get<std::string>();
      EXPECT_EQ(data["step"], step);
    } else if (event.event == "tool_finished") {
      EXPECT_EQ(data["call_id"], open_call);
      EXPECT_TRUE(data.contains("ok") && data.contains("duration_ms"));
      open_call.clear();
    }
  }
  EXPECT_EQ(step, 8);
  EXPECT_EQ(received[received.size() - 2].event, "report");
  EXPECT_EQ(received.back().event, "final");
  const Json final_data = Json::parse(received.back().data);
  HttpReply task = Get("/api/v1/investigations/" + task_id);
  ASSERT_EQ(task.status, 200);
  EXPECT_EQ(final_data["report_id"], task.json["report_id"]) << task.body;
  EXPECT_EQ(final_data["status"], "done");

  // A late subscriber replays the whole stream; Last-Event-ID resumes after that event.
  CurlEventReader late(port_, "/api/v1/investigations/" + task_id + "/events");
  EXPECT_EQ(late.Run(), 200);
  ASSERT_EQ(late.events().size(), received.size());
  EXPECT_EQ(late.events().back().data, received.back().data);
  const std::string resume_after = std::to_string(received.size() - 3);
  CurlEventReader resumed(port_, "/api/v1/investigations/" + task_id + "/events", resume_after);
  EXPECT_EQ(resumed.Run(), 200);
  ASSERT_EQ(resumed.events().size(), 3u);
  EXPECT_EQ(resumed.events()[0].id, std::to_string(received.size() - 2));
  EXPECT_EQ(resumed.events()[2].event, "final");
}

TEST_P(InvestigationEventsTest, AFinishedInvestigationWithoutALiveStreamAnswersItsFinalEvent) {
  const std::string task_id = RequestInvestigation();
  Investigate();
  HttpReply task = Get("/api/v1/investigations/" + task_id);
  ASSERT_EQ(JsonString(task.json, "status"), "done") << task.body;
  StartServer();  // a restarted server: its hub has never heard of the task
  CurlEventReader reader(port_, "/api/v1/investigations/" + task_id + "/events");
  EXPECT_EQ(reader.Run(), 200);
  ASSERT_EQ(reader.events().size(), 1u) << reader.body();
  EXPECT_EQ(reader.events()[0].event, "final");
  EXPECT_EQ(Json::parse(reader.events()[0].data)["report_id"], task.json["report_id"]);
}

TEST_P(InvestigationEventsTest, UnknownTasksAndBadLastEventIdsAreRefused) {
  HttpReply unknown = Get("/api/v1/investigations/tsk_nope/events");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  const std::string task_id = RequestInvestigation();
  HttpReply bad = Get("/api/v1/investigations/" + task_id + "/events", {{"Last-Event-ID", "x1"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(ErrorMessageOf(bad).find("Last-Event-ID"), std::string::npos) << bad.body;
}

TEST_P(InvestigationEventsTest, StreamsAreCappedAndAStreamEndsWhenItsClientGoesAway) {
  config_.server.threads = 2;  // one event stream at a time
  StartServer();
  const std::string task_id = RequestInvestigation();  // queued: no event will come
  const std::string request = "GET /api/v1/investigations/" + task_id +
                              "/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                              "\r\n\r\n";
  auto status_of_another = [&] {
    RawHttpConnection other(port_);
    other.Send(request);
    return other.ReadResponse(std::chrono::milliseconds(500)).status;
  };
  {
    RawHttpConnection first(port_);
    ASSERT_TRUE(first.Send(request));
    RawHttpResponse open = first.ReadResponse(std::chrono::milliseconds(500));
    EXPECT_EQ(open.status, 200);
    EXPECT_EQ(status_of_another(), 503) << "the only stream slot is taken";
  }  // the first client goes away
  // Its handler notices within its one-second check and frees the slot.
  int status = 503;
  for (int attempt = 0; attempt < 20 && status == 503; ++attempt) {
    status = status_of_another();
    if (status == 503) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(status, 200);
}

// An idle stream sends a ": heartbeat" comment every HttpServerTimings::event_heartbeat (15 s by
// default; 100 ms here): a queued investigation has no events, so only heartbeats arrive.
TEST_P(InvestigationEventsTest, AnIdleStreamSendsAHeartbeatCommentEveryInterval) {
  EXPECT_EQ(server::HttpServerTimings{}.event_heartbeat, std::chrono::seconds(15));
  timings_.event_heartbeat = std::chrono::milliseconds(100);
  StartServer();
  const std::string task_id = RequestInvestigation();  // queued: no event will come
  ASSERT_FALSE(task_id.empty());
  RawHttpConnection stream(port_);
  ASSERT_TRUE(stream.Send("GET /api/v1/investigations/" + task_id +
                          "/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                          "\r\nAccept: text/event-stream\r\n\r\n"));
  // A generous bound: three heartbeats are due after 300 ms; without heartbeats none comes.
  const std::string beat = ": heartbeat\n\n";
  ASSERT_TRUE(stream.ReadUntil(beat, std::chrono::seconds(20), 3)) << stream.pending();
  const std::string& read = stream.pending();
  EXPECT_TRUE(read.starts_with("HTTP/1.1 200")) << read;
  EXPECT_NE(read.find("text/event-stream"), std::string::npos) << read;
  EXPECT_LT(read.find("retry: 1000"), read.find(beat)) << read;
  EXPECT_EQ(read.find("event:"), std::string::npos) << "an idle stream has no events: " << read;
}

INSTANTIATE_TEST_SUITE_P(Backends, InvestigationEventsTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
