// PlaybookEngine: the offline investigation — no network, no model. It runs the same eight tools
// through the same ToolRegistry, in protocol order (DESIGN.md §5), and derives the report with
// explicit, documented diagnostic rules over what the tools returned: thresholds crossed, alert
// patterns (storms, flapping), an operation shortly before the first alert, siblings sharing the
// problem, known bugs for the cluster's version in the Knowledge Lake, past reports. Its
// confidence reflects how many independent signals agree. It never reads the simulator's ground
// truth (the tools cannot see it either). The rules are listed in agent/README.md. The
// confidence the rules give is a raw score; the report carries it mapped through the playbook's
// fitted calibration (agent/calibration.h), a probability that the category is right.
// Its calls run one at a time on the process's ToolExecutor; a call whose tool and input match a
// successful call in the request's ToolCallJournal (Claude's, before it failed) reuses that result
// instead of running again. RunLimits are checked before each
// protocol step and each SQL check of step 8: a cancelled run returns the cancellation error; a
// run past its deadline returns at once with the calls made so far, `timed_out` (the step not
// done) and what was found so far — once steps 1-4 are done, the severity and evidence the
// rules give on the partial facts, before that severity info.
// Thread-safety: Investigate may run concurrently.
#pragma once

#include "agent/calibration.h"
#include "agent/investigation.h"
#include "agent/tool_executor.h"
#include "core/clock.h"
#include "tools/registry.h"

namespace rh::agent {

class PlaybookEngine final : public InvestigationEngine {
 public:
  // `tools`, `executor` and `clock` must outlive the engine. The report's confidence is the raw
  // confidence of the rules mapped through `calibration` (calibration.h); without one, the
  // calibration embedded for the playbook (agent/calibration/playbook.v1.json).
  PlaybookEngine(const tools::ToolRegistry& tools, ToolExecutor& executor, Clock& clock);
  PlaybookEngine(const tools::ToolRegistry& tools, ToolExecutor& executor, Clock& clock,
                 ConfidenceCalibration calibration);

  std::string_view name() const override { return EngineKindName(EngineKind::kPlaybook); }
  Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                           const ProgressFn& progress,
                                           InvestigationUsage* spent = nullptr,
                                           const RunLimits& limits = {}) override;

 private:
  const tools::ToolRegistry& tools_;
  ToolExecutor& executor_;
  Clock& clock_;
  ConfidenceCalibration calibration_;
};

}  // namespace rh::agent
