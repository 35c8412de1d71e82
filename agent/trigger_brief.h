// TriggerBrief: what the model (and the engineer reading the report) is told up front about why
// this investigation runs — compact, structured, from Rockhound's own records:
//   {"trigger": {"source": "sentinel", "rules": [{rule, value, threshold, reason, priority}]}
//             | {"source": "webhook"|"issue", "question",
//                "issue": {issue_id, kind, title, issue_status, triage_status, escalated,
//                          escalated_at, severity, reason, first_alert_at, alert_names},
//                "alerts": [{alert_name, severity, status, starts_at, ends_at, alert_time,
//                            detail, source, message_id, labels, annotations}]}
//             | {"source": "adhoc"|"direct", "question"},
//    "cluster": {tier, version, run_mode, status},
//    "score": {at, health, risk_level, metric, alert, tier, trend, firing_alerts,
//              worst_dimensions: {metric: sub-score} (the six lowest under 100)}}
// The issue and alerts are those the queued task carries (InvestigationRequest::context: the
// issue tracker's or the webhook's alerts, the newest kBriefMaxContextAlerts); a webhook task
// without them gets the cluster's firing alerts of the last 24 h from lark_alerts.
// Keys without data are left out. Every string passes through core/redact (alert details and
// questions are user text). The Claude loop sends it in its first user message (as data, not
// instructions); the Investigator stores it in the report JSON as `trigger` and the Markdown
// shows TriggerBriefText.
// Thread-safety: pure functions over the given database (which must allow the caller's reads).
#pragma once

#include <string>

#include "agent/investigation.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "store/database.h"

namespace rh::agent {

// At most this many firing alerts (newest first) in a webhook brief.
inline constexpr int kBriefMaxAlerts = 5;
// At most this many of the alerts a task's context carries (the newest).
inline constexpr int kBriefMaxContextAlerts = 20;

// The brief for `request` as of `now`. Errors are the database's; an unknown cluster gives a
// brief with only the trigger.
Result<Json> BuildTriggerBrief(store::Database& fleet, const InvestigationRequest& request,
                               TimePoint now);

// A few lines for people: "Trigger: sentinel rule score_cliff (value 41.2 vs threshold 20)".
std::string TriggerBriefText(const Json& brief);

}  // namespace rh::agent
