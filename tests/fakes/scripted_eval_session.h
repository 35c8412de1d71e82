// ScriptedEvalSession: the eval harness's model for CI (eval/harness.h ModelSession) — a
// ScriptedAnthropicServer on 127.0.0.1 replaying eval::ScriptedConversation(case) over real
// HTTP, validating every request as the Messages API does and computing usage as its prompt
// caching would (simulate_usage), and a real AnthropicClient pointed at it. One per run; the
// server's problems (refused requests, requests after the script ended) are the run's problems.
// ScriptedOpenAiEvalSession is the same conversation on the OpenAI-compatible side: the server
// in chat_completions mode (every request checked as Chat Completions, every message turn
// answered as a chat completion with its usage) and a real OpenAiClient, so the harness scores
// the OpenAI provider on the same cases (`bench_agent_eval --engine openai-scripted`).
// Header-only so rh_test_fakes keeps its dependencies; users link rh::eval and rh::agent.
// Thread-safety: one run at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/anthropic_client.h"
#include "agent/openai_client.h"
#include "core/clock.h"
#include "eval/harness.h"
#include "eval/scripted_model.h"
#include "tests/fakes/scripted_anthropic_server.h"

namespace rh::testing {

class ScriptedEvalSession final : public eval::ModelSession {
 public:
  static Result<std::unique_ptr<eval::ModelSession>> Open(const eval::EvalCase& eval_case) {
    RH_ASSIGN_OR_RETURN(
        AnthropicScenario scenario,
        AnthropicScenario::Parse(eval::ScriptedConversation(eval_case), "eval_" + eval_case.id));
    auto session = std::unique_ptr<ScriptedEvalSession>(new ScriptedEvalSession());
    ScriptedAnthropicServer::Options options;
    options.simulate_usage = true;
    options.threads = 4;
    session->server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario), options);
    agent::AnthropicClientOptions client;
    client.base_url = session->server_->base_url();
    client.api_key = "test-key";
    client.connect_timeout = std::chrono::seconds(5);
    client.request_timeout = std::chrono::seconds(20);
    client.jitter = [] { return 0.0; };
    RH_ASSIGN_OR_RETURN(session->client_, agent::AnthropicClient::Create(client, session->clock_));
    return std::unique_ptr<eval::ModelSession>(std::move(session));
  }

  ~ScriptedEvalSession() override {
    client_.reset();
    if (server_) server_->TakeProblems();  // kept in the score, not failing a test here
  }

  agent::LlmClient& client() override { return *client_; }
  std::vector<std::string> Problems() override {
    for (std::string& problem : server_->TakeProblems()) problems_.push_back(std::move(problem));
    return problems_;
  }

 private:
  ScriptedEvalSession() = default;

  ManualClock clock_{TimePoint{}};  // retry waits advance it instead of sleeping
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<agent::AnthropicClient> client_;
  std::vector<std::string> problems_;
};

// The harness's session factory for the scripted server.
inline eval::ModelSessionFactory ScriptedEvalSessions() {
  return [](const eval::EvalCase& eval_case, int) { return ScriptedEvalSession::Open(eval_case); };
}

class ScriptedOpenAiEvalSession final : public eval::ModelSession {
 public:
  static constexpr char kModel[] = "scripted-openai-model";

  static Result<std::unique_ptr<eval::ModelSession>> Open(const eval::EvalCase& eval_case) {
    RH_ASSIGN_OR_RETURN(
        AnthropicScenario scenario,
        AnthropicScenario::Parse(eval::ScriptedConversation(eval_case), "eval_" + eval_case.id));
    auto session = std::unique_ptr<ScriptedOpenAiEvalSession>(new ScriptedOpenAiEvalSession());
    ScriptedAnthropicServer::Options options;
    options.chat_completions = true;
    options.threads = 4;
    session->server_ = std::make_unique<ScriptedAnthropicServer>(std::move(scenario), options);
    agent::OpenAiClientOptions client;
    client.base_url = session->server_->base_url() + "/v1";
    client.api_key = options.api_key;
    client.model = kModel;
    client.connect_timeout = std::chrono::seconds(5);
    client.request_timeout = std::chrono::seconds(20);
    client.jitter = [] { return 0.0; };
    RH_ASSIGN_OR_RETURN(session->client_, agent::OpenAiClient::Create(client, session->clock_));
    return std::unique_ptr<eval::ModelSession>(std::move(session));
  }

  ~ScriptedOpenAiEvalSession() override {
    client_.reset();
    if (server_) server_->TakeProblems();
  }

  agent::LlmClient& client() override { return *client_; }
  std::vector<std::string> Problems() override {
    for (std::string& problem : server_->TakeProblems()) problems_.push_back(std::move(problem));
    return problems_;
  }

 private:
  ScriptedOpenAiEvalSession() = default;

  ManualClock clock_{TimePoint{}};
  std::unique_ptr<ScriptedAnthropicServer> server_;
  std::unique_ptr<agent::OpenAiClient> client_;
  std::vector<std::string> problems_;
};

// The harness's session factory for the scripted OpenAI-compatible server.
inline eval::ModelSessionFactory ScriptedOpenAiEvalSessions() {
  return [](const eval::EvalCase& eval_case, int) {
    return ScriptedOpenAiEvalSession::Open(eval_case);
  };
}

}  // namespace rh::testing
