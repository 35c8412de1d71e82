#include "server/mcp_server.h"

#include <exception>
#include <initializer_list>
#include <regex>
#include <set>
#include <utility>
#include <string>

#include "core/ids.h"
#include "core/log.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "service/fleet_views.h"
#include "service/reports.h"
#include "server/internal/service_tools.h"
#include "tools/registry.h"

namespace rh::server {
namespace {

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kResourceNotFound = -32002;  // MCP: resources/read of an unknown resource

constexpr std::string_view kReportScheme = "rockhound://reports/";
constexpr std::string_view kClusterScheme = "rockhound://clusters/";
constexpr int kResourcesPerPage = 50;

// A stored id as the report resources use them (rpt_... : lower case, digits, '_').
bool IsStoredId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// The outputSchema of a tool whose successful result is a JSON object (every tool but get_report,
// whose default is Markdown): the members it returns, described; types are not constrained
// because the output budget may shorten a member (tools/output_budget.h).
Json OutputSchema(const std::string& name) {
  auto describe = [](std::initializer_list<std::pair<const char*, const char*>> members) {
    Json properties = Json::object();
    for (const auto& [member, text] : members) properties[member] = {{"description", text}};
    return properties;
  };
  Json properties = Json::object();
  if (name == "list_reports") {
    properties = describe({{"reports", "The reports, newest first (report_id, cluster_id, "
                                       "severity, category, confidence, summary, created_at)."},
                           {"next_cursor", "Pass as cursor for the next page; null at the end."}});
  } else if (name == "list_issues") {
    properties = describe({{"issues", "The alert issues, open first (issue_id, cluster_id, kind, "
                                      "title, issue_status, triage_status, escalated, ...)."},
                           {"next_cursor", "Pass as cursor for the next page; null at the end."}});
  } else if (name == "get_issue") {
    properties = describe({{"issue_id", "The issue."},
                           {"alerts", "Its alert timeline, oldest first."},
                           {"events", "Every status change, with who and when."},
                           {"investigations", "The investigations it queued, with their reports."}});
  } else if (name == "request_investigation" || name == "get_investigation") {
    properties = describe({{"task_id", "The investigation task (tsk_...)."},
                           {"status", "queued, running, done, failed or cancelled."},
                           {"created", "Whether this call queued it (request_investigation)."},
                           {"report", "The report once done (get_investigation)."}});
  } else if (name == "ask_report") {
    properties = describe({{"answer", "The answer (with a question)."},
                           {"citations", "The tool calls that show it: tool_call_id, tool, "
                                         "finding."},
                           {"tool_calls", "The tool calls made to answer."},
                           {"engine", "claude (a model) or playbook (no model)."},
                           {"messages", "The conversation so far (without a question)."}});
  } else if (name.starts_with("search_")) {
    properties = describe({{"mode", "hybrid, fulltext or vector."},
                           {"hits", "The passages found, best first, each with its source."}});
  }
  return Json{{"type", "object"}, {"properties", std::move(properties)}};
}

// A tool description as an MCP client reads it, without the server's instructions: the
// investigator's descriptions name the protocol step they belong to ("(step 3)", "Use it in
// step 2 to ..."), which means nothing outside Rockhound's own loop.
std::string StandAlone(std::string description) {
  static const std::regex kStepNote(R"( ?\(step [0-9]+(, [^)]*)?\))");
  static const std::regex kInStep(R"( in step [0-9]+)");
  description = std::regex_replace(description, kStepNote, "");
  return std::regex_replace(description, kInStep, "");
}

// The resource templates (resources/templates/list).
Json ResourceTemplates() {
  return Json::array(
      {Json{{"uriTemplate", std::string(kReportScheme) + "{report_id}"},
            {"name", "report"},
            {"title", "Investigation report"},
            {"description",
             "A stored Rockhound investigation report of one StarRocks cluster, as an SRE reads "
             "it (Markdown): severity, confidence, root cause, the evidence with the tool call "
             "each item came from, the recommendations, the trigger and the linked alert "
             "issues. report_id is an rpt_... id (resources/list lists the newest)."},
            {"mimeType", "text/markdown"}},
       Json{{"uriTemplate", std::string(kClusterScheme) + "{cluster_id}"},
            {"name", "cluster"},
            {"title", "Cluster"},
            {"description",
             "One StarRocks cluster of the fleet as JSON: its info (version, run mode, tier), "
             "the latest health score with its history, the recent alerts and reports. "
             "cluster_id looks like c-1a2b3c4d."},
            {"mimeType", "application/json"}}});
}

constexpr std::string_view kSupportedVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                   "2024-11-05"};

constexpr const char* kInstructions =
    "Rockhound watches a fleet of StarRocks clusters. To look into a cluster, follow its 8-step "
    "protocol: query_cluster_info, query_cluster_alerts, query_cluster_metrics, "
    "query_cluster_operations, search_hybrid (or search_knowledge_lake), query_agent_memory, "
    "query_similar_clusters, then run_sql only for what the others do not cover. Past "
    "investigations: list_reports and get_report; ask_report asks a follow-up question about "
    "one. To have Rockhound investigate on its own: "
    "request_investigation, then get_investigation. Cluster ids look like c-1a2b3c4d. All tools "
    "only read (ask_report stores its question and answer); Rockhound recommends operations, "
    "it never executes them.";

std::string Response(const Json& id, Json result) {
  return DumpJson(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

std::string ErrorReply(const Json& id, int code, const std::string& message) {
  return DumpJson(
      Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

}  // namespace

struct McpServer::Impl {
  service::Runtime* runtime = nullptr;
  const tools::ToolRegistry* investigation_tools = nullptr;
  tools::ToolRegistry service_tools;
  Json definitions = Json::array();
  std::set<std::string> structured;  // tools with an outputSchema (structuredContent results)
  bool initialized = false;

  Result<Json> CallTool(const Json& params, std::string* protocol_error);
  // resources/list: the newest reports, kResourcesPerPage a page (clusters are too many to
  // list: the cluster template reads any of them).
  Result<Json> ListResources(const Json& params);
  // resources/read; `not_found` set when the URI names nothing Rockhound holds.
  Result<Json> ReadResource(const Json& params, bool* not_found);
  std::optional<std::string> Handle(const Json& message);
};

Result<Json> McpServer::Impl::CallTool(const Json& params, std::string* protocol_error) {
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
    *protocol_error = "tools/call needs params.name (a string)";
    return Json();
  }
  const std::string name = params["name"].get<std::string>();
  Json arguments = Json::object();
  if (params.contains("arguments") && !params["arguments"].is_null()) {
    if (!params["arguments"].is_object()) {
      *protocol_error = "tools/call params.arguments must be an object";
      return Json();
    }
    arguments = params["arguments"];
  }
  const tools::ToolRegistry* registry = nullptr;
  if (investigation_tools->Find(name) != nullptr) {
    registry = investigation_tools;
  } else if (service_tools.Find(name) != nullptr) {
    registry = &service_tools;
  } else {
    *protocol_error = "Unknown tool: " + name + " (tools/list names the tools)";
    return Json();
  }
  tools::ToolResult result = registry->Call(name, arguments);
  Logger("server")->info("mcp: tools/call {} -> {} ({} chars)", name,
                         result.is_error ? "error" : "ok", result.content.size());
  Json reply = {{"content", {{{"type", "text"}, {"text", result.content}}}},
                {"isError", result.is_error}};
  if (!result.is_error && structured.count(name)) {
    // MCP 2025-06-18: the structured result beside its text (which stays for older clients).
    auto parsed = ParseJson(result.content, name);
    reply["structuredContent"] =
        parsed && parsed->is_object() ? *parsed : Json{{"text", result.content}};
  }
  return reply;
}

Result<Json> McpServer::Impl::ListResources(const Json& params) {
  service::ReportQuery query;
  query.limit = kResourcesPerPage;
  if (params.is_object() && params.contains("cursor") && params["cursor"].is_string()) {
    query.cursor = params["cursor"].get<std::string>();
  }
  RH_ASSIGN_OR_RETURN(store::ReportPage page, service::Reports(*runtime).List(query));
  Json resources = Json::array();
  for (const store::StoredReport& report : page.reports) {
    resources.push_back(
        Json{{"uri", std::string(kReportScheme) + report.report_id},
             {"name", report.report_id},
             {"title", report.cluster_id + ": " + std::string(SeverityName(report.severity)) +
                           " " + std::string(RootCauseName(report.category))},
             {"description", report.summary},
             {"mimeType", "text/markdown"}});
  }
  Json result = {{"resources", std::move(resources)}};
  if (!page.next_cursor.empty()) result["nextCursor"] = page.next_cursor;
  return result;
}

Result<Json> McpServer::Impl::ReadResource(const Json& params, bool* not_found) {
  if (!params.is_object() || !params.contains("uri") || !params["uri"].is_string()) {
    return InvalidArgument("params.uri", "resources/read needs params.uri (a string)");
  }
  const std::string uri = params["uri"].get<std::string>();
  auto content = [&](std::string mime, std::string text) {
    return Json{{"contents", Json::array({Json{
                                 {"uri", uri}, {"mimeType", std::move(mime)},
                                 {"text", std::move(text)}}})}};
  };
  auto missing = [&](const Error& error) -> Result<Json> {
    if (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kInvalidArgument) {
      *not_found = true;
    }
    return Fail(error);
  };
  if (uri.starts_with(kReportScheme)) {
    const std::string id = uri.substr(kReportScheme.size());
    if (!IsStoredId(id)) {
      return InvalidArgument(uri, "not a report URI (rockhound://reports/rpt_...)");
    }
    auto markdown = service::Reports(*runtime).Render(id, service::ReportFormat::kMarkdown);
    if (!markdown) return missing(markdown.error());
    return content("text/markdown", *markdown);
  }
  if (uri.starts_with(kClusterScheme)) {
    const std::string id = uri.substr(kClusterScheme.size());
    if (!IsValidResourceId(id)) {
      return InvalidArgument(uri, "not a cluster URI (rockhound://clusters/c-1a2b3c4d)");
    }
    auto cluster = service::FleetViews(*runtime).GetCluster(id);
    if (!cluster) return missing(cluster.error());
    return content("application/json", DumpJson(*cluster));
  }
  *not_found = true;
  return NotFound(uri, "Rockhound's resources are rockhound://reports/{report_id} and "
                       "rockhound://clusters/{cluster_id} (resources/templates/list)");
}

std::optional<std::string> McpServer::Impl::Handle(const Json& message) {
  if (!message.is_object()) {
    return ErrorReply(nullptr, kInvalidRequest, "a message must be a JSON object");
  }
  const bool has_id = message.contains("id");
  const Json id = has_id ? message["id"] : Json(nullptr);
  if (has_id && !id.is_string() && !id.is_number_integer()) {
    return ErrorReply(nullptr, kInvalidRequest, "id must be a string or an integer");
  }
  if (!message.contains("method")) {
    // A response to a request we never send, or garbage: nothing to answer.
    if (message.contains("result") || message.contains("error")) return std::nullopt;
    return ErrorReply(id, kInvalidRequest, "missing method");
  }
  if (JsonString(message, "jsonrpc") != "2.0" || !message["method"].is_string()) {
    return has_id ? std::optional<std::string>(
                        ErrorReply(id, kInvalidRequest, "expected jsonrpc \"2.0\" and a method"))
                  : std::nullopt;
  }
  const std::string method = message["method"].get<std::string>();
  const Json params = message.contains("params") ? message["params"] : Json::object();
  if (!has_id) {
    if (method == "notifications/initialized") initialized = true;
    return std::nullopt;  // notifications are never answered
  }
  if (method == "initialize") {
    std::string requested = params.is_object() ? JsonString(params, "protocolVersion") : "";
    std::string version(kMcpProtocolVersion);
    for (std::string_view supported : kSupportedVersions) {
      if (requested == supported) version = requested;
    }
    std::string client = params.is_object() && params.contains("clientInfo")
                             ? JsonString(params["clientInfo"], "name")
                             : "";
    Logger("server")->info("mcp: initialize from '{}' (protocol {}, answering {})", client,
                           requested, version);
    return Response(id,
                    Json{{"protocolVersion", version},
                         {"capabilities",
                          {{"tools", {{"listChanged", false}}},
                           {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
                         {"serverInfo",
                          {{"name", "rockhound"}, {"title", "Rockhound"}, {"version", RH_VERSION}}},
                         {"instructions", kInstructions}});
  }
  if (method == "ping") return Response(id, Json::object());
  if (method == "tools/list") return Response(id, Json{{"tools", definitions}});
  if (method == "resources/templates/list") {
    return Response(id, Json{{"resourceTemplates", ResourceTemplates()}});
  }
  if (method == "resources/list") {
    Result<Json> listed = ListResources(params);
    if (!listed) {
      const bool bad_cursor = listed.error().code == ErrorCode::kInvalidArgument;
      return ErrorReply(id, bad_cursor ? kInvalidParams : kInternalError,
                        listed.error().ToString());
    }
    return Response(id, *listed);
  }
  if (method == "resources/read") {
    bool not_found = false;
    Result<Json> read = ReadResource(params, &not_found);
    if (!read) {
      int code = kInternalError;
      if (not_found) {
        code = kResourceNotFound;
      } else if (read.error().code == ErrorCode::kInvalidArgument) {
        code = kInvalidParams;
      }
      return ErrorReply(id, code, read.error().ToString());
    }
    return Response(id, *read);
  }
  if (method == "tools/call") {
    std::string protocol_error;
    Result<Json> result = CallTool(params, &protocol_error);
    if (!protocol_error.empty()) return ErrorReply(id, kInvalidParams, protocol_error);
    if (!result) return ErrorReply(id, kInternalError, result.error().ToString());
    return Response(id, *result);
  }
  return ErrorReply(id, kMethodNotFound, "Method not found: " + method);
}

Result<std::unique_ptr<McpServer>> McpServer::Create(service::Runtime& runtime,
                                                     int output_budget_tokens) {
  RH_ASSIGN_OR_RETURN(const tools::ToolRegistry* investigation_tools,
                      runtime.Tools(/*knowledge_required=*/false));
  RH_ASSIGN_OR_RETURN(tools::ToolRegistry service_tools,
                      internal::BuildServiceTools(runtime, output_budget_tokens));
  auto impl = std::make_unique<Impl>();
  impl->runtime = &runtime;
  impl->investigation_tools = investigation_tools;
  impl->service_tools = std::move(service_tools);
  for (const Json& definitions :
       {impl->investigation_tools->McpDefinitions(), impl->service_tools.McpDefinitions()}) {
    for (const Json& definition : definitions) impl->definitions.push_back(definition);
  }
  for (Json& definition : impl->definitions) {
    // Only request_investigation (it queues a task) and ask_report (it stores the question and
    // its answer, and may ask a model) change anything.
    if (definition["name"] == "ask_report") {
      definition["annotations"] = {{"readOnlyHint", false},
                                   {"destructiveHint", false},
                                   {"idempotentHint", false},
                                   {"openWorldHint", true}};
    } else if (definition["name"] == "request_investigation") {
      definition["annotations"] = {{"readOnlyHint", false},
                                   {"destructiveHint", false},
                                   {"idempotentHint", true},
                                   {"openWorldHint", false}};
    } else if (!definition.contains("annotations")) {
      definition["annotations"] = {{"readOnlyHint", true}, {"openWorldHint", false}};
    }
    definition["description"] = StandAlone(definition["description"].get<std::string>());
    const std::string name = definition["name"].get<std::string>();
    if (name != "get_report") {
      definition["outputSchema"] = OutputSchema(name);
      impl->structured.insert(name);
    }
  }
  return std::make_unique<McpServer>(std::move(impl));
}

McpServer::McpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
McpServer::~McpServer() = default;

const Json& McpServer::ToolDefinitions() const { return impl_->definitions; }

std::optional<std::string> McpServer::HandleMessage(std::string_view line) {
  auto parsed = ParseJson(line, "message");
  if (!parsed) return ErrorReply(nullptr, kParseError, "Parse error: " + parsed.error().message);
  if (parsed->is_array()) {
    return ErrorReply(nullptr, kInvalidRequest,
                      "JSON-RPC batches are not supported (removed from MCP in 2025-06-18)");
  }
  try {
    return impl_->Handle(*parsed);
  } catch (const std::exception& e) {
    Logger("server")->error("mcp: unexpected exception: {}", e.what());
    Json id = parsed->is_object() && parsed->contains("id") ? (*parsed)["id"] : Json(nullptr);
    return ErrorReply(id, kInternalError, "internal error; see the server log");
  }
}

void McpServer::Run(std::istream& in, const std::function<void(const std::string&)>& write_line) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::optional<std::string> reply = HandleMessage(line);
    if (reply) write_line(*reply);
  }
  Logger("server")->info("mcp: input closed, stopping");
}

}  // namespace rh::server
