// Names and parsers of the domain enums (core/severity.h, core/risk_level.h, core/root_cause.h,
// core/engine_kind.h): one table per enum, so a name exists exactly once in the tree.
#include <algorithm>
#include <cctype>
#include <string>

#include "core/engine_kind.h"
#include "core/issue_status.h"
#include "core/risk_level.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Lower case with '_' and '-' read as spaces: "No Action Needed" == "no_action_needed".
std::string Folded(std::string_view text) {
  std::string out;
  for (char ch : text) {
    out += ch == '_' || ch == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out;
}

template <typename Enum, size_t N>
Result<Enum> ParseFoldedName(std::string_view text, const std::array<Enum, N>& values,
                             std::string_view (*name)(Enum), std::string_view what,
                             std::string_view names) {
  for (Enum value : values) {
    if (Folded(text) == Folded(name(value))) return value;
  }
  return InvalidArgument(std::string(what), "must be one of " + std::string(names) + "; got '" +
                                                std::string(text) + "'");
}

template <typename Enum, size_t N>
std::string JoinNames(const std::array<Enum, N>& values, std::string_view (*name)(Enum)) {
  std::string out;
  for (Enum value : values) {
    if (!out.empty()) out += ", ";
    out += name(value);
  }
  return out;
}

template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view text, const std::array<Enum, N>& values,
                       std::string_view (*name)(Enum), std::string_view what,
                       std::string_view names) {
  for (Enum value : values) {
    if (EqualsIgnoreCase(text, name(value))) return value;
  }
  return InvalidArgument(std::string(what), "must be one of " + std::string(names) + "; got '" +
                                                std::string(text) + "'");
}

constexpr std::array<EngineKind, 3> kAllEngineKinds = {EngineKind::kAuto, EngineKind::kClaude,
                                                       EngineKind::kPlaybook};
constexpr std::array<LlmProvider, 4> kAllLlmProviders = {
    LlmProvider::kAnthropic, LlmProvider::kOpenAi, LlmProvider::kBedrock, LlmProvider::kVertex};

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kCritical: return "critical";
    case Severity::kHigh: return "high";
    case Severity::kMedium: return "medium";
    case Severity::kLow: return "low";
    case Severity::kInfo: return "info";
  }
  return "info";
}

std::string_view SeverityNames() {
  static const std::string names = JoinNames(kAllSeverities, &SeverityName);
  return names;
}

Result<Severity> ParseSeverity(std::string_view text) {
  return ParseName(text, kAllSeverities, &SeverityName, "severity", SeverityNames());
}

Severity AlertLabelSeverity(std::string_view label) {
  while (!label.empty() && std::isspace(static_cast<unsigned char>(label.front()))) {
    label.remove_prefix(1);
  }
  while (!label.empty() && std::isspace(static_cast<unsigned char>(label.back()))) {
    label.remove_suffix(1);
  }
  struct Alias {
    std::string_view label;
    Severity severity;
  };
  static constexpr Alias kAliases[] = {
      {"critical", Severity::kCritical}, {"fatal", Severity::kCritical},
      {"emergency", Severity::kCritical}, {"page", Severity::kCritical},
      {"p0", Severity::kCritical},       {"p1", Severity::kCritical},
      {"严重", Severity::kCritical},     {"紧急", Severity::kCritical},
      {"error", Severity::kHigh},        {"major", Severity::kHigh},
      {"high", Severity::kHigh},         {"p2", Severity::kHigh},
      {"warning", Severity::kMedium},    {"warn", Severity::kMedium},
      {"medium", Severity::kMedium},     {"p3", Severity::kMedium},
      {"警告", Severity::kMedium},       {"minor", Severity::kLow},
      {"low", Severity::kLow},           {"p4", Severity::kLow},
      {"info", Severity::kInfo},         {"notice", Severity::kInfo},
      {"none", Severity::kInfo},         {"ok", Severity::kInfo},
      {"p5", Severity::kInfo},           {"提示", Severity::kInfo},
      {"信息", Severity::kInfo}};
  for (const Alias& alias : kAliases) {
    if (EqualsIgnoreCase(label, alias.label)) return alias.severity;
  }
  return Severity::kMedium;
}

std::string_view RiskLevelName(RiskLevel level) {
  switch (level) {
    case RiskLevel::kHealthy: return "Healthy";
    case RiskLevel::kWarning: return "Warning";
    case RiskLevel::kCritical: return "Critical";
  }
  return "Healthy";
}

std::string_view RiskLevelNames() {
  static const std::string names = JoinNames(kAllRiskLevels, &RiskLevelName);
  return names;
}

Result<RiskLevel> ParseRiskLevel(std::string_view text) {
  return ParseName(text, kAllRiskLevels, &RiskLevelName, "risk level", RiskLevelNames());
}

std::string_view RootCauseName(RootCause cause) {
  switch (cause) {
    case RootCause::kDiskCapacity: return "disk_capacity";
    case RootCause::kCompactionBacklog: return "compaction_backlog";
    case RootCause::kMemoryPressure: return "memory_pressure";
    case RootCause::kCpuSaturation: return "cpu_saturation";
    case RootCause::kSlowQueries: return "slow_queries";
    case RootCause::kQueryErrors: return "query_errors";
    case RootCause::kNodeFailure: return "node_failure";
    case RootCause::kOperationInduced: return "operation_induced";
    case RootCause::kIngestionFailure: return "ingestion_failure";
    case RootCause::kKnownBug: return "known_bug";
    case RootCause::kAccountWide: return "account_wide";
    case RootCause::kAlertNoise: return "alert_noise";
    case RootCause::kInsufficientData: return "insufficient_data";
    case RootCause::kHealthy: return "healthy";
  }
  return "insufficient_data";
}

std::string_view RootCauseNames() {
  static const std::string names = JoinNames(kAllRootCauses, &RootCauseName);
  return names;
}

Result<RootCause> ParseRootCause(std::string_view text) {
  return ParseName(text, kAllRootCauses, &RootCauseName, "root-cause category", RootCauseNames());
}

std::string_view EngineKindName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kAuto: return "auto";
    case EngineKind::kClaude: return "claude";
    case EngineKind::kPlaybook: return "playbook";
  }
  return "auto";
}

std::string_view EngineKindNames() {
  static const std::string names = JoinNames(kAllEngineKinds, &EngineKindName);
  return names;
}

Result<EngineKind> ParseEngineKind(std::string_view text) {
  return ParseName(text, kAllEngineKinds, &EngineKindName, "engine", EngineKindNames());
}

std::string_view LlmProviderName(LlmProvider provider) {
  switch (provider) {
    case LlmProvider::kAnthropic: return "anthropic";
    case LlmProvider::kOpenAi: return "openai";
    case LlmProvider::kBedrock: return "bedrock";
    case LlmProvider::kVertex: return "vertex";
  }
  return "anthropic";
}

std::string_view LlmProviderNames() {
  static const std::string names = JoinNames(kAllLlmProviders, &LlmProviderName);
  return names;
}

Result<LlmProvider> ParseLlmProvider(std::string_view text) {
  return ParseName(text, kAllLlmProviders, &LlmProviderName, "provider", LlmProviderNames());
}

std::string_view IssueKindName(IssueKind kind) {
  switch (kind) {
    case IssueKind::kAnomaly: return "anomaly";
    case IssueKind::kFailure: return "failure";
  }
  return "failure";
}

std::string_view IssueStatusName(IssueStatus status) {
  switch (status) {
    case IssueStatus::kOngoing: return "Ongoing";
    case IssueStatus::kResolved: return "Resolved";
  }
  return "Ongoing";
}

std::string_view TriageStatusName(TriageStatus status) {
  switch (status) {
    case TriageStatus::kNew: return "New";
    case TriageStatus::kAcknowledged: return "Acknowledged";
    case TriageStatus::kInvestigating: return "Investigating";
    case TriageStatus::kMitigating: return "Mitigating";
    case TriageStatus::kClosed: return "Closed";
  }
  return "New";
}

std::string_view DispositionStatusName(DispositionStatus status) {
  switch (status) {
    case DispositionStatus::kNew: return "New";
    case DispositionStatus::kNoActionNeeded: return "No Action Needed";
    case DispositionStatus::kJiraCreated: return "JIRA Created";
  }
  return "New";
}

std::string_view IssueKindNames() {
  static const std::string names = JoinNames(kAllIssueKinds, &IssueKindName);
  return names;
}
std::string_view IssueStatusNames() {
  static const std::string names = JoinNames(kAllIssueStatuses, &IssueStatusName);
  return names;
}
std::string_view TriageStatusNames() {
  static const std::string names = JoinNames(kAllTriageStatuses, &TriageStatusName);
  return names;
}
std::string_view DispositionStatusNames() {
  static const std::string names = JoinNames(kAllDispositionStatuses, &DispositionStatusName);
  return names;
}

Result<IssueKind> ParseIssueKind(std::string_view text) {
  return ParseFoldedName(text, kAllIssueKinds, &IssueKindName, "issue kind", IssueKindNames());
}
Result<IssueStatus> ParseIssueStatus(std::string_view text) {
  return ParseFoldedName(text, kAllIssueStatuses, &IssueStatusName, "issue_status",
                         IssueStatusNames());
}
Result<TriageStatus> ParseTriageStatus(std::string_view text) {
  return ParseFoldedName(text, kAllTriageStatuses, &TriageStatusName, "triage_status",
                         TriageStatusNames());
}
Result<DispositionStatus> ParseDispositionStatus(std::string_view text) {
  return ParseFoldedName(text, kAllDispositionStatuses, &DispositionStatusName,
                         "disposition_status", DispositionStatusNames());
}

}  // namespace rh
