// The HTTP API's routes as plain functions from ApiRequest to ApiResponse, free of the HTTP
// library: http_server.cc adapts cpp-httplib to these types, applies auth, limits, metrics and
// the access log, and turns an Error or an exception into the one JSON error shape
//   {"error": {"code": "not_found", "message": "report 'rpt_x': does not exist"}}
// with the status HttpStatusFor(code).
// Thread-safety: Api is called from every server thread at once; it holds no mutable state of
// its own (the stores and the queue serialise through their Database).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/metrics.h"
#include "server/alert_webhook.h"
#include "server/fleet_view.h"
#include "store/database.h"
#include "store/report_store.h"
#include "store/task_queue.h"

namespace rh::server::internal {

struct ApiRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;  // first value of each parameter
  std::vector<std::string> path_params;      // the route's captures, in order
  std::string body;
  std::string accept;  // the Accept header
  std::string client;  // the peer address
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse JsonBody(const Json& value, int status = 200);
};

// The error body for `error` (the status is HttpStatusFor(error.code)).
ApiResponse ErrorResponse(const Error& error);

// JSON views of the stored types, shared by the HTTP API and the MCP server.
Json ReportSummaryJson(const store::StoredReport& report);
// The full report: the summary plus report{} (the parsed report JSON), transcript[] and markdown.
Json ReportDetailJson(const store::StoredReport& report);
Json TaskJson(const store::Task& task);

class Api {
 public:
  Api(const Config& config, Clock& clock, store::Database& fleet, store::Database& memory,
      MetricsRegistry& metrics);

  Result<ApiResponse> Health(const ApiRequest& request);
  Result<ApiResponse> Metrics(const ApiRequest& request);

  Result<ApiResponse> CreateInvestigation(const ApiRequest& request);
  Result<ApiResponse> GetInvestigation(const ApiRequest& request);
  Result<ApiResponse> ListInvestigations(const ApiRequest& request);

  Result<ApiResponse> ListReports(const ApiRequest& request);
  Result<ApiResponse> GetReport(const ApiRequest& request);

  Result<ApiResponse> ListClusters(const ApiRequest& request);
  Result<ApiResponse> GetCluster(const ApiRequest& request);

  Result<ApiResponse> PostAlerts(const ApiRequest& request);

 private:
  const Config& config_;
  Clock& clock_;
  store::Database& fleet_;
  store::Database& memory_;
  MetricsRegistry& metrics_;
  FleetView fleet_view_;
  store::ReportStore reports_;
  store::TaskQueue queue_;
  AlertIngestor ingestor_;
};

}  // namespace rh::server::internal
