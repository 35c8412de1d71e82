// The HTTP core (server/internal/http_listener.h) under well-behaved and hostile clients, over
// real sockets on 127.0.0.1 port 0, with an echoing handler: keep-alive and HTTP/1.0 close
// semantics, pipelining, HEAD, Expect: 100-continue, chunked bodies, the size limits (413, 431),
// malformed requests (400, 501, 505), the header, body and idle deadlines, the connection caps
// (503, never a hang), 1,000 concurrent connects, and that neither a slow sender nor a slow
// reader holds a handler thread.
#include "server/internal/http_listener.h"

#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/server/raw_http.h"

namespace rh::testing {
namespace {

using server::internal::HttpListener;
using server::internal::HttpListenerOptions;
using server::internal::HttpRefusal;
using server::internal::HttpRequest;
using server::internal::HttpResponse;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

// What the kernel allows the listening socket on 127.0.0.1:port to queue (what `ss -lt` shows
// as Send-Q), read through NETLINK_SOCK_DIAG; -1 when it cannot be read.
int ListenBacklogOf(int port) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1u << 10;  // TCP_LISTEN
  int backlog = -1;
  if (send(fd, &message, sizeof(message), 0) == static_cast<ssize_t>(sizeof(message))) {
    alignas(nlmsghdr) char buffer[65536];
    bool done = false;
    while (!done) {
      ssize_t received = recv(fd, buffer, sizeof(buffer), 0);
      if (received <= 0) break;
      for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, received);
           header = NLMSG_NEXT(header, received)) {
        if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR) {
          done = true;
          break;
        }
        const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
        if (ntohs(diag->id.idiag_sport) == port) backlog = static_cast<int>(diag->idiag_wqueue);
      }
    }
  }
  close(fd);
  return backlog;
}

std::string Get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

std::string Post(const std::string& target, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

double MillisecondsSince(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

class HttpListenerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    release_slow_ = true;
    if (listener_) listener_->Stop();
  }

  static HttpListenerOptions Options() {
    HttpListenerOptions options;
    options.port = 0;
    options.handler_threads = 4;
    options.header_timeout = milliseconds(800);
    options.body_timeout = milliseconds(800);
    options.idle_timeout = milliseconds(800);
    options.write_timeout = milliseconds(800);
    options.max_body_bytes = 64 * 1024;
    return options;
  }

  // The handler echoes the request: "<method> <path>\n", "<key>=<value>\n" per query parameter,
  // "body=<body>". /slow waits until released (or 5 s), /big answers 16 MiB, /throw throws.
  void Start(HttpListenerOptions options = Options()) {
    listener_ = std::make_unique<HttpListener>(
        options,
        [this](const HttpRequest& request) {
          ++handled_;
          HttpResponse response;
          response.content_type = "text/plain";
          if (request.path == "/slow") {
            ++slow_started_;
            const auto until = Steady::now() + std::chrono::seconds(5);
            while (!release_slow_ && Steady::now() < until) {
              std::this_thread::sleep_for(milliseconds(5));
            }
          } else if (request.path == "/big") {
            response.body.assign(16 << 20, 'x');
            return response;
          } else if (request.path == "/throw") {
            throw std::runtime_error("handler bug");
          }
          response.body = request.method + " " + request.path + "\n";
          for (const auto& [key, value] : request.query) response.body += key + "=" + value + "\n";
          response.body += "body=" + request.body;
          return response;
        },
        [this](const HttpRefusal& refusal) {
          {
            std::lock_guard<std::mutex> lock(refusals_mutex_);
            refusals_.push_back(refusal);
          }
          HttpResponse response;
          response.content_type = "text/plain";
          response.body = refusal.message;
          return response;
        });
    auto port = listener_->Start();
    ASSERT_TRUE(port) << port.error().ToString();
    port_ = *port;
  }

  // One request on a fresh connection; the response, and whether the server then closed it.
  RawHttpResponse Exchange(const std::string& request, bool* closed = nullptr) {
    RawHttpConnection connection(port_);
    EXPECT_TRUE(connection.ok());
    EXPECT_TRUE(connection.Send(request));
    RawHttpResponse response = connection.ReadResponse();
    if (closed) *closed = connection.WaitClosed(milliseconds(2000));
    return response;
  }

  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
  std::atomic<int> handled_{0};
  std::atomic<int> slow_started_{0};
  std::atomic<bool> release_slow_{false};
  std::mutex refusals_mutex_;
  std::vector<HttpRefusal> refusals_;
};

TEST_F(HttpListenerTest, KeepAliveServesSuccessiveRequestsOnOneConnection) {
  Start();
  RawHttpConnection connection(port_);
  for (int request_idx = 0; request_idx < 5; ++request_idx) {
    ASSERT_TRUE(connection.Send(Get("/n/" + std::to_string(request_idx))));
    RawHttpResponse response = connection.ReadResponse();
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "GET /n/" + std::to_string(request_idx) + "\nbody=");
    EXPECT_EQ(response.Header("connection"), "");
  }
  ASSERT_TRUE(connection.Send(Post("/echo", R"({"a":1})")));
  EXPECT_EQ(connection.ReadResponse().body, "POST /echo\nbody={\"a\":1}");
  EXPECT_EQ(listener_->stats().accepted, 1);
}

TEST_F(HttpListenerTest, Http10ClosesUnlessAskedToKeepAlive) {
  Start();
  bool closed = false;
  RawHttpResponse plain = Exchange("GET /old HTTP/1.0\r\n\r\n", &closed);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("connection"), "close");
  EXPECT_TRUE(closed);

  RawHttpConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  RawHttpResponse first = connection.ReadResponse();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("connection"), "keep-alive");
  ASSERT_TRUE(connection.Send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(connection.ReadResponse().body, "GET /b\nbody=");

  RawHttpResponse closing = Exchange(Get("/c", "Connection: close\r\n"), &closed);
  EXPECT_EQ(closing.status, 200);
  EXPECT_EQ(closing.Header("connection"), "close");
  EXPECT_TRUE(closed);
}

TEST_F(HttpListenerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  RawHttpConnection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/one") + Post("/two", "2") + Get("/three")));
  EXPECT_EQ(connection.ReadResponse().body, "GET /one\nbody=");
  EXPECT_EQ(connection.ReadResponse().body, "POST /two\nbody=2");
  EXPECT_EQ(connection.ReadResponse().body, "GET /three\nbody=");
}

TEST_F(HttpListenerTest, PathAndQueryArePercentDecodedInOrder) {
  Start();
  RawHttpResponse response =
      Exchange(Get("/a%20b/c%2Fd+e?x=1&x=2&y=hello+world&z=%2Fq%3D&flag&=v&bad=%zz"));
  EXPECT_EQ(response.body,
            "GET /a b/c/d+e\nx=1\nx=2\ny=hello world\nz=/q=\nflag=\n=v\nbad=%zz\nbody=");
  // absolute-form targets are accepted; their path is used.
  EXPECT_EQ(Exchange("GET http://127.0.0.1/abs?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").body,
            "GET /abs\nq=1\nbody=");
}

TEST_F(HttpListenerTest, HeadSendsTheLengthButNoBody) {
  Start();
  RawHttpConnection connection(port_);
  ASSERT_TRUE(connection.Send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawHttpResponse head = connection.ReadResponse(std::chrono::seconds(5), /*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(std::string("HEAD /h\nbody=").size()));
  // The next response on the connection starts right after the head: no body bytes in between.
  ASSERT_TRUE(connection.Send(Get("/next")));
  EXPECT_EQ(connection.ReadResponse().body, "GET /next\nbody=");
}

TEST_F(HttpListenerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start();
  RawHttpConnection connection(port_);
  ASSERT_TRUE(connection.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  RawHttpResponse interim = connection.ReadResponse(milliseconds(2000));
  EXPECT_EQ(interim.status, 100);
  EXPECT_EQ(handled_.load(), 0);
  ASSERT_TRUE(connection.Send("hello"));
  RawHttpResponse final_response = connection.ReadResponse();
  EXPECT_EQ(final_response.status, 200);
  EXPECT_EQ(final_response.body, "POST /upload\nbody=hello");

  // A declared body over the limit is refused at once, without inviting it.
  RawHttpConnection refused(port_);
  ASSERT_TRUE(
      refused.Send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: "
                   "100-continue\r\n\r\n"));
  EXPECT_EQ(refused.ReadResponse(milliseconds(2000)).status, 413);
  EXPECT_TRUE(refused.WaitClosed(milliseconds(2000)));

  // Other expectations are refused.
  EXPECT_EQ(
      Exchange("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: magic\r\n\r\nx").status,
      417);
}

TEST_F(HttpListenerTest, ChunkedBodiesAreDecodedAndLimited) {
  Start();
  RawHttpResponse response = Exchange(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nTrailer: yes\r\n\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "POST /c\nbody=hello world");

  std::string big = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int chunk_idx = 0; chunk_idx < 20; ++chunk_idx)
    big += "1000\r\n" + std::string(4096, 'y') + "\r\n";
  big += "0\r\n\r\n";
  bool closed = false;
  EXPECT_EQ(Exchange(big, &closed).status, 413);
  EXPECT_TRUE(closed);
  EXPECT_EQ(
      Exchange("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").status,
      501);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(HttpListenerTest, DeclaredBodyOverTheLimitIs413BeforeTheBodyIsSent) {
  Start();
  RawHttpConnection connection(port_);
  const auto start = Steady::now();
  ASSERT_TRUE(connection.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n"));
  RawHttpResponse response = connection.ReadResponse(milliseconds(2000));
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("server.max_body_bytes"), std::string::npos) << response.body;
  EXPECT_EQ(response.Header("connection"), "close");
  EXPECT_LT(MillisecondsSince(start), 500);
  EXPECT_TRUE(connection.WaitClosed(milliseconds(2000)));
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpListenerTest, OversizedHeadIs431) {
  Start();
  bool closed = false;
  RawHttpResponse response =
      Exchange(Get("/", "X-Big: " + std::string(20 * 1024, 'a') + "\r\n"), &closed);
  EXPECT_EQ(response.status, 431);
  EXPECT_TRUE(closed);
  std::string many;
  for (int header_idx = 0; header_idx < 150; ++header_idx) {
    many += "X-H" + std::to_string(header_idx) + ": v\r\n";
  }
  EXPECT_EQ(Exchange(Get("/", many)).status, 431);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpListenerTest, MalformedRequestsAreRefusedAndClosed) {
  Start();
  struct Case {
    std::string request;
    int status;
  };
  const std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"GET / FTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},                        // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
      {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},  // obs-fold
      {"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\001b\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
  };
  for (const Case& test_case : cases) {
    bool closed = false;
    RawHttpResponse response = Exchange(test_case.request, &closed);
    EXPECT_EQ(response.status, test_case.status) << test_case.request;
    EXPECT_FALSE(response.body.empty()) << test_case.request;
    EXPECT_TRUE(closed) << test_case.request;
  }
  EXPECT_EQ(handled_.load(), 0);
  // Empty lines before a request are ignored (RFC 9112 section 2.2).
  EXPECT_EQ(Exchange("\r\n\r\n" + Get("/ok")).status, 200);
}

TEST_F(HttpListenerTest, HeaderDeadlineClosesASlowHead) {
  Start();
  RawHttpConnection connection(port_);
  const auto start = Steady::now();
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\n"));
  // A header line every 200 ms: each arrives well within any per-read timeout, never finishing.
  bool closed = false;
  for (int line_idx = 0; line_idx < 20 && !closed; ++line_idx) {
    closed = connection.WaitClosed(milliseconds(200));
    if (!closed) connection.Send("X-Slow-" + std::to_string(line_idx) + ": 1\r\n");
  }
  EXPECT_TRUE(closed);
  const double elapsed = MillisecondsSince(start);
  EXPECT_GE(elapsed, 700);
  EXPECT_LT(elapsed, 1800);
  EXPECT_TRUE(connection.pending().starts_with("HTTP/1.1 408 ")) << connection.pending();
  EXPECT_NE(connection.pending().find("server.header_timeout"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(listener_->stats().timed_out, 1);
}

TEST_F(HttpListenerTest, BodyDeadlineClosesASlowBody) {
  Start();
  RawHttpConnection connection(port_);
  const auto start = Steady::now();
  ASSERT_TRUE(connection.Send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123"));
  bool closed = false;
  for (int byte_idx = 0; byte_idx < 20 && !closed; ++byte_idx) {
    closed = connection.WaitClosed(milliseconds(150));
    if (!closed) connection.Send("x");
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(MillisecondsSince(start), 1800);
  EXPECT_TRUE(connection.pending().starts_with("HTTP/1.1 408 ")) << connection.pending();
  EXPECT_NE(connection.pending().find("server.body_timeout"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpListenerTest, IdleKeepAliveConnectionsAreClosed) {
  HttpListenerOptions options = Options();
  options.idle_timeout = milliseconds(300);
  Start(options);
  RawHttpConnection used(port_);
  ASSERT_TRUE(used.Send(Get("/")));
  EXPECT_EQ(used.ReadResponse().status, 200);
  RawHttpConnection silent(port_);  // connects and never sends a byte
  const auto start = Steady::now();
  EXPECT_TRUE(used.WaitClosed(milliseconds(1500)));
  EXPECT_TRUE(silent.WaitClosed(milliseconds(1500)));
  EXPECT_LT(MillisecondsSince(start), 1200);
  EXPECT_TRUE(used.pending().empty());  // an idle close says nothing
  EXPECT_EQ(listener_->stats().open, 0);
}

TEST_F(HttpListenerTest, PerClientCapAnswers503AndCloses) {
  HttpListenerOptions options = Options();
  options.max_connections_per_client = 3;
  options.idle_timeout = std::chrono::seconds(10);
  Start(options);
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int connection_idx = 0; connection_idx < 3; ++connection_idx) {
    open.push_back(std::make_unique<RawHttpConnection>(port_));
    ASSERT_TRUE(open.back()->Send(Get("/")));
    ASSERT_EQ(open.back()->ReadResponse().status, 200);
  }
  // The fourth sends its request at once; the refusal still reaches it (no reset), then EOF.
  RawHttpConnection fourth(port_);
  ASSERT_TRUE(fourth.Send(Post("/x", std::string(2000, 'z'))));
  const auto start = Steady::now();
  RawHttpResponse refused = fourth.ReadResponse(milliseconds(2000));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_NE(refused.body.find("server.max_connections_per_client (3)"), std::string::npos);
  EXPECT_TRUE(fourth.WaitClosed(milliseconds(2000)));
  EXPECT_LT(MillisecondsSince(start), 1500);
  // Another address is not affected; a closed connection frees its place.
  RawHttpConnection other(port_, "127.0.0.2");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other.Send(Get("/")));
  EXPECT_EQ(other.ReadResponse().status, 200);
  open.pop_back();
  std::this_thread::sleep_for(milliseconds(100));
  RawHttpConnection again(port_);
  ASSERT_TRUE(again.Send(Get("/")));
  EXPECT_EQ(again.ReadResponse().status, 200);
  EXPECT_EQ(listener_->stats().refused_over_cap, 1);
}

TEST_F(HttpListenerTest, TotalCapAnswers503AndCloses) {
  HttpListenerOptions options = Options();
  options.max_connections = 3;
  options.max_connections_per_client = 3;
  options.idle_timeout = std::chrono::seconds(10);
  Start(options);
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (const char* source : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
    open.push_back(std::make_unique<RawHttpConnection>(port_, source));
    ASSERT_TRUE(open.back()->Send(Get("/")));
    ASSERT_EQ(open.back()->ReadResponse().status, 200);
  }
  RawHttpConnection fourth(port_, "127.0.0.4");
  RawHttpResponse refused = fourth.ReadResponse(milliseconds(2000));
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("server.max_connections (3)"), std::string::npos) << refused.body;
  EXPECT_TRUE(fourth.WaitClosed(milliseconds(2000)));
  EXPECT_EQ(listener_->stats().open, 3);
}

TEST_F(HttpListenerTest, AThousandConcurrentConnectsAreAllServed) {
  HttpListenerOptions options = Options();
  options.max_connections = 2000;
  options.max_connections_per_client = 2000;
  options.header_timeout = std::chrono::seconds(20);
  options.idle_timeout = std::chrono::seconds(20);
  Start(options);
  EXPECT_GE(ListenBacklogOf(port_), 1024);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  ASSERT_GE(files.rlim_cur, 2100u) << "the listener raises the soft limit to the hard limit";

  constexpr int kConnections = 1000;
  std::vector<int> sockets;
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  // Every connect is issued before any is answered.
  for (int connection_idx = 0; connection_idx < kConnections; ++connection_idx) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    const int result = connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof(server));
    ASSERT_TRUE(result == 0 || errno == EINPROGRESS) << std::strerror(errno);
    sockets.push_back(fd);
  }
  int failed = 0;
  int served = 0;
  const std::string request = Get("/c");
  for (int fd : sockets) {
    pollfd writable{fd, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof(error);
    if (poll(&writable, 1, 10000) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0 ||
        send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
      ++failed;
    }
  }
  for (int fd : sockets) {
    std::string received;
    char buffer[4096];
    const auto deadline = Steady::now() + std::chrono::seconds(10);
    while (received.find("body=") == std::string::npos && Steady::now() < deadline) {
      pollfd readable{fd, POLLIN, 0};
      if (poll(&readable, 1, 1000) != 1) continue;
      const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
      if (got <= 0) break;
      received.append(buffer, static_cast<size_t>(got));
    }
    if (received.starts_with("HTTP/1.1 200 ")) ++served;
    close(fd);
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(served, kConnections);
  EXPECT_EQ(listener_->stats().refused_over_cap, 0);
}

TEST_F(HttpListenerTest, SlowSendersDoNotHoldTheOnlyHandlerThread) {
  HttpListenerOptions options = Options();
  options.handler_threads = 1;
  options.header_timeout = std::chrono::seconds(10);
  options.body_timeout = std::chrono::seconds(10);
  Start(options);
  std::vector<std::unique_ptr<RawHttpConnection>> slow;
  for (int connection_idx = 0; connection_idx < 20; ++connection_idx) {
    slow.push_back(std::make_unique<RawHttpConnection>(port_));
    ASSERT_TRUE(slow.back()->Send(connection_idx % 2 ? "GET / HTTP/1.1\r\nHost: x\r\n"
                                                     : Post("/p", "0123456789").substr(0, 90)));
  }
  for (int request_idx = 0; request_idx < 5; ++request_idx) {
    const auto start = Steady::now();
    EXPECT_EQ(Exchange(Get("/fast")).status, 200);
    EXPECT_LT(MillisecondsSince(start), 500);
  }
}

TEST_F(HttpListenerTest, ASlowReaderDoesNotHoldTheOnlyHandlerThread) {
  HttpListenerOptions options = Options();
  options.handler_threads = 1;
  options.write_timeout = milliseconds(600);
  Start(options);
  RawHttpConnection reader(port_);
  // 16 MiB that it never reads: more than the socket buffers hold, so the write cannot finish.
  ASSERT_TRUE(reader.Send(Get("/big")));
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = Steady::now();
  EXPECT_EQ(Exchange(Get("/fast")).status, 200);
  EXPECT_LT(MillisecondsSince(start), 500);
  // The unread response is dropped at the write deadline.
  const auto deadline = Steady::now() + std::chrono::seconds(3);
  while (listener_->stats().timed_out == 0 && Steady::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(listener_->stats().timed_out, 1);
}

TEST_F(HttpListenerTest, AHandlerExceptionIsA500AndTheServerGoesOn) {
  Start();
  RawHttpResponse response = Exchange(Get("/throw"));
  EXPECT_EQ(response.status, 500);
  EXPECT_NE(response.body.find("internal"), std::string::npos);
  EXPECT_EQ(Exchange(Get("/ok")).status, 200);
}

TEST_F(HttpListenerTest, StopFinishesTheRequestInFlightAndRefusesNewConnections) {
  Start();
  RawHttpConnection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/slow")));
  const auto deadline = Steady::now() + std::chrono::seconds(5);
  while (slow_started_ == 0 && Steady::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(slow_started_.load(), 1);
  RawHttpConnection idle(port_);
  auto stopped = std::async(std::launch::async, [this] { listener_->Stop(); });
  std::this_thread::sleep_for(milliseconds(200));
  release_slow_ = true;
  RawHttpResponse response = connection.ReadResponse();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("connection"), "close");
  stopped.get();
  EXPECT_TRUE(idle.WaitClosed(milliseconds(1000)));
  RawHttpConnection refused(port_);
  EXPECT_FALSE(refused.ok());
}

TEST_F(HttpListenerTest, ABusyPortIsAClearError) {
  Start();
  HttpListenerOptions options = Options();
  options.port = port_;
  HttpListener second(
      options, [](const HttpRequest&) { return HttpResponse{}; },
      [](const HttpRefusal&) { return HttpResponse{}; });
  auto started = second.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().ToString().find(std::to_string(port_)), std::string::npos);
  EXPECT_EQ(Exchange(Get("/")).status, 200);
}

}  // namespace
}  // namespace rh::testing
