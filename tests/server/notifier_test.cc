// ReportNotifier against a local scripted webhook (a real HTTP server on port 0): message shape
// (Slack and Lark), the severity threshold, retries on 5xx/429/Lark errors, no retry on 4xx,
// failures counted, and the queue drained on shutdown.
#include "server/notifier.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "tests/fakes/scripted_http_transport.h"
#include "tests/server/fleet_seed.h"

namespace rh::testing {
namespace {

// A webhook that answers with the scripted statuses in order (then 200) and records bodies.
class ScriptedWebhook {
 public:
  explicit ScriptedWebhook(std::deque<std::pair<int, std::string>> script = {})
      : script_(std::move(script)) {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      bodies_.push_back(request.body);
      int status = 200;
      std::string body = "ok";
      if (!script_.empty()) {
        std::tie(status, body) = script_.front();
        script_.pop_front();
      }
      response.status = status;
      if (status == 429) response.set_header("Retry-After", "7");
      response.set_content(body, body.starts_with("{") ? "application/json" : "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedWebhook() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::deque<std::pair<int, std::string>> script_;
  std::vector<std::string> bodies_;
};

class NotifierTest : public ::testing::Test {
 protected:
  server::NotifierOptions Options(const std::string& url, const std::string& format = "slack") {
    server::NotifierOptions options;
    options.webhook_url = url;
    options.format = format;
    options.min_severity = Severity::kHigh;
    options.max_retries = 3;
    options.public_url = "http://rockhound.example:8080/";
    return options;
  }
  store::StoredReport Report(Severity severity) {
    store::StoredReport report =
        MakeStoredReport(kCriticalCluster, severity, RootCause::kDiskCapacity, SeedNow());
    report.report_id = "rpt_test_" + std::string(SeverityName(severity));
    return report;
  }
  double Count(const std::string& result) {
    return metrics_.Counter("rockhound_notifications_total", "", {{"result", result}}).value();
  }

  ManualClock clock_{SeedNow()};  // sleeps advance it at once
  MetricsRegistry metrics_;
};

TEST_F(NotifierTest, SlackMessageWithLinkForSevereReportsOnly) {
  ScriptedWebhook hook;
  server::ReportNotifier notifier(Options(hook.url()), clock_, metrics_);
  notifier.OnReportStored(Report(Severity::kCritical));
  notifier.OnReportStored(Report(Severity::kHigh));
  notifier.OnReportStored(Report(Severity::kMedium));  // below notify.min_severity
  notifier.Flush();
  std::vector<std::string> bodies = hook.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  Json first = *ParseJson(bodies[0]);
  const std::string text = first["text"];
  EXPECT_NE(text.find("[CRITICAL] c-alpha-prod: disk_capacity (confidence 82%)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("<http://rockhound.example:8080/reports/rpt_test_critical|"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("BE data disks"), std::string::npos);
  EXPECT_EQ(Count("sent"), 2);
  EXPECT_EQ(Count("skipped"), 1);
  EXPECT_EQ(Count("failed"), 0);
}

// New and escalated alert issues: every escalation, new issues only when their worst alert is
// critical; the message links the issue page.
TEST_F(NotifierTest, NewCriticalAndEscalatedIssuesNotify) {
  ScriptedWebhook hook;
  server::ReportNotifier notifier(Options(hook.url()), clock_, metrics_);
  issues::Issue issue;
  issue.issue_id = "iss_test";
  issue.cluster_id = kCriticalCluster;
  issue.kind = IssueKind::kAnomaly;
  issue.title = "HeapUsageTooHigh (+1 more)";
  issue.alert_names = {"HeapUsageTooHigh", "BeAliveAbnormal"};
  issue.alert_count = 3;
  issue.severity = "warning";
  notifier.OnIssue(issue, "new");        // warning: skipped
  notifier.OnIssue(issue, "escalated");  // always
  issue.severity = "critical";
  notifier.OnIssue(issue, "new");
  notifier.Flush();
  std::vector<std::string> bodies = hook.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  const std::string escalated = (*ParseJson(bodies[0]))["text"];
  EXPECT_NE(escalated.find("[ESCALATED] c-alpha-prod: ANOMALY HeapUsageTooHigh (+1 more)"),
            std::string::npos)
      << escalated;
  EXPECT_NE(escalated.find("<http://rockhound.example:8080/issues/iss_test|Open the issue>"),
            std::string::npos)
      << escalated;
  EXPECT_NE(escalated.find("HeapUsageTooHigh, BeAliveAbnormal"), std::string::npos);
  EXPECT_NE(std::string((*ParseJson(bodies[1]))["text"]).find("[NEW ISSUE]"), std::string::npos);
  EXPECT_EQ(Count("skipped"), 1);
  EXPECT_EQ(Count("sent"), 2);
  Json lark = server::ReportNotifier(Options(hook.url(), "lark"), clock_, metrics_)
                  .MessageForIssue(issue, "new");
  EXPECT_EQ(lark["msg_type"], "text");
  EXPECT_NE(std::string(lark["content"]["text"]).find("/issues/iss_test"), std::string::npos);
}

TEST_F(NotifierTest, LarkMessageShape) {
  ScriptedWebhook hook({{200, R"({"code":0,"msg":"success"})"}});
  server::ReportNotifier notifier(Options(hook.url(), "lark"), clock_, metrics_);
  notifier.OnReportStored(Report(Severity::kCritical));
  notifier.Flush();
  ASSERT_EQ(hook.bodies().size(), 1u);
  Json body = *ParseJson(hook.bodies()[0]);
  EXPECT_EQ(body["msg_type"], "text");
  EXPECT_NE(body["content"]["text"].get<std::string>().find(
                "http://rockhound.example:8080/reports/rpt_test_critical"),
            std::string::npos);
  EXPECT_EQ(Count("sent"), 1);
}

TEST_F(NotifierTest, RetriesServerErrorsRateLimitsAndLarkRefusals) {
  ScriptedWebhook hook({{500, "boom"}, {429, "slow down"}, {200, R"({"code":9499,"msg":"busy"})"}});
  const TimePoint start = clock_.Now();
  server::ReportNotifier notifier(Options(hook.url(), "lark"), clock_, metrics_);
  notifier.OnReportStored(Report(Severity::kCritical));
  notifier.Flush();
  EXPECT_EQ(hook.bodies().size(), 4u);  // three failures, then the default 200
  EXPECT_EQ(Count("sent"), 1);
  EXPECT_EQ(Count("failed"), 0);
  // Backoff 1s, then max(2s, Retry-After 7s), then 4s.
  EXPECT_EQ(clock_.Now() - start, std::chrono::seconds(12));
}

TEST_F(NotifierTest, GivesUpAfterMaxRetriesAndNeverRetriesClientErrors) {
  ScriptedWebhook always_down({{503, "down"}, {503, "down"}, {503, "down"}, {503, "down"}});
  {
    server::ReportNotifier notifier(Options(always_down.url()), clock_, metrics_);
    notifier.OnReportStored(Report(Severity::kCritical));
    notifier.Flush();
  }
  EXPECT_EQ(always_down.bodies().size(), 4u);  // 1 + max_retries
  EXPECT_EQ(Count("failed"), 1);

  ScriptedWebhook refuses({{404, "no such hook"}});
  {
    server::ReportNotifier notifier(Options(refuses.url()), clock_, metrics_);
    notifier.OnReportStored(Report(Severity::kCritical));
    notifier.Flush();
  }
  EXPECT_EQ(refuses.bodies().size(), 1u);
  EXPECT_EQ(Count("failed"), 2);
}

TEST_F(NotifierTest, UnreachableWebhookIsCountedNotFatal) {
  auto options = Options("http://127.0.0.1:1/hook");
  options.max_retries = 1;
  server::ReportNotifier notifier(options, clock_, metrics_);
  notifier.OnReportStored(Report(Severity::kCritical));
  notifier.Flush();
  EXPECT_EQ(Count("failed"), 1);
}

TEST_F(NotifierTest, SendsThroughAnInjectedTransportWithItsTimeouts) {
  ScriptedHttpTransport transport({
      ScriptedHttpTransport::Failure(net::HttpFailureKind::kTimeout, "Operation timed out"),
      ScriptedHttpTransport::Answer(503, "busy", {{"retry-after", "0.5"}}),
      ScriptedHttpTransport::Answer(200, "ok"),
  });
  const TimePoint start = clock_.Now();
  {
    server::ReportNotifier notifier(Options("https://hooks.example.test/hook"), transport, clock_,
                                    metrics_);
    notifier.OnReportStored(Report(Severity::kCritical));
    notifier.Flush();
  }
  EXPECT_EQ(Count("sent"), 1);
  // Backoff 1 s after the timeout, then the webhook's Retry-After of half a second.
  EXPECT_EQ(clock_.Now() - start, std::chrono::milliseconds(1500));
  const auto sent = transport.requests();
  ASSERT_EQ(sent.size(), 3u);
  for (const net::HttpRequest& request : sent) {
    EXPECT_EQ(request.method, net::HttpMethod::kPost);
    EXPECT_EQ(request.url, "https://hooks.example.test/hook");
    EXPECT_EQ(request.total_timeout, std::chrono::seconds(10));
    EXPECT_EQ(request.connect_timeout, std::chrono::seconds(5));  // capped at 5 s
    EXPECT_EQ(SentHeader(request, "Content-Type"), "application/json");
    EXPECT_TRUE(ParseJson(request.body)->contains("text"));
  }
}

TEST_F(NotifierTest, NoWebhookConfiguredSkips) {
  server::ReportNotifier notifier(Options(""), clock_, metrics_);
  notifier.OnReportStored(Report(Severity::kCritical));
  notifier.Flush();
  EXPECT_EQ(Count("skipped"), 1);
}

TEST_F(NotifierTest, ShutdownDeliversWhatIsQueued) {
  ScriptedWebhook hook;
  {
    server::ReportNotifier notifier(Options(hook.url()), clock_, metrics_);
    for (int report_idx = 0; report_idx < 5; ++report_idx) {
      notifier.OnReportStored(Report(Severity::kCritical));
    }
  }
  EXPECT_EQ(hook.bodies().size(), 5u);
  EXPECT_EQ(Count("sent"), 5);
}

// Issue 13: a Slack/Lark webhook URL is a secret (its path is the credential) and endpoints echo
// the path in their 4xx bodies ("no_service: /services/..."). The configured URL is registered
// for redaction at start-up, so the failure the notifier logs masks it.
TEST_F(NotifierTest, EchoedWebhookPathNeverReachesTheLog) {
  httplib::Server echo;
  echo.Post(R"(/services/.*)", [](const httplib::Request& request, httplib::Response& response) {
    response.status = 404;
    response.set_content("no_service: " + request.path, "text/plain");
  });
  const int port = echo.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { echo.listen_after_bind(); });
  const std::string secret_path = "/services/T0AAAAAAA/B0BBBBBBB/ZyXwVuTsRqPoNmLkJiHgFeDc";
  Config config;
  config.secrets.notify_webhook_url = "http://127.0.0.1:" + std::to_string(port) + secret_path;
  ClearRegisteredSecrets();
  RegisterConfiguredSecrets(config);  // what app/main.cc does once the config is loaded
  std::string log;
  {
    LogCapture capture;
    server::ReportNotifier notifier(Options(config.secrets.notify_webhook_url), clock_, metrics_);
    notifier.OnReportStored(Report(Severity::kCritical));
    notifier.Flush();
    log = capture.Text();
  }
  echo.stop();
  listener.join();
  ClearRegisteredSecrets();
  EXPECT_EQ(Count("failed"), 1);
  EXPECT_NE(log.find("notification failed: HTTP 404: no_service: ****FeDc"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("ZyXwVuTsRqPoNmLkJiHgFeDc"), std::string::npos) << log;
  EXPECT_EQ(log.find("/services/T0AAAAAAA"), std::string::npos) << log;
}

}  // namespace
}  // namespace rh::testing
