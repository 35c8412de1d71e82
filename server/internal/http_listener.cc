#include "server/internal/http_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.h"

// How a connection moves between the loop and the handler threads.
//
// Every connection lives in a slot indexed by its file descriptor; slots are created by the loop
// and never freed before the listener is destroyed, so a pointer to one stays valid. Each slot
// has a mutex and a phase. The loop reads and changes a connection only under its mutex, and
// leaves it alone while the phase is kHandling (queued for or running in a handler thread); the
// handler thread owns it then, without the mutex, and gives it back under the mutex, either
//   - directly (the common case: the whole response was written, the connection stays open and
//     no pipelined byte waits): phase kIdle, idle deadline, EPOLLIN re-armed, all under the
//     mutex, so the loop's sweep cannot close the socket between those steps; or
//   - through the return queue and the eventfd (phase kReturned) when the loop has work to do:
//     a response to finish writing, a connection to close, a pipelined request to parse.
// Sockets are registered EPOLLONESHOT: an event disarms the socket until someone re-arms it,
// so at most one thread acts on a connection at a time and a closed socket has no stale event.
// Deadlines are checked by a sweep of every connection each kSweepInterval.

namespace rh::server::internal {
namespace {

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kKeptInputCapacity = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr std::chrono::milliseconds kSweepInterval{100};
// How long a refused connection is kept to read (and drop) what the client still sends, so that
// the refusal reaches it instead of being destroyed by a reset (nginx's lingering close).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// The answer to a connection accepted while the process is out of file descriptors.
const std::string& OutOfDescriptorsResponse() {
  static const std::string response = [] {
    const std::string body =
        R"({"error":{"code":"unavailable","message":"the server is out of file descriptors"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
  }();
  return response;
}

// The answer when a handler throws (HttpServer's handler catches everything itself).
HttpResponse InternalErrorResponse() {
  HttpResponse response;
  response.status = 500;
  response.body = R"({"error":{"code":"internal","message":"unexpected failure"}})";
  return response;
}

enum class Phase {
  kFree,       // no connection in this slot
  kIdle,       // waiting for the first byte of a request (idle deadline)
  kHead,       // reading the request head (header deadline)
  kBody,       // reading the request body (body deadline)
  kHandling,   // queued for or running in a handler thread, which owns the connection
  kReturned,   // given back by a handler thread, waiting in the return queue
  kWriting,    // the loop writes the rest of a response (write deadline)
  kLingering,  // after a refusal: output shut, input read and dropped until EOF (linger deadline)
};

enum class WriteResult { kDone, kAgain, kError };

struct Connection {
  explicit Connection(HttpRequestParser::Limits limits) : parser(limits) {}

  std::mutex mutex;
  Phase phase = Phase::kFree;
  int fd = -1;
  bool registered = false;  // added to the epoll set
  bool counted = false;     // counts toward the connection caps
  bool lingering = false;   // counts toward the lingering connections
  std::string peer;
  SteadyTime deadline;
  std::string in;  // received bytes not yet consumed by the parser
  HttpRequestParser parser;
  HttpRequest request;  // the complete request, handed to the handler thread
  std::string out_head;
  std::string out_body;
  size_t out_offset = 0;  // bytes of out_head + out_body already written
  bool close_after_write = false;
  bool linger_after_write = false;
  bool write_failed = false;
};

// The client's address as text, IPv4-mapped IPv6 addresses as plain IPv4.
std::string PeerAddress(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    }
  }
  return text;
}

void RaiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    Logger("server")->debug("open files limit raised from {} to {}", before, limit.rlim_max);
  }
}

long long SecondsOf(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

std::string DurationText(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(SecondsOf(duration)) + "s";
  return std::to_string(duration.count()) + "ms";
}

bool HasCrOrLf(std::string_view text) { return text.find_first_of("\r\n") != std::string::npos; }

// A tag for the epoll events of the listening socket and of the eventfd.
char listen_tag;
char wake_tag;

}  // namespace

const char* HttpReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

struct HttpListener::Impl {
  Impl(HttpListenerOptions options_in, Handler handler_in, RefusalResponder responder_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        responder(std::move(responder_in)) {
    limits.max_head_bytes = options.max_head_bytes;
    limits.max_body_bytes = options.max_body_bytes;
  }

  // Loop thread.
  void Loop();
  void AcceptAll();
  void AcceptWithoutDescriptors();
  void OnEvent(Connection& conn);
  void ReadRequest(Connection& conn);
  void ContinueParse(Connection& conn);
  void Refuse(Connection& conn, HttpRefusal refusal, bool linger);
  void FinishWrite(Connection& conn);
  void AfterResponse(Connection& conn);
  void Linger(Connection& conn);
  void Discard(Connection& conn);
  void ProcessReturned();
  // Closes expired connections (all idle ones when stopping); returns the connections busy in a
  // handler thread or writing.
  int Sweep(SteadyTime now);
  void Close(Connection& conn);
  void Dispatch(Connection& conn);

  // Handler threads.
  void HandlerThread();
  void Serve(Connection& conn);

  // Either thread (with the connection owned).
  void Arm(Connection& conn, uint32_t events);
  void Serialize(Connection& conn, HttpResponse response, bool head_only, int minor_version);
  static WriteResult WriteSome(Connection& conn);
  void Wake();

  const HttpListenerOptions options;
  const Handler handler;
  const RefusalResponder responder;
  HttpRequestParser::Limits limits;

  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  int reserve_fd = -1;  // spent to accept and refuse a connection when descriptors run out
  std::atomic<int> port{0};
  std::atomic<bool> stopping{false};
  bool started = false;
  std::thread loop_thread;
  std::vector<std::thread> handler_threads;

  // Loop thread only.
  std::vector<std::unique_ptr<Connection>> slots;  // by file descriptor
  std::unordered_map<std::string, int> per_client;
  int open_count = 0;
  int lingering_count = 0;
  std::vector<char> read_buffer = std::vector<char>(kReadChunk);
  SteadyTime last_descriptor_warning;

  std::mutex work_mutex;
  std::condition_variable work_ready;
  std::deque<Connection*> work;
  bool pool_exit = false;

  std::mutex return_mutex;
  std::vector<Connection*> returned;

  std::atomic<long long> accepted{0};
  std::atomic<long long> refused_over_cap{0};
  std::atomic<long long> timed_out{0};
  std::atomic<int> open_now{0};
};

HttpListener::HttpListener(HttpListenerOptions options, Handler handler, RefusalResponder responder)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(responder))) {}

HttpListener::~HttpListener() { Stop(); }

int HttpListener::port() const { return impl_->port.load(); }

HttpListener::Stats HttpListener::stats() const {
  Stats stats;
  stats.accepted = impl_->accepted.load();
  stats.refused_over_cap = impl_->refused_over_cap.load();
  stats.timed_out = impl_->timed_out.load();
  stats.open = impl_->open_now.load();
  return stats;
}

Result<int> HttpListener::Start() {
  Impl& impl = *impl_;
  if (impl.started) return impl.port.load();
  RaiseOpenFilesLimit();
  const std::string where = impl.options.bind + ":" + std::to_string(impl.options.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(impl.options.port);
  const int resolved = getaddrinfo(impl.options.bind.empty() ? nullptr : impl.options.bind.c_str(),
                                   service.c_str(), &hints, &addresses);
  if (resolved != 0) {
    return Unavailable("server.bind " + impl.options.bind,
                       std::string("cannot resolve the address: ") + gai_strerror(resolved));
  }
  int bind_errno = 0;
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    const int fd =
        socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      bind_errno = errno;
      continue;
    }
    // SO_REUSEADDR only: SO_REUSEPORT would let a second server silently share a port in use.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0 &&
        listen(fd, impl.options.listen_backlog) == 0) {
      impl.listen_fd = fd;
      break;
    }
    bind_errno = errno;
    close(fd);
  }
  freeaddrinfo(addresses);
  if (impl.listen_fd < 0) {
    return Unavailable(where, std::string("cannot bind: the port is in use or the address is not "
                                          "local (") +
                                  std::strerror(bind_errno) + ")");
  }
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof(bound);
  getsockname(impl.listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_size);
  impl.port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(bound).sin6_port
                                        : reinterpret_cast<const sockaddr_in&>(bound).sin_port);

  impl.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  impl.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (impl.epoll_fd < 0 || impl.wake_fd < 0) {
    const int error = errno;
    for (int* fd : {&impl.listen_fd, &impl.epoll_fd, &impl.wake_fd, &impl.reserve_fd}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
    return Unavailable(where, std::string("cannot set up the event loop: ") + std::strerror(error));
  }
  epoll_event listen_event{};
  listen_event.events = EPOLLIN;
  listen_event.data.ptr = &listen_tag;
  epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.listen_fd, &listen_event);
  epoll_event wake_event{};
  wake_event.events = EPOLLIN;
  wake_event.data.ptr = &wake_tag;
  epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.wake_fd, &wake_event);

  impl.stopping = false;
  impl.pool_exit = false;
  impl.started = true;
  for (int thread_idx = 0; thread_idx < impl.options.handler_threads; ++thread_idx) {
    impl.handler_threads.emplace_back([&impl] { impl.HandlerThread(); });
  }
  impl.loop_thread = std::thread([&impl] { impl.Loop(); });
  return impl.port.load();
}

void HttpListener::Stop() {
  if (!impl_ || !impl_->started) return;
  Impl& impl = *impl_;
  impl.stopping = true;
  impl.Wake();
  if (impl.loop_thread.joinable()) impl.loop_thread.join();
  {
    std::lock_guard<std::mutex> lock(impl.work_mutex);
    impl.pool_exit = true;
  }
  impl.work_ready.notify_all();
  for (std::thread& thread : impl.handler_threads) thread.join();
  impl.handler_threads.clear();
  for (int* fd : {&impl.listen_fd, &impl.epoll_fd, &impl.wake_fd, &impl.reserve_fd}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  impl.started = false;
}

// ---- Loop thread --------------------------------------------------------------------------

void HttpListener::Impl::Loop() {
  epoll_event events[kMaxEvents];
  SteadyTime next_sweep = SteadyClock::now() + kSweepInterval;
  bool stop_begun = false;
  while (true) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - SteadyClock::now());
    const int ready = epoll_wait(epoll_fd, events, kMaxEvents,
                                 static_cast<int>(std::max<long long>(wait.count(), 0)));
    if (ready < 0 && errno != EINTR) {
      Logger("server")->error("epoll_wait failed: {}", std::strerror(errno));
      std::this_thread::sleep_for(kSweepInterval);
    }
    for (int event_idx = 0; event_idx < ready; ++event_idx) {
      void* tag = events[event_idx].data.ptr;
      if (tag == &listen_tag) {
        if (!stopping) AcceptAll();
      } else if (tag == &wake_tag) {
        uint64_t count = 0;
        while (read(wake_fd, &count, sizeof(count)) > 0) {
        }
        ProcessReturned();
      } else {
        OnEvent(*static_cast<Connection*>(tag));
      }
    }
    const SteadyTime now = SteadyClock::now();
    if (stopping && !stop_begun) {
      stop_begun = true;
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
      close(listen_fd);
      listen_fd = -1;
    }
    if (now >= next_sweep || stop_begun) {
      const int busy = Sweep(now);
      if (now >= next_sweep) next_sweep = now + kSweepInterval;
      if (stop_begun && busy == 0) break;
    }
  }
  for (const auto& slot : slots) {
    if (!slot) continue;
    std::lock_guard<std::mutex> lock(slot->mutex);
    if (slot->phase != Phase::kFree) Close(*slot);
  }
}

void HttpListener::Impl::AcceptAll() {
  while (true) {
    sockaddr_storage address{};
    socklen_t address_size = sizeof(address);
    const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &address_size,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        AcceptWithoutDescriptors();
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        Logger("server")->warn("accept failed: {}", std::strerror(errno));
      }
      return;
    }
    ++accepted;
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (static_cast<size_t>(fd) >= slots.size()) slots.resize(static_cast<size_t>(fd) + 1);
    if (!slots[fd]) slots[fd] = std::make_unique<Connection>(limits);
    Connection& conn = *slots[fd];
    std::lock_guard<std::mutex> lock(conn.mutex);
    conn.fd = fd;
    conn.peer = PeerAddress(address);
    auto [client, inserted] = per_client.try_emplace(conn.peer, 0);
    const bool over_total = open_count >= options.max_connections;
    if (over_total || client->second >= options.max_connections_per_client) {
      if (client->second == 0) per_client.erase(client);
      ++refused_over_cap;
      HttpRefusal refusal;
      refusal.status = 503;
      refusal.peer = conn.peer;
      refusal.message = over_total ? "the server has server.max_connections (" +
                                         std::to_string(options.max_connections) +
                                         ") connections open; retry in a moment"
                                   : "this client has server.max_connections_per_client (" +
                                         std::to_string(options.max_connections_per_client) +
                                         ") connections open; close some or retry in a moment";
      conn.phase = Phase::kIdle;
      Refuse(conn, std::move(refusal), /*linger=*/true);
      continue;
    }
    ++client->second;
    ++open_count;
    open_now = open_count;
    conn.counted = true;
    conn.phase = Phase::kIdle;
    conn.deadline = SteadyClock::now() + options.idle_timeout;
    Arm(conn, EPOLLIN);
  }
}

void HttpListener::Impl::AcceptWithoutDescriptors() {
  // Out of descriptors: spend the reserve one to take the connection off the backlog and refuse
  // it, rather than leaving the listening socket readable forever (a busy loop) or the client
  // hanging in the backlog.
  if (reserve_fd < 0) return;
  close(reserve_fd);
  const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) {
    ++refused_over_cap;
    const std::string& response = OutOfDescriptorsResponse();
    [[maybe_unused]] ssize_t sent = send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    close(fd);
  }
  reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const SteadyTime now = SteadyClock::now();
  if (now - last_descriptor_warning > std::chrono::seconds(10)) {
    last_descriptor_warning = now;
    Logger("server")->warn(
        "out of file descriptors: refusing connections (raise `ulimit -n` or lower "
        "server.max_connections)");
  }
}

void HttpListener::Impl::OnEvent(Connection& conn) {
  std::lock_guard<std::mutex> lock(conn.mutex);
  switch (conn.phase) {
    case Phase::kIdle:
    case Phase::kHead:
    case Phase::kBody:
      ReadRequest(conn);
      break;
    case Phase::kWriting:
      FinishWrite(conn);
      break;
    case Phase::kLingering:
      Discard(conn);
      break;
    default:
      break;
  }
}

void HttpListener::Impl::ReadRequest(Connection& conn) {
  const ssize_t received = recv(conn.fd, read_buffer.data(), read_buffer.size(), 0);
  if (received == 0) {
    Close(conn);  // the client closed; a half-sent request has no one to answer
    return;
  }
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      Arm(conn, EPOLLIN);
    } else {
      Close(conn);
    }
    return;
  }
  conn.in.append(read_buffer.data(), static_cast<size_t>(received));
  if (conn.phase == Phase::kIdle) {
    conn.phase = Phase::kHead;
    conn.deadline = SteadyClock::now() + options.header_timeout;
  }
  ContinueParse(conn);
}

void HttpListener::Impl::ContinueParse(Connection& conn) {
  while (true) {
    switch (conn.parser.Parse(conn.in)) {
      case HttpRequestParser::Step::kNeedMore:
        Arm(conn, EPOLLIN);
        return;
      case HttpRequestParser::Step::kHeadComplete:
        conn.phase = Phase::kBody;
        conn.deadline = SteadyClock::now() + options.body_timeout;
        if (conn.parser.expects_continue() && conn.in.empty()) {
          const ssize_t sent = send(conn.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
          if (sent != static_cast<ssize_t>(kContinue.size())) {
            Close(conn);
            return;
          }
        }
        continue;
      case HttpRequestParser::Step::kComplete:
        conn.request = conn.parser.TakeRequest();
        conn.request.peer = conn.peer;
        Dispatch(conn);
        return;
      case HttpRequestParser::Step::kError: {
        HttpRefusal refusal;
        refusal.status = conn.parser.error_status();
        refusal.message = conn.parser.error_message();
        refusal.peer = conn.peer;
        refusal.method = conn.parser.partial().method;
        refusal.path = conn.parser.partial().path;
        Refuse(conn, std::move(refusal), /*linger=*/true);
        return;
      }
    }
  }
}

void HttpListener::Impl::Dispatch(Connection& conn) {
  conn.phase = Phase::kHandling;
  {
    std::lock_guard<std::mutex> lock(work_mutex);
    work.push_back(&conn);
  }
  work_ready.notify_one();
}

void HttpListener::Impl::Refuse(Connection& conn, HttpRefusal refusal, bool linger) {
  const int status = refusal.status;
  HttpResponse response;
  try {
    response = responder(refusal);
  } catch (const std::exception& e) {
    Logger("server")->error("refusal responder failed: {}", e.what());
    response = HttpResponse{};
  }
  response.status = status;
  if (status == 503) response.headers.emplace_back("Retry-After", "1");
  response.close = true;
  Serialize(conn, std::move(response), /*head_only=*/false, /*minor_version=*/1);
  conn.linger_after_write = linger;
  FinishWrite(conn);
}

void HttpListener::Impl::FinishWrite(Connection& conn) {
  switch (WriteSome(conn)) {
    case WriteResult::kDone:
      AfterResponse(conn);
      return;
    case WriteResult::kAgain:
      if (conn.phase != Phase::kWriting) {
        conn.phase = Phase::kWriting;
        conn.deadline = SteadyClock::now() + options.write_timeout;
      }
      Arm(conn, EPOLLOUT);
      return;
    case WriteResult::kError:
      Close(conn);
      return;
  }
}

void HttpListener::Impl::AfterResponse(Connection& conn) {
  conn.out_head.clear();
  conn.out_body.clear();
  conn.out_offset = 0;
  if (conn.close_after_write || stopping) {
    if (conn.linger_after_write) {
      Linger(conn);
    } else {
      Close(conn);
    }
    return;
  }
  if (conn.in.capacity() > kKeptInputCapacity && conn.in.size() < kKeptInputCapacity) {
    conn.in.shrink_to_fit();
  }
  if (conn.in.empty()) {
    conn.phase = Phase::kIdle;
    conn.deadline = SteadyClock::now() + options.idle_timeout;
    Arm(conn, EPOLLIN);
    return;
  }
  // A pipelined request is already here.
  conn.phase = Phase::kHead;
  conn.deadline = SteadyClock::now() + options.header_timeout;
  ContinueParse(conn);
}

void HttpListener::Impl::Linger(Connection& conn) {
  if (lingering_count >= options.max_connections) {
    Close(conn);
    return;
  }
  shutdown(conn.fd, SHUT_WR);
  if (conn.counted) {
    // A lingering connection no longer counts toward the caps: it only drains.
    auto client = per_client.find(conn.peer);
    if (client != per_client.end() && --client->second <= 0) per_client.erase(client);
    --open_count;
    open_now = open_count;
    conn.counted = false;
  }
  ++lingering_count;
  conn.lingering = true;
  conn.in.clear();
  conn.phase = Phase::kLingering;
  conn.deadline = SteadyClock::now() + kLingerTime;
  Arm(conn, EPOLLIN);
}

void HttpListener::Impl::Discard(Connection& conn) {
  const ssize_t received = recv(conn.fd, read_buffer.data(), read_buffer.size(), 0);
  if (received == 0 ||
      (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close(conn);
    return;
  }
  Arm(conn, EPOLLIN);
}

void HttpListener::Impl::ProcessReturned() {
  std::vector<Connection*> batch;
  {
    std::lock_guard<std::mutex> lock(return_mutex);
    batch.swap(returned);
  }
  for (Connection* conn : batch) {
    std::lock_guard<std::mutex> lock(conn->mutex);
    if (conn->phase != Phase::kReturned) continue;
    if (conn->write_failed) {
      Close(*conn);
      continue;
    }
    conn->phase = Phase::kWriting;
    conn->deadline = SteadyClock::now() + options.write_timeout;
    FinishWrite(*conn);
  }
}

int HttpListener::Impl::Sweep(SteadyTime now) {
  int busy = 0;
  for (const auto& slot : slots) {
    if (!slot) continue;
    Connection& conn = *slot;
    std::lock_guard<std::mutex> lock(conn.mutex);
    switch (conn.phase) {
      case Phase::kFree:
        break;
      case Phase::kIdle:
        if (stopping || now >= conn.deadline) Close(conn);
        break;
      case Phase::kHead:
      case Phase::kBody: {
        if (stopping) {
          Close(conn);
          break;
        }
        if (now < conn.deadline) break;
        ++timed_out;
        const bool head = conn.phase == Phase::kHead;
        HttpRefusal refusal;
        refusal.status = 408;
        refusal.peer = conn.peer;
        refusal.method = conn.parser.partial().method;
        refusal.path = conn.parser.partial().path;
        refusal.message = head
                              ? "the request head was not complete within server.header_timeout (" +
                                    DurationText(options.header_timeout) + ")"
                              : "the request body was not complete within server.body_timeout (" +
                                    DurationText(options.body_timeout) + ")";
        // One attempt to tell the client, then the connection goes: a slow client gets no more
        // of the server's time.
        Refuse(conn, std::move(refusal), /*linger=*/false);
        if (conn.phase == Phase::kWriting) Close(conn);
        break;
      }
      case Phase::kWriting:
        if (now >= conn.deadline) {
          ++timed_out;
          Close(conn);
        } else {
          ++busy;
        }
        break;
      case Phase::kLingering:
        if (stopping || now >= conn.deadline) Close(conn);
        break;
      case Phase::kHandling:
      case Phase::kReturned:
        ++busy;
        break;
    }
  }
  return busy;
}

void HttpListener::Impl::Close(Connection& conn) {
  if (conn.counted) {
    auto client = per_client.find(conn.peer);
    if (client != per_client.end() && --client->second <= 0) per_client.erase(client);
    --open_count;
    open_now = open_count;
    conn.counted = false;
  }
  if (conn.lingering) {
    --lingering_count;
    conn.lingering = false;
  }
  close(conn.fd);  // also removes it from the epoll set
  conn.fd = -1;
  conn.registered = false;
  conn.phase = Phase::kFree;
  conn.peer.clear();
  conn.in.clear();
  if (conn.in.capacity() > kKeptInputCapacity) conn.in.shrink_to_fit();
  conn.parser = HttpRequestParser(limits);
  conn.request = HttpRequest{};
  conn.out_head.clear();
  conn.out_body.clear();
  conn.out_body.shrink_to_fit();
  conn.out_offset = 0;
  conn.close_after_write = false;
  conn.linger_after_write = false;
  conn.write_failed = false;
}

// ---- Handler threads ----------------------------------------------------------------------

void HttpListener::Impl::HandlerThread() {
  while (true) {
    Connection* conn = nullptr;
    {
      std::unique_lock<std::mutex> lock(work_mutex);
      work_ready.wait(lock, [this] { return pool_exit || !work.empty(); });
      if (work.empty()) return;
      conn = work.front();
      work.pop_front();
    }
    Serve(*conn);
  }
}

void HttpListener::Impl::Serve(Connection& conn) {
  HttpRequest request = std::move(conn.request);
  conn.request = HttpRequest{};
  HttpResponse response;
  try {
    response = handler(request);
  } catch (const std::exception& e) {
    Logger("server")->error("{} {}: unexpected exception: {}", request.method, request.path,
                            e.what());
    response = InternalErrorResponse();
  } catch (...) {
    Logger("server")->error("{} {}: unexpected exception", request.method, request.path);
    response = InternalErrorResponse();
  }
  response.close = response.close || !request.keep_alive || stopping;
  Serialize(conn, std::move(response), request.method == "HEAD", request.minor_version);
  conn.linger_after_write = false;
  const WriteResult written = WriteSome(conn);
  std::unique_lock<std::mutex> lock(conn.mutex);
  if (written == WriteResult::kDone && !conn.close_after_write && conn.in.empty()) {
    conn.out_head.clear();
    conn.out_body.clear();
    conn.out_offset = 0;
    conn.phase = Phase::kIdle;
    conn.deadline = SteadyClock::now() + options.idle_timeout;
    Arm(conn, EPOLLIN);
    return;
  }
  conn.write_failed = written == WriteResult::kError;
  conn.phase = Phase::kReturned;
  lock.unlock();
  bool was_empty = false;
  {
    std::lock_guard<std::mutex> return_lock(return_mutex);
    was_empty = returned.empty();
    returned.push_back(&conn);
  }
  if (was_empty) Wake();
}

// ---- Either thread ------------------------------------------------------------------------

void HttpListener::Impl::Arm(Connection& conn, uint32_t events) {
  epoll_event event{};
  event.events = events | EPOLLONESHOT;
  event.data.ptr = &conn;
  if (conn.registered) {
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn.fd, &event);
  } else if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, conn.fd, &event) == 0) {
    conn.registered = true;
  }
}

void HttpListener::Impl::Serialize(Connection& conn, HttpResponse response, bool head_only,
                                   int minor_version) {
  std::string& head = conn.out_head;
  head.clear();
  head.reserve(160 + response.content_type.size() + 64 * response.headers.size());
  head += "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += HttpReasonPhrase(response.status);
  head += "\r\n";
  if (!response.content_type.empty() && !HasCrOrLf(response.content_type)) {
    head += "Content-Type: ";
    head += response.content_type;
    head += "\r\n";
  }
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) {
    head += "Content-Length: ";
    head += std::to_string(response.body.size());
    head += "\r\n";
  }
  for (const auto& [name, value] : response.headers) {
    if (HasCrOrLf(name) || HasCrOrLf(value)) continue;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (response.close) {
    head += "Connection: close\r\n";
  } else if (minor_version == 0) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  conn.close_after_write = response.close;
  conn.out_offset = 0;
  if (head_only || bodiless) {
    conn.out_body.clear();
  } else {
    conn.out_body = std::move(response.body);
  }
}

WriteResult HttpListener::Impl::WriteSome(Connection& conn) {
  const size_t total = conn.out_head.size() + conn.out_body.size();
  while (conn.out_offset < total) {
    iovec parts[2];
    int part_count = 0;
    if (conn.out_offset < conn.out_head.size()) {
      parts[part_count++] = {conn.out_head.data() + conn.out_offset,
                             conn.out_head.size() - conn.out_offset};
      if (!conn.out_body.empty())
        parts[part_count++] = {conn.out_body.data(), conn.out_body.size()};
    } else {
      const size_t body_offset = conn.out_offset - conn.out_head.size();
      parts[part_count++] = {conn.out_body.data() + body_offset,
                             conn.out_body.size() - body_offset};
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = static_cast<size_t>(part_count);
    const ssize_t sent = sendmsg(conn.fd, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteResult::kAgain;
      return WriteResult::kError;
    }
    conn.out_offset += static_cast<size_t>(sent);
  }
  return WriteResult::kDone;
}

void HttpListener::Impl::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t written = write(wake_fd, &one, sizeof(one));
}

}  // namespace rh::server::internal
