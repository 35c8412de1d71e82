// ScriptedAnthropicServer: an Anthropic-compatible HTTP server for tests (cpp-httplib, real
// sockets on 127.0.0.1, port 0) that replays a scenario and checks every request the way the
// Messages API does.
//
// A scenario is a list of turns, served in order, one per accepted request. A turn is either
//  - a model message (200): a partial Message the server completes (id, type, role, model echoed
//    from the request, usage, stop_reason = tool_use when a tool_use block is present else
//    end_turn, and a fresh "toolu_..." id for every tool_use block whose id is missing or "auto",
//    so a repeated turn never reuses an id);
//  - an API error (status, error.type, error.message, extra headers such as retry-after,
//    retry-after-ms, x-should-retry), with the API's body shape and a request_id;
//  - a verbatim response (status, headers, body as JSON or raw text), e.g. recorded traffic;
//  - a fault: drop_connection (the socket is shut without an answer), truncated_body (headers
//    and half the body, then the connection closes), malformed_json (a 200 whose body is cut
//    mid-JSON), timeout (no answer until delay_ms, 30 s by default, or the server stops),
//    stream_cut (a 200 text/event-stream whose connection closes after 4 events).
// A request with "stream": true gets its model message as Server-Sent Events (message_start,
// ping, each block's start, deltas and stop, message_delta, message_stop), one event per chunk
// of a chunked answer; a verbatim response with content-type text/event-stream and a raw body
// (a recorded SSE file) is sent the same way, one event per chunk.
// Options::per_conversation replays the script once per conversation instead (each request
// gets the turn matching the number of assistant messages it carries), so concurrent
// investigations can share one server; the overhead benchmark uses it with delay_ms as the
// simulated model latency.
// Any turn may also wait delay_ms before answering, serve `repeat` requests (a number or
// "forever": a model that never stops calling tools), and carry expectations on the request
// (expect_request: a JSON subset the body must contain; expect_last_message: a subset the last
// message must contain; the string "<any>" matches any value).
// Scenario files (tests/agent/scenarios/*.json) hold {"name", "description", "turns": [...]};
// see tests/agent/scenarios/README.md for the format. Recorded API traffic
// (shared/data/anthropic/recorded/*.json) loads as a scenario of verbatim turns whose recorded
// request bodies become the expectations.
//
// Every request is validated before a turn is spent (CheckMessagesRequest): path /v1/messages
// (optional ?beta=true), x-api-key, anthropic-version, content-type, the body's required fields,
// roles, system shape, tool names and schemas, tool_choice, at most 4 cache_control markers, the
// tool-loop invariants (every tool_use answered by a tool_result in the next user message,
// tool_results first, no orphan ids), and, when shared/data/anthropic/openapi.json is present,
// the body against the API's own CreateMessageParams schema. A rejected request gets the API's
// 4xx answer with the real error text and is recorded as a problem; so are unmet expectations
// and requests arriving after the script ended. Problems not collected with TakeProblems() fail
// the current test when the server is destroyed.
// Thread-safety: requests are served concurrently; the accessors may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "tests/fakes/json_schema_validator.h"
#include "tests/fakes/scripted_gateway.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace rh::testing {

struct ScriptedTurn {
  enum class Kind {
    kMessage,
    kError,
    kResponse,
    kDropConnection,
    kTruncatedBody,
    kMalformedJson,
    kTimeout,
    kStreamCut,
  };
  Kind kind = Kind::kMessage;
  std::string label;                   // for diagnostics ("turn 2 'final report'")
  int repeat = 1;                      // requests this turn serves; -1 = forever
  std::chrono::milliseconds delay{0};  // wait before answering
  Json message;                        // kMessage: the partial Message
  int status = 200;                    // kError, kResponse
  std::string error_type;              // kError
  std::string error_message;           // kError
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
  Json body;                             // kResponse: JSON body (when body_text is unset)
  std::optional<std::string> body_text;  // kResponse: raw body
  Json expect_request;                   // null or a subset the request body must contain
  Json expect_last_message;              // null or a subset the last message must contain
};

struct AnthropicScenario {
  std::string name;
  std::string description;
  std::vector<ScriptedTurn> turns;

  static Result<AnthropicScenario> Parse(const Json& scenario, const std::string& name);
  // Reads a scenario file; every "{{key}}" in it is replaced by values[key] first (e.g. the
  // simulated fleet's cluster id). When values are given, a "{{" left unfilled is an
  // invalid_argument error; without values the file is read as it is.
  static Result<AnthropicScenario> Load(const std::string& path,
                                        const std::map<std::string, std::string>& values = {});
  // A recorded exchange file: each response verbatim, each recorded request body (model,
  // max_tokens, messages, system, tools, tool_choice) as that turn's expect_request.
  static Result<AnthropicScenario> FromRecording(const std::string& path);
};

// The API's answer to a request it refuses.
struct ApiRejection {
  int status = 400;
  std::string type;     // invalid_request_error, authentication_error, not_found_error
  std::string message;  // the API's text, e.g. "max_tokens: Field required"
};

// Validates one request as the Messages API does; nullopt when the API would accept it.
// `headers` have lower-case names. `openapi` may be null (no schema check).
std::optional<ApiRejection> CheckMessagesRequest(const std::string& method, const std::string& path,
                                                 const std::map<std::string, std::string>& headers,
                                                 const std::string& body_text,
                                                 const std::string& expected_api_key,
                                                 const JsonSchemaValidator* openapi);

// CreateMessageParams from shared/data/anthropic/openapi.json, loaded once per process; null
// when the shared data is absent.
const JsonSchemaValidator* SharedCreateMessageValidator();

// Prompt caching as the Messages API does it, for measurements: a request is a sequence of
// blocks (each tool definition, each system block, each message content block, in that order),
// a token is 4 characters of a block's JSON without its cache_control. Each cache_control
// marker writes the prefix up to it to `cache`; a later request reads the longest cached prefix
// that ends at one of its block boundaries at most 20 blocks before one of its markers (the
// API's lookback). A message-level prefix is keyed with tool_choice and thinking (changing either
// invalidates the cached messages, as the API documents). Returns {input_tokens,
// cache_creation_input_tokens, cache_read_input_tokens} for `body`, and adds its prefixes to
// `cache` (prefix hashes).
struct SimulatedTokens {
  long long input = 0;
  long long cache_write = 0;
  long long cache_read = 0;
};
SimulatedTokens SimulatedUsage(const Json& body, std::set<size_t>* cache);

// Whether `actual` contains `expected`: objects by key (extra keys allowed), arrays element by
// element with equal lengths, scalars equal, "<any>" matching anything. On a mismatch `where`
// gets the first differing path and both values.
bool JsonContains(const Json& actual, const Json& expected, const std::string& path,
                  std::string* where);

struct ReceivedRequest {
  std::string method;
  std::string target;                          // path and query, e.g. /v1/messages?beta=true
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body_text;
  Json body;              // null when the body was not JSON
  int retry_count = -1;   // x-stainless-retry-count, -1 when absent
  int turn = -1;          // index of the scripted turn served; -1 when rejected or unscripted
  int status = 0;         // status answered; 0 when the connection was dropped
  std::string rejection;  // the API error message when validation refused the request
};

class ScriptedAnthropicServer {
 public:
  struct Options {
    std::string api_key = "test-key";  // the x-api-key the server accepts
    bool validate_requests = true;     // false: serve every request unchecked (replaying a
                                       // recorded answer to a deliberately bad request)
    bool validate_openapi = true;      // also check bodies against openapi.json when present
    // false (default): one script, turns served in arrival order. true: every request is its
    // own conversation's next step — it gets turn N where N is the number of assistant
    // messages already in its `messages` — so many conversations (concurrent investigations)
    // replay the same script at once. Turns are then model messages (repeat counts are ignored)
    // and a request past the last turn is a problem as usual.
    bool per_conversation = false;
    // true: every message's usage is computed by SimulatedUsage from the request and the
    // requests before it (the scenario's own usage is ignored), so the cache-read share a
    // conversation would get from the real API's prompt caching can be measured.
    bool simulate_usage = false;
    int threads = 16;  // server threads (one per open connection)
    // gateway.kind "bedrock" or "vertex": serve as that cloud gateway (tests/fakes/
    // scripted_gateway.h): its paths, body and auth are checked first, then the Messages request
    // it stands for is validated as usual; a message echoes the path's model id.
    GatewayExpectation gateway;
    // true: be an OpenAI-compatible server (tests/fakes/scripted_chat_completions.h): requests
    // are checked as Chat Completions (ChatRequestProblems against api_key, strict functions
    // allowed) instead of the Messages API, and a message turn is answered as a chat
    // completion (its ids, usage and stop reason filled in as for a Message first).
    bool chat_completions = false;
  };

  // Starts listening on 127.0.0.1:<free port>; a failure to start fails the current test.
  explicit ScriptedAnthropicServer(AnthropicScenario scenario);
  ScriptedAnthropicServer(AnthropicScenario scenario, Options options);
  ~ScriptedAnthropicServer();
  ScriptedAnthropicServer(const ScriptedAnthropicServer&) = delete;
  ScriptedAnthropicServer& operator=(const ScriptedAnthropicServer&) = delete;

  // "http://127.0.0.1:<port>", the value for ANTHROPIC_BASE_URL.
  std::string base_url() const;
  int port() const { return port_; }
  bool openapi_validation() const { return openapi_ != nullptr; }

  std::vector<ReceivedRequest> requests() const;
  std::vector<std::string> problems() const;
  // Returns the problems recorded so far and forgets them (for tests that send bad requests
  // on purpose).
  std::vector<std::string> TakeProblems();
  // True when every scripted turn has been served (a "forever" turn at least once; in
  // per_conversation mode: the last turn by at least one conversation).
  bool finished() const;
  int turns_served() const;

  // Stops listening and wakes delayed answers; the destructor calls it.
  void Stop();

 private:
  void Handle(const httplib::Request& request, httplib::Response& response);
  void AddProblem(std::string problem);
  // Waits up to `delay` or until Stop().
  void Pause(std::chrono::milliseconds delay);

  AnthropicScenario scenario_;
  Options options_;
  const JsonSchemaValidator* openapi_ = nullptr;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  size_t next_turn_ = 0;
  int served_in_turn_ = 0;
  int turns_served_ = 0;
  int highest_turn_served_ = -1;  // per_conversation mode
  int message_counter_ = 0;
  int tool_use_counter_ = 0;
  int request_counter_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::string> problems_;
  std::set<size_t> simulated_cache_;  // Options::simulate_usage
};

}  // namespace rh::testing
