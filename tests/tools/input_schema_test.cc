#include "tools/input_schema.h"

#include <gtest/gtest.h>

namespace rh::tools {
namespace {

Json Schema() {
  return Json::parse(R"({
    "type": "object",
    "properties": {
      "cluster_id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$", "maxLength": 64,
                     "examples": ["c-1a2b3c4d"]},
      "window_hours": {"type": "integer", "minimum": 1, "maximum": 336, "default": 24},
      "ratio": {"type": "number", "minimum": 0, "maximum": 1},
      "mode": {"type": "string", "enum": ["hybrid", "fulltext", "vector"]},
      "verbose": {"type": "boolean"},
      "dimensions": {"type": "array", "items": {"type": "string", "enum": ["cpu", "disk"]},
                     "minItems": 1, "maxItems": 2},
      "note": {"type": "string", "maxLength": 5}
    },
    "required": ["cluster_id"],
    "additionalProperties": false
  })");
}

std::string Problems(const Json& input) {
  auto result = ValidateInput(Schema(), input);
  return result ? "" : result.error().message;
}

TEST(InputSchemaTest, AcceptsValidInputAndFillsDefaults) {
  auto result = ValidateInput(Schema(), Json::parse(R"({"cluster_id": "c-1a2b3c4d",
      "ratio": 0.5, "mode": "vector", "verbose": true, "dimensions": ["disk"]})"));
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ((*result)["window_hours"], 24);
  EXPECT_EQ((*result)["mode"], "vector");
}

TEST(InputSchemaTest, NormalisesIntegralFloats) {
  auto result =
      ValidateInput(Schema(), Json::parse(R"({"cluster_id": "c-1", "window_hours": 48.0})"));
  ASSERT_TRUE(result);
  EXPECT_TRUE((*result)["window_hours"].is_number_integer());
  EXPECT_EQ((*result)["window_hours"], 48);
}

TEST(InputSchemaTest, SaysWhatToFix) {
  struct Case {
    const char* input;
    const char* fragment;
  };
  const Case cases[] = {
      {R"({})", "cluster_id: required property is missing (e.g. \"c-1a2b3c4d\")"},
      {R"([1, 2])", "input: must be a JSON object with properties"},
      {R"({"cluster_id": "C_1!"})", "cluster_id: ids are 1 to 64 lower-case letters"},
      {R"({"cluster_id": "c-1; DROP TABLE x"})", "ids are 1 to 64"},
      {R"({"cluster_id": "c-1", "extra": 1})",
       "extra: unknown property; the allowed "
       "properties are cluster_id"},
      {R"({"cluster_id": "c-1", "window_hours": "24"})",
       "window_hours: must be an integer; "
       "got string \"24\""},
      {R"({"cluster_id": "c-1", "window_hours": 500})",
       "window_hours: must be <= 336; got "
       "integer 500"},
      {R"({"cluster_id": "c-1", "window_hours": 0})", "must be >= 1"},
      {R"({"cluster_id": "c-1", "window_hours": 2.5})", "must be an integer"},
      {R"({"cluster_id": "c-1", "ratio": "x"})", "ratio: must be a number"},
      {R"({"cluster_id": "c-1", "mode": "semantic"})",
       "mode: must be one of hybrid, "
       "fulltext, vector"},
      {R"({"cluster_id": "c-1", "verbose": 1})", "verbose: must be true or false"},
      {R"({"cluster_id": "c-1", "dimensions": []})", "dimensions: needs at least 1 items"},
      {R"({"cluster_id": "c-1", "dimensions": ["cpu", "disk", "cpu"]})", "takes at most 2"},
      {R"({"cluster_id": "c-1", "dimensions": ["ram"]})",
       "dimensions[0]: must be one of cpu, "
       "disk"},
      {R"({"cluster_id": "c-1", "note": "too long"})", "note: must be at most 5 characters"},
      {R"({"cluster_id": null})", "cluster_id: must be a string; got null"},
  };
  for (const Case& each : cases) {
    std::string problems = Problems(Json::parse(each.input));
    EXPECT_NE(problems.find(each.fragment), std::string::npos)
        << "input: " << each.input << "\nproblems: " << problems;
  }
}

TEST(InputSchemaTest, ReportsSeveralProblemsAtOnce) {
  std::string problems = Problems(Json::parse(R"({"window_hours": -1, "mode": 3, "x": 1})"));
  EXPECT_NE(problems.find("cluster_id"), std::string::npos);
  EXPECT_NE(problems.find("window_hours"), std::string::npos);
  EXPECT_NE(problems.find("mode"), std::string::npos);
  EXPECT_NE(problems.find("x: unknown"), std::string::npos);
}

TEST(InputSchemaTest, RefusesSchemasOutsideTheSubset) {
  EXPECT_TRUE(CheckSchemaSupported(Schema()));
  EXPECT_FALSE(CheckSchemaSupported(Json::parse(R"({"type": "string"})")));
  EXPECT_FALSE(CheckSchemaSupported(Json::parse(
      R"({"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}})")));
  EXPECT_FALSE(CheckSchemaSupported(Json::parse(
      R"({"type": "object", "properties": {"a": {"type": "string", "pattern": "^a+$"}}})")))
      << "a pattern without maxLength would let std::regex recurse without bound";
  EXPECT_FALSE(
      CheckSchemaSupported(Json::parse(R"({"type": "object", "additionalProperties": true})")));
  EXPECT_FALSE(CheckSchemaSupported(
      Json::parse(R"({"type": "object", "properties": {"a": {"type": "oneOf"}}})")));
}

}  // namespace
}  // namespace rh::tools
