// The HTTP API's routes as plain functions from ApiRequest to ApiResponse, free of HTTP
// itself: http_server.cc adapts the listener's requests to these types (dispatching from the
// route table, internal/routes.h), applies auth, limits, metrics and the access log, and turns
// an Error or an exception into the one JSON error shape
//   {"error": {"code": "not_found", "message": "report 'rpt_x': does not exist"}}
// with the status HttpStatusFor(code).
// Every route is an adapter: it parses the request, calls a use case of service/ (the same ones
// the CLI and MCP call) and renders the answer.
// Thread-safety: Api is called from every server thread at once; it holds no mutable state of
// its own (the Runtime's databases are connection pools).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/metrics.h"
#include "server/internal/response_stream.h"
#include "service/progress_hub.h"
#include "service/runtime.h"

namespace rh::server::internal {

struct ApiRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;  // first value of each parameter
  std::vector<std::string> path_params;      // the route's captures, in order
  std::string body;
  std::string accept;  // the Accept header
  std::string last_event_id;  // the Last-Event-ID header (a reconnecting EventSource)
  std::string client;  // the peer address
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: a streamed body (Server-Sent Events) produced after the head is sent
  // (internal/response_stream.h); `body` is ignored.
  std::function<void(ResponseStream&)> stream;

  static ApiResponse JsonBody(const Json& value, int status = 200);
};

// The error body for `error` (the status is HttpStatusFor(error.code)). A message that carries
// a JSON library's own text ("[json.exception...") keeps only the part before it.
ApiResponse ErrorResponse(const Error& error);

// The OpenAPI 3.1 description of the API (server/openapi.json, compiled in).
std::string_view OpenApiDocument();

// Why a webhook post was refused, as a low-cardinality label of
// rockhound_webhook_rejections_total: "invalid_json", "no_alerts", "no_alertname", ...
std::string WebhookRejectionReason(const Error& error);

class Api {
 public:
  // `event_heartbeat`: how often an idle event stream sends a ": heartbeat" comment
  // (HttpServerTimings; at least 1 ms).
  Api(service::Runtime& runtime, MetricsRegistry& metrics,
      std::chrono::milliseconds event_heartbeat = std::chrono::seconds(15));

  Result<ApiResponse> Health(const ApiRequest& request);
  Result<ApiResponse> Metrics(const ApiRequest& request);
  // GET /api/v1/openapi.json: server/openapi.json, compiled in.
  Result<ApiResponse> OpenApi(const ApiRequest& request);

  Result<ApiResponse> CreateInvestigation(const ApiRequest& request);
  Result<ApiResponse> GetInvestigation(const ApiRequest& request);
  Result<ApiResponse> ListInvestigations(const ApiRequest& request);
  // GET /api/v1/investigations/{id}/events: the investigation's live events as Server-Sent
  // Events (service::Investigations::FollowEvents); in api_events.cc.
  Result<ApiResponse> InvestigationEvents(const ApiRequest& request);

  Result<ApiResponse> ListReports(const ApiRequest& request);
  Result<ApiResponse> GetReport(const ApiRequest& request);
  // GET|POST /api/v1/reports/{id}/messages: the follow-up conversation of a report, and a new
  // question {"question", "engine"?, "requester"?} answered and stored (service/followups.h).
  Result<ApiResponse> ListReportMessages(const ApiRequest& request);
  Result<ApiResponse> AskReport(const ApiRequest& request);

  Result<ApiResponse> ListClusters(const ApiRequest& request);
  Result<ApiResponse> GetCluster(const ApiRequest& request);
  // GET /api/v1/clusters/{id}/metrics?days=7&score_days=14: the series the cluster and report
  // pages chart (service/cluster_charts.h); in api_charts.cc.
  Result<ApiResponse> GetClusterMetrics(const ApiRequest& request);

  Result<ApiResponse> PostAlerts(const ApiRequest& request);
  Result<ApiResponse> ListAlerts(const ApiRequest& request);

  Result<ApiResponse> ListIssues(const ApiRequest& request);
  Result<ApiResponse> GetIssue(const ApiRequest& request);
  // POST /api/v1/issues/{id}/ack | /triage {"status"} | /disposition {"status", "ticket_ref"};
  // optional "actor" and "note". 409 names the allowed next states.
  Result<ApiResponse> AckIssue(const ApiRequest& request);
  Result<ApiResponse> TriageIssue(const ApiRequest& request);
  Result<ApiResponse> DisposeIssue(const ApiRequest& request);

 private:
  // The per-cluster gauges (health score, risk level) of the newest scores, worst first, capped
  // by server.metrics_max_clusters; Prometheus text, empty when the fleet cannot be read.
  std::string FleetGauges();
  service::Runtime& runtime_;
  MetricsRegistry& metrics_;
  const std::chrono::milliseconds event_heartbeat_;
  // Event streams open now (each holds a handler thread; at most half of server.threads).
  std::shared_ptr<std::atomic<int>> open_streams_ = std::make_shared<std::atomic<int>>(0);
};

// One Server-Sent Event: "id: N" (when N > 0), "event: name", "data: <json>", a blank line.
std::string FormatServerSentEvent(const service::ProgressMessage& message);

}  // namespace rh::server::internal
