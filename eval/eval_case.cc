#include "eval/eval_case.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/time_format.h"
#include "sentinel/rules.h"

namespace rh::eval {
namespace {

constexpr size_t kMaxCaseBytes = 1 << 20;

const std::vector<std::string>& DefaultScriptTools() {
  static const std::vector<std::string> tools = {"query_cluster_info", "query_cluster_metrics",
                                                 "query_cluster_alerts",
                                                 "query_cluster_operations"};
  return tools;
}

class Problems {
 public:
  void Add(std::string problem) { lines_.push_back(std::move(problem)); }
  bool empty() const { return lines_.empty(); }
  std::string Text() const {
    std::string out;
    for (const std::string& line : lines_) out += (out.empty() ? "" : "\n") + line;
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

std::vector<std::string> StringList(const Json& object, const char* key, const std::string& where,
                                    Problems& problems) {
  std::vector<std::string> out;
  if (!object.contains(key)) return out;
  const Json& list = object[key];
  if (!list.is_array()) {
    problems.Add(where + "." + key + ": must be an array of strings");
    return out;
  }
  for (const Json& item : list) {
    if (!item.is_string()) {
      problems.Add(where + "." + key + ": must be an array of strings");
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<RootCause> CategoryList(const Json& object, const char* key, const std::string& where,
                                    Problems& problems) {
  std::vector<RootCause> out;
  for (const std::string& name : StringList(object, key, where, problems)) {
    auto cause = ParseRootCause(name);
    if (!cause) {
      problems.Add(where + "." + key + ": '" + name + "' is not a category (" +
                   std::string(RootCauseNames()) + ")");
      continue;
    }
    out.push_back(*cause);
  }
  return out;
}

bool ValidRegex(const std::string& pattern, std::string* why) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript | std::regex::icase);
    (void)compiled;
    return true;
  } catch (const std::regex_error& error) {
    *why = error.what();
    return false;
  }
}

bool RegexMatches(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
  } catch (const std::regex_error&) {
    return false;
  }
}

}  // namespace

std::string_view ScriptFaultName(ScriptFault fault) {
  switch (fault) {
    case ScriptFault::kNone:
      return "none";
    case ScriptFault::kFabricatedCitation:
      return "fabricated_citation";
    case ScriptFault::kForbiddenClaim:
      return "forbidden_claim";
    case ScriptFault::kMissingFact:
      return "missing_fact";
    case ScriptFault::kWrongCategory:
      return "wrong_category";
    case ScriptFault::kUngroundedFact:
      return "ungrounded_fact";
  }
  return "none";
}

const std::vector<std::string>& CheckNames() {
  static const std::vector<std::string> names = {"engine", "category",  "severity",
                                                 "facts",  "forbidden", "citations"};
  return names;
}

Result<EvalCase> ParseCase(const Json& json, const std::string& path) {
  if (!json.is_object()) return InvalidArgument(path, "a case is a JSON object");
  Problems problems;
  EvalCase out;
  out.path = path;
  out.id = JsonString(json, "id");
  static const std::regex kId("^[a-z0-9][a-z0-9-]{0,63}$");
  if (!std::regex_match(out.id, kId)) {
    problems.Add("id: 1 to 64 lower-case letters, digits and '-'; got '" + out.id + "'");
  }
  out.title = JsonString(json, "title");
  if (out.title.empty()) problems.Add("title: required (one line: what happens)");
  out.source = JsonString(json, "source");
  if (out.source.empty()) problems.Add("source: required (\"ops\", a StarRocks PR or doc)");
  auto now = ParseIsoTime(JsonString(json, "now"));
  if (!now) {
    problems.Add("now: an ISO-8601 UTC time such as 2026-03-10T12:05:00Z");
  } else {
    out.now = *now;
  }
  if (json.contains("days")) {
    if (!json["days"].is_number_integer() || json["days"].get<int>() < 8 ||
        json["days"].get<int>() > 30) {
      problems.Add("days: an integer 8..30 (the metrics tool compares with a week earlier)");
    } else {
      out.days = json["days"].get<int>();
    }
  }

  // The fleet: only what the trigger and the answer key need is checked here; the rest when it
  // is loaded (eval/fleet_slice.h).
  std::set<std::string> clusters;
  if (!json.contains("fleet") || !json["fleet"].is_object()) {
    problems.Add("fleet: required object {accounts, clusters, alerts, operations}");
  } else {
    out.fleet = json["fleet"];
    const Json& list = out.fleet.value("clusters", Json::array());
    if (!list.is_array() || list.empty()) problems.Add("fleet.clusters: at least one cluster");
    if (list.is_array()) {
      for (const Json& cluster : list) clusters.insert(JsonString(cluster, "id"));
    }
  }

  const Json trigger = json.value("trigger", Json());
  if (!trigger.is_object()) {
    problems.Add("trigger: required object {kind, cluster, question | rules}");
  } else {
    const std::string kind = JsonString(trigger, "kind");
    out.trigger.cluster_id = JsonString(trigger, "cluster");
    out.trigger.question = JsonString(trigger, "question");
    if (!clusters.count(out.trigger.cluster_id)) {
      problems.Add("trigger.cluster: '" + out.trigger.cluster_id + "' is not a fleet cluster");
    }
    if (kind == "sentinel") {
      out.trigger.kind = TriggerKind::kSentinel;
      out.trigger.rules = trigger.value("rules", Json());
      if (!out.trigger.rules.is_array() || out.trigger.rules.empty()) {
        problems.Add("trigger.rules: a sentinel trigger lists the rules that fired");
      }
      for (const Json& rule : out.trigger.rules.is_array() ? out.trigger.rules : Json::array()) {
        const std::string name = JsonString(rule, "rule");
        bool known = false;
        for (sentinel::RuleId id : sentinel::kRuleIds) {
          known = known || sentinel::RuleName(id) == name;
        }
        if (!known) problems.Add("trigger.rules: '" + name + "' is not a sentinel rule");
      }
    } else if (kind == "alert") {
      out.trigger.kind = TriggerKind::kAlert;
      if (out.trigger.question.empty()) problems.Add("trigger.question: what the alert asks");
    } else if (kind == "question") {
      out.trigger.kind = TriggerKind::kQuestion;
      if (out.trigger.question.empty()) problems.Add("trigger.question: the engineer's question");
    } else {
      problems.Add("trigger.kind: one of sentinel, alert, question; got '" + kind + "'");
    }
  }

  const Json expect = json.value("expect", Json());
  if (!expect.is_object()) {
    problems.Add("expect: required object {category, severities, facts, forbidden, red_herrings}");
  } else {
    auto category = ParseRootCause(JsonString(expect, "category"));
    if (!category) {
      problems.Add("expect.category: one of " + std::string(RootCauseNames()));
    } else {
      out.expect.category = *category;
    }
    out.expect.also_accept = CategoryList(expect, "also_accept", "expect", problems);
    out.expect.red_herrings = CategoryList(expect, "red_herrings", "expect", problems);
    for (RootCause herring : out.expect.red_herrings) {
      if (herring == out.expect.category) {
        problems.Add("expect.red_herrings: the expected category cannot be a red herring");
      }
    }
    for (const std::string& name : StringList(expect, "severities", "expect", problems)) {
      auto severity = ParseSeverity(name);
      if (!severity) {
        problems.Add("expect.severities: '" + name + "' is not one of " +
                     std::string(SeverityNames()));
      } else {
        out.expect.severities.push_back(*severity);
      }
    }
    const Json facts = expect.value("facts", Json::array());
    if (!facts.is_array()) problems.Add("expect.facts: an array of {pattern, says, tool}");
    for (size_t i = 0; facts.is_array() && i < facts.size(); ++i) {
      const std::string where = "expect.facts[" + std::to_string(i) + "]";
      RequiredFact fact{JsonString(facts[i], "pattern"), JsonString(facts[i], "says"),
                        JsonString(facts[i], "tool")};
      std::string why;
      if (fact.pattern.empty() || !ValidRegex(fact.pattern, &why)) {
        problems.Add(where + ".pattern: a valid regex is required " + why);
      } else if (!RegexMatches(fact.pattern, fact.says)) {
        problems.Add(where + ".says: '" + fact.says + "' does not match its own pattern");
      }
      if (fact.tool.empty()) problems.Add(where + ".tool: the tool whose output shows it");
      out.expect.facts.push_back(std::move(fact));
    }
    out.expect.forbidden = StringList(expect, "forbidden", "expect", problems);
    for (const std::string& pattern : out.expect.forbidden) {
      std::string why;
      if (!ValidRegex(pattern, &why)) problems.Add("expect.forbidden: bad regex " + why);
    }
  }

  const Json script = json.value("script", Json::object());
  out.script.tools = StringList(script, "tools", "script", problems);
  if (out.script.tools.empty()) out.script.tools = DefaultScriptTools();
  const std::string fault = JsonString(script, "fault", "none");
  bool known_fault = false;
  for (ScriptFault candidate :
       {ScriptFault::kNone, ScriptFault::kFabricatedCitation, ScriptFault::kForbiddenClaim,
        ScriptFault::kMissingFact, ScriptFault::kWrongCategory, ScriptFault::kUngroundedFact}) {
    if (ScriptFaultName(candidate) == fault) {
      out.script.fault = candidate;
      known_fault = true;
    }
  }
  if (!known_fault) problems.Add("script.fault: unknown fault '" + fault + "'");
  out.script.claim = JsonString(script, "claim");
  out.script.expect_failed = StringList(script, "expect_failed", "script", problems);
  for (const std::string& check : out.script.expect_failed) {
    if (std::find(CheckNames().begin(), CheckNames().end(), check) == CheckNames().end()) {
      problems.Add("script.expect_failed: unknown check '" + check + "'");
    }
  }
  if ((out.script.fault == ScriptFault::kNone) != out.script.expect_failed.empty()) {
    problems.Add(
        "script: a fault needs expect_failed (the checks it must fail), and only a "
        "fault may have them");
  }
  if (out.script.fault == ScriptFault::kForbiddenClaim) {
    bool forbidden = false;
    for (const std::string& pattern : out.expect.forbidden) {
      forbidden = forbidden || RegexMatches(pattern, out.script.claim);
    }
    if (!forbidden) problems.Add("script.claim: must match one of expect.forbidden");
  }
  if (out.script.fault == ScriptFault::kUngroundedFact &&
      (out.expect.facts.empty() || !RegexMatches(out.expect.facts[0].pattern, out.script.claim))) {
    problems.Add("script.claim: an ungrounded_fact claim must match the first fact's pattern");
  }
  if (out.script.fault == ScriptFault::kWrongCategory && out.expect.red_herrings.empty()) {
    problems.Add("script.fault wrong_category: needs a red herring to blame");
  }

  if (!problems.empty()) return InvalidArgument(path, problems.Text());
  return out;
}

Result<EvalCase> LoadCase(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path, "cannot read the case file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxCaseBytes) {
    return InvalidArgument(path, "a case file is at most 1 MiB");
  }
  RH_ASSIGN_OR_RETURN(Json json, ParseJson(text.str(), path));
  return ParseCase(json, path);
}

Result<std::vector<EvalCase>> LoadCases(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return NotFound(dir, "no such case directory (pass --cases DIR)");
  }
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path().string());
    }
  }
  std::vector<EvalCase> cases;
  std::string problems;
  for (const std::string& path : paths) {
    auto loaded = LoadCase(path);
    if (!loaded) {
      problems += (problems.empty() ? "" : "\n") + loaded.error().ToString();
      continue;
    }
    cases.push_back(std::move(*loaded));
  }
  if (!problems.empty()) return InvalidArgument(dir, "invalid cases:\n" + problems);
  std::sort(cases.begin(), cases.end(),
            [](const EvalCase& a, const EvalCase& b) { return a.id < b.id; });
  for (size_t i = 1; i < cases.size(); ++i) {
    if (cases[i].id == cases[i - 1].id) {
      return InvalidArgument(dir, "two cases have the id '" + cases[i].id +
                                      "': " + cases[i - 1].path + " and " + cases[i].path);
    }
  }
  if (cases.empty()) return NotFound(dir, "no *.json case files");
  return cases;
}

}  // namespace rh::eval
