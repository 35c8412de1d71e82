// The reasoning fields of a report (agent/report.h): ranked hypotheses with evidence for and
// against, causes ruled out, missing evidence. Optional in a submit_report input, validated
// whenever present (a bad shape is refused naming the field and the fix), kept through
// ReportToJson and shown in the Markdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "agent/report.h"
#include "prompts/prompts.h"

namespace rh::agent {
namespace {

Json WithReasoning() {
  return Json::parse(R"json({
    "severity": "critical", "confidence": 0.8,
    "root_cause": "The UPGRADE 3.3.1 -> 3.3.2 at 13:30 failed and be-2 crash-loops since 14:00",
    "root_cause_category": "operation_induced",
    "evidence": [{"tool_call_id": "call_4", "tool": "query_cluster_operations",
                  "finding": "UPGRADE 3.3.1 -> 3.3.2 FAILED at 13:30"}],
    "recommendations": [{"action": "Finish or revert the upgrade", "rationale": "it failed"}],
    "summary": "A failed upgrade left be-2 crash-looping.",
    "hypotheses": [
      {"rank": 1, "category": "operation_induced", "likelihood": 0.8,
       "statement": "the failed UPGRADE at 13:30 caused the crash loop",
       "evidence_for": [{"tool_call_id": "call_4", "tool": "query_cluster_operations",
                         "finding": "UPGRADE FAILED 30 min before the first alert"}],
       "evidence_against": []},
      {"rank": 2, "category": "node_failure", "likelihood": 0.15,
       "statement": "be-2 crashes on its own (hardware)",
       "evidence_for": [{"tool_call_id": "call_2", "tool": "query_cluster_alerts",
                         "finding": "'BE crash' 7 episodes, SIGSEGV"}],
       "evidence_against": [{"tool_call_id": "call_4", "tool": "query_cluster_operations",
                             "finding": "the crashes start right after the upgrade"}]}],
    "ruled_out": [
      {"category": "alert_noise", "why": "the alert carries SIGSEGV crash text",
       "evidence": [{"tool_call_id": "call_2", "tool": "query_cluster_alerts",
                     "finding": "SIGSEGV in the alert"}]},
      {"category": "account_wide", "why": "no sibling shares it", "evidence": []}],
    "missing_evidence": ["search_knowledge_lake (call_5) failed: lake unavailable"]})json");
}

const std::vector<std::string> kCalls = {"call_1", "call_2", "call_3", "call_4", "call_5"};

std::string Problems(const Json& input, const std::vector<std::string>& calls = kCalls) {
  auto result = ParseReport(input, calls);
  return result ? "" : result.error().message;
}

TEST(ReportReasoningTest, ReasoningParsesAndRoundTrips) {
  auto report = ParseReport(WithReasoning(), kCalls);
  ASSERT_TRUE(report) << report.error().ToString();
  ASSERT_EQ(report->hypotheses.size(), 2u);
  EXPECT_EQ(report->hypotheses[0].rank, 1);
  EXPECT_EQ(report->hypotheses[0].category, RootCause::kOperationInduced);
  EXPECT_EQ(report->hypotheses[1].category, RootCause::kNodeFailure);
  EXPECT_DOUBLE_EQ(report->hypotheses[1].likelihood, 0.15);
  ASSERT_EQ(report->hypotheses[1].evidence_against.size(), 1u);
  EXPECT_EQ(report->hypotheses[1].evidence_against[0].tool_call_id, "call_4");
  ASSERT_EQ(report->ruled_out.size(), 2u);
  EXPECT_EQ(report->ruled_out[0].category, RootCause::kAlertNoise);
  EXPECT_EQ(report->ruled_out[0].evidence[0].tool_call_id, "call_2");
  EXPECT_TRUE(report->ruled_out[1].evidence.empty());
  ASSERT_EQ(report->missing_evidence.size(), 1u);
  EXPECT_EQ(MissingReasoning(*report), "");

  const Json json = ReportToJson(*report);
  EXPECT_EQ(json["hypotheses"][1]["evidence_for"][0]["finding"], "'BE crash' 7 episodes, SIGSEGV");
  EXPECT_EQ(json["ruled_out"][0]["category"], "alert_noise");
  auto again = ParseReport(json, kCalls);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(ReportToJson(*again), json);
}

TEST(ReportReasoningTest, ReasoningIsOptionalForAModelButRequiredOfThePlaybook) {
  Json bare = WithReasoning();
  bare.erase("hypotheses");
  bare.erase("ruled_out");
  bare.erase("missing_evidence");
  auto report = ParseReport(bare, kCalls);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_TRUE(report->hypotheses.empty());
  EXPECT_EQ(MissingReasoning(*report), "hypotheses: at least one is required");
  EXPECT_FALSE(ReportToJson(*report).contains("hypotheses"));
  bare["hypotheses"] = nullptr;  // null reads as absent
  EXPECT_TRUE(ParseReport(bare, kCalls));
}

TEST(ReportReasoningTest, BadShapesAreRefusedNamingTheFieldAndTheFix) {
  struct Case {
    const char* what;
    std::function<void(Json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"not an array", [](Json& r) { r["hypotheses"] = "operation"; },
       "hypotheses: must be an array of {rank, category, statement, likelihood"},
      {"an item not an object", [](Json& r) { r["hypotheses"][1] = 3; },
       "hypotheses[1]: must be an object"},
      {"ranks out of order", [](Json& r) { r["hypotheses"][1]["rank"] = 3; },
       "hypotheses[1].rank: must be 2 (ranks run 1, 2, ... in the order given); got 3"},
      {"a rank that is not a number", [](Json& r) { r["hypotheses"][0]["rank"] = "first"; },
       "hypotheses[0].rank: required integer (1 here"},
      {"likelihood rising down the list",
       [](Json& r) { r["hypotheses"][1]["likelihood"] = 0.9; },
       "hypotheses[1].likelihood: 0.900000 is higher than the hypothesis ranked above it"},
      {"likelihood out of range", [](Json& r) { r["hypotheses"][0]["likelihood"] = 1.4; },
       "hypotheses[0].likelihood: must be between 0.0 and 1.0"},
      {"an unknown category", [](Json& r) { r["hypotheses"][1]["category"] = "gremlins"; },
       "hypotheses[1].category: must be one of disk_capacity"},
      {"the top hypothesis is not the report's category",
       [](Json& r) {
         std::swap(r["hypotheses"][0]["category"], r["hypotheses"][1]["category"]);
       },
       "hypotheses[0].category: the most likely hypothesis must be the report's "
       "root_cause_category (operation_induced); got node_failure"},
      {"an empty statement", [](Json& r) { r["hypotheses"][0]["statement"] = ""; },
       "hypotheses[0].statement: required non-empty string"},
      {"evidence that is not a list",
       [](Json& r) { r["hypotheses"][0]["evidence_for"] = "call_4"; },
       "hypotheses[0].evidence_for: must be an array of {tool_call_id, tool, finding}"},
      {"evidence citing a call that was never made",
       [](Json& r) { r["hypotheses"][1]["evidence_against"][0]["tool_call_id"] = "call_99"; },
       "hypotheses[1].evidence_against[0].tool_call_id: 'call_99' is not a tool call of this "
       "investigation"},
      {"evidence without its finding",
       [](Json& r) { r["hypotheses"][0]["evidence_for"][0].erase("finding"); },
       "hypotheses[0].evidence_for[0].finding: required"},
      {"too many hypotheses",
       [](Json& r) {
         for (int extra = 0; extra < 8; ++extra) r["hypotheses"].push_back(r["hypotheses"][1]);
       },
       "hypotheses: at most 8; got 10"},
      {"ruled_out not a list", [](Json& r) { r["ruled_out"] = Json::object(); },
       "ruled_out: must be an array of {category, why, evidence}"},
      {"ruling out the report's own category",
       [](Json& r) { r["ruled_out"][1]["category"] = "operation_induced"; },
       "ruled_out[1].category: operation_induced is the report's own root_cause_category"},
      {"a ruled-out cause without why", [](Json& r) { r["ruled_out"][0].erase("why"); },
       "ruled_out[0].why: required non-empty string"},
      {"a ruled-out cause without a category", [](Json& r) { r["ruled_out"][0].erase("category"); },
       "ruled_out[0].category: required, one of disk_capacity"},
      {"a ruled-out cause citing a call never made",
       [](Json& r) { r["ruled_out"][0]["evidence"][0]["tool_call_id"] = "toolu_fake"; },
       "ruled_out[0].evidence[0].tool_call_id: 'toolu_fake' is not a tool call"},
      {"missing evidence not a list", [](Json& r) { r["missing_evidence"] = "the lake"; },
       "missing_evidence: must be an array of strings"},
      {"missing evidence holding a number", [](Json& r) { r["missing_evidence"][0] = 5; },
       "missing_evidence[0]: must be a non-empty string"},
  };
  for (const Case& c : cases) {
    Json input = WithReasoning();
    c.edit(input);
    const std::string message = Problems(input);
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.what << ":\n" << message;
  }
}

TEST(ReportReasoningTest, MarkdownShowsTheHypothesesRuledOutAndGaps) {
  auto report = ParseReport(WithReasoning(), kCalls);
  ASSERT_TRUE(report);
  ReportContext context;
  context.cluster_id = "c-1";
  const std::string md = RenderMarkdown(*report, context);
  EXPECT_NE(md.find("## Hypotheses\n\n1. **operation_induced** (80%): the failed UPGRADE"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("2. **node_failure** (15%)"), std::string::npos) << md;
  EXPECT_NE(md.find("*Against:* the crashes start right after the upgrade (`call_4`)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Ruled out\n\n- **alert_noise**: the alert carries SIGSEGV crash text"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Missing evidence\n\n- search_knowledge_lake (call_5) failed"),
            std::string::npos)
      << md;
}

// The schema the model reads offers the same fields, optional, with the vocabulary's
// categories.
TEST(ReportReasoningTest, SchemaOffersTheReasoningFieldsOptionally) {
  auto text = prompts::LoadPrompt("report_schema.json");
  ASSERT_TRUE(text) << text.error().ToString();
  const Json schema = Json::parse(*text);
  const Json& properties = schema["properties"];
  const std::vector<std::string> required = schema["required"];
  for (const char* field : {"hypotheses", "ruled_out", "missing_evidence"}) {
    ASSERT_TRUE(properties.contains(field)) << field;
    EXPECT_EQ(std::find(required.begin(), required.end(), field), required.end()) << field;
  }
  const Json& hypothesis = properties["hypotheses"]["items"];
  EXPECT_EQ(hypothesis["properties"]["category"]["enum"],
            properties["root_cause_category"]["enum"]);
  EXPECT_EQ(properties["ruled_out"]["items"]["properties"]["category"]["enum"],
            properties["root_cause_category"]["enum"]);
  EXPECT_EQ(properties["hypotheses"]["maxItems"], kMaxHypotheses);
  EXPECT_EQ(properties["ruled_out"]["maxItems"], kMaxRuledOut);
  EXPECT_EQ(properties["missing_evidence"]["maxItems"], kMaxMissingEvidence);
  const std::string description = properties["root_cause_category"]["description"];
  EXPECT_NE(description.find("node_failure covers the loss, crash loop or flapping of any node: "
                             "FE (leader, follower, observer), BE or CN"),
            std::string::npos);
  EXPECT_NE(description.find("healthy: nothing is wrong now"), std::string::npos);
}

// The Claude loop's citation rules apply to the reasoning too: the hypotheses' evidence for and
// against and the ruled-out causes' evidence must cite calls the model read, with their tool.
TEST(ReportReasoningTest, ReasoningCitationsFollowTheLoopsRules) {
  using State = CitableCall::State;
  std::vector<CitableCall> calls = {{"call_2", "query_cluster_alerts", State::kSeen},
                                    {"call_4", "query_cluster_operations", State::kSeen}};
  auto accepted = ParseReportCiting(WithReasoning(), calls);
  EXPECT_TRUE(accepted) << accepted.error().ToString();
  calls[0].state = State::kUnseen;
  Json input = WithReasoning();
  input["ruled_out"][0]["evidence"][0]["tool"] = "query_cluster_metrics";
  auto refused = ParseReportCiting(input, calls);
  ASSERT_FALSE(refused);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("hypotheses[1].evidence_for[0].tool_call_id: 'call_2' was called in "
                         "this same message"), std::string::npos) << message;
  EXPECT_NE(message.find("ruled_out[0].evidence[0].tool: 'query_cluster_metrics' but call_2 was "
                         "a call of query_cluster_alerts"), std::string::npos) << message;
}

}  // namespace
}  // namespace rh::agent
