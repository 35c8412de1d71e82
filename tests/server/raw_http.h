// RawHttpConnection: a plain TCP client for the HTTP tests that need to misbehave — send a head
// slowly, stop mid-body, pipeline, send malformed bytes, come from another loopback address
// (127.0.0.2, ...) — and to see exactly what the server answers and when it closes.
// Blocking socket with poll()-based timeouts; one connection per object, one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace rh::testing {

struct RawHttpResponse {
  int status = 0;  // 0: no complete response (closed, reset or timed out)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto found = headers.find(lower_name);
    return found == headers.end() ? "" : found->second;
  }
};

class RawHttpConnection {
 public:
  // Connects to 127.0.0.1:port, from `source` (another loopback address) when given.
  explicit RawHttpConnection(int port, const char* source = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    int yes = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, source, &local.sin_addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        Reset();
        return;
      }
    }
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0) Reset();
  }
  ~RawHttpConnection() { Reset(); }
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  bool ok() const { return fd_ >= 0; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads one response (status line, headers, a Content-Length body; a body without one runs to
  // the close). Interim 1xx responses are returned like any other. `head_request`: the answer
  // to a HEAD, whose Content-Length announces a body that is not sent.
  RawHttpResponse ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                               bool head_request = false) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    RawHttpResponse response;
    size_t head_end = std::string::npos;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return response;
    }
    const std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    if (head.size() < 12 || !head.starts_with("HTTP/1.")) return response;
    size_t line_end = head.find("\r\n");
    for (size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
      const size_t start = pos + 2;
      const size_t end = head.find("\r\n", start);
      const std::string line = head.substr(start, end == std::string::npos ? end : end - start);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t value_start = colon + 1;
        while (value_start < line.size() && line[value_start] == ' ') ++value_start;
        response.headers[name] = line.substr(value_start);
      }
      pos = end;
    }
    const int status = std::atoi(head.substr(9, 3).c_str());
    if (status >= 200 && status != 204 && status != 304 && !head_request) {
      const std::string length = response.Header("content-length");
      if (!length.empty()) {
        const size_t want = std::stoul(length);
        while (buffer_.size() < want) {
          if (!Fill(deadline)) return response;
        }
        response.body = buffer_.substr(0, want);
        buffer_.erase(0, want);
      } else {
        while (Fill(deadline)) {
        }
        response.body.swap(buffer_);
      }
    }
    response.status = status;
    return response;
  }

  // True when the server closes the connection (EOF or reset) within `timeout`; bytes that
  // arrive meanwhile are kept for ReadResponse.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const FillResult result = FillOnce(deadline);
      if (result == FillResult::kClosed) return true;
      if (result == FillResult::kTimeout) return false;
    }
  }

  // Reads until what has arrived contains `text` `times` times (true), or `timeout` passes or
  // the connection closes (false); everything read is kept in pending().
  bool ReadUntil(std::string_view text, std::chrono::milliseconds timeout, int times = 1) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Occurrences(text) < times) {
      if (!Fill(deadline)) return false;
    }
    return true;
  }
  int Occurrences(std::string_view text) const {
    int count = 0;
    for (size_t at = buffer_.find(text); at != std::string::npos;
         at = buffer_.find(text, at + text.size())) {
      ++count;
    }
    return count;
  }

  const std::string& pending() const { return buffer_; }

 private:
  enum class FillResult { kData, kClosed, kTimeout };

  bool Fill(std::chrono::steady_clock::time_point deadline) {
    return FillOnce(deadline) == FillResult::kData;
  }

  FillResult FillOnce(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0) return FillResult::kClosed;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return FillResult::kTimeout;
    pollfd poll_fd{fd_, POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready == 0) return FillResult::kTimeout;
    if (ready < 0) return FillResult::kClosed;
    char chunk[16384];
    const ssize_t received = recv(fd_, chunk, sizeof(chunk), 0);
    if (received <= 0) return FillResult::kClosed;
    buffer_.append(chunk, static_cast<size_t>(received));
    return FillResult::kData;
  }

  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace rh::testing
