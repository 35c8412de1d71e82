// Investigation: the shared vocabulary of the two engines that turn a question about one cluster
// into a Report — the Claude tool-use loop (agent/claude_engine.h) and the offline playbook
// engine (agent/playbook_engine.h). Both run the same tools through the same ToolRegistry, record
// every call in the same transcript, and return the same InvestigationOutcome; the Investigator
// (agent/investigator.h) picks the engine, falls back, renders and stores. Every tool call of
// both engines runs on the process's ToolExecutor (agent/tool_executor.h).
// Thread-safety: engines are safe to share between worker threads (each Investigate call has its
// own state); progress callbacks run on the calling thread or a tool thread — keep them cheap.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/report.h"
#include "core/clock.h"
#include "core/engine_kind.h"
#include "core/error.h"
#include "core/json.h"

namespace rh::agent {

class CancellationToken;
class ToolCallJournal;

struct InvestigationRequest {
  std::string task_id;     // empty for a direct (CLI) investigation without a queued task
  std::string cluster_id;
  std::string question;    // empty: "what is wrong with this cluster, if anything?"
  // What queued it: "sentinel" (with the rules it fired), "webhook" (a critical alert), "adhoc"
  // (an engineer's question) or "" (a direct run). The Investigator turns these into `trigger`.
  std::string source = {};
  Json rules_fired = nullptr;       // the sentinel's rules_fired array (null for other sources)
  // The queued task's context (store::Task::context_json): {"issue": {...}, "alerts": [...]}
  // for an issue- or webhook-queued task — what the trigger brief carries. Null: none.
  Json context = nullptr;
  // The trigger brief (agent/trigger_brief.h): what fired with its values, the latest score and
  // sub-scores, tier, version. Null: none (the Claude loop's first message then carries only the
  // question).
  Json trigger = nullptr;
  // The tool calls of this run so far, shared by the engines of one Investigator run (null:
  // none kept). Claude records every call it runs here; the playbook fallback reuses a
  // successful call of the same tool with the same input instead of calling again.
  ToolCallJournal* journal = nullptr;
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
  std::string reused_from;    // the id of the earlier call (another engine's) whose result this is
};

// The tool calls one Investigator run has made, across its engines (see
// InvestigationRequest::journal). Thread-safety: every method may be called concurrently (the
// Claude loop records calls from tool threads).
class ToolCallJournal {
 public:
  void Add(const ToolCallRecord& record);
  // Every call recorded, in the order recorded.
  std::vector<ToolCallRecord> Records() const;
  // The first successful call of `tool` whose input equals `input`, if any.
  std::optional<ToolCallRecord> FindSuccessful(std::string_view tool, const Json& input) const;

 private:
  mutable std::mutex mutex_;
  std::vector<ToolCallRecord> records_;
};

struct InvestigationUsage {
  // The prompt of the latest model turn: input + cache read + cache write tokens (what fills the
  // context window; agent.token_budget counts this plus the output tokens).
  long long context_tokens = 0;
  long long input_tokens = 0;
  long long output_tokens = 0;
  long long cache_read_tokens = 0;
  long long cache_write_tokens = 0;
  double cost_usd = 0.0;
  int model_turns = 0;
};

// Where a run stopped when it reached its deadline before a report.
struct TimedOut {
  int at_step = 0;  // the step not done: the model turn (Claude) or protocol step (playbook)
};

struct InvestigationOutcome {
  // With `timed_out` set, `report` is only what was found so far (severity, evidence; "info"
  // and no evidence when nothing was) and the transcript holds the calls made; the Investigator
  // writes the timed-out report around them.
  Report report;
  EngineKind engine = EngineKind::kPlaybook;  // claude | playbook
  std::string model;       // resolved model id (claude)
  std::vector<ToolCallRecord> transcript;
  InvestigationUsage usage;
  long long duration_ms = 0;
  std::optional<TimedOut> timed_out;
};

// What ends a run early from outside. Engines look at both at their checkpoints — the Claude
// loop before each model turn and each tool call, the playbook before each protocol step (and
// each SQL check of step 8) — and never interrupt a model request or tool call in flight.
//  - `cancel` cancelled: the run returns the token's error (permission_denied "cancelled").
//  - `deadline` (agent.investigation_timeout, on Clock::Monotonic) passed: the run returns at
//    once with what it has and `timed_out` set.
struct RunLimits {
  const CancellationToken* cancel = nullptr;  // null: nobody cancels this run
  std::optional<MonoTime> deadline;           // nullopt: no time limit

  // Whether the run must end now, and why (a cancellation wins over the deadline).
  enum class Verdict { kGoOn, kCancelled, kTimedOut };
  Verdict Check(const Clock& clock) const;
  // The cancellation error (call only after Check said kCancelled).
  Error CancelledError() const;
};

// The eight protocol steps (prompts/text/system.md, DESIGN.md §5), in order, with the tool of
// each; a timed-out report lists the ones whose tool was never called as missing evidence.
struct ProtocolStep {
  int number = 0;
  std::string_view tool;
  std::string_view what;  // what the step finds out
};
const std::vector<ProtocolStep>& ProtocolSteps();

// Live progress for people watching: `rockhound investigate --verbose` prints it on stderr, and
// a daemon publishes it as the investigation's event stream (service/progress_hub.h,
// GET /api/v1/investigations/{id}/events). `what` is one of
//   "step"        a protocol step starts (playbook): detail = what the step finds out
//   "model turn"  a model turn starts (Claude): detail = why it is special, if it is
//   "compacted"   older tool results were compacted: detail = how many
//   "tool"        a tool call starts: detail = the tool, call_id
//   "tool done"   it finished: detail = the tool, call_id, ok, duration_ms
//   "text"        model text as it streams in (agent.stream): text = the delta
//   "tokens"      after a model turn: tokens = input + output tokens so far, cost_usd so far
//   "report"      the engine has its report: detail = the root cause category
// The engines call the ProgressFn (the observer: agent/ knows nothing of who listens).
struct ProgressEvent {
  int step = 0;
  std::string what;
  std::string detail;      // tool name, stop reason, ...
  long long elapsed_ms = 0;
  std::string call_id;     // "tool", "tool done"
  bool ok = true;          // "tool done": false when the result was an error
  long long duration_ms = 0;  // "tool done"
  std::string text;        // "text"
  long long tokens = 0;    // "tokens"
  double cost_usd = 0.0;   // "tokens"
};
using ProgressFn = std::function<void(const ProgressEvent&)>;

// Tells `progress` (may be empty) that the call of `record` started ("tool") or is done ("tool
// done", with its outcome and duration); `elapsed_ms` is since the investigation started.
void EmitToolProgress(const ProgressFn& progress, const ToolCallRecord& record, bool done,
                      long long elapsed_ms);

Json TranscriptToJson(const std::vector<ToolCallRecord>& transcript);
// A stored transcript back as records (missing fields keep their defaults; items that are not
// objects are skipped): what a follow-up question may cite.
std::vector<ToolCallRecord> TranscriptFromJson(const Json& transcript);

class InvestigationEngine {
 public:
  virtual ~InvestigationEngine() = default;
  virtual std::string_view name() const = 0;
  // `spent`, when given, receives the model usage even when the investigation fails (what was
  // spent is spent: the Investigator records it with the fallback report). `limits` may cancel
  // the run (an error) or end it at a deadline (an outcome with `timed_out`).
  virtual Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                                   const ProgressFn& progress,
                                                   InvestigationUsage* spent = nullptr,
                                                   const RunLimits& limits = {}) = 0;
};

}  // namespace rh::agent
