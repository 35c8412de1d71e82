// `rockhound eval`: the eval harness (eval/README.md) on the playbook or on Claude (live, with
// ANTHROPIC_API_KEY; never in CI). Claude against the scripted server is bench_agent_eval, which
// links the test fakes. Prints the table (or JSON); exits non-zero when --min-pass is not met.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "agent/anthropic_client.h"
#include "agent/openai_client.h"
#include "app/app_context.h"
#include "core/json.h"
#include "eval/harness.h"

namespace rh::app {
namespace {

struct EvalArgs {
  std::string engine = "playbook";
  std::string cases_dir = "bench/agent/cases";
  int runs = 1;
  std::string format = "table";
  std::string case_id;
  double min_pass = 0.0;
};

// One live client shared by every run.
class LiveSession final : public eval::ModelSession {
 public:
  explicit LiveSession(agent::LlmClient& client) : client_(client) {}
  agent::LlmClient& client() override { return client_; }

 private:
  agent::LlmClient& client_;
};

Status RunEvalCommand(AppContext& ctx, const EvalArgs& args) {
  if (args.format != "table" && args.format != "json") {
    return InvalidArgument("--format", "table or json; got '" + args.format + "'");
  }
  if (args.min_pass < 0.0 || args.min_pass > 1.0) {
    return InvalidArgument("--min-pass", "a share 0..1, e.g. 0.8");
  }
  eval::EvalOptions options;
  options.runs = args.runs;
  options.case_filter = args.case_id;
  options.agent = ctx.config().agent;
  std::unique_ptr<agent::LlmClient> client;
  if (args.engine == "playbook") {
    options.engine = EngineKind::kPlaybook;
  } else if (args.engine == "claude") {
    // The model of agent.provider: Anthropic, an OpenAI-compatible server, or Claude through
    // Bedrock / Vertex AI (docs/gateways.md).
    if (!ModelApiReady(ctx.config())) {
      return InvalidArgument("--engine claude",
                             "needs the model API's credentials: ANTHROPIC_API_KEY in the "
                             "environment (or those of agent.provider; a live eval costs "
                             "money: see bench/agent/README.md)");
    }
    if (ctx.config().agent.provider == LlmProvider::kOpenAi) {
      RH_ASSIGN_OR_RETURN(client, agent::OpenAiClient::Create(
                                      agent::OpenAiClientOptions::FromConfig(ctx.config()),
                                      ctx.clock()));
    } else {
      RH_ASSIGN_OR_RETURN(client, agent::AnthropicClient::Create(
                                      agent::AnthropicClientOptions::FromConfig(ctx.config()),
                                      ctx.clock()));
    }
    options.engine = EngineKind::kClaude;
    agent::LlmClient* shared = client.get();
    options.sessions = [shared](const eval::EvalCase&,
                                int) -> Result<std::unique_ptr<eval::ModelSession>> {
      return std::make_unique<LiveSession>(*shared);
    };
  } else if (args.engine == "scripted") {
    return InvalidArgument("--engine scripted",
                           "the scripted server lives with the test fakes: run "
                           "build/bench/agent/bench_agent_eval --engine scripted");
  } else {
    return InvalidArgument("--engine", "playbook, claude or scripted; got '" + args.engine + "'");
  }
  RH_ASSIGN_OR_RETURN(std::vector<eval::EvalCase> cases, eval::LoadCases(args.cases_dir));
  options.work_dir =
      (std::filesystem::temp_directory_path() / ("rockhound-eval-" + std::to_string(::getpid())))
          .string();
  options.on_run = [](const eval::RunScore& run) {
    std::fprintf(stderr, "%-34s run %d %s\n", run.case_id.c_str(), run.run,
                 run.passed ? "pass" : "FAIL");
  };
  auto summary = eval::RunEval(cases, options);
  std::error_code ignored;
  std::filesystem::remove_all(options.work_dir, ignored);
  if (!summary) return Fail(summary.error());
  if (args.format == "json") {
    std::printf("%s\n", DumpJson(eval::SummaryToJson(*summary), 2).c_str());
  } else {
    std::printf("%s", eval::RenderTable(*summary).c_str());
  }
  if (summary->pass_at_1 + 1e-9 < args.min_pass) {
    return MakeError(ErrorCode::kConflict, "--min-pass",
                     "pass@1 " + std::to_string(summary->pass_at_1) + " is below " +
                         std::to_string(args.min_pass));
  }
  return {};
}

}  // namespace

void RegisterEvalCommands(CLI::App& app, Action* chosen) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Run the eval harness: labelled cases through an engine, scored (pass@1, pass^k)");
  cmd->add_option("--engine", args->engine, "playbook (default) | claude (live, costs money)");
  cmd->add_option("--cases", args->cases_dir, "Directory of case files (bench/agent/cases)");
  cmd->add_option("--runs", args->runs, "Runs per case (k of pass^k), 1..100");
  cmd->add_option("--format", args->format, "table | json");
  cmd->add_option("--case", args->case_id, "Run only the case with this id");
  cmd->add_option("--min-pass", args->min_pass,
                  "Exit non-zero when pass@1 is below this share (0..1)");
  cmd->callback([chosen, args] {
    *chosen = [args](AppContext& ctx) -> Status { return RunEvalCommand(ctx, *args); };
  });
}

}  // namespace rh::app
