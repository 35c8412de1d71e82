// The server's route table: every route `rockhound serve` answers (method, path pattern, the
// query parameters it accepts, its handler), and the web page's paths. http_server.cc
// dispatches from it; the OpenAPI test (tests/server/openapi_api_test.cc) checks
// server/openapi.json against it, so the table is the one list of routes.
// Thread-safety: immutable after first use; safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/internal/api.h"

namespace rh::server::internal {

using Handler = Result<ApiResponse> (Api::*)(const ApiRequest&);

struct Route {
  const char* method;
  // The path; a "{name}" part matches one non-empty path segment and becomes a path parameter.
  // The pattern is also the low-cardinality route label of the metrics.
  const char* pattern;
  Handler handler;
  // The query parameters the route accepts; any other one is a 400 naming it.
  std::vector<std::string_view> query;
};

const std::vector<Route>& ApiRoutes();

// Paths that answer GET with the web page (the page routes itself from location.pathname),
// and the pattern of its static files.
std::span<const char* const> PagePatterns();
inline constexpr const char* kAssetPattern = "/assets/{name}";

// Matches `path` against a route pattern, appending the "{...}" segments to `captures`
// (may be null).
bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::vector<std::string>* captures);

// invalid_argument naming the first query parameter of `request` that `route` does not accept,
// and the ones it does; ok when every one is accepted.
Status CheckQueryParameters(const Route& route, const ApiRequest& request);

}  // namespace rh::server::internal
