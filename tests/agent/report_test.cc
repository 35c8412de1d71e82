#include "agent/report.h"

#include <gtest/gtest.h>

#include "prompts/prompts.h"

namespace rh::agent {
namespace {

Json ValidReport() {
  return Json::parse(R"({
    "severity": "high", "confidence": 0.82,
    "root_cause": "BE data disks are 91% full and growing 2 points a day",
    "root_cause_category": "disk_capacity",
    "evidence": [{"tool_call_id": "toolu_1", "tool": "query_cluster_metrics",
                  "finding": "disk 91.2% (critical > 85), up from 78% 7 days ago"}],
    "recommendations": [
      {"action": "Expand BE data disks to 2000 GB", "rationale": "3 days until full",
       "operation": "expand_disk", "parameters": {"to_gb": 2000}, "risk": "none; online"},
      {"action": "Drop expired partitions", "rationale": "frees space now"}],
    "summary": "Disk nearly full on c-1."})");
}

TEST(ReportTest, ValidReportParsesAndRoundTrips) {
  auto report = ParseReport(ValidReport(), {"toolu_1", "toolu_2"});
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->severity, "high");
  EXPECT_EQ(report->recommendations.size(), 2u);
  EXPECT_EQ(report->recommendations[0].parameters["to_gb"], 2000);
  auto again = ParseReport(ReportToJson(*report));
  ASSERT_TRUE(again);
  EXPECT_EQ(ReportToJson(*again), ReportToJson(*report));
}

TEST(ReportTest, EveryProblemIsListedForTheRepairTurn) {
  Json bad = ValidReport();
  bad["severity"] = "urgent";
  bad["confidence"] = 1.5;
  bad["root_cause_category"] = "gremlins";
  bad["evidence"][0]["tool_call_id"] = "toolu_invented";
  bad["extra"] = true;
  auto result = ParseReport(bad, {"toolu_1"});
  ASSERT_FALSE(result);
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("severity: must be one of critical"), std::string::npos) << message;
  EXPECT_NE(message.find("confidence: must be between"), std::string::npos);
  EXPECT_NE(message.find("root_cause_category: must be one of"), std::string::npos);
  EXPECT_NE(message.find("'toolu_invented' is not a tool call"), std::string::npos);
  EXPECT_NE(message.find("extra: unknown field"), std::string::npos);
  EXPECT_NE(message.find("5 problems"), std::string::npos);
  EXPECT_FALSE(ParseReport(Json::array()));
  EXPECT_FALSE(ParseReport(Json::object()));
}

TEST(ReportTest, OperationsAreCheckedAgainstInstanceLimits) {
  auto with_op = [](std::string op, Json params) {
    Json report = ValidReport();
    report["recommendations"][0]["operation"] = op;
    report["recommendations"][0]["parameters"] = params;
    return ParseReport(report);
  };
  EXPECT_TRUE(with_op("scale_be_nodes", {{"to", 6}}));
  EXPECT_FALSE(with_op("scale_be_nodes", {{"to", 2}}));    // BE 3..50
  EXPECT_FALSE(with_op("scale_be_nodes", {{"to", 51}}));
  EXPECT_TRUE(with_op("scale_cn_nodes", {{"to", 100}}));
  EXPECT_FALSE(with_op("scale_cn_nodes", {{"to", 101}}));
  EXPECT_TRUE(with_op("scale_fe_nodes", {{"to", 3}}));
  EXPECT_FALSE(with_op("scale_fe_nodes", {{"to", 4}}));    // odd only
  EXPECT_FALSE(with_op("scale_fe_nodes", {{"to", 13}}));
  EXPECT_FALSE(with_op("expand_disk", {{"to_gb", 100}}));  // 200..65000
  EXPECT_FALSE(with_op("expand_disk", {{"to_gb", 70000}}));
  EXPECT_TRUE(with_op("change_essd_level", {{"to", "PL2"}, {"disk_gb", 500}}));
  EXPECT_FALSE(with_op("change_essd_level", {{"to", "PL2"}, {"disk_gb", 400}}));
  EXPECT_FALSE(with_op("change_essd_level", {{"to", "PL9"}}));
  EXPECT_TRUE(with_op("set_config", {{"component", "BE"}, {"name", "x"}, {"value", 1}}));
  EXPECT_FALSE(with_op("set_config", {{"component", "BE"}, {"name", "x"}}));
  EXPECT_FALSE(with_op("reboot_everything", Json::object()));
}

TEST(ReportTest, MarkdownShowsWhatAnEngineerNeeds) {
  auto report = ParseReport(ValidReport());
  ASSERT_TRUE(report);
  ReportContext context;
  context.cluster_id = "c-1";
  context.engine = "playbook";
  context.report_id = "rpt_1";
  context.llm_error = "unavailable: overloaded";
  std::string md = RenderMarkdown(*report, context);
  EXPECT_NE(md.find("# HIGH — c-1: disk_capacity"), std::string::npos) << md;
  EXPECT_NE(md.find("**Confidence:** 82%"), std::string::npos);
  EXPECT_NE(md.find("`toolu_1`"), std::string::npos);
  EXPECT_NE(md.find("1. **Expand BE data disks"), std::string::npos);
  EXPECT_NE(md.find("expand_disk {\"to_gb\":2000}"), std::string::npos);
  EXPECT_NE(md.find("offline playbook engine wrote this report"), std::string::npos);
}

TEST(ReportTest, SchemaGivenToTheModelMatchesTheValidator) {
  auto text = prompts::LoadPrompt("report_schema.json");
  ASSERT_TRUE(text) << text.error().ToString();
  Json schema = Json::parse(*text);
  EXPECT_EQ(schema["type"], "object");
  std::vector<std::string> severities = schema["properties"]["severity"]["enum"];
  EXPECT_EQ(severities, Severities());
  std::vector<std::string> categories = schema["properties"]["root_cause_category"]["enum"];
  EXPECT_EQ(categories, RootCauseCategories());
  std::vector<std::string> operations =
      schema["properties"]["recommendations"]["items"]["properties"]["operation"]["enum"];
  EXPECT_EQ(operations, RecommendationOperations());
  std::vector<std::string> required = schema["required"];
  EXPECT_EQ(required.size(), 7u);
}

}  // namespace
}  // namespace rh::agent
