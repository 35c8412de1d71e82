// CurlTransport against real sockets on 127.0.0.1: a cpp-httplib server on port 0 for answers,
// a bound-but-not-listening port for a refused connection, and a raw listener that hangs up
// without answering. Also the pure helpers of net/http_transport.h.
#include "net/curl_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rh::net {
namespace {

// A local HTTP server on 127.0.0.1, port 0, with the routes a test installs before Start().
class LocalServer {
 public:
  httplib::Server& server() { return server_; }
  void Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// A loopback socket bound to a free port (port 0) that never listens: connecting is refused,
// and no other test can take the port meanwhile.
class UnlistenedPort {
 public:
  UnlistenedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return;
    }
    socklen_t length = sizeof(address);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~UnlistenedPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

HttpRequest Post(const std::string& url, std::string body) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}, {"X-Trace", "t-1"}};
  request.body = std::move(body);
  request.connect_timeout = std::chrono::seconds(2);
  request.total_timeout = std::chrono::seconds(5);
  return request;
}

TEST(CurlTransportTest, PostReturnsStatusLowerCasedHeadersAndBody) {
  LocalServer local;
  struct Seen {
    std::string method, body, content_type, trace, user_agent;
    bool expect = true;
  } seen;
  local.server().Post("/echo", [&](const httplib::Request& request, httplib::Response& response) {
    seen = {request.method,
            request.body,
            request.get_header_value("Content-Type"),
            request.get_header_value("X-Trace"),
            request.get_header_value("User-Agent"),
            request.has_header("Expect")};
    response.status = 201;
    response.set_header("X-Request-Id", "req_42");
    response.set_header("Retry-After", "  7 ");
    response.set_content("{\"ok\": true}", "application/json");
  });
  local.Start();
  CurlTransport transport;
  auto answer = transport.Send(Post(local.Url("/echo"), "{\"question\": \"why\"}"));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, "{\"ok\": true}");
  EXPECT_EQ(answer->Header("x-request-id"), "req_42");
  EXPECT_EQ(answer->Header("X-Request-ID"), "req_42");  // any case finds it
  EXPECT_EQ(answer->Header("retry-after"), "7");        // trimmed
  EXPECT_EQ(answer->Header("content-type"), "application/json");
  EXPECT_FALSE(answer->Header("x-missing"));
  bool stored_lower_case = false;
  for (const auto& [name, value] : answer->headers) {
    if (name == "x-request-id") stored_lower_case = true;
  }
  EXPECT_TRUE(stored_lower_case);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, "{\"question\": \"why\"}");
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ(seen.trace, "t-1");
  EXPECT_EQ(seen.user_agent, kUserAgent);
  EXPECT_FALSE(seen.expect);
}

TEST(CurlTransportTest, GetSendsTheQueryStringAndNoBody) {
  LocalServer local;
  std::string method, chat_id, text, body, user_agent;
  local.server().Get("/open-apis/im/v1/messages",
                     [&](const httplib::Request& request, httplib::Response& response) {
                       method = request.method;
                       chat_id = request.get_param_value("container_id");
                       text = request.get_param_value("q");
                       body = request.body;
                       user_agent = request.get_header_value("User-Agent");
                       response.set_content("[]", "application/json");
                     });
  local.Start();
  CurlTransport transport;
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = WithQuery(local.Url("/open-apis/im/v1/messages"),
                          {{"container_id", "oc_1a/2b"}, {"q", "disk full & 100%"}});
  request.headers = {{"User-Agent", "lark-poller/1"}};
  request.body = "ignored";
  auto answer = transport.Send(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "[]");
  EXPECT_EQ(method, "GET");
  EXPECT_EQ(chat_id, "oc_1a/2b");
  EXPECT_EQ(text, "disk full & 100%");
  EXPECT_EQ(body, "");
  EXPECT_EQ(user_agent, "lark-poller/1");  // the caller's, not the default
}

TEST(CurlTransportTest, ErrorStatusesAreAnswersAndRedirectsAreNotFollowed) {
  LocalServer local;
  std::atomic<int> target_calls{0};
  local.server().Post("/busy", [](const httplib::Request&, httplib::Response& response) {
    response.status = 503;
    response.set_header("Retry-After", "2");
    response.set_content("overloaded", "text/plain");
  });
  local.server().Post("/moved", [&](const httplib::Request&, httplib::Response& response) {
    response.status = 302;
    response.set_header("Location", "/target");
  });
  local.server().Post("/target",
                      [&](const httplib::Request&, httplib::Response&) { ++target_calls; });
  local.Start();
  CurlTransport transport;
  auto busy = transport.Send(Post(local.Url("/busy"), "{}"));
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->body, "overloaded");
  EXPECT_EQ(busy->Header("retry-after"), "2");
  auto moved = transport.Send(Post(local.Url("/moved"), "{}"));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->status, 302);
  EXPECT_EQ(moved->Header("location"), "/target");
  EXPECT_EQ(target_calls.load(), 0);
}

TEST(CurlTransportTest, ASlowAnswerIsATimeout) {
  LocalServer local;
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  local.server().Post("/slow", [&](const httplib::Request&, httplib::Response& response) {
    std::unique_lock<std::mutex> lock(mutex);
    released_changed.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
    response.set_content("late", "text/plain");
  });
  local.Start();
  CurlTransport transport;
  HttpRequest request = Post(local.Url("/slow"), "{}");
  request.total_timeout = std::chrono::milliseconds(200);
  const auto started = std::chrono::steady_clock::now();
  auto answer = transport.Send(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
  }
  released_changed.notify_all();
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, HttpFailureKind::kTimeout);
  EXPECT_EQ(HttpFailureKindName(answer.error().kind), "timeout");
  EXPECT_NE(answer.error().message.find("timed out"), std::string::npos) << answer.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(CurlTransportTest, ARefusedConnectionIsAConnectionFailure) {
  UnlistenedPort closed;
  ASSERT_GT(closed.port(), 0);
  CurlTransport transport;
  auto answer =
      transport.Send(Post("http://127.0.0.1:" + std::to_string(closed.port()) + "/x", "{}"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, HttpFailureKind::kConnection);
  EXPECT_NE(answer.error().message.find(std::to_string(closed.port())), std::string::npos)
      << answer.error().message;
}

TEST(CurlTransportTest, AServerThatHangsUpIsAConnectionFailure) {
  // A raw listener that accepts one connection, reads the request and closes without a word.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::thread hang_up([listener] {
    const int connection = ::accept(listener, nullptr, nullptr);
    if (connection < 0) return;
    char buffer[4096];
    [[maybe_unused]] const ssize_t read = ::recv(connection, buffer, sizeof(buffer), 0);
    ::close(connection);
  });
  CurlTransport transport;
  auto answer = transport.Send(
      Post("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/x", "{}"));
  hang_up.join();
  ::close(listener);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, HttpFailureKind::kConnection);
  EXPECT_FALSE(answer.error().message.empty());
}

TEST(CurlTransportTest, AnUnusableUrlIsARequestFailure) {
  CurlTransport transport;
  for (const std::string url :
       {"http://[::1", "ftp://127.0.0.1/report.txt", "file:///etc/passwd", "not a url at all"}) {
    auto answer = transport.Send(Post(url, "{}"));
    ASSERT_FALSE(answer) << url;
    EXPECT_EQ(answer.error().kind, HttpFailureKind::kRequest)
        << url << ": " << answer.error().message;
    EXPECT_FALSE(answer.error().message.empty()) << url;
  }
}

TEST(CurlTransportTest, OneTransportServesManyThreadsAtOnce) {
  LocalServer local;
  local.server().Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
    response.set_header("X-Echo", request.get_header_value("X-Trace"));
    response.set_content(request.body, "text/plain");
  });
  local.Start();
  CurlTransport transport;
  constexpr int kThreads = 6;
  constexpr int kCallsPerThread = 5;
  std::atomic<int> matching{0};
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int call_idx = 0; call_idx < kCallsPerThread; ++call_idx) {
        const std::string tag = std::to_string(thread_idx) + "-" + std::to_string(call_idx);
        HttpRequest request = Post(local.Url("/echo"), "body " + tag);
        request.headers = {{"X-Trace", tag}};
        auto answer = transport.Send(request);
        if (answer && answer->status == 200 && answer->body == "body " + tag &&
            answer->Header("x-echo") == tag) {
          ++matching;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(matching.load(), kThreads * kCallsPerThread);
}

TEST(HttpTransportTest, WithQueryPercentEncodesAndAppends) {
  EXPECT_EQ(WithQuery("http://h/p", {}), "http://h/p");
  EXPECT_EQ(WithQuery("http://h/p", {{"a", "1"}, {"b", "x y/z"}}), "http://h/p?a=1&b=x%20y%2Fz");
  EXPECT_EQ(WithQuery("http://h/p?page=2", {{"q", "a&b=c"}}), "http://h/p?page=2&q=a%26b%3Dc");
  EXPECT_EQ(WithQuery("http://h/p?", {{"k", "-._~"}}), "http://h/p?k=-._~");
  EXPECT_EQ(WithQuery("http://h/p", {{"name", "\xE7\x9F\xB3"}}), "http://h/p?name=%E7%9F%B3");
}

TEST(HttpTransportTest, NamesForLogs) {
  EXPECT_EQ(HttpMethodName(HttpMethod::kGet), "GET");
  EXPECT_EQ(HttpMethodName(HttpMethod::kPost), "POST");
  EXPECT_EQ(HttpFailureKindName(HttpFailureKind::kConnection), "connection");
  EXPECT_EQ(HttpFailureKindName(HttpFailureKind::kRequest), "request");
}

}  // namespace
}  // namespace rh::net
