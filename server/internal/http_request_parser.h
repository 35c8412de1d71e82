// HttpRequestParser: reads one HTTP/1.1 (or 1.0) request at a time out of the bytes a connection
// has received, as they trickle in, with every size limit enforced before the bytes are kept.
//
// The parser is fed the connection's input buffer and consumes from its front whatever belongs
// to the current request: the head (request line and headers, at most max_head_bytes, at most
// kMaxHeaders headers), then the body framed by Content-Length or by chunked transfer coding (at
// most max_body_bytes either way; a declared Content-Length over the limit is refused before a
// byte of the body is read). Bytes after the end of the request stay in the buffer: they are the
// next pipelined request.
//
// What it refuses, with the status the listener answers:
//   400  a malformed request line, header line, Content-Length or chunk; obsolete line folding;
//        Content-Length together with Transfer-Encoding; HTTP/1.1 without exactly one Host
//   413  a body over max_body_bytes      431  a head over max_head_bytes or too many headers
//   417  an Expect other than 100-continue      501  a transfer coding other than chunked
//   505  an HTTP version other than 1.0 and 1.1
// After an error the connection cannot be resynchronised; the listener answers and closes it.
//
// Thread-safety: one parser per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rh::server::internal {

// One complete request, as the route handlers see it.
struct HttpRequest {
  std::string method;  // as sent, e.g. "GET" (methods are case-sensitive)
  std::string target;  // the request-target as sent
  std::string path;    // the target's path, percent-decoded ('+' stays '+')
  // The query parameters in order, keys and values percent-decoded with '+' as space. A key may
  // repeat; callers that want one value take the first.
  std::vector<std::pair<std::string, std::string>> query;
  // Header fields in order; names lower-cased, values with surrounding whitespace removed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string host;        // the Host header, or the authority of an absolute-form target
  std::string body;        // the decoded body (chunked framing removed)
  std::string peer;        // the client's address, filled by the listener
  int minor_version = 1;   // HTTP/1.<minor_version>
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive

  // The value of the first header named `lower_name` (lower case), or "" when there is none.
  std::string_view Header(std::string_view lower_name) const;
  bool HasHeader(std::string_view lower_name) const;
};

class HttpRequestParser {
 public:
  struct Limits {
    size_t max_head_bytes = 16 * 1024;
    size_t max_body_bytes = 1 << 20;
  };
  static constexpr size_t kMaxHeaders = 100;

  enum class Step {
    kNeedMore,      // everything so far is valid; feed more bytes
    kHeadComplete,  // the head is parsed and a body follows (returned once per request)
    kComplete,      // the request is complete: take it with TakeRequest()
    kError,         // malformed or over a limit: error_status() and error_message()
  };

  explicit HttpRequestParser(Limits limits) : limits_(limits) {}

  // Consumes from the front of `input` the bytes of the current request it can use. Call again
  // after kHeadComplete (the body may already be in `input`) and after more bytes arrive.
  Step Parse(std::string& input);

  // The finished request; the parser is ready for the next one.
  HttpRequest TakeRequest();

  // After kHeadComplete: the request asked for "Expect: 100-continue" (HTTP/1.1 only), so the
  // client waits for "100 Continue" before it sends the body.
  bool expects_continue() const { return expects_continue_; }
  // The request as far as parsed, for the error's log line.
  const HttpRequest& partial() const { return request_; }

  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class State {
    kStart,
    kHead,
    kFixedBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone,
    kError
  };

  Step Fail(int status, std::string message);
  Step ParseHead(std::string& input);
  Step ParseRequestLine(std::string_view line);
  Step ParseHeaderLine(std::string_view line);
  Step FinishHead();
  Step ParseChunked(std::string& input);

  Limits limits_;
  State state_ = State::kStart;
  size_t line_start_ = 0;  // offset in `input` of the head's first line not yet parsed
  size_t body_remaining_ = 0;
  size_t trailer_bytes_ = 0;
  bool absolute_form_ = false;  // the target carried the authority (it wins over Host)
  bool expects_continue_ = false;
  HttpRequest request_;
  int error_status_ = 0;
  std::string error_message_;
};

// Percent-decodes `text`; with plus_is_space, '+' becomes ' ' (query strings). Malformed escapes
// are kept as they are.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace rh::server::internal
