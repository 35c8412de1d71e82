// InvestigationStack: the long-lived objects an investigation needs, built once per process from
// the AppContext — the Knowledge Lake, the eight tools, the Anthropic client (when
// ANTHROPIC_API_KEY is set), both engines, the Investigator — plus the hooks that plug them into
// `cycle`/`run`/`demo` (the investigate step) and `serve` (background workers).
// Thread-safety: build once on the main thread; the objects inside are shared by workers.
#pragma once

#include <memory>

#include "agent/claude_engine.h"
#include "agent/investigator.h"
#include "agent/llm_client.h"
#include "agent/playbook_engine.h"
#include "agent/tool_executor.h"
#include "app/app_context.h"
#include "knowledge/knowledge_lake.h"
#include "tools/investigation_tools.h"

namespace rh::app {

struct InvestigationStack {
  std::unique_ptr<knowledge::KnowledgeLake> lake;
  std::unique_ptr<tools::ToolRegistry> tools;
  std::unique_ptr<agent::LlmClient> llm;          // null without an API key
  std::unique_ptr<agent::ToolExecutor> tool_executor;  // shared by both engines (outlives them)
  std::unique_ptr<agent::ClaudeEngine> claude;    // null without an API key
  std::unique_ptr<agent::PlaybookEngine> playbook;
  std::unique_ptr<agent::Investigator> investigator;
};

// OpenKnowledgeLake(ctx) (app/app_context.h, defined with the `kb` commands) opens the lake.

// Builds everything; errors name the piece that failed (fleet/memory database, lake, prompts).
Result<std::unique_ptr<InvestigationStack>> BuildInvestigationStack(AppContext& ctx);

// Plugs the worker pool into `cycle`, `run`, `demo` and `serve` (called once from main).
void WireInvestigations();

}  // namespace rh::app
