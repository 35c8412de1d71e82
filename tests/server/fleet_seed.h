// A small, fixed fleet for the server tests and the browser test: five clusters of three
// accounts with 24 hours of scores (one Critical, one Warning, two Healthy, one not yet
// scored), a few alerts and operations, and three stored reports with evidence, recommendations
// and a tool transcript. Everything is written through the real schema (and the real
// ReportStore); times are fixed around kSeedNow so tests are deterministic.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"
#include "store/report_store.h"

namespace rh::testing {

// The hour the seeded fleet was last scored.
TimePoint SeedNow();

// Cluster ids of the seed, worst first.
inline constexpr const char* kCriticalCluster = "c-alpha-prod";
inline constexpr const char* kWarningCluster = "c-alpha-etl";
inline constexpr const char* kHealthyCluster = "c-beta-dw";
inline constexpr const char* kQuietCluster = "c-gamma-dev";
inline constexpr const char* kUnscoredCluster = "c-gamma-new";

// Migrates and fills the fleet tables of `fleet`.
Status SeedFleet(store::Database& fleet);

// A complete stored report (report JSON, Markdown, transcript) for `cluster_id`, as the
// investigator would store it. `task_id` may be empty.
store::StoredReport MakeStoredReport(const std::string& cluster_id, Severity severity,
                                     RootCause category, TimePoint created_at,
                                     const std::string& task_id = "");

// Migrates the memory schema and stores three reports (critical, medium, info).
Status SeedReports(store::Database& memory);

}  // namespace rh::testing
