// The JSON-Schema validator the scripted server uses to check request bodies against the API's
// own OpenAPI description: keyword by keyword on small schemas, then on openapi.json itself.
#include "tests/fakes/json_schema_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fakes/test_env.h"

namespace rh::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

JsonSchemaValidator Make(const Json& schemas, const std::string& root = "/$defs/root") {
  auto validator = JsonSchemaValidator::Create(std::make_shared<const Json>(schemas), root);
  EXPECT_TRUE(validator) << validator.error().ToString();
  return std::move(*validator);
}

TEST(JsonSchemaValidatorTest, ObjectsRequiredAndAdditionalProperties) {
  const Json document = R"({"$defs": {"root": {
      "type": "object", "required": ["name"], "additionalProperties": false,
      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 4,
                              "pattern": "^[a-z]+$"},
                     "size": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10}}}}})"_json;
  const JsonSchemaValidator validator = Make(document);
  EXPECT_THAT(validator.Validate(R"({"name": "abc", "size": 3})"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"({"size": 3})"_json), ElementsAre("name: Field required"));
  EXPECT_THAT(validator.Validate(R"({"name": "abc", "color": 1})"_json),
              ElementsAre("color: Extra inputs are not permitted"));
  EXPECT_THAT(validator.Validate(R"({"name": "abcde"})"_json),
              ElementsAre("name: String should have at most 4 character(s)"));
  EXPECT_THAT(validator.Validate(R"({"name": "AB"})"_json),
              ElementsAre("name: String should match pattern '^[a-z]+$'"));
  EXPECT_THAT(validator.Validate(R"({"name": "ab", "size": 10})"_json),
              ElementsAre("size: Input should be less than 10"));
  EXPECT_THAT(validator.Validate(R"({"name": "ab", "size": 2.5})"_json),
              ElementsAre(HasSubstr("size: Input should be of type \"integer\"")));
  EXPECT_THAT(validator.Validate(R"({"name": "ab", "size": 2.0})"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"([1])"_json),
              ElementsAre(HasSubstr("(root): Input should be of type \"object\", got array")));
  // maxLength counts code points, not bytes.
  EXPECT_THAT(validator.Validate(Json{{"name", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"}}),
              ElementsAre("name: String should match pattern '^[a-z]+$'"));
}

TEST(JsonSchemaValidatorTest, ArraysEnumsConstAndRefs) {
  const Json document = R"({"$defs": {
      "role": {"enum": ["user", "assistant"], "type": "string"},
      "root": {"type": "array", "minItems": 1, "maxItems": 2,
               "items": {"type": "object", "properties": {"role": {"$ref": "#/$defs/role"},
                                                          "kind": {"const": "message"}}}}}})"_json;
  const JsonSchemaValidator validator = Make(document);
  EXPECT_THAT(validator.Validate(R"([{"role": "user", "kind": "message"}])"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"([])"_json),
              ElementsAre("(root): List should have at least 1 item(s)"));
  EXPECT_THAT(validator.Validate(R"([{}, {}, {}])"_json),
              ElementsAre("(root): List should have at most 2 item(s)"));
  EXPECT_THAT(validator.Validate(R"([{"role": "system"}])"_json),
              ElementsAre("0.role: \"system\" is not one of ['user', 'assistant']"));
  EXPECT_THAT(validator.Validate(R"([{"kind": "note"}])"_json),
              ElementsAre("0.kind: Input should be \"message\", got \"note\""));
}

TEST(JsonSchemaValidatorTest, AnyOfOneOfAndDiscriminators) {
  const Json document = R"({"$defs": {
      "text": {"type": "object", "required": ["type", "text"], "additionalProperties": false,
               "properties": {"type": {"const": "text"}, "text": {"type": "string"}}},
      "image": {"type": "object", "required": ["type", "url"], "additionalProperties": false,
                "properties": {"type": {"const": "image"}, "url": {"type": "string"}}},
      "root": {"type": "object", "properties": {
        "block": {"oneOf": [{"$ref": "#/$defs/text"}, {"$ref": "#/$defs/image"}],
                  "discriminator": {"propertyName": "type",
                                    "mapping": {"text": "#/$defs/text", "image": "#/$defs/image"}}},
        "plain": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        "maybe": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}}})"_json;
  const JsonSchemaValidator validator = Make(document);
  EXPECT_THAT(validator.Validate(R"({"block": {"type": "text", "text": "hi"}})"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"({"block": {"type": "image"}})"_json),
              ElementsAre("block.url: Field required"));
  EXPECT_THAT(validator.Validate(R"({"block": {"type": "video"}})"_json),
              ElementsAre("block.type: Input tag 'video' does not match any of the expected "
                          "tags: 'image', 'text'"));
  // 1 is both an integer and a number: oneOf needs exactly one.
  EXPECT_THAT(validator.Validate(R"({"plain": 1})"_json),
              ElementsAre("plain: Input matches 2 shapes where exactly one is allowed"));
  EXPECT_THAT(validator.Validate(R"({"plain": 1.5})"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"({"maybe": null})"_json), IsEmpty());
  EXPECT_THAT(validator.Validate(R"({"maybe": 3})"_json),
              ElementsAre(HasSubstr("maybe: Input should be of type")));
}

TEST(JsonSchemaValidatorTest, RefusesSchemasItDoesNotUnderstand) {
  const Json document =
      R"({"$defs": {"root": {"type": "object", "dependentRequired": {"a": ["b"]}}}})"_json;
  auto validator =
      JsonSchemaValidator::Create(std::make_shared<const Json>(document), "/$defs/root");
  ASSERT_FALSE(validator);
  EXPECT_THAT(validator.error().message,
              HasSubstr("unsupported JSON Schema keyword 'dependentRequired'"));
  const Json dangling = R"({"$defs": {"root": {"$ref": "#/$defs/missing"}}})"_json;
  EXPECT_FALSE(JsonSchemaValidator::Create(std::make_shared<const Json>(dangling), "/$defs/root"));
  EXPECT_FALSE(JsonSchemaValidator::Create(std::make_shared<const Json>(dangling), "/$defs/nope"));
}

// ---- The API's own description ----------------------------------------------------------------

class OpenApiSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto path = SharedDataPath("anthropic/openapi.json");
    if (!path) GTEST_SKIP() << "../shared/data/anthropic/openapi.json is absent";
    auto validator = JsonSchemaValidator::FromOpenApiFile(path->string(), "CreateMessageParams");
    ASSERT_TRUE(validator) << validator.error().ToString();
    validator_ = std::make_unique<JsonSchemaValidator>(std::move(*validator));
  }
  std::unique_ptr<JsonSchemaValidator> validator_;
};

TEST_F(OpenApiSchemaTest, EveryRecordedRequestBodyIsValid) {
  auto folder = SharedDataPath("anthropic/recorded");
  ASSERT_TRUE(folder);
  int bodies = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*folder)) {
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    auto exchanges = ParseJson(text.str(), entry.path().string());
    ASSERT_TRUE(exchanges);
    for (const auto& exchange : *exchanges) {
      EXPECT_THAT(validator_->Validate(exchange["request"]["body"]), IsEmpty())
          << entry.path().filename();
      ++bodies;
    }
  }
  EXPECT_GE(bodies, 15);
}

TEST_F(OpenApiSchemaTest, CatchesWhatTheApiWouldRefuse) {
  const Json valid = R"({
      "model": "claude-sonnet-4-5", "max_tokens": 1024,
      "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
      "tools": [{"name": "t", "description": "d", "input_schema": {"type": "object"}}],
      "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
      "metadata": {"user_id": "u-1"},
      "messages": [{"role": "user", "content": "hi"}]})"_json;
  EXPECT_THAT(validator_->Validate(valid), IsEmpty());

  auto with = [&](const std::string& pointer, const Json& value) {
    Json changed = valid;
    changed[Json::json_pointer(pointer)] = value;
    return validator_->Validate(changed);
  };
  EXPECT_THAT(with("/messages/0/role", "system"),
              ElementsAre(HasSubstr("messages.0.role: \"system\" is not one of")));
  EXPECT_THAT(with("/max_tokens", "1024"),
              ElementsAre(HasSubstr("max_tokens: Input should be of type \"integer\"")));
  EXPECT_THAT(with("/tool_choice", Json{{"type", "sometimes"}}),
              ElementsAre(HasSubstr("tool_choice.type: Input tag 'sometimes'")));
  EXPECT_THAT(with("/tool_choice", Json{{"type", "none"}, {"disable_parallel_tool_use", true}}),
              ElementsAre("tool_choice.disable_parallel_tool_use: Extra inputs are not permitted"));
  EXPECT_THAT(with("/metadata", Json{{"user", "u-1"}}),
              ElementsAre("metadata.user: Extra inputs are not permitted"));
  EXPECT_THAT(with("/system/0/cache_control", Json{{"type", "persistent"}}),
              ElementsAre(HasSubstr("system.0.cache_control")));
  EXPECT_THAT(with("/tools/0/name", "has space"), Not(IsEmpty()));
  EXPECT_THAT(with("/temperature", "hot"), ElementsAre(HasSubstr("temperature")));
  EXPECT_THAT(with("/messages/0/content", Json::array({{{"type", "banana"}}})),
              ElementsAre(HasSubstr("messages.0.content.0.type: Input tag 'banana'")));
  Json no_model = valid;
  no_model.erase("model");
  EXPECT_THAT(validator_->Validate(no_model), ElementsAre("model: Field required"));
}

}  // namespace
}  // namespace rh::testing
