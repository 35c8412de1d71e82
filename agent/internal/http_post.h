// HttpPost: one HTTP POST through libcurl, the only place the agent touches curl.
//
// One call = one easy handle = one attempt (no retries, no redirects followed). Success means
// the server answered with some status, whatever it is; failure means no complete HTTP answer
// arrived, classified so the caller can apply its retry policy: a timeout (connect or total),
// a connection problem (refused, reset, dropped mid-body, empty reply, TLS), or a request that
// can never work (malformed URL, unsupported scheme). Headers of the answer are kept with
// lower-cased names. libcurl's global state is initialised once, on first use.
// Thread-safety: safe to call from several threads at once (nothing is shared between calls).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace rh::agent::internal {

struct HttpPostRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{300000};
};

struct HttpPostResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased name, value
  std::string body;

  // The first header named `name` (give it lower-case), or nullopt.
  std::optional<std::string> Header(const std::string& name) const;
};

enum class HttpFailureKind {
  kTimeout,     // connect or total timeout elapsed
  kConnection,  // could not connect, or the connection broke before a full answer
  kRequest,     // the request itself is unusable (bad URL or scheme); retrying cannot help
};

struct HttpFailure {
  HttpFailureKind kind = HttpFailureKind::kConnection;
  std::string message;  // curl's description, e.g. "Failed to connect to 127.0.0.1 port 9"
};

tl::expected<HttpPostResponse, HttpFailure> HttpPost(const HttpPostRequest& request);

}  // namespace rh::agent::internal
