// Investigation: the shared vocabulary of the two engines that turn a question about one cluster
// into a Report — the Claude tool-use loop (agent/claude_engine.h) and the offline playbook
// engine (agent/playbook_engine.h). Both run the same tools through the same ToolRegistry, record
// every call in the same transcript, and return the same InvestigationOutcome; the Investigator
// (agent/investigator.h) picks the engine, falls back, renders and stores.
// Thread-safety: engines are safe to share between worker threads (each Investigate call has its
// own state); progress callbacks run on the calling thread or a tool thread — keep them cheap.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/report.h"
#include "core/error.h"
#include "core/json.h"

namespace rh::agent {

struct InvestigationRequest {
  std::string task_id;     // empty for a direct (CLI) investigation without a queued task
  std::string cluster_id;
  std::string question;    // empty: "what is wrong with this cluster, if anything?"
};

// One tool call as it happened: what was asked, what was sent back, how long it took.
struct ToolCallRecord {
  std::string id;          // the tool_use id (Claude) or "call_<n>" (playbook)
  int step = 0;            // model turn (Claude) or protocol step (playbook), from 1
  std::string tool;
  Json input;
  std::string output;      // exactly as sent to the model
  bool is_error = false;
  long long started_ms = 0;   // since the investigation started
  long long duration_ms = 0;
};

struct InvestigationUsage {
  long long input_tokens = 0;
  long long output_tokens = 0;
  long long cache_read_tokens = 0;
  long long cache_write_tokens = 0;
  double cost_usd = 0.0;
  int model_turns = 0;
};

struct InvestigationOutcome {
  Report report;
  std::string engine;      // claude | playbook
  std::string model;       // resolved model id (claude)
  std::vector<ToolCallRecord> transcript;
  InvestigationUsage usage;
  long long duration_ms = 0;
};

// Live progress for people watching (`rockhound investigate` prints it on stderr).
struct ProgressEvent {
  int step = 0;
  std::string what;        // "model turn", "tool", "report"
  std::string detail;      // tool name, stop reason, ...
  long long elapsed_ms = 0;
};
using ProgressFn = std::function<void(const ProgressEvent&)>;

Json TranscriptToJson(const std::vector<ToolCallRecord>& transcript);

class InvestigationEngine {
 public:
  virtual ~InvestigationEngine() = default;
  virtual std::string_view name() const = 0;
  // `spent`, when given, receives the model usage even when the investigation fails (what was
  // spent is spent: the Investigator records it with the fallback report).
  virtual Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                                   const ProgressFn& progress,
                                                   InvestigationUsage* spent = nullptr) = 0;
};

}  // namespace rh::agent
