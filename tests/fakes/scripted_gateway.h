// Cloud gateways in front of the scripted Anthropic server (ScriptedAnthropicServer::Options::
// gateway): checks a request the way Amazon Bedrock's InvokeModel or Vertex AI's rawPredict
// endpoint for Claude would, then hands the server the Messages API request it stands for, so
// the rest of the server's validation (body schema, tool-loop invariants) applies unchanged.
//
//  bedrock  POST /model/{model id, percent-encoded}/invoke; body: anthropic_version
//           "bedrock-2023-05-31", no `model`, optional anthropic_beta (array of strings).
//  vertex   POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/
//           {model}:rawPredict; body: anthropic_version "vertex-2023-10-16", no `model`.
//  Both: `authorization: Bearer <token>` when a token is expected, no authorization header at
//  all when none is (a signing proxy in front), and never x-api-key or anthropic-version (an
//  Anthropic key must not leak to a cloud gateway).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/json.h"

namespace rh::testing {

struct ApiRejection;  // tests/fakes/scripted_anthropic_server.h

struct GatewayExpectation {
  std::string kind;     // "bedrock" | "vertex"
  std::string token;    // the bearer token expected; empty = no authorization header
  std::string project;  // vertex: the project the path must name ("" = any)
  std::string region;   // vertex: the location the path must name ("" = any)
};

// The Messages API request a gateway request stands for.
struct MessagesEquivalent {
  std::string model;                           // the gateway's model id, decoded
  std::map<std::string, std::string> headers;  // x-api-key (api_key), anthropic-version, ...
  Json body;                                   // with model, without anthropic_version/_beta
};

// The gateway's rejection (400/401/403/404 with its text), or nullopt with `out` filled in.
// `api_key` is the x-api-key the equivalent request carries (the server's own).
std::optional<ApiRejection> CheckGatewayRequest(const GatewayExpectation& gateway,
                                                const std::string& method, const std::string& path,
                                                const std::map<std::string, std::string>& headers,
                                                const Json& body, const std::string& api_key,
                                                MessagesEquivalent* out);

}  // namespace rh::testing
