// ScriptedLarkServer: a Lark/Feishu Open Platform server for tests and benchmarks (cpp-httplib,
// real sockets on 127.0.0.1, port 0) serving the two endpoints Rockhound reads, in the shapes
// docs/lark.md cites:
//   POST /open-apis/auth/v3/tenant_access_token/internal  -> {code, msg, tenant_access_token,
//        expire}; wrong app_id/app_secret -> HTTP 400 {code: 99991543}
//   GET  /open-apis/im/v1/messages  -> {code, msg, data: {has_more, page_token, items[]}} over the
//        chat history given with AddMessage, filtered by start_time/end_time (seconds,
//        inclusive), oldest first, page_size items per page, an opaque page_token bound to the
//        query it came from.
// Every request is checked the way the API does (Authorization header present -> else code
// 99991661; token issued and not revoked -> else 99991663; container_id_type=chat; the known
// chat -> else 230002; page_size 1..50; sort_type; a page_token from the same query); a refused
// request gets the API's error answer and, when the test did not ask for it, is recorded as a
// problem. Faults are queued with Inject: the next request to that endpoint gets the scripted
// status, code, headers (e.g. 429 + x-ogw-ratelimit-reset) or raw body instead.
// RevokeTokens() makes every token issued so far invalid (a token that expired server-side).
// Problems not collected with TakeProblems() fail the current test when the server is destroyed.
// Thread-safety: requests are served concurrently; every accessor may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/json.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace rh::testing {

// One alert section of a generated card (the platform's alert bot layout).
struct FakeAlertSection {
  std::string cluster_name;
  std::string region;
  std::string account_name;
  std::string cluster_id;
  std::string status;  // as written on the card: "Firing", "Resolved", "告警中", ...
  std::string alert_name;
  std::string detail;
  std::string dashboard_url;
  std::string silence_url;
};

// A Card JSON 1.0 `body.content` the way the platform's bot posts it: a red/green header, per
// section a lark_md div of "**Key**: value" lines and an action row of Dashboard/Silence
// buttons, an hr between sections. `chinese` writes the keys and buttons in Chinese.
std::string AlertCardContent(const std::vector<FakeAlertSection>& sections, bool chinese = false);

struct ScriptedLarkMessage {
  std::string message_id;               // om_...
  std::string msg_type = "interactive";
  long long create_time_ms = 0;
  std::string content;                  // body.content (JSON text)
  bool deleted = false;
};

struct LarkFault {
  enum class Endpoint { kToken, kMessages };
  Endpoint endpoint = Endpoint::kMessages;
  int status = 429;
  long long code = 99991400;
  std::string msg = "request trigger frequency limit";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string raw_body;  // when set, sent verbatim instead of {code, msg}
  int skip = 0;          // requests to this endpoint served normally before the fault applies
};

struct LarkReceived {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string authorization;
  int status = 0;
  long long code = 0;
};

class ScriptedLarkServer {
 public:
  struct Options {
    std::string app_id = "cli_a1b2c3d4e5f6a7b8";
    std::string app_secret = "SecretForTheScriptedLarkApp42";
    std::string chat_id = "oc_5ce6d572455d361153b7cb51da133945";
    long long token_expire_seconds = 7200;
    int threads = 4;
  };

  ScriptedLarkServer();
  explicit ScriptedLarkServer(Options options);
  ~ScriptedLarkServer();
  ScriptedLarkServer(const ScriptedLarkServer&) = delete;
  ScriptedLarkServer& operator=(const ScriptedLarkServer&) = delete;

  std::string base_url() const;
  const Options& options() const { return options_; }

  void AddMessage(ScriptedLarkMessage message);
  void Inject(LarkFault fault);
  void RevokeTokens();

  std::vector<LarkReceived> requests() const;
  int token_requests() const;
  int message_requests() const;
  std::vector<std::string> TakeProblems();
  void Stop();

 private:
  void Handle(const httplib::Request& request, httplib::Response& response);
  void HandleToken(const httplib::Request& request, httplib::Response& response,
                   LarkReceived& received);
  void HandleMessages(const httplib::Request& request, httplib::Response& response,
                      LarkReceived& received);
  void Answer(httplib::Response& response, LarkReceived& received, int status, long long code,
              const std::string& msg, Json data = nullptr);

  Options options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;

  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::vector<ScriptedLarkMessage> messages_;  // kept sorted by create time
  std::vector<LarkFault> faults_;
  std::set<std::string> valid_tokens_;
  int token_counter_ = 0;
  std::vector<LarkReceived> requests_;
  std::vector<std::string> problems_;
};

}  // namespace rh::testing
