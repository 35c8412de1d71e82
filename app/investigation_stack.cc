#include "app/investigation_stack.h"

#include "agent/anthropic_client.h"
#include "agent/worker_pool.h"
#include "app/cycle.h"
#include "app/serve.h"
#include "core/log.h"

namespace rh::app {

Result<std::unique_ptr<InvestigationStack>> BuildInvestigationStack(AppContext& ctx) {
  auto stack = std::make_unique<InvestigationStack>();
  const Config& config = ctx.config();
  RH_ASSIGN_OR_RETURN(store::Database * fleet, ctx.Fleet());
  RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
  RH_ASSIGN_OR_RETURN(stack->lake, OpenKnowledgeLake(ctx));

  tools::ToolEnvironment env;
  env.fleet = fleet;
  env.memory = memory;
  env.knowledge = stack->lake.get();
  env.clock = &ctx.clock();
  env.config = config.tools;
  env.fleet_url = config.FleetDb();
  env.fleet_password = config.secrets.fleet_db_password;
  env.prompts_dir = config.agent.prompts_dir;
  RH_ASSIGN_OR_RETURN(tools::ToolRegistry registry, tools::BuildInvestigationTools(env));
  stack->tools = std::make_unique<tools::ToolRegistry>(std::move(registry));

  stack->tool_executor = std::make_unique<agent::ToolExecutor>(config.agent.tool_concurrency);
  if (!config.secrets.anthropic_api_key.empty() && config.agent.engine != "playbook") {
    RH_ASSIGN_OR_RETURN(auto client,
                        agent::AnthropicClient::Create(agent::AnthropicClientOptions::FromConfig(config),
                                                       ctx.clock()));
    stack->llm = std::move(client);
    RH_ASSIGN_OR_RETURN(stack->claude,
                        agent::ClaudeEngine::Create(*stack->llm, *stack->tools,
                                                    *stack->tool_executor, ctx.clock(),
                                                    config.agent));
  }
  stack->playbook =
      std::make_unique<agent::PlaybookEngine>(*stack->tools, *stack->tool_executor, ctx.clock());

  agent::InvestigatorDeps deps;
  deps.fleet = fleet;
  deps.memory = memory;
  deps.claude = stack->claude.get();
  deps.playbook = stack->playbook.get();
  deps.clock = &ctx.clock();
  deps.config = config.agent;
  stack->investigator = std::make_unique<agent::Investigator>(deps);
  return stack;
}

namespace {

agent::MemoryOpener MemoryOpenerFor(AppContext& ctx) {
  const std::string url = ctx.config().MemoryDb();
  const std::string password = ctx.config().secrets.memory_db_password;
  return [url, password]() -> Result<std::unique_ptr<store::Database>> {
    store::OpenOptions options;
    options.password = password;
    return store::OpenDatabase(url, options);
  };
}

agent::WorkerPoolOptions PoolOptions(const Config& config) {
  agent::WorkerPoolOptions options;
  options.workers = config.agent.workers;
  options.queue = config.queue;
  return options;
}

}  // namespace

void WireInvestigations() {
  SetInvestigateStep([](AppContext& ctx, int max_investigations,
                        const std::atomic<bool>& stop) -> Result<InvestigateStats> {
    RH_ASSIGN_OR_RETURN(auto stack, BuildInvestigationStack(ctx));
    agent::WorkerPool pool(*stack->investigator, MemoryOpenerFor(ctx), ctx.clock(),
                           PoolOptions(ctx.config()));
    RH_ASSIGN_OR_RETURN(agent::WorkerPoolStats stats, pool.RunUntilIdle(&stop, max_investigations));
    return InvestigateStats{stats.completed, stats.failed, stats.released};
  });
  SetServeBackground([](AppContext& ctx, const agent::ReportListener& on_report,
                        const std::atomic<bool>& stop) -> Status {
    RH_ASSIGN_OR_RETURN(auto stack, BuildInvestigationStack(ctx));
    if (on_report) stack->investigator->AddListener(on_report);
    auto options = PoolOptions(ctx.config());
    options.poll_interval = std::chrono::seconds(1);
    agent::WorkerPool pool(*stack->investigator, MemoryOpenerFor(ctx), ctx.clock(), options);
    RH_RETURN_IF_ERROR(pool.Start());
    Logger("agent")->info("{} investigation worker(s) started", options.workers);
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pool.Stop();
    return {};
  });
}

}  // namespace rh::app
