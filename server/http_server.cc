#include "server/http_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <regex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/redact.h"
#include "server/internal/api.h"
#include "server/internal/web_assets.h"
#include "server/rate_limiter.h"

namespace rh::server {
namespace {

using internal::Api;
using internal::ApiRequest;
using internal::ApiResponse;
using Handler = Result<ApiResponse> (Api::*)(const ApiRequest&);

struct Route {
  const char* method;
  const char* pattern;  // regex over the path; captures become path_params
  const char* name;     // the low-cardinality route label of the metrics
  Handler handler;
};

const std::vector<Route>& ApiRoutes() {
  static const std::vector<Route> routes = {
      {"GET", "/healthz", "/healthz", &Api::Health},
      {"GET", "/metrics", "/metrics", &Api::Metrics},
      {"POST", "/api/v1/investigations", "/api/v1/investigations", &Api::CreateInvestigation},
      {"GET", "/api/v1/investigations", "/api/v1/investigations", &Api::ListInvestigations},
      {"GET", "/api/v1/investigations/([^/]+)", "/api/v1/investigations/{id}",
       &Api::GetInvestigation},
      {"GET", "/api/v1/reports", "/api/v1/reports", &Api::ListReports},
      {"GET", "/api/v1/reports/([^/]+)", "/api/v1/reports/{id}", &Api::GetReport},
      {"GET", "/api/v1/clusters", "/api/v1/clusters", &Api::ListClusters},
      {"GET", "/api/v1/clusters/([^/]+)", "/api/v1/clusters/{id}", &Api::GetCluster},
      {"POST", "/api/v1/alerts/alertmanager", "/api/v1/alerts/alertmanager", &Api::PostAlerts},
  };
  return routes;
}

// Paths that answer with the web page (the page routes itself from location.pathname).
constexpr const char* kPagePattern =
    "/|/reports|/reports/[^/]+|/clusters/[^/]+|/investigate|/investigations/[^/]+";

// Per-request state shared by the pre-routing handler, the route and the access logger. cpp-
// httplib runs a request start to finish on one pool thread, so a thread_local is exact.
struct RequestState {
  std::chrono::steady_clock::time_point start;
  const char* route = "unmatched";
  std::string error_code;
  bool started = false;
};
thread_local RequestState tls_request;

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
    diff |= static_cast<unsigned char>(a[char_idx] ^ b[char_idx]);
  }
  return diff == 0;
}

void Write(const ApiResponse& api_response, httplib::Response& response) {
  response.status = api_response.status;
  for (const auto& [name, value] : api_response.headers) response.set_header(name, value);
  response.set_content(api_response.body, api_response.content_type.c_str());
}

void WriteError(const Error& error, httplib::Response& response, int status_override = 0) {
  ApiResponse api_response = internal::ErrorResponse(error);
  if (status_override != 0) api_response.status = status_override;
  tls_request.error_code = std::string(ErrorCodeName(error.code));
  Write(api_response, response);
}

bool NeedsToken(const std::string& path) { return path.starts_with("/api/") || path == "/metrics"; }

}  // namespace

struct HttpServer::Impl {
  Impl(const Config& config_in, Clock& clock_in, store::Database& fleet, store::Database& memory,
       MetricsRegistry& metrics_in)
      : config(config_in),
        metrics(metrics_in),
        api(config_in, clock_in, fleet, memory, metrics_in),
        limiter(clock_in, config_in.server.rate_limit_per_minute) {}

  void Configure();
  void Serve(const Route& route, const httplib::Request& request, httplib::Response& response);
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& request,
                                            httplib::Response& response);
  void ServePage(const httplib::Request& request, httplib::Response& response);
  void Log(const httplib::Request& request, const httplib::Response& response);

  const Config& config;
  MetricsRegistry& metrics;
  Api api;
  RateLimiter limiter;
  httplib::Server http;
  std::thread listener;
  std::atomic<int> port{0};
  bool started = false;
};

httplib::Server::HandlerResponse HttpServer::Impl::PreRoute(const httplib::Request& request,
                                                            httplib::Response& response) {
  tls_request = RequestState{};
  tls_request.start = std::chrono::steady_clock::now();
  tls_request.started = true;
  if (request.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
  RateLimiter::Decision decision = limiter.Admit(request.remote_addr);
  if (!decision.admitted) {
    response.set_header("Retry-After", std::to_string(decision.retry_after.count()));
    WriteError(Error{ErrorCode::kResourceExhausted,
                     "more than " + std::to_string(config.server.rate_limit_per_minute) +
                         " requests a minute from this client (server.rate_limit_per_minute); "
                         "retry after " +
                         std::to_string(decision.retry_after.count()) + "s",
                     "rate limit"},
               response);
    return httplib::Server::HandlerResponse::Handled;
  }
  const std::string& token = config.secrets.server_token;
  if (!token.empty() && NeedsToken(request.path)) {
    std::string header = request.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = header.size() > kBearer.size() && header.starts_with(kBearer) &&
              ConstantTimeEquals(std::string_view(header).substr(kBearer.size()), token);
    if (!ok) {
      WriteError(Error{ErrorCode::kPermissionDenied,
                       header.empty() ? "missing bearer token: send 'Authorization: Bearer "
                                        "<ROCKHOUND_SERVER_TOKEN>'"
                                      : "wrong bearer token",
                       "authorization"},
                 response);
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void HttpServer::Impl::Serve(const Route& route, const httplib::Request& request,
                             httplib::Response& response) {
  tls_request.route = route.name;
  try {
    ApiRequest api_request;
    api_request.method = request.method;
    api_request.path = request.path;
    for (const auto& [key, value] : request.params) api_request.query.emplace(key, value);
    for (size_t match_idx = 1; match_idx < request.matches.size(); ++match_idx) {
      api_request.path_params.push_back(request.matches[match_idx].str());
    }
    api_request.body = request.body;
    api_request.accept = request.get_header_value("Accept");
    api_request.client = request.remote_addr;
    Result<ApiResponse> result = (api.*route.handler)(api_request);
    if (!result) {
      WriteError(result.error(), response);
      return;
    }
    Write(*result, response);
  } catch (const std::exception& e) {
    Logger("server")->error("{} {}: unexpected exception: {}", request.method, request.path,
                            e.what());
    WriteError(Error{ErrorCode::kInternal, "unexpected failure; see the server log", ""}, response);
  } catch (...) {
    Logger("server")->error("{} {}: unexpected exception", request.method, request.path);
    WriteError(Error{ErrorCode::kInternal, "unexpected failure; see the server log", ""}, response);
  }
}

void HttpServer::Impl::ServePage(const httplib::Request& request, httplib::Response& response) {
  std::string name = "index.html";
  if (request.path.starts_with("/assets/")) {
    name = request.path.substr(8);
    tls_request.route = "/assets";
  } else {
    tls_request.route = "/ (page)";
  }
  auto asset = internal::FindWebAsset(name);
  if (!asset) {
    WriteError(Error{ErrorCode::kNotFound, "no such file", request.path}, response);
    return;
  }
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                      "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
  response.set_content(std::string(asset->content), std::string(asset->content_type).c_str());
}

void HttpServer::Impl::Log(const httplib::Request& request, const httplib::Response& response) {
  double seconds = 0;
  if (tls_request.started) {
    seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - tls_request.start).count();
  }
  const std::string route = tls_request.route;
  const std::string status = std::to_string(response.status);
  metrics
      .Counter("rockhound_http_requests_total", "HTTP requests by route, method and status",
               {{"method", request.method}, {"route", route}, {"status", status}})
      .Add();
  metrics
      .Histogram("rockhound_http_request_duration_seconds", "HTTP request latency by route",
                 {{"route", route}}, DefaultSecondsBuckets())
      .Observe(seconds);
  if (response.status >= 400) {
    std::string code = tls_request.error_code.empty() ? "http_" + status : tls_request.error_code;
    metrics
        .Counter("rockhound_http_errors_total", "HTTP error responses by route and error code",
                 {{"code", code}, {"route", route}})
        .Add();
  }
  // The path only (never the query string or a header): nothing secret reaches the log.
  Logger("server")->info("{} \"{} {}\" {} {}B {:.1f}ms", request.remote_addr, request.method,
                         RedactSecrets(request.path), response.status, response.body.size(),
                         seconds * 1000.0);
  tls_request = RequestState{};
}

void HttpServer::Impl::Configure() {
  const int threads = config.server.threads;
  http.new_task_queue = [threads] {
    // cpp-httplib takes ownership of the pool it is handed.
    return std::make_unique<httplib::ThreadPool>(static_cast<size_t>(threads)).release();
  };
  http.set_payload_max_length(static_cast<size_t>(config.server.max_body_bytes));
  http.set_keep_alive_max_count(10000);
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(10);
  http.set_write_timeout(10);
  http.set_tcp_nodelay(true);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would let a second server
  // silently share a port already in use.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        return PreRoute(request, response);
      });
  for (const Route& route : ApiRoutes()) {
    auto handler = [this, &route](const httplib::Request& request, httplib::Response& response) {
      Serve(route, request, response);
    };
    if (std::string_view(route.method) == "GET") {
      http.Get(route.pattern, handler);
    } else {
      http.Post(route.pattern, handler);
    }
  }
  auto page = [this](const httplib::Request& request, httplib::Response& response) {
    ServePage(request, response);
  };
  http.Get(kPagePattern, page);
  http.Get("/assets/([a-z0-9_.-]+)", page);
  http.Get("/favicon.ico",
           [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
  // Everything that reaches here without a body is an error cpp-httplib produced itself:
  // no route (404), a body over server.max_body_bytes (413), a malformed request (400).
  http.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (response.status == 413) {
      WriteError(Error{ErrorCode::kResourceExhausted,
                       "is larger than server.max_body_bytes (" +
                           std::to_string(config.server.max_body_bytes) + " bytes)",
                       "request body"},
                 response, 413);
    } else if (response.status == 404) {
      WriteError(Error{ErrorCode::kNotFound, "no such route; see server/README.md",
                       request.method + " " + request.path},
                 response);
    } else {
      WriteError(Error{ErrorCode::kInvalidArgument, "malformed HTTP request", ""}, response,
                 response.status);
    }
  });
  http.set_exception_handler([](const httplib::Request& request, httplib::Response& response,
                                std::exception_ptr) {
    Logger("server")->error("{} {}: unexpected exception", request.method, request.path);
    WriteError(Error{ErrorCode::kInternal, "unexpected failure; see the server log", ""}, response);
  });
  http.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    Log(request, response);
  });
}

HttpServer::HttpServer(const Config& config, Clock& clock, store::Database& fleet,
                       store::Database& memory, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(config, clock, fleet, memory, metrics)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Start() {
  if (impl_->started) return impl_->port.load();
  impl_->Configure();
  const std::string& bind = impl_->config.server.bind;
  int port = impl_->config.server.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(bind);
    if (port <= 0) return Unavailable("server.bind " + bind, "cannot bind any port");
  } else if (!impl_->http.bind_to_port(bind, port)) {
    return Unavailable(bind + ":" + std::to_string(port),
                       "cannot bind: the port is in use or the address is not local");
  }
  impl_->port = port;
  impl_->started = true;
  impl_->listener = std::thread([this] { impl_->http.listen_after_bind(); });
  Logger("server")->info("listening on http://{}:{} ({} threads, token {})", bind, port,
                         impl_->config.server.threads,
                         impl_->config.secrets.server_token.empty() ? "off" : "required");
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->http.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->started = false;
}

int HttpServer::port() const { return impl_->port.load(); }

}  // namespace rh::server
