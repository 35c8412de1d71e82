// The whole case corpus through the harness: on the playbook, and on the real Claude engine
// against the scripted Anthropic-compatible server (each case's conversation from
// eval/scripted_model.h). The scripted model passes every case whose script is honest, and the
// harness fails each deliberately broken one on exactly the checks its file names. Both tables
// are printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "eval/harness.h"
#include "tests/fakes/scripted_eval_session.h"
#include "tests/fakes/test_env.h"

namespace rh::eval {
namespace {

const std::string kCasesDir = std::string(RH_SOURCE_DIR) + "/bench/agent/cases";

std::vector<EvalCase> Cases() {
  auto cases = LoadCases(kCasesDir);
  EXPECT_TRUE(cases) << cases.error().ToString();
  return cases ? *cases : std::vector<EvalCase>{};
}

const EvalCase* Find(const std::vector<EvalCase>& cases, const std::string& id) {
  for (const EvalCase& c : cases) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void CheckShape(const EvalSummary& summary, size_t cases, int runs) {
  ASSERT_EQ(summary.cases.size(), cases);
  const std::string table = RenderTable(summary);
  std::printf("%s\n", table.c_str());
  EXPECT_NE(table.find("pass@1"), std::string::npos);
  EXPECT_NE(table.find("pass^" + std::to_string(runs)), std::string::npos);
  for (const CaseSummary& c : summary.cases) {
    EXPECT_NE(table.find(c.case_id), std::string::npos);
    EXPECT_EQ(c.runs.size(), static_cast<size_t>(runs));
  }
  Json json = SummaryToJson(summary);
  ASSERT_EQ(json["cases"].size(), cases);
  EXPECT_EQ(json["runs_per_case"], runs);
  for (const char* key : {"pass_at_1", "pass_all_k", "check_pass_rates", "mean_tool_calls",
                          "mean_input_tokens", "total_cost_usd", "latency_p50_ms"}) {
    EXPECT_TRUE(json["totals"].contains(key)) << key;
  }
  const Json& run = json["cases"][0]["runs"][0];
  for (const std::string& check : CheckNames()) EXPECT_TRUE(run["checks"].contains(check));
  for (const char* key :
       {"category", "severity", "tool_calls", "input_tokens", "cost_usd", "latency_ms"}) {
    EXPECT_TRUE(run.contains(key)) << key;
  }
}

TEST(EvalHarnessTest, PlaybookOnEveryCase) {
  std::vector<EvalCase> cases = Cases();
  rh::testing::TempDir dir;
  EvalOptions options;
  options.engine = EngineKind::kPlaybook;
  options.work_dir = dir.File("work");
  auto summary = RunEval(cases, options);
  ASSERT_TRUE(summary) << summary.error().ToString();
  CheckShape(*summary, cases.size(), 1);
  EXPECT_EQ(summary->engine, "playbook");
  for (const CaseSummary& c : summary->cases) {
    const RunScore& run = c.runs.front();
    EXPECT_TRUE(run.error.empty()) << c.case_id << ": " << run.error;
    EXPECT_GT(run.tool_calls, 0) << c.case_id;
    // The playbook's citations are its own transcript's: always valid.
    EXPECT_TRUE(run.Check("citations")->passed) << c.case_id << run.Check("citations")->detail;
    EXPECT_TRUE(run.Check("engine")->passed) << c.case_id;
  }
  // A floor, not the figure (the README has that): the playbook's rules may be recalibrated.
  EXPECT_GE(summary->pass_at_1, 0.7);
}

// Claude against the scripted server, in `dir`.
EvalOptions ScriptedOptions(const rh::testing::TempDir& dir) {
  EvalOptions options;
  options.engine = EngineKind::kClaude;
  options.label = "scripted";
  options.work_dir = dir.File("work");
  options.sessions = rh::testing::ScriptedEvalSessions();
  return options;
}

// Every case on the loop against a scripted server: the clean ones pass with tokens counted,
// the broken ones fail exactly the checks their fault breaks.
void ExpectOnlyTheBrokenCasesFail(const EvalOptions& options) {
  std::vector<EvalCase> cases = Cases();
  auto summary = RunEval(cases, options);
  ASSERT_TRUE(summary) << summary.error().ToString();
  CheckShape(*summary, cases.size(), 1);
  int broken = 0;
  for (const CaseSummary& c : summary->cases) {
    const EvalCase* eval_case = Find(cases, c.case_id);
    ASSERT_NE(eval_case, nullptr);
    const RunScore& run = c.runs.front();
    if (eval_case->script.fault == ScriptFault::kNone) {
      EXPECT_TRUE(run.passed) << c.case_id << ": " << DumpJson(SummaryToJson(*summary)["cases"]);
      EXPECT_EQ(run.engine, EngineKind::kClaude) << c.case_id << run.llm_error;
      EXPECT_TRUE(run.problems.empty()) << c.case_id << ": " << run.problems.front();
      EXPECT_GT(run.input_tokens + run.cache_read_tokens, 0) << c.case_id;
      EXPECT_GE(run.tool_calls, 4) << c.case_id;
      continue;
    }
    ++broken;
    EXPECT_FALSE(run.passed) << c.case_id;
    std::vector<std::string> failed;
    for (const CheckResult& check : run.checks) {
      if (!check.passed) failed.push_back(check.name);
    }
    if (run.engine == EngineKind::kClaude) {
      // The scripted report was scored: it fails exactly what its fault breaks.
      EXPECT_EQ(failed, eval_case->script.expect_failed) << c.case_id;
    } else {
      // The engine refused the report and the playbook stood in: the other checks judge the
      // playbook's report, which its own calibration may change.
      for (const std::string& check : eval_case->script.expect_failed) {
        EXPECT_NE(std::find(failed.begin(), failed.end(), check), failed.end())
            << c.case_id << " should fail " << check;
      }
    }
  }
  EXPECT_GE(broken, 5);
  EXPECT_LT(summary->pass_at_1, 1.0);
}

TEST(EvalHarnessTest, ScriptedClaudeOnEveryCaseFailsExactlyTheBrokenOnes) {
  rh::testing::TempDir dir;
  ExpectOnlyTheBrokenCasesFail(ScriptedOptions(dir));
}

// Acceptance of issue 18: the same cases and table with the loop speaking Chat Completions
// (OpenAiClient) to the scripted OpenAI-compatible server.
TEST(EvalHarnessTest, OpenAiScriptedOnEveryCaseFailsExactlyTheBrokenOnes) {
  rh::testing::TempDir dir;
  EvalOptions options = ScriptedOptions(dir);
  options.label = "openai-scripted";
  options.sessions = rh::testing::ScriptedOpenAiEvalSessions();
  ExpectOnlyTheBrokenCasesFail(options);
}

TEST(EvalHarnessTest, RunsKTimesAndFiltersOneCase) {
  std::vector<EvalCase> cases = Cases();
  rh::testing::TempDir dir;
  EvalOptions options = ScriptedOptions(dir);
  options.runs = 3;
  options.case_filter = "disk-capacity-ramp-load-surge";
  int seen = 0;
  options.on_run = [&](const RunScore& run) { EXPECT_EQ(run.run, ++seen); };
  auto summary = RunEval(cases, options);
  ASSERT_TRUE(summary) << summary.error().ToString();
  CheckShape(*summary, 1, 3);
  EXPECT_EQ(seen, 3);
  EXPECT_DOUBLE_EQ(summary->pass_all_k, 1.0);

  options.case_filter = "no-such-case";
  auto none = RunEval(cases, options);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no-such-case"), std::string::npos);
  options.case_filter = "";
  options.runs = 0;
  EXPECT_FALSE(RunEval(cases, options));
  options.runs = 1;
  options.sessions = nullptr;
  EXPECT_FALSE(RunEval(cases, options));
}

}  // namespace
}  // namespace rh::eval
