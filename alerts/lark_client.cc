#include "alerts/lark_client.h"

#include <algorithm>
#include <charconv>

#include "core/log.h"
#include "core/redact.h"
#include "net/backoff.h"

namespace rh::alerts {
namespace {

constexpr char kContext[] = "lark";
constexpr char kTokenPath[] = "/open-apis/auth/v3/tenant_access_token/internal";
constexpr char kMessagesPath[] = "/open-apis/im/v1/messages";
constexpr long long kRateLimitedCode = 99991400;
constexpr Duration kTokenMargin = std::chrono::minutes(3);

long long SecondsSinceEpoch(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::string Excerpt(const std::string& body) {
  std::string text = body.size() > 300 ? body.substr(0, 300) + "..." : body;
  return RedactSecrets(text);
}

// What Lark said, for an error message: "code 99991672: <msg>".
std::string Said(long long code, const std::string& msg) {
  return "code " + std::to_string(code) + (msg.empty() ? "" : ": " + RedactSecrets(msg));
}

// Advice for the codes an operator can fix (docs/lark.md, "Error codes that matter").
std::string AdviceFor(long long code) {
  switch (code) {
    case 99991543:
      return "; check ROCKHOUND_LARK_APP_ID and ROCKHOUND_LARK_APP_SECRET";
    case 99991662:
    case 99991673:
      return "; the app is disabled or not installed in this tenant";
    case 99991672:
    case 99991676:
      return "; grant the app the im:message.history:readonly (or im:message) scope";
    case 230002:
    case 230027:
      return "; add the app's bot to the chat (lark.chat_id)";
    default:
      return "";
  }
}

bool IsPermissionCode(long long code) {
  switch (code) {
    case 99991543:
    case 99991662:
    case 99991673:
    case 99991672:
    case 99991676:
    case 230002:
    case 230027:
      return true;
    default:
      return false;
  }
}

Result<TimePoint> MillisecondsTime(const Json& value, const std::string& where) {
  long long millis = 0;
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), millis);
    if (error != std::errc() || end != text.data() + text.size()) {
      return DataLoss(kContext, where + " '" + text + "' is not a millisecond timestamp");
    }
  } else if (value.is_number_integer()) {
    millis = value.get<long long>();
  } else {
    return DataLoss(kContext, where + " is missing or not a millisecond timestamp");
  }
  return TimePoint(std::chrono::milliseconds(millis));
}

}  // namespace

bool IsLarkTokenRejection(long long code) {
  return code == 99991661 || code == 99991663 || code == 99991664 || code == 99991671;
}

LarkClient::LarkClient(LarkClientOptions options, net::HttpTransport& transport, Clock& clock)
    : options_(std::move(options)), transport_(transport), clock_(clock) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

Result<LarkClient::Answer> LarkClient::SendWithRetries(const net::HttpRequest& request,
                                                       const std::string& what) {
  const net::BackoffPolicy backoff{.initial = options_.first_backoff,
                                   .max = std::chrono::seconds(60),
                                   .multiplier = 2.0,
                                   .jitter_fraction = 0.0,
                                   .max_server_wait = std::chrono::seconds(120)};
  for (int attempt = 0;; ++attempt) {
    ++stats_.requests;
    net::HttpResult result = transport_.Send(request);
    std::optional<double> server_wait;
    std::string failure;
    bool rate_limited = false;
    Answer answer;
    if (!result) {
      failure = std::string(net::HttpFailureKindName(result.error().kind)) + ": " +
                RedactSecrets(result.error().message);
      if (result.error().kind == net::HttpFailureKind::kRequest) {
        return InvalidArgument(kContext, what + ": " + failure + " (check lark.base_url)");
      }
    } else {
      answer.status = result->status;
      auto parsed = ParseJson(result->body, "Lark answer");
      if (parsed && parsed->is_object()) {
        answer.body = std::move(*parsed);
        answer.code = JsonInt(answer.body, "code", answer.status == 200 ? -1 : 0);
        answer.msg = JsonString(answer.body, "msg");
      }
      rate_limited = answer.status == 429 || answer.code == kRateLimitedCode;
      if (rate_limited) {
        ++stats_.rate_limited;
        // Lark's own header first (seconds until the window resets), then Retry-After.
        server_wait = net::ParseRetryAfter(std::nullopt, result->Header("x-ogw-ratelimit-reset"),
                                           clock_.Now());
        if (!server_wait) {
          server_wait = net::ParseRetryAfter(result->Header("retry-after-ms"),
                                             result->Header("retry-after"), clock_.Now());
        }
        failure = "rate limited (HTTP " + std::to_string(answer.status) + ", " +
                  Said(answer.code, answer.msg) + ")";
      } else if (answer.status >= 500) {
        failure = "HTTP " + std::to_string(answer.status) + ": " + Excerpt(result->body);
      } else if (!answer.body.is_object() && answer.status == 404) {
        return InvalidArgument(kContext, what + ": HTTP 404 from " + options_.base_url +
                                             "; check lark.base_url (https://open.feishu.cn or "
                                             "https://open.larksuite.com)");
      } else if (!answer.body.is_object()) {
        return DataLoss(kContext, what + ": HTTP " + std::to_string(answer.status) +
                                      " with a body that is not a JSON object: " +
                                      Excerpt(result->body));
      } else {
        return answer;
      }
    }
    if (attempt >= options_.max_retries) {
      const std::string text = what + ": " + failure + " after " + std::to_string(attempt + 1) +
                               (attempt == 0 ? " attempt" : " attempts");
      if (rate_limited) return ResourceExhausted(kContext, text);
      return Unavailable(kContext, text);
    }
    ++stats_.retries;
    const Duration wait = net::RetryDelay(backoff, server_wait, attempt, 0.0);
    Logger("alerts")->warn("{}: {}; retry {} of {} in {} ms", what, failure, attempt + 1,
                           options_.max_retries,
                           std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
    clock_.SleepFor(wait);
  }
}

Result<std::string> LarkClient::Token() {
  if (!token_.empty() && clock_.Now() < token_valid_until_) return token_;
  if (options_.app_id.empty() || options_.app_secret.empty()) {
    return InvalidArgument(kContext, "ROCKHOUND_LARK_APP_ID and ROCKHOUND_LARK_APP_SECRET must "
                                     "both be set (the custom app's credentials)");
  }
  net::HttpRequest request;
  request.method = net::HttpMethod::kPost;
  request.url = options_.base_url + kTokenPath;
  request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  request.body = DumpJson(Json{{"app_id", options_.app_id}, {"app_secret", options_.app_secret}});
  request.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.connect_timeout);
  request.total_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.request_timeout);
  RH_ASSIGN_OR_RETURN(Answer answer, SendWithRetries(request, "tenant_access_token"));
  if (answer.code != 0 || answer.status != 200) {
    const std::string text = "tenant_access_token refused (HTTP " +
                             std::to_string(answer.status) + ", " + Said(answer.code, answer.msg) +
                             ")" + AdviceFor(answer.code);
    if (answer.status == 401 || answer.status == 403 || IsPermissionCode(answer.code)) {
      return PermissionDenied(kContext, text);
    }
    return Unavailable(kContext, text);
  }
  std::string token = JsonString(answer.body, "tenant_access_token");
  const long long expire = JsonInt(answer.body, "expire", 0);
  if (token.empty() || expire <= 0) {
    return DataLoss(kContext, "tenant_access_token answer without a token or a positive "
                              "`expire` (seconds)");
  }
  RegisterSecretValue(token);
  const Duration lifetime = std::chrono::seconds(expire);
  token_ = std::move(token);
  token_valid_until_ =
      clock_.Now() + (lifetime > 2 * kTokenMargin ? lifetime - kTokenMargin : lifetime / 2);
  ++stats_.token_fetches;
  return token_;
}

Result<LarkMessagePage> LarkClient::ListMessages(const std::string& chat_id, TimePoint start,
                                                 TimePoint end, const std::string& page_token) {
  if (chat_id.empty()) {
    return InvalidArgument(kContext, "no chat to read: set lark.chat_id (the oc_... id)");
  }
  net::QueryParameters query = {
      {"container_id_type", "chat"},
      {"container_id", chat_id},
      {"start_time", std::to_string(SecondsSinceEpoch(start))},
      {"end_time", std::to_string(SecondsSinceEpoch(end))},
      {"sort_type", "ByCreateTimeAsc"},
      {"page_size", std::to_string(options_.page_size)},
      {"card_msg_content_type", "user_card_content"},
  };
  if (!page_token.empty()) query.emplace_back("page_token", page_token);
  net::HttpRequest request;
  request.method = net::HttpMethod::kGet;
  request.url = net::WithQuery(options_.base_url + kMessagesPath, query);
  request.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.connect_timeout);
  request.total_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.request_timeout);

  Answer answer;
  for (int token_try = 0;; ++token_try) {
    RH_ASSIGN_OR_RETURN(std::string token, Token());
    request.headers = {{"Authorization", "Bearer " + token}};
    RH_ASSIGN_OR_RETURN(answer, SendWithRetries(request, "list messages of " + chat_id));
    if (!IsLarkTokenRejection(answer.code)) break;
    ++stats_.token_rejections;
    token_.clear();
    if (token_try >= 1) {
      return PermissionDenied(kContext, "list messages of " + chat_id +
                                            ": a freshly fetched tenant_access_token was refused "
                                            "too (" + Said(answer.code, answer.msg) + ")");
    }
    Logger("alerts")->info("lark: token refused ({}); fetching a new one",
                           Said(answer.code, answer.msg));
  }
  if (answer.code != 0 || answer.status != 200) {
    const std::string text = "list messages of " + chat_id + " refused (HTTP " +
                             std::to_string(answer.status) + ", " + Said(answer.code, answer.msg) +
                             ")" + AdviceFor(answer.code);
    if (answer.status == 401 || answer.status == 403 || IsPermissionCode(answer.code)) {
      return PermissionDenied(kContext, text);
    }
    if (answer.status == 400) return InvalidArgument(kContext, text);
    return Unavailable(kContext, text);
  }
  if (!answer.body.contains("data") || !answer.body["data"].is_object()) {
    return DataLoss(kContext, "list messages answer has no `data` object");
  }
  const Json& data = answer.body["data"];
  LarkMessagePage page;
  page.has_more = JsonBool(data, "has_more");
  page.page_token = JsonString(data, "page_token");
  if (page.has_more && page.page_token.empty()) {
    return DataLoss(kContext, "list messages answer says has_more but gives no page_token");
  }
  if (data.contains("items") && !data["items"].is_null()) {
    if (!data["items"].is_array()) return DataLoss(kContext, "data.items is not an array");
    for (size_t index = 0; index < data["items"].size(); ++index) {
      const Json& item = data["items"][index];
      const std::string where = "data.items[" + std::to_string(index) + "]";
      if (!item.is_object()) return DataLoss(kContext, where + " is not an object");
      LarkMessage message;
      message.message_id = JsonString(item, "message_id");
      message.chat_id = JsonString(item, "chat_id", chat_id);
      message.msg_type = JsonString(item, "msg_type");
      message.deleted = JsonBool(item, "deleted");
      RH_ASSIGN_OR_RETURN(message.create_time,
                          MillisecondsTime(item.value("create_time", Json()), where + ".create_time"));
      if (item.contains("body") && item["body"].is_object()) {
        message.content = JsonString(item["body"], "content");
      }
      page.items.push_back(std::move(message));
    }
  }
  return page;
}

}  // namespace rh::alerts
