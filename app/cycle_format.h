// How the CLI shows a cycle: the summary `rockhound cycle` and `demo` print, and — for a
// simulated fleet only — how the sentinel's choices compare with the incidents the simulator
// injected (demo's check; the production cycle never reads the ground truth).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "issues/issue_store.h"
#include "sentinel/sentinel.h"
#include "service/cycle.h"
#include "service/issues.h"
#include "store/database.h"

namespace rh::app {

// The cycle summary as `rockhound cycle` prints it. With `open_issues` (the tracker's counts
// after the cycle) the issues line also says how many issues are open, by triage status:
//   issues              2 new, 1 escalated, 0 resolved (14 alerts grouped); 1 investigation(s)
//                       queued; open 5: 3 New, 2 Acknowledged (1 escalated)
std::string FormatCycleResult(const service::CycleResult& result,
                              const service::CycleOptions& options,
                              const std::optional<issues::IssueCounts>& open_issues = std::nullopt);

// The issues line alone (see FormatCycleResult).
std::string FormatIssuesLine(const service::IssueUpdateResult& issues,
                             const std::optional<issues::IssueCounts>& open_issues);

// For a simulated fleet (one with the simulator's ground truth), how many incident clusters and
// how many healthy clusters the pass flagged, e.g.
//   "simulated fleet: 14 of 14 incident clusters queued; 1 of 186 healthy clusters queued
//    (c-1a2b3c4d)"
// Empty for a real fleet.
Result<std::string> SimulationCheck(store::Database& fleet, const sentinel::PassSummary& pass);

}  // namespace rh::app
