// PlaybookEngine: the offline investigation — no network, no model. It runs the same eight tools
// through the same ToolRegistry, in protocol order (DESIGN.md §5), and derives the report with
// explicit, documented diagnostic rules over what the tools returned: thresholds crossed, alert
// patterns (storms, flapping), an operation shortly before the first alert, siblings sharing the
// problem, known bugs for the cluster's version in the Knowledge Lake, past reports. Its
// confidence reflects how many independent signals agree. It never reads the simulator's ground
// truth (the tools cannot see it either). The rules are listed in agent/README.md.
// Thread-safety: Investigate may run concurrently.
#pragma once

#include "agent/investigation.h"
#include "core/clock.h"
#include "tools/registry.h"

namespace rh::agent {

class PlaybookEngine final : public InvestigationEngine {
 public:
  PlaybookEngine(const tools::ToolRegistry& tools, Clock& clock);

  std::string_view name() const override { return "playbook"; }
  Result<InvestigationOutcome> Investigate(const InvestigationRequest& request,
                                           const ProgressFn& progress,
                                           InvestigationUsage* spent = nullptr) override;

 private:
  const tools::ToolRegistry& tools_;
  Clock& clock_;
};

}  // namespace rh::agent
