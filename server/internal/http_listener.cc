#include "server/internal/http_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
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
#include <semaphore>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/log.h"

// Threads, and who may touch a connection.
//
// One acceptor thread owns the listening socket and the clock: it accepts, applies the
// connection caps (answering 503 itself), and every kSweepInterval sweeps every connection for
// an expired deadline. The server.threads pool threads wait together in epoll_wait on the
// connections' epoll set; the kernel wakes one of them per ready socket. That thread reads what
// has arrived without blocking, and if a request is complete it serves it right there — there
// is no hand-off between threads on the way from the socket to the handler, so a request costs
// one wake-up, as with a thread per connection — then writes the response without blocking.
// An incomplete request, or a response the client does not take at once, goes back to the
// epoll set and the thread to epoll_wait: nobody ever waits for a client.
//
// Every connection lives in a slot indexed by its file descriptor; slots are created by the
// acceptor and never freed before the listener is destroyed, so a pointer to one (the epoll
// event's data) stays valid. Each slot has a mutex and a phase; whoever acts on a connection
// holds its mutex, except a pool thread running the handler (phase kHandling), which owns the
// connection without the mutex until it takes the mutex back to write the answer. The sweep
// leaves kHandling connections alone. Sockets are registered EPOLLONESHOT: an event disarms the
// socket until the thread that took it re-arms it, so one thread acts on a connection at a
// time. An event that races with the sweep closing (and perhaps the acceptor reusing) a slot
// finds it closed, or finds the new connection and at worst reads nothing from it: all of it
// under the slot's mutex. Lock order: a connection's mutex, then caps_mutex.

namespace rh::server::internal {
namespace {

// Socket deadlines are real time whatever Clock the server runs on (tests use a ManualClock).
using SteadyTime = MonoTime;

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
  kHandling,   // its handler runs; the thread running it owns the connection
  kWriting,    // the rest of a response waits for the client to read (write deadline)
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
  std::string out_head;
  std::string out_body;
  size_t out_offset = 0;  // bytes of out_head + out_body already written
  bool close_after_write = false;
  bool linger_after_write = false;
};

// The body of a streamed response, written straight to the connection's (non-blocking) socket
// by the handler thread that owns it.
class SocketStream final : public ResponseStream {
 public:
  SocketStream(int fd, std::chrono::milliseconds write_timeout, const std::atomic<bool>& stopping)
      : fd_(fd), write_timeout_(write_timeout), stopping_(stopping) {}

  bool Write(std::string_view bytes) override {
    if (gone_) return false;
    const SteadyTime deadline = MachineMonotonic() + write_timeout_;
    while (!bytes.empty()) {
      const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        bytes.remove_prefix(static_cast<size_t>(sent));
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - MachineMonotonic());
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && left.count() > 0) {
        pollfd ready{fd_, POLLOUT, 0};
        poll(&ready, 1, static_cast<int>(left.count()));
        continue;
      }
      gone_ = true;
      return false;
    }
    return true;
  }

  bool Stopped() override {
    if (gone_ || stopping_) return true;
    pollfd ready{fd_, POLLIN | POLLRDHUP, 0};
    if (poll(&ready, 1, 0) > 0) {
      if (ready.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        gone_ = true;
      } else if (ready.revents & POLLIN) {
        char byte;
        gone_ = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
      }
    }
    return gone_;
  }

 private:
  int fd_;
  std::chrono::milliseconds write_timeout_;
  const std::atomic<bool>& stopping_;
  bool gone_ = false;
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

// Tags for the epoll events of the listening socket and of the two eventfds.
char listen_tag;
char stop_tag;
char exit_tag;

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
  using Lock = std::unique_lock<std::mutex>;

  Impl(HttpListenerOptions options_in, Handler handler_in, RefusalResponder responder_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        responder(std::move(responder_in)) {
    limits.max_head_bytes = options.max_head_bytes;
    limits.max_body_bytes = options.max_body_bytes;
  }

  // Acceptor thread.
  void AcceptLoop();
  void AcceptAll();
  bool AcceptWithoutDescriptors();
  void PauseAccepting();
  void ResumeAccepting();
  // Closes expired connections (every idle or half-read one when stopping); returns how many
  // are busy (a handler running or a response being written).
  int Sweep(SteadyTime now);

  // Pool threads.
  struct Parked {
    std::binary_semaphore wake{0};
  };
  void PoolThread();
  void EnterWaiters(Parked& parked);
  void LeaveWaiters();
  void ReleaseParked();
  void OnEvent(Connection& conn, std::vector<char>& buffer);

  // Any thread holding the connection's mutex (`lock`, which Drive releases while the handler
  // runs).
  void ReadRequest(Connection& conn, Lock& lock, std::vector<char>& buffer);
  void Drive(Connection& conn, Lock& lock);
  HttpResponse CallHandler(const HttpRequest& request);
  void Refuse(Connection& conn, HttpRefusal refusal, bool linger);
  void FinishWrite(Connection& conn, Lock& lock);
  // After a complete response: closes, lingers, or makes the connection wait for its next
  // request; true when a pipelined request is already buffered (the caller drives it).
  bool AfterResponse(Connection& conn);
  void Linger(Connection& conn);
  void Discard(Connection& conn, std::vector<char>& buffer);
  void Close(Connection& conn);
  void Arm(Connection& conn, uint32_t events);
  void Serialize(Connection& conn, HttpResponse response, bool head_only, int minor_version,
                 bool streamed = false);
  // Sends the head of a streamed response, runs its producer on this thread, then closes.
  void StreamResponse(Connection& conn, Lock& lock, HttpResponse response, int minor_version);
  static WriteResult WriteSome(Connection& conn);
  void Uncount(Connection& conn);

  const HttpListenerOptions options;
  const Handler handler;
  const RefusalResponder responder;
  HttpRequestParser::Limits limits;

  int listen_fd = -1;
  int accept_epoll_fd = -1;  // the listening socket and stop_fd: the acceptor's
  int epoll_fd = -1;         // the connections and exit_fd: the pool's
  int stop_fd = -1;          // an eventfd in the acceptor's set, readable once Stop begins
  int exit_fd = -1;          // an eventfd in the pool's set, readable once the pool must exit
  int reserve_fd = -1;       // spent to accept and refuse a connection when descriptors run out
  std::atomic<int> port{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> pool_exit{false};
  bool started = false;
  std::thread acceptor_thread;
  std::vector<std::thread> pool_threads;

  // Acceptor thread only.
  std::vector<std::unique_ptr<Connection>> slots;  // by file descriptor
  SteadyTime last_descriptor_warning;
  bool accept_paused = false;

  static constexpr int kWaiters = 2;
  std::mutex waiters_mutex;
  int waiting = 0;
  std::vector<Parked*> parked_stack;

  std::mutex caps_mutex;  // guards the counts below
  std::unordered_map<std::string, int> per_client;
  int open_count = 0;
  int lingering_count = 0;

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

  impl.accept_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl.stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  impl.exit_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  impl.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (impl.accept_epoll_fd < 0 || impl.epoll_fd < 0 || impl.stop_fd < 0 || impl.exit_fd < 0) {
    const int error = errno;
    for (int* fd : {&impl.listen_fd, &impl.accept_epoll_fd, &impl.epoll_fd, &impl.stop_fd,
                    &impl.exit_fd, &impl.reserve_fd}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
    return Unavailable(where, std::string("cannot set up the event loop: ") + std::strerror(error));
  }
  epoll_event listen_event{};
  listen_event.events = EPOLLIN;
  listen_event.data.ptr = &listen_tag;
  epoll_ctl(impl.accept_epoll_fd, EPOLL_CTL_ADD, impl.listen_fd, &listen_event);
  epoll_event stop_event{};
  stop_event.events = EPOLLIN;
  stop_event.data.ptr = &stop_tag;
  epoll_ctl(impl.accept_epoll_fd, EPOLL_CTL_ADD, impl.stop_fd, &stop_event);
  // Level-triggered and never read: once written, it wakes every pool thread.
  epoll_event exit_event{};
  exit_event.events = EPOLLIN;
  exit_event.data.ptr = &exit_tag;
  epoll_ctl(impl.epoll_fd, EPOLL_CTL_ADD, impl.exit_fd, &exit_event);

  impl.stopping = false;
  impl.pool_exit = false;
  impl.started = true;
  for (int thread_idx = 0; thread_idx < impl.options.handler_threads; ++thread_idx) {
    impl.pool_threads.emplace_back([&impl] { impl.PoolThread(); });
  }
  impl.acceptor_thread = std::thread([&impl] { impl.AcceptLoop(); });
  return impl.port.load();
}

void HttpListener::Stop() {
  if (!impl_ || !impl_->started) return;
  Impl& impl = *impl_;
  impl.stopping = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t written = write(impl.stop_fd, &one, sizeof(one));
  // The acceptor returns once no handler runs and no response is being written.
  if (impl.acceptor_thread.joinable()) impl.acceptor_thread.join();
  impl.pool_exit = true;
  written = write(impl.exit_fd, &one, sizeof(one));
  impl.ReleaseParked();
  for (std::thread& thread : impl.pool_threads) thread.join();
  impl.pool_threads.clear();
  for (const auto& slot : impl.slots) {
    if (!slot) continue;
    std::lock_guard<std::mutex> lock(slot->mutex);
    if (slot->phase != Phase::kFree) impl.Close(*slot);
  }
  for (int* fd : {&impl.listen_fd, &impl.accept_epoll_fd, &impl.epoll_fd, &impl.stop_fd,
                  &impl.exit_fd, &impl.reserve_fd}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  impl.started = false;
}

// ---- Acceptor thread ----------------------------------------------------------------------

void HttpListener::Impl::AcceptLoop() {
  epoll_event events[16];
  SteadyTime next_sweep = MachineMonotonic() + kSweepInterval;
  bool stop_begun = false;
  while (true) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - MachineMonotonic());
    const int ready = epoll_wait(accept_epoll_fd, events, 16,
                                 static_cast<int>(std::max<long long>(wait.count(), 0)));
    if (ready < 0 && errno != EINTR) {
      Logger("server")->error("epoll_wait failed: {}", std::strerror(errno));
      std::this_thread::sleep_for(kSweepInterval);
    }
    for (int event_idx = 0; event_idx < ready; ++event_idx) {
      if (events[event_idx].data.ptr == &listen_tag && !stopping) AcceptAll();
    }
    const SteadyTime now = MachineMonotonic();
    if (stopping && !stop_begun) {
      stop_begun = true;
      epoll_ctl(accept_epoll_fd, EPOLL_CTL_DEL, stop_fd, nullptr);
      epoll_ctl(accept_epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
      close(listen_fd);
      listen_fd = -1;
    }
    if (now >= next_sweep || stop_begun) {
      const int busy = Sweep(now);
      if (now >= next_sweep) {
        next_sweep = now + (stop_begun ? std::chrono::milliseconds(10) : kSweepInterval);
        if (!stop_begun) ResumeAccepting();
      }
      if (stop_begun && busy == 0) return;
    }
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
        if (AcceptWithoutDescriptors()) continue;
        PauseAccepting();
        return;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        Logger("server")->warn("accept failed: {}", std::strerror(errno));
      }
      return;
    }
    ++accepted;
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    std::string peer = PeerAddress(address);
    bool over_total = false;
    bool over_client = false;
    {
      std::lock_guard<std::mutex> caps(caps_mutex);
      over_total = open_count >= options.max_connections;
      auto client = per_client.find(peer);
      over_client =
          client != per_client.end() && client->second >= options.max_connections_per_client;
      if (!over_total && !over_client) {
        ++per_client[peer];
        open_now = ++open_count;
      }
    }
    if (static_cast<size_t>(fd) >= slots.size()) slots.resize(static_cast<size_t>(fd) + 1);
    if (!slots[fd]) slots[fd] = std::make_unique<Connection>(limits);
    Connection& conn = *slots[fd];
    std::lock_guard<std::mutex> lock(conn.mutex);
    conn.fd = fd;
    conn.peer = std::move(peer);
    conn.phase = Phase::kIdle;
    if (over_total || over_client) {
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
      Refuse(conn, std::move(refusal), /*linger=*/true);
      continue;
    }
    conn.counted = true;
    conn.deadline = MachineMonotonic() + options.idle_timeout;
    Arm(conn, EPOLLIN);
  }
}

bool HttpListener::Impl::AcceptWithoutDescriptors() {
  // Out of descriptors: spend the reserve one to take the connection off the backlog and refuse
  // it, rather than leave the client hanging in the backlog.
  const SteadyTime now = MachineMonotonic();
  if (now - last_descriptor_warning > std::chrono::seconds(10)) {
    last_descriptor_warning = now;
    Logger("server")->warn(
        "out of file descriptors: refusing connections (raise `ulimit -n` or lower "
        "server.max_connections)");
  }
  if (reserve_fd < 0) return false;
  close(reserve_fd);
  const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) {
    ++refused_over_cap;
    const std::string& response = OutOfDescriptorsResponse();
    [[maybe_unused]] ssize_t sent = send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    close(fd);
  }
  reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd >= 0;
}

void HttpListener::Impl::PauseAccepting() {
  // The listening socket stays readable while connections wait; without a descriptor to take
  // them with, stop watching it for a sweep interval instead of spinning.
  if (accept_paused) return;
  epoll_ctl(accept_epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
  accept_paused = true;
}

void HttpListener::Impl::ResumeAccepting() {
  if (!accept_paused || listen_fd < 0) return;
  epoll_event listen_event{};
  listen_event.events = EPOLLIN;
  listen_event.data.ptr = &listen_tag;
  epoll_ctl(accept_epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event);
  accept_paused = false;
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
      case Phase::kLingering:
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
        HttpRefusal refusal;
        refusal.status = 408;
        refusal.peer = conn.peer;
        refusal.method = conn.parser.partial().method;
        refusal.path = conn.parser.partial().path;
        refusal.message = conn.phase == Phase::kHead
                              ? "the request head was not complete within server.header_timeout (" +
                                    DurationText(options.header_timeout) + ")"
                              : "the request body was not complete within server.body_timeout (" +
                                    DurationText(options.body_timeout) + ")";
        // One attempt to tell the client, then the connection goes: a slow client gets no more
        // of the server's time.
        Refuse(conn, std::move(refusal), /*linger=*/false);
        if (conn.phase != Phase::kFree) Close(conn);
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
      case Phase::kHandling:
        ++busy;
        break;
    }
  }
  return busy;
}

// ---- Pool threads -------------------------------------------------------------------------

void HttpListener::Impl::PoolThread() {
  std::vector<char> buffer(kReadChunk);
  Parked parked;
  epoll_event event{};
  while (!pool_exit) {
    EnterWaiters(parked);
    if (pool_exit) return;
    // One event at a time: a thread that took several would serve them one after another.
    const int ready = epoll_wait(epoll_fd, &event, 1, -1);
    LeaveWaiters();
    if (ready <= 0) continue;
    if (event.data.ptr == &exit_tag) return;
    OnEvent(*static_cast<Connection*>(event.data.ptr), buffer);
  }
}

void HttpListener::Impl::EnterWaiters(Parked& parked) {
  {
    std::lock_guard<std::mutex> lock(waiters_mutex);
    if (waiting < kWaiters || pool_exit) {
      ++waiting;
      return;
    }
    parked_stack.push_back(&parked);
  }
  parked.wake.acquire();  // the thread that woke it counted it as waiting
}

void HttpListener::Impl::LeaveWaiters() {
  Parked* next = nullptr;
  {
    std::lock_guard<std::mutex> lock(waiters_mutex);
    --waiting;
    if (!parked_stack.empty()) {
      next = parked_stack.back();
      parked_stack.pop_back();
      ++waiting;
    }
  }
  if (next) next->wake.release();
}

void HttpListener::Impl::ReleaseParked() {
  std::lock_guard<std::mutex> lock(waiters_mutex);
  for (Parked* parked : parked_stack) parked->wake.release();
  parked_stack.clear();
}

void HttpListener::Impl::OnEvent(Connection& conn, std::vector<char>& buffer) {
  Lock lock(conn.mutex);
  switch (conn.phase) {
    case Phase::kIdle:
    case Phase::kHead:
    case Phase::kBody:
      ReadRequest(conn, lock, buffer);
      break;
    case Phase::kWriting:
      FinishWrite(conn, lock);
      break;
    case Phase::kLingering:
      Discard(conn, buffer);
      break;
    case Phase::kFree:
    case Phase::kHandling:
      break;  // an event that raced with a close; the connection's owner re-arms it
  }
}

void HttpListener::Impl::ReadRequest(Connection& conn, Lock& lock, std::vector<char>& buffer) {
  const ssize_t received = recv(conn.fd, buffer.data(), buffer.size(), 0);
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
  conn.in.append(buffer.data(), static_cast<size_t>(received));
  if (conn.phase == Phase::kIdle) {
    conn.phase = Phase::kHead;
    conn.deadline = MachineMonotonic() + options.header_timeout;
  }
  Drive(conn, lock);
}

void HttpListener::Impl::Drive(Connection& conn, Lock& lock) {
  while (true) {
    switch (conn.parser.Parse(conn.in)) {
      case HttpRequestParser::Step::kNeedMore:
        Arm(conn, EPOLLIN);
        return;
      case HttpRequestParser::Step::kHeadComplete:
        conn.phase = Phase::kBody;
        conn.deadline = MachineMonotonic() + options.body_timeout;
        if (conn.parser.expects_continue() && conn.in.empty()) {
          const ssize_t sent = send(conn.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
          if (sent != static_cast<ssize_t>(kContinue.size())) {
            Close(conn);
            return;
          }
        }
        continue;
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
      case HttpRequestParser::Step::kComplete:
        break;
    }
    HttpRequest request = conn.parser.TakeRequest();
    request.peer = conn.peer;
    conn.phase = Phase::kHandling;
    lock.unlock();
    HttpResponse response = CallHandler(request);
    if (response.stream && request.method != "HEAD") {
      StreamResponse(conn, lock, std::move(response), request.minor_version);
      return;
    }
    response.close = response.close || !request.keep_alive || stopping;
    Serialize(conn, std::move(response), request.method == "HEAD", request.minor_version);
    conn.linger_after_write = false;
    const WriteResult written = WriteSome(conn);
    lock.lock();
    if (written == WriteResult::kError) {
      Close(conn);
      return;
    }
    if (written == WriteResult::kAgain) {
      conn.phase = Phase::kWriting;
      conn.deadline = MachineMonotonic() + options.write_timeout;
      Arm(conn, EPOLLOUT);
      return;
    }
    if (!AfterResponse(conn)) return;
  }
}

HttpResponse HttpListener::Impl::CallHandler(const HttpRequest& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    Logger("server")->error("{} {}: unexpected exception: {}", request.method, request.path,
                            e.what());
  } catch (...) {
    Logger("server")->error("{} {}: unexpected exception", request.method, request.path);
  }
  return InternalErrorResponse();
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
  switch (WriteSome(conn)) {
    case WriteResult::kDone:
      AfterResponse(conn);
      return;
    case WriteResult::kAgain:
      conn.phase = Phase::kWriting;
      conn.deadline = MachineMonotonic() + options.write_timeout;
      Arm(conn, EPOLLOUT);
      return;
    case WriteResult::kError:
      Close(conn);
      return;
  }
}

void HttpListener::Impl::FinishWrite(Connection& conn, Lock& lock) {
  switch (WriteSome(conn)) {
    case WriteResult::kDone:
      if (AfterResponse(conn)) Drive(conn, lock);
      return;
    case WriteResult::kAgain:
      Arm(conn, EPOLLOUT);
      return;
    case WriteResult::kError:
      Close(conn);
      return;
  }
}

bool HttpListener::Impl::AfterResponse(Connection& conn) {
  conn.out_head.clear();
  conn.out_body.clear();
  conn.out_offset = 0;
  if (conn.close_after_write || stopping) {
    if (conn.linger_after_write) {
      Linger(conn);
    } else {
      Close(conn);
    }
    return false;
  }
  if (conn.in.capacity() > kKeptInputCapacity && conn.in.size() < kKeptInputCapacity) {
    conn.in.shrink_to_fit();
  }
  if (conn.in.empty()) {
    conn.phase = Phase::kIdle;
    conn.deadline = MachineMonotonic() + options.idle_timeout;
    Arm(conn, EPOLLIN);
    return false;
  }
  // A pipelined request is already here.
  conn.phase = Phase::kHead;
  conn.deadline = MachineMonotonic() + options.header_timeout;
  return true;
}

void HttpListener::Impl::Linger(Connection& conn) {
  {
    std::lock_guard<std::mutex> caps(caps_mutex);
    if (lingering_count >= options.max_connections) {
      conn.lingering = false;
    } else {
      ++lingering_count;
      conn.lingering = true;
    }
  }
  if (!conn.lingering) {
    Close(conn);
    return;
  }
  // A lingering connection no longer counts toward the caps: it only drains.
  Uncount(conn);
  shutdown(conn.fd, SHUT_WR);
  conn.in.clear();
  conn.phase = Phase::kLingering;
  conn.deadline = MachineMonotonic() + kLingerTime;
  Arm(conn, EPOLLIN);
}

void HttpListener::Impl::Discard(Connection& conn, std::vector<char>& buffer) {
  const ssize_t received = recv(conn.fd, buffer.data(), buffer.size(), 0);
  if (received == 0 ||
      (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close(conn);
    return;
  }
  Arm(conn, EPOLLIN);
}

void HttpListener::Impl::Uncount(Connection& conn) {
  if (!conn.counted) return;
  std::lock_guard<std::mutex> caps(caps_mutex);
  auto client = per_client.find(conn.peer);
  if (client != per_client.end() && --client->second <= 0) per_client.erase(client);
  open_now = --open_count;
  conn.counted = false;
}

void HttpListener::Impl::Close(Connection& conn) {
  Uncount(conn);
  if (conn.lingering) {
    std::lock_guard<std::mutex> caps(caps_mutex);
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
  conn.out_head.clear();
  conn.out_body.clear();
  conn.out_body.shrink_to_fit();
  conn.out_offset = 0;
  conn.close_after_write = false;
  conn.linger_after_write = false;
}

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

void HttpListener::Impl::StreamResponse(Connection& conn, Lock& lock, HttpResponse response,
                                        int minor_version) {
  std::function<void(ResponseStream&)> producer = std::move(response.stream);
  response.stream = nullptr;
  response.close = true;
  response.body.clear();
  Serialize(conn, std::move(response), /*head_only=*/true, minor_version, /*streamed=*/true);
  SocketStream stream(conn.fd, options.write_timeout, stopping);
  if (stream.Write(conn.out_head)) {
    try {
      producer(stream);
    } catch (const std::exception& e) {
      Logger("server")->error("streamed response: unexpected exception: {}", e.what());
    } catch (...) {
      Logger("server")->error("streamed response: unexpected exception");
    }
  }
  lock.lock();
  Close(conn);
}

void HttpListener::Impl::Serialize(Connection& conn, HttpResponse response, bool head_only,
                                   int minor_version, bool streamed) {
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
  if (!bodiless && !streamed) {
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

}  // namespace rh::server::internal
