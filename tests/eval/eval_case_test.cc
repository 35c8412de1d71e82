// Case files: the corpus in bench/agent/cases/ and ParseCase's refusals.
#include "eval/eval_case.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "tests/fakes/test_env.h"

namespace rh::eval {
namespace {

const std::string kCasesDir = std::string(RH_SOURCE_DIR) + "/bench/agent/cases";

Json MinimalCase() {
  return ParseJson(R"({
    "id": "tiny", "title": "a tiny case", "source": "ops", "now": "2026-03-10T12:05:00Z",
    "fleet": {"accounts": [{"id": "a-1", "tier": "A"}],
              "clusters": [{"id": "c-1", "account": "a-1", "nodes": [{"type": "BE"}]}]},
    "trigger": {"kind": "question", "cluster": "c-1", "question": "ok?"},
    "expect": {"category": "disk_capacity", "severities": ["high"],
               "facts": [{"pattern": "disk\\D*9\\d", "says": "disk 93%",
                          "tool": "query_cluster_metrics"}],
               "forbidden": ["upgrade"], "red_herrings": ["operation_induced"]}
  })")
      .value();
}

TEST(EvalCaseTest, CorpusCoversTheTaxonomyWithRealBugCases) {
  auto cases = LoadCases(kCasesDir);
  ASSERT_TRUE(cases) << cases.error().ToString();
  EXPECT_GE(cases->size(), 40u);
  std::set<RootCause> categories;
  int from_starrocks = 0;
  int faults = 0;
  for (const EvalCase& c : *cases) {
    categories.insert(c.expect.category);
    if (c.source.find("StarRocks") != std::string::npos) ++from_starrocks;
    if (c.script.fault != ScriptFault::kNone) ++faults;
  }
  for (RootCause cause : kAllRootCauses) {
    EXPECT_TRUE(categories.count(cause)) << "no case for " << RootCauseName(cause);
  }
  EXPECT_GE(from_starrocks, 10);
  EXPECT_GE(faults, 2);
}

TEST(EvalCaseTest, ParsesAMinimalCase) {
  auto parsed = ParseCase(MinimalCase(), "tiny.json");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(parsed->expect.category, RootCause::kDiskCapacity);
  EXPECT_EQ(parsed->trigger.kind, TriggerKind::kQuestion);
  EXPECT_EQ(parsed->script.tools.size(), 4u);
  EXPECT_EQ(parsed->script.fault, ScriptFault::kNone);
}

TEST(EvalCaseTest, RefusesEveryInconsistencyAtOnce) {
  Json json = MinimalCase();
  json["expect"]["facts"][0]["says"] = "disk 42%";  // does not match its pattern
  json["expect"]["category"] = "disk_full";         // not in the taxonomy
  json["trigger"] = {{"kind", "sentinel"},
                     {"cluster", "c-404"},                     // not in the fleet
                     {"rules", {{{"rule", "gut_feeling"}}}}};  // not a sentinel rule
  json["expect"]["forbidden"] = Json::array({"(unclosed"});    // bad regex
  json["script"] = {{"fault", "forbidden_claim"}, {"claim", "fine"}, {"expect_failed", {"vibes"}}};
  auto parsed = ParseCase(json, "bad.json");
  ASSERT_FALSE(parsed);
  const std::string text = parsed.error().ToString();
  EXPECT_NE(text.find("does not match its own pattern"), std::string::npos) << text;
  EXPECT_NE(text.find("expect.category"), std::string::npos) << text;
  EXPECT_NE(text.find("'c-404' is not a fleet cluster"), std::string::npos) << text;
  EXPECT_NE(text.find("bad regex"), std::string::npos) << text;
  EXPECT_NE(text.find("'gut_feeling' is not a sentinel rule"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown check 'vibes'"), std::string::npos) << text;
  EXPECT_NE(text.find("script.claim: must match"), std::string::npos) << text;
}

TEST(EvalCaseTest, RedHerringCannotBeTheAnswer) {
  Json json = MinimalCase();
  json["expect"]["red_herrings"] = Json::array({"disk_capacity"});
  auto parsed = ParseCase(json, "herring.json");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("cannot be a red herring"), std::string::npos);
}

TEST(EvalCaseTest, MissingDirectoryAndDuplicateIdsAreClearErrors) {
  auto missing = LoadCases("/nonexistent/cases");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--cases"), std::string::npos);

  rh::testing::TempDir dir;
  std::ofstream(dir.File("a.json")) << DumpJson(MinimalCase());
  std::ofstream(dir.File("b.json")) << DumpJson(MinimalCase());
  std::ofstream(dir.File("notes.txt")) << "not a case";
  auto twice = LoadCases(dir.path().string());
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("two cases have the id 'tiny'"), std::string::npos)
      << twice.error().ToString();

  std::ofstream(dir.File("b.json")) << "{\"id\": ";  // cut short
  auto broken = LoadCases(dir.path().string());
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("b.json"), std::string::npos) << broken.error().ToString();
}

}  // namespace
}  // namespace rh::eval
