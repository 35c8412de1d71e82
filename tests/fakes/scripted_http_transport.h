// ScriptedHttpTransport: a net::HttpTransport that answers from a script instead of the network,
// for tests that check exactly what a client hands to the transport (method, URL, headers,
// timeouts) and how it reacts to each kind of answer or failure. Tests of the wire itself use a
// real server on 127.0.0.1 instead (tests/net/).
//
// Each Send records the request and pops the next scripted result; past the end of the script it
// answers a connection failure "script exhausted". Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "net/http_transport.h"

namespace rh::testing {

class ScriptedHttpTransport final : public net::HttpTransport {
 public:
  // An answer with `status`, `body` and headers (give the names lower-cased, as a transport does).
  static net::HttpResult Answer(long status, std::string body = "", net::HttpHeaders headers = {}) {
    net::HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
  }
  static net::HttpResult Failure(net::HttpFailureKind kind, std::string message) {
    return tl::unexpected(net::HttpFailure{kind, std::move(message)});
  }

  explicit ScriptedHttpTransport(std::vector<net::HttpResult> script = {})
      : script_(script.begin(), script.end()) {}

  void Add(net::HttpResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_.push_back(std::move(result));
  }

  net::HttpResult Send(const net::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (script_.empty()) return Failure(net::HttpFailureKind::kConnection, "script exhausted");
    net::HttpResult result = std::move(script_.front());
    script_.pop_front();
    return result;
  }

  std::vector<net::HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<net::HttpResult> script_;
  std::vector<net::HttpRequest> requests_;
};

// The value of the first header called `name` (exact spelling) in `request`, or "".
inline std::string SentHeader(const net::HttpRequest& request, const std::string& name) {
  for (const auto& [header_name, value] : request.headers) {
    if (header_name == name) return value;
  }
  return "";
}

}  // namespace rh::testing
