#include "server/internal/service_tools.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "agent/report.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "server/fleet_view.h"
#include "server/internal/api.h"
#include "store/report_store.h"
#include "store/task_queue.h"

namespace rh::server::internal {
namespace {

constexpr const char* kIdPattern = "^[a-z0-9-]{1,64}$";
constexpr const char* kStoredIdPattern = "^[a-z0-9_]{1,64}$";

Json StringEnum(const std::vector<std::string>& values, const std::string& description) {
  return Json{{"type", "string"}, {"enum", values}, {"description", description}};
}

// A tool whose Execute returns JSON (or an Error, shown to the caller as an is_error result).
class ServiceTool : public tools::Tool {
 public:
  ServiceTool(std::string name, std::string description, Json schema, std::string hint)
      : name_(std::move(name)),
        description_(std::move(description)),
        schema_(std::move(schema)),
        hint_(std::move(hint)) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  const Json& input_schema() const override { return schema_; }
  std::string_view narrowing_hint() const override { return hint_; }

  tools::ToolResult Run(const Json& input) override {
    Result<std::string> output = Execute(input);
    if (!output) return tools::ToolResult{"error: " + output.error().ToString(), true};
    return tools::ToolResult{std::move(*output), false};
  }

 protected:
  virtual Result<std::string> Execute(const Json& input) = 0;

 private:
  std::string name_;
  std::string description_;
  Json schema_;
  std::string hint_;
};

// ---- Knowledge Lake --------------------------------------------------------------------------

class SearchTool final : public ServiceTool {
 public:
  SearchTool(knowledge::SearchMode mode, knowledge::KnowledgeSearch* knowledge)
      : ServiceTool(
            "search_" + std::string(knowledge::SearchModeName(mode)), Describe(mode),
            Json{{"type", "object"},
                 {"properties",
                  {{"query",
                    {{"type", "string"},
                     {"minLength", 1},
                     {"maxLength", 1000},
                     {"description", "What to look for, in plain words or error text."}}},
                   {"k",
                    {{"type", "integer"},
                     {"minimum", 1},
                     {"maximum", 20},
                     {"default", 5},
                     {"description", "How many passages to return."}}},
                   {"kinds",
                    {{"type", "array"},
                     {"items",
                      StringEnum({"oncall_log", "known_bug", "guideline", "resolution", "doc"},
                                 "a kind of knowledge")},
                     {"maxItems", 5},
                     {"description", "Keep only these kinds (default: every kind)."}}},
                   {"version",
                    {{"type", "string"},
                     {"pattern", "^[0-9]+(\\.[0-9]+){1,3}$"},
                     {"maxLength", 32},
                     {"description",
                      "A StarRocks version such as 3.3.4: keeps known bugs that affect it."}}}}},
                 {"required", {"query"}},
                 {"additionalProperties", false}},
            "ask for fewer passages (k)"),
        mode_(mode),
        knowledge_(knowledge) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    if (knowledge_ == nullptr) {
      return Unavailable("knowledge lake",
                         "is not open in this process; ingest knowledge with `rockhound "
                         "knowledge ingest` and check knowledge.db");
    }
    knowledge::SearchRequest request;
    request.query = input["query"].get<std::string>();
    request.mode = mode_;
    request.k = input.value("k", 5);
    if (input.contains("kinds")) {
      request.filter.kinds = input["kinds"].get<std::vector<std::string>>();
    }
    request.filter.version = input.value("version", std::string());
    RH_ASSIGN_OR_RETURN(std::vector<knowledge::SearchHit> hits, knowledge_->Search(request));
    Json out = {{"mode", std::string(knowledge::SearchModeName(mode_))},
                {"query", request.query},
                {"hits", Json::array()}};
    int rank = 0;
    for (const knowledge::SearchHit& hit : hits) {
      out["hits"].push_back({{"rank", ++rank},
                             {"title", hit.title},
                             {"kind", hit.kind},
                             {"version", hit.version},
                             {"source", hit.source},
                             {"score", std::round(hit.score * 10000) / 10000},
                             {"snippet", hit.snippet},
                             {"chunk_id", hit.chunk_id}});
    }
    return DumpJson(out);
  }

 private:
  static std::string Describe(knowledge::SearchMode mode) {
    switch (mode) {
      case knowledge::SearchMode::kFulltext:
        return "Full-text (BM25) search of the Knowledge Lake: StarRocks known bugs by fixed "
               "version, operations docs, on-call logs and past resolutions. Best for exact "
               "error messages, parameter and metric names.";
      case knowledge::SearchMode::kVector:
        return "Semantic (vector) search of the Knowledge Lake: finds passages that mean the same "
               "as the query even in other words. Best for symptoms described in prose.";
      case knowledge::SearchMode::kHybrid:
        break;
    }
    return "Hybrid search of the Knowledge Lake (full-text and vector, fused): StarRocks known "
           "bugs by fixed version, operations docs, on-call logs and past resolutions. The "
           "default choice; filter by kinds or by the cluster's StarRocks version.";
  }

  knowledge::SearchMode mode_;
  knowledge::KnowledgeSearch* knowledge_;
};

// ---- reports ---------------------------------------------------------------------------------

class ListReportsTool final : public ServiceTool {
 public:
  ListReportsTool(store::Database& memory, Clock& clock)
      : ServiceTool(
            "list_reports",
            "List stored investigation reports, newest first: id, cluster, severity, confidence, "
            "root-cause category and summary. Filter by cluster, minimum severity, category or "
            "time; page with next_cursor. Read one in full with get_report.",
            Json{{"type", "object"},
                 {"properties",
                  {{"cluster_id",
                    {{"type", "string"},
                     {"pattern", kIdPattern},
                     {"maxLength", 64},
                     {"description", "Only this cluster's reports."}}},
                   {"severity", StringEnum(agent::Severities(),
                                           "Minimum severity: 'high' keeps critical and high.")},
                   {"category", StringEnum(agent::RootCauseCategories(), "Root-cause category.")},
                   {"since",
                    {{"type", "string"},
                     {"maxLength", 40},
                     {"description",
                      "Only reports after this: an RFC 3339 time or a look-back like 24h, 7d."}}},
                   {"limit",
                    {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}, {"default", 10}}},
                   {"cursor",
                    {{"type", "string"},
                     {"maxLength", 200},
                     {"description", "next_cursor of the previous page."}}}}},
                 {"additionalProperties", false}},
            "ask for fewer reports (limit) or filter by cluster"),
        reports_(memory),
        clock_(clock) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    store::ReportFilter filter;
    filter.cluster_id = input.value("cluster_id", std::string());
    filter.min_severity = input.value("severity", std::string());
    filter.category = input.value("category", std::string());
    filter.limit = input.value("limit", 10);
    filter.cursor = input.value("cursor", std::string());
    const std::string since = input.value("since", std::string());
    if (!since.empty()) {
      if (auto time = ParseAnyTime(since)) {
        filter.since = *time;
      } else if (auto look_back = ParseDurationShort(since)) {
        filter.since = clock_.Now() - *look_back;
      } else {
        return InvalidArgument("since",
                               "must be a time (2026-11-21T10:00:00Z) or a look-back "
                               "such as 24h; got '" +
                                   since + "'");
      }
    }
    RH_ASSIGN_OR_RETURN(store::ReportPage page, reports_.List(filter));
    Json list = Json::array();
    for (const store::StoredReport& report : page.reports) {
      list.push_back({{"report_id", report.report_id},
                      {"cluster_id", report.cluster_id},
                      {"severity", report.severity},
                      {"confidence", report.confidence},
                      {"category", report.category},
                      {"summary", report.summary},
                      {"engine", report.engine},
                      {"created_at", FormatIsoTime(report.created_at)}});
    }
    Json out = {{"reports", std::move(list)}};
    out["next_cursor"] = page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor);
    return DumpJson(out);
  }

 private:
  store::ReportStore reports_;
  Clock& clock_;
};

class GetReportTool final : public ServiceTool {
 public:
  explicit GetReportTool(store::Database& memory)
      : ServiceTool(
            "get_report",
            "Read one stored investigation report: severity, confidence, root cause, the "
            "evidence (each item naming the tool call it came from) and the ordered "
            "recommendations. format=markdown (default) is what a person reads; format=json "
            "gives the structured report, with the tool-call transcript when "
            "include_transcript is true.",
            Json{{"type", "object"},
                 {"properties",
                  {{"report_id",
                    {{"type", "string"},
                     {"pattern", kStoredIdPattern},
                     {"maxLength", 64},
                     {"description", "The report id (rpt_...), from list_reports."}}},
                   {"format",
                    {{"type", "string"}, {"enum", {"markdown", "json"}}, {"default", "markdown"}}},
                   {"include_transcript", {{"type", "boolean"}, {"default", false}}}}},
                 {"required", {"report_id"}},
                 {"additionalProperties", false}},
            "use format=markdown, or leave out the transcript"),
        reports_(memory) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    RH_ASSIGN_OR_RETURN(store::StoredReport report,
                        reports_.Get(input["report_id"].get<std::string>()));
    if (input.value("format", std::string("markdown")) == "markdown") return report.markdown;
    Json detail = ReportDetailJson(report);
    detail.erase("markdown");
    if (!input.value("include_transcript", false)) detail.erase("transcript");
    return DumpJson(detail);
  }

 private:
  store::ReportStore reports_;
};

// ---- the queue -------------------------------------------------------------------------------

class RequestInvestigationTool final : public ServiceTool {
 public:
  RequestInvestigationTool(store::Database& fleet, store::Database& memory, Clock& clock,
                           const QueueConfig& queue)
      : ServiceTool(
            "request_investigation",
            "Queue an investigation of one cluster now (no cooldown). If one for the same "
            "cluster and question is already queued or running, that task is returned instead "
            "of a new one. A Rockhound worker (`rockhound serve` or `rockhound run`) sharing this "
            "agent memory works it; follow it with get_investigation.",
            Json{{"type", "object"},
                 {"properties",
                  {{"cluster_id",
                    {{"type", "string"},
                     {"pattern", kIdPattern},
                     {"maxLength", 64},
                     {"description", "The cluster to investigate."}}},
                   {"question",
                    {{"type", "string"},
                     {"maxLength", 2000},
                     {"description", "What the investigation should look at (optional)."}}}}},
                 {"required", {"cluster_id"}},
                 {"additionalProperties", false}},
            "the answer is one task"),
        fleet_view_(fleet),
        queue_(memory, clock, queue) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    store::EnqueueRequest request;
    request.cluster_id = input["cluster_id"].get<std::string>();
    request.question = input.value("question", std::string());
    request.source = store::TaskSource::kAdhoc;
    request.priority = 2;
    request.requester = "mcp";
    RH_ASSIGN_OR_RETURN(bool known, fleet_view_.ClusterExists(request.cluster_id));
    if (!known) return NotFound("cluster '" + request.cluster_id + "'", "is not in the fleet");
    RH_ASSIGN_OR_RETURN(store::EnqueueResult enqueued, queue_.Enqueue(request));
    Json out = TaskJson(enqueued.task);
    out["created"] = enqueued.created;
    out["next"] = "call get_investigation with this task_id until status is done";
    return DumpJson(out);
  }

 private:
  FleetView fleet_view_;
  store::TaskQueue queue_;
};

class GetInvestigationTool final : public ServiceTool {
 public:
  GetInvestigationTool(store::Database& memory, Clock& clock, const QueueConfig& queue)
      : ServiceTool(
            "get_investigation",
            "The status of a requested investigation (queued, running, done, failed, "
            "cancelled) and, once done, its report's severity, root cause and id.",
            Json{{"type", "object"},
                 {"properties",
                  {{"task_id",
                    {{"type", "string"},
                     {"pattern", kStoredIdPattern},
                     {"maxLength", 64},
                     {"description", "The task id (tsk_...) from request_investigation."}}}}},
                 {"required", {"task_id"}},
                 {"additionalProperties", false}},
            "the answer is one task"),
        reports_(memory),
        queue_(memory, clock, queue) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    RH_ASSIGN_OR_RETURN(store::Task task, queue_.Get(input["task_id"].get<std::string>()));
    Json out = TaskJson(task);
    out["report"] = nullptr;
    if (task.status == store::TaskStatus::kDone) {
      RH_ASSIGN_OR_RETURN(std::optional<store::StoredReport> report, reports_.FindByTask(task.id));
      if (report) {
        out["report"] = {{"report_id", report->report_id},   {"severity", report->severity},
                         {"confidence", report->confidence}, {"category", report->category},
                         {"root_cause", report->root_cause}, {"summary", report->summary}};
      }
    }
    return DumpJson(out);
  }

 private:
  store::ReportStore reports_;
  store::TaskQueue queue_;
};

}  // namespace

Result<tools::ToolRegistry> BuildServiceTools(const ServiceToolEnvironment& env) {
  if (!env.fleet || !env.memory || !env.clock) {
    return InvalidArgument("service tools", "fleet, memory and clock are required");
  }
  tools::ToolRegistry registry(env.output_budget_tokens);
  for (knowledge::SearchMode mode :
       {knowledge::SearchMode::kHybrid, knowledge::SearchMode::kFulltext,
        knowledge::SearchMode::kVector}) {
    RH_RETURN_IF_ERROR(registry.Register(std::make_unique<SearchTool>(mode, env.knowledge)));
  }
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<ListReportsTool>(*env.memory, *env.clock)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<GetReportTool>(*env.memory)));
  RH_RETURN_IF_ERROR(registry.Register(
      std::make_unique<RequestInvestigationTool>(*env.fleet, *env.memory, *env.clock, env.queue)));
  RH_RETURN_IF_ERROR(registry.Register(
      std::make_unique<GetInvestigationTool>(*env.memory, *env.clock, env.queue)));
  return registry;
}

}  // namespace rh::server::internal
