// `rockhound serve` against hostile clients (issue 13), over real sockets on SQLite and MariaDB:
// slowloris and slow bodies are cut at their deadlines while /healthz keeps answering; the
// connection caps answer 503 as a JSON error; cross-site requests (form-encodable bodies, a
// foreign Origin) and DNS rebinding (a Host that does not name the server) are refused and
// change nothing; a real libcurl client's "Expect: 100-continue" is answered.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/server/raw_http.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

double MillisecondsSince(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

std::string AlertBody(const std::string& name) {
  Json body = {
      {"version", "4"},
      {"status", "firing"},
      {"receiver", "rockhound"},
      {"externalURL", "http://alertmanager:9093"},
      {"alerts",
       {{{"status", "firing"},
         {"labels",
          {{"alertname", name}, {"cluster_id", kCriticalCluster}, {"severity", "critical"}}},
         {"annotations", {{"summary", name}}},
         {"startsAt", "2026-11-21T09:00:00Z"},
         {"endsAt", "0001-01-01T00:00:00Z"}}}}};
  return DumpJson(body);
}

class HttpHardeningTest : public ServerTest {
 protected:
  std::string OwnHost() const { return "127.0.0.1:" + std::to_string(port_); }

  // A POST with any Content-Type and headers (the fixture's Post always sends JSON).
  HttpReply PostAs(const std::string& path, const std::string& body,
                   const std::string& content_type, httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30);
    auto result = client.Post(path.c_str(), headers, body, content_type.c_str());
    HttpReply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    if (auto parsed = ParseJson(result->body)) reply.json = *parsed;
    return reply;
  }

  // One raw request with the given Host header value; the response.
  RawHttpResponse WithHost(const std::string& host, const std::string& method = "GET",
                           const std::string& path = "/api/v1/reports") {
    RawHttpConnection connection(port_);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (method == "POST") {
      const std::string body = std::string(R"({"cluster_id":")") + kCriticalCluster + "\"}";
      request +=
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
    } else {
      request += "\r\n";
    }
    EXPECT_TRUE(connection.Send(request));
    return connection.ReadResponse();
  }

  int64_t Tasks() { return *memory().QueryInt("SELECT COUNT(*) FROM investigation_tasks"); }
  int64_t WebhookAlerts() {
    return *fleet().QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%'");
  }
};

std::string ErrorCodeIn(const RawHttpResponse& response) {
  auto parsed = ParseJson(response.body);
  if (!parsed || !parsed->is_object() || !parsed->contains("error")) return "";
  return JsonString((*parsed)["error"], "code");
}

TEST_P(HttpHardeningTest, SlowlorisIsCutAtTheHeaderDeadlineWhileHealthzAnswers) {
  config_.server.header_timeout = std::chrono::seconds(1);
  StartServer();
  const auto start = Steady::now();
  std::vector<std::unique_ptr<RawHttpConnection>> slow;
  for (int connection_idx = 0; connection_idx < 50; ++connection_idx) {
    slow.push_back(std::make_unique<RawHttpConnection>(port_));
    ASSERT_TRUE(slow.back()->ok());
    ASSERT_TRUE(slow.back()->Send("GET /api/v1/reports HTTP/1.1\r\nHost: " + OwnHost() + "\r\n"));
  }
  std::atomic<bool> done{false};
  std::mutex probes_mutex;
  std::vector<std::pair<int, double>> probes;  // status, milliseconds
  std::thread prober([&] {
    while (!done) {
      const auto probe_start = Steady::now();
      const int status = Get("/healthz").status;
      {
        std::lock_guard<std::mutex> lock(probes_mutex);
        probes.emplace_back(status, MillisecondsSince(probe_start));
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  // A header line from every slow connection every 200 ms, for longer than the deadline.
  for (int round_idx = 0; MillisecondsSince(start) < 1600; ++round_idx) {
    for (auto& connection : slow)
      connection->Send("X-Slow-" + std::to_string(round_idx) + ": 1\r\n");
    std::this_thread::sleep_for(milliseconds(200));
  }
  int closed = 0;
  int told_408 = 0;
  for (auto& connection : slow) {
    if (connection->WaitClosed(milliseconds(1500))) ++closed;
    if (connection->pending().starts_with("HTTP/1.1 408 ")) ++told_408;
  }
  EXPECT_LT(MillisecondsSince(start), 3500);
  done = true;
  prober.join();
  EXPECT_EQ(closed, 50);
  EXPECT_EQ(told_408, 50);
  ASSERT_GE(probes.size(), 5u);
  for (const auto& [status, milliseconds_taken] : probes) {
    EXPECT_EQ(status, 200);
    EXPECT_LT(milliseconds_taken, 1000);
  }
  EXPECT_NE(Get("/metrics")
                .body.find("rockhound_http_errors_total{code=\"deadline_exceeded\","
                           "route=\"unmatched\"} 50"),
            std::string::npos);
}

TEST_P(HttpHardeningTest, ASlowBodyIsCutAtTheBodyDeadlineAndWritesNothing) {
  config_.server.body_timeout = std::chrono::seconds(1);
  StartServer();
  RawHttpConnection connection(port_);
  const auto start = Steady::now();
  ASSERT_TRUE(connection.Send("POST /api/v1/investigations HTTP/1.1\r\nHost: " + OwnHost() +
                              "\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
                              "{\"cluster_id\":\"" +
                              kCriticalCluster + "\""));
  bool closed = false;
  while (!closed && MillisecondsSince(start) < 3000) {
    closed = connection.WaitClosed(milliseconds(200));
    if (!closed) connection.Send(" ");
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(MillisecondsSince(start), 2000);
  EXPECT_TRUE(connection.pending().starts_with("HTTP/1.1 408 ")) << connection.pending();
  EXPECT_NE(connection.pending().find("server.body_timeout"), std::string::npos);
  EXPECT_EQ(Tasks(), 0);
}

TEST_P(HttpHardeningTest, ConnectionCapsAnswer503AsAJsonErrorAndClose) {
  config_.server.max_connections = 4;
  config_.server.max_connections_per_client = 2;
  StartServer();
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  auto open_from = [&](const char* source) {
    open.push_back(std::make_unique<RawHttpConnection>(port_, source));
    ASSERT_TRUE(open.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(open.back()->ReadResponse().status, 200);
  };
  open_from("127.0.0.1");
  open_from("127.0.0.1");
  RawHttpConnection third_from_one(port_, "127.0.0.1");
  RawHttpResponse per_client = third_from_one.ReadResponse(milliseconds(2000));
  EXPECT_EQ(per_client.status, 503);
  EXPECT_EQ(ErrorCodeIn(per_client), "unavailable");
  EXPECT_NE(per_client.body.find("server.max_connections_per_client (2)"), std::string::npos)
      << per_client.body;
  EXPECT_TRUE(third_from_one.WaitClosed(milliseconds(2000)));

  open_from("127.0.0.2");
  open_from("127.0.0.2");
  RawHttpConnection fifth(port_, "127.0.0.3");
  RawHttpResponse total = fifth.ReadResponse(milliseconds(2000));
  EXPECT_EQ(total.status, 503);
  EXPECT_EQ(total.Header("retry-after"), "1");
  EXPECT_NE(total.body.find("server.max_connections (4)"), std::string::npos) << total.body;
  EXPECT_TRUE(fifth.WaitClosed(milliseconds(2000)));

  // Freed places serve again; the refusals are in the metrics.
  open.clear();
  std::this_thread::sleep_for(milliseconds(200));
  HttpReply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("rockhound_http_requests_total{method=\"-\",route=\"unmatched\","
                              "status=\"503\"} 2"),
            std::string::npos)
      << metrics.body;
}

TEST_P(HttpHardeningTest, CrossSiteRequestsAreRefusedAndChangeNothing) {
  StartServer();
  const std::string investigation = std::string(R"({"cluster_id":")") + kCriticalCluster + "\"}";
  const std::string alert = AlertBody("CrossSiteAlert");
  for (const std::string path : {"/api/v1/investigations", "/api/v1/alerts/alertmanager"}) {
    const std::string& body = path == "/api/v1/investigations" ? investigation : alert;
    // The finding: a page on another site posts text/plain, which needs no CORS preflight.
    HttpReply foreign = PostAs(path, body, "text/plain", {{"Origin", "http://evil.example"}});
    EXPECT_EQ(foreign.status, 403) << path;
    EXPECT_EQ(ErrorCodeOf(foreign), "permission_denied");
    EXPECT_NE(ErrorMessageOf(foreign).find("http://evil.example"), std::string::npos);
    // Each rule on its own.
    HttpReply plain = PostAs(path, body, "text/plain;charset=UTF-8");
    EXPECT_EQ(plain.status, 415) << path;
    EXPECT_NE(ErrorMessageOf(plain).find("application/json"), std::string::npos);
    EXPECT_EQ(PostAs(path, body, "application/x-www-form-urlencoded").status, 415) << path;
    EXPECT_EQ(PostAs(path, body, "Multipart/Form-Data; boundary=x").status, 415) << path;
    EXPECT_EQ(Post(path, body, {{"Origin", "http://evil.example"}}).status, 403) << path;
    EXPECT_EQ(Post(path, body, {{"Origin", "null"}}).status, 403) << path;
    EXPECT_EQ(
        Post(path, body, {{"Origin", "http://127.0.0.1:" + std::to_string(port_ + 1)}}).status, 403)
        << path;
    // The server's own origin in a browser's own casing, with the wrong type: still refused.
    EXPECT_EQ(PostAs(path, body, "text/plain", {{"Origin", "http://" + OwnHost()}}).status, 415);
  }
  EXPECT_EQ(Tasks(), 0);
  EXPECT_EQ(WebhookAlerts(), 0);

  // The page's own fetch(): JSON with its own Origin. Clients without an Origin (Alertmanager,
  // curl) are fine too.
  HttpReply same_origin =
      Post("/api/v1/investigations", investigation, {{"Origin", "http://" + OwnHost()}});
  EXPECT_EQ(same_origin.status, 202) << same_origin.body;
  EXPECT_EQ(Tasks(), 1);
  EXPECT_EQ(Post("/api/v1/alerts/alertmanager", alert).status, 200);
  EXPECT_EQ(WebhookAlerts(), 1);
  // GETs carry no such rule (a cross-site GET cannot read the answer).
  EXPECT_EQ(Get("/api/v1/reports", {{"Origin", "http://evil.example"}}).status, 200);
}

TEST_P(HttpHardeningTest, PublicUrlAndAllowedHostsNameOtherOwnOrigins) {
  config_.server.public_url = "https://rockhound.example.com/base/";
  config_.server.allowed_hosts = "rh.internal:9000";
  StartServer();
  const std::string body = std::string(R"({"cluster_id":")") + kCriticalCluster + "\"}";
  EXPECT_EQ(
      Post("/api/v1/investigations", body, {{"Origin", "https://rockhound.example.com"}}).status,
      202);
  EXPECT_EQ(Post("/api/v1/investigations", body, {{"Origin", "http://rh.internal:9000"}}).status,
            202);
  EXPECT_EQ(
      Post("/api/v1/investigations", body, {{"Origin", "https://rockhound.example.org"}}).status,
      403);
}

TEST_P(HttpHardeningTest, HostMustNameTheServer) {
  StartServer();
  const std::string port = std::to_string(port_);
  for (const std::string& host : std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port,
                                                          "LocalHost:" + port, "[::1]:" + port}) {
    EXPECT_EQ(WithHost(host).status, 200) << host;
  }
  for (const std::string& host :
       std::vector<std::string>{"evil.example:" + port, "evil.example", "127.0.0.1", "127.0.0.1:1",
                                "10.0.0.1:" + port, "127.0.0.1:" + port + ".evil",
                                "localhost:" + port + ":1", "", "[::1]", "localhost.:" + port}) {
    RawHttpResponse refused = WithHost(host);
    EXPECT_EQ(refused.status, 421) << host;
    EXPECT_EQ(ErrorCodeIn(refused), "permission_denied") << host;
    EXPECT_NE(refused.body.find("server.allowed_hosts"), std::string::npos) << refused.body;
  }
  // Writes and the page are refused too; nothing is queued.
  EXPECT_EQ(WithHost("evil.example:" + port, "POST", "/api/v1/investigations").status, 421);
  EXPECT_EQ(WithHost("evil.example:" + port, "GET", "/").status, 421);
  EXPECT_EQ(Tasks(), 0);
  // Liveness answers whatever the name.
  EXPECT_EQ(WithHost("evil.example:" + port, "GET", "/healthz").status, 200);
  EXPECT_EQ(WithHost("rockhound.example.com:" + port).status, 421);
}

TEST_P(HttpHardeningTest, AllowedHostsAreAccepted) {
  config_.server.allowed_hosts = "rockhound.example.com, 10.0.0.5:8443,[fd00::5]";
  StartServer();
  const std::string port = std::to_string(port_);
  for (const std::string& host : std::vector<std::string>{
           "rockhound.example.com", "ROCKHOUND.example.com:" + port, "rockhound.example.com:1234",
           "10.0.0.5:8443", "[fd00::5]:1", "127.0.0.1:" + port}) {
    EXPECT_EQ(WithHost(host).status, 200) << host;
  }
  for (const std::string& host : std::vector<std::string>{
           "10.0.0.5:" + port, "10.0.0.5", "other.example.com:" + port, "example.com:" + port}) {
    EXPECT_EQ(WithHost(host).status, 421) << host;
  }
  EXPECT_EQ(WithHost("rockhound.example.com:" + port, "POST", "/api/v1/investigations").status,
            202);
}

TEST_P(HttpHardeningTest, AWildcardBindAcceptsIpLiteralsWithItsPort) {
  config_.server.bind = "0.0.0.0";
  config_.secrets.server_token = "hardening-token-0123456789";
  StartServer();
  const std::string port = std::to_string(port_);
  for (const std::string& host : std::vector<std::string>{
           "10.1.2.3:" + port, "127.0.0.1:" + port, "[fe80::1]:" + port, "localhost:" + port}) {
    EXPECT_EQ(WithHost(host, "GET", "/").status, 200) << host;
  }
  for (const std::string& host :
       std::vector<std::string>{"evil.example:" + port, "10.1.2.3:1", "10.1.2.3"}) {
    EXPECT_EQ(WithHost(host, "GET", "/").status, 421) << host;
  }
}

TEST_P(HttpHardeningTest, ProtocolRefusalsAreJsonErrorsInTheMetrics) {
  StartServer();
  RawHttpConnection garbage(port_);
  ASSERT_TRUE(garbage.Send("GARBAGE\r\n\r\n"));
  RawHttpResponse malformed = garbage.ReadResponse();
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(ErrorCodeIn(malformed), "invalid_argument");
  EXPECT_TRUE(malformed.Header("content-type").starts_with("application/json"));
  RawHttpConnection big_head(port_);
  ASSERT_TRUE(big_head.Send("GET / HTTP/1.1\r\nHost: " + OwnHost() +
                            "\r\nX: " + std::string(17 * 1024, 'a') + "\r\n\r\n"));
  RawHttpResponse too_big = big_head.ReadResponse();
  EXPECT_EQ(too_big.status, 431);
  EXPECT_EQ(ErrorCodeIn(too_big), "resource_exhausted");
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("rockhound_http_errors_total{code=\"invalid_argument\","
                         "route=\"unmatched\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("rockhound_http_requests_total{method=\"GET\",route=\"unmatched\","
                         "status=\"431\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_P(HttpHardeningTest, QueryParametersKeepTheFirstValue) {
  StartServer();
  HttpReply reply = Get("/api/v1/reports?limit=1&limit=50&severity=info");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["reports"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/reports?limit=%31").json["reports"].size(), 1u);  // %31 is "1"
}

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

TEST_P(HttpHardeningTest, LibcurlExpectContinueIsAnswered) {
  StartServer();
  // libcurl sends "Expect: 100-continue" for large bodies and waits for the interim answer;
  // ask for it explicitly and wait up to 10 s, so a server that ignores it would be slow.
  const std::string body = AlertBody("ExpectContinueAlert");
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  const std::string url = "http://" + OwnHost() + "/api/v1/alerts/alertmanager";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect: 100-continue");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  const auto start = Steady::now();
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  EXPECT_EQ(result, CURLE_OK) << curl_easy_strerror(result);
  EXPECT_EQ(status, 200);
  EXPECT_LT(MillisecondsSince(start), 3000);
  EXPECT_EQ(WebhookAlerts(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, HttpHardeningTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
