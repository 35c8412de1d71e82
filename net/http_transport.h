// HttpTransport: the one door through which Rockhound sends an HTTP request to another service
// (the Anthropic API, an embeddings service, a chat webhook, and every later outbound client).
//
// One Send = one attempt: no retries, no redirects followed, no cookies. Success means the
// server answered with some status, whatever it is (a 503 is a success here); failure means no
// complete HTTP answer arrived, classified so the caller can apply its own retry policy
// (net/backoff.h): a timeout, a connection problem, or a request that can never work. What to
// retry and how long to wait is the caller's business, never the transport's.
//
// The interface is small and pure-virtual so a client can be given a fake in tests; production
// code uses CurlTransport (net/curl_transport.h). Implementations must be safe to call from
// several threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace rh::net {

// The User-Agent Rockhound sends (the default transport adds it to a request that has none).
inline constexpr char kUserAgent[] = "rockhound/0.1 (libcurl)";

enum class HttpMethod { kGet, kPost };

// "GET" or "POST".
std::string_view HttpMethodName(HttpMethod method);

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;      // name, value
using QueryParameters = std::vector<std::pair<std::string, std::string>>;  // name, value

struct HttpRequest {
  HttpMethod method = HttpMethod::kPost;
  std::string url;      // absolute http(s) URL, query string included (see WithQuery)
  HttpHeaders headers;  // sent as given; a header with an empty value is sent empty
  std::string body;     // POST only; ignored for GET
  std::chrono::milliseconds connect_timeout{10000};  // to establish the connection
  std::chrono::milliseconds total_timeout{300000};   // the whole attempt, connection included
  // Set: called with each piece of a 2xx answer's body as it arrives (a streamed answer, e.g.
  // Server-Sent Events); the body is still returned whole. A transport that cannot stream may
  // never call it (the caller then reads the whole body).
  std::function<void(std::string_view)> on_body;
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;  // lower-cased names, values trimmed; only the final answer's headers
  std::string body;

  // The first header called `name` (any case), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

enum class HttpFailureKind {
  kTimeout,     // the connect or total timeout elapsed
  kConnection,  // could not connect (refused, DNS, TLS), or the connection broke before a full
                // answer (reset, dropped mid-body, empty reply)
  kRequest,     // the request itself is unusable (malformed URL, unsupported scheme); retrying
                // cannot help
};

// "timeout", "connection" or "request".
std::string_view HttpFailureKindName(HttpFailureKind kind);

struct HttpFailure {
  HttpFailureKind kind = HttpFailureKind::kConnection;
  std::string message;  // the library's words, e.g. "Failed to connect to 127.0.0.1 port 9 ..."
};

using HttpResult = tl::expected<HttpResponse, HttpFailure>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` once and returns the answer or why there was none. Never throws.
  virtual HttpResult Send(const HttpRequest& request) = 0;
};

// The production transport, a CurlTransport (net/curl_transport.h); clients that are not given
// a transport own one of these, so no module above net/ needs to know which library sends.
std::unique_ptr<HttpTransport> MakeDefaultHttpTransport();

// `url` with `parameters` appended as a query string ("?a=1&b=x%20y", or "&..." when `url`
// already has one), names and values percent-encoded (RFC 3986: everything but A-Z a-z 0-9
// - . _ ~). No parameters: `url` unchanged.
std::string WithQuery(std::string_view url, const QueryParameters& parameters);

}  // namespace rh::net
