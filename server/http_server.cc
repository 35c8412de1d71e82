#include "server/http_server.h"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/redact.h"
#include "server/internal/api.h"
#include "server/internal/http_listener.h"
#include "server/internal/routes.h"
#include "server/internal/web_assets.h"
#include "server/rate_limiter.h"

namespace rh::server {
namespace {

using internal::Api;
using internal::ApiRequest;
using internal::ApiResponse;
using internal::HttpRefusal;
using internal::HttpRequest;
using internal::HttpResponse;
using internal::ApiRoutes;
using internal::kAssetPattern;
using internal::MatchPattern;
using internal::PagePatterns;
using internal::Route;

// A keep-alive connection may wait this long for its next request.
constexpr std::chrono::seconds kKeepAliveIdle{5};
constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr int kListenBacklog = 1024;

// A path of the web page or of its static files.
bool IsPagePath(std::string_view path) {
  const auto pages = PagePatterns();
  return MatchPattern(kAssetPattern, path, nullptr) ||
         std::any_of(pages.begin(), pages.end(),
                     [&](const char* pattern) { return MatchPattern(pattern, path, nullptr); });
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
    diff |= static_cast<unsigned char>(a[char_idx] ^ b[char_idx]);
  }
  return diff == 0;
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool NeedsToken(const std::string& path) { return path.starts_with("/api/") || path == "/metrics"; }

bool ChangesState(const std::string& method) { return method != "GET" && method != "HEAD"; }

// Bodies a browser sends to another site without asking first (a CORS "simple request"), so a
// page anywhere could post them here.
bool IsCrossSiteFormType(std::string_view content_type) {
  const std::string media = ToLower(Trim(content_type.substr(0, content_type.find(';'))));
  return media == "text/plain" || media == "application/x-www-form-urlencoded" ||
         media == "multipart/form-data";
}

// A Host value split into its lower-cased name ("[::1]" keeps its brackets) and port (-1 when
// there is none). False when it is not host[:port].
bool SplitHostPort(std::string_view text, std::string& name, int& port) {
  port = -1;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    name = ToLower(text.substr(0, close + 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = text.find(':');
    name = ToLower(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (name.empty()) return false;
  if (!port_text.empty() || text.ends_with(':')) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return false;
  }
  return true;
}

bool IsIpLiteral(const std::string& name) {
  unsigned char address[16];
  if (inet_pton(AF_INET, name.c_str(), address) == 1) return true;
  return name.size() > 2 && name.front() == '[' && name.back() == ']' &&
         inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), address) == 1;
}

bool IsWildcard(const std::string& bind) {
  return bind.empty() || bind == "0.0.0.0" || bind == "::" || bind == "[::]";
}

bool IsLoopbackBind(const std::string& bind) {
  return bind == "localhost" || bind == "::1" || bind == "[::1]" || bind.starts_with("127.");
}

// The names this server answers to (the Host check), from server.bind and server.allowed_hosts.
struct HostNames {
  struct Allowed {
    std::string name;
    int port = -1;  // -1: any port
  };
  std::vector<std::string> names;  // accepted with the bound port
  bool any_ip_literal = false;     // wildcard bind: any IP literal with the bound port
  std::vector<Allowed> allowed;

  explicit HostNames(const ServerConfig& server) {
    if (IsWildcard(server.bind)) {
      any_ip_literal = true;
      names.push_back("localhost");
    } else {
      std::string bind = ToLower(server.bind);
      if (bind.find(':') != std::string::npos && !bind.starts_with('[')) bind = "[" + bind + "]";
      names.push_back(bind);
      if (IsLoopbackBind(server.bind)) {
        for (const char* loopback : {"localhost", "127.0.0.1", "[::1]"}) {
          if (bind != loopback) names.push_back(loopback);
        }
      }
    }
    std::string_view list = server.allowed_hosts;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view entry = Trim(list.substr(0, comma));
      Allowed host;
      if (!entry.empty() && SplitHostPort(entry, host.name, host.port)) {
        allowed.push_back(std::move(host));
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }

  // True when `host` (a Host header value) names this server listening on `port`.
  bool Accepts(std::string_view host, int port) const {
    std::string name;
    int host_port = -1;
    if (!SplitHostPort(host, name, host_port)) return false;
    const int effective_port = host_port < 0 ? 80 : host_port;
    for (const Allowed& entry : allowed) {
      if (entry.name == name && (entry.port < 0 || entry.port == effective_port)) return true;
    }
    if (effective_port != port) return false;
    if (std::find(names.begin(), names.end(), name) != names.end()) return true;
    return any_ip_literal && IsIpLiteral(name);
  }

  // True when `origin` ("scheme://host[:port]") names an allowed_hosts entry.
  bool AllowsOrigin(std::string_view origin) const {
    const size_t scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;
    const std::string scheme = ToLower(origin.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return false;
    std::string name;
    int origin_port = -1;
    if (!SplitHostPort(origin.substr(scheme_end + 3), name, origin_port)) return false;
    if (origin_port < 0) origin_port = scheme == "https" ? 443 : 80;
    return std::any_of(allowed.begin(), allowed.end(), [&](const Allowed& entry) {
      return entry.name == name && (entry.port < 0 || entry.port == origin_port);
    });
  }

  // "127.0.0.1:8080, localhost:8080, [::1]:8080" for the refusal message.
  std::string Describe(int port) const {
    std::string text;
    for (const std::string& name : names) {
      text += (text.empty() ? "" : ", ") + name + ":" + std::to_string(port);
    }
    if (any_ip_literal) text += ", any IP address with port " + std::to_string(port);
    for (const Allowed& entry : allowed) {
      text += ", " + entry.name + (entry.port < 0 ? "" : ":" + std::to_string(entry.port));
    }
    return text;
  }
};

// "https://rockhound.example.com" from server.public_url ("" when unset or unparsable).
std::string OriginOf(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  return ToLower(url.substr(0, authority_end));
}

// What the access log and the metrics need to know about one request.
struct RequestState {
  Stopwatch elapsed;
  const char* route = "unmatched";
  std::string error_code;
  std::string rejection_reason;  // a refused webhook post: why (set by the route)
};

// The source of a webhook route's path (its last segment: "alertmanager", "grafana"), or ""
// for any other path.
std::string_view WebhookSource(std::string_view path) {
  for (const Route& route : ApiRoutes()) {
    if (route.handler == &Api::PostAlerts && path == route.pattern) {
      return path.substr(path.rfind('/') + 1);
    }
  }
  return "";
}

// Why a webhook post was refused before its route ran (auth, limits, the listener), by status.
std::string RefusalReason(int status) {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden_origin";
    case 408:
      return "timeout";
    case 413:
      return "too_large";
    case 415:
      return "unsupported_media_type";
    case 421:
      return "wrong_host";
    case 429:
      return "rate_limited";
    default:
      return "http_" + std::to_string(status);
  }
}

HttpResponse ToHttp(ApiResponse api_response) {
  HttpResponse response;
  response.status = api_response.status;
  response.content_type = std::move(api_response.content_type);
  response.body = std::move(api_response.body);
  response.headers = std::move(api_response.headers);
  response.stream = std::move(api_response.stream);
  return response;
}

HttpResponse ErrorHttpResponse(const Error& error, RequestState& state, int status_override = 0) {
  ApiResponse api_response = internal::ErrorResponse(error);
  if (status_override != 0) api_response.status = status_override;
  state.error_code = std::string(ErrorCodeName(error.code));
  return ToHttp(std::move(api_response));
}

// The error code of a refusal the listener made itself.
ErrorCode RefusalCode(int status) {
  switch (status) {
    case 408:
      return ErrorCode::kDeadlineExceeded;
    case 413:
    case 431:
      return ErrorCode::kResourceExhausted;
    case 503:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInvalidArgument;
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(service::Runtime& runtime, MetricsRegistry& metrics_in, const HttpServerTimings& timings)
      : config(runtime.config()),
        metrics(metrics_in),
        api(runtime, metrics_in, timings.event_heartbeat),
        limiter(runtime.clock(), runtime.config().server.rate_limit_per_minute),
        hosts(runtime.config().server),
        public_origin(OriginOf(runtime.config().server.public_url)),
        log(Logger("server")) {}

  HttpResponse Handle(const HttpRequest& request);
  HttpResponse Refused(const HttpRefusal& refusal);
  std::optional<HttpResponse> PreRoute(const HttpRequest& request, RequestState& state);
  HttpResponse Dispatch(const HttpRequest& request, RequestState& state);
  HttpResponse Serve(const Route& route, const HttpRequest& request,
                     std::vector<std::string> path_params, RequestState& state);
  HttpResponse ServePage(const HttpRequest& request, RequestState& state);
  void Record(const std::string& peer, const std::string& method, const std::string& path,
              const HttpResponse& response, const RequestState& state);
  int BoundPort() const { return listener ? listener->port() : 0; }

  const Config& config;
  MetricsRegistry& metrics;
  Api api;
  RateLimiter limiter;
  const HostNames hosts;
  const std::string public_origin;
  const std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<internal::HttpListener> listener;
  bool started = false;
};

HttpResponse HttpServer::Impl::Handle(const HttpRequest& request) {
  RequestState state;
  HttpResponse response;
  try {
    std::optional<HttpResponse> refused = PreRoute(request, state);
    response = refused ? std::move(*refused) : Dispatch(request, state);
  } catch (const std::exception& e) {
    log->error("{} {}: unexpected exception: {}", request.method, RedactSecrets(request.path),
               e.what());
    response = ErrorHttpResponse(
        Error{ErrorCode::kInternal, "unexpected failure; see the server log", ""}, state);
  }
  Record(request.peer, request.method, request.path, response, state);
  return response;
}

std::optional<HttpResponse> HttpServer::Impl::PreRoute(const HttpRequest& request,
                                                       RequestState& state) {
  // Liveness answers whoever asks, by whatever name: probes and load balancers.
  if (request.path == "/healthz") return std::nullopt;
  RateLimiter::Decision decision = limiter.Admit(request.peer);
  if (!decision.admitted) {
    HttpResponse response = ErrorHttpResponse(
        Error{ErrorCode::kResourceExhausted,
              "more than " + std::to_string(config.server.rate_limit_per_minute) +
                  " requests a minute from this client (server.rate_limit_per_minute); retry "
                  "after " +
                  std::to_string(decision.retry_after.count()) + "s",
              "rate limit"},
        state);
    response.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
    return response;
  }
  // DNS rebinding: a page of another site whose name now resolves to this address still sends
  // its own name as Host.
  const int port = BoundPort();
  if (!hosts.Accepts(request.host, port)) {
    return ErrorHttpResponse(
        Error{ErrorCode::kPermissionDenied,
              "'" + request.host + "' does not name this server (it answers to " +
                  hosts.Describe(port) +
                  "); to reach it under another name, add the name to server.allowed_hosts",
              "Host"},
        state, 421);
  }
  if (ChangesState(request.method)) {
    if (request.HasHeader("origin")) {
      const std::string origin = ToLower(request.Header("origin"));
      const std::string host = ToLower(request.host);
      const bool own = origin == "http://" + host || origin == "https://" + host ||
                       (!public_origin.empty() && origin == public_origin) ||
                       hosts.AllowsOrigin(origin);
      if (!own) {
        return ErrorHttpResponse(
            Error{ErrorCode::kPermissionDenied,
                  "'" + std::string(request.Header("origin")) +
                      "' is not this server's origin (http://" + request.host +
                      "); pages of other sites may not change anything here. If this page is "
                      "served under another name, set server.public_url or "
                      "server.allowed_hosts",
                  "Origin"},
            state);
      }
    }
    const std::string_view content_type = request.Header("content-type");
    if (IsCrossSiteFormType(content_type)) {
      return ErrorHttpResponse(
          Error{ErrorCode::kInvalidArgument,
                "'" + std::string(content_type) +
                    "' is not accepted by a route that changes state (a browser sends it from "
                    "any site without asking); send Content-Type: application/json",
                "Content-Type"},
          state, 415);
    }
  }
  const std::string& token = config.secrets.server_token;
  if (!token.empty() && NeedsToken(request.path)) {
    const std::string_view header = request.Header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    const bool ok = header.size() > kBearer.size() && header.starts_with(kBearer) &&
                    ConstantTimeEquals(header.substr(kBearer.size()), token);
    if (!ok) {
      // 401 with the scheme to use (RFC 9110 §11.6.1, RFC 6750 §3): the client did not prove
      // who it is, which a token fixes; 403 stays for what no token would allow.
      HttpResponse response = ErrorHttpResponse(Error{ErrorCode::kPermissionDenied,
                                                      header.empty()
                                                          ? "missing bearer token: send "
                                                            "'Authorization: Bearer "
                                                            "<ROCKHOUND_SERVER_TOKEN>'"
                                                          : "wrong bearer token",
                                                      "authorization"},
                                                state, 401);
      response.headers.emplace_back(
          "WWW-Authenticate", header.empty() ? "Bearer realm=\"rockhound\""
                                             : "Bearer realm=\"rockhound\", error=\"invalid_token\"");
      return response;
    }
  }
  return std::nullopt;
}

HttpResponse HttpServer::Impl::Dispatch(const HttpRequest& request, RequestState& state) {
  // HEAD is GET without the body (the listener drops it).
  std::string_view method = request.method;
  if (method == "HEAD") method = "GET";
  for (const Route& route : ApiRoutes()) {
    if (method != route.method) continue;
    std::vector<std::string> captures;
    if (MatchPattern(route.pattern, request.path, &captures)) {
      return Serve(route, request, std::move(captures), state);
    }
  }
  if (method == "GET") {
    if (IsPagePath(request.path)) {
      return ServePage(request, state);
    }
    if (request.path == "/favicon.ico") {
      state.route = "/favicon.ico";
      HttpResponse response;
      response.status = 204;
      response.content_type.clear();
      return response;
    }
  }
  // The path exists with other methods: 405 with the ones it has (RFC 9110 §15.5.6).
  std::vector<std::string> allowed;
  for (const Route& route : ApiRoutes()) {
    if (MatchPattern(route.pattern, request.path, nullptr) &&
        std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.emplace_back(route.method);
    }
  }
  if (IsPagePath(request.path) &&
      std::find(allowed.begin(), allowed.end(), "GET") == allowed.end()) {
    allowed.emplace_back("GET");
  }
  if (!allowed.empty()) {
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) {
      allowed.emplace_back("HEAD");
    }
    std::string allow;
    for (const std::string& name : allowed) allow += (allow.empty() ? "" : ", ") + name;
    state.route = "method_not_allowed";
    HttpResponse response = ErrorHttpResponse(
        Error{ErrorCode::kInvalidArgument,
              request.method + " is not allowed here; this path answers " + allow, "method"},
        state, 405);
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  return ErrorHttpResponse(Error{ErrorCode::kNotFound, "no such route; see server/README.md",
                                 request.method + " " + request.path},
                           state);
}

HttpResponse HttpServer::Impl::Serve(const Route& route, const HttpRequest& request,
                                     std::vector<std::string> path_params, RequestState& state) {
  state.route = route.pattern;
  try {
    ApiRequest api_request;
    api_request.method = request.method;
    api_request.path = request.path;
    for (const auto& [key, value] : request.query) api_request.query.emplace(key, value);
    api_request.path_params = std::move(path_params);
    api_request.body = request.body;
    api_request.accept = std::string(request.Header("accept"));
    api_request.last_event_id = std::string(request.Header("last-event-id"));
    api_request.client = request.peer;
    if (Status known = internal::CheckQueryParameters(route, api_request); !known) {
      state.rejection_reason = "unknown_parameter";
      return ErrorHttpResponse(known.error(), state);
    }
    Result<ApiResponse> result = (api.*route.handler)(api_request);
    if (!result) {
      if (route.handler == &Api::PostAlerts) {
        state.rejection_reason = internal::WebhookRejectionReason(result.error());
      }
      return ErrorHttpResponse(result.error(), state);
    }
    return ToHttp(std::move(*result));
  } catch (const std::exception& e) {
    log->error("{} {}: unexpected exception: {}", request.method, RedactSecrets(request.path),
               e.what());
  } catch (...) {
    log->error("{} {}: unexpected exception", request.method, RedactSecrets(request.path));
  }
  return ErrorHttpResponse(
      Error{ErrorCode::kInternal, "unexpected failure; see the server log", ""}, state);
}

HttpResponse HttpServer::Impl::ServePage(const HttpRequest& request, RequestState& state) {
  std::string name = "index.html";
  if (request.path.starts_with("/assets/")) {
    name = request.path.substr(8);
    state.route = "/assets";
  } else {
    state.route = "/ (page)";
  }
  const bool plain_name = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
  auto asset = plain_name ? internal::FindWebAsset(name) : std::nullopt;
  if (!asset) {
    return ErrorHttpResponse(Error{ErrorCode::kNotFound, "no such file", request.path}, state);
  }
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->content);
  response.headers = {
      {"Cache-Control", "no-cache"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'"}};
  return response;
}

HttpResponse HttpServer::Impl::Refused(const HttpRefusal& refusal) {
  RequestState state;
  HttpResponse response = ErrorHttpResponse(
      Error{RefusalCode(refusal.status), refusal.message, "request"}, state, refusal.status);
  Record(refusal.peer, refusal.method.empty() ? "-" : refusal.method,
         refusal.path.empty() ? "-" : refusal.path, response, state);
  return response;
}

void HttpServer::Impl::Record(const std::string& peer, const std::string& method,
                              const std::string& path, const HttpResponse& response,
                              const RequestState& state) {
  const double seconds = state.elapsed.ElapsedSeconds();
  const std::string route = state.route;
  const std::string status = std::to_string(response.status);
  metrics
      .Counter("rockhound_http_requests_total", "HTTP requests by route, method and status",
               {{"method", method}, {"route", route}, {"status", status}})
      .Add();
  metrics
      .Histogram("rockhound_http_request_duration_seconds", "HTTP request latency by route",
                 {{"route", route}}, DefaultSecondsBuckets())
      .Observe(seconds);
  if (response.status >= 400) {
    const std::string code = state.error_code.empty() ? "http_" + status : state.error_code;
    metrics
        .Counter("rockhound_http_errors_total", "HTTP error responses by route and error code",
                 {{"code", code}, {"route", route}})
        .Add();
  }
  // A refused webhook post, by reason: Alertmanager never retries a 4xx, so each one is an alert
  // lost until someone fixes the sender.
  if (const std::string_view source = WebhookSource(path);
      response.status >= 400 && method == "POST" && !source.empty()) {
    metrics
        .Counter("rockhound_webhook_rejections_total",
                 "Webhook posts refused (nothing stored), by source and reason",
                 {{"reason", state.rejection_reason.empty() ? RefusalReason(response.status)
                                                            : state.rejection_reason},
                  {"source", std::string(source)}})
        .Add();
  }
  // The path only (never the query string or a header): nothing secret reaches the log.
  if (log->should_log(spdlog::level::info)) {
    log->info("{} \"{} {}\" {} {}B {:.1f}ms", peer, method, RedactSecrets(path), response.status,
              response.body.size(), seconds * 1000.0);
  }
}

HttpServer::HttpServer(service::Runtime& runtime, MetricsRegistry& metrics,
                       HttpServerTimings timings)
    : impl_(std::make_unique<Impl>(runtime, metrics, timings)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Start() {
  if (impl_->started) return impl_->BoundPort();
  const ServerConfig& server = impl_->config.server;
  internal::HttpListenerOptions options;
  options.bind = server.bind;
  options.port = server.port;
  options.handler_threads = server.threads;
  options.header_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(server.header_timeout);
  options.body_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(server.body_timeout);
  options.write_timeout = options.body_timeout;
  options.idle_timeout = kKeepAliveIdle;
  options.max_head_bytes = kMaxHeadBytes;
  options.max_body_bytes = static_cast<size_t>(server.max_body_bytes);
  options.max_connections = server.max_connections;
  options.max_connections_per_client = server.max_connections_per_client;
  options.listen_backlog = kListenBacklog;
  Impl* impl = impl_.get();
  impl_->listener = std::make_unique<internal::HttpListener>(
      options, [impl](const HttpRequest& request) { return impl->Handle(request); },
      [impl](const HttpRefusal& refusal) { return impl->Refused(refusal); });
  RH_ASSIGN_OR_RETURN(int port, impl_->listener->Start());
  impl_->started = true;
  impl_->log->info(
      "listening on http://{}:{} ({} handler threads, at most {} connections, {} per client; "
      "token {})",
      server.bind, port, server.threads, server.max_connections, server.max_connections_per_client,
      impl_->config.secrets.server_token.empty() ? "off" : "required");
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->listener->Stop();
  impl_->started = false;
}

int HttpServer::port() const { return impl_->BoundPort(); }

}  // namespace rh::server
