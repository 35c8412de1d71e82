#include "eval/harness.h"

#include <cstdio>
#include <filesystem>

#include "agent/claude_engine.h"
#include "agent/investigator.h"
#include "agent/playbook_engine.h"
#include "agent/tool_executor.h"
#include "eval/fleet_slice.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace rh::eval {
namespace {

namespace fs = std::filesystem;

agent::InvestigationRequest RequestFor(const EvalCase& c) {
  agent::InvestigationRequest request;
  request.cluster_id = c.trigger.cluster_id;
  request.question = c.trigger.question;
  switch (c.trigger.kind) {
    case TriggerKind::kSentinel:
      request.source = "sentinel";
      request.rules_fired = c.trigger.rules;
      break;
    case TriggerKind::kAlert:
      request.source = "webhook";
      break;
    case TriggerKind::kQuestion:
      request.source = "adhoc";
      break;
  }
  return request;
}

// One run of one case on a loaded fleet.
RunScore RunOnce(const EvalCase& c, int run, const EvalOptions& options, store::Database& fleet,
                 const std::string& fleet_path, knowledge::KnowledgeLake* lake,
                 const std::string& dir) {
  ManualClock clock(SliceEndHour(c) + std::chrono::minutes(5));
  const std::string memory_path = dir + "/memory-" + std::to_string(run) + ".db";
  auto memory = store::OpenDatabase(memory_path);
  if (!memory) return FailedRun(c, "memory: " + memory.error().ToString());
  if (auto migrated = store::Migrate(**memory, store::SchemaSet::kMemory); !migrated) {
    return FailedRun(c, "memory: " + migrated.error().ToString());
  }
  tools::ToolEnvironment env;
  env.fleet = &fleet;
  env.memory = memory->get();
  env.knowledge = lake;
  env.clock = &clock;
  env.fleet_url = fleet_path;
  auto registry = tools::BuildInvestigationTools(env);
  if (!registry) return FailedRun(c, "tools: " + registry.error().ToString());
  agent::ToolExecutor executor(options.agent.tool_concurrency);
  agent::PlaybookEngine playbook(*registry, executor, clock);

  std::unique_ptr<ModelSession> session;
  std::unique_ptr<agent::ClaudeEngine> claude;
  if (options.engine == EngineKind::kClaude) {
    auto opened = options.sessions(c, run);
    if (!opened) return FailedRun(c, "model: " + opened.error().ToString());
    session = std::move(*opened);
    auto created =
        agent::ClaudeEngine::Create(session->client(), *registry, executor, clock, options.agent);
    if (!created) return FailedRun(c, "claude engine: " + created.error().ToString());
    claude = std::move(*created);
  }
  agent::InvestigatorDeps deps;
  deps.fleet = &fleet;
  deps.memory = memory->get();
  deps.claude = claude.get();
  deps.playbook = &playbook;
  deps.clock = &clock;
  deps.config = options.agent;
  agent::Investigator investigator(deps);
  Stopwatch stopwatch;
  auto result = investigator.Run(RequestFor(c), options.engine);
  const auto latency_ms = static_cast<long long>(stopwatch.ElapsedMillis());
  RunScore score = result ? ScoreReport(c, result->stored, options.engine)
                          : FailedRun(c, "investigation: " + result.error().ToString());
  score.run = run;
  score.latency_ms = latency_ms;
  if (session) score.problems = session->Problems();
  return score;
}

Result<std::unique_ptr<knowledge::KnowledgeLake>> OpenLake(const std::string& dir, Clock& clock) {
  RH_ASSIGN_OR_RETURN(auto embedder, knowledge::MakeEmbedder(knowledge::EmbedderConfig{}, clock));
  knowledge::LakeOptions lake_options;
  lake_options.db_path = dir + "/lake.db";
  lake_options.index_path = dir + "/lake.faiss";
  RH_ASSIGN_OR_RETURN(auto lake,
                      knowledge::KnowledgeLake::Open(lake_options, std::move(embedder), clock));
  RH_RETURN_IF_ERROR(knowledge::IngestStarterKnowledge(*lake));
  return lake;
}

std::string Percent(double share) {
  char text[16];
  std::snprintf(text, sizeof(text), "%.1f%%", share * 100.0);
  return text;
}

}  // namespace

Result<EvalSummary> RunEval(const std::vector<EvalCase>& cases, const EvalOptions& options) {
  if (options.runs < 1 || options.runs > 100) {
    return InvalidArgument("--runs", "must be 1..100; got " + std::to_string(options.runs));
  }
  if (options.engine != EngineKind::kPlaybook && options.engine != EngineKind::kClaude) {
    return InvalidArgument("--engine", "the harness runs playbook or claude");
  }
  if (options.engine == EngineKind::kClaude && !options.sessions) {
    return InvalidArgument("--engine",
                           "claude needs a model (ANTHROPIC_API_KEY, or the scripted "
                           "server of bench_agent_eval)");
  }
  if (options.work_dir.empty()) return InvalidArgument("eval", "no work directory");
  std::vector<const EvalCase*> selected;
  for (const EvalCase& c : cases) {
    if (options.case_filter.empty() || c.id == options.case_filter) selected.push_back(&c);
  }
  if (selected.empty()) {
    return NotFound("--case", "no case has the id '" + options.case_filter + "'");
  }
  std::error_code ignored;
  fs::create_directories(options.work_dir, ignored);
  ManualClock lake_clock(selected.front()->now);
  RH_ASSIGN_OR_RETURN(auto lake, OpenLake(options.work_dir, lake_clock));

  std::vector<CaseSummary> summaries;
  for (const EvalCase* c : selected) {
    CaseSummary summary;
    summary.case_id = c->id;
    summary.expected = c->expect.category;
    const std::string dir = options.work_dir + "/" + c->id;
    fs::remove_all(dir, ignored);
    fs::create_directories(dir, ignored);
    const std::string fleet_path = dir + "/fleet.db";
    auto fleet = store::OpenDatabase(fleet_path);
    Status loaded = fleet ? LoadFleetSlice(**fleet, *c) : Status(Fail(fleet.error()));
    for (int run = 1; run <= options.runs; ++run) {
      RunScore score = loaded ? RunOnce(*c, run, options, **fleet, fleet_path, lake.get(), dir)
                              : FailedRun(*c, "fleet slice: " + loaded.error().ToString());
      score.run = run;
      if (options.on_run) options.on_run(score);
      summary.runs.push_back(std::move(score));
    }
    if (fleet) fleet->reset();
    fs::remove_all(dir, ignored);
    summaries.push_back(std::move(summary));
  }
  return Summarize(
      options.label.empty() ? std::string(EngineKindName(options.engine)) : options.label,
      options.runs, std::move(summaries));
}

std::string RenderTable(const EvalSummary& s) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-34s %-18s %-18s %-8s %5s %5s %8s %8s %8s  %s\n", "case",
                "expected", "got", "severity", "pass", "tools", "prompt", "cost$", "ms",
                "failed checks");
  out += line;
  for (const CaseSummary& c : s.cases) {
    const RunScore& first = c.runs.front();
    std::string failed;
    for (const RunScore& run : c.runs) {
      for (const CheckResult& check : run.checks) {
        if (check.passed || failed.find(check.name) != std::string::npos) continue;
        failed += (failed.empty() ? "" : "; ") + check.name + ": " + check.detail;
      }
    }
    if (failed.size() > 140) failed = failed.substr(0, 137) + "...";
    std::snprintf(
        line, sizeof(line), "%-34s %-18s %-18s %-8s %2d/%-2d %5d %8lld %8.4f %8lld  %s\n",
        c.case_id.c_str(), std::string(RootCauseName(c.expected)).c_str(),
        first.error.empty() ? std::string(RootCauseName(first.category)).c_str() : "(no report)",
        std::string(SeverityName(first.severity)).c_str(), c.passed_runs,
        static_cast<int>(c.runs.size()), first.tool_calls,
        first.input_tokens + first.cache_read_tokens + first.cache_write_tokens, first.cost_usd,
        first.latency_ms, failed.c_str());
    out += line;
  }
  std::snprintf(line, sizeof(line), "\nengine %s, %zu cases x %d runs: pass@1 %s, pass^%d %s\n",
                s.engine.c_str(), s.cases.size(), s.runs_per_case, Percent(s.pass_at_1).c_str(),
                s.runs_per_case, Percent(s.pass_all_k).c_str());
  out += line;
  out += "checks passed:";
  for (const auto& [name, rate] : s.check_pass_rates) out += " " + name + " " + Percent(rate);
  std::snprintf(line, sizeof(line),
                "\nper run: %.1f tool calls, %.0f prompt tokens, %.0f output tokens; total cost "
                "$%.4f; latency p50 %lld ms, max %lld ms\n",
                s.mean_tool_calls, s.mean_input_tokens, s.mean_output_tokens, s.total_cost_usd,
                s.latency_p50_ms, s.latency_max_ms);
  out += line;
  return out;
}

Json SummaryToJson(const EvalSummary& s) {
  Json cases = Json::array();
  for (const CaseSummary& c : s.cases) {
    Json runs = Json::array();
    for (const RunScore& run : c.runs) {
      Json checks = Json::object();
      for (const CheckResult& check : run.checks) {
        checks[check.name] = {{"passed", check.passed}, {"detail", check.detail}};
      }
      Json item = {{"run", run.run},
                   {"passed", run.passed},
                   {"engine", std::string(EngineKindName(run.engine))},
                   {"category", std::string(RootCauseName(run.category))},
                   {"severity", std::string(SeverityName(run.severity))},
                   {"confidence", run.confidence},
                   {"checks", checks},
                   {"tool_calls", run.tool_calls},
                   {"failed_tool_calls", run.failed_tool_calls},
                   {"input_tokens", run.input_tokens},
                   {"cache_read_tokens", run.cache_read_tokens},
                   {"cache_write_tokens", run.cache_write_tokens},
                   {"output_tokens", run.output_tokens},
                   {"cost_usd", run.cost_usd},
                   {"latency_ms", run.latency_ms}};
      if (!run.error.empty()) item["error"] = run.error;
      if (!run.llm_error.empty()) item["llm_error"] = run.llm_error;
      if (!run.problems.empty()) item["problems"] = run.problems;
      runs.push_back(std::move(item));
    }
    cases.push_back({{"id", c.case_id},
                     {"expected", std::string(RootCauseName(c.expected))},
                     {"passed_runs", c.passed_runs},
                     {"pass_at_1", c.pass_at_1},
                     {"pass_all", c.pass_all},
                     {"runs", runs}});
  }
  Json checks = Json::object();
  for (const auto& [name, rate] : s.check_pass_rates) checks[name] = rate;
  return {{"engine", s.engine},
          {"runs_per_case", s.runs_per_case},
          {"cases", cases},
          {"totals",
           {{"cases", s.cases.size()},
            {"pass_at_1", s.pass_at_1},
            {"pass_all_k", s.pass_all_k},
            {"check_pass_rates", checks},
            {"mean_tool_calls", s.mean_tool_calls},
            {"mean_input_tokens", s.mean_input_tokens},
            {"mean_output_tokens", s.mean_output_tokens},
            {"total_cost_usd", s.total_cost_usd},
            {"latency_p50_ms", s.latency_p50_ms},
            {"latency_max_ms", s.latency_max_ms}}}};
}

}  // namespace rh::eval
