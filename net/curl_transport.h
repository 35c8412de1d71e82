// CurlTransport: the HttpTransport of production, over libcurl (the only place Rockhound
// touches libcurl's transfer API; its headers stay in curl_transport.cc).
//
// Each Send uses its own easy handle, so one CurlTransport may serve every thread at once and
// nothing leaks from one attempt into the next. Only http:// and https:// URLs are sent (any
// other scheme is a kRequest failure, so a file:// URL in a config value reads nothing).
// Redirects are not followed (a 3xx is returned as the answer), "Expect: 100-continue" is never
// sent, compressed answers are decoded, and a request without a user-agent header is sent with
// kUserAgent. Timeouts below 1 ms count as 1 ms. libcurl's global state is initialised once per
// process, by the first CurlTransport built.
// Thread-safety: Send may be called concurrently.
#pragma once

#include "net/http_transport.h"

namespace rh::net {

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();

  HttpResult Send(const HttpRequest& request) override;
};

}  // namespace rh::net
