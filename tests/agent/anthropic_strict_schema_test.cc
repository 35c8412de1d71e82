// StrictToolSchema: the rewrite of a tool schema for Anthropic's strict tool use, as the SDKs'
// transform_schema does it, checked key by key and on the real submit_report schema.
#include "agent/internal/anthropic_strict_schema.h"

#include <gtest/gtest.h>

#include "prompts/prompts.h"

namespace rh::agent::internal {
namespace {

TEST(AnthropicStrictSchemaTest, ClosesObjectsAndDescribesWhatStrictModeCannotEnforce) {
  const Json schema = Json::parse(R"({
      "type": "object", "title": "Report", "required": ["score", "tags"],
      "properties": {
        "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "How sure."},
        "name": {"type": "string", "maxLength": 20, "pattern": "^[a-z]+$"},
        "tags": {"type": "array", "minItems": 1, "items": {"type": "object",
                 "properties": {"k": {"type": "string"}}}},
        "many": {"type": "array", "minItems": 3, "items": {"type": "string"}},
        "either": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]}}})");
  const Json strict = StrictToolSchema(schema);
  EXPECT_EQ(strict["additionalProperties"], false);
  EXPECT_FALSE(strict.contains("title"));
  EXPECT_EQ(strict["required"], schema["required"]);
  const Json& score = strict["properties"]["score"];
  EXPECT_FALSE(score.contains("minimum"));
  EXPECT_EQ(score["description"], "How sure.\n\n{minimum: 0, maximum: 1}");
  EXPECT_EQ(strict["properties"]["name"]["description"], "{maxLength: 20, pattern: ^[a-z]+$}");
  EXPECT_EQ(strict["properties"]["tags"]["minItems"], 1);  // 0 and 1 are supported
  EXPECT_EQ(strict["properties"]["tags"]["items"]["additionalProperties"], false);
  EXPECT_FALSE(strict["properties"]["many"].contains("minItems"));
  EXPECT_EQ(strict["properties"]["many"]["description"], "{minItems: 3}");
  EXPECT_EQ(strict["properties"]["either"]["anyOf"][0]["description"], "{minimum: 1}");
}

TEST(AnthropicStrictSchemaTest, TheReportSchemaKeepsItsParametersUnderStrictMode) {
  auto text = prompts::LoadPrompt("report_schema.json");
  ASSERT_TRUE(text) << text.error().ToString();
  const Json strict = StrictToolSchema(Json::parse(*text));
  // The free-form parameters object names its keys, so closing it loses nothing.
  const Json& parameters =
      strict["properties"]["recommendations"]["items"]["properties"]["parameters"];
  EXPECT_EQ(parameters["additionalProperties"], false);
  for (const char* key : {"to", "to_gb", "disk_gb", "component", "name", "value", "node",
                          "alert_name", "duration"}) {
    EXPECT_TRUE(parameters["properties"].contains(key)) << key;
  }
}

}  // namespace
}  // namespace rh::agent::internal
