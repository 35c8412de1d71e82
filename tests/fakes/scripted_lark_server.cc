#include "tests/fakes/scripted_lark_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <csignal>

namespace rh::testing {
namespace {

constexpr char kTokenPath[] = "/open-apis/auth/v3/tenant_access_token/internal";
constexpr char kMessagesPath[] = "/open-apis/im/v1/messages";

std::optional<long long> ParseInteger(const std::string& text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Json Text(const std::string& content) { return Json{{"tag", "lark_md"}, {"content", content}}; }

Json Button(const std::string& label, const std::string& url) {
  return Json{{"tag", "button"},
              {"text", {{"tag", "plain_text"}, {"content", label}}},
              {"url", url},
              {"type", "default"}};
}

}  // namespace

std::string AlertCardContent(const std::vector<FakeAlertSection>& sections, bool chinese) {
  Json elements = Json::array();
  int firing = 0;
  for (size_t index = 0; index < sections.size(); ++index) {
    const FakeAlertSection& section = sections[index];
    if (section.status == "Firing" || section.status == "告警中") ++firing;
    if (index > 0) elements.push_back({{"tag", "hr"}});
    std::string lines;
    const auto line = [&](const char* en, const char* zh, const std::string& value) {
      if (value.empty()) return;
      lines += std::string("**") + (chinese ? zh : en) + (chinese ? "**：" : "**: ") + value + "\n";
    };
    line("Alert Name", "告警名称", section.alert_name);
    line("Status", "告警状态", section.status);
    line("Cluster Name", "集群名称", section.cluster_name);
    line("Cluster ID", "集群ID", section.cluster_id);
    line("Region", "地域", section.region);
    line("Account Name", "账号名称", section.account_name);
    line("Alert Detail", "告警详情", section.detail);
    elements.push_back({{"tag", "div"}, {"text", Text(lines)}});
    Json actions = Json::array();
    if (!section.dashboard_url.empty()) {
      actions.push_back(Button(chinese ? "📊 监控看板" : "Dashboard", section.dashboard_url));
    }
    if (!section.silence_url.empty()) {
      actions.push_back(Button(chinese ? "🔕 静默 2 小时" : "Silence 2h", section.silence_url));
    }
    if (!actions.empty()) elements.push_back({{"tag", "action"}, {"actions", actions}});
  }
  const std::string title =
      chinese ? (firing > 0 ? "⛈ 触发告警（" + std::to_string(sections.size()) + " 条）"
                            : "🌤 告警已恢复（" + std::to_string(sections.size()) + " 条）")
              : "[StarRocks] " + std::to_string(sections.size()) + " alert(s)";
  Json card = {
      {"config", {{"wide_screen_mode", true}}},
      {"header",
       {{"template", firing > 0 ? "red" : "green"},
        {"title", {{"tag", "plain_text"}, {"content", title}}}}},
      {"elements", elements},
  };
  return DumpJson(card);
}

ScriptedLarkServer::ScriptedLarkServer() : ScriptedLarkServer(Options()) {}

ScriptedLarkServer::ScriptedLarkServer(Options options) : options_(std::move(options)) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  server_ = std::make_unique<httplib::Server>();
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  server_->new_task_queue = [threads] {
    return std::make_unique<httplib::ThreadPool>(threads).release();
  };
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  server_->Post(".*", handler);
  server_->Get(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    ADD_FAILURE() << "scripted Lark server: cannot bind 127.0.0.1";
    return;
  }
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  for (int wait_idx = 0; wait_idx < 2000 && !server_->is_running(); ++wait_idx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ScriptedLarkServer::~ScriptedLarkServer() {
  Stop();
  for (const std::string& problem : TakeProblems()) {
    ADD_FAILURE() << "scripted Lark server: " << problem;
  }
}

void ScriptedLarkServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (server_) server_->stop();
  if (listener_.joinable()) listener_.join();
}

std::string ScriptedLarkServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void ScriptedLarkServer::AddMessage(ScriptedLarkMessage message) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto at = std::upper_bound(messages_.begin(), messages_.end(), message,
                             [](const ScriptedLarkMessage& a, const ScriptedLarkMessage& b) {
                               return a.create_time_ms < b.create_time_ms;
                             });
  messages_.insert(at, std::move(message));
}

void ScriptedLarkServer::Inject(LarkFault fault) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(std::move(fault));
}

void ScriptedLarkServer::RevokeTokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  valid_tokens_.clear();
}

std::vector<LarkReceived> ScriptedLarkServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int ScriptedLarkServer::token_requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(),
                                        [](const LarkReceived& r) { return r.path == kTokenPath; }));
}

int ScriptedLarkServer::message_requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(
      requests_.begin(), requests_.end(),
      [](const LarkReceived& r) { return r.path == kMessagesPath; }));
}

std::vector<std::string> ScriptedLarkServer::TakeProblems() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  out.swap(problems_);
  return out;
}

void ScriptedLarkServer::Answer(httplib::Response& response, LarkReceived& received, int status,
                                long long code, const std::string& msg, Json data) {
  Json body = {{"code", code}, {"msg", msg}};
  if (!data.is_null()) body["data"] = std::move(data);
  if (code != 0) body["error"] = {{"log_id", "20261207120000FAKE" + std::to_string(code)}};
  response.status = status;
  response.set_content(DumpJson(body), "application/json; charset=utf-8");
  received.status = status;
  received.code = code;
}

void ScriptedLarkServer::Handle(const httplib::Request& request, httplib::Response& response) {
  LarkReceived received;
  received.method = request.method;
  received.path = request.path;
  for (const auto& [name, value] : request.params) received.query[name] = value;
  received.authorization = request.get_header_value("Authorization");

  std::optional<LarkFault> fault;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const LarkFault::Endpoint endpoint = request.path == kTokenPath
                                             ? LarkFault::Endpoint::kToken
                                             : LarkFault::Endpoint::kMessages;
    auto it = std::find_if(faults_.begin(), faults_.end(),
                           [&](const LarkFault& f) { return f.endpoint == endpoint; });
    if (it != faults_.end() && it->skip > 0) {
      --it->skip;
    } else if (it != faults_.end()) {
      fault = *it;
      faults_.erase(it);
    }
  }
  if (fault) {
    for (const auto& [name, value] : fault->headers) response.set_header(name, value);
    if (!fault->raw_body.empty()) {
      response.status = fault->status;
      response.set_content(fault->raw_body, "application/json; charset=utf-8");
      received.status = fault->status;
    } else {
      Answer(response, received, fault->status, fault->code, fault->msg);
    }
  } else if (request.path == kTokenPath) {
    HandleToken(request, response, received);
  } else if (request.path == kMessagesPath) {
    HandleMessages(request, response, received);
  } else {
    Answer(response, received, 404, 404, "404 page not found");
    std::lock_guard<std::mutex> lock(mutex_);
    problems_.push_back("unknown path " + request.method + " " + request.path);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(std::move(received));
}

void ScriptedLarkServer::HandleToken(const httplib::Request& request, httplib::Response& response,
                                     LarkReceived& received) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method != "POST") {
    problems_.push_back("tenant_access_token called with " + request.method);
    return Answer(response, received, 405, 99991400, "method not allowed");
  }
  if (request.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    problems_.push_back("tenant_access_token without Content-Type application/json");
  }
  Json body = Json::parse(request.body, nullptr, false);
  if (!body.is_object() || JsonString(body, "app_id") != options_.app_id ||
      JsonString(body, "app_secret") != options_.app_secret) {
    return Answer(response, received, 400, 99991543, "app_id or app_secret is invalid");
  }
  const std::string token = "t-g1044ffake" + std::to_string(++token_counter_) +
                            "c2e3328a62489fe0648c4b98779515d3";
  valid_tokens_.insert(token);
  Json answer = {{"code", 0},
                 {"msg", "ok"},
                 {"tenant_access_token", token},
                 {"expire", options_.token_expire_seconds}};
  response.status = 200;
  response.set_content(DumpJson(answer), "application/json; charset=utf-8");
  received.status = 200;
}

void ScriptedLarkServer::HandleMessages(const httplib::Request& request,
                                        httplib::Response& response, LarkReceived& received) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto param = [&](const char* name) { return request.get_param_value(name); };
  const std::string authorization = request.get_header_value("Authorization");
  if (authorization.empty()) {
    return Answer(response, received, 400, 99991661,
                  "Missing access token for authorization. Please make a request with token "
                  "attached.");
  }
  if (authorization.rfind("Bearer ", 0) != 0 || !valid_tokens_.contains(authorization.substr(7))) {
    return Answer(response, received, 400, 99991663, "Invalid access token for authorization.");
  }
  const auto invalid = [&](const std::string& what) {
    problems_.push_back("list messages: " + what);
    Answer(response, received, 400, 230001, "param is invalid: " + what);
  };
  if (request.method != "GET") return invalid("method " + request.method);
  if (param("container_id_type") != "chat") return invalid("container_id_type must be chat");
  if (param("container_id") != options_.chat_id) {
    return Answer(response, received, 400, 230002, "Bot/User can NOT be out of the chat.");
  }
  const auto page_size = ParseInteger(param("page_size"));
  if (!page_size || *page_size < 1 || *page_size > 50) return invalid("page_size 1..50");
  const std::string sort = param("sort_type");
  if (!sort.empty() && sort != "ByCreateTimeAsc") return invalid("sort_type " + sort);
  const auto start = ParseInteger(param("start_time"));
  const auto end = ParseInteger(param("end_time"));
  if (!start || !end) return invalid("start_time/end_time must be seconds");
  const std::string fingerprint = std::to_string(
      std::hash<std::string>{}(param("container_id") + "|" + std::to_string(*start) + "|" +
                               std::to_string(*end) + "|" + sort) %
      1000000007);
  size_t offset = 0;
  const std::string page_token = param("page_token");
  if (!page_token.empty()) {
    const size_t dash = page_token.find('-', 3);
    const auto parsed = page_token.rfind("pt-", 0) == 0 && dash != std::string::npos
                            ? ParseInteger(page_token.substr(3, dash - 3))
                            : std::nullopt;
    if (!parsed || page_token.substr(dash + 1) != fingerprint) {
      return invalid("page_token '" + page_token + "' does not belong to this query");
    }
    offset = static_cast<size_t>(*parsed);
  }
  auto first = std::lower_bound(messages_.begin(), messages_.end(), *start * 1000,
                                [](const ScriptedLarkMessage& m, long long ms) {
                                  return m.create_time_ms < ms;
                                });
  auto last = std::upper_bound(messages_.begin(), messages_.end(), *end * 1000 + 999,
                               [](long long ms, const ScriptedLarkMessage& m) {
                                 return ms < m.create_time_ms;
                               });
  const size_t total = static_cast<size_t>(std::max<std::ptrdiff_t>(0, last - first));
  Json items = Json::array();
  size_t index = offset;
  for (; index < total && index < offset + static_cast<size_t>(*page_size); ++index) {
    const ScriptedLarkMessage& message = *(first + static_cast<std::ptrdiff_t>(index));
    const std::string time = std::to_string(message.create_time_ms);
    items.push_back({
        {"message_id", message.message_id},
        {"root_id", ""},
        {"parent_id", ""},
        {"msg_type", message.msg_type},
        {"create_time", time},
        {"update_time", time},
        {"deleted", message.deleted},
        {"updated", false},
        {"chat_id", options_.chat_id},
        {"sender",
         {{"id", options_.app_id},
          {"id_type", "app_id"},
          {"sender_type", "app"},
          {"tenant_key", "736588c9260f175e"}}},
        {"body", {{"content", message.deleted ? "This message was recalled" : message.content}}},
    });
  }
  Json data = {{"has_more", index < total}, {"items", items}};
  if (index < total) data["page_token"] = "pt-" + std::to_string(index) + "-" + fingerprint;
  Answer(response, received, 200, 0, "success", std::move(data));
}

}  // namespace rh::testing
