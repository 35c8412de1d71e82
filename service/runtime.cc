#include "service/runtime.h"

#include <filesystem>

#include "agent/anthropic_client.h"
#include "agent/claude_engine.h"
#include "agent/follow_up.h"
#include "agent/investigator.h"
#include "agent/openai_client.h"
#include "agent/playbook_engine.h"
#include "agent/tool_executor.h"
#include "core/log.h"
#include "knowledge/embedder.h"
#include "knowledge/knowledge_lake.h"
#include "service/internal/overview_cache.h"
#include "service/progress_hub.h"
#include "store/schema.h"
#include "tools/investigation_tools.h"

namespace rh::service {

struct Runtime::Engines {
  // Declared first so it outlives the engines that hand it their tool calls.
  std::unique_ptr<agent::ToolExecutor> executor;
  std::unique_ptr<agent::LlmClient> llm;        // null without the provider's API key
  std::unique_ptr<agent::ClaudeEngine> claude;  // null without an API key
  std::unique_ptr<agent::FollowUpEngine> follow_up;  // null without an API key
  std::unique_ptr<agent::PlaybookEngine> playbook;
  std::unique_ptr<agent::Investigator> investigator;
};

namespace {

// With creation off, a SQLite file may only be created inside a directory that exists (the
// data directory): a mistyped --data-dir fails here with the path and what to do.
Status CheckDirectoryExists(const std::string& path, const char* what) {
  // mysql:// URLs, ":memory:" and file: URIs name no directory of ours
  if (path.starts_with("mysql://") || path == ":memory:" || path.starts_with("file:")) return {};
  std::string file = path.starts_with("sqlite:") ? path.substr(7) : path;
  std::filesystem::path parent = std::filesystem::path(file).parent_path();
  if (parent.empty()) return {};
  std::error_code ec;
  if (std::filesystem::is_directory(parent, ec)) return {};
  return NotFound(parent.string(),
                  std::string("the data directory does not exist (needed for ") + what +
                      "); check --data-dir / data_dir, or create it with `rockhound demo` or "
                      "`rockhound fleet generate`");
}

Result<std::unique_ptr<store::Database>> OpenAndMigrate(const std::string& url,
                                                        const std::string& password, int pool_size,
                                                        store::SchemaSet schema,
                                                        const char* what, bool create_file,
                                                        bool create_directory) {
  if (!create_directory) RH_RETURN_IF_ERROR(CheckDirectoryExists(url, what));
  store::OpenOptions options;
  options.password = password;
  options.pool_size = pool_size;
  options.create_if_missing = create_file;
  auto db = store::OpenDatabase(url, options);
  if (!db) return Fail(db.error().WithContext(what));
  auto migrated = store::Migrate(**db, schema);
  if (!migrated) return Fail(migrated.error().WithContext(what));
  return std::move(*db);
}

Result<std::unique_ptr<knowledge::KnowledgeLake>> OpenLake(const Config& config, Clock& clock) {
  knowledge::EmbedderConfig embedder_config;
  embedder_config.kind = config.knowledge.embedder;
  embedder_config.url = config.knowledge.embedder_url;
  embedder_config.model = config.knowledge.embedder_model;
  embedder_config.api_key = config.secrets.embedder_api_key;
  embedder_config.batch = config.knowledge.embedder_batch;
  RH_ASSIGN_OR_RETURN(auto embedder, knowledge::MakeEmbedder(embedder_config, clock));
  knowledge::LakeOptions options;
  options.db_path = config.KnowledgeDb();
  options.index_path = config.KnowledgeIndexPath();
  options.approximate_above = config.knowledge.approximate_above;
  const std::string& fusion = config.knowledge.fusion;
  const double weight = config.knowledge.vector_weight;
  if (fusion != "auto" || weight >= 0) {
    knowledge::FusionSettings settings = embedder->DefaultFusion();
    if (fusion == "weighted" && settings.method != knowledge::FusionMethod::kWeighted) {
      settings = {knowledge::FusionMethod::kWeighted, 0.15, 60};
    } else if (fusion == "rrf" && settings.method != knowledge::FusionMethod::kRrf) {
      settings = {knowledge::FusionMethod::kRrf, 1.0, 60};
    }
    if (weight >= 0) settings.vector_weight = weight;
    options.fusion = settings;
  }
  auto lake = knowledge::KnowledgeLake::Open(options, std::move(embedder), clock);
  if (!lake) return Fail(lake.error().WithContext("knowledge lake"));
  return std::move(*lake);
}

}  // namespace

Runtime::Runtime(Config config, Clock& clock, MetricsRegistry& metrics)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(metrics),
      overview_cache_(std::make_unique<OverviewCache>()),
      progress_hub_(std::make_unique<ProgressHub>(clock)) {}

Runtime::~Runtime() {
  // Users of a database go before the database.
  engines_.reset();
  tools_.reset();
  lake_.reset();
  memory_.reset();
  fleet_.reset();
}

Result<store::Database*> Runtime::Fleet() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fleet_) {
    RH_ASSIGN_OR_RETURN(fleet_, OpenAndMigrate(config_.FleetDb(), config_.secrets.fleet_db_password,
                                               config_.fleet.pool_size, store::SchemaSet::kFleet,
                                               "fleet.db", may_create_, may_create_));
  }
  return fleet_.get();
}

Result<store::Database*> Runtime::Memory() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!memory_) {
    RH_ASSIGN_OR_RETURN(memory_,
                        OpenAndMigrate(config_.MemoryDb(), config_.secrets.memory_db_password,
                                       config_.memory.pool_size, store::SchemaSet::kMemory,
                                       "memory.db", /*create_file=*/true, may_create_));
  }
  return memory_.get();
}

Result<knowledge::KnowledgeLake*> Runtime::Knowledge() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!lake_) {
    if (!may_create_) RH_RETURN_IF_ERROR(CheckDirectoryExists(config_.KnowledgeDb(), "knowledge.db"));
    RH_ASSIGN_OR_RETURN(lake_, OpenLake(config_, clock_));
  }
  return lake_.get();
}

Status Runtime::RefreshKnowledge() {
  RH_ASSIGN_OR_RETURN(knowledge::KnowledgeLake * lake, Knowledge());
  RH_RETURN_IF_ERROR(lake->Refresh());
  return {};
}

Result<const tools::ToolRegistry*> Runtime::Tools(bool knowledge_required) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, Fleet());
  RH_ASSIGN_OR_RETURN(store::Database * memory, Memory());
  knowledge::KnowledgeLake* lake = nullptr;
  if (auto opened = Knowledge()) {
    lake = *opened;
  } else if (knowledge_required) {
    return Fail(opened.error());
  } else {
    Logger("service")->warn("knowledge lake unavailable, search answers with an error: {}",
                            opened.error().ToString());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!tools_) {
    RH_ASSIGN_OR_RETURN(tools::ToolRegistry registry,
                        tools::BuildInvestigationTools(
                            ToolEnvironmentFor(config_, clock_, fleet, memory, lake)));
    tools_ = std::make_unique<tools::ToolRegistry>(std::move(registry));
  }
  return tools_.get();
}

Result<tools::ToolRegistry> Runtime::NewToolRegistry(knowledge::KnowledgeSearch* knowledge) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, Fleet());
  RH_ASSIGN_OR_RETURN(store::Database * memory, Memory());
  return tools::BuildInvestigationTools(
      ToolEnvironmentFor(config_, clock_, fleet, memory, knowledge));
}

tools::ToolEnvironment ToolEnvironmentFor(const Config& config, Clock& clock,
                                          store::Database* fleet, store::Database* memory,
                                          knowledge::KnowledgeSearch* knowledge) {
  tools::ToolEnvironment env;
  env.fleet = fleet;
  env.memory = memory;
  env.knowledge = knowledge;
  env.clock = &clock;
  env.config = config.tools;
  env.fleet_url = config.FleetDb();
  env.fleet_password = config.secrets.fleet_db_password;
  env.prompts_dir = config.agent.prompts_dir;
  return env;
}

Result<agent::Investigator*> Runtime::Investigator() {
  RH_ASSIGN_OR_RETURN(const tools::ToolRegistry* tools, Tools());
  RH_ASSIGN_OR_RETURN(store::Database * fleet, Fleet());
  RH_ASSIGN_OR_RETURN(store::Database * memory, Memory());
  std::lock_guard<std::mutex> lock(mutex_);
  if (!engines_) {
    auto engines = std::make_unique<Engines>();
    engines->executor = std::make_unique<agent::ToolExecutor>(config_.agent.tool_concurrency);
    // agent.provider picks the model API the tool-use loop speaks (anthropic, openai, or Claude
    // through bedrock/vertex: AnthropicClientOptions::FromConfig); ModelApiReady says whether
    // it has the credentials it needs (a key, none for a local server or a signing proxy).
    const bool openai = config_.agent.provider == LlmProvider::kOpenAi;
    if (ModelApiReady(config_) && config_.agent.engine != EngineKind::kPlaybook) {
      if (openai) {
        RH_ASSIGN_OR_RETURN(engines->llm, agent::OpenAiClient::Create(
                                              agent::OpenAiClientOptions::FromConfig(config_),
                                              clock_));
      } else {
        RH_ASSIGN_OR_RETURN(engines->llm, agent::AnthropicClient::Create(
                                              agent::AnthropicClientOptions::FromConfig(config_),
                                              clock_));
      }
      RH_ASSIGN_OR_RETURN(engines->claude, agent::ClaudeEngine::Create(*engines->llm, *tools,
                                                                       *engines->executor, clock_,
                                                                       config_.agent));
      RH_ASSIGN_OR_RETURN(engines->follow_up,
                          agent::FollowUpEngine::Create(*engines->llm, *tools, *engines->executor,
                                                        clock_, config_.agent));
    }
    engines->playbook =
        std::make_unique<agent::PlaybookEngine>(*tools, *engines->executor, clock_);
    agent::InvestigatorDeps deps;
    deps.fleet = fleet;
    deps.memory = memory;
    deps.claude = engines->claude.get();
    deps.playbook = engines->playbook.get();
    deps.clock = &clock_;
    deps.config = config_.agent;
    engines->investigator = std::make_unique<agent::Investigator>(deps);
    engines_ = std::move(engines);
  }
  return engines_->investigator.get();
}

Result<Runtime::FollowUpParts> Runtime::FollowUpAnswerers() {
  RH_RETURN_IF_ERROR(Investigator());
  RH_ASSIGN_OR_RETURN(const tools::ToolRegistry* tools, Tools());
  std::lock_guard<std::mutex> lock(mutex_);
  if (!engines_) return Unavailable("follow-up", "the engines were closed; try again");
  return FollowUpParts{engines_->follow_up.get(), tools, engines_->executor.get()};
}

void Runtime::AddIssueListener(IssueListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mutex_);
  issue_listeners_.push_back(std::move(listener));
}

void Runtime::NotifyIssue(const issues::Issue& issue, std::string_view reason) {
  std::vector<IssueListener> listeners;
  {
    std::lock_guard<std::mutex> lock(listeners_mutex_);
    listeners = issue_listeners_;
  }
  for (const IssueListener& listener : listeners) listener(issue, reason);
}

void Runtime::CloseFleet() {
  std::lock_guard<std::mutex> lock(mutex_);
  engines_.reset();
  tools_.reset();
  fleet_.reset();
  overview_cache_->Replace(nullptr);
}

}  // namespace rh::service
