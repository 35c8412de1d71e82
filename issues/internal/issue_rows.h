// The alert_issues row <-> Issue mapping shared by the tracker and the store.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "issues/issue.h"
#include "store/database.h"

namespace rh::issues::internal {

// Every column of alert_issues, in the order InsertIssue binds them.
std::string_view IssueColumns();
Issue IssueFromRow(const store::Row& row);
// INSERT of a whole issue row.
Status InsertIssue(store::Database& db, const Issue& issue);
// UPDATE of the columns the tracker derives from the alerts (never the triage/disposition ones).
Status UpdateDerived(store::Database& db, const Issue& issue);
// Records one lifecycle change (the next seq of the issue; call inside the transaction that
// makes the change).
Status InsertEvent(store::Database& db, const std::string& issue_id, const IssueEvent& event);
// Rank of an alert severity name, most severe first (unknown names last).
int SeverityRank(std::string_view severity);
// "BE CPU Alert" or "BE CPU Alert (+2 more)".
std::string TitleOf(const std::vector<std::string>& names);

}  // namespace rh::issues::internal
