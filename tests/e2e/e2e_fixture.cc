// rh_e2e_fixture: what the end-to-end tests need besides the `rockhound` CLI, written through
// the real stores:
//   rh_e2e_fixture reports  <fleet_db> <memory_db>
//       stores one report for each of the (at most 6) worst Critical or Warning clusters of the
//       scored fleet, as a worker would, with severities critical, high, medium in turn (the
//       third one insufficient_data), and prints {"reports": [{"report_id", "cluster_id",
//       "severity", "category"}]};
//   rh_e2e_fixture complete <fleet_db> <memory_db> <task_id>
//       plays one investigation worker for that task: claims it, stores a report, completes it,
//       and prints {"report_id": ...}. Other tasks it claims on the way are released untouched.
// Exit code 0 on success, 1 with a message on stderr otherwise.
#include <cstdio>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "store/database.h"
#include "store/report_store.h"
#include "store/schema.h"
#include "store/task_queue.h"
#include "tests/server/fleet_seed.h"

namespace {

using rh::Json;
using rh::Result;
using rh::Status;

Result<std::unique_ptr<rh::store::Database>> Open(const std::string& path,
                                                  rh::store::SchemaSet schema) {
  RH_ASSIGN_OR_RETURN(auto db, rh::store::OpenDatabase(path));
  RH_RETURN_IF_ERROR(rh::store::Migrate(*db, schema));
  return db;
}

Status StoreReports(rh::store::Database& fleet, rh::store::Database& memory) {
  RH_ASSIGN_OR_RETURN(
      rh::store::QueryResult risks,
      fleet.Query("SELECT r.cluster_id, r.risk_level, r.snapshot_time FROM "
                  "cluster_risk_snapshots r JOIN (SELECT cluster_id, MAX(snapshot_time) AS t "
                  "FROM cluster_risk_snapshots GROUP BY cluster_id) m ON m.cluster_id = "
                  "r.cluster_id AND m.t = r.snapshot_time WHERE r.risk_level <> 'Healthy' "
                  "ORDER BY r.health_score, r.cluster_id LIMIT 6"));
  if (risks.empty()) {
    return rh::NotFound("fleet", "has no Critical or Warning cluster; run `rockhound cycle` first");
  }
  // The third report found too little data: the web page must explain it next to a Critical
  // or Warning score.
  static const rh::RootCause kCategories[] = {
      rh::RootCause::kDiskCapacity,     rh::RootCause::kCompactionBacklog,
      rh::RootCause::kInsufficientData, rh::RootCause::kCpuSaturation,
      rh::RootCause::kSlowQueries,      rh::RootCause::kQueryErrors};
  rh::store::ReportStore reports(memory);
  Json out = {{"reports", Json::array()}};
  int report_idx = 0;
  for (const rh::store::Row& row : risks) {
    const rh::Severity severity = rh::kAllSeverities[report_idx % 3];  // critical, high, medium
    const rh::TimePoint at = row.GetTime("snapshot_time").value_or(rh::testing::SeedNow()) -
                             std::chrono::minutes(5 * report_idx);
    rh::store::StoredReport report = rh::testing::MakeStoredReport(
        row.GetString("cluster_id"), severity, kCategories[report_idx % 6], at);
    RH_ASSIGN_OR_RETURN(std::string report_id, reports.Insert(report));
    out["reports"].push_back(
        {{"report_id", report_id},
         {"cluster_id", report.cluster_id},
         {"severity", std::string(rh::SeverityName(severity))},
         {"category", std::string(rh::RootCauseName(report.category))}});
    ++report_idx;
  }
  std::printf("%s\n", rh::DumpJson(out).c_str());
  return {};
}

Status Complete(rh::store::Database& memory, const std::string& task_id) {
  rh::SystemClock clock;
  rh::store::TaskQueue queue(memory, clock, rh::QueueConfig{});
  const std::string owner = "e2e-fixture";
  std::vector<std::string> held;
  Status status = [&]() -> Status {
    for (int claim_idx = 0; claim_idx < 1000; ++claim_idx) {
      RH_ASSIGN_OR_RETURN(std::optional<rh::store::Task> claimed, queue.Claim(owner));
      if (!claimed) return rh::NotFound("task " + task_id, "is not claimable");
      if (claimed->id != task_id) {
        held.push_back(claimed->id);
        continue;
      }
      rh::store::ReportStore reports(memory);
      RH_ASSIGN_OR_RETURN(std::string report_id, reports.Insert(rh::testing::MakeStoredReport(
                                                     claimed->cluster_id, rh::Severity::kHigh,
                                                     rh::RootCause::kDiskCapacity, clock.Now(),
                                                     claimed->id)));
      RH_RETURN_IF_ERROR(queue.Complete(task_id, owner, report_id));
      std::printf("%s\n", rh::DumpJson(Json{{"report_id", report_id}}).c_str());
      return {};
    }
    return rh::Internal("task " + task_id, "not found among the first 1000 claimable tasks");
  }();
  for (const std::string& other : held) (void)queue.Release(other, owner);
  return status;
}

int Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3 || (args[0] == "complete" && args.size() < 4)) {
    std::fprintf(stderr,
                 "usage: rh_e2e_fixture reports <fleet_db> <memory_db>\n"
                 "       rh_e2e_fixture complete <fleet_db> <memory_db> <task_id>\n");
    return 2;
  }
  auto fleet = Open(args[1], rh::store::SchemaSet::kFleet);
  auto memory = Open(args[2], rh::store::SchemaSet::kMemory);
  if (!fleet || !memory) {
    std::fprintf(stderr, "error: %s\n",
                 (!fleet ? fleet.error() : memory.error()).ToString().c_str());
    return 1;
  }
  Status status = args[0] == "reports" ? StoreReports(**fleet, **memory)
                  : args[0] == "complete"
                      ? Complete(**memory, args[3])
                      : rh::InvalidArgument(args[0], "unknown command; use reports or complete");
  if (!status) {
    std::fprintf(stderr, "error: %s\n", status.error().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
