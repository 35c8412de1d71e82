#include "agent/internal/gateway.h"

#include <cctype>
#include <cstdio>

#include "agent/internal/llm_http.h"

namespace rh::agent::internal {
namespace {

// Percent-encodes everything but RFC 3986 unreserved characters and ':' (the Bedrock SDKs'
// quote(model, safe=":"): an ARN's '/' becomes %2F, a version's ':' stays).
std::string EncodeModelId(const std::string& model) {
  std::string out;
  for (const unsigned char c : model) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

std::string JoinBetas(const std::vector<std::string>& betas) {
  std::string joined;
  for (const std::string& beta : betas) joined += (joined.empty() ? "" : ",") + beta;
  return joined;
}

}  // namespace

std::string_view GatewayName(ClaudeGateway kind) {
  switch (kind) {
    case ClaudeGateway::kBedrock:
      return "bedrock";
    case ClaudeGateway::kVertex:
      return "vertex";
    case ClaudeGateway::kAnthropic:
      return "anthropic";
  }
  return "anthropic";
}

Status CheckGatewayRoute(GatewayRoute& route) {
  const std::string context(GatewayName(route.kind));
  if (route.kind == ClaudeGateway::kVertex) {
    if (route.project.empty()) {
      return InvalidArgument(context, "agent.vertex_project must name the Google Cloud project");
    }
    if (route.region.empty()) {
      return InvalidArgument(context,
                             "agent.gateway_region must name the Vertex AI location "
                             "(e.g. us-east5 or global)");
    }
  }
  if (route.base_url.empty()) {
    if (route.kind == ClaudeGateway::kBedrock) {
      if (route.region.empty()) {
        return InvalidArgument(context,
                               "agent.gateway_region must name the AWS region (e.g. "
                               "us-east-1), or agent.gateway_base_url the endpoint");
      }
      route.base_url = "https://bedrock-runtime." + route.region + ".amazonaws.com";
    } else if (route.kind == ClaudeGateway::kVertex) {
      route.base_url = route.region == "global"
                           ? std::string("https://aiplatform.googleapis.com/v1")
                           : "https://" + route.region + "-aiplatform.googleapis.com/v1";
    }
  }
  return CheckBaseUrl(context, "agent.gateway_base_url", route.base_url);
}

std::string GatewayEndpoint(const GatewayRoute& route, const std::string& model, bool stream) {
  switch (route.kind) {
    case ClaudeGateway::kBedrock:
      return route.base_url + "/model/" + EncodeModelId(model) + "/invoke";
    case ClaudeGateway::kVertex:
      return route.base_url + "/projects/" + route.project + "/locations/" + route.region +
             "/publishers/anthropic/models/" + model +
             (stream ? ":streamRawPredict" : ":rawPredict");
    case ClaudeGateway::kAnthropic:
      break;
  }
  return route.base_url + "/v1/messages";
}

void ShapeGatewayBody(ClaudeGateway kind, const std::vector<std::string>& betas, Json& body) {
  if (kind == ClaudeGateway::kAnthropic) return;
  body.erase("model");
  body["anthropic_version"] =
      kind == ClaudeGateway::kBedrock ? kBedrockAnthropicVersion : kVertexAnthropicVersion;
  if (kind == ClaudeGateway::kBedrock && !betas.empty()) body["anthropic_beta"] = betas;
}

net::HttpHeaders GatewayHeaders(const GatewayRoute& route, const std::vector<std::string>& betas,
                                int retries_taken, bool stream) {
  net::HttpHeaders headers = {{"content-type", "application/json"},
                              {"accept", stream ? "text/event-stream" : "application/json"},
                              {"user-agent", net::kUserAgent},
                              {"x-stainless-retry-count", std::to_string(retries_taken)}};
  if (!route.token.empty()) headers.push_back({"authorization", "Bearer " + route.token});
  if (route.kind == ClaudeGateway::kVertex && !betas.empty()) {
    headers.push_back({"anthropic-beta", JoinBetas(betas)});
  }
  return headers;
}

std::string CanonicalClaudeModel(std::string_view model) {
  if (const size_t slash = model.rfind('/'); slash != std::string_view::npos) {
    model.remove_prefix(slash + 1);  // arn:aws:bedrock:…:inference-profile/us.anthropic.…
  }
  if (const size_t at = model.find("anthropic."); at != std::string_view::npos) {
    model.remove_prefix(at + 10);  // "anthropic." or "us.anthropic."
  }
  std::string id(model);
  // Bedrock's version suffix: "-v1:0", "-v2:0".
  if (const size_t colon = id.rfind(':'); colon != std::string::npos) {
    const size_t dash_v = id.rfind("-v", colon);
    if (dash_v != std::string::npos) id.erase(dash_v);
  }
  for (char& c : id) {
    if (c == '@') c = '-';
  }
  return id;
}

}  // namespace rh::agent::internal
