// The eval harness: runs every case (eval/eval_case.h) through one investigation engine k times
// and scores each run (eval/scoring.h). `rockhound eval` (app/cmd_eval.cc) and
// bench/agent/bench_agent_eval are its front ends; eval/README.md explains cases and engines.
//
// Per case: a fresh SQLite fleet database in the work directory with the case's slice, scored
// (eval/fleet_slice.h); per run a fresh agent memory (runs do not see each other's reports); the
// eight real tools over them and a Knowledge Lake with the starter knowledge (built once per
// harness); the real PlaybookEngine, ClaudeEngine and Investigator, all on a ManualClock at the
// case's `now`. The investigation request is the case's trigger (source sentinel with its rules,
// webhook with the alert's question, or adhoc with the engineer's question), so the trigger
// brief is built exactly as in production.
// The Claude engine talks to whatever LlmClient the ModelSessionFactory hands out for a run: the
// live API (`rockhound eval --engine claude`, ANTHROPIC_API_KEY) or a scripted
// Anthropic-compatible server replaying eval/scripted_model.h's conversation (CI; the factory
// lives with the test fakes).
// Thread-safety: one RunEval at a time per EvalHarness; cases run one after another.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/llm_client.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "eval/eval_case.h"
#include "eval/scoring.h"

namespace rh::eval {

// The model one Claude run talks to. Problems are what the far side found wrong with the
// conversation (a scripted server's refused requests); they are kept with the run's score.
class ModelSession {
 public:
  virtual ~ModelSession() = default;
  virtual agent::LlmClient& client() = 0;
  virtual std::vector<std::string> Problems() { return {}; }
};
using ModelSessionFactory =
    std::function<Result<std::unique_ptr<ModelSession>>(const EvalCase& eval_case, int run)>;

struct EvalOptions {
  EngineKind engine = EngineKind::kPlaybook;  // playbook | claude
  std::string label;             // shown as the engine ("scripted" for Claude on the server)
  int runs = 1;                  // k, 1..100
  std::string case_filter;       // run only the case with this id ("" = all)
  std::string work_dir;          // temporary files (required; emptied per case)
  AgentConfig agent;             // engine settings (model, budgets, prices)
  ModelSessionFactory sessions;  // required for the claude engine
  // Called after each run (progress on a terminal); may be empty.
  std::function<void(const RunScore&)> on_run;
};

// Runs `cases` (after the filter). invalid_argument for bad options or a filter that selects
// nothing; a case whose slice cannot be loaded, or a run that fails, is a failed run, not an
// error.
Result<EvalSummary> RunEval(const std::vector<EvalCase>& cases, const EvalOptions& options);

// The table people read: one line per case (expected and got category, severity, runs passed,
// failed checks with their first detail, tool calls, tokens, cost, latency), then the totals:
// pass@1, pass^k, the pass rate of every check, means.
std::string RenderTable(const EvalSummary& summary);
// The same as JSON: {engine, runs_per_case, cases: [...], totals: {...}}.
Json SummaryToJson(const EvalSummary& summary);

}  // namespace rh::eval
