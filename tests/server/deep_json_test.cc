// Deeply nested JSON at the three entry points the hostile-input campaign crashed (issue 13):
// the Alertmanager webhook of a real HttpServer (a 150,000-deep annotations.summary, 300 KB,
// under the 1 MiB body limit, ended `serve` with SIGSEGV), `rockhound tool run --input-file`
// (the real binary, 100,000 deep) and McpServer::HandleMessage (a tools/call with 200,000-deep
// arguments). Each is now refused with a clear error before any value is built, and the process
// keeps serving.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "server/mcp_server.h"
#include "tests/fakes/test_env.h"
#include "tests/server/server_fixture.h"
#include "tools/investigation_tools.h"

namespace rh::testing {
namespace {

std::string Nested(int depth) {
  return std::string(depth, '[') + "\"x\"" + std::string(depth, ']');
}

// An Alertmanager v4 body for a known cluster whose annotations.summary is `summary` (JSON text).
std::string WebhookBody(const std::string& summary) {
  return R"({"version": "4", "status": "firing", "alerts": [{"status": "firing", )"
         R"("labels": {"alertname": "DiskFull", "cluster_id": ")" +
         std::string(kCriticalCluster) +
         R"(", "severity": "critical"}, "annotations": {"summary": )" + summary +
         R"(}, "startsAt": "2026-11-21T09:00:00Z"}]})";
}

class DeepJsonHttpTest : public ServerTest {};

TEST_P(DeepJsonHttpTest, WebhookWithDeeplyNestedSummaryIsRefusedAndServerKeepsServing) {
  StartServer();
  const std::string body = WebhookBody(Nested(150000));
  ASSERT_GT(body.size(), 300000u);
  ASSERT_LT(body.size(), static_cast<size_t>(config_.server.max_body_bytes));
  HttpReply refused = Post("/api/v1/alerts/alertmanager", body);
  EXPECT_EQ(refused.status, 400) << refused.body.substr(0, 300);
  EXPECT_EQ(ErrorCodeOf(refused), "invalid_argument");
  EXPECT_NE(ErrorMessageOf(refused).find("nesting deeper than 64 levels"), std::string::npos)
      << ErrorMessageOf(refused);
  EXPECT_EQ(*fleet().QueryInt("SELECT COUNT(*) FROM lark_alerts WHERE message_id LIKE 'wh_%'"), 0);

  HttpReply health = Get("/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  // Nesting within the limit is an ordinary body: the summary is not a string, so the labels
  // describe the alert, and it is stored.
  HttpReply shallow = Post("/api/v1/alerts/alertmanager", WebhookBody(Nested(10)));
  EXPECT_EQ(shallow.status, 200) << shallow.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, DeepJsonHttpTest, RH_DATABASE_BACKENDS());

class DeepJsonMcpTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto mcp = server::McpServer::Create(runtime());
    ASSERT_TRUE(mcp) << mcp.error().ToString();
    mcp_ = std::move(*mcp);
  }

  std::unique_ptr<server::McpServer> mcp_;
};

TEST_P(DeepJsonMcpTest, ToolsCallWithDeeplyNestedArgumentsIsAParseError) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const std::string message =
      R"({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": )"
      R"("query_cluster_info", "arguments": {"cluster_id": )" +
      deep + "}}}";
  auto reply = mcp_->HandleMessage(message);
  ASSERT_TRUE(reply);
  auto parsed = ParseJson(*reply);
  ASSERT_TRUE(parsed) << *reply;
  ASSERT_TRUE(parsed->contains("error")) << *reply;
  EXPECT_EQ((*parsed)["error"]["code"], -32700);
  EXPECT_NE(JsonString((*parsed)["error"], "message").find("nesting deeper than 64 levels"),
            std::string::npos)
      << *reply;

  // The server answers the next message as usual.
  auto ping = mcp_->HandleMessage(R"({"jsonrpc": "2.0", "id": 8, "method": "ping"})");
  ASSERT_TRUE(ping);
  auto pong = ParseJson(*ping);
  ASSERT_TRUE(pong) << *ping;
  EXPECT_EQ((*pong)["id"], 8);
  EXPECT_TRUE(pong->contains("result")) << *ping;
}

INSTANTIATE_TEST_SUITE_P(Backends, DeepJsonMcpTest, RH_DATABASE_BACKENDS());

// `rockhound tool run <name> --input-file`: the input is refused before the data directory is opened.
TEST(DeepJsonCliTest, ToolRunInputFileDeeplyNestedIsRefused) {
  const std::string binary = std::string(RH_BINARY_DIR) + "/app/rockhound";
  if (!std::filesystem::exists(binary)) GTEST_SKIP() << "rockhound is not built: " << binary;
  TempDir dir;
  std::ofstream(dir.File("deep.json"))
      << R"({"cluster_id": "c-alpha-prod", "x": )" << Nested(100000) << "}";
  const std::string out = dir.File("stdout.txt");
  const std::string err = dir.File("stderr.txt");
  const std::string command =
      "env -u ROCKHOUND_FLEET_DB -u ROCKHOUND_MEMORY_DB -u ROCKHOUND_CONFIG -u ROCKHOUND_DATA_DIR "
      "'" +
      binary + "' --data-dir '" + dir.File("data") + "' tool run query_cluster_info " +
      "--input-file '" + dir.File("deep.json") + "' > '" + out + "' 2> '" + err + "'";
  const int status = std::system(command.c_str());
  // Each file read on its own: streaming an empty file's rdbuf() sets failbit and would drop
  // what follows.
  std::stringstream printed;
  for (const std::string& path : {out, err}) {
    std::ifstream file(path);
    printed << std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  ASSERT_TRUE(WIFEXITED(status)) << "rockhound died (signal " << WTERMSIG(status)
                                 << "): " << printed.str().substr(0, 500);
  EXPECT_EQ(WEXITSTATUS(status), 2) << printed.str().substr(0, 500);  // invalid_argument
  EXPECT_NE(printed.str().find("nesting deeper than 64 levels"), std::string::npos)
      << printed.str().substr(0, 500);
}

}  // namespace
}  // namespace rh::testing
