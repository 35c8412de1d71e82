// The web page's chart data route (GET /api/v1/clusters/{id}/metrics), kept apart from api.cc:
// an adapter over service::ClusterCharts.
#include <charconv>

#include "server/internal/api.h"
#include "service/cluster_charts.h"

namespace rh::server::internal {
namespace {

// `key` of the query as an int; `fallback` when absent. The range is checked by the use case.
Result<int> QueryInt(const ApiRequest& request, const std::string& key, int fallback) {
  auto found = request.query.find(key);
  if (found == request.query.end() || found->second.empty()) return fallback;
  const std::string& text = found->second;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(key, "must be a whole number; got '" + text + "'");
  }
  return value;
}

}  // namespace

Result<ApiResponse> Api::GetClusterMetrics(const ApiRequest& request) {
  service::ChartQuery query;
  RH_ASSIGN_OR_RETURN(query.days, QueryInt(request, "days", query.days));
  RH_ASSIGN_OR_RETURN(query.score_days, QueryInt(request, "score_days", query.score_days));
  RH_ASSIGN_OR_RETURN(Json charts,
                      service::ClusterCharts(runtime_).Get(request.path_params.at(0), query));
  return ApiResponse::JsonBody(charts);
}

}  // namespace rh::server::internal
