// Scoring of one eval run, deterministic: the stored report and its transcript against the
// case's answer key (eval/eval_case.h). The checks (CheckNames order):
//   engine     the requested engine wrote the report (a Claude run that fell back to the
//              playbook fails, with the LLM error as detail)
//   category   the report's category is the expected one (or an also_accept one); blaming a
//              red herring is named as such
//   severity   one of the acceptable severities (any when the key lists none)
//   facts      every required fact matches the finding of an evidence item (the report's
//              evidence or a hypothesis' evidence for) whose citation is valid
//   forbidden  no forbidden claim in the root cause, summary, the rank-1 hypothesis or any
//              evidence finding
//   citations  every evidence item anywhere in the report (evidence, hypotheses, ruled out)
//              cites a call of the transcript that succeeded and ran the named tool (a failed
//              call may be cited only by an insufficient_data report, as the gap)
// A run passes when every check passes. pass@1 is the mean over cases of the share of runs
// passed; pass^k the share of cases whose k runs all passed.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/engine_kind.h"
#include "core/root_cause.h"
#include "core/severity.h"
#include "eval/eval_case.h"
#include "store/report_store.h"

namespace rh::eval {

struct CheckResult {
  std::string name;  // one of CheckNames()
  bool passed = false;
  std::string detail;  // why it failed ("" when it passed)
};

struct RunScore {
  std::string case_id;
  int run = 1;
  bool passed = false;
  std::string error;                          // the run produced no report (then every check fails)
  EngineKind engine = EngineKind::kPlaybook;  // the engine that wrote the report
  std::string llm_error;
  RootCause category = RootCause::kInsufficientData;
  Severity severity = Severity::kInfo;
  double confidence = 0.0;
  std::vector<CheckResult> checks;
  int tool_calls = 0;
  int failed_tool_calls = 0;
  long long input_tokens = 0;
  long long output_tokens = 0;
  long long cache_read_tokens = 0;
  long long cache_write_tokens = 0;
  double cost_usd = 0.0;
  long long latency_ms = 0;
  std::vector<std::string> problems;  // e.g. what the scripted server refused

  const CheckResult* Check(std::string_view name) const;
};

// Scores `report` (as stored, with report_json and transcript_json) for `eval_case`.
RunScore ScoreReport(const EvalCase& eval_case, const store::StoredReport& report,
                     EngineKind requested);
// A run that produced no report: every check failed with `error`.
RunScore FailedRun(const EvalCase& eval_case, const std::string& error);

struct CaseSummary {
  std::string case_id;
  RootCause expected = RootCause::kHealthy;
  std::vector<RunScore> runs;
  int passed_runs = 0;
  double pass_at_1 = 0.0;  // passed_runs / runs
  bool pass_all = false;   // every run passed (pass^k)
};

struct EvalSummary {
  std::string engine;  // "playbook", "claude", "scripted"
  int runs_per_case = 1;
  std::vector<CaseSummary> cases;
  double pass_at_1 = 0.0;
  double pass_all_k = 0.0;                                       // pass^k
  std::vector<std::pair<std::string, double>> check_pass_rates;  // CheckNames order, over runs
  double mean_tool_calls = 0.0;
  double mean_input_tokens = 0.0;  // the whole prompt: uncached + cache read + cache write
  double mean_output_tokens = 0.0;
  double total_cost_usd = 0.0;
  long long latency_p50_ms = 0;
  long long latency_max_ms = 0;
};

EvalSummary Summarize(std::string engine, int runs_per_case, std::vector<CaseSummary> cases);

}  // namespace rh::eval
