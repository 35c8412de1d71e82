// LarkClient: reads a Lark/Feishu group chat's messages through the Open Platform API, as a
// custom app (docs/lark.md has every shape with its source):
//
//   POST {base}/open-apis/auth/v3/tenant_access_token/internal   {"app_id", "app_secret"}
//        -> {"code": 0, "tenant_access_token": "t-...", "expire": <seconds>}
//   GET  {base}/open-apis/im/v1/messages?container_id_type=chat&container_id=oc_...
//        &start_time=<s>&end_time=<s>&sort_type=ByCreateTimeAsc&page_size=50
//        &card_msg_content_type=user_card_content[&page_token=...]
//        Authorization: Bearer t-...
//        -> {"code": 0, "data": {"has_more", "page_token", "items": [...]}}
//
// Token: fetched on first use and cached until `expire` minus 3 minutes (the official Go SDK's
// margin); the token is registered with core/redact so it is masked wherever it could appear.
// When a call is refused because the token is invalid (codes 99991661 missing, 99991663
// invalid, 99991664, 99991671 malformed) the token is dropped, a new one fetched and the call
// sent once more; a second refusal in a row is permission_denied.
// Retries (up to max_retries per call, waits on the injected Clock): HTTP 429 or code 99991400
// (rate limited) after the server's wait — `x-ogw-ratelimit-reset` seconds (Lark's header), else
// Retry-After — or the backoff; HTTP 5xx and transport failures after the backoff (first_backoff
// doubling). Every request goes through net::HttpTransport.
// Errors: permission_denied (bad app credentials, missing scope, bot not in the chat),
// resource_exhausted (still rate limited after the retries), unavailable (unreachable, 5xx),
// invalid_argument (a request Lark calls malformed), data_loss (an answer that is not the
// documented shape). Messages never contain the app secret or the token.
// Thread-safety: one LarkClient per thread (the token cache is not locked).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "net/http_transport.h"

namespace rh::alerts {

struct LarkClientOptions {
  std::string base_url = "https://open.feishu.cn";  // or https://open.larksuite.com
  std::string app_id;                                // ROCKHOUND_LARK_APP_ID
  std::string app_secret;                            // ROCKHOUND_LARK_APP_SECRET
  int page_size = 50;                                // 1..50 (the API's documented maximum)
  int max_retries = 5;                               // per call, after the first attempt
  Duration first_backoff = std::chrono::seconds(1);  // doubles per retry, up to 60 s
  Duration connect_timeout = std::chrono::seconds(10);
  Duration request_timeout = std::chrono::seconds(30);
};

// One item of a chat's history.
struct LarkMessage {
  std::string message_id;  // om_...
  std::string chat_id;     // oc_...
  std::string msg_type;    // interactive | text | post | ...
  std::string content;     // body.content: JSON text (parsed again by the card parser)
  TimePoint create_time{};
  bool deleted = false;    // recalled
};

struct LarkMessagePage {
  std::vector<LarkMessage> items;
  bool has_more = false;
  std::string page_token;  // set when has_more
};

// What the client did, for the ingest summary and the tests.
struct LarkClientStats {
  int requests = 0;         // HTTP attempts of every kind
  int token_fetches = 0;    // tenant_access_token calls answered with a token
  int token_rejections = 0;  // calls refused for an invalid/expired token (then refreshed)
  int rate_limited = 0;     // answers that were 429 / 99991400
  int retries = 0;          // attempts repeated after a retryable failure
};

class LarkClient {
 public:
  // `transport` and `clock` must outlive the client.
  LarkClient(LarkClientOptions options, net::HttpTransport& transport, Clock& clock);

  // One page of `chat_id`'s messages created in [start, end] (whole seconds), oldest first.
  Result<LarkMessagePage> ListMessages(const std::string& chat_id, TimePoint start, TimePoint end,
                                       const std::string& page_token);

  const LarkClientStats& stats() const { return stats_; }

 private:
  struct Answer {
    long status = 0;
    long long code = 0;
    std::string msg;
    Json body;
  };

  // A valid tenant_access_token (cached or fetched).
  Result<std::string> Token();
  // Sends `request` with the retry policy above; the answer of the last attempt that was not
  // retried (any status/code) or the error that ended the retries.
  Result<Answer> SendWithRetries(const net::HttpRequest& request, const std::string& what);

  LarkClientOptions options_;
  net::HttpTransport& transport_;
  Clock& clock_;
  std::string token_;
  TimePoint token_valid_until_{};
  LarkClientStats stats_;
};

// Codes of an invalid or expired tenant token (refresh and retry once).
bool IsLarkTokenRejection(long long code);

}  // namespace rh::alerts
