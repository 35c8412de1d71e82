// bench_agent_eval: the eval harness (eval/README.md) on the playbook, on the real Claude
// engine against the scripted Anthropic-compatible server of the tests, and on the same loop
// speaking Chat Completions (OpenAiClient) to the scripted OpenAI-compatible server, printing
// the table and then the JSON of each. `rockhound eval` runs the playbook and live Claude; this
// binary adds the scripted servers, which live with the test fakes.
//
//   bench_agent_eval [--engine playbook|scripted|openai-scripted|both|all] [--cases DIR]
//                    [--runs k] [--case ID] [--format table|json|both] [--min-pass SHARE]
//
// both = playbook and scripted; all = the three.
//
// Exit code 1 when an engine's pass@1 is below --min-pass (default 0), 2 on bad arguments.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/log.h"
#include "eval/harness.h"
#include "tests/fakes/scripted_eval_session.h"

namespace {

struct Args {
  std::string engine = "both";
  std::string cases = std::string(RH_SOURCE_DIR) + "/bench/agent/cases";
  int runs = 1;
  std::string case_id;
  std::string format = "both";
  double min_pass = 0.0;
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_agent_eval [--engine playbook|scripted|openai-scripted|both|all] "
               "[--cases DIR] "
               "[--runs k] [--case ID] [--format table|json|both] [--min-pass SHARE]\n");
  return 2;
}

// Runs one engine; false when its pass@1 is below the threshold or it could not run.
bool RunEngine(const std::vector<rh::eval::EvalCase>& cases, const Args& args,
               const std::string& engine) {
  rh::eval::EvalOptions options;
  options.runs = args.runs;
  options.case_filter = args.case_id;
  options.work_dir = (std::filesystem::temp_directory_path() /
                      ("rockhound-bench-eval-" + std::to_string(::getpid())))
                         .string();
  if (engine != "playbook") {
    options.engine = rh::EngineKind::kClaude;
    options.label = engine;
    options.sessions = engine == "scripted" ? rh::testing::ScriptedEvalSessions()
                                            : rh::testing::ScriptedOpenAiEvalSessions();
  }
  auto summary = rh::eval::RunEval(cases, options);
  std::error_code ignored;
  std::filesystem::remove_all(options.work_dir, ignored);
  if (!summary) {
    std::fprintf(stderr, "error: %s\n", summary.error().ToString().c_str());
    return false;
  }
  if (args.format != "json") std::printf("%s\n", rh::eval::RenderTable(*summary).c_str());
  if (args.format != "table") {
    std::printf("%s\n", rh::DumpJson(rh::eval::SummaryToJson(*summary), 2).c_str());
  }
  return summary->pass_at_1 + 1e-9 >= args.min_pass;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    if (flag == "--engine") {
      args.engine = value;
    } else if (flag == "--cases") {
      args.cases = value;
    } else if (flag == "--runs") {
      args.runs = std::atoi(value.c_str());
    } else if (flag == "--case") {
      args.case_id = value;
    } else if (flag == "--format") {
      args.format = value;
    } else if (flag == "--min-pass") {
      args.min_pass = std::atof(value.c_str());
    } else {
      return Usage();
    }
  }
  if (args.engine != "playbook" && args.engine != "scripted" &&
      args.engine != "openai-scripted" && args.engine != "both" && args.engine != "all") {
    return Usage();
  }
  if (args.format != "table" && args.format != "json" && args.format != "both") return Usage();
  rh::ConfigureLogging(spdlog::level::err, rh::LogFormat::kText);
  auto cases = rh::eval::LoadCases(args.cases);
  if (!cases) {
    std::fprintf(stderr, "error: %s\n", cases.error().ToString().c_str());
    return 2;
  }
  bool ok = true;
  auto wanted = [&](const std::string& engine) {
    if (args.engine == "all" || args.engine == engine) return true;
    return args.engine == "both" && engine != "openai-scripted";
  };
  for (const char* engine : {"playbook", "scripted", "openai-scripted"}) {
    if (wanted(engine)) ok = RunEngine(*cases, args, engine) && ok;
  }
  return ok ? 0 : 1;
}
