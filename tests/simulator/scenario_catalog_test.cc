// The scenario catalogue (simulator/scenario_catalog.h): the split into tuning and held-out
// families is fixed and covers every category on both sides; every family generates; a fleet of
// the catalogue is deterministic per seed; and each incident's injected signals are present in
// the tables the tools read (metrics, alerts, operations).
#include "simulator/scenario_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "simulator/fleet_generator.h"
#include "simulator/ground_truth.h"
#include "simulator/internal/scenarios/mode.h"
#include "simulator/internal/scenarios/registry.h"
#include "store/metric_catalog.h"
#include "tests/fakes/test_env.h"
#include "tests/simulator/sim_test_util.h"

namespace rh::simulator {
namespace {

using internal::ModeFamily;
using internal::Move;
using testing::MetricSeries;
using testing::Series;

const TimePoint kEnd = MakeUtcTime(2026, 11, 21, 10);

// The held-out families, written out: changing the split must change this test too.
const std::set<std::string>& HeldOutNames() {
  static const std::set<std::string> names = {"fe_leader_lost",
                                              "cn_node_lost",
                                              "fe_checkpoint_failure",
                                              "log_disk_fill",
                                              "compaction_failures",
                                              "cpu_organic_growth",
                                              "object_storage_throttling",
                                              "query_queue_saturation",
                                              "resource_group_limit",
                                              "external_catalog_failure",
                                              "kafka_upstream_outage",
                                              "publish_timeout",
                                              "broker_load_nightly",
                                              "mv_refresh_failures",
                                              "config_update_mem_limit",
                                              "balance_storm_after_scale_out",
                                              "slow_rolling_upgrade",
                                              "known_bug_compaction_delay",
                                              "known_bug_routine_load_txn_expired",
                                              "decoy_bug_routine_load_display",
                                              "account_wide_upstream_collapse",
                                              "noisy_static_critical",
                                              "telemetry_gap_with_alerts",
                                              "healthy_innocent_operation"};
  return names;
}

TEST(ScenarioCatalogTest, SplitIsFixed) {
  std::set<std::string> held_out;
  int tuning = 0;
  for (const FamilyInfo& info : ScenarioCatalogue()) {
    if (info.split == FamilySplit::kHeldOut) {
      held_out.insert(info.name);
      EXPECT_TRUE(IsHeldOutFamily(info.name)) << info.name;
      EXPECT_FALSE(info.classic) << info.name << ": the classic families are all tuning families";
    } else {
      ++tuning;
      EXPECT_FALSE(IsHeldOutFamily(info.name)) << info.name;
    }
  }
  EXPECT_EQ(held_out, HeldOutNames());
  const double share = static_cast<double>(tuning) / ScenarioCatalogue().size();
  EXPECT_GE(share, 0.55);
  EXPECT_LE(share, 0.65);
  EXPECT_FALSE(IsHeldOutFamily("no_such_family"));
  EXPECT_FALSE(IsHeldOutFamily("disk_capacity"));
}

TEST(ScenarioCatalogTest, AtLeastThirtyNewModesAndUniqueNames) {
  std::set<std::string> names;
  int modes = 0;
  for (const FamilyInfo& info : ScenarioCatalogue()) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate family " << info.name;
    EXPECT_FALSE(info.summary.empty()) << info.name;
    EXPECT_EQ(info.name.find('/'), std::string::npos) << info.name;
    if (!info.classic) ++modes;
    ASSERT_NE(FindFamily(info.name), nullptr);
    EXPECT_EQ(FindFamily(info.name)->category, info.category);
  }
  EXPECT_GE(modes, 30);
}

TEST(ScenarioCatalogTest, EveryCategoryOnBothSides) {
  std::map<RootCause, std::set<FamilySplit>> sides;
  for (const FamilyInfo& info : ScenarioCatalogue()) sides[info.category].insert(info.split);
  for (RootCause category : kAllRootCauses) {
    EXPECT_EQ(sides[category].count(FamilySplit::kTuning), 1u) << RootCauseName(category);
    EXPECT_EQ(sides[category].count(FamilySplit::kHeldOut), 1u) << RootCauseName(category);
  }
}

TEST(ScenarioCatalogTest, SetsDealTheirFamilies) {
  EXPECT_EQ(FamiliesOf(ScenarioSet::kClassic).size(), 13u);
  const auto tuning = FamiliesOf(ScenarioSet::kTuning);
  const auto held_out = FamiliesOf(ScenarioSet::kHeldOut);
  EXPECT_EQ(tuning.size() + held_out.size(), ScenarioCatalogue().size());
  EXPECT_EQ(FamiliesOf(ScenarioSet::kAll).size(), ScenarioCatalogue().size());
  for (const FamilyInfo& info : tuning) {
    EXPECT_EQ(info.split, FamilySplit::kTuning) << info.name;
  }
  for (const FamilyInfo& info : held_out) {
    EXPECT_EQ(info.split, FamilySplit::kHeldOut) << info.name;
  }
  for (ScenarioSet set :
       {ScenarioSet::kClassic, ScenarioSet::kTuning, ScenarioSet::kHeldOut, ScenarioSet::kAll}) {
    auto parsed = ParseScenarioSet(ScenarioSetName(set));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, set);
  }
  auto bad = ParseScenarioSet("heldout");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().ToString().find("held_out"), std::string::npos) << bad.error().ToString();
}

TEST(ScenarioCatalogTest, FamilyOfScenario) {
  EXPECT_EQ(FamilyOfScenario("be_crash_loop/flapping_partial", RootCause::kNodeFailure),
            "be_crash_loop");
  EXPECT_EQ(FamilyOfScenario("disk_fill_new_ingest_job", RootCause::kDiskCapacity),
            "disk_capacity");
  // The family must exist and carry the row's category.
  EXPECT_EQ(FamilyOfScenario("be_crash_loop/abrupt", RootCause::kDiskCapacity), std::nullopt);
  EXPECT_EQ(FamilyOfScenario("nope/abrupt", RootCause::kNodeFailure), std::nullopt);
}

// ---- generated fleets of the whole catalogue ----

struct CatalogueFleet {
  rh::testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  std::vector<GroundTruthRow> truth;
};

std::unique_ptr<CatalogueFleet> Generate(uint64_t seed, ScenarioSet set) {
  auto fleet = std::make_unique<CatalogueFleet>();
  auto db = store::OpenDatabase(fleet->dir.File("fleet.db"));
  EXPECT_TRUE(db);
  fleet->db = std::move(*db);
  FleetParams params;
  params.clusters = 150;
  params.days = 7;
  params.seed = seed;
  params.end_hour = kEnd;
  params.scenarios = set;
  params.incidents = ScenarioCatalogue().size();
  if (set != ScenarioSet::kAll) params.incidents = static_cast<int>(FamiliesOf(set).size());
  auto stats = GenerateFleet(*fleet->db, params);
  EXPECT_TRUE(stats) << stats.error().ToString();
  auto truth = ReadGroundTruth(*fleet->db);
  EXPECT_TRUE(truth);
  if (truth) fleet->truth = *truth;
  return fleet;
}

CatalogueFleet& FleetFor(uint64_t seed) {
  static std::map<uint64_t, std::unique_ptr<CatalogueFleet>> fleets;
  auto& fleet = fleets[seed];
  if (!fleet) fleet = Generate(seed, ScenarioSet::kAll);
  return *fleet;
}

const ModeFamily* ModeOf(const std::string& family) {
  for (const internal::CatalogueEntry& entry : internal::Catalogue()) {
    if (entry.family->name() == family) return dynamic_cast<const ModeFamily*>(entry.family);
  }
  return nullptr;
}

// Whether the signal moved its metric the way the spec says in some hour of the window, each
// hour compared with the same hour of the (up to three) days before the window, so the daily
// curve does not pass for an effect or hide one.
bool Moved(const internal::Signal& signal, const Series& series, const std::string& since) {
  std::map<int64_t, double> by_hour;  // hours since the epoch -> value
  for (size_t idx = 0; idx < series.hours.size(); ++idx) {
    auto hour = ParseAnyTime(series.hours[idx]);
    if (!hour) continue;
    by_hour[std::chrono::duration_cast<std::chrono::hours>(hour->time_since_epoch()).count()] =
        series.values[idx];
  }
  auto first = ParseAnyTime(since);
  if (!first) return false;
  const int64_t start =
      std::chrono::duration_cast<std::chrono::hours>(FloorToHour(*first).time_since_epoch())
          .count();
  for (const auto& [hour, value] : by_hour) {
    if (hour < start) continue;
    if (signal.move == Move::kCount && value >= 0.5 * signal.lo) return true;
    if (signal.move == Move::kNodesDown && value < 100) return true;
    double sum = 0;
    int days = 0;
    for (int day = 1; day <= 3; ++day) {
      auto before = by_hour.find(hour - 24 * day);
      if (before == by_hour.end() || before->first >= start) continue;
      sum += before->second;
      ++days;
    }
    if (days == 0) continue;
    const double reference = sum / days;
    switch (signal.move) {
      case Move::kLevel:
        if (signal.lo >= reference ? value >= reference + 0.5 * (signal.lo - reference)
                                   : value <= reference - 0.5 * (reference - signal.hi)) {
          return true;
        }
        break;
      case Move::kFactor:
        if (signal.lo <= 1 && signal.hi >= 1) return true;  // a factor around 1: nothing to see
        if (signal.lo > 1 && value >= reference * (1 + 0.4 * (signal.lo - 1))) return true;
        if (signal.hi < 1 && value <= reference * (1 - 0.4 * (1 - signal.hi))) return true;
        break;
      case Move::kShift:
        if (value >= reference + 0.4 * signal.lo) return true;
        break;
      case Move::kCount:
      case Move::kNodesDown:
        break;
    }
  }
  return false;
}

std::vector<std::string> FiredInDescription(const std::string& description) {
  std::vector<std::string> names;
  const size_t at = description.find(" Alerts: ");
  if (at == std::string::npos) return names;
  size_t pos = at + 9;
  while (pos < description.size() && description[pos] == '\'') {
    const size_t end = description.find('\'', pos + 1);
    if (end == std::string::npos) break;
    names.push_back(description.substr(pos + 1, end - pos - 1));
    pos = end + 1;
    if (description.compare(pos, 2, ", ") == 0) pos += 2;
  }
  return names;
}

class CatalogueFleetTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  CatalogueFleet& fleet() { return FleetFor(GetParam()); }
};

TEST_P(CatalogueFleetTest, EveryFamilyGenerates) {
  std::set<std::string> seen;
  for (const GroundTruthRow& row : fleet().truth) {
    auto family = FamilyOfScenario(row.scenario, row.category);
    ASSERT_TRUE(family) << row.scenario << " / " << RootCauseName(row.category);
    seen.insert(*family);
    EXPECT_EQ(FindFamily(*family)->category, row.category);
    EXPECT_FALSE(row.description.empty()) << row.scenario;
  }
  for (const FamilyInfo& info : ScenarioCatalogue()) {
    EXPECT_TRUE(seen.count(info.name)) << "no incident of " << info.name;
  }
}

TEST_P(CatalogueFleetTest, InjectedSignalsAreInTheToolTables) {
  store::Database& db = *fleet().db;
  int checked = 0;
  for (const GroundTruthRow& row : fleet().truth) {
    const std::string family = FamilyOfScenario(row.scenario, row.category).value_or("");
    const ModeFamily* mode = ModeOf(family);
    if (!mode) continue;  // classic families: scenario_test.cc
    const internal::ModeSpec& spec = mode->spec();
    const bool partial = row.scenario.find("_partial") != std::string::npos;
    SCOPED_TRACE(row.cluster_id + " " + row.scenario + ": " + row.description);
    // Metrics.
    for (const internal::Signal& signal : spec.signals) {
      if (signal.optional && partial) continue;
      const std::string metric(store::MetricCatalog()[signal.metric].name);
      const Series series = MetricSeries(db, row.cluster_id, metric);
      EXPECT_TRUE(Moved(signal, series, FormatSqlTime(row.window_start))) << metric;
      ++checked;
    }
    // Telemetry gaps.
    if (spec.telemetry_gap > 0) {
      const Series cpu = MetricSeries(db, row.cluster_id, "starrocks_be_cpu_util_percent");
      ASSERT_FALSE(cpu.hours.empty());
      EXPECT_LT(cpu.hours.back(), FormatSqlTime(row.window_end)) << "the last hour is missing";
    }
    // Alerts: every alert the description names is in lark_alerts; a story whose alerts are not
    // optional fires at least one.
    const std::vector<std::string> fired = FiredInDescription(row.description);
    for (const std::string& name : fired) {
      auto result =
          db.Query("SELECT COUNT(*) FROM lark_alerts WHERE cluster_id = ? AND alert_name = ?",
                   {store::Text(row.cluster_id), store::Text(name)});
      ASSERT_TRUE(result);
      EXPECT_GT(result->front().GetInt(size_t{0}), 0) << name;
    }
    const bool must_fire = std::any_of(spec.alerts.begin(), spec.alerts.end(),
                                       [](const auto& a) { return !a.optional && a.metric < 0; });
    if (must_fire) {
      EXPECT_FALSE(fired.empty());
    }
    // Operations that are part of the story.
    if (spec.operation) {
      auto result = db.Query(
          "SELECT COUNT(*) FROM cluster_operations WHERE cluster_id = ? AND operation_type = ? "
          "AND started_at <= ?",
          {store::Text(row.cluster_id),
           store::Text(spec.operation->kind == internal::OperationKind::kUpgrade  ? "UPGRADE"
                       : spec.operation->kind == internal::OperationKind::kScale  ? "SCALE"
                       : spec.operation->kind == internal::OperationKind::kUpdate ? "UPDATE"
                                                                                  : "RESTART"),
           store::Text(FormatSqlTime(row.window_start))});
      ASSERT_TRUE(result);
      EXPECT_GT(result->front().GetInt(size_t{0}), 0);
    }
    // Versions of known bugs.
    if (!spec.versions.empty()) {
      auto result = db.Query("SELECT version FROM cluster_info WHERE cluster_id = ?",
                             {store::Text(row.cluster_id)});
      ASSERT_TRUE(result);
      const std::string version = result->front().GetString(size_t{0});
      EXPECT_NE(std::find(spec.versions.begin(), spec.versions.end(), version), spec.versions.end())
          << version;
    }
  }
  EXPECT_GT(checked, 40);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CatalogueFleetTest, ::testing::Values(101, 202, 303));

TEST(CatalogueDeterminismTest, SameSeedSameFleetOtherSeedOtherFleet) {
  auto first = Generate(77, ScenarioSet::kAll);
  auto again = Generate(77, ScenarioSet::kAll);
  auto other = Generate(78, ScenarioSet::kAll);
  EXPECT_EQ(testing::FleetChecksums(*first->db), testing::FleetChecksums(*again->db));
  EXPECT_NE(testing::TableChecksum(*first->db, "sim_ground_truth"),
            testing::TableChecksum(*other->db, "sim_ground_truth"));
  EXPECT_NE(testing::TableChecksum(*first->db, "lark_alerts"),
            testing::TableChecksum(*other->db, "lark_alerts"));
}

TEST(CatalogueDeterminismTest, TuningAndHeldOutFleetsHoldOnlyTheirSide) {
  for (ScenarioSet set : {ScenarioSet::kTuning, ScenarioSet::kHeldOut}) {
    auto fleet = Generate(91, set);
    ASSERT_FALSE(fleet->truth.empty());
    for (const GroundTruthRow& row : fleet->truth) {
      auto family = FamilyOfScenario(row.scenario, row.category);
      ASSERT_TRUE(family) << row.scenario;
      EXPECT_EQ(IsHeldOutFamily(*family), set == ScenarioSet::kHeldOut) << *family;
    }
  }
}

TEST(CatalogueDeterminismTest, VariantsAppear) {
  // Across a few seeds the catalogue tells its stories in every shape, with partial symptom
  // sets, custom and Chinese alert names, and missing hours.
  std::set<std::string> shapes;
  int partial = 0, chinese = 0, custom = 0, gaps = 0;
  for (uint64_t seed : {101, 202, 303}) {
    CatalogueFleet& fleet = FleetFor(seed);
    for (const GroundTruthRow& row : fleet.truth) {
      const size_t slash = row.scenario.find('/');
      if (slash == std::string::npos) continue;
      std::string shape = row.scenario.substr(slash + 1);
      if (shape.ends_with("_partial")) {
        ++partial;
        shape.resize(shape.size() - 8);
      }
      shapes.insert(shape);
      if (row.description.find("snapshot hour(s) are missing") != std::string::npos) ++gaps;
    }
    auto zh = fleet.db->Query(
        "SELECT COUNT(*) FROM lark_alerts WHERE detail LIKE '%节点%' OR "
        "detail LIKE '%使用率%' OR detail LIKE '%失败%'");
    ASSERT_TRUE(zh);
    chinese += static_cast<int>(zh->front().GetInt(size_t{0}));
    auto named = fleet.db->Query("SELECT COUNT(*) FROM lark_alerts WHERE alert_name LIKE '[P%'");
    ASSERT_TRUE(named);
    custom += static_cast<int>(named->front().GetInt(size_t{0}));
  }
  EXPECT_EQ(shapes, (std::set<std::string>{"abrupt", "ramp", "flapping", "blip"}));
  EXPECT_GT(partial, 5);
  EXPECT_GT(chinese, 0);
  EXPECT_GT(custom, 0);
  EXPECT_GT(gaps, 0);
}

}  // namespace
}  // namespace rh::simulator
