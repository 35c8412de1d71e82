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

}  // namespace
}  // namespace rh
