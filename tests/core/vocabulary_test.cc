// The domain vocabulary (core/severity.h, core/risk_level.h, core/root_cause.h,
// core/engine_kind.h): every name parses back to its value in any case, an unknown name is
// refused with every valid one listed, and the orderings the callers rely on hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "core/engine_kind.h"
#include "core/instance_limits.h"
#include "core/risk_level.h"
#include "core/root_cause.h"
#include "core/severity.h"

namespace rh {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Round trip of every value of an enum through Name and Parse, lower/as-written and upper case;
// names are unique and Names() lists them in order.
template <typename Enum, size_t N>
void ExpectRoundTrip(const std::array<Enum, N>& values, std::string_view (*name)(Enum),
                     Result<Enum> (*parse)(std::string_view), std::string_view names) {
  std::set<std::string> seen;
  std::string joined;
  for (Enum value : values) {
    const std::string text(name(value));
    EXPECT_TRUE(seen.insert(text).second) << "duplicate name " << text;
    joined += (joined.empty() ? "" : ", ") + text;
    auto parsed = parse(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().ToString();
    EXPECT_EQ(*parsed, value) << text;
    auto upper = parse(Upper(text));
    ASSERT_TRUE(upper) << Upper(text);
    EXPECT_EQ(*upper, value) << Upper(text);
  }
  EXPECT_EQ(joined, names);
}

// An unknown name: invalid_argument listing every valid value and echoing the input.
void ExpectRefusal(const Error& error, std::string_view names, std::string_view input) {
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(error.message.find("must be one of " + std::string(names)), std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find("got '" + std::string(input) + "'"), std::string::npos)
      << error.message;
}

TEST(VocabularyTest, SeverityNamesParseBackInAnyCase) {
  ExpectRoundTrip(kAllSeverities, &SeverityName, &ParseSeverity, SeverityNames());
  EXPECT_EQ(SeverityNames(), "critical, high, medium, low, info");
  auto bad = ParseSeverity("urgent");
  ASSERT_FALSE(bad);
  ExpectRefusal(bad.error(), SeverityNames(), "urgent");
  EXPECT_FALSE(ParseSeverity(""));
  EXPECT_FALSE(ParseSeverity("high "));
}

TEST(VocabularyTest, AlertLabelsMapOntoTheOneSeverityScale) {
  // Every Severity name maps onto itself.
  for (Severity severity : kAllSeverities) {
    EXPECT_EQ(AlertLabelSeverity(SeverityName(severity)), severity) << SeverityName(severity);
  }
  EXPECT_EQ(AlertLabelSeverity("Critical"), Severity::kCritical);
  EXPECT_EQ(AlertLabelSeverity("  CRITICAL "), Severity::kCritical);
  EXPECT_EQ(AlertLabelSeverity("P1"), Severity::kCritical);
  EXPECT_EQ(AlertLabelSeverity("page"), Severity::kCritical);
  EXPECT_EQ(AlertLabelSeverity("严重"), Severity::kCritical);
  EXPECT_EQ(AlertLabelSeverity("error"), Severity::kHigh);
  EXPECT_EQ(AlertLabelSeverity("warning"), Severity::kMedium);
  EXPECT_EQ(AlertLabelSeverity("警告"), Severity::kMedium);
  EXPECT_EQ(AlertLabelSeverity("minor"), Severity::kLow);
  EXPECT_EQ(AlertLabelSeverity("info"), Severity::kInfo);
  // Unknown and empty labels count as a warning, never as critical.
  EXPECT_EQ(AlertLabelSeverity(""), Severity::kMedium);
  EXPECT_EQ(AlertLabelSeverity("criticality"), Severity::kMedium);
  EXPECT_EQ(AlertLabelSeverity("sev-unknown"), Severity::kMedium);
}

TEST(VocabularyTest, SeverityAtLeastKeepsTheWorse) {
  EXPECT_TRUE(AtLeast(Severity::kCritical, Severity::kHigh));
  EXPECT_TRUE(AtLeast(Severity::kHigh, Severity::kHigh));
  EXPECT_FALSE(AtLeast(Severity::kMedium, Severity::kHigh));
  EXPECT_TRUE(AtLeast(Severity::kInfo, Severity::kInfo));
  EXPECT_FALSE(AtLeast(Severity::kInfo, Severity::kLow));
  // kAllSeverities runs worst first: each is at least as severe as every later one.
  for (size_t worse = 0; worse < kAllSeverities.size(); ++worse) {
    for (size_t better = 0; better < kAllSeverities.size(); ++better) {
      EXPECT_EQ(AtLeast(kAllSeverities[worse], kAllSeverities[better]), worse <= better);
    }
  }
}

TEST(VocabularyTest, RiskLevelNamesParseBackInAnyCase) {
  ExpectRoundTrip(kAllRiskLevels, &RiskLevelName, &ParseRiskLevel, RiskLevelNames());
  EXPECT_EQ(RiskLevelNames(), "Critical, Warning, Healthy");
  auto lower = ParseRiskLevel("warning");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, RiskLevel::kWarning);
  auto bad = ParseRiskLevel("Unscored");
  ASSERT_FALSE(bad);
  ExpectRefusal(bad.error(), RiskLevelNames(), "Unscored");
}

TEST(VocabularyTest, RiskLevelWorstFirstRank) {
  EXPECT_EQ(WorstFirstRank(RiskLevel::kCritical), 0);
  EXPECT_EQ(WorstFirstRank(RiskLevel::kWarning), 1);
  EXPECT_EQ(WorstFirstRank(RiskLevel::kHealthy), 2);
  for (size_t level_idx = 0; level_idx < kAllRiskLevels.size(); ++level_idx) {
    EXPECT_EQ(WorstFirstRank(kAllRiskLevels[level_idx]), static_cast<int>(level_idx));
  }
}

TEST(VocabularyTest, RootCauseNamesParseBackInAnyCase) {
  ExpectRoundTrip(kAllRootCauses, &RootCauseName, &ParseRootCause, RootCauseNames());
  EXPECT_EQ(kAllRootCauses.size(), 14u);
  EXPECT_EQ(RootCauseName(RootCause::kHealthy), "healthy");
  EXPECT_EQ(RootCauseName(RootCause::kDiskCapacity), "disk_capacity");
  EXPECT_EQ(RootCauseName(RootCause::kInsufficientData), "insufficient_data");
  auto bad = ParseRootCause("gremlins");
  ASSERT_FALSE(bad);
  ExpectRefusal(bad.error(), RootCauseNames(), "gremlins");
  EXPECT_FALSE(ParseRootCause("disk"));  // a metric dimension, not a category
}

TEST(VocabularyTest, EngineKindNamesParseBackInAnyCase) {
  const std::array<EngineKind, 3> all = {EngineKind::kAuto, EngineKind::kClaude,
                                         EngineKind::kPlaybook};
  ExpectRoundTrip(all, &EngineKindName, &ParseEngineKind, EngineKindNames());
  EXPECT_EQ(EngineKindNames(), "auto, claude, playbook");
  auto bad = ParseEngineKind("gpt");
  ASSERT_FALSE(bad);
  ExpectRefusal(bad.error(), EngineKindNames(), "gpt");
}

TEST(VocabularyTest, InstanceLimitsAreConsistent) {
  EXPECT_LT(limits::kMinBeNodes, limits::kMaxBeNodes);
  EXPECT_LT(limits::kMinCnNodes, limits::kMaxCnNodes);
  EXPECT_EQ(limits::kMinFeNodes % 2, 1);  // FE counts are odd (a quorum)
  EXPECT_EQ(limits::kMaxFeNodes % 2, 1);
  EXPECT_LE(limits::kMinDiskGb, limits::kMinPl2DiskGb);
  EXPECT_LT(limits::kMinPl2DiskGb, limits::kMinPl3DiskGb);
  EXPECT_LT(limits::kMinPl3DiskGb, limits::kMaxDiskGb);
}

}  // namespace
}  // namespace rh
