// ReportNotifier: tells people about serious reports (and new or escalated alert issues). When
// a stored report's severity is at or above notify.min_severity it POSTs a short message with a link to the report
// (<public_url>/reports/<id>) to the configured Slack-compatible or Lark incoming webhook
// (secrets.notify_webhook_url).
//
// The report is stored before anyone is notified and nothing here can undo that: OnReportStored
// only queues the message and returns; one background thread sends it through the outbound
// transport (net::HttpTransport), retrying network errors, 429 and 5xx answers (and a Lark body
// with a non-zero "code") up to notify.max_retries times on the injected Clock: the webhook's
// Retry-After when it is in (0, 60] s (net/backoff.h), else first_backoff doubled per retry.
// Other 4xx answers are not retried. Every outcome is logged (report id,
// never the webhook URL, which is a secret) and counted in
// rockhound_notifications_total{result="sent"|"failed"|"skipped"}. At most kMaxQueued messages
// wait; beyond that new ones are dropped and counted as failed.
// Thread-safety: OnReportStored may be called from any thread (every investigation worker).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/investigator.h"
#include "issues/issue.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/severity.h"
#include "net/http_transport.h"
#include "store/report_store.h"

namespace rh::server {

// What the app attaches to the investigator (Investigator::AddListener): called once per
// stored report.
using ReportListener = agent::ReportListener;

struct NotifierOptions {
  std::string webhook_url;       // secrets.notify_webhook_url; empty: notifications off
  std::string format = "slack";  // slack | lark
  Severity min_severity = Severity::kHigh;  // notify at this severity or worse
  int max_retries = 3;
  std::string public_url;  // base of the report links, e.g. http://rockhound:8080
  Duration first_backoff = std::chrono::seconds(1);
  Duration request_timeout = std::chrono::seconds(10);

  static NotifierOptions FromConfig(const Config& config, const std::string& public_url);
};

class ReportNotifier {
 public:
  static constexpr size_t kMaxQueued = 1000;

  // Sends through its own net::MakeDefaultHttpTransport().
  ReportNotifier(NotifierOptions options, Clock& clock, MetricsRegistry& metrics = GlobalMetrics());
  // Sends through `transport` (a fake in tests), which must outlive the notifier.
  ReportNotifier(NotifierOptions options, net::HttpTransport& transport, Clock& clock,
                 MetricsRegistry& metrics = GlobalMetrics());
  // Sends what is queued (bounded by the retries), then stops the thread.
  ~ReportNotifier();
  ReportNotifier(const ReportNotifier&) = delete;
  ReportNotifier& operator=(const ReportNotifier&) = delete;

  // Queues a message when the report is severe enough and a webhook is configured.
  void OnReportStored(const store::StoredReport& report);
  // Queues a message for an issue the tracker opened ("new") or escalated ("escalated"): every
  // escalation, and new issues whose worst alert is critical (others are counted as skipped).
  // The link is <public_url>/issues/<id>.
  void OnIssue(const issues::Issue& issue, std::string_view reason);
  // This notifier as a ReportListener (it must outlive the listener's users).
  ReportListener AsListener();
  // Blocks until every queued message was sent or given up.
  void Flush();

  // The JSON body posted for `report` (Slack {"text"} or Lark {"msg_type":"text",...}).
  Json MessageFor(const store::StoredReport& report) const;
  Json MessageForIssue(const issues::Issue& issue, std::string_view reason) const;
  std::string ReportLink(const std::string& report_id) const;
  std::string IssueLink(const std::string& issue_id) const;

 private:
  struct Outcome {
    bool sent = false;
    bool retryable = false;
    std::optional<double> retry_after_seconds;  // what the webhook asked for, if anything
    std::string error;
  };
  ReportNotifier(NotifierOptions options, std::unique_ptr<net::HttpTransport> owned_transport,
                 net::HttpTransport* transport, Clock& clock, MetricsRegistry& metrics);
  void Loop();
  // One queued message: what it is about ("report=rpt_..", "issue=iss_..") and its body.
  struct Pending {
    std::string subject;
    std::string body;
  };
  void Enqueue(Pending pending);
  void Deliver(const Pending& pending);
  Outcome PostOnce(const std::string& body) const;

  const NotifierOptions options_;
  const std::unique_ptr<net::HttpTransport> owned_transport_;  // null when injected
  net::HttpTransport& transport_;
  Clock& clock_;
  MetricsRegistry& metrics_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rh::server
