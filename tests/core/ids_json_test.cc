#include <gtest/gtest.h>

#include <set>

#include "core/ids.h"
#include "core/json.h"
#include "core/time_format.h"

namespace rh {
namespace {

TEST(IdsTest, TimeOrderedAndUnique) {
  std::set<std::string> ids;
  std::string previous;
  TimePoint t = MakeUtcTime(2026, 11, 21);
  for (int id_idx = 0; id_idx < 1000; ++id_idx) {
    std::string id = NewId("tsk", t + std::chrono::milliseconds(id_idx));
    EXPECT_EQ(id.size(), 4u + 26u);
    EXPECT_EQ(id.substr(0, 4), "tsk_");
    EXPECT_LT(previous, id);
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(IdsTest, Sha256AndResourceIds) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsValidResourceId("c-sr-0001"));
  EXPECT_FALSE(IsValidResourceId(""));
  EXPECT_FALSE(IsValidResourceId("C-Upper"));
  EXPECT_FALSE(IsValidResourceId("c'; DROP TABLE x"));
  EXPECT_FALSE(IsValidResourceId(std::string(65, 'a')));
}

TEST(JsonTest, ParseErrorsAndSafeAccess) {
  auto bad = ParseJson("{\"a\": ", "request body");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().ToString().find("request body"), std::string::npos);
  auto good = ParseJson(R"({"s": "x", "n": 2.5, "i": 3, "b": true, "u": "\u0026"})");
  ASSERT_TRUE(good);
  EXPECT_EQ(JsonString(*good, "s"), "x");
  EXPECT_EQ(JsonString(*good, "u"), "&");
  EXPECT_EQ(JsonString(*good, "n", "fallback"), "fallback");
  EXPECT_DOUBLE_EQ(JsonNumber(*good, "n"), 2.5);
  EXPECT_EQ(JsonInt(*good, "i"), 3);
  EXPECT_TRUE(JsonBool(*good, "b"));
  EXPECT_EQ(JsonInt(Json::array(), "i", 7), 7);
  EXPECT_EQ(DumpJson(Json{{"k", std::string("\xff")}}), "{\"k\":\"\xEF\xBF\xBD\"}");
}

std::string Nested(int depth, std::string_view inner = "1") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(JsonTest, NestingDeeperThanTheLimitIsRefusedBeforeParsing) {
  auto at_limit = ParseJson(Nested(kMaxJsonDepth));
  ASSERT_TRUE(at_limit) << at_limit.error().ToString();
  auto too_deep = ParseJson(Nested(kMaxJsonDepth + 1), "request body");
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_deep.error().ToString(),
            "invalid_argument: request body: nesting deeper than 64 levels at byte 65");
  // Objects count as levels too, and the offset is the first bracket too deep.
  std::string objects;
  for (int level = 0; level < 70; ++level) objects += "{\"k\":";
  objects += "1" + std::string(70, '}');
  auto deep_objects = ParseJson(objects);
  ASSERT_FALSE(deep_objects);
  EXPECT_NE(deep_objects.error().message.find("at byte " + std::to_string(64 * 5 + 1)),
            std::string::npos)
      << deep_objects.error().message;
  EXPECT_FALSE(ParseOrderedJson(Nested(65)));
  EXPECT_TRUE(ParseOrderedJson(Nested(64)));
  EXPECT_TRUE(ParseJson(Nested(8), "x", 8));
  EXPECT_FALSE(ParseJson(Nested(9), "x", 8));
}

TEST(JsonTest, BracketsInsideStringsAreNotNesting) {
  // 10,000 brackets inside strings, with escaped quotes and backslashes before them.
  const std::string brackets(10000, '[');
  for (const std::string& text :
       {"{\"s\": \"" + brackets + "\"}", "[\"\\\"" + brackets + "\"]",
        "[\"\\\\\", \"" + brackets + "\"]", "{\"" + brackets + "\": \"}}}}\"}"}) {
    auto parsed = ParseJson(text);
    EXPECT_TRUE(parsed) << text.substr(0, 40) << ": " << parsed.error().ToString();
  }
  // A closing quote after an escaped backslash really closes the string: what follows counts.
  EXPECT_FALSE(ParseJson("[\"\\\\\"," + Nested(64) + "]"));
  EXPECT_TRUE(ParseJson("[\"\\\\\"," + Nested(63) + "]"));
}

// The campaign's crash: 150,000 levels (300 KB) used to overflow the stack in whatever walked the
// value next. Refused at once, with or without the closing brackets.
TEST(JsonTest, HostileDepthIsRefusedNotCrashed) {
  for (int depth : {150000, 1000000}) {
    auto parsed = ParseJson(Nested(depth), "body");
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("nesting deeper than 64 levels at byte 65"),
              std::string::npos);
    EXPECT_FALSE(ParseJson(std::string(depth, '[')));
    EXPECT_FALSE(ParseJson(R"({"annotations": {"summary": )" + Nested(depth) + "}}"));
  }
  EXPECT_TRUE(CheckJsonDepth(std::string(100000, ']')));  // not JSON, but not deep either
}

TEST(JsonTest, ParseErrorsDoNotEchoSecrets) {
  // nlohmann quotes what it last read: here the whole unterminated string.
  auto bad = ParseJson(R"({"key": "sk-ant-api03-abcdefghijklmnop4242)", "body");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("sk-ant-****4242"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().message.find("abcdefghijklmnop"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace rh
