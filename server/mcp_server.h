// McpServer: `rockhound mcp` — Rockhound's tools and memory for other agents (Claude Code,
// Claude Desktop, any MCP client) over the Model Context Protocol: JSON-RPC 2.0, one message per
// line on stdin/stdout (the stdio transport), protocol revision 2025-11-25 (also answering
// clients that ask for 2025-06-18, 2025-03-26 or 2024-11-05 in their own revision).
//
// Tools (tools/list):
//   - the eight investigation tools of the ToolRegistry (query_cluster_info ... run_sql);
//   - search_hybrid, search_fulltext, search_vector  (the Knowledge Lake, KnowledgeSearch);
//   - list_reports, get_report                       (the agent memory, ReportStore);
//   - request_investigation, get_investigation       (the task queue; a `rockhound serve` or
//                                                     `rockhound run` worker sharing the memory
//                                                     database works the task).
// Every tool is read-only except request_investigation, which only queues. Every tool but
// get_report (Markdown by default) declares an outputSchema and answers with structuredContent
// (the JSON object) beside the text content (MCP 2025-06-18). Descriptions stand alone: the
// investigator's "(step N)" notes are dropped (only the instructions name the protocol).
//
// Resources (resources/list, resources/read, resources/templates/list; no subscriptions):
//   - rockhound://reports/{report_id}   a stored report as Markdown (with its linked issues);
//                                       resources/list pages the newest (50 a page, nextCursor);
//   - rockhound://clusters/{cluster_id} one cluster as JSON (service::FleetViews::GetCluster);
//                                       read through the template, not listed (fleets are big).
//   An unknown report or cluster, or a URI of another form, is error -32002 (resource not found).
//
// Methods: initialize, ping, tools/list, tools/call, resources/*; notifications (notifications/initialized,
// notifications/cancelled) get no answer. Errors follow the spec: -32700 parse error, -32600
// invalid request (also for JSON-RPC batches, removed from MCP in 2025-06-18), -32601 unknown
// method, -32602 unknown tool or malformed params, -32603 internal error. A tool's own failure
// (bad arguments included) is a result with isError: true whose text says what to fix, so the
// calling model can correct itself.
// Thread-safety: one McpServer serves one client, one message at a time.
#pragma once

#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "service/runtime.h"

namespace rh::server {

inline constexpr std::string_view kMcpProtocolVersion = "2025-11-25";

class McpServer {
 public:
  // Serves `runtime`'s tools, lake, reports and queue (the runtime must outlive the server). A
  // Knowledge Lake that cannot be opened leaves the search tools answering with an error.
  // `output_budget_tokens` caps each result of the service tools (reports are long).
  static Result<std::unique_ptr<McpServer>> Create(service::Runtime& runtime,
                                                   int output_budget_tokens = 4000);
  struct Impl;
  explicit McpServer(std::unique_ptr<Impl> impl);  // use Create
  ~McpServer();

  // Handles one JSON-RPC message; returns the response line (no newline), or nullopt for a
  // notification or a response from the client.
  std::optional<std::string> HandleMessage(std::string_view line);

  // Reads messages line by line from `in` until end of input, answering each through
  // `write_line` (which must write the line and a newline, then flush).
  void Run(std::istream& in, const std::function<void(const std::string&)>& write_line);

  // Every tool's MCP definition, as tools/list returns it.
  const Json& ToolDefinitions() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rh::server
