#include "tools/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "tools/output_budget.h"

namespace rh::tools {
namespace {

// A real (small) tool whose output is whatever the input asks for.
class EchoTool final : public Tool {
 public:
  explicit EchoTool(std::string name = "echo") : name_(std::move(name)) {
    schema_ = Json::parse(R"({"type": "object", "properties": {
        "items": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 3},
        "text": {"type": "string", "maxLength": 100000},
        "fail": {"type": "boolean"}, "throw": {"type": "boolean"}},
        "additionalProperties": false})");
  }
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "Echoes items."; }
  const Json& input_schema() const override { return schema_; }
  std::string_view narrowing_hint() const override { return "ask for fewer items"; }
  ToolResult Run(const Json& input) override {
    ++calls;
    if (JsonBool(input, "throw")) throw std::runtime_error("boom");
    if (JsonBool(input, "fail")) return {"error: it failed", true};
    Json out = {{"summary", "echo"}, {"items", Json::array()}};
    for (int item_idx = 0; item_idx < input["items"].get<int>(); ++item_idx) {
      out["items"].push_back(
          {{"index", item_idx}, {"label", "item number " + std::to_string(item_idx)}});
    }
    if (input.contains("text")) out["text"] = input["text"];
    return {DumpJson(out), false};
  }
  std::atomic<int> calls{0};

 private:
  std::string name_;
  Json schema_;
};

TEST(ToolRegistryTest, UnknownToolNamesTheKnownOnes) {
  ToolRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  ToolResult result = registry.Call("query_everything", Json::object());
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(result.content.find("unknown tool 'query_everything'"), std::string::npos);
  EXPECT_NE(result.content.find("the tools are: echo"), std::string::npos);
}

TEST(ToolRegistryTest, InvalidInputNeverReachesTheTool) {
  ToolRegistry registry;
  auto tool = std::make_unique<EchoTool>();
  EchoTool* echo = tool.get();
  ASSERT_TRUE(registry.Register(std::move(tool)));
  ToolResult result = registry.Call("echo", Json::parse(R"({"items": "many"})"));
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(result.content.find("invalid input for echo: items: must be an integer"),
            std::string::npos);
  EXPECT_EQ(echo->calls, 0);
  ToolResult bad_json = registry.CallWithText("echo", "{items: 3");
  EXPECT_TRUE(bad_json.is_error);
  EXPECT_NE(bad_json.content.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(echo->calls, 0);
  ToolResult empty = registry.CallWithText("echo", "");
  EXPECT_FALSE(empty.is_error) << empty.content;
  EXPECT_EQ(echo->calls, 1);
}

TEST(ToolRegistryTest, ExceptionsBecomeErrorResults) {
  ToolRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  ToolResult result = registry.Call("echo", Json::parse(R"({"throw": true})"));
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(result.content.find("internal error in tool echo: boom"), std::string::npos);
  ToolResult failed = registry.Call("echo", Json::parse(R"({"fail": true})"));
  EXPECT_TRUE(failed.is_error);
  EXPECT_EQ(failed.content, "error: it failed");
}

TEST(ToolRegistryTest, CutsOutputToTheBudgetWithAMarker) {
  ToolRegistry registry(100);  // 400 characters
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  ToolResult result = registry.Call("echo", Json::parse(R"({"items": 200})"));
  ASSERT_FALSE(result.is_error);
  EXPECT_LE(result.content.size(), 400u);
  Json parsed = Json::parse(result.content);  // still valid JSON
  ASSERT_TRUE(parsed.contains("output_truncated")) << result.content;
  EXPECT_EQ(parsed["summary"], "echo");
  EXPECT_GE(parsed["items"].size(), 1u);
  EXPECT_EQ(parsed["items"][0]["index"], 0) << "the head of a list is kept";
  std::string omitted = parsed["output_truncated"]["omitted"]["items"];
  EXPECT_NE(omitted.find("of 200 items"), std::string::npos);
  EXPECT_EQ(parsed["output_truncated"]["how_to_narrow"], "ask for fewer items");

  ToolResult small = registry.Call("echo", Json::parse(R"({"items": 1})"));
  EXPECT_EQ(Json::parse(small.content).contains("output_truncated"), false);
}

TEST(ToolRegistryTest, ShortensLongStringsWhenNoListCanShrink) {
  ToolRegistry registry(100);
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  Json input = {{"items", 0}, {"text", std::string(5000, 'x')}};
  ToolResult result = registry.Call("echo", input);
  EXPECT_LE(result.content.size(), 400u);
  Json parsed = Json::parse(result.content);
  EXPECT_LT(parsed["text"].get<std::string>().size(), 400u);
  EXPECT_TRUE(parsed["output_truncated"]["omitted"].contains("text"));
}

TEST(ToolRegistryTest, PlainTextIsCutWithAMarkerLine) {
  BudgetedOutput cut = FitToBudget(std::string(1000, 'a') + "é", 200, "narrow it");
  EXPECT_TRUE(cut.truncated);
  EXPECT_LE(cut.content.size(), 200u);
  EXPECT_NE(cut.content.find("[output truncated:"), std::string::npos);
  EXPECT_NE(cut.content.find("to narrow: narrow it]"), std::string::npos);
  BudgetedOutput unicode = FitToBudget(std::string(300, '\xc3') + "", 150, "x");
  EXPECT_LE(unicode.content.size(), 150u);
}

TEST(ToolRegistryTest, RedactsSecretsOnTheWayOut) {
  ToolRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  Json input = {{"items", 0},
                {"text",
                 "connect mysql://root:s3cr3t-pass@db:3306/x with "
                 "AdminPassword=hunter2-very-secret and key sk-ant-api03-abcdefghijklmnop"}};
  ToolResult result = registry.Call("echo", input);
  EXPECT_EQ(result.content.find("s3cr3t-pass"), std::string::npos) << result.content;
  EXPECT_EQ(result.content.find("hunter2-very-secret"), std::string::npos) << result.content;
  EXPECT_EQ(result.content.find("abcdefghijklmnop"), std::string::npos) << result.content;
  EXPECT_NO_THROW(Json::parse(result.content));
}

TEST(ToolRegistryTest, RefusesBadRegistrations) {
  ToolRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  EXPECT_FALSE(registry.Register(std::make_unique<EchoTool>()));  // duplicate
  EXPECT_FALSE(registry.Register(std::make_unique<EchoTool>("Bad Name")));
  EXPECT_FALSE(registry.Register(nullptr));
}

TEST(ToolRegistryTest, EmitsAnthropicAndMcpDefinitions) {
  ToolRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  Json anthropic = registry.AnthropicDefinitions();
  ASSERT_EQ(anthropic.size(), 1u);
  EXPECT_EQ(anthropic[0]["name"], "echo");
  EXPECT_EQ(anthropic[0]["description"], "Echoes items.");
  EXPECT_EQ(anthropic[0]["input_schema"]["type"], "object");
  Json mcp = registry.McpDefinitions();
  EXPECT_EQ(mcp[0]["inputSchema"]["type"], "object");
  EXPECT_EQ(mcp[0]["annotations"]["readOnlyHint"], true);
}

TEST(ToolRegistryTest, ConcurrentCallsAreSafe) {
  ToolRegistry registry(200);
  ASSERT_TRUE(registry.Register(std::make_unique<EchoTool>()));
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 8; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int call_idx = 0; call_idx < 50; ++call_idx) {
        Json input = {{"items", (thread_idx * 7 + call_idx) % 60}};
        ToolResult result = registry.Call("echo", input);
        if (result.is_error || result.content.size() > 800) ++errors;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors, 0);
}

}  // namespace
}  // namespace rh::tools
