#include "server/internal/service_tools.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "core/engine_kind.h"
#include "core/issue_status.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "service/followups.h"
#include "service/investigations.h"
#include "service/issues.h"
#include "service/json_views.h"
#include "service/reports.h"

namespace rh::server::internal {
namespace {

constexpr const char* kIdPattern = "^[a-z0-9-]{1,64}$";
constexpr const char* kStoredIdPattern = "^[a-z0-9_]{1,64}$";

Json StringEnum(const std::vector<std::string>& values, const std::string& description) {
  return Json{{"type", "string"}, {"enum", values}, {"description", description}};
}

template <typename Enum, size_t N>
std::vector<std::string> Names(const std::array<Enum, N>& values, std::string_view (*name)(Enum)) {
  std::vector<std::string> out;
  for (Enum value : values) out.emplace_back(name(value));
  return out;
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
  SearchTool(knowledge::SearchMode mode, service::Runtime& runtime)
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
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    auto knowledge = runtime_.Knowledge();
    if (!knowledge) {
      return Unavailable("knowledge lake",
                         "cannot be opened in this process (" + knowledge.error().ToString() +
                             "); ingest knowledge with `rockhound kb ingest` and check "
                             "knowledge.db");
    }
    knowledge::SearchRequest request;
    request.query = input["query"].get<std::string>();
    request.mode = mode_;
    request.k = input.value("k", 5);
    if (input.contains("kinds")) {
      request.filter.kinds = input["kinds"].get<std::vector<std::string>>();
    }
    request.filter.version = input.value("version", std::string());
    RH_ASSIGN_OR_RETURN(std::vector<knowledge::SearchHit> hits, (*knowledge)->Search(request));
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
  service::Runtime& runtime_;
};

// ---- reports ---------------------------------------------------------------------------------

class ListReportsTool final : public ServiceTool {
 public:
  explicit ListReportsTool(service::Runtime& runtime)
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
                   {"severity", StringEnum(Names(kAllSeverities, &SeverityName),
                                           "Minimum severity: 'high' keeps critical and high.")},
                   {"category",
                    StringEnum(Names(kAllRootCauses, &RootCauseName), "Root-cause category.")},
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
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    service::ReportQueryText text;
    text.cluster_id = input.value("cluster_id", std::string());
    text.severity = input.value("severity", std::string());
    text.category = input.value("category", std::string());
    text.since = input.value("since", std::string());
    text.cursor = input.value("cursor", std::string());
    text.limit = input.value("limit", 10);
    RH_ASSIGN_OR_RETURN(service::ReportQuery query,
                        service::ParseReportQuery(text, runtime_.clock().Now()));
    RH_ASSIGN_OR_RETURN(store::ReportPage page, service::Reports(runtime_).List(query));
    Json list = Json::array();
    for (const store::StoredReport& report : page.reports) {
      list.push_back({{"report_id", report.report_id},
                      {"cluster_id", report.cluster_id},
                      {"severity", std::string(SeverityName(report.severity))},
                      {"confidence", report.confidence},
                      {"category", std::string(RootCauseName(report.category))},
                      {"summary", report.summary},
                      {"engine", std::string(EngineKindName(report.engine))},
                      {"created_at", FormatIsoTime(report.created_at)}});
    }
    Json out = {{"reports", std::move(list)}};
    out["next_cursor"] = page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor);
    return DumpJson(out);
  }

 private:
  service::Runtime& runtime_;
};

// The report_id property of the tools that take a stored report.
Json ReportIdProperty() {
  return Json{{"type", "string"},
              {"pattern", kStoredIdPattern},
              {"maxLength", 64},
              {"description", "The report id (rpt_...), from list_reports."}};
}

// The engines a request may ask for, named by the one vocabulary (core/engine_kind.h).
Json EngineKindEnum() {
  return Names(
      std::array<EngineKind, 3>{EngineKind::kAuto, EngineKind::kClaude, EngineKind::kPlaybook},
      &EngineKindName);
}

class GetReportTool final : public ServiceTool {
 public:
  explicit GetReportTool(service::Runtime& runtime)
      : ServiceTool(
            "get_report",
            "Read one stored investigation report: severity, confidence, root cause, the "
            "evidence (each item naming the tool call it came from) and the ordered "
            "recommendations, and the alert issues linked to it (id, title, status). "
            "format=markdown (default) is what a person reads; format=json gives the "
            "structured report (issues under \"issues\"), with the tool-call transcript when "
            "include_transcript is true.",
            Json{{"type", "object"},
                 {"properties",
                  {{"report_id", ReportIdProperty()},
                   {"format",
                    {{"type", "string"}, {"enum", {"markdown", "json"}}, {"default", "markdown"}}},
                   {"include_transcript", {{"type", "boolean"}, {"default", false}}}}},
                 {"required", {"report_id"}},
                 {"additionalProperties", false}},
            "use format=markdown, or leave out the transcript"),
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    const std::string report_id = input["report_id"].get<std::string>();
    service::Reports reports(runtime_);
    if (input.value("format", std::string("markdown")) == "markdown") {
      return reports.Render(report_id, service::ReportFormat::kMarkdown);
    }
    RH_ASSIGN_OR_RETURN(Json detail, reports.Detail(report_id));
    detail.erase("markdown");
    if (!input.value("include_transcript", false)) detail.erase("transcript");
    return DumpJson(detail);
  }

 private:
  service::Runtime& runtime_;
};

// Asks a follow-up question about a stored report (service/followups.h), or, without a
// question, lists the conversation so far.
class AskReportTool final : public ServiceTool {
 public:
  explicit AskReportTool(service::Runtime& runtime)
      : ServiceTool(
            "ask_report",
            "Ask a follow-up question about a stored investigation report. The answer cites the "
            "tool calls that show it (calls of the investigation, or calls made now with the "
            "same read-only tools) and is stored with the report. Without a model (the playbook "
            "engine) it can run a tool again (\"re-run query_cluster_metrics\", \"show "
            "disk\"), show the evidence behind a finding (\"evidence for finding 2\") or list "
            "the tool calls, and says so for anything else. Leave out the question to read the "
            "conversation so far.",
            Json{{"type", "object"},
                 {"properties",
                  {{"report_id", ReportIdProperty()},
                   {"question",
                    {{"type", "string"},
                     {"maxLength", static_cast<int>(service::kMaxQuestionChars)},
                     {"description", "What you want to know about the report."}}},
                   {"engine",
                    {{"type", "string"},
                     {"enum", EngineKindEnum()},
                     {"default", EngineKindName(EngineKind::kAuto)}}}}},
                 {"required", {"report_id"}},
                 {"additionalProperties", false}},
            "ask a narrower question"),
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    const std::string report_id = input["report_id"].get<std::string>();
    service::FollowUps follow_ups(runtime_);
    if (!input.contains("question")) {
      RH_ASSIGN_OR_RETURN(std::vector<store::ReportMessage> messages, follow_ups.List(report_id));
      return DumpJson(service::ReportMessagesJson(report_id, messages));
    }
    service::FollowUpSpec spec;
    spec.report_id = report_id;
    spec.question = input["question"].get<std::string>();
    spec.requester = "mcp";
    const std::string auto_engine(EngineKindName(EngineKind::kAuto));
    RH_ASSIGN_OR_RETURN(EngineKind engine, ParseEngineKind(input.value("engine", auto_engine)));
    if (engine != EngineKind::kAuto) spec.engine = engine;
    RH_ASSIGN_OR_RETURN(store::ReportMessage message, follow_ups.Ask(spec));
    return DumpJson(service::ReportMessageJson(message));
  }

 private:
  service::Runtime& runtime_;
};

// ---- the queue -------------------------------------------------------------------------------

class RequestInvestigationTool final : public ServiceTool {
 public:
  explicit RequestInvestigationTool(service::Runtime& runtime)
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
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    service::InvestigationSpec spec;
    spec.cluster_id = input["cluster_id"].get<std::string>();
    spec.question = input.value("question", std::string());
    spec.requester = "mcp";
    RH_ASSIGN_OR_RETURN(service::RequestedInvestigation requested,
                        service::Investigations(runtime_).Request(spec));
    Json out = service::TaskJson(requested.task);
    out["created"] = requested.created;
    out["next"] = "call get_investigation with this task_id until status is done";
    return DumpJson(out);
  }

 private:
  service::Runtime& runtime_;
};

class GetInvestigationTool final : public ServiceTool {
 public:
  explicit GetInvestigationTool(service::Runtime& runtime)
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
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    RH_ASSIGN_OR_RETURN(service::InvestigationStatus status,
                        service::Investigations(runtime_).Get(input["task_id"].get<std::string>()));
    Json out = service::TaskJson(status.task);
    out["report"] = nullptr;
    if (status.report) {
      const store::StoredReport& report = *status.report;
      out["report"] = {{"report_id", report.report_id},
                       {"severity", std::string(SeverityName(report.severity))},
                       {"confidence", report.confidence},
                       {"category", std::string(RootCauseName(report.category))},
                       {"root_cause", report.root_cause},
                       {"summary", report.summary}};
    }
    return DumpJson(out);
  }

 private:
  service::Runtime& runtime_;
};

// ---- alert issues ----------------------------------------------------------------------------

class ListIssuesTool final : public ServiceTool {
 public:
  explicit ListIssuesTool(service::Runtime& runtime)
      : ServiceTool(
            "list_issues",
            "Alert issues: alerts of one cluster grouped into ANOMALY (ongoing condition) or "
            "FAILURE (discrete event) issues, open (Ongoing) first, then the most recent alert "
            "first. Escalated issues (a FAILURE on a cluster with an open ANOMALY) have "
            "escalated=true. Filter by cluster, status, triage state, kind; page with cursor.",
            Json{{"type", "object"},
                 {"properties",
                  {{"cluster_id", {{"type", "string"}, {"pattern", kIdPattern}, {"maxLength", 64}}},
                   {"status", StringEnum({"open", "resolved"}, "issue_status filter")},
                   {"triage", StringEnum(Names(kAllTriageStatuses, &TriageStatusName),
                                         "triage_status filter")},
                   {"kind", StringEnum(Names(kAllIssueKinds, &IssueKindName), "kind filter")},
                   {"escalated_only", {{"type", "boolean"}, {"default", false}}},
                   {"limit",
                    {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}, {"default", 20}}},
                   {"cursor",
                    {{"type", "string"},
                     {"maxLength", 200},
                     {"description", "next_cursor of the previous page"}}}}},
                 {"additionalProperties", false}},
            "filter by cluster_id or status=open, or lower limit"),
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    service::IssueQueryText query;
    query.cluster_id = input.value("cluster_id", std::string());
    query.status = input.value("status", std::string());
    query.triage = input.value("triage", std::string());
    query.kind = input.value("kind", std::string());
    query.escalated_only = input.value("escalated_only", false);
    query.limit = input.value("limit", 20);
    query.cursor = input.value("cursor", std::string());
    RH_ASSIGN_OR_RETURN(issues::IssuePage page, service::Issues(runtime_).List(query));
    Json list = Json::array();
    for (const issues::Issue& issue : page.issues) list.push_back(service::IssueJson(issue));
    return DumpJson(
        Json{{"issues", std::move(list)},
             {"next_cursor", page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}});
  }

 private:
  service::Runtime& runtime_;
};

class GetIssueTool final : public ServiceTool {
 public:
  explicit GetIssueTool(service::Runtime& runtime)
      : ServiceTool(
            "get_issue",
            "One alert issue in full: its alert timeline (oldest first), every lifecycle change "
            "with who and when, and the investigations (task and report ids) it led to.",
            Json{{"type", "object"},
                 {"properties",
                  {{"issue_id",
                    {{"type", "string"},
                     {"pattern", kStoredIdPattern},
                     {"maxLength", 64},
                     {"description", "The issue id (iss_...), from list_issues."}}},
                   {"max_alerts",
                    {{"type", "integer"},
                     {"minimum", 1},
                     {"maximum", 500},
                     {"default", 50},
                     {"description", "The latest this many alerts of the timeline."}}}}},
                 {"required", {"issue_id"}},
                 {"additionalProperties", false}},
            "lower max_alerts"),
        runtime_(runtime) {}

 protected:
  Result<std::string> Execute(const Json& input) override {
    RH_ASSIGN_OR_RETURN(service::IssueView view,
                        service::Issues(runtime_).Get(input["issue_id"].get<std::string>()));
    const size_t keep = static_cast<size_t>(input.value("max_alerts", 50));
    auto& alerts = view.detail.alerts;
    if (alerts.size() > keep) alerts.erase(alerts.begin(), alerts.end() - keep);
    return DumpJson(service::IssueViewJson(view));
  }

 private:
  service::Runtime& runtime_;
};

}  // namespace

Result<tools::ToolRegistry> BuildServiceTools(service::Runtime& runtime, int output_budget_tokens) {
  tools::ToolRegistry registry(output_budget_tokens);
  for (knowledge::SearchMode mode :
       {knowledge::SearchMode::kHybrid, knowledge::SearchMode::kFulltext,
        knowledge::SearchMode::kVector}) {
    RH_RETURN_IF_ERROR(registry.Register(std::make_unique<SearchTool>(mode, runtime)));
  }
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<ListReportsTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<GetReportTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<AskReportTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<RequestInvestigationTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<GetInvestigationTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<ListIssuesTool>(runtime)));
  RH_RETURN_IF_ERROR(registry.Register(std::make_unique<GetIssueTool>(runtime)));
  return registry;
}

}  // namespace rh::server::internal
