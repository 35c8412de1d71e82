// HttpServer: `rockhound serve` — the HTTP API, the web page, the Alertmanager webhook, /healthz
// and the Prometheus /metrics, in one process, on our own HTTP/1.1 core
// (internal/http_listener.h): one event-loop thread reads requests under deadlines and
// connection caps, a fixed pool of server.threads handler threads serves complete requests.
//
// Routes (internal/routes.h is the table; server/README.md and GET /api/v1/openapi.json
// document each with its parameters and answers):
//   GET  /healthz                         liveness + database probes (never needs the token)
//   GET  /metrics                         Prometheus text format
//   GET  /api/v1/openapi.json             the OpenAPI 3.1 description (server/openapi.json)
//   POST /api/v1/investigations           {cluster_id, question?, priority?} -> 202 + task
//   GET  /api/v1/investigations[/{task}]  task status, and the report once done
//   GET  /api/v1/reports[/{id}]           filters + cursor; one report as JSON or Markdown
//   GET  /api/v1/clusters[/{id}]          latest score and risk per cluster; one cluster in depth
//   POST /api/v1/alerts/alertmanager      Alertmanager v4 / Grafana webhook -> lark_alerts
//   GET  /api/v1/alerts, /api/v1/issues[/{id}[/ack|triage|disposition]]   alerts and issues
//   GET  /, /reports..., /clusters/..., /investigate, /investigations/...   the web page
//
// Before a request reaches a handler thread the listener enforces server.header_timeout,
// server.body_timeout, server.max_body_bytes (413), the head size (431),
// server.max_connections and server.max_connections_per_client (503). Then every request
// passes, in order: the per-client rate limit (429); the Host check against server.bind and
// server.allowed_hosts (421, DNS-rebinding defence); on state-changing methods the cross-site
// rules (a foreign Origin is 403; text/plain, form-urlencoded and multipart bodies are 415); the
// bearer token when secrets.server_token is set (401 + WWW-Authenticate); then the route (a
// query parameter it does not take is a 400 naming it), wrapped so that an Error
// or an exception becomes one JSON error response {"error":{"code","message"}} with
// HttpStatusFor(code). /healthz skips the four checks. Each request (the listener's refusals
// too) is counted in rockhound_http_requests_total{route,method,status}, timed in
// rockhound_http_request_duration_seconds{route}, and logged on one access-log line (logger
// "server"; no header is ever logged).
// Thread-safety: Start/Stop from one thread; requests are served concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/metrics.h"
#include "service/runtime.h"

namespace rh::server {

// The server's own timings that are not configuration: the defaults are what `rockhound serve`
// uses; tests shorten them to watch what they govern without waiting.
struct HttpServerTimings {
  // An idle event stream (GET /api/v1/investigations/{id}/events) sends a ": heartbeat"
  // comment this often, so proxies keep the connection and EventSource stays calm.
  std::chrono::milliseconds event_heartbeat = std::chrono::seconds(15);
};

class HttpServer {
 public:
  // Serves `runtime` (its config's server.*, the token, the use cases over its databases); the
  // runtime and `metrics` must outlive the server.
  explicit HttpServer(service::Runtime& runtime, MetricsRegistry& metrics = GlobalMetrics(),
                      HttpServerTimings timings = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds server.bind:server.port (port 0: any free port) and serves on background threads.
  // Returns the bound port. unavailable when the address cannot be bound.
  Result<int> Start();
  // Stops accepting, finishes the requests in flight and joins the threads. Idempotent.
  void Stop();

  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rh::server
