// ClaudeGateway: Claude's Messages API reached through a cloud gateway instead of
// api.anthropic.com — the request shapes Amazon Bedrock and Google Vertex AI document (and the
// official SDKs' AnthropicBedrock / AnthropicVertex clients send), as AnthropicClient's hooks.
// docs/gateways.md is the user's guide.
//
//  bedrock  POST {base}/model/{model id, URL-encoded except ':'}/invoke, base by default
//           https://bedrock-runtime.{region}.amazonaws.com. The body is the Messages body
//           without `model`, with "anthropic_version": "bedrock-2023-05-31" and the betas as an
//           `anthropic_beta` array (Bedrock reads them from the body, not a header).
//  vertex   POST {base}/projects/{project}/locations/{region}/publishers/anthropic/models/
//           {model}:rawPredict, base by default https://{region}-aiplatform.googleapis.com/v1
//           (https://aiplatform.googleapis.com/v1 for the `global` location). The body is the
//           Messages body without `model`, with "anthropic_version": "vertex-2023-10-16"; betas
//           stay the `anthropic-beta` header.
// Authentication: `token`, when set, goes as `Authorization: Bearer` (a Bedrock API key, a
// Google OAuth access token, or a proxy's own key); without one no auth header is sent, for a
// base URL that is a proxy signing the requests itself (SigV4 and Google OAuth need a cloud SDK
// this build does not link). No x-api-key, no anthropic-version header.
// Model ids: the gateway's own (anthropic.claude-sonnet-4-5-20250929-v1:0, an inference profile
// us.anthropic.…, an ARN; claude-sonnet-4-5@20250929); CanonicalClaudeModel maps them back to
// the Anthropic id the price table and reports use.
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "net/http_transport.h"

namespace rh::agent::internal {

inline constexpr char kBedrockAnthropicVersion[] = "bedrock-2023-05-31";
inline constexpr char kVertexAnthropicVersion[] = "vertex-2023-10-16";

enum class ClaudeGateway { kAnthropic, kBedrock, kVertex };

struct GatewayRoute {
  ClaudeGateway kind = ClaudeGateway::kAnthropic;
  std::string base_url;  // empty: the cloud's endpoint for `region`
  std::string region;    // AWS region or Vertex location
  std::string project;   // Vertex project id
  std::string token;     // bearer token; empty = none sent (a signing proxy)
};

// "bedrock" | "vertex" | "anthropic".
std::string_view GatewayName(ClaudeGateway kind);

// Fills in the default base URL and trims trailing slashes; invalid_argument naming the
// agent.* setting to fix (a missing region or project, a base URL that is not http(s)).
Status CheckGatewayRoute(GatewayRoute& route);

// The URL a request for `model` is POSTed to; `stream` picks Vertex's streamRawPredict (its
// answer is the Messages API's SSE stream). Bedrock streams in AWS's binary event-stream format,
// which Rockhound does not read: the config refuses agent.stream with agent.provider=bedrock.
std::string GatewayEndpoint(const GatewayRoute& route, const std::string& model,
                            bool stream = false);

// Reshapes a Messages API body (with `model`) for the gateway, in place: `model` removed,
// anthropic_version added, and for Bedrock `betas` moved into the body.
void ShapeGatewayBody(ClaudeGateway kind, const std::vector<std::string>& betas, Json& body);

// The request headers: content-type, accept, user-agent, x-stainless-retry-count, the bearer
// token when set, and (Vertex) anthropic-beta; `stream` asks for text/event-stream.
net::HttpHeaders GatewayHeaders(const GatewayRoute& route, const std::vector<std::string>& betas,
                                int retries_taken, bool stream = false);

// The Anthropic model id behind a gateway's: the ARN's last segment, without a region prefix
// ("us.", "eu.", "global." …) and "anthropic.", without Bedrock's version suffix ("-v1:0"),
// '@' as '-'. "anthropic.claude-sonnet-4-5-20250929-v1:0" and "claude-sonnet-4-5@20250929"
// both give "claude-sonnet-4-5-20250929"; an Anthropic id is returned as is.
std::string CanonicalClaudeModel(std::string_view model);

}  // namespace rh::agent::internal
