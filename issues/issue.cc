#include "issues/issue.h"

#include <algorithm>

namespace rh::issues {

RuleTable::RuleTable(const IssuesConfig& config)
    : default_kind_(config.default_kind),
      time_window_(config.time_window),
      correlation_window_(config.correlation_window) {
  for (const std::string& name : SplitAlertNames(config.anomaly_alerts)) anomaly_.insert(name);
  for (const std::string& name : SplitAlertNames(config.failure_alerts)) failure_.insert(name);
}

IssueKind RuleTable::KindOf(std::string_view alert_name) const {
  std::string key(alert_name);
  std::transform(key.begin(), key.end(), key.begin(), ::tolower);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  if (anomaly_.contains(key)) return IssueKind::kAnomaly;
  if (failure_.contains(key)) return IssueKind::kFailure;
  return default_kind_;
}

std::vector<TriageStatus> AllowedTriage(TriageStatus from) {
  std::vector<TriageStatus> next;
  for (TriageStatus status : kAllTriageStatuses) {
    if (static_cast<int>(status) > static_cast<int>(from)) next.push_back(status);
  }
  return next;
}

std::vector<DispositionStatus> AllowedDisposition(DispositionStatus from) {
  switch (from) {
    case DispositionStatus::kNew:
      return {DispositionStatus::kNoActionNeeded, DispositionStatus::kJiraCreated};
    case DispositionStatus::kNoActionNeeded:
      return {DispositionStatus::kJiraCreated};
    case DispositionStatus::kJiraCreated:
      return {};
  }
  return {};
}

std::string AllowedTriageText(TriageStatus from) {
  std::string out;
  for (TriageStatus status : AllowedTriage(from)) {
    out += (out.empty() ? "" : ", ") + std::string(TriageStatusName(status));
  }
  return out.empty() ? "none (" + std::string(TriageStatusName(from)) + " is final)" : out;
}

std::string AllowedDispositionText(DispositionStatus from) {
  std::string out;
  for (DispositionStatus status : AllowedDisposition(from)) {
    out += (out.empty() ? "" : ", ") + std::string(DispositionStatusName(status));
  }
  return out.empty() ? "none (" + std::string(DispositionStatusName(from)) + " is final)" : out;
}

}  // namespace rh::issues
