// bench_agent_overhead: what the Claude tool-use loop costs on our side, and how investigation
// throughput scales with workers when the model is the slow part.
//
//   bench_agent_overhead [--investigations 50] [--latency-ms 200] [--tasks 16]
//                        [--workers 1,2,4,8] [--clusters 60] [--days 14]
//
// Set-up (not timed): a simulated fleet (rh::simulator, seed 42) in a temporary SQLite file,
// scored once; the starter knowledge in a Knowledge Lake; an agent memory in SQLite; the eight
// real tools; the real AnthropicClient, ClaudeEngine and Investigator (the same wiring as
// `rockhound investigate`), talking over real HTTP to the scripted Anthropic-compatible server
// of the tests (tests/fakes/scripted_anthropic_server.h) replaying
// tests/agent/scenarios/investigation_disk_full.json for the fleet's disk_capacity incident
// cluster: 4 model turns, 8 tool calls (4 + 3 in parallel, then run_sql), a submitted report.
// One warm-up investigation runs against a validating server (headers, pairing, OpenAPI body);
// the timed runs use the server without validation, so its checks are not counted as ours.
//
// (0) Tokens: one investigation on a server that computes usage the way the API's prompt
// caching would (tests/fakes SimulatedUsage): per turn the uncached input, cache writes and
// reads, then the investigation's totals, its cost at agent.prices and the cache-read share of
// the input after the first turn (target >= 70 %).
// (1) Overhead: --investigations investigations in a row with zero model latency; per
// investigation it prints p50/p99/max of the wall time of Investigator::Run (tools, JSON,
// prompt building, report validation, Markdown, storage, and the HTTP round trips to the local
// server), the part spent inside LlmClient::CreateMessage (our request building and parsing,
// the HTTP transport, the loopback HTTP and the scripted server), and the rest. Target: < 100 ms.
// (2) Throughput: for each --workers count, --tasks queued investigations worked by a
// WorkerPool (each worker its own memory connection, as `rockhound run`) while the server waits
// --latency-ms before every model answer; prints investigations per minute, the speed-up over
// one worker and the efficiency against the ideal (workers x one investigation per 4 x latency).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agent/anthropic_client.h"
#include "agent/claude_engine.h"
#include "agent/investigator.h"
#include "agent/playbook_engine.h"
#include "agent/worker_pool.h"
#include "core/log.h"
#include "core/time_format.h"
#include "knowledge/knowledge_lake.h"
#include "knowledge/starter.h"
#include "sentinel/scorer.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "store/schema.h"
#include "store/task_queue.h"
#include "tests/fakes/scripted_anthropic_server.h"
#include "tools/investigation_tools.h"

namespace {

using rh::Json;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  int investigations = 50;
  int latency_ms = 200;
  int tasks = 16;
  std::vector<int> workers = {1, 2, 4, 8};
  int clusters = 60;
  int days = 14;
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_agent_overhead [--investigations 50] [--latency-ms 200] "
               "[--tasks 16] [--workers 1,2,4,8] [--clusters 60] [--days 14]\n");
  return 2;
}

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int arg_idx = 1; arg_idx + 1 < argc; arg_idx += 2) {
    const std::string_view arg = argv[arg_idx];
    const std::string value = argv[arg_idx + 1];
    if (arg == "--investigations") {
      args->investigations = std::atoi(value.c_str());
    } else if (arg == "--latency-ms") {
      args->latency_ms = std::atoi(value.c_str());
    } else if (arg == "--tasks") {
      args->tasks = std::atoi(value.c_str());
    } else if (arg == "--clusters") {
      args->clusters = std::atoi(value.c_str());
    } else if (arg == "--days") {
      args->days = std::atoi(value.c_str());
    } else if (arg == "--workers") {
      args->workers.clear();
      std::stringstream list(value);
      std::string item;
      while (std::getline(list, item, ',')) {
        if (!item.empty()) args->workers.push_back(std::atoi(item.c_str()));
      }
    } else {
      return false;
    }
  }
  if (argc % 2 == 0) return false;
  return args->investigations > 0 && args->latency_ms >= 0 && args->tasks > 0 &&
         !args->workers.empty() && args->clusters > 0 && args->days >= 8 &&
         std::all_of(args->workers.begin(), args->workers.end(), [](int w) { return w > 0; });
}

double Millis(SteadyClock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(fraction * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

// Forwards to the real client and adds up the wall time spent inside it (per thread of use;
// the overhead part is single-threaded).
class TimedLlmClient final : public rh::agent::LlmClient {
 public:
  explicit TimedLlmClient(rh::agent::LlmClient& inner) : inner_(inner) {}
  rh::Result<rh::agent::LlmResponse> CreateMessage(const rh::agent::LlmRequest& request) override {
    const auto started = SteadyClock::now();
    auto response = inner_.CreateMessage(request);
    const double elapsed = Millis(SteadyClock::now() - started);
    std::lock_guard<std::mutex> lock(mutex_);
    spent_ms_ += elapsed;
    return response;
  }
  double TakeSpentMs() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(spent_ms_, 0.0);
  }

 private:
  rh::agent::LlmClient& inner_;
  std::mutex mutex_;
  double spent_ms_ = 0.0;
};

rh::Result<rh::testing::AnthropicScenario> LoadScenario(const std::string& cluster_id,
                                                        std::chrono::milliseconds delay) {
  const std::string path =
      std::string(RH_SOURCE_DIR) + "/tests/agent/scenarios/investigation_disk_full.json";
  RH_ASSIGN_OR_RETURN(rh::testing::AnthropicScenario scenario,
                      rh::testing::AnthropicScenario::Load(path, {{"cluster_id", cluster_id}}));
  for (auto& turn : scenario.turns) turn.delay = delay;
  return scenario;
}

// Problems the scripted server saw (refused requests, unmet expectations); empty when none.
std::string Problems(rh::testing::ScriptedAnthropicServer& server) {
  std::string text;
  for (const std::string& problem : server.TakeProblems()) text += "\n  " + problem;
  return text;
}

struct Stack {
  std::unique_ptr<rh::store::Database> fleet;
  std::unique_ptr<rh::store::Database> memory;
  std::string memory_path;
  std::unique_ptr<rh::knowledge::KnowledgeLake> lake;
  std::unique_ptr<rh::tools::ToolRegistry> tools;
  std::unique_ptr<rh::agent::ToolExecutor> tool_executor;  // shared by the engines
  std::unique_ptr<rh::agent::PlaybookEngine> playbook;
  std::string cluster_id;
};

rh::Result<Stack> BuildStack(const Args& args, const std::filesystem::path& dir,
                             rh::Clock& clock) {
  Stack stack;
  const std::string fleet_path = (dir / "fleet.db").string();
  RH_ASSIGN_OR_RETURN(stack.fleet, rh::store::OpenDatabase(fleet_path));
  rh::simulator::FleetParams params;
  params.clusters = args.clusters;
  params.days = args.days;
  params.seed = 42;
  params.end_hour = rh::MakeUtcTime(2026, 3, 10, 12);
  RH_RETURN_IF_ERROR(rh::simulator::GenerateFleet(*stack.fleet, params));
  rh::sentinel::HealthScorer scorer(*stack.fleet, clock, rh::SentinelConfig{});
  RH_RETURN_IF_ERROR(scorer.ScoreFleet());
  RH_ASSIGN_OR_RETURN(auto truth, rh::simulator::ReadGroundTruth(*stack.fleet));
  for (const auto& row : truth) {
    if (row.category == rh::RootCause::kDiskCapacity) {
      stack.cluster_id = row.cluster_id;
      break;
    }
  }
  if (stack.cluster_id.empty()) return rh::NotFound("fleet", "no disk_capacity incident");

  stack.memory_path = (dir / "memory.db").string();
  RH_ASSIGN_OR_RETURN(stack.memory, rh::store::OpenDatabase(stack.memory_path));
  RH_RETURN_IF_ERROR(rh::store::Migrate(*stack.memory, rh::store::SchemaSet::kMemory));

  RH_ASSIGN_OR_RETURN(auto embedder,
                      rh::knowledge::MakeEmbedder(rh::knowledge::EmbedderConfig{}, clock));
  rh::knowledge::LakeOptions lake_options;
  lake_options.db_path = (dir / "lake.db").string();
  lake_options.index_path = (dir / "lake.faiss").string();
  RH_ASSIGN_OR_RETURN(stack.lake,
                      rh::knowledge::KnowledgeLake::Open(lake_options, std::move(embedder), clock));
  RH_RETURN_IF_ERROR(rh::knowledge::IngestStarterKnowledge(*stack.lake));

  rh::tools::ToolEnvironment env;
  env.fleet = stack.fleet.get();
  env.memory = stack.memory.get();
  env.knowledge = stack.lake.get();
  env.clock = &clock;
  env.fleet_url = fleet_path;
  RH_ASSIGN_OR_RETURN(rh::tools::ToolRegistry registry, rh::tools::BuildInvestigationTools(env));
  stack.tools = std::make_unique<rh::tools::ToolRegistry>(std::move(registry));
  stack.tool_executor =
      std::make_unique<rh::agent::ToolExecutor>(rh::AgentConfig{}.tool_concurrency);
  stack.playbook =
      std::make_unique<rh::agent::PlaybookEngine>(*stack.tools, *stack.tool_executor, clock);
  return stack;
}

// One AnthropicClient + ClaudeEngine + Investigator against `server`.
struct ClaudeStack {
  std::unique_ptr<rh::agent::AnthropicClient> client;
  std::unique_ptr<TimedLlmClient> timed;
  std::unique_ptr<rh::agent::ClaudeEngine> claude;
  std::unique_ptr<rh::agent::Investigator> investigator;
};

rh::Result<ClaudeStack> BuildClaude(Stack& stack, rh::testing::ScriptedAnthropicServer& server,
                                    rh::Clock& clock) {
  ClaudeStack out;
  rh::agent::AnthropicClientOptions options;
  options.base_url = server.base_url();
  options.api_key = "test-key";
  options.request_timeout = std::chrono::seconds(30);
  RH_ASSIGN_OR_RETURN(out.client, rh::agent::AnthropicClient::Create(options, clock));
  out.timed = std::make_unique<TimedLlmClient>(*out.client);
  rh::AgentConfig config;
  RH_ASSIGN_OR_RETURN(out.claude,
                      rh::agent::ClaudeEngine::Create(*out.timed, *stack.tools,
                                                      *stack.tool_executor, clock, config));
  rh::agent::InvestigatorDeps deps;
  deps.fleet = stack.fleet.get();
  deps.memory = stack.memory.get();
  deps.claude = out.claude.get();
  deps.playbook = stack.playbook.get();
  deps.clock = &clock;
  deps.config = config;
  out.investigator = std::make_unique<rh::agent::Investigator>(deps);
  return out;
}

rh::Status CheckClaudeReport(const rh::Result<rh::agent::InvestigationResult>& result) {
  if (!result) return rh::Fail(result.error());
  if (result->stored.engine != rh::EngineKind::kClaude) {
    return rh::Internal("bench", "the investigation fell back to the playbook: " +
                                     result->stored.llm_error);
  }
  return {};
}

int Run(const Args& args) {
  rh::ConfigureLogging(spdlog::level::warn, rh::LogFormat::kText);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("rockhound-bench-agent-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto cleanup = [&] { std::filesystem::remove_all(dir); };

  rh::ManualClock clock(rh::MakeUtcTime(2026, 3, 10, 12) + std::chrono::minutes(5));
  const auto setup_started = SteadyClock::now();
  auto stack = BuildStack(args, dir, clock);
  if (!stack) {
    std::fprintf(stderr, "error: %s\n", stack.error().ToString().c_str());
    cleanup();
    return 1;
  }
  std::fprintf(stderr, "set-up: %d clusters x %d days, knowledge lake, in %.1f s; cluster %s\n",
               args.clusters, args.days, Millis(SteadyClock::now() - setup_started) / 1000.0,
               stack->cluster_id.c_str());

  // Warm-up against a validating server: the conversation is one the API would accept.
  {
    auto scenario = LoadScenario(stack->cluster_id, std::chrono::milliseconds(0));
    if (!scenario) {
      std::fprintf(stderr, "error: %s\n", scenario.error().ToString().c_str());
      cleanup();
      return 1;
    }
    rh::testing::ScriptedAnthropicServer server(*scenario);
    auto claude = BuildClaude(*stack, server, clock);
    rh::Status checked = claude ? CheckClaudeReport(claude->investigator->Run(
                                      {"", stack->cluster_id, ""}, rh::EngineKind::kClaude))
                                : rh::Status(rh::Fail(claude.error()));
    const std::string problems = Problems(server);
    if (!checked || !problems.empty()) {
      std::fprintf(stderr, "error: warm-up investigation: %s%s\n",
                   checked ? "" : checked.error().ToString().c_str(), problems.c_str());
      cleanup();
      return 1;
    }
    std::fprintf(stderr, "warm-up investigation accepted by the validating server (%s)\n",
                 server.openapi_validation() ? "headers, pairing, OpenAPI body"
                                             : "headers, pairing; no openapi.json found");
  }

  std::printf("bench_agent_overhead: Claude tool-use loop, scenario investigation_disk_full "
              "(4 model turns, 8 tool calls, report stored), cluster %s of a %d-cluster fleet\n",
              stack->cluster_id.c_str(), args.clusters);

  // (0) Tokens and cost: the recorded conversation served with the prompt caching the API does
  // (the server's SimulatedUsage on every request: tools, system and the newest message carry
  // breakpoints; a later request reads the longest cached prefix).
  {
    auto scenario = LoadScenario(stack->cluster_id, std::chrono::milliseconds(0));
    rh::testing::ScriptedAnthropicServer::Options options;
    options.simulate_usage = true;
    rh::testing::ScriptedAnthropicServer server(*scenario, options);
    auto claude = BuildClaude(*stack, server, clock);
    if (!claude) {
      std::fprintf(stderr, "error: %s\n", claude.error().ToString().c_str());
      cleanup();
      return 1;
    }
    auto result = claude->investigator->Run({"", stack->cluster_id, ""}, rh::EngineKind::kClaude);
    if (rh::Status checked = CheckClaudeReport(result); !checked) {
      std::fprintf(stderr, "error: tokens run: %s\n", checked.error().ToString().c_str());
      cleanup();
      return 1;
    }
    std::printf("\n== (0) tokens per investigation, prompt caching simulated as the API does "
                "it ==\n");
    std::printf("%5s %10s %12s %11s %10s %12s\n", "turn", "input", "cache write", "cache read",
                "prompt", "read share");
    std::set<size_t> cache;
    long long later_read = 0, later_prompt = 0;
    int turn = 0;
    for (const auto& request : server.requests()) {
      const auto tokens = rh::testing::SimulatedUsage(request.body, &cache);
      const long long prompt = tokens.input + tokens.cache_write + tokens.cache_read;
      ++turn;
      if (turn > 1) {
        later_read += tokens.cache_read;
        later_prompt += prompt;
      }
      std::printf("%5d %10lld %12lld %11lld %10lld %11.1f%%\n", turn, tokens.input,
                  tokens.cache_write, tokens.cache_read, prompt,
                  prompt > 0 ? 100.0 * tokens.cache_read / prompt : 0.0);
    }
    const auto& stored = result->stored;
    const long long all_input =
        stored.input_tokens + stored.cache_write_tokens + stored.cache_read_tokens;
    std::printf("investigation: %lld input tokens (%lld uncached, %lld cache write, %lld cache "
                "read = %.1f%%), %lld output tokens, $%.4f at %s prices\n",
                all_input, stored.input_tokens, stored.cache_write_tokens,
                stored.cache_read_tokens,
                all_input > 0 ? 100.0 * stored.cache_read_tokens / all_input : 0.0,
                stored.output_tokens, stored.cost_usd, stored.model.c_str());
    const double later_share = later_prompt > 0 ? 100.0 * later_read / later_prompt : 0.0;
    std::printf("cache reads after the first turn: %.1f%% of input tokens (target >= 70%%): %s\n",
                later_share, later_share >= 70.0 ? "met" : "NOT met");
  }

  // (1) Overhead with zero model latency.
  {
    auto scenario = LoadScenario(stack->cluster_id, std::chrono::milliseconds(0));
    rh::testing::ScriptedAnthropicServer::Options options;
    options.per_conversation = true;
    options.validate_requests = false;
    options.validate_openapi = false;
    rh::testing::ScriptedAnthropicServer server(*scenario, options);
    auto claude = BuildClaude(*stack, server, clock);
    if (!claude) {
      std::fprintf(stderr, "error: %s\n", claude.error().ToString().c_str());
      cleanup();
      return 1;
    }
    std::vector<double> total_ms, model_ms, ours_ms;
    for (int run_idx = 0; run_idx < args.investigations; ++run_idx) {
      claude->timed->TakeSpentMs();
      const auto started = SteadyClock::now();
      auto result = claude->investigator->Run({"", stack->cluster_id, ""}, rh::EngineKind::kClaude);
      const double total = Millis(SteadyClock::now() - started);
      const double model = claude->timed->TakeSpentMs();
      if (rh::Status checked = CheckClaudeReport(result); !checked) {
        std::fprintf(stderr, "error: investigation %d: %s\n", run_idx,
                     checked.error().ToString().c_str());
        cleanup();
        return 1;
      }
      total_ms.push_back(total);
      model_ms.push_back(model);
      ours_ms.push_back(total - model);
    }
    std::printf("\n== (1) per investigation, zero model latency, %d investigations ==\n",
                args.investigations);
    std::printf("%-58s %8s %8s %8s\n", "", "p50 ms", "p99 ms", "max ms");
    auto row = [](const char* label, const std::vector<double>& values) {
      std::printf("%-58s %8.1f %8.1f %8.1f\n", label, Percentile(values, 0.5),
                  Percentile(values, 0.99), *std::max_element(values.begin(), values.end()));
    };
    row("Investigator::Run wall time (everything)", total_ms);
    row("  inside LlmClient (4 calls: JSON, transport, loopback, server)", model_ms);
    row("  Rockhound outside the model calls (tools, loop, store)", ours_ms);
    const double p99 = Percentile(total_ms, 0.99);
    std::printf("target < 100 ms per investigation: %s (p99 %.1f ms, everything included)\n",
                p99 < 100.0 ? "met" : "NOT met", p99);
    const std::string problems = Problems(server);
    if (!problems.empty()) std::fprintf(stderr, "server problems:%s\n", problems.c_str());
  }

  // (2) Throughput with simulated model latency.
  {
    auto scenario = LoadScenario(stack->cluster_id, std::chrono::milliseconds(args.latency_ms));
    rh::testing::ScriptedAnthropicServer::Options options;
    options.per_conversation = true;
    options.validate_requests = false;
    options.validate_openapi = false;
    options.threads = 4 * *std::max_element(args.workers.begin(), args.workers.end()) + 4;
    rh::testing::ScriptedAnthropicServer server(*scenario, options);
    auto claude = BuildClaude(*stack, server, clock);
    if (!claude) {
      std::fprintf(stderr, "error: %s\n", claude.error().ToString().c_str());
      cleanup();
      return 1;
    }
    const int turns = static_cast<int>(scenario->turns.size());
    const double ideal_per_worker = 60000.0 / (turns * args.latency_ms);
    std::printf("\n== (2) throughput, %d ms model latency per turn (%d turns), %d queued "
                "investigations per run ==\n",
                args.latency_ms, turns, args.tasks);
    std::printf("%7s %9s %14s %9s %11s\n", "workers", "seconds", "investig./min", "speed-up",
                "efficiency");
    double single = 0.0;
    rh::store::TaskQueue queue(*stack->memory, clock, rh::QueueConfig{});
    for (int workers : args.workers) {
      for (int task_idx = 0; task_idx < args.tasks; ++task_idx) {
        rh::store::EnqueueRequest request;
        request.cluster_id = stack->cluster_id;
        request.question = "throughput run with " + std::to_string(workers) + " workers, task " +
                           std::to_string(task_idx);
        request.requester = "bench";
        auto enqueued = queue.Enqueue(request);
        if (!enqueued) {
          std::fprintf(stderr, "error: %s\n", enqueued.error().ToString().c_str());
          cleanup();
          return 1;
        }
      }
      rh::agent::WorkerPoolOptions pool_options;
      pool_options.workers = workers;
      pool_options.engine = rh::EngineKind::kClaude;
      pool_options.owner_prefix = "bench:" + std::to_string(::getpid());
      const std::string memory_path = stack->memory_path;
      rh::agent::WorkerPool pool(
          *claude->investigator,
          [memory_path] { return rh::store::OpenDatabase(memory_path); }, clock, pool_options);
      std::atomic<int> fallbacks{0};
      pool.set_on_task_finished([&](const std::string&, const rh::Result<std::string>& report) {
        if (!report) ++fallbacks;
      });
      const auto started = SteadyClock::now();
      auto stats = pool.RunUntilIdle();
      const double seconds = Millis(SteadyClock::now() - started) / 1000.0;
      if (!stats || stats->completed != args.tasks || fallbacks.load() > 0) {
        std::fprintf(stderr, "error: %d workers: %s\n", workers,
                     stats ? ("completed " + std::to_string(stats->completed) + " of " +
                              std::to_string(args.tasks)).c_str()
                           : stats.error().ToString().c_str());
        cleanup();
        return 1;
      }
      const double per_minute = 60.0 * args.tasks / seconds;
      if (single == 0.0) single = per_minute / workers;
      const double speedup = per_minute / single;
      std::printf("%7d %9.2f %14.1f %8.2fx %10.0f%%\n", workers, seconds, per_minute, speedup,
                  100.0 * per_minute / (workers * ideal_per_worker));
    }
    auto fell_back = stack->memory->QueryInt(
        "SELECT COUNT(*) FROM investigation_reports WHERE engine <> 'claude'");
    std::printf("ideal: %.1f investigations/min per worker (every turn waits %d ms); reports not "
                "written by Claude: %lld\n",
                ideal_per_worker, args.latency_ms,
                static_cast<long long>(fell_back ? *fell_back : -1));
    const std::string problems = Problems(server);
    if (!problems.empty()) std::fprintf(stderr, "server problems:%s\n", problems.c_str());
  }
  cleanup();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return Usage();
  try {
    return Run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
