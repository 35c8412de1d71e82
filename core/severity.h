// Severity: how bad an investigation's finding is, the one scale every report, notification
// threshold and filter uses — critical, high, medium, low, info (most to least severe).
//
// The enum's order IS the ranking: a smaller value is more severe, so `a < b` reads "a is worse
// than b" and AtLeast(s, threshold) keeps s when it is as bad as threshold or worse. Names are
// lower case on the wire (report JSON, API filters, config); Parse accepts any case.
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <string_view>

#include "core/error.h"

namespace rh {

enum class Severity { kCritical, kHigh, kMedium, kLow, kInfo };

inline constexpr std::array<Severity, 5> kAllSeverities = {
    Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo};

std::string_view SeverityName(Severity severity);  // "critical" ... "info"
// invalid_argument naming every valid value when `text` is none of them (any case).
Result<Severity> ParseSeverity(std::string_view text);
// "critical, high, medium, low, info": for help texts and error messages.
std::string_view SeverityNames();

// The Severity of an alert's severity label as alert rules and alerting systems write it
// (Alertmanager/Grafana labels, Lark cards): any case, blanks around it ignored.
//   critical, fatal, emergency, page, p0, p1, 严重, 紧急  -> critical
//   error, major, high, p2                               -> high
//   warning, warn, medium, p3, 警告                       -> medium
//   minor, low, p4                                       -> low
//   info, notice, none, ok, p5, 提示, 信息                 -> info
// Anything else, and an empty label, is medium: an alert of unknown weight counts as a warning.
Severity AlertLabelSeverity(std::string_view label);

// Whether `severity` is as severe as `threshold` or worse.
inline bool AtLeast(Severity severity, Severity threshold) { return severity <= threshold; }

}  // namespace rh
