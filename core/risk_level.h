// RiskLevel: the health band of a cluster's composite score (DESIGN §4): Healthy >= 80,
// Warning 50-79, Critical < 50. Written by the scorer, shown by every view, filtered by the API.
//
// Names are capitalised on the wire ("Healthy", "Warning", "Critical") as the platform's tables
// hold them; Parse accepts any case. WorstFirst orders Critical, Warning, Healthy.
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <string_view>

#include "core/error.h"

namespace rh {

enum class RiskLevel { kHealthy, kWarning, kCritical };

inline constexpr std::array<RiskLevel, 3> kAllRiskLevels = {RiskLevel::kCritical,
                                                            RiskLevel::kWarning,
                                                            RiskLevel::kHealthy};

std::string_view RiskLevelName(RiskLevel level);  // "Healthy" | "Warning" | "Critical"
Result<RiskLevel> ParseRiskLevel(std::string_view text);
std::string_view RiskLevelNames();  // "Critical, Warning, Healthy"

// 0 for Critical, 1 for Warning, 2 for Healthy: sort key for "worst first".
inline int WorstFirstRank(RiskLevel level) { return 2 - static_cast<int>(level); }

}  // namespace rh
