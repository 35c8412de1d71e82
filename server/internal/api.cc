#include "server/internal/api.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "agent/report.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/redact.h"
#include "core/time_format.h"

namespace rh::server::internal {
namespace {

constexpr int kMaxQuestionChars = 2000;

Json TimeJson(const std::optional<TimePoint>& time) {
  return time ? Json(FormatIsoTime(*time)) : Json(nullptr);
}

Json EmptyToNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Result<int> ParseLimit(const std::map<std::string, std::string>& query, int fallback, int max) {
  auto found = query.find("limit");
  if (found == query.end() || found->second.empty()) return fallback;
  int value = 0;
  const std::string& text = found->second;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || value < 1 ||
      value > max) {
    return InvalidArgument("limit", "must be a whole number from 1 to " + std::to_string(max) +
                                        "; got '" + text + "'");
  }
  return value;
}

std::string QueryValue(const std::map<std::string, std::string>& query, const std::string& key) {
  auto found = query.find(key);
  return found == query.end() ? "" : found->second;
}

// "since" accepts a time (RFC 3339 or "YYYY-MM-DD HH:MM:SS") or a look-back such as "24h".
Result<std::optional<TimePoint>> ParseSince(const std::string& text, TimePoint now) {
  if (text.empty()) return std::optional<TimePoint>();
  if (auto time = ParseAnyTime(text)) return std::optional<TimePoint>(*time);
  if (auto look_back = ParseDurationShort(text)) return std::optional<TimePoint>(now - *look_back);
  return InvalidArgument("since",
                         "must be a time (2026-11-21T10:00:00Z) or a look-back such as "
                         "24h or 7d; got '" +
                             text + "'");
}

Status ValidateSeverity(const std::string& severity) {
  if (severity.empty() || agent::SeverityRank(severity) >= 0) return {};
  return InvalidArgument("severity",
                         "must be critical, high, medium, low or info; got '" + severity + "'");
}

Status ValidateCategory(const std::string& category) {
  if (category.empty()) return {};
  const auto& categories = agent::RootCauseCategories();
  if (std::find(categories.begin(), categories.end(), category) != categories.end()) return {};
  std::string known;
  for (const std::string& name : categories) known += (known.empty() ? "" : ", ") + name;
  return InvalidArgument("category",
                         "'" + category + "' is not a root-cause category; one of " + known);
}

Status ValidateClusterId(const std::string& cluster_id, std::string_view what) {
  if (IsValidResourceId(cluster_id)) return {};
  return InvalidArgument(std::string(what), "'" + cluster_id +
                                                "' is not a cluster id: lower-case letters, "
                                                "digits and '-', at most 64");
}

Result<Json> ParseObjectBody(const std::string& body) {
  if (body.empty()) return InvalidArgument("body", "is empty; send a JSON object");
  RH_ASSIGN_OR_RETURN(Json parsed, ParseJson(body, "body"));
  if (!parsed.is_object()) return InvalidArgument("body", "must be a JSON object");
  return parsed;
}

bool WantsMarkdown(const ApiRequest& request) {
  if (QueryValue(request.query, "format") == "markdown") return true;
  return request.accept.find("text/markdown") != std::string::npos;
}

}  // namespace

ApiResponse ApiResponse::JsonBody(const Json& value, int status) {
  ApiResponse response;
  response.status = status;
  response.body = DumpJson(value);
  return response;
}

ApiResponse ErrorResponse(const Error& error) {
  std::string message =
      error.context.empty() ? error.message : error.context + ": " + error.message;
  Json body = {
      {"error",
       {{"code", std::string(ErrorCodeName(error.code))}, {"message", RedactSecrets(message)}}}};
  return ApiResponse::JsonBody(body, HttpStatusFor(error.code));
}

Json ReportSummaryJson(const store::StoredReport& report) {
  return Json{{"report_id", report.report_id},
              {"task_id", EmptyToNull(report.task_id)},
              {"cluster_id", report.cluster_id},
              {"account_id", EmptyToNull(report.account_id)},
              {"engine", report.engine},
              {"model", EmptyToNull(report.model)},
              {"severity", report.severity},
              {"confidence", report.confidence},
              {"category", report.category},
              {"root_cause", report.root_cause},
              {"summary", report.summary},
              {"input_tokens", report.input_tokens},
              {"output_tokens", report.output_tokens},
              {"cost_usd", report.cost_usd},
              {"duration_ms", report.duration_ms},
              {"llm_error", EmptyToNull(report.llm_error)},
              {"created_at", FormatIsoTime(report.created_at)}};
}

Json ReportDetailJson(const store::StoredReport& report) {
  Json detail = ReportSummaryJson(report);
  detail["cache_read_tokens"] = report.cache_read_tokens;
  detail["cache_write_tokens"] = report.cache_write_tokens;
  auto parsed = ParseJson(report.report_json, "report_json");
  detail["report"] = parsed ? *parsed : Json(nullptr);
  Json transcript = Json::array();
  if (!report.transcript_json.empty()) {
    if (auto parsed_transcript = ParseJson(report.transcript_json, "transcript_json")) {
      transcript = *parsed_transcript;
    }
  }
  detail["transcript"] = std::move(transcript);
  detail["markdown"] = report.markdown;
  return detail;
}

Json TaskJson(const store::Task& task) {
  return Json{{"task_id", task.id},
              {"cluster_id", task.cluster_id},
              {"source", std::string(store::TaskSourceName(task.source))},
              {"status", std::string(store::TaskStatusName(task.status))},
              {"priority", task.priority},
              {"question", task.question},
              {"requester", EmptyToNull(task.requester)},
              {"attempts", task.attempts},
              {"max_attempts", task.max_attempts},
              {"last_error", EmptyToNull(task.last_error)},
              {"report_id", EmptyToNull(task.report_id)},
              {"created_at", FormatIsoTime(task.created_at)},
              {"updated_at", FormatIsoTime(task.updated_at)},
              {"started_at", TimeJson(task.started_at)},
              {"finished_at", TimeJson(task.finished_at)}};
}

Api::Api(const Config& config, Clock& clock, store::Database& fleet, store::Database& memory,
         MetricsRegistry& metrics)
    : config_(config),
      clock_(clock),
      fleet_(fleet),
      memory_(memory),
      metrics_(metrics),
      fleet_view_(fleet),
      reports_(memory),
      queue_(memory, clock, config.queue),
      ingestor_(fleet, clock) {}

Result<ApiResponse> Api::Health(const ApiRequest&) {
  Json body = {{"status", "ok"}, {"version", RH_VERSION}};
  bool healthy = true;
  for (auto [name, db] :
       {std::pair<const char*, store::Database*>{"fleet", &fleet_}, {"memory", &memory_}}) {
    auto probe = db->QueryInt("SELECT 1");
    body[name] = probe ? std::string("ok") : RedactSecrets(probe.error().ToString());
    healthy = healthy && probe.has_value();
  }
  if (!healthy) body["status"] = "unavailable";
  return ApiResponse::JsonBody(body, healthy ? 200 : 503);
}

Result<ApiResponse> Api::Metrics(const ApiRequest&) {
  // Gauges that are a query, not an event: refreshed on every scrape.
  if (auto counts = queue_.CountByStatus()) {
    for (store::TaskStatus status :
         {store::TaskStatus::kQueued, store::TaskStatus::kRunning, store::TaskStatus::kDone,
          store::TaskStatus::kFailed, store::TaskStatus::kCancelled}) {
      auto found = counts->find(status);
      metrics_
          .Gauge("rockhound_tasks", "Investigation tasks in the queue by status",
                 {{"status", std::string(store::TaskStatusName(status))}})
          .Set(found == counts->end() ? 0 : found->second);
    }
  } else {
    Logger("server")->warn("metrics: cannot count tasks: {}", counts.error().ToString());
  }
  ApiResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.RenderPrometheus();
  return response;
}

Result<ApiResponse> Api::CreateInvestigation(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, ParseObjectBody(request.body));
  if (!body.contains("cluster_id") || !body["cluster_id"].is_string()) {
    return InvalidArgument("cluster_id", "is required (a string naming the cluster)");
  }
  store::EnqueueRequest enqueue;
  enqueue.cluster_id = body["cluster_id"].get<std::string>();
  RH_RETURN_IF_ERROR(ValidateClusterId(enqueue.cluster_id, "cluster_id"));
  if (body.contains("question") && !body["question"].is_null()) {
    if (!body["question"].is_string()) return InvalidArgument("question", "must be a string");
    enqueue.question = body["question"].get<std::string>();
    if (enqueue.question.size() > kMaxQuestionChars) {
      return InvalidArgument("question",
                             "is longer than " + std::to_string(kMaxQuestionChars) + " characters");
    }
  }
  enqueue.priority = 2;
  if (body.contains("priority")) {
    if (!body["priority"].is_number_integer() || body["priority"].get<int>() < 1 ||
        body["priority"].get<int>() > 3) {
      return InvalidArgument("priority", "must be 1 (most urgent), 2 or 3");
    }
    enqueue.priority = body["priority"].get<int>();
  }
  enqueue.requester = JsonString(body, "requester", "http");
  if (enqueue.requester.size() > 128) enqueue.requester.resize(128);
  enqueue.source = store::TaskSource::kAdhoc;
  RH_ASSIGN_OR_RETURN(bool known, fleet_view_.ClusterExists(enqueue.cluster_id));
  if (!known) {
    return NotFound("cluster '" + enqueue.cluster_id + "'",
                    "is not in the fleet; GET /api/v1/clusters lists the clusters");
  }
  RH_ASSIGN_OR_RETURN(store::EnqueueResult enqueued, queue_.Enqueue(enqueue));
  Logger("server")->info("task={} cluster={} investigation requested by {} ({})", enqueued.task.id,
                         enqueue.cluster_id, enqueue.requester,
                         enqueued.created ? "queued" : "already in flight");
  Json response = TaskJson(enqueued.task);
  response["created"] = enqueued.created;
  response["links"] = {{"self", "/api/v1/investigations/" + enqueued.task.id},
                       {"page", "/investigations/" + enqueued.task.id}};
  ApiResponse out = ApiResponse::JsonBody(response, 202);
  out.headers.emplace_back("Location", "/api/v1/investigations/" + enqueued.task.id);
  return out;
}

Result<ApiResponse> Api::GetInvestigation(const ApiRequest& request) {
  const std::string& task_id = request.path_params.at(0);
  RH_ASSIGN_OR_RETURN(store::Task task, queue_.Get(task_id));
  Json body = TaskJson(task);
  body["report"] = nullptr;
  if (task.status == store::TaskStatus::kDone) {
    std::optional<store::StoredReport> report;
    if (!task.report_id.empty()) {
      auto by_id = reports_.Get(task.report_id);
      if (by_id) report = std::move(*by_id);
    }
    if (!report) {
      RH_ASSIGN_OR_RETURN(report, reports_.FindByTask(task.id));
    }
    if (report) body["report"] = ReportDetailJson(*report);
  }
  return ApiResponse::JsonBody(body);
}

Result<ApiResponse> Api::ListInvestigations(const ApiRequest& request) {
  store::TaskFilter filter;
  RH_ASSIGN_OR_RETURN(filter.limit, ParseLimit(request.query, 50, 500));
  filter.cluster_id = QueryValue(request.query, "cluster");
  if (!filter.cluster_id.empty())
    RH_RETURN_IF_ERROR(ValidateClusterId(filter.cluster_id, "cluster"));
  std::string status = QueryValue(request.query, "status");
  if (!status.empty()) {
    auto parsed = store::ParseTaskStatus(status);
    if (!parsed) {
      return InvalidArgument(
          "status", "must be queued, running, done, failed or cancelled; got '" + status + "'");
    }
    filter.status = *parsed;
  }
  RH_ASSIGN_OR_RETURN(std::vector<store::Task> tasks, queue_.List(filter));
  Json list = Json::array();
  for (const store::Task& task : tasks) list.push_back(TaskJson(task));
  return ApiResponse::JsonBody(Json{{"investigations", std::move(list)}});
}

Result<ApiResponse> Api::ListReports(const ApiRequest& request) {
  store::ReportFilter filter;
  filter.cluster_id = QueryValue(request.query, "cluster");
  if (!filter.cluster_id.empty())
    RH_RETURN_IF_ERROR(ValidateClusterId(filter.cluster_id, "cluster"));
  filter.account_id = QueryValue(request.query, "account");
  if (!filter.account_id.empty() && !IsValidResourceId(filter.account_id)) {
    return InvalidArgument("account", "'" + filter.account_id + "' is not an account id");
  }
  filter.min_severity = QueryValue(request.query, "severity");
  RH_RETURN_IF_ERROR(ValidateSeverity(filter.min_severity));
  filter.category = QueryValue(request.query, "category");
  RH_RETURN_IF_ERROR(ValidateCategory(filter.category));
  RH_ASSIGN_OR_RETURN(filter.since, ParseSince(QueryValue(request.query, "since"), clock_.Now()));
  RH_ASSIGN_OR_RETURN(filter.limit, ParseLimit(request.query, 20, 200));
  filter.cursor = QueryValue(request.query, "cursor");
  RH_ASSIGN_OR_RETURN(store::ReportPage page, reports_.List(filter));
  Json list = Json::array();
  for (const store::StoredReport& report : page.reports) list.push_back(ReportSummaryJson(report));
  return ApiResponse::JsonBody(
      Json{{"reports", std::move(list)}, {"next_cursor", EmptyToNull(page.next_cursor)}});
}

Result<ApiResponse> Api::GetReport(const ApiRequest& request) {
  const std::string& report_id = request.path_params.at(0);
  RH_ASSIGN_OR_RETURN(store::StoredReport report, reports_.Get(report_id));
  if (WantsMarkdown(request)) {
    ApiResponse response;
    response.content_type = "text/markdown; charset=utf-8";
    response.body = report.markdown;
    return response;
  }
  return ApiResponse::JsonBody(ReportDetailJson(report));
}

Result<ApiResponse> Api::ListClusters(const ApiRequest& request) {
  ClusterListOptions options;
  options.risk_level = QueryValue(request.query, "risk");
  if (!options.risk_level.empty() && options.risk_level != "Critical" &&
      options.risk_level != "Warning" && options.risk_level != "Healthy") {
    return InvalidArgument(
        "risk", "must be Critical, Warning or Healthy; got '" + options.risk_level + "'");
  }
  options.account_id = QueryValue(request.query, "account");
  std::string history = QueryValue(request.query, "history_hours");
  if (!history.empty()) {
    auto parsed =
        std::from_chars(history.data(), history.data() + history.size(), options.history_hours);
    if (parsed.ec != std::errc() || parsed.ptr != history.data() + history.size() ||
        options.history_hours < 0 || options.history_hours > 24 * 31) {
      return InvalidArgument("history_hours", "must be a whole number from 0 to 744");
    }
  }
  RH_ASSIGN_OR_RETURN(Json fleet, fleet_view_.ListClusters(options));
  // The newest report of every cluster, so the overview links straight to it. (A read of the
  // memory's report table; ties on created_at keep the highest report id.)
  RH_ASSIGN_OR_RETURN(
      store::QueryResult newest,
      memory_.Query("SELECT r.cluster_id, r.report_id, r.severity, r.category, r.created_at "
                    "FROM investigation_reports r JOIN (SELECT cluster_id, MAX(created_at) AS "
                    "latest FROM investigation_reports GROUP BY cluster_id) m "
                    "ON m.cluster_id = r.cluster_id AND m.latest = r.created_at "
                    "ORDER BY r.report_id DESC"));
  std::map<std::string, Json> latest_report;
  for (const store::Row& row : newest) {
    const std::string cluster_id = row.GetString("cluster_id");
    if (latest_report.contains(cluster_id)) continue;
    latest_report[cluster_id] = Json{{"report_id", row.GetString("report_id")},
                                     {"severity", row.GetString("severity")},
                                     {"category", row.GetString("category")},
                                     {"created_at", TimeJson(row.GetTime("created_at"))}};
  }
  // A task in flight per cluster: a running one, else the newest queued one.
  std::map<std::string, Json> active_task;
  for (store::TaskStatus status : {store::TaskStatus::kRunning, store::TaskStatus::kQueued}) {
    store::TaskFilter active_filter;
    active_filter.status = status;
    active_filter.limit = 10000;
    RH_ASSIGN_OR_RETURN(std::vector<store::Task> tasks, queue_.List(active_filter));
    for (const store::Task& task : tasks) {
      if (active_task.contains(task.cluster_id)) continue;
      active_task[task.cluster_id] =
          Json{{"task_id", task.id}, {"status", std::string(store::TaskStatusName(task.status))}};
    }
  }
  for (Json& cluster : fleet["clusters"]) {
    const std::string cluster_id = cluster["cluster_id"].get<std::string>();
    auto report = latest_report.find(cluster_id);
    cluster["latest_report"] = report == latest_report.end() ? Json(nullptr) : report->second;
    auto task = active_task.find(cluster_id);
    cluster["active_task"] = task == active_task.end() ? Json(nullptr) : task->second;
  }
  return ApiResponse::JsonBody(fleet);
}

Result<ApiResponse> Api::GetCluster(const ApiRequest& request) {
  const std::string& cluster_id = request.path_params.at(0);
  RH_RETURN_IF_ERROR(ValidateClusterId(cluster_id, "cluster"));
  RH_ASSIGN_OR_RETURN(Json cluster, fleet_view_.GetCluster(cluster_id));
  store::ReportFilter filter;
  filter.cluster_id = cluster_id;
  filter.limit = 10;
  RH_ASSIGN_OR_RETURN(store::ReportPage page, reports_.List(filter));
  Json reports = Json::array();
  for (const store::StoredReport& report : page.reports) {
    reports.push_back(ReportSummaryJson(report));
  }
  cluster["reports"] = std::move(reports);
  store::TaskFilter task_filter;
  task_filter.cluster_id = cluster_id;
  task_filter.limit = 10;
  RH_ASSIGN_OR_RETURN(std::vector<store::Task> tasks, queue_.List(task_filter));
  Json task_list = Json::array();
  for (const store::Task& task : tasks) task_list.push_back(TaskJson(task));
  cluster["investigations"] = std::move(task_list);
  return ApiResponse::JsonBody(cluster);
}

Result<ApiResponse> Api::PostAlerts(const ApiRequest& request) {
  WebhookOptions options;
  options.cluster_label = config_.server.cluster_label;
  RH_ASSIGN_OR_RETURN(std::vector<WebhookAlert> alerts, ParseAlertWebhook(request.body, options));
  RH_ASSIGN_OR_RETURN(IngestResult ingested, ingestor_.Ingest(alerts));
  metrics_
      .Counter("rockhound_webhook_alerts_total", "Webhook alerts received by outcome",
               {{"result", "inserted"}})
      .Add(ingested.inserted);
  metrics_
      .Counter("rockhound_webhook_alerts_total", "Webhook alerts received by outcome",
               {{"result", "duplicate"}})
      .Add(ingested.duplicates);
  Json tasks = Json::array();
  if (config_.server.investigate_critical_alerts) {
    // One webhook task per cluster with a NEW firing critical alert; a re-post inserts nothing
    // and so queues nothing. The queue de-duplicates against a task already in flight.
    std::set<std::string> clusters;
    for (const WebhookAlert& alert : ingested.inserted_alerts) {
      if (alert.status == "Firing" && alert.severity == "critical")
        clusters.insert(alert.cluster_id);
    }
    for (const std::string& cluster_id : clusters) {
      store::EnqueueRequest enqueue;
      enqueue.cluster_id = cluster_id;
      enqueue.source = store::TaskSource::kWebhook;
      enqueue.priority = 1;
      enqueue.requester = "alertmanager";
      std::string names;
      for (const WebhookAlert& alert : ingested.inserted_alerts) {
        if (alert.cluster_id != cluster_id || alert.severity != "critical") continue;
        if (names.find(alert.alert_name) != std::string::npos) continue;
        names += (names.empty() ? "" : ", ") + alert.alert_name;
      }
      enqueue.question = "Critical alert firing: " + names;
      auto enqueued = queue_.Enqueue(enqueue);
      if (!enqueued) {
        // The alerts are stored; the sentinel's next cycle still sees them.
        metrics_
            .Counter("rockhound_webhook_enqueue_failures_total",
                     "Webhook investigations that could not be queued")
            .Add();
        Logger("server")->error("cluster={} webhook investigation not queued: {}", cluster_id,
                                enqueued.error().ToString());
        continue;
      }
      tasks.push_back(Json{{"task_id", enqueued->task.id},
                           {"cluster_id", cluster_id},
                           {"created", enqueued->created}});
    }
  }
  Logger("server")->info("webhook: {} alerts, {} new, {} already stored", ingested.received,
                         ingested.inserted, ingested.duplicates);
  return ApiResponse::JsonBody(Json{{"received", ingested.received},
                                    {"inserted", ingested.inserted},
                                    {"duplicates", ingested.duplicates},
                                    {"message_ids", ingested.message_ids},
                                    {"tasks", std::move(tasks)}});
}

}  // namespace rh::server::internal
