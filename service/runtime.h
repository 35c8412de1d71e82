// Runtime: the long-lived state of one Rockhound process — the loaded Config, the Clock, the fleet
// and memory databases (each a connection pool), the Knowledge Lake, the eight investigation
// tools, the engines and the Investigator — opened once and kept for the life of the process.
// `rockhound run` and `serve` keep one Runtime across every cycle and request (the lake is
// refreshed each cycle, not reopened); a one-shot CLI command builds one and uses what it needs.
//
// Every piece opens on first use and stays open, so `reports list` never opens the lake and
// `investigate` never opens what it does not use. A piece that failed to open returns the same
// error on the next call (nothing half-built is kept) and is retried then.
// The use cases (service/cycle.h, investigations.h, reports.h, fleet_views.h, alert_intake.h)
// take a Runtime& and are what every front end calls: the CLI, the HTTP API and MCP only parse,
// call them and render.
// Thread-safety: every accessor is safe to call from several threads; the objects handed out are
// thread-safe themselves (pooled databases, the lake, the registry, the Investigator) and live as
// long as the Runtime.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/metrics.h"
#include "store/database.h"

namespace rh::knowledge {
class KnowledgeLake;
class KnowledgeSearch;
}  // namespace rh::knowledge
namespace rh::tools {
class ToolRegistry;
struct ToolEnvironment;
}  // namespace rh::tools
namespace rh::issues {
struct Issue;
}  // namespace rh::issues
namespace rh::agent {
class Investigator;
class FollowUpEngine;
class ToolExecutor;
}  // namespace rh::agent

namespace rh::service {

class OverviewCache;
class ProgressHub;

// Told about every issue the tracker opened or escalated (reason "new" | "escalated"): the
// notifier of `serve` listens. Called on the thread that ran the tracker; keep it cheap.
using IssueListener = std::function<void(const issues::Issue& issue, std::string_view reason)>;

class Runtime {
 public:
  // `clock` and `metrics` must outlive the Runtime. Nothing is opened yet.
  Runtime(Config config, Clock& clock, MetricsRegistry& metrics = GlobalMetrics());
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  Clock& clock() const { return clock_; }

  // Whether opening may create what is missing (the data directory, the SQLite files). On by
  // default; the CLI turns it off for the commands that only read (`reports list`, `tool run`,
  // `kb search`, ...) so that a mistyped --data-dir is an error naming the path, not a new empty
  // directory and "no reports match". Off: the fleet database must exist; the memory database
  // and the lake may be created, but only inside a data directory that exists. Call before the
  // first use.
  void set_may_create(bool may_create) { may_create_ = may_create; }
  MetricsRegistry& metrics() const { return metrics_; }

  // The fleet telemetry database, opened and migrated on first use.
  Result<store::Database*> Fleet();
  // The agent memory database (tasks, reports), opened and migrated on first use.
  Result<store::Database*> Memory();
  // The Knowledge Lake the config describes (embedder, paths, fusion), opened on first use.
  Result<knowledge::KnowledgeLake*> Knowledge();
  // Brings an open lake up to date with what other processes ingested; opens it if it is not
  // open yet. Called by every cycle instead of reopening the lake.
  Status RefreshKnowledge();
  // The eight investigation tools. With `knowledge_required` false a lake that cannot be opened
  // leaves search_knowledge_lake answering with an error (the MCP server's choice) instead of
  // failing; the first call decides.
  Result<const tools::ToolRegistry*> Tools(bool knowledge_required = true);
  // A new registry of the eight tools over this Runtime's databases and `knowledge` (may be
  // null: search_knowledge_lake then answers with an error) — for `tool run`, which opens the
  // lake only when the tool needs it.
  Result<tools::ToolRegistry> NewToolRegistry(knowledge::KnowledgeSearch* knowledge);
  // The Investigator over both engines (Claude when ANTHROPIC_API_KEY is set and agent.engine
  // allows it, the playbook always).
  Result<agent::Investigator*> Investigator();
  // What answers follow-up questions on a report (service/followups.h), built with the
  // Investigator and sharing its model client, tools and executor: `model` is null without an
  // LlmClient (no API key for agent.provider, or agent.engine playbook).
  struct FollowUpParts {
    agent::FollowUpEngine* model = nullptr;
    const tools::ToolRegistry* tools = nullptr;
    agent::ToolExecutor* executor = nullptr;
  };
  Result<FollowUpParts> FollowUpAnswerers();

  // Closes the fleet database and everything built on it (tools, engines, investigator) so the
  // file can be regenerated. Only while no other thread uses them (`fleet generate`, `demo
  // --fresh`).
  void CloseFleet();

  // The fleet overview's snapshot, shared by every FleetViews of this Runtime
  // (service/internal/overview_cache.h).
  OverviewCache& overview_cache() { return *overview_cache_; }

  // The live event streams of the investigations this process's workers run
  // (service/progress_hub.h): the workers publish, GET .../investigations/{id}/events reads.
  ProgressHub& progress_hub() { return *progress_hub_; }

  // Issue listeners (service/issues.h calls NotifyIssue for new and escalated issues).
  void AddIssueListener(IssueListener listener);
  void NotifyIssue(const issues::Issue& issue, std::string_view reason);

 private:
  struct Engines;

  Config config_;
  Clock& clock_;
  MetricsRegistry& metrics_;
  bool may_create_ = true;
  std::mutex mutex_;  // guards the lazy opening below (not the objects' use)
  std::unique_ptr<store::Database> fleet_;
  std::unique_ptr<store::Database> memory_;
  std::unique_ptr<knowledge::KnowledgeLake> lake_;
  std::unique_ptr<tools::ToolRegistry> tools_;
  std::unique_ptr<Engines> engines_;
  std::unique_ptr<OverviewCache> overview_cache_;
  std::unique_ptr<ProgressHub> progress_hub_;
  std::mutex listeners_mutex_;
  std::vector<IssueListener> issue_listeners_;
};

// The tools' environment for `config` (run_sql's guarded connection, budgets, prompt overrides).
tools::ToolEnvironment ToolEnvironmentFor(const Config& config, Clock& clock,
                                          store::Database* fleet, store::Database* memory,
                                          knowledge::KnowledgeSearch* knowledge);

}  // namespace rh::service
