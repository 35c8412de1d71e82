#include "eval/scoring.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>

#include "agent/report.h"

namespace rh::eval {
namespace {

struct CallInfo {
  std::string tool;
  bool is_error = false;
  std::vector<double> numbers;  // every number in its output
};

bool IsDigit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }

// Exactly three digits at `at` (what follows a thousands separator).
bool ThousandsGroupAt(const std::string& text, size_t at) {
  return at + 3 <= text.size() && IsDigit(text[at]) && IsDigit(text[at + 1]) &&
         IsDigit(text[at + 2]) && (at + 3 == text.size() || !IsDigit(text[at + 3]));
}

// The numbers written in `text`: "93", "0.42", "22,000" (a thousands separator); not the digits
// of a name such as "p99", and a version such as "3.3.21" counts once (as 3.3).
std::vector<double> NumbersIn(const std::string& text) {
  std::vector<double> numbers;
  size_t i = 0;
  while (i < text.size()) {
    const bool starts =
        IsDigit(text[i]) && (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                                         text[i - 1] == '_' || text[i - 1] == '.'));
    if (!starts) {
      ++i;
      continue;
    }
    std::string digits;
    size_t j = i;
    bool dot = false;
    while (j < text.size()) {
      const char ch = text[j];
      if (IsDigit(ch)) {
        digits += ch;
      } else if (ch == ',' && !dot && ThousandsGroupAt(text, j + 1)) {
        // 22,000: skip the separator
      } else if (ch == '.' && !dot && j + 1 < text.size() && IsDigit(text[j + 1])) {
        dot = true;
        digits += ch;
      } else {
        break;
      }
      ++j;
    }
    numbers.push_back(std::strtod(digits.c_str(), nullptr));
    while (j < text.size() && (IsDigit(text[j]) || text[j] == '.')) {
      ++j;  // the rest of a version string
    }
    i = j;
  }
  return numbers;
}

// Whether `value` is one of `shown`, allowing the rounding of a human summary (2 %, or 0.5).
bool Shown(double value, const std::vector<double>& shown) {
  for (double candidate : shown) {
    if (std::abs(candidate - value) <= std::max(0.5, 0.02 * std::abs(candidate))) return true;
  }
  return false;
}

bool Matches(const std::string& pattern, const std::string& text, std::string* matched = nullptr) {
  try {
    std::smatch match;
    if (!std::regex_search(text, match,
                           std::regex(pattern, std::regex::ECMAScript | std::regex::icase))) {
      return false;
    }
    if (matched) *matched = match.str(0);
    return true;
  } catch (const std::regex_error&) {
    return false;  // ParseCase refuses bad patterns
  }
}

std::string Clip(std::string text, size_t max = 160) {
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

// Why `item` is not a valid citation ("" when it is).
std::string CitationProblem(const agent::Evidence& item,
                            const std::map<std::string, CallInfo>& calls, bool insufficient) {
  auto it = calls.find(item.tool_call_id);
  if (it == calls.end()) return "cites '" + item.tool_call_id + "', a call that was never made";
  if (it->second.tool != item.tool) {
    return "cites '" + item.tool_call_id + "' as " + item.tool + " but it ran " + it->second.tool;
  }
  if (it->second.is_error && !insufficient) {
    return "cites '" + item.tool_call_id + "', a call that failed";
  }
  return "";
}

}  // namespace

const CheckResult* RunScore::Check(std::string_view name) const {
  for (const CheckResult& check : checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

RunScore FailedRun(const EvalCase& eval_case, const std::string& error) {
  RunScore score;
  score.case_id = eval_case.id;
  score.error = error;
  for (const std::string& name : CheckNames()) score.checks.push_back({name, false, error});
  return score;
}

RunScore ScoreReport(const EvalCase& c, const store::StoredReport& stored, EngineKind requested) {
  RunScore score;
  score.case_id = c.id;
  score.engine = stored.engine;
  score.llm_error = stored.llm_error;
  score.input_tokens = stored.input_tokens;
  score.output_tokens = stored.output_tokens;
  score.cache_read_tokens = stored.cache_read_tokens;
  score.cache_write_tokens = stored.cache_write_tokens;
  score.cost_usd = stored.cost_usd;
  score.latency_ms = stored.duration_ms;

  auto report_json = ParseJson(stored.report_json, "report");
  if (!report_json) return FailedRun(c, "stored report is not JSON");
  for (const char* extra : {"trigger", "timed_out"}) report_json->erase(extra);
  auto parsed = agent::ParseReport(*report_json);
  if (!parsed) return FailedRun(c, "stored report does not parse: " + parsed.error().message);
  const agent::Report& report = *parsed;
  score.category = report.root_cause_category;
  score.severity = report.severity;
  score.confidence = report.confidence;

  std::map<std::string, CallInfo> calls;
  auto transcript =
      ParseJson(stored.transcript_json.empty() ? "[]" : stored.transcript_json, "transcript");
  if (transcript && transcript->is_array()) {
    for (const Json& call : *transcript) {
      CallInfo info{JsonString(call, "tool"), call.value("is_error", false),
                    NumbersIn(JsonString(call, "output"))};
      ++score.tool_calls;
      if (info.is_error) ++score.failed_tool_calls;
      calls[JsonString(call, "id")] = std::move(info);
    }
  }
  const bool insufficient = report.root_cause_category == RootCause::kInsufficientData;

  // engine
  CheckResult engine{"engine", stored.engine == requested, ""};
  if (!engine.passed) {
    engine.detail = "written by " + std::string(EngineKindName(stored.engine)) +
                    (stored.llm_error.empty() ? "" : ": " + Clip(stored.llm_error));
  }
  score.checks.push_back(engine);

  // category
  const Expectation& key = c.expect;
  CheckResult category{"category",
                       report.root_cause_category == key.category ||
                           std::count(key.also_accept.begin(), key.also_accept.end(),
                                      report.root_cause_category) > 0,
                       ""};
  if (!category.passed) {
    const bool herring = std::count(key.red_herrings.begin(), key.red_herrings.end(),
                                    report.root_cause_category) > 0;
    category.detail = std::string(herring ? "blamed the red herring " : "got ") +
                      std::string(RootCauseName(report.root_cause_category)) + ", expected " +
                      std::string(RootCauseName(key.category));
  }
  score.checks.push_back(category);

  // severity
  CheckResult severity{
      "severity",
      key.severities.empty() ||
          std::count(key.severities.begin(), key.severities.end(), report.severity) > 0,
      ""};
  if (!severity.passed) {
    severity.detail = "got " + std::string(SeverityName(report.severity)) + ", accepted:";
    for (Severity s : key.severities) severity.detail += " " + std::string(SeverityName(s));
  }
  score.checks.push_back(severity);

  // Every evidence item of the report, and those that may carry a required fact.
  std::vector<const agent::Evidence*> all;
  std::vector<const agent::Evidence*> fact_bearing;
  for (const agent::Evidence& item : report.evidence) {
    all.push_back(&item);
    fact_bearing.push_back(&item);
  }
  for (const agent::Hypothesis& hypothesis : report.hypotheses) {
    for (const agent::Evidence& item : hypothesis.evidence_for) {
      all.push_back(&item);
      fact_bearing.push_back(&item);
    }
    for (const agent::Evidence& item : hypothesis.evidence_against) all.push_back(&item);
  }
  for (const agent::RuledOut& ruled : report.ruled_out) {
    for (const agent::Evidence& item : ruled.evidence) all.push_back(&item);
  }

  // facts
  CheckResult facts{"facts", true, ""};
  for (const RequiredFact& fact : key.facts) {
    bool found = false;
    std::string ungrounded;
    for (const agent::Evidence* item : fact_bearing) {
      std::string matched;
      if (!CitationProblem(*item, calls, insufficient).empty() ||
          !Matches(fact.pattern, item->finding, &matched)) {
        continue;
      }
      // The numbers the fact states must be in the output of the call it cites.
      const std::vector<double>& shown = calls.at(item->tool_call_id).numbers;
      for (double value : NumbersIn(matched)) {
        if (!Shown(value, shown)) {
          ungrounded =
              "'" + Clip(matched, 80) + "' but " + item->tool_call_id + " shows no such number";
          break;
        }
      }
      if (ungrounded.empty()) {
        found = true;
        break;
      }
    }
    if (!found) {
      facts.passed = false;
      facts.detail +=
          (facts.detail.empty() ? "" : ", ") +
          (ungrounded.empty() ? "missing /" + fact.pattern + "/" : "ungrounded " + ungrounded);
    }
  }
  score.checks.push_back(facts);

  // forbidden claims
  std::vector<std::string> claims = {report.root_cause, report.summary};
  for (const agent::Hypothesis& hypothesis : report.hypotheses) {
    if (hypothesis.rank == 1) claims.push_back(hypothesis.statement);
  }
  for (const agent::Evidence& item : report.evidence) claims.push_back(item.finding);
  CheckResult forbidden{"forbidden", true, ""};
  for (const std::string& pattern : key.forbidden) {
    for (const std::string& claim : claims) {
      if (Matches(pattern, claim)) {
        forbidden.passed = false;
        forbidden.detail = "claims /" + pattern + "/: \"" + Clip(claim) + "\"";
        break;
      }
    }
    if (!forbidden.passed) break;
  }
  score.checks.push_back(forbidden);

  // citations
  CheckResult citations{"citations", true, ""};
  int invalid = 0;
  for (const agent::Evidence* item : all) {
    std::string problem = CitationProblem(*item, calls, insufficient);
    if (problem.empty()) continue;
    citations.passed = false;
    if (invalid++ == 0) citations.detail = problem;
  }
  if (invalid > 1) citations.detail += " (and " + std::to_string(invalid - 1) + " more)";
  score.checks.push_back(citations);

  score.passed = std::all_of(score.checks.begin(), score.checks.end(),
                             [](const CheckResult& check) { return check.passed; });
  return score;
}

EvalSummary Summarize(std::string engine, int runs_per_case, std::vector<CaseSummary> cases) {
  EvalSummary summary;
  summary.engine = std::move(engine);
  summary.runs_per_case = runs_per_case;
  std::map<std::string, int> check_passed;
  int runs = 0;
  long long tool_calls = 0;
  long long input_tokens = 0;
  long long output_tokens = 0;
  std::vector<long long> latencies;
  for (CaseSummary& one : cases) {
    one.passed_runs = 0;
    for (const RunScore& run : one.runs) {
      ++runs;
      if (run.passed) ++one.passed_runs;
      for (const CheckResult& check : run.checks) check_passed[check.name] += check.passed;
      tool_calls += run.tool_calls;
      input_tokens += run.input_tokens + run.cache_read_tokens + run.cache_write_tokens;
      output_tokens += run.output_tokens;
      summary.total_cost_usd += run.cost_usd;
      latencies.push_back(run.latency_ms);
    }
    one.pass_at_1 = one.runs.empty() ? 0.0 : static_cast<double>(one.passed_runs) / one.runs.size();
    one.pass_all = !one.runs.empty() && one.passed_runs == static_cast<int>(one.runs.size());
    summary.pass_at_1 += one.pass_at_1;
    summary.pass_all_k += one.pass_all ? 1.0 : 0.0;
  }
  if (!cases.empty()) {
    summary.pass_at_1 /= cases.size();
    summary.pass_all_k /= cases.size();
  }
  for (const std::string& name : CheckNames()) {
    summary.check_pass_rates.emplace_back(
        name, runs == 0 ? 0.0 : static_cast<double>(check_passed[name]) / runs);
  }
  if (runs > 0) {
    summary.mean_tool_calls = static_cast<double>(tool_calls) / runs;
    summary.mean_input_tokens = static_cast<double>(input_tokens) / runs;
    summary.mean_output_tokens = static_cast<double>(output_tokens) / runs;
    std::sort(latencies.begin(), latencies.end());
    summary.latency_p50_ms = latencies[(latencies.size() - 1) / 2];
    summary.latency_max_ms = latencies.back();
  }
  summary.cases = std::move(cases);
  return summary;
}

}  // namespace rh::eval
