// Investigator: runs one investigation end to end and stores its report.
//
// It picks the engine (agent.engine: `auto` = Claude when an LlmClient is configured, else the
// playbook; `claude`; `playbook`), runs it, and when Claude fails after its retries (API down,
// budgets exhausted, an invalid report after the repair turn) runs the playbook engine instead:
// the stored report then names the engine that wrote it and keeps the LLM error. It renders the
// Markdown, stores the report in the agent memory and tells the listeners (notifications,
// metrics). One report per task: a task that already has a report (reclaimed after a worker
// died between storing and completing) gets that report back without a new investigation, and
// when two runs of one task race, the first stored report wins and only it is announced.
//
// Each run has agent.investigation_timeout of Clock::Monotonic time (Claude and a fallback
// playbook share it). A run that reaches it ends at the engine's next checkpoint and is stored as
// a timed-out report: severity from what was found so far (or info), category
// insufficient_data, root cause and summary "investigation timed out after 10m at step N", the
// protocol steps not done as missing evidence, the transcript so far, and `timed_out` in the
// report JSON and Markdown. No fallback runs after a timeout.
// A run whose CancellationToken is cancelled (its lease was lost) stores nothing and returns
// the cancellation error (permission_denied, context "cancelled"); Claude is not replaced by
// the playbook then either.
// Thread-safety: Run may be called concurrently from several workers.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/cancellation.h"
#include "agent/investigation.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/engine_kind.h"
#include "store/database.h"
#include "store/report_store.h"

namespace rh::agent {

// Called after a report is stored (e.g. the server's notifier). Must not throw.
using ReportListener = std::function<void(const store::StoredReport&)>;

struct InvestigatorDeps {
  store::Database* fleet = nullptr;       // to check the cluster and find its account
  store::Database* memory = nullptr;      // reports go here
  InvestigationEngine* claude = nullptr;  // may be null (no API key)
  InvestigationEngine* playbook = nullptr;  // required
  Clock* clock = nullptr;
  AgentConfig config;
};

struct InvestigationResult {
  std::string report_id;
  store::StoredReport stored;  // with bodies
};

// What the model may still spend today for a cluster of `tier`: the day's spend (the cost of
// every report stored since 00:00 UTC, whatever engine wrote it: a fallback report carries what
// Claude spent before failing, plus every follow-up answer, store/report_messages.h) against
// agent.daily_budget_usd times the tier's share. Sets the spend gauges.
struct DailyBudget {
  double spent = 0;
  double limit = 0;  // for this tier
  double share = 1;
  bool reached() const { return spent >= limit; }
};
Result<DailyBudget> CheckDailyBudget(store::Database& memory, const AgentConfig& config,
                                     const std::string& tier, TimePoint now);

class Investigator {
 public:
  explicit Investigator(InvestigatorDeps deps);

  void AddListener(ReportListener listener);

  // `engine` nullopt runs agent.engine. not_found when the cluster does not exist in the fleet;
  // invalid_argument for a bad id or an engine that is not available (claude without an
  // LlmClient); permission_denied ("cancelled") when `cancel` was cancelled during the run;
  // other errors only when even the playbook failed or the report could not be stored.
  // `cancel` may be null (nobody cancels the run).
  Result<InvestigationResult> Run(const InvestigationRequest& request,
                                  std::optional<EngineKind> engine,
                                  const ProgressFn& progress = {},
                                  const CancellationToken* cancel = nullptr);

 private:
  InvestigatorDeps deps_;
  std::vector<ReportListener> listeners_;
};

}  // namespace rh::agent
