#include "server/internal/api.h"

#include <charconv>

#include "core/log.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "service/alert_intake.h"
#include "service/fleet_views.h"
#include "service/investigations.h"
#include "service/issues.h"
#include "service/json_views.h"
#include "service/reports.h"

namespace rh::server::internal {
namespace {

Json EmptyToNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

std::string QueryValue(const std::map<std::string, std::string>& query, const std::string& key) {
  auto found = query.find(key);
  return found == query.end() ? "" : found->second;
}

Result<int> ParseWholeNumber(const std::map<std::string, std::string>& query,
                             const std::string& key, int fallback, int min, int max) {
  auto found = query.find(key);
  if (found == query.end() || found->second.empty()) return fallback;
  int value = 0;
  const std::string& text = found->second;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || value < min ||
      value > max) {
    return InvalidArgument(key, "must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + "; got '" + text + "'");
  }
  return value;
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

Api::Api(service::Runtime& runtime, MetricsRegistry& metrics)
    : runtime_(runtime), metrics_(metrics) {}

Result<ApiResponse> Api::Health(const ApiRequest&) {
  Json body = {{"status", "ok"}, {"version", RH_VERSION}};
  bool healthy = true;
  for (auto [name, open] : {std::pair<const char*, Result<store::Database*> (service::Runtime::*)()>{
                                "fleet", &service::Runtime::Fleet},
                            {"memory", &service::Runtime::Memory}}) {
    auto db = (runtime_.*open)();
    auto probe = db ? (*db)->QueryInt("SELECT 1") : Result<int64_t>(Fail(db.error()));
    body[name] = probe ? std::string("ok") : RedactSecrets(probe.error().ToString());
    healthy = healthy && probe.has_value();
  }
  if (!healthy) body["status"] = "unavailable";
  return ApiResponse::JsonBody(body, healthy ? 200 : 503);
}

std::string Api::FleetGauges() {
  // A registry per scrape: a cluster that left the fleet or the top N leaves the output too.
  MetricsRegistry fleet;
  const int max = runtime_.config().server.metrics_max_clusters;
  auto scored = service::FleetViews(runtime_).ScoredWorstFirst(static_cast<size_t>(max));
  if (!scored) {
    Logger("server")->warn("metrics: cannot read cluster scores: {}", scored.error().ToString());
    return {};
  }
  for (const service::ClusterRow& row : scored->worst_first) {
    const MetricLabels labels = {{"cluster_id", row.cluster_id}, {"tier", row.customer_tier}};
    fleet.Gauge("rockhound_cluster_health_score", "Newest composite health score, 0-100", labels)
        .Set(*row.health_score);
    fleet
        .Gauge("rockhound_cluster_risk_level",
               "Newest risk level: 0 Healthy, 1 Warning, 2 Critical", labels)
        .Set(static_cast<double>(*row.risk_level == RiskLevel::kHealthy   ? 0
                                 : *row.risk_level == RiskLevel::kWarning ? 1
                                                                          : 2));
  }
  fleet.Gauge("rockhound_clusters_scored", "Clusters with a health score").Set(scored->scored);
  fleet
      .Gauge("rockhound_clusters_exported",
             "Clusters exported as per-cluster gauges (server.metrics_max_clusters caps it)")
      .Set(static_cast<double>(scored->worst_first.size()));
  return fleet.RenderPrometheus();
}

Result<ApiResponse> Api::Metrics(const ApiRequest&) {
  // Gauges that are a query, not an event: refreshed on every scrape.
  auto memory = runtime_.Memory();
  auto counts = memory ? store::TaskQueue(**memory, runtime_.clock(), runtime_.config().queue)
                             .CountByStatus()
                       : Result<std::map<store::TaskStatus, int>>(Fail(memory.error()));
  if (counts) {
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
  auto issue_counts = service::Issues(runtime_).Counts();
  if (issue_counts) {
    for (const auto& [triage, count] : issue_counts->open_by_triage) {
      metrics_
          .Gauge("rockhound_open_issues", "Open (Ongoing) alert issues by triage status",
                 {{"triage_status", std::string(TriageStatusName(triage))}})
          .Set(count);
    }
    metrics_.Gauge("rockhound_open_issues_escalated", "Open alert issues that were escalated")
        .Set(issue_counts->open_escalated);
  } else {
    Logger("server")->warn("metrics: cannot count issues: {}", issue_counts.error().ToString());
  }
  metrics_
      .Gauge("rockhound_build_info", "Always 1; the labels say which build is running",
             {{"version", RH_VERSION}, {"compiler", __VERSION__}})
      .Set(1);
  ApiResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.RenderPrometheus() + FleetGauges();
  return response;
}

Result<ApiResponse> Api::CreateInvestigation(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, ParseObjectBody(request.body));
  if (!body.contains("cluster_id") || !body["cluster_id"].is_string()) {
    return InvalidArgument("cluster_id", "is required (a string naming the cluster)");
  }
  service::InvestigationSpec spec;
  spec.cluster_id = body["cluster_id"].get<std::string>();
  if (body.contains("question") && !body["question"].is_null()) {
    if (!body["question"].is_string()) return InvalidArgument("question", "must be a string");
    spec.question = body["question"].get<std::string>();
  }
  if (body.contains("priority")) {
    if (!body["priority"].is_number_integer()) {
      return InvalidArgument("priority", "must be 1 (most urgent), 2 or 3");
    }
    spec.priority = body["priority"].get<int>();
  }
  spec.requester = JsonString(body, "requester", "http");
  spec.source = store::TaskSource::kAdhoc;
  RH_ASSIGN_OR_RETURN(service::RequestedInvestigation requested,
                      service::Investigations(runtime_).Request(spec));
  Json response = service::TaskJson(requested.task);
  response["created"] = requested.created;
  response["links"] = {{"self", "/api/v1/investigations/" + requested.task.id},
                       {"page", "/investigations/" + requested.task.id}};
  ApiResponse out = ApiResponse::JsonBody(response, 202);
  out.headers.emplace_back("Location", "/api/v1/investigations/" + requested.task.id);
  return out;
}

Result<ApiResponse> Api::GetInvestigation(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(service::InvestigationStatus status,
                      service::Investigations(runtime_).Get(request.path_params.at(0)));
  return ApiResponse::JsonBody(service::InvestigationStatusJson(status));
}

Result<ApiResponse> Api::ListInvestigations(const ApiRequest& request) {
  store::TaskFilter filter;
  RH_ASSIGN_OR_RETURN(filter.limit, ParseWholeNumber(request.query, "limit", 50, 1, 500));
  filter.cluster_id = QueryValue(request.query, "cluster");
  filter.cursor = QueryValue(request.query, "cursor");
  std::string status = QueryValue(request.query, "status");
  if (!status.empty()) {
    auto parsed = store::ParseTaskStatus(status);
    if (!parsed) {
      return InvalidArgument(
          "status", "must be queued, running, done, failed or cancelled; got '" + status + "'");
    }
    filter.status = *parsed;
  }
  RH_ASSIGN_OR_RETURN(store::TaskPage page, service::Investigations(runtime_).List(filter));
  return ApiResponse::JsonBody(service::TaskPageJson(page));
}

Result<ApiResponse> Api::ListReports(const ApiRequest& request) {
  service::ReportQueryText text;
  text.cluster_id = QueryValue(request.query, "cluster");
  text.account_id = QueryValue(request.query, "account");
  text.severity = QueryValue(request.query, "severity");
  text.category = QueryValue(request.query, "category");
  text.since = QueryValue(request.query, "since");
  text.cursor = QueryValue(request.query, "cursor");
  RH_ASSIGN_OR_RETURN(text.limit, ParseWholeNumber(request.query, "limit", 20, 1, 200));
  RH_ASSIGN_OR_RETURN(service::ReportQuery query,
                      service::ParseReportQuery(text, runtime_.clock().Now()));
  RH_ASSIGN_OR_RETURN(store::ReportPage page, service::Reports(runtime_).List(query));
  return ApiResponse::JsonBody(service::ReportPageJson(page));
}

Result<ApiResponse> Api::GetReport(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(store::StoredReport report,
                      service::Reports(runtime_).Get(request.path_params.at(0)));
  if (WantsMarkdown(request)) {
    ApiResponse response;
    response.content_type = "text/markdown; charset=utf-8";
    response.body = report.markdown;
    return response;
  }
  Json body = service::ReportDetailJson(report);
  body["issues"] = Json::array();
  if (!report.task_id.empty()) {
    auto linked = service::Issues(runtime_).IssuesOfTask(report.task_id);
    if (linked) body["issues"] = *linked;
  }
  return ApiResponse::JsonBody(body);
}

Result<ApiResponse> Api::ListClusters(const ApiRequest& request) {
  service::OverviewQuery query;
  const std::string risk = QueryValue(request.query, "risk");
  if (!risk.empty()) {
    auto parsed = ParseRiskLevel(risk);
    if (!parsed) return Fail(Error{parsed.error().code, parsed.error().message, "risk"});
    query.risk = *parsed;
  }
  query.account_id = QueryValue(request.query, "account");
  const std::string sort = QueryValue(request.query, "sort");
  if (!sort.empty()) {
    RH_ASSIGN_OR_RETURN(query.sort, service::ParseOverviewSort(sort));
  }
  query.cursor = QueryValue(request.query, "cursor");
  RH_ASSIGN_OR_RETURN(query.limit, ParseWholeNumber(request.query, "limit", 100, 1, 1000));
  RH_ASSIGN_OR_RETURN(query.history_hours,
                      ParseWholeNumber(request.query, "history_hours", 0, 0, 24 * 31));
  RH_ASSIGN_OR_RETURN(service::Overview overview,
                      service::FleetViews(runtime_).ListClusters(query));
  return ApiResponse::JsonBody(service::OverviewJson(overview, query.history_hours > 0));
}

Result<ApiResponse> Api::GetCluster(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(Json cluster,
                      service::FleetViews(runtime_).GetCluster(request.path_params.at(0)));
  return ApiResponse::JsonBody(cluster);
}

Result<ApiResponse> Api::PostAlerts(const ApiRequest& request) {
  auto ingested = service::AlertIntake(runtime_).IngestWebhook(request.body);
  if (!ingested) {
    metrics_
        .Counter("rockhound_webhook_bodies_refused_total",
                 "Webhook bodies refused as unusable (nothing stored)")
        .Add(1);
    return Fail(ingested.error());
  }
  const service::AlertIntakeResult& intake = *ingested;
  const char* help = "Webhook alerts received by outcome";
  metrics_.Counter("rockhound_webhook_alerts_total", help, {{"result", "inserted"}})
      .Add(intake.stored.inserted - intake.stored.orphans);
  metrics_.Counter("rockhound_webhook_alerts_total", help, {{"result", "orphan"}})
      .Add(intake.stored.orphans);
  metrics_.Counter("rockhound_webhook_alerts_total", help, {{"result", "duplicate"}})
      .Add(intake.stored.duplicates);
  metrics_.Counter("rockhound_webhook_alerts_total", help, {{"result", "rejected"}})
      .Add(static_cast<double>(intake.rejected.size()));
  if (intake.enqueue_failures > 0) {
    metrics_
        .Counter("rockhound_webhook_enqueue_failures_total",
                 "Webhook investigations that could not be queued")
        .Add(intake.enqueue_failures);
  }
  Json tasks = Json::array();
  for (const service::QueuedFromAlert& task : intake.tasks) {
    tasks.push_back(
        Json{{"task_id", task.task_id}, {"cluster_id", task.cluster_id}, {"created", task.created}});
  }
  Json orphans = Json::array();
  for (const alerts::AlertRecord& alert : intake.stored.inserted_alerts) {
    if (alert.orphan_reason.empty()) continue;
    orphans.push_back(Json{{"message_id", alert.message_id},
                           {"alert_name", alert.alert_name},
                           {"reason", alert.orphan_reason}});
  }
  return ApiResponse::JsonBody(Json{{"received", intake.stored.received},
                                    {"inserted", intake.stored.inserted},
                                    {"duplicates", intake.stored.duplicates},
                                    {"orphans", intake.stored.orphans},
                                    {"orphan_alerts", std::move(orphans)},
                                    {"orphans_matched", intake.orphans_matched},
                                    {"rejected", intake.rejected},
                                    {"message_ids", intake.stored.message_ids},
                                    {"tasks", std::move(tasks)}});
}

Result<ApiResponse> Api::ListAlerts(const ApiRequest& request) {
  service::AlertQueryText query;
  query.cluster_id = QueryValue(request.query, "cluster");
  query.status = QueryValue(request.query, "status");
  query.source = QueryValue(request.query, "source");
  query.since = QueryValue(request.query, "since");
  query.cursor = QueryValue(request.query, "cursor");
  RH_ASSIGN_OR_RETURN(query.limit, ParseWholeNumber(request.query, "limit", 50, 1, 1000));
  RH_ASSIGN_OR_RETURN(alerts::AlertPage page, service::AlertIntake(runtime_).List(query));
  Json list = Json::array();
  for (const alerts::StoredAlert& alert : page.alerts) list.push_back(service::AlertJson(alert));
  return ApiResponse::JsonBody(
      Json{{"alerts", std::move(list)}, {"next_cursor", EmptyToNull(page.next_cursor)}});
}

namespace {

// A lifecycle step's answer: the issue, or for a conflict 409 with the allowed next states.
Result<ApiResponse> TransitionResponse(service::Runtime& runtime, const std::string& issue_id,
                                       Result<issues::Issue> moved, bool triage) {
  if (moved) return ApiResponse::JsonBody(service::IssueJson(*moved));
  if (moved.error().code != ErrorCode::kConflict) return Fail(moved.error());
  ApiResponse response = ErrorResponse(moved.error());
  auto current = service::Issues(runtime).Get(issue_id);
  if (current) {
    Json body = *ParseJson(response.body);
    const Json issue = service::IssueJson(current->detail.issue);
    body["error"]["allowed"] = issue[triage ? "allowed_triage" : "allowed_disposition"];
    body["error"]["current"] = issue[triage ? "triage_status" : "disposition_status"];
    response.body = DumpJson(body);
  }
  return response;
}

Result<std::pair<std::string, std::string>> ActorAndNote(const Json& body) {
  for (const char* key : {"actor", "note", "status", "ticket_ref"}) {
    if (body.contains(key) && !body[key].is_null() && !body[key].is_string()) {
      return InvalidArgument(key, "must be a string");
    }
  }
  return std::make_pair(JsonString(body, "actor", "http"), JsonString(body, "note"));
}

}  // namespace

Result<ApiResponse> Api::ListIssues(const ApiRequest& request) {
  service::IssueQueryText query;
  query.cluster_id = QueryValue(request.query, "cluster");
  query.status = QueryValue(request.query, "status");
  query.triage = QueryValue(request.query, "triage");
  query.kind = QueryValue(request.query, "kind");
  const std::string escalated = QueryValue(request.query, "escalated");
  if (!escalated.empty() && escalated != "true" && escalated != "false") {
    return InvalidArgument("escalated", "must be true or false");
  }
  query.escalated_only = escalated == "true";
  query.cursor = QueryValue(request.query, "cursor");
  RH_ASSIGN_OR_RETURN(query.limit, ParseWholeNumber(request.query, "limit", 50, 1, 500));
  RH_ASSIGN_OR_RETURN(issues::IssuePage page, service::Issues(runtime_).List(query));
  Json list = Json::array();
  for (const issues::Issue& issue : page.issues) list.push_back(service::IssueJson(issue));
  return ApiResponse::JsonBody(
      Json{{"issues", std::move(list)}, {"next_cursor", EmptyToNull(page.next_cursor)}});
}

Result<ApiResponse> Api::GetIssue(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(service::IssueView view,
                      service::Issues(runtime_).Get(request.path_params.at(0)));
  return ApiResponse::JsonBody(service::IssueViewJson(view));
}

Result<ApiResponse> Api::AckIssue(const ApiRequest& request) {
  Json body = Json::object();
  if (!request.body.empty()) {
    RH_ASSIGN_OR_RETURN(body, ParseObjectBody(request.body));
  }
  RH_ASSIGN_OR_RETURN(auto actor_note, ActorAndNote(body));
  const std::string& id = request.path_params.at(0);
  return TransitionResponse(
      runtime_, id, service::Issues(runtime_).Acknowledge(id, actor_note.first, actor_note.second),
      true);
}

Result<ApiResponse> Api::TriageIssue(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, ParseObjectBody(request.body));
  RH_ASSIGN_OR_RETURN(auto actor_note, ActorAndNote(body));
  const std::string status = JsonString(body, "status");
  if (status.empty()) {
    return InvalidArgument("status", "is required: one of " + std::string(TriageStatusNames()));
  }
  const std::string& id = request.path_params.at(0);
  return TransitionResponse(
      runtime_, id,
      service::Issues(runtime_).Triage(id, status, actor_note.first, actor_note.second), true);
}

Result<ApiResponse> Api::DisposeIssue(const ApiRequest& request) {
  RH_ASSIGN_OR_RETURN(Json body, ParseObjectBody(request.body));
  RH_ASSIGN_OR_RETURN(auto actor_note, ActorAndNote(body));
  const std::string status = JsonString(body, "status");
  if (status.empty()) {
    return InvalidArgument("status",
                           "is required: one of " + std::string(DispositionStatusNames()));
  }
  const std::string& id = request.path_params.at(0);
  return TransitionResponse(runtime_, id,
                            service::Issues(runtime_).Dispose(id, status,
                                                              JsonString(body, "ticket_ref"),
                                                              actor_note.first, actor_note.second),
                            false);
}

}  // namespace rh::server::internal
