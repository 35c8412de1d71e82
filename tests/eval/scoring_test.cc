// Scoring: each check fails for its own reason on a stored report, and pass@1 / pass^k.
#include "eval/scoring.h"

#include <gtest/gtest.h>

namespace rh::eval {
namespace {

EvalCase DiskCase() {
  EvalCase c;
  c.id = "disk";
  c.expect.category = RootCause::kDiskCapacity;
  c.expect.severities = {Severity::kCritical, Severity::kHigh};
  c.expect.facts = {{"disk\\D{0,40}9\\d", "disk 93%", "query_cluster_metrics"}};
  c.expect.forbidden = {"caused by the upgrade"};
  c.expect.red_herrings = {RootCause::kOperationInduced};
  return c;
}

Json Transcript() {
  return Json::array({{{"id", "call_1"},
                       {"tool", "query_cluster_metrics"},
                       {"is_error", false},
                       {"output", R"({"dimensions":[{"dimension":"disk","latest":93.04,)"
                                  R"("thresholds":{"critical":85}},{"dimension":"latency",)"
                                  R"("latest":22000,"p95":21000}]})"}},
                      {{"id", "call_2"}, {"tool", "query_cluster_alerts"}, {"is_error", false}},
                      {{"id", "call_3"}, {"tool", "run_sql"}, {"is_error", true}}});
}

Json GoodReport() {
  return {{"severity", "high"},
          {"confidence", 0.8},
          {"root_cause", "BE data disks filling"},
          {"root_cause_category", "disk_capacity"},
          {"evidence", Json::array({{{"tool_call_id", "call_1"},
                                     {"tool", "query_cluster_metrics"},
                                     {"finding", "BE data disk usage 93% now (critical)"}}})},
          {"recommendations", Json::array({{{"action", "expand"}, {"rationale", "full"}}})},
          {"summary", "disks filling"}};
}

store::StoredReport Stored(const Json& report, EngineKind engine = EngineKind::kPlaybook) {
  store::StoredReport stored;
  stored.engine = engine;
  stored.report_json = DumpJson(report);
  stored.transcript_json = DumpJson(Transcript());
  stored.input_tokens = 100;
  stored.cost_usd = 0.01;
  return stored;
}

std::vector<std::string> Failed(const RunScore& score) {
  std::vector<std::string> failed;
  for (const CheckResult& check : score.checks) {
    if (!check.passed) failed.push_back(check.name);
  }
  return failed;
}

TEST(EvalScoringTest, ACorrectReportPassesEveryCheck) {
  RunScore score = ScoreReport(DiskCase(), Stored(GoodReport()), EngineKind::kPlaybook);
  EXPECT_TRUE(score.passed);
  EXPECT_TRUE(Failed(score).empty());
  EXPECT_EQ(score.tool_calls, 3);
  EXPECT_EQ(score.failed_tool_calls, 1);
  EXPECT_EQ(score.checks.size(), CheckNames().size());
}

TEST(EvalScoringTest, FabricatedCitationFailsCitationsAndTheFact) {
  Json report = GoodReport();
  report["evidence"][0]["tool_call_id"] = "toolu_never_made";
  RunScore score = ScoreReport(DiskCase(), Stored(report), EngineKind::kPlaybook);
  EXPECT_FALSE(score.passed);
  EXPECT_EQ(Failed(score), (std::vector<std::string>{"facts", "citations"}));
  EXPECT_NE(score.Check("citations")->detail.find("never made"), std::string::npos);
}

TEST(EvalScoringTest, CitingAFailedCallOrTheWrongToolIsInvalid) {
  Json report = GoodReport();
  report["evidence"].push_back(
      {{"tool_call_id", "call_3"}, {"tool", "run_sql"}, {"finding", "no rows"}});
  report["evidence"].push_back(
      {{"tool_call_id", "call_2"}, {"tool", "query_cluster_info"}, {"finding", "3 BEs"}});
  RunScore score = ScoreReport(DiskCase(), Stored(report), EngineKind::kPlaybook);
  EXPECT_EQ(Failed(score), (std::vector<std::string>{"citations"}));
  EXPECT_NE(score.Check("citations")->detail.find("a call that failed"), std::string::npos);
  EXPECT_NE(score.Check("citations")->detail.find("and 1 more"), std::string::npos);
}

TEST(EvalScoringTest, ForbiddenClaimRedHerringSeverityAndEngine) {
  Json report = GoodReport();
  report["root_cause"] = "Latency was caused by the upgrade to 3.3.2";
  report["root_cause_category"] = "operation_induced";
  report["severity"] = "low";
  RunScore score =
      ScoreReport(DiskCase(), Stored(report, EngineKind::kPlaybook), EngineKind::kClaude);
  EXPECT_EQ(Failed(score),
            (std::vector<std::string>{"engine", "category", "severity", "forbidden"}));
  EXPECT_NE(score.Check("category")->detail.find("red herring"), std::string::npos);
}

TEST(EvalScoringTest, FactOnlyInAnUncitedPlaceDoesNotCount) {
  Json report = GoodReport();
  report["evidence"][0]["finding"] = "disks look busy";
  report["summary"] = "disk 93% full";  // stated, but not as cited evidence
  RunScore score = ScoreReport(DiskCase(), Stored(report), EngineKind::kPlaybook);
  EXPECT_EQ(Failed(score), (std::vector<std::string>{"facts"}));
}

TEST(EvalScoringTest, AFactsNumbersMustBeInTheCitedOutput) {
  Json report = GoodReport();
  report["evidence"][0]["finding"] = "BE data disk usage 97% now";  // the output says 93.04
  RunScore score = ScoreReport(DiskCase(), Stored(report), EngineKind::kPlaybook);
  EXPECT_EQ(Failed(score), (std::vector<std::string>{"facts"}));
  EXPECT_NE(score.Check("facts")->detail.find("ungrounded 'disk usage 97'"), std::string::npos)
      << score.Check("facts")->detail;

  // Rounded, with a thousands separator, after a name with digits ("p99"): all grounded.
  EvalCase latency = DiskCase();
  latency.expect.facts = {
      {"latency( p99)?\\D{0,40}\\d{2},?\\d{3}", "latency p99 22,000 ms", "query_cluster_metrics"}};
  report["evidence"][0]["finding"] = "query latency p99 22,000 ms now; disk 93%";
  EXPECT_TRUE(ScoreReport(latency, Stored(report), EngineKind::kPlaybook).passed);
  report["evidence"][0]["finding"] = "query latency p99 31,000 ms now";
  EXPECT_FALSE(ScoreReport(latency, Stored(report), EngineKind::kPlaybook).passed);
}

TEST(EvalScoringTest, PassAtOneAndPassHatK) {
  auto run = [](bool passed, long long latency) {
    RunScore score;
    score.passed = passed;
    score.latency_ms = latency;
    score.checks = {{"engine", true, ""}, {"category", passed, ""}};
    return score;
  };
  CaseSummary a{"a", RootCause::kHealthy, {run(true, 10), run(true, 20), run(true, 30)}};
  CaseSummary b{"b", RootCause::kHealthy, {run(true, 40), run(false, 50), run(false, 60)}};
  EvalSummary summary = Summarize("playbook", 3, {a, b});
  EXPECT_DOUBLE_EQ(summary.pass_at_1, (1.0 + 1.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(summary.pass_all_k, 0.5);
  EXPECT_EQ(summary.cases[1].passed_runs, 1);
  EXPECT_EQ(summary.latency_p50_ms, 30);
  EXPECT_EQ(summary.latency_max_ms, 60);
  ASSERT_EQ(summary.check_pass_rates.size(), CheckNames().size());
  EXPECT_EQ(summary.check_pass_rates[1].first, "category");
  EXPECT_DOUBLE_EQ(summary.check_pass_rates[1].second, 4.0 / 6.0);
}

}  // namespace
}  // namespace rh::eval
