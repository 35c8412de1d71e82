#include "agent/report.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/instance_limits.h"
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
  EXPECT_EQ(report->severity, Severity::kHigh);
  EXPECT_EQ(report->root_cause_category, RootCause::kDiskCapacity);
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
  context.engine = EngineKind::kPlaybook;
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

// "a, b, c": how the vocabulary's Names() join a list.
std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The report schema given to the model is a hand-written file (prompts/text/report_schema.json):
// its lists must be the vocabulary's, in the same order.
TEST(ReportTest, SchemaGivenToTheModelMatchesTheValidator) {
  auto text = prompts::LoadPrompt("report_schema.json");
  ASSERT_TRUE(text) << text.error().ToString();
  Json schema = Json::parse(*text);
  EXPECT_EQ(schema["type"], "object");
  std::vector<std::string> severities = schema["properties"]["severity"]["enum"];
  EXPECT_EQ(JoinNames(severities), SeverityNames());
  std::vector<std::string> categories = schema["properties"]["root_cause_category"]["enum"];
  EXPECT_EQ(JoinNames(categories), RootCauseNames());
  std::vector<std::string> operations =
      schema["properties"]["recommendations"]["items"]["properties"]["operation"]["enum"];
  EXPECT_EQ(operations, RecommendationOperations());
  std::vector<std::string> required = schema["required"];
  EXPECT_EQ(required.size(), 7u);
}

// The other hand-written copies the model reads: the category list of query_agent_memory's
// description, and the instance limits in the system prompt and the schema's parameters.
TEST(ReportTest, PromptsStateTheVocabularyAndTheInstanceLimits) {
  auto memory_tool = prompts::LoadPrompt("tool_query_agent_memory.md");
  ASSERT_TRUE(memory_tool) << memory_tool.error().ToString();
  EXPECT_NE(memory_tool->find("category (one of " + std::string(RootCauseNames()) + ";"),
            std::string::npos)
      << *memory_tool;
  auto range = [](int64_t low, int64_t high) {
    return std::to_string(low) + "-" + std::to_string(high);
  };
  const std::string limits_text =
      "BE " + range(limits::kMinBeNodes, limits::kMaxBeNodes) + " nodes, CN " +
      range(limits::kMinCnNodes, limits::kMaxCnNodes) + ", FE " +
      range(limits::kMinFeNodes, limits::kMaxFeNodes);
  const std::string disk_text = "disk " + range(limits::kMinDiskGb, limits::kMaxDiskGb) + " GB";
  const std::string pl2_text = "PL2 needs >= " + std::to_string(limits::kMinPl2DiskGb) + " GB";
  auto schema = prompts::LoadPrompt("report_schema.json");
  auto system = prompts::LoadPrompt("system.md");
  ASSERT_TRUE(schema && system);
  for (const std::string* text : {&*schema, &*system}) {
    std::string flat = *text;  // the system prompt wraps lines
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    while (flat.find("  ") != std::string::npos) flat.replace(flat.find("  "), 2, " ");
    for (const std::string& expected : {limits_text, disk_text, pl2_text}) {
      EXPECT_NE(flat.find(expected), std::string::npos) << expected;
    }
  }
}

// A category outside the taxonomy is refused with every valid one named, so a model can fix
// its submission in one repair turn; names are matched in any case and stored in lower case.
TEST(ReportTest, UnknownCategoryIsRefusedNamingTheValidOnes) {
  Json bad = ValidReport();
  bad["root_cause_category"] = "gremlins";
  auto result = ParseReport(bad);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("root_cause_category: must be one of " +
                                        std::string(RootCauseNames()) + "; got 'gremlins'"),
            std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("1 problem"), std::string::npos);

  Json upper = ValidReport();
  upper["root_cause_category"] = "Disk_Capacity";
  upper["severity"] = "HIGH";
  auto parsed = ParseReport(upper);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(parsed->root_cause_category, RootCause::kDiskCapacity);
  EXPECT_EQ(ReportToJson(*parsed)["root_cause_category"], "disk_capacity");
  EXPECT_EQ(ReportToJson(*parsed)["severity"], "high");

  // Recommendations may be empty only at severity info.
  Json quiet = ValidReport();
  quiet["recommendations"] = Json::array();
  EXPECT_FALSE(ParseReport(quiet));
  quiet["severity"] = "info";
  EXPECT_TRUE(ParseReport(quiet));
}

// The Claude loop's citation rules: only successful calls the model has read, with their tool.
TEST(ReportTest, CitationsMustBeSeenSuccessfulCallsOfTheNamedTool) {
  using State = CitableCall::State;
  const std::vector<CitableCall> calls = {{"toolu_1", "query_cluster_metrics", State::kSeen},
                                          {"toolu_2", "run_sql", State::kFailed},
                                          {"toolu_3", "query_cluster_info", State::kUnseen}};
  EXPECT_TRUE(ParseReportCiting(ValidReport(), calls));

  Json report = ValidReport();
  report["evidence"] = Json::parse(R"([
      {"tool_call_id": "toolu_2", "tool": "run_sql", "finding": "x"},
      {"tool_call_id": "toolu_3", "tool": "query_cluster_info", "finding": "x"},
      {"tool_call_id": "toolu_1", "tool": "query_cluster_alerts", "finding": "x"},
      {"tool_call_id": "toolu_9", "tool": "run_sql", "finding": "x"}])");
  auto refused = ParseReportCiting(report, calls);
  ASSERT_FALSE(refused);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("4 problems"), std::string::npos) << message;
  EXPECT_NE(message.find("evidence[0].tool_call_id: 'toolu_2' (run_sql) failed"),
            std::string::npos) << message;
  EXPECT_NE(message.find("evidence[1].tool_call_id: 'toolu_3' was called in this same message"),
            std::string::npos) << message;
  EXPECT_NE(message.find("evidence[2].tool: 'query_cluster_alerts' but toolu_1 was a call of "
                         "query_cluster_metrics"), std::string::npos) << message;
  EXPECT_NE(message.find("'toolu_9' is not a tool call of this investigation; cite one of: "
                         "toolu_1 (query_cluster_metrics)"), std::string::npos) << message;
}

TEST(ReportTest, WithoutASuccessfulCallOnlyInsufficientDataCanBeReported) {
  using State = CitableCall::State;
  const std::vector<CitableCall> failed = {{"toolu_2", "query_cluster_metrics", State::kFailed}};
  Json report = ValidReport();
  report["evidence"][0]["tool_call_id"] = "toolu_2";
  auto refused = ParseReportCiting(report, failed);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no tool call of this investigation has succeeded"),
            std::string::npos) << refused.error().message;
  EXPECT_FALSE(ParseReportCiting(report, {}));  // a first-turn report with nothing to stand on

  // insufficient_data may cite the failed call as the gap that explains it.
  report["root_cause_category"] = "insufficient_data";
  report["severity"] = "info";
  report["confidence"] = 0.2;
  auto accepted = ParseReportCiting(report, failed);
  EXPECT_TRUE(accepted) << accepted.error().ToString();
}

}  // namespace
}  // namespace rh::agent
