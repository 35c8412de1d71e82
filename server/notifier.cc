#include "server/notifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "agent/report.h"
#include "core/log.h"
#include "core/redact.h"
#include "net/backoff.h"

namespace rh::server {
namespace {

constexpr auto kMaxConnectTimeout = std::chrono::seconds(5);

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::toupper);
  return text;
}

CounterMetric& Outcomes(MetricsRegistry& metrics, const char* result) {
  return metrics.Counter("rockhound_notifications_total",
                         "Report notifications by outcome (sent, failed, skipped)",
                         {{"result", result}});
}

}  // namespace

NotifierOptions NotifierOptions::FromConfig(const Config& config, const std::string& public_url) {
  NotifierOptions options;
  options.webhook_url = config.secrets.notify_webhook_url;
  options.format = config.notify.format;
  options.min_severity = config.notify.min_severity;
  options.max_retries = config.notify.max_retries;
  options.public_url = public_url;
  return options;
}

ReportNotifier::ReportNotifier(NotifierOptions options, Clock& clock, MetricsRegistry& metrics)
    : ReportNotifier(std::move(options), net::MakeDefaultHttpTransport(), nullptr, clock, metrics) {
}

ReportNotifier::ReportNotifier(NotifierOptions options, net::HttpTransport& transport, Clock& clock,
                               MetricsRegistry& metrics)
    : ReportNotifier(std::move(options), nullptr, &transport, clock, metrics) {}

ReportNotifier::ReportNotifier(NotifierOptions options,
                               std::unique_ptr<net::HttpTransport> owned_transport,
                               net::HttpTransport* transport, Clock& clock,
                               MetricsRegistry& metrics)
    : options_(std::move(options)),
      owned_transport_(std::move(owned_transport)),
      transport_(transport != nullptr ? *transport : *owned_transport_),
      clock_(clock),
      metrics_(metrics) {
  if (!options_.webhook_url.empty()) {
    thread_ = std::thread([this] { Loop(); });
  }
}

ReportNotifier::~ReportNotifier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReportListener ReportNotifier::AsListener() {
  return [this](const store::StoredReport& report) { OnReportStored(report); };
}

void ReportNotifier::OnReportStored(const store::StoredReport& report) {
  if (options_.webhook_url.empty() || !AtLeast(report.severity, options_.min_severity)) {
    Outcomes(metrics_, "skipped").Add();
    return;
  }
  Enqueue(Pending{"report=" + report.report_id, DumpJson(MessageFor(report))});
}

void ReportNotifier::OnIssue(const issues::Issue& issue, std::string_view reason) {
  const bool wanted = reason == "escalated" || issue.severity == "critical";
  if (options_.webhook_url.empty() || !wanted) {
    Outcomes(metrics_, "skipped").Add();
    return;
  }
  Enqueue(Pending{"issue=" + issue.issue_id, DumpJson(MessageForIssue(issue, reason))});
}

void ReportNotifier::Enqueue(Pending pending) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      Outcomes(metrics_, "failed").Add();
      Logger("server")->error("{} notification dropped: {} notifications already queued",
                              pending.subject, queue_.size());
      return;
    }
    queue_.push_back(std::move(pending));
  }
  changed_.notify_all();
}

void ReportNotifier::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || !thread_.joinable(); });
}

std::string ReportNotifier::ReportLink(const std::string& report_id) const {
  std::string base = options_.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/reports/" + report_id;
}

std::string ReportNotifier::IssueLink(const std::string& issue_id) const {
  std::string base = options_.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/issues/" + issue_id;
}

Json ReportNotifier::MessageForIssue(const issues::Issue& issue, std::string_view reason) const {
  const std::string headline =
      std::string(reason == "escalated" ? "[ESCALATED] " : "[NEW ISSUE] ") + issue.cluster_id +
      ": " + Upper(std::string(IssueKindName(issue.kind))) + " " + issue.title;
  std::string names;
  for (const std::string& name : issue.alert_names) names += (names.empty() ? "" : ", ") + name;
  const std::string line = std::to_string(issue.alert_count) + " alert message(s): " + names;
  const std::string link = IssueLink(issue.issue_id);
  if (options_.format == "lark") {
    return Json{{"msg_type", "text"},
                {"content", {{"text", RedactSecrets(headline + "\n" + line + "\n" + link)}}}};
  }
  return Json{{"text", RedactSecrets("*" + headline + "*\n" + line + "\n<" + link +
                                     "|Open the issue>")}};
}

Json ReportNotifier::MessageFor(const store::StoredReport& report) const {
  char confidence[16];
  std::snprintf(confidence, sizeof(confidence), "%d%%",
                static_cast<int>(std::lround(report.confidence * 100)));
  const std::string headline = "[" + Upper(std::string(SeverityName(report.severity))) + "] " +
                               report.cluster_id + ": " +
                               std::string(RootCauseName(report.category)) + " (confidence " +
                               confidence + ")";
  std::string cause = report.root_cause.empty() ? report.summary : report.root_cause;
  if (cause.size() > 600) cause = cause.substr(0, 600) + "...";
  const std::string link = ReportLink(report.report_id);
  if (options_.format == "lark") {
    return Json{{"msg_type", "text"},
                {"content", {{"text", RedactSecrets(headline + "\n" + cause + "\n" + link)}}}};
  }
  return Json{
      {"text", RedactSecrets("*" + headline + "*\n" + cause + "\n<" + link + "|Open the report>")}};
}

ReportNotifier::Outcome ReportNotifier::PostOnce(const std::string& body) const {
  Outcome outcome;
  net::HttpRequest request;
  request.method = net::HttpMethod::kPost;
  request.url = options_.webhook_url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  request.total_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.request_timeout);
  request.connect_timeout = std::min<std::chrono::milliseconds>(
      request.total_timeout, std::chrono::milliseconds(kMaxConnectTimeout));
  auto answer = transport_.Send(request);
  if (!answer) {
    outcome.retryable = true;
    outcome.error = "network: " + RedactSecrets(answer.error().message);
    return outcome;
  }
  const long status = answer->status;
  const std::string& response_body = answer->body;
  outcome.retry_after_seconds = net::ParseRetryAfter(answer->Header("retry-after-ms"),
                                                     answer->Header("retry-after"), clock_.Now());
  if (status >= 200 && status < 300) {
    // Lark answers 200 with {"code": <non-zero>, "msg": ...} when it refuses a message.
    auto parsed = ParseJson(response_body, "webhook response");
    if (parsed && parsed->is_object() && parsed->contains("code") &&
        (*parsed)["code"].is_number_integer() && (*parsed)["code"].get<long long>() != 0) {
      outcome.retryable = true;
      outcome.error = "webhook refused the message: " + RedactSecrets(response_body.substr(0, 200));
      return outcome;
    }
    outcome.sent = true;
    return outcome;
  }
  outcome.retryable = status == 429 || status >= 500;
  outcome.error =
      "HTTP " + std::to_string(status) + ": " + RedactSecrets(response_body.substr(0, 200));
  return outcome;
}

void ReportNotifier::Deliver(const Pending& pending) {
  const std::string& body = pending.body;
  // Doubling from first_backoff, no jitter, in effect no cap (notify.max_retries <= 10 stays far
  // below the hour); a Retry-After of up to a minute is used instead when the webhook sends one.
  const net::BackoffPolicy backoff{.initial = options_.first_backoff,
                                   .max = std::chrono::hours(1),
                                   .multiplier = 2.0,
                                   .jitter_fraction = 0.0,
                                   .max_server_wait = std::chrono::minutes(1)};
  Outcome outcome;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    outcome = PostOnce(body);
    if (outcome.sent) {
      Outcomes(metrics_, "sent").Add();
      Logger("server")->info("{} notification sent ({} attempt{})", pending.subject,
                             attempt + 1, attempt == 0 ? "" : "s");
      return;
    }
    if (!outcome.retryable || attempt == options_.max_retries) break;
    Logger("server")->warn("{} notification attempt {} failed: {}; retrying", pending.subject,
                           attempt + 1, outcome.error);
    clock_.SleepFor(net::RetryDelay(backoff, outcome.retry_after_seconds, attempt, 0.0));
  }
  Outcomes(metrics_, "failed").Add();
  Logger("server")->error("{} notification failed: {} (it is stored; see the web page)",
                          pending.subject, outcome.error);
}

void ReportNotifier::Loop() {
  while (true) {
    Pending pending;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything was sent
      pending = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Deliver(pending);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
    }
    changed_.notify_all();
  }
}

}  // namespace rh::server
