#include "server/internal/routes.h"

#include <algorithm>

namespace rh::server::internal {
namespace {

// Every list route pages the same way: `limit` and the `cursor` of the previous page's
// `next_cursor`.
constexpr std::string_view kPaging[] = {"limit", "cursor"};

std::vector<std::string_view> WithPaging(std::vector<std::string_view> filters) {
  filters.insert(filters.end(), std::begin(kPaging), std::end(kPaging));
  return filters;
}

constexpr const char* kPagePatterns[] = {"/",
                                         "/reports",
                                         "/reports/{id}",
                                         "/clusters/{id}",
                                         "/investigate",
                                         "/investigations/{id}",
                                         "/issues",
                                         "/issues/{id}"};

}  // namespace

const std::vector<Route>& ApiRoutes() {
  static const std::vector<Route> routes = {
      {"GET", "/healthz", &Api::Health, {}},
      {"GET", "/metrics", &Api::Metrics, {}},
      {"GET", "/api/v1/openapi.json", &Api::OpenApi, {}},
      {"POST", "/api/v1/investigations", &Api::CreateInvestigation, {}},
      {"GET", "/api/v1/investigations", &Api::ListInvestigations,
       WithPaging({"status", "cluster"})},
      {"GET", "/api/v1/investigations/{id}", &Api::GetInvestigation, {}},
      {"GET", "/api/v1/investigations/{id}/events", &Api::InvestigationEvents, {}},
      {"GET", "/api/v1/reports", &Api::ListReports,
       WithPaging({"cluster", "account", "severity", "category", "since"})},
      {"GET", "/api/v1/reports/{id}", &Api::GetReport, {"format"}},
      {"GET", "/api/v1/reports/{id}/messages", &Api::ListReportMessages, {}},
      {"POST", "/api/v1/reports/{id}/messages", &Api::AskReport, {}},
      {"GET", "/api/v1/clusters", &Api::ListClusters,
       WithPaging({"risk", "account", "sort", "history_hours"})},
      {"GET", "/api/v1/clusters/{id}", &Api::GetCluster, {}},
      {"GET", "/api/v1/clusters/{id}/metrics", &Api::GetClusterMetrics, {"days", "score_days"}},
      {"POST", "/api/v1/alerts/alertmanager", &Api::PostAlerts, {}},
      {"POST", "/api/v1/alerts/grafana", &Api::PostAlerts, {}},
      {"GET", "/api/v1/alerts", &Api::ListAlerts,
       WithPaging({"cluster", "status", "source", "since"})},
      {"GET", "/api/v1/issues", &Api::ListIssues,
       WithPaging({"cluster", "status", "triage", "kind", "escalated"})},
      {"GET", "/api/v1/issues/{id}", &Api::GetIssue, {}},
      {"POST", "/api/v1/issues/{id}/ack", &Api::AckIssue, {}},
      {"POST", "/api/v1/issues/{id}/triage", &Api::TriageIssue, {}},
      {"POST", "/api/v1/issues/{id}/disposition", &Api::DisposeIssue, {}},
  };
  return routes;
}

std::span<const char* const> PagePatterns() { return kPagePatterns; }

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::vector<std::string>* captures) {
  size_t pattern_pos = 0;
  size_t path_pos = 0;
  while (pattern_pos < pattern.size() && path_pos < path.size()) {
    if (pattern[pattern_pos] == '{') {
      const size_t segment_end = std::min(path.find('/', path_pos), path.size());
      if (segment_end == path_pos) return false;
      if (captures) captures->emplace_back(path.substr(path_pos, segment_end - path_pos));
      pattern_pos = pattern.find('}', pattern_pos) + 1;
      path_pos = segment_end;
      continue;
    }
    if (pattern[pattern_pos] != path[path_pos]) return false;
    ++pattern_pos;
    ++path_pos;
  }
  return pattern_pos == pattern.size() && path_pos == path.size();
}

Status CheckQueryParameters(const Route& route, const ApiRequest& request) {
  for (const auto& [name, value] : request.query) {
    if (std::find(route.query.begin(), route.query.end(), name) != route.query.end()) continue;
    std::string accepted;
    for (std::string_view known : route.query) {
      accepted.append(accepted.empty() ? "" : ", ").append(known);
    }
    return InvalidArgument(
        "query parameter '" + name + "'",
        std::string("is not a parameter of ") + route.method + " " + route.pattern + "; " +
            (accepted.empty() ? std::string("it takes none") : "it accepts " + accepted) +
            " (see GET /api/v1/openapi.json)");
  }
  return {};
}

}  // namespace rh::server::internal
