// The issue tracker's vocabulary (issues/README.md): what kind of alert an alert name is, and the
// three lifecycles of an issue, each one enum with its names, so a name exists once in the tree.
//   IssueKind          anomaly (an ongoing condition: merges until resolved) | failure (a
//                      discrete event: grouped by time and correlation windows)
//   IssueStatus        Ongoing | Resolved — derived from the issue's alerts, never set by hand
//   TriageStatus       New -> Acknowledged -> Investigating -> Mitigating -> Closed
//   DispositionStatus  New -> No Action Needed | JIRA Created (with a ticket reference)
// Names on the wire are the spellings above; Parse accepts any case and '_'/'-' for spaces
// ("no_action_needed", "jira-created", "ACKNOWLEDGED").
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <string_view>

#include "core/error.h"

namespace rh {

enum class IssueKind { kAnomaly, kFailure };
enum class IssueStatus { kOngoing, kResolved };
enum class TriageStatus { kNew, kAcknowledged, kInvestigating, kMitigating, kClosed };
enum class DispositionStatus { kNew, kNoActionNeeded, kJiraCreated };

inline constexpr std::array<IssueKind, 2> kAllIssueKinds = {IssueKind::kAnomaly,
                                                           IssueKind::kFailure};
inline constexpr std::array<IssueStatus, 2> kAllIssueStatuses = {IssueStatus::kOngoing,
                                                                 IssueStatus::kResolved};
inline constexpr std::array<TriageStatus, 5> kAllTriageStatuses = {
    TriageStatus::kNew, TriageStatus::kAcknowledged, TriageStatus::kInvestigating,
    TriageStatus::kMitigating, TriageStatus::kClosed};
inline constexpr std::array<DispositionStatus, 3> kAllDispositionStatuses = {
    DispositionStatus::kNew, DispositionStatus::kNoActionNeeded, DispositionStatus::kJiraCreated};

std::string_view IssueKindName(IssueKind kind);                  // "anomaly" | "failure"
std::string_view IssueStatusName(IssueStatus status);            // "Ongoing" | "Resolved"
std::string_view TriageStatusName(TriageStatus status);          // "New" ... "Closed"
std::string_view DispositionStatusName(DispositionStatus status);  // "New" | "No Action Needed" |
                                                                   // "JIRA Created"
// invalid_argument naming every valid value when `text` is none of them.
Result<IssueKind> ParseIssueKind(std::string_view text);
Result<IssueStatus> ParseIssueStatus(std::string_view text);
Result<TriageStatus> ParseTriageStatus(std::string_view text);
Result<DispositionStatus> ParseDispositionStatus(std::string_view text);
// "New, Acknowledged, ..." for help texts and error messages.
std::string_view IssueKindNames();
std::string_view IssueStatusNames();
std::string_view TriageStatusNames();
std::string_view DispositionStatusNames();

}  // namespace rh
