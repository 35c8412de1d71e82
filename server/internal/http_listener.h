// HttpListener: the HTTP/1.1 server core of `rockhound serve`. One event-loop thread (epoll,
// non-blocking sockets) accepts connections and reads requests under deadlines and caps; only
// complete requests reach a fixed pool of handler threads; responses go back without letting a
// slow reader hold a handler thread. A slow or hostile client therefore costs a socket and a few
// kilobytes, never a handler thread.
//
// What the loop enforces on every connection (settings in HttpListenerOptions):
//   - at most max_connections open connections, at most max_connections_per_client from one
//     client address: a connection over a cap is answered 503 (with Retry-After) and closed;
//   - a keep-alive connection may sit idle (no byte of a next request) for idle_timeout;
//   - the request head must be complete within header_timeout of its first byte, the body
//     within body_timeout of the end of the head; otherwise 408 and the connection is closed;
//   - head size, header count and body size (HttpRequestParser's limits: 431, 413, 400, 501...);
//     "Expect: 100-continue" is answered before the body is read, and not when the declared
//     body is already over the limit (413 instead);
//   - a response must be taken by the client within write_timeout, else the connection closes.
// Keep-alive follows HTTP/1.1 (persistent unless "Connection: close") and HTTP/1.0 (closed
// unless "Connection: keep-alive"). Pipelined requests are answered in order, one at a time.
//
// The handler runs on a pool thread and returns the whole response; it must not block on the
// client. A streamed response (HttpResponse::stream, Server-Sent Events) is the exception: its
// producer runs on that pool thread after the head is sent, bounded by the producer itself, by
// write_timeout per write, by the client closing and by Stop. Answers the listener decides itself (4xx, 503) are built by the RefusalResponder, on
// the loop thread, so it must be quick.
// Thread-safety: Start and Stop from one thread; the handler and the responder are called
// concurrently (the handler from every pool thread, the responder from the loop thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "server/internal/http_request_parser.h"
#include "server/internal/response_stream.h"

namespace rh::server::internal {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  // "" sends no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response
  // Set: the body is produced by this function after the head is sent (internal/
  // response_stream.h); `body` is ignored and the connection closes afterwards.
  std::function<void(ResponseStream&)> stream;
};

struct HttpListenerOptions {
  std::string bind = "127.0.0.1";  // an address or a host name; "0.0.0.0" / "::" for all
  int port = 0;                    // 0: any free port
  int handler_threads = 16;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 1 << 20;
  int max_connections = 1024;
  int max_connections_per_client = 256;
  int listen_backlog = 1024;
};

// Why the listener answered a request (or a connection) itself, for the error body and the log.
struct HttpRefusal {
  int status = 400;     // 400, 408, 413, 417, 431, 501, 503 or 505
  std::string message;  // what was wrong, naming the setting that applies
  std::string peer;     // the client's address
  std::string method;   // "" when the request line was not read
  std::string path;
};

class HttpListener {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  using RefusalResponder = std::function<HttpResponse(const HttpRefusal&)>;

  HttpListener(HttpListenerOptions options, Handler handler, RefusalResponder responder);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds, listens (backlog options.listen_backlog) and starts the loop and the pool. Raises the
  // process's soft open-files limit to its hard limit. Returns the bound port; unavailable when
  // the address cannot be bound (in use, not local, unresolvable).
  Result<int> Start();
  // Stops accepting, closes idle and half-read connections, lets the requests in flight finish
  // and their responses go out (each bounded by write_timeout), then joins every thread.
  // Idempotent.
  void Stop();

  int port() const;

  // Counters since Start, for tests and the log.
  struct Stats {
    long long accepted = 0;
    long long refused_over_cap = 0;  // answered 503 at accept
    long long timed_out = 0;         // closed by a header, body, idle or write deadline
    int open = 0;                    // connections open now (not counting ones being closed)
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The reason phrase of a status ("Not Found"); "Unknown" for codes it does not know.
const char* HttpReasonPhrase(int status);

}  // namespace rh::server::internal
