// The real `rockhound` binary: fleet generate (refusal to overwrite, --force, bad input writes
// nothing), fleet summary, fleet incidents, and demo (create, then reuse).
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/json.h"
#include "simulator/ground_truth.h"
#include "simulator/scenario_catalog.h"
#include "store/database.h"
#include "tests/fakes/test_env.h"
#include "tests/simulator/sim_test_util.h"

namespace rh::simulator {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class FleetCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = std::string(RH_BINARY_DIR) + "/app/rockhound";
    if (!std::filesystem::exists(binary_)) GTEST_SKIP() << "rockhound is not built: " << binary_;
  }

  // Runs rockhound with --data-dir <temp>/<data> and `args`, isolated from the caller's config.
  CliRun Rockhound(const std::string& data, const std::string& args) {
    const std::string out = dir_.File("stdout.txt");
    const std::string err = dir_.File("stderr.txt");
    const std::string command =
        "env -u ROCKHOUND_FLEET_DB -u ROCKHOUND_MEMORY_DB -u ROCKHOUND_CONFIG -u "
        "ROCKHOUND_DATA_DIR '" + binary_ + "' --data-dir '" + dir_.File(data) + "' " + args +
        " > '" + out + "' 2> '" + err + "'";
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }

  std::unique_ptr<store::Database> OpenFleet(const std::string& data) {
    auto db = store::OpenDatabase(dir_.File(data) + "/fleet.db");
    EXPECT_TRUE(db) << db.error().ToString();
    return db ? std::move(*db) : nullptr;
  }

  rh::testing::TempDir dir_;
  std::string binary_;
};

constexpr const char* kGenerate =
    "fleet generate --clusters 20 --days 2 --end '2026-11-21 10:00:00'";

TEST_F(FleetCliTest, GenerateRefusesToOverwriteUnlessForced) {
  CliRun first = Rockhound("data", std::string(kGenerate) + " --seed 1");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Generated a simulated fleet"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("20 clusters"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("labelled incidents"), std::string::npos) << first.out;
  std::map<std::string, std::string> before;
  {
    auto db = OpenFleet("data");
    before = testing::FleetChecksums(*db);
  }

  CliRun refused = Rockhound("data", std::string(kGenerate) + " --seed 2");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("already holds a fleet of 20 clusters"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("nothing was written"), std::string::npos) << refused.err;
  {
    auto db = OpenFleet("data");
    EXPECT_EQ(testing::FleetChecksums(*db), before) << "a refusal must not change the fleet";
  }

  CliRun forced = Rockhound("data", std::string(kGenerate) + " --seed 2 --force");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  auto db = OpenFleet("data");
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM cluster_info"), 20);
  auto seed = db->Query("SELECT meta_value FROM fleet_meta WHERE meta_key = 'sim_seed'");
  ASSERT_TRUE(seed);
  EXPECT_EQ(seed->front().GetString(0), "2");
}

TEST_F(FleetCliTest, BadInputIsOneClearErrorAndWritesNothing) {
  CliRun zero = Rockhound("bad", "fleet generate --clusters 0");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--clusters"), std::string::npos) << zero.err;
  EXPECT_EQ(zero.err.find("terminate"), std::string::npos) << zero.err;

  CliRun half_hour = Rockhound("bad", "fleet generate --end '2026-11-21 10:30:00'");
  EXPECT_EQ(half_hour.exit_code, 2);
  EXPECT_NE(half_hour.err.find("on the hour"), std::string::npos) << half_hour.err;

  CliRun garbage = Rockhound("bad", "fleet generate --end yesterday");
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_NE(garbage.err.find("--end"), std::string::npos) << garbage.err;

  CliRun bad_set = Rockhound("bad", "fleet generate --scenarios heldout");
  EXPECT_EQ(bad_set.exit_code, 2);
  EXPECT_NE(bad_set.err.find("--scenarios"), std::string::npos) << bad_set.err;
  EXPECT_NE(bad_set.err.find("held_out"), std::string::npos) << bad_set.err;

  CliRun too_many = Rockhound("bad", "fleet generate --clusters 10 --incidents 50");
  EXPECT_EQ(too_many.exit_code, 2);
  EXPECT_NE(too_many.err.find("--incidents"), std::string::npos) << too_many.err;

  EXPECT_FALSE(std::filesystem::exists(dir_.File("bad") + "/fleet.db"))
      << "bad parameters are rejected before the database is touched";
}

TEST_F(FleetCliTest, GenerateDealsTheChosenScenarioSet) {
  CliRun run = Rockhound("held", "fleet generate --clusters 60 --days 3 --end '2026-11-21 "
                                 "10:00:00' --scenarios held_out --seed 3");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto db = OpenFleet("held");
  ASSERT_NE(db, nullptr);
  auto truth = ReadGroundTruth(*db);
  ASSERT_TRUE(truth) << truth.error().ToString();
  ASSERT_FALSE(truth->empty());
  for (const GroundTruthRow& row : *truth) {
    auto family = FamilyOfScenario(row.scenario, row.category);
    ASSERT_TRUE(family) << row.scenario;
    EXPECT_TRUE(IsHeldOutFamily(*family)) << *family;
  }
  auto set = db->Query("SELECT meta_value FROM fleet_meta WHERE meta_key = 'sim_scenarios'");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->size(), 1u);
  EXPECT_EQ(set->front().GetString(size_t{0}), "held_out");
}

TEST_F(FleetCliTest, SummaryAndIncidentsDescribeTheFleet) {
  ASSERT_EQ(Rockhound("data", std::string(kGenerate) + " --seed 5").exit_code, 0);
  CliRun summary = Rockhound("data", "fleet summary");
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  for (const char* expected : {"Simulated fleet: seed 5", "Clusters:   20", "tier", "versions:",
                               "regions:", "Snapshots:", "2026-11-21 10:00:00", "Alerts:",
                               "still firing", "Operations:", "Labelled incidents:"}) {
    EXPECT_NE(summary.out.find(expected), std::string::npos) << expected << "\n" << summary.out;
  }

  CliRun incidents = Rockhound("data", "fleet incidents");
  ASSERT_EQ(incidents.exit_code, 0) << incidents.err;
  EXPECT_NE(incidents.out.find("Hidden from every tool"), std::string::npos) << incidents.out;
  EXPECT_NE(incidents.out.find("inc-001"), std::string::npos) << incidents.out;

  CliRun json = Rockhound("data", "fleet incidents --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = ParseJson(json.out, "incidents");
  ASSERT_TRUE(parsed) << json.out;
  ASSERT_TRUE(parsed->is_array());
  auto db = OpenFleet("data");
  EXPECT_EQ(static_cast<int64_t>(parsed->size()),
            *db->QueryInt("SELECT COUNT(*) FROM sim_ground_truth"));
  EXPECT_TRUE((*parsed)[0].contains("expected_severity"));

  CliRun empty = Rockhound("empty", "fleet summary");
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("is empty"), std::string::npos) << empty.out;

  CliRun other_db = Rockhound("empty", "fleet summary --db '" + dir_.File("data") + "/fleet.db'");
  ASSERT_EQ(other_db.exit_code, 0) << other_db.err;
  EXPECT_NE(other_db.out.find("Simulated fleet: seed 5"), std::string::npos) << other_db.out;
}

TEST_F(FleetCliTest, DemoCreatesThenReusesTheFleet) {
  CliRun first = Rockhound("demo", "demo --clusters 20 --seed 3");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Generated a simulated fleet"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("Pinned to"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("Simulated fleet: seed 3, 20 clusters x 14 days"), std::string::npos)
      << first.out;

  // The whole pipeline ran: knowledge loaded, cycles queued and investigated, reports listed and
  // checked against the injected incidents.
  EXPECT_NE(first.out.find("Starter knowledge: 13 documents (13 added"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("Cycle at the last hour, engine: offline playbook"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("incident clusters queued"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("Diagnosis matches the injected incident on"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("rockhound reports show rpt_"), std::string::npos) << first.out;
  auto memory = store::OpenDatabase(dir_.File("demo") + "/memory.db");
  ASSERT_TRUE(memory) << memory.error().ToString();
  const int64_t reports = *(*memory)->QueryInt("SELECT COUNT(*) FROM investigation_reports");
  EXPECT_GT(reports, 0);
  EXPECT_EQ(*(*memory)->QueryInt("SELECT COUNT(*) FROM investigation_tasks WHERE status <> 'done'"),
            0);

  CliRun second = Rockhound("demo", "demo");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  // Within the cooldown nothing is investigated again; the same reports are listed.
  EXPECT_NE(second.out.find("Nothing new queued"), std::string::npos) << second.out;
  EXPECT_EQ(*(*memory)->QueryInt("SELECT COUNT(*) FROM investigation_reports"), reports);
  EXPECT_NE(second.out.find("Reusing the simulated fleet"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("Generated a simulated fleet"), std::string::npos) << second.out;

  CliRun fresh = Rockhound("demo", "demo --clusters 25 --fresh");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("Generated a simulated fleet"), std::string::npos) << fresh.out;
  EXPECT_NE(fresh.out.find("Cleared the investigation tasks and reports"), std::string::npos)
      << fresh.out;
  auto db = OpenFleet("demo");
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM cluster_info"), 25);
  // Every report now belongs to the new fleet.
  std::set<std::string> clusters;
  auto fleet_clusters = db->Query("SELECT cluster_id FROM cluster_info");
  ASSERT_TRUE(fleet_clusters) << fleet_clusters.error().ToString();
  for (const store::Row row : *fleet_clusters) {
    clusters.insert(row.GetString(0));
  }
  auto report_clusters = (*memory)->Query("SELECT cluster_id FROM investigation_reports");
  ASSERT_TRUE(report_clusters) << report_clusters.error().ToString();
  EXPECT_GT(report_clusters->size(), 0u);
  for (const store::Row row : *report_clusters) {
    EXPECT_TRUE(clusters.count(row.GetString(0))) << row.GetString(0);
  }
}

}  // namespace
}  // namespace rh::simulator
