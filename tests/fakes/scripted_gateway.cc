#include "tests/fakes/scripted_gateway.h"

#include <regex>

#include "tests/fakes/scripted_anthropic_server.h"

namespace rh::testing {
namespace {

ApiRejection Reject(int status, std::string type, std::string message) {
  return ApiRejection{status, std::move(type), std::move(message)};
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::optional<ApiRejection> CheckGatewayRequest(const GatewayExpectation& gateway,
                                                const std::string& method, const std::string& path,
                                                const std::map<std::string, std::string>& headers,
                                                const Json& body, const std::string& api_key,
                                                MessagesEquivalent* out) {
  const bool bedrock = gateway.kind == "bedrock";
  if (!bedrock && gateway.kind != "vertex") {
    return Reject(500, "api_error", "unknown scripted gateway '" + gateway.kind + "'");
  }
  std::smatch match;
  static const std::regex kBedrockPath("^/model/([^/]+)/invoke$");
  static const std::regex kVertexPath(
      "^/v1/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+):rawPredict$");
  if (method != "POST" || !std::regex_match(path, match, bedrock ? kBedrockPath : kVertexPath)) {
    return Reject(404, "not_found_error", "no " + gateway.kind + " route for " + method + " " +
                                              path);
  }
  std::string model;
  if (bedrock) {
    model = PercentDecode(match[1].str());
  } else {
    if (!gateway.project.empty() && match[1].str() != gateway.project) {
      return Reject(403, "permission_error", "project " + match[1].str() + " is not allowed");
    }
    if (!gateway.region.empty() && match[2].str() != gateway.region) {
      return Reject(404, "not_found_error", "location " + match[2].str() + " does not serve it");
    }
    model = match[3].str();
  }
  auto header = [&](const std::string& name) -> std::optional<std::string> {
    auto found = headers.find(name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
  };
  if (header("x-api-key")) {
    return Reject(400, "invalid_request_error", "x-api-key sent to " + gateway.kind);
  }
  if (header("anthropic-version")) {
    return Reject(400, "invalid_request_error", "anthropic-version header sent to " +
                                                    gateway.kind + " (it goes in the body)");
  }
  const auto authorization = header("authorization");
  if (gateway.token.empty() && authorization) {
    return Reject(400, "invalid_request_error",
                  "an authorization header reached the signing proxy's upstream");
  }
  if (!gateway.token.empty() && authorization != "Bearer " + gateway.token) {
    return Reject(authorization ? 403 : 401, "authentication_error",
                  authorization ? "the bearer token is not valid" : "authorization is required");
  }
  if (!body.is_object()) return Reject(400, "invalid_request_error", "the body is not an object");
  if (body.contains("model")) {
    return Reject(400, "invalid_request_error", "model: Extra inputs are not permitted");
  }
  const std::string expected_version = bedrock ? "bedrock-2023-05-31" : "vertex-2023-10-16";
  if (JsonString(body, "anthropic_version") != expected_version) {
    return Reject(400, "invalid_request_error",
                  "anthropic_version: must be " + expected_version + " (got '" +
                      JsonString(body, "anthropic_version") + "')");
  }
  out->model = model;
  out->headers = headers;
  out->headers["x-api-key"] = api_key;
  out->headers["anthropic-version"] = "2023-06-01";
  out->headers.erase("authorization");
  out->body = body;
  out->body.erase("anthropic_version");
  if (body.contains("anthropic_beta")) {
    if (!bedrock) {
      return Reject(400, "invalid_request_error", "anthropic_beta: Extra inputs are not permitted");
    }
    std::string betas;
    if (!body["anthropic_beta"].is_array()) {
      return Reject(400, "invalid_request_error", "anthropic_beta: must be an array of strings");
    }
    for (const Json& beta : body["anthropic_beta"]) {
      if (!beta.is_string()) {
        return Reject(400, "invalid_request_error", "anthropic_beta: must be an array of strings");
      }
      betas += (betas.empty() ? "" : ",") + beta.get<std::string>();
    }
    out->headers["anthropic-beta"] = betas;
    out->body.erase("anthropic_beta");
  } else if (bedrock && header("anthropic-beta")) {
    return Reject(400, "invalid_request_error", "Bedrock reads betas from anthropic_beta in the "
                                                "body, not the anthropic-beta header");
  }
  out->body["model"] = model;
  return std::nullopt;
}

}  // namespace rh::testing
