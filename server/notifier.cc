#include "server/notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "agent/report.h"
#include "core/log.h"
#include "core/redact.h"

namespace rh::server {
namespace {

constexpr auto kMaxRetryAfter = std::chrono::seconds(60);

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  out->append(data, size * count);
  return size * count;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* retry_after = static_cast<long*>(user);
  std::string line(data, size * count);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.starts_with("retry-after:")) {
    long seconds = std::strtol(line.c_str() + 12, nullptr, 10);
    if (seconds > 0) *retry_after = seconds;
  }
  return size * count;
}

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
    : options_(std::move(options)), clock_(clock), metrics_(metrics) {
  if (!options_.webhook_url.empty()) {
    InitCurlOnce();
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
  const int rank = agent::SeverityRank(report.severity);
  const int threshold = agent::SeverityRank(options_.min_severity);
  if (options_.webhook_url.empty() || rank < 0 || rank > threshold) {
    Outcomes(metrics_, "skipped").Add();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      Outcomes(metrics_, "failed").Add();
      Logger("server")->error("report={} notification dropped: {} notifications already queued",
                              report.report_id, queue_.size());
      return;
    }
    queue_.push_back(report);
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

Json ReportNotifier::MessageFor(const store::StoredReport& report) const {
  char confidence[16];
  std::snprintf(confidence, sizeof(confidence), "%d%%",
                static_cast<int>(std::lround(report.confidence * 100)));
  const std::string headline = "[" + Upper(report.severity) + "] " + report.cluster_id + ": " +
                               report.category + " (confidence " + confidence + ")";
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
  CURL* curl = curl_easy_init();
  if (!curl) {
    outcome.retryable = true;
    outcome.error = "cannot initialise libcurl";
    return outcome;
  }
  std::string response_body;
  long retry_after_seconds = 0;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  const long timeout_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.request_timeout).count());
  curl_easy_setopt(curl, CURLOPT_URL, options_.webhook_url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response_body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retry_after_seconds);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    outcome.retryable = true;
    outcome.error = std::string("network: ") + curl_easy_strerror(code);
    return outcome;
  }
  if (retry_after_seconds > 0) {
    outcome.retry_after =
        std::min<Duration>(std::chrono::seconds(retry_after_seconds), kMaxRetryAfter);
  }
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

void ReportNotifier::Deliver(const store::StoredReport& report) {
  const std::string body = DumpJson(MessageFor(report));
  Duration backoff = options_.first_backoff;
  Outcome outcome;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    outcome = PostOnce(body);
    if (outcome.sent) {
      Outcomes(metrics_, "sent").Add();
      Logger("server")->info("report={} notification sent ({} attempt{})", report.report_id,
                             attempt + 1, attempt == 0 ? "" : "s");
      return;
    }
    if (!outcome.retryable || attempt == options_.max_retries) break;
    Logger("server")->warn("report={} notification attempt {} failed: {}; retrying",
                           report.report_id, attempt + 1, outcome.error);
    clock_.SleepFor(std::max(backoff, outcome.retry_after));
    backoff *= 2;
  }
  Outcomes(metrics_, "failed").Add();
  Logger("server")->error(
      "report={} notification failed: {} (the report is stored; see "
      "/reports/{})",
      report.report_id, outcome.error, report.report_id);
}

void ReportNotifier::Loop() {
  while (true) {
    store::StoredReport report;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything was sent
      report = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Deliver(report);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
    }
    changed_.notify_all();
  }
}

}  // namespace rh::server
