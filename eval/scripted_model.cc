#include "eval/scripted_model.h"

#include <algorithm>
#include <map>

namespace rh::eval {
namespace {

Json ToolInput(const EvalCase& c, const std::string& tool) {
  if (tool == "search_knowledge_lake") return {{"query", c.title}};
  if (tool == "run_sql") {
    return {{"sql",
             "SELECT snapshot_hour, metric_name, avg_value FROM amv_hourly_snapshots_v1 "
             "WHERE cluster_id = '" +
                 c.trigger.cluster_id + "' ORDER BY snapshot_hour DESC LIMIT 20"}};
  }
  return {{"cluster_id", c.trigger.cluster_id}};
}

}  // namespace

Json ScriptedConversation(const EvalCase& c) {
  std::vector<std::string> tools = c.script.tools;
  for (const RequiredFact& fact : c.expect.facts) {
    if (std::find(tools.begin(), tools.end(), fact.tool) == tools.end()) {
      tools.push_back(fact.tool);
    }
  }
  std::map<std::string, std::string> call_of;  // tool -> its id
  Json calls = Json::array();
  calls.push_back({{"type", "text"},
                   {"text", "Starting with the cluster, its metrics, alerts and operations."}});
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string id = "toolu_eval_" + std::to_string(i + 1);
    call_of.emplace(tools[i], id);
    calls.push_back(
        {{"type", "tool_use"}, {"id", id}, {"name", tools[i]}, {"input", ToolInput(c, tools[i])}});
  }

  RootCause category = c.expect.category;
  if (c.script.fault == ScriptFault::kWrongCategory) category = c.expect.red_herrings.front();
  Json evidence = Json::array();
  auto cite = [&](const std::string& tool) {
    if (c.script.fault == ScriptFault::kFabricatedCitation) {
      return std::string("toolu_eval_fabricated");
    }
    auto it = call_of.find(tool);
    return it != call_of.end() ? it->second : call_of.begin()->second;
  };
  if (c.script.fault != ScriptFault::kMissingFact) {
    for (const RequiredFact& fact : c.expect.facts) {
      const bool invent = c.script.fault == ScriptFault::kUngroundedFact && evidence.empty();
      evidence.push_back({{"tool_call_id", cite(fact.tool)},
                          {"tool", fact.tool},
                          {"finding", invent ? c.script.claim : fact.says}});
    }
  }
  if (evidence.empty()) {
    const std::string tool = tools.front();
    evidence.push_back({{"tool_call_id", cite(tool)},
                        {"tool", tool},
                        {"finding", "Reviewed the output; nothing beyond what the summary says."}});
  }
  std::string root_cause = c.title;
  if (c.script.fault == ScriptFault::kForbiddenClaim) root_cause += " " + c.script.claim;
  const std::string severity =
      c.expect.severities.empty() ? "medium" : std::string(SeverityName(c.expect.severities[0]));
  Json recommendations = Json::array();
  if (severity != "info") {
    recommendations.push_back(
        {{"action", "Follow the " + std::string(RootCauseName(category)) + " runbook."},
         {"rationale", "The evidence above points there."}});
  }
  Json report = {
      {"severity", severity},     {"confidence", 0.8},
      {"root_cause", root_cause}, {"root_cause_category", std::string(RootCauseName(category))},
      {"evidence", evidence},     {"recommendations", recommendations},
      {"summary", c.title}};
  Json submit = {
      {"role", "assistant"},
      {"content",
       Json::array({{{"type", "tool_use"}, {"name", "submit_report"}, {"input", report}}})}};
  Json turns = Json::array();
  turns.push_back({{"label", "investigate"}, {"message", {{"content", calls}}}});
  turns.push_back({{"label", "submit report"}, {"message", {{"content", submit["content"]}}}});
  if (c.script.fault == ScriptFault::kFabricatedCitation) {
    turns.push_back(
        {{"label", "repair, fabricated again"}, {"message", {{"content", submit["content"]}}}});
  }
  return {{"name", "eval_" + c.id},
          {"description",
           "eval case " + c.id + " (fault: " + std::string(ScriptFaultName(c.script.fault)) + ")"},
          {"turns", turns}};
}

}  // namespace rh::eval
