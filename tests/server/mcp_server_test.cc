// McpServer message by message over the real tools: the eight investigation tools on the seeded
// fleet (SQLite and MariaDB), a real Knowledge Lake (built-in embedder, a few documents), the
// stored reports and the queue — and every protocol error. The official TypeScript SDK client
// drives the `rockhound mcp` binary in tests/e2e/mcp_client_test.mjs.
#include "server/mcp_server.h"

#include <gtest/gtest.h>

#include <sstream>

#include "knowledge/builtin_embedder.h"
#include "service/alert_intake.h"
#include "store/report_store.h"
#include "knowledge/knowledge_lake.h"
#include "tests/server/server_fixture.h"
#include "tools/investigation_tools.h"

namespace rh::testing {
namespace {

knowledge::Document Doc(std::string key, std::string kind, std::string title, std::string text) {
  knowledge::Document document;
  document.key = std::move(key);
  document.kind = std::move(kind);
  document.title = std::move(title);
  document.text = std::move(text);
  return document;
}

class McpServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto lake = runtime().Knowledge();
    ASSERT_TRUE(lake) << lake.error().ToString();
    auto ingested = (*lake)->IngestDocuments(
        {Doc("disk.md", "resolution", "Disk full",
             "# Disk full\nWhen a BE data disk is above 85% used, loads fail. Drop expired "
             "partitions and expand the disk.\n"),
         Doc("compaction.md", "resolution", "Compaction backlog",
             "# Compaction backlog\nToo many versions: raise compaction threads.\n"),
         Doc("cpu.md", "guideline", "CPU", "# CPU\nBE CPU above 70% is critical.\n")});
    ASSERT_TRUE(ingested) << ingested.error().ToString();
    auto mcp = server::McpServer::Create(runtime());
    ASSERT_TRUE(mcp) << mcp.error().ToString();
    mcp_ = std::move(*mcp);
  }

  // Sends one request and returns the parsed reply (null when there was none).
  Json Request(const std::string& method, Json params = Json::object(), Json id = 1) {
    Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    auto reply = mcp_->HandleMessage(DumpJson(message));
    if (!reply) return nullptr;
    return *ParseJson(*reply);
  }
  Json Call(const std::string& tool, Json arguments) {
    Json reply = Request("tools/call", {{"name", tool}, {"arguments", arguments}});
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
    return reply.contains("result") ? reply["result"] : Json();
  }
  static std::string Text(const Json& result) {
    return result["content"][0]["text"].get<std::string>();
  }

  std::unique_ptr<server::McpServer> mcp_;
};

TEST_P(McpServerTest, InitializeNegotiatesTheProtocolVersion) {
  Json reply = Request("initialize", {{"protocolVersion", "2025-06-18"},
                                      {"capabilities", Json::object()},
                                      {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
  ASSERT_TRUE(reply.contains("result")) << reply.dump();
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(reply["jsonrpc"], "2.0");
  EXPECT_EQ(reply["result"]["protocolVersion"], "2025-06-18");
  EXPECT_TRUE(reply["result"]["capabilities"].contains("tools"));
  EXPECT_EQ(reply["result"]["serverInfo"]["name"], "rockhound");
  EXPECT_FALSE(reply["result"]["instructions"].get<std::string>().empty());
  Json unknown = Request("initialize", {{"protocolVersion", "1999-01-01"}}, "init-2");
  EXPECT_EQ(unknown["id"], "init-2");
  EXPECT_EQ(unknown["result"]["protocolVersion"], server::kMcpProtocolVersion);
  // Notifications get no answer.
  EXPECT_FALSE(mcp_->HandleMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_FALSE(mcp_->HandleMessage(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})"));
  EXPECT_EQ(Request("ping")["result"], Json::object());
}

TEST_P(McpServerTest, ListsEveryTool) {
  Json reply = Request("tools/list");
  const Json& tools = reply["result"]["tools"];
  std::set<std::string> names;
  for (const Json& tool : tools) {
    names.insert(tool["name"].get<std::string>());
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool["name"];
    EXPECT_FALSE(tool["description"].get<std::string>().empty()) << tool["name"];
  }
  for (std::string_view name : tools::kInvestigationToolNames) {
    EXPECT_TRUE(names.contains(std::string(name))) << name;
  }
  for (const char* name : {"search_hybrid", "search_fulltext", "search_vector", "list_reports",
                           "get_report", "request_investigation", "get_investigation",
                           "list_issues", "get_issue", "ask_report"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
  EXPECT_EQ(tools.size(), 18u);
}

TEST_P(McpServerTest, CallsEveryTool) {
  const Json cluster = {{"cluster_id", kCriticalCluster}};
  for (std::string_view name : tools::kInvestigationToolNames) {
    Json arguments = cluster;
    if (name == "search_knowledge_lake") arguments = {{"query", "disk full"}};
    if (name == "run_sql") {
      arguments = {{"sql", "SELECT cluster_id, status FROM cluster_info ORDER BY cluster_id"}};
    }
    Json result = Call(std::string(name), arguments);
    EXPECT_FALSE(result["isError"].get<bool>()) << name << ": " << Text(result);
    EXPECT_FALSE(Text(result).empty()) << name;
    // Structured results (outputSchema declared): the JSON object beside the text.
    ASSERT_TRUE(result.contains("structuredContent")) << name;
    EXPECT_EQ(result["structuredContent"], *ParseJson(Text(result))) << name;
  }
  for (const char* search : {"search_hybrid", "search_fulltext", "search_vector"}) {
    Json result = Call(search, {{"query", "disk is full"}, {"k", 2}});
    ASSERT_FALSE(result["isError"].get<bool>()) << search << ": " << Text(result);
    Json hits = *ParseJson(Text(result));
    EXPECT_EQ("search_" + hits["mode"].get<std::string>(), search);
    EXPECT_LE(hits["hits"].size(), 2u);
    // The built-in embedder fitted on three documents may find no neighbour; the text legs do.
    if (std::string_view(search) != "search_vector") {
      EXPECT_FALSE(hits["hits"].empty()) << search;
    }
  }
  Json fulltext = *ParseJson(Text(Call("search_fulltext", {{"query", "compaction threads"}})));
  EXPECT_EQ(fulltext["hits"][0]["title"].get<std::string>().find("Compaction"), 0u);

  Json listed = *ParseJson(Text(Call("list_reports", {{"severity", "medium"}})));
  ASSERT_EQ(listed["reports"].size(), 2u);
  const std::string report_id = listed["reports"][0]["report_id"];
  EXPECT_EQ(Call("list_reports", {{"cluster_id", kHealthyCluster}})["isError"], false);

  std::string markdown = Text(Call("get_report", {{"report_id", report_id}}));
  EXPECT_NE(markdown.find("#"), std::string::npos);
  Json detail = *ParseJson(Text(Call(
      "get_report", {{"report_id", report_id}, {"format", "json"}, {"include_transcript", true}})));
  EXPECT_EQ(detail["report"]["evidence"].size(), 3u);
  EXPECT_EQ(detail["transcript"].size(), 3u);

  Json requested =
      *ParseJson(Text(Call("request_investigation", {{"cluster_id", kWarningCluster},
                                                     {"question", "Why is compaction slow?"}})));
  EXPECT_TRUE(requested["created"].get<bool>());
  EXPECT_EQ(requested["source"], "adhoc");
  EXPECT_EQ(requested["requester"], "mcp");
  Json again =
      *ParseJson(Text(Call("request_investigation", {{"cluster_id", kWarningCluster},
                                                     {"question", "why is compaction slow"}})));
  EXPECT_EQ(again["task_id"], requested["task_id"]);
  EXPECT_FALSE(again["created"].get<bool>());
  Json status = *ParseJson(Text(Call("get_investigation", {{"task_id", requested["task_id"]}})));
  EXPECT_EQ(status["status"], "queued");
  EXPECT_TRUE(status["report"].is_null());
}

// A report of an investigation an issue queued lists that issue (id, title, status), in the
// Markdown and in the JSON.
TEST_P(McpServerTest, GetReportListsTheLinkedIssues) {
  Json alert = {{"status", "firing"},
                {"labels",
                 {{"alertname", "HeapUsageTooHigh"}, {"cluster_id", kHealthyCluster},
                  {"severity", "warning"}}},
                {"startsAt", "2026-11-21T09:00:00Z"}};
  auto ingested = service::AlertIntake(runtime()).IngestWebhook(
      DumpJson(Json{{"status", "firing"}, {"alerts", Json::array({alert})}}));
  ASSERT_TRUE(ingested) << ingested.error().ToString();
  std::optional<service::IssueTrigger> ours;
  for (const service::IssueTrigger& t : ingested->issues.triggers) {
    if (t.cluster_id == kHealthyCluster) ours = t;
  }
  ASSERT_TRUE(ours) << "a tier A cluster's new issue queues an investigation";
  store::StoredReport stored = MakeStoredReport(kHealthyCluster, Severity::kHigh,
                                                RootCause::kMemoryPressure, SeedNow(),
                                                ours->task_id);
  auto memory = runtime().Memory();
  ASSERT_TRUE(memory);
  auto inserted = store::ReportStore(**memory).Insert(stored);
  ASSERT_TRUE(inserted) << inserted.error().ToString();
  const std::string report_id = *inserted;

  std::string markdown = Text(Call("get_report", {{"report_id", report_id}}));
  EXPECT_NE(markdown.find("## Linked issues\n\n- " + ours->issue_id +
                          " (anomaly; Ongoing, triage New): HeapUsageTooHigh"),
            std::string::npos)
      << markdown;
  Json detail =
      *ParseJson(Text(Call("get_report", {{"report_id", report_id}, {"format", "json"}})));
  ASSERT_EQ(detail["issues"].size(), 1u) << detail.dump();
  EXPECT_EQ(detail["issues"][0]["issue_id"], ours->issue_id);
  EXPECT_EQ(detail["issues"][0]["title"], "HeapUsageTooHigh");
  EXPECT_EQ(detail["issues"][0]["triage_status"], "New");
  // And the issue names the investigation.
  Json issue = *ParseJson(Text(Call("get_issue", {{"issue_id", ours->issue_id}})));
  ASSERT_EQ(issue["investigations"].size(), 1u) << issue.dump();
  EXPECT_EQ(issue["investigations"][0]["task_id"], ours->task_id);
}

// Reports and clusters as MCP resources: the capability, the templates, the newest reports
// listed (paged), each read as Markdown; a cluster read as JSON; unknown ones are -32002.
TEST_P(McpServerTest, ReportsAndClustersAreResources) {
  Json init = Request("initialize", {{"protocolVersion", "2025-06-18"},
                                     {"capabilities", Json::object()},
                                     {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
  EXPECT_TRUE(init["result"]["capabilities"].contains("resources")) << init.dump();

  Json templates = Request("resources/templates/list")["result"]["resourceTemplates"];
  ASSERT_EQ(templates.size(), 2u) << templates.dump();
  EXPECT_EQ(templates[0]["uriTemplate"], "rockhound://reports/{report_id}");
  EXPECT_EQ(templates[1]["uriTemplate"], "rockhound://clusters/{cluster_id}");
  for (const Json& entry : templates) {
    EXPECT_GT(entry["description"].get<std::string>().size(), 60u) << "stands alone";
  }

  Json listed = Request("resources/list")["result"];
  ASSERT_EQ(listed["resources"].size(), 3u) << listed.dump();  // the three seeded reports
  EXPECT_FALSE(listed.contains("nextCursor"));
  const Json& first = listed["resources"][0];
  ASSERT_TRUE(first["uri"].get<std::string>().starts_with("rockhound://reports/rpt_"));
  EXPECT_EQ(first["mimeType"], "text/markdown");
  Json read = Request("resources/read", {{"uri", first["uri"]}})["result"];
  ASSERT_EQ(read["contents"].size(), 1u) << read.dump();
  EXPECT_EQ(read["contents"][0]["uri"], first["uri"]);
  const std::string report_id = first["name"];
  EXPECT_EQ(read["contents"][0]["text"], Text(Call("get_report", {{"report_id", report_id}})));

  Json cluster = Request("resources/read",
                         {{"uri", std::string("rockhound://clusters/") + kCriticalCluster}});
  ASSERT_TRUE(cluster.contains("result")) << cluster.dump();
  EXPECT_EQ(cluster["result"]["contents"][0]["mimeType"], "application/json");
  Json body = *ParseJson(cluster["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(body["cluster_id"], kCriticalCluster) << body.dump();

  for (const char* uri : {"rockhound://reports/rpt_missing", "rockhound://clusters/c-nowhere",
                          "rockhound://nodes/x", "https://example.com/"}) {
    Json missing = Request("resources/read", {{"uri", uri}});
    EXPECT_EQ(missing["error"]["code"], -32002) << uri << ": " << missing.dump();
  }
  EXPECT_EQ(Request("resources/read", {{"uri", "rockhound://clusters/NOT AN ID"}})["error"]["code"],
            -32602);
  EXPECT_EQ(Request("resources/read", Json::object())["error"]["code"], -32602);
}

// Every tool with a JSON result declares an outputSchema; get_report (Markdown) does not, and
// its result has no structuredContent; a failure has none either.
TEST_P(McpServerTest, StructuredToolsDeclareAnOutputSchema) {
  Json tools = Request("tools/list")["result"]["tools"];
  for (const Json& tool : tools) {
    const bool markdown = tool["name"] == "get_report";
    EXPECT_EQ(tool.contains("outputSchema"), !markdown) << tool["name"];
    if (!markdown) {
      EXPECT_EQ(tool["outputSchema"]["type"], "object") << tool["name"];
    }
    // Descriptions stand alone: no step of the investigator's protocol (only the system
    // prompt and the server's instructions say what the steps are).
    const std::string description = tool["description"];
    EXPECT_GT(description.size(), 40u) << tool["name"];
    EXPECT_EQ(description.find("step "), std::string::npos) << tool["name"] << ": " << description;
  }
  Json listed = Call("list_reports", {{"limit", 2}});
  ASSERT_TRUE(listed.contains("structuredContent")) << listed.dump();
  EXPECT_EQ(listed["structuredContent"]["reports"].size(), 2u);
  const std::string report_id = listed["structuredContent"]["reports"][0]["report_id"];
  EXPECT_FALSE(Call("get_report", {{"report_id", report_id}}).contains("structuredContent"));
  Json failed = Call("list_issues", {{"status", "exploded"}});
  EXPECT_TRUE(failed["isError"].get<bool>()) << failed.dump();
  EXPECT_FALSE(failed.contains("structuredContent"));
}

TEST_P(McpServerTest, ToolFailuresAreResultsTheModelCanFix) {
  Json bad_args = Call("query_cluster_info", {{"cluster_id", "NOT VALID"}});
  EXPECT_TRUE(bad_args["isError"].get<bool>());
  EXPECT_NE(Text(bad_args).find("cluster_id"), std::string::npos);
  Json missing = Call("get_report", {{"report_id", "rpt_missing"}});
  EXPECT_TRUE(missing["isError"].get<bool>());
  EXPECT_NE(Text(missing).find("not_found"), std::string::npos);
  Json unknown_cluster = Call("request_investigation", {{"cluster_id", "c-nope"}});
  EXPECT_TRUE(unknown_cluster["isError"].get<bool>());
  Json extra = Call("list_reports", {{"colour", "red"}});
  EXPECT_TRUE(extra["isError"].get<bool>());
  Json bad_since = Call("list_reports", {{"since", "last tuesday"}});
  EXPECT_TRUE(bad_since["isError"].get<bool>());
  EXPECT_NE(Text(bad_since).find("since"), std::string::npos);
  Json writes = Call("run_sql", {{"sql", "DELETE FROM cluster_info"}});
  EXPECT_TRUE(writes["isError"].get<bool>());
  EXPECT_EQ(*fleet().QueryInt("SELECT COUNT(*) FROM cluster_info"), 5);
}

TEST_P(McpServerTest, AskReportAnswersStoresAndListsTheConversation) {
  Json listed = *ParseJson(Text(Call("list_reports", {{"cluster_id", kCriticalCluster}})));
  const std::string report_id = listed["reports"][0]["report_id"];
  Json asked = Call("ask_report", {{"report_id", report_id},
                                   {"question", "evidence for finding 1"},
                                   {"engine", "playbook"}});
  ASSERT_FALSE(asked["isError"].get<bool>()) << Text(asked);
  const Json message = *ParseJson(Text(asked));
  EXPECT_EQ(asked["structuredContent"], message);
  EXPECT_EQ(message["requester"], "mcp");
  EXPECT_EQ(message["engine"], "playbook");
  ASSERT_EQ(message["citations"].size(), 1u);
  EXPECT_EQ(message["citations"][0]["tool_call_id"], "call_1");
  // Without a question: the conversation so far.
  const Json conversation = *ParseJson(Text(Call("ask_report", {{"report_id", report_id}})));
  ASSERT_EQ(conversation["messages"].size(), 1u);
  EXPECT_EQ(conversation["messages"][0], message);
  // Errors are tool errors that say what is wrong; nothing is stored.
  Json unknown = Call("ask_report", {{"report_id", "rpt_nope"}, {"question", "why?"}});
  EXPECT_TRUE(unknown["isError"].get<bool>());
  EXPECT_NE(Text(unknown).find("not_found"), std::string::npos) << Text(unknown);
  Json blank = Call("ask_report", {{"report_id", report_id}, {"question", "  "}});
  EXPECT_TRUE(blank["isError"].get<bool>());
  EXPECT_NE(Text(blank).find("question"), std::string::npos) << Text(blank);
  EXPECT_EQ(ParseJson(Text(Call("ask_report", {{"report_id", report_id}})))->at("messages").size(),
            1u);
  // It writes (the question and answer) and may ask a model: annotated so.
  const Json tools_list = Request("tools/list");  // kept alive: the loop reads into it
  for (const Json& tool : tools_list["result"]["tools"]) {
    if (tool["name"] != "ask_report") continue;
    EXPECT_EQ(tool["annotations"]["readOnlyHint"], false);
    EXPECT_EQ(tool["annotations"]["openWorldHint"], true);
  }
}

TEST_P(McpServerTest, ProtocolErrors) {
  auto reply = [&](std::string_view line) { return *ParseJson(*mcp_->HandleMessage(line)); };
  Json parse = reply("{not json");
  EXPECT_EQ(parse["error"]["code"], -32700);
  EXPECT_TRUE(parse["id"].is_null());
  EXPECT_EQ(reply(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])")["error"]["code"], -32600);
  EXPECT_EQ(reply(R"({"id":1,"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(reply(R"({"jsonrpc":"2.0","id":1})")["error"]["code"], -32600);
  EXPECT_EQ(reply(R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(reply("42")["error"]["code"], -32600);
  Json unknown_method = Request("prompts/list", Json::object(), 7);
  EXPECT_EQ(unknown_method["error"]["code"], -32601);
  EXPECT_EQ(unknown_method["id"], 7);
  Json unknown_tool = Request("tools/call", {{"name", "drop_database"}});
  EXPECT_EQ(unknown_tool["error"]["code"], -32602);
  EXPECT_NE(unknown_tool["error"]["message"].get<std::string>().find("drop_database"),
            std::string::npos);
  EXPECT_EQ(Request("tools/call", {{"arguments", Json::object()}})["error"]["code"], -32602);
  EXPECT_EQ(Request("tools/call", {{"name", "get_report"}, {"arguments", "x"}})["error"]["code"],
            -32602);
  // A response from the client and an unknown notification need no answer.
  EXPECT_FALSE(mcp_->HandleMessage(R"({"jsonrpc":"2.0","id":5,"result":{}})"));
  EXPECT_FALSE(mcp_->HandleMessage(R"({"jsonrpc":"2.0","method":"notifications/whatever"})"));
}

TEST_P(McpServerTest, RunReadsLinesAndAnswersEachRequest) {
  std::istringstream input(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
      "\"2025-11-25\"}}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n"
      "\n"
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n"
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
  std::vector<std::string> lines;
  mcp_->Run(input, [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ((*ParseJson(lines[2]))["id"], 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, McpServerTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
