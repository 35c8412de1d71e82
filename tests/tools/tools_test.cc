// Content tests of the eight tools on the standard hand-made fleet, on SQLite and MariaDB: each
// checks what an investigator needs to see, the budget marker and the bad-input errors.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "alerts/lark_alert_store.h"
#include "core/time_format.h"
#include "tests/tools/tools_fixture.h"

namespace rh::testing {
namespace {

using tools::ToolResult;

double HoursBeforeNow(const Json& iso) {
  auto time = ParseIsoTime(iso.get<std::string>());
  EXPECT_TRUE(time) << iso;
  return std::chrono::duration<double, std::ratio<3600>>(ToolsTestNow() - *time).count();
}

bool Contains(const Json& array, const std::string& value) {
  for (const Json& item : array) {
    if (item == value) return true;
  }
  return false;
}

const Json* Dimension(const Json& out, const std::string& name) {
  for (const Json& dimension : out["dimensions"]) {
    if (dimension["dimension"] == name) return &dimension;
  }
  return nullptr;
}

using ToolsTest = ToolsBackendTest;

TEST_P(ToolsTest, RegistryHasTheEightToolsInProtocolOrder) {
  std::vector<std::string> names = registry_->Names();
  ASSERT_EQ(names.size(), 8u);
  for (size_t tool_idx = 0; tool_idx < names.size(); ++tool_idx) {
    EXPECT_EQ(names[tool_idx], tools::kInvestigationToolNames[tool_idx]);
    const tools::Tool* tool = registry_->Find(names[tool_idx]);
    EXPECT_GT(tool->description().size(), 200u) << names[tool_idx];
    EXPECT_EQ(tool->input_schema()["additionalProperties"], false);
  }
}

TEST_P(ToolsTest, ClusterInfoGivesOwnerTopologyAndHealthTrend) {
  Json out = Ok("query_cluster_info", {{"cluster_id", "c-disk0001"}});
  EXPECT_EQ(out["account"]["account_id"], "acct-alpha1");
  EXPECT_EQ(out["account"]["customer_tier"], "S");
  EXPECT_EQ(out["account"]["clusters"], 3);
  EXPECT_EQ(out["version"], "3.2.1");
  EXPECT_EQ(out["architecture"], "shared_nothing");
  ASSERT_EQ(out["node_groups"].size(), 2u);
  EXPECT_EQ(out["node_groups"][0]["node_type"], "FE");
  EXPECT_EQ(out["node_groups"][1]["node_type"], "BE");
  EXPECT_EQ(out["node_groups"][1]["cu"], 16);
  EXPECT_EQ(out["node_groups"][1]["essd_level"], "PL2");
  EXPECT_EQ(out["totals"]["nodes"], 6);
  const Json& health = out["health"];
  EXPECT_EQ(health["available"], true);
  EXPECT_EQ(health["score"], 45);
  EXPECT_EQ(health["risk_level"], "Critical");
  EXPECT_EQ(health["score_24h_ago"], 72);
  EXPECT_EQ(health["score_7d_ago"], 92);
  EXPECT_EQ(health["direction"], "declining");
  EXPECT_EQ(health["change_24h"], -27);
  ASSERT_EQ(health["top_risks"].size(), 1u);
  EXPECT_EQ(health["top_risks"][0]["metric"], "disk");
}

TEST_P(ToolsTest, ClusterInfoToleratesAnUnscoredCluster) {
  Json out = Ok("query_cluster_info", {{"cluster_id", "c-flap0001"}});
  EXPECT_EQ(out["architecture"], "shared_data");
  EXPECT_EQ(out["node_groups"][1]["node_type"], "CN");
  EXPECT_EQ(out["health"]["available"], false);
  EXPECT_NE(out["health"]["note"].get<std::string>().find("scorer"), std::string::npos);
}

TEST_P(ToolsTest, UnknownAndMalformedClustersAreClearErrors) {
  std::string unknown = Err("query_cluster_info", {{"cluster_id", "c-disk9999"}});
  EXPECT_NE(unknown.find("not_found"), std::string::npos);
  EXPECT_NE(unknown.find("ids with the same prefix: c-disk0001"), std::string::npos) << unknown;
  std::string by_name = Err("query_cluster_alerts", {{"cluster_id", "name-c-disk0001"}});
  EXPECT_NE(by_name.find("its id is c-disk0001"), std::string::npos) << by_name;
  for (std::string_view tool_name : tools::kInvestigationToolNames) {
    std::string tool(tool_name);
    if (std::string(tool) == "search_knowledge_lake" || std::string(tool) == "run_sql") continue;
    std::string bad = Err(tool, {{"cluster_id", "C-DISK'; DROP TABLE x"}});
    EXPECT_NE(bad.find("invalid input for " + std::string(tool) +
                       ": cluster_id: ids are 1 to "
                       "64 lower-case letters"),
              std::string::npos)
        << bad;
    std::string missing = Err(tool, Json::object());
    EXPECT_NE(missing.find("cluster_id: required property is missing"), std::string::npos);
  }
}

TEST_P(ToolsTest, AlertsShowWhatIsFiringAndSince) {
  Json out = Ok("query_cluster_alerts", {{"cluster_id", "c-disk0001"}, {"window_hours", 48}});
  EXPECT_EQ(out["summary"]["messages"], 2);
  EXPECT_EQ(out["summary"]["currently_firing"], 1);
  ASSERT_EQ(out["currently_firing"].size(), 1u);
  EXPECT_EQ(out["currently_firing"][0]["alert_name"], "Data Disk Capacity Alert");
  EXPECT_EQ(out["currently_firing"][0]["severity"], "critical");
  EXPECT_EQ(out["currently_firing"][0]["minutes_firing"], 9 * 60);
  EXPECT_NEAR(HoursBeforeNow(out["summary"]["first_firing_in_window"]), 28, 0.01);
  ASSERT_EQ(out["alerts"].size(), 1u);
  EXPECT_EQ(out["alerts"][0]["firing"], 2);
  EXPECT_EQ(out["alerts"][0]["episodes"], 1) << "a re-notification is not a new episode";
  EXPECT_EQ(out["alerts"][0]["flapping"], false);
  EXPECT_NE(out["alerts"][0]["latest_detail"].get<std::string>().find("85.6%"), std::string::npos);
  EXPECT_EQ(out["recent_messages"][0]["detail"], "BE data disk used 85.6% on be-1 (threshold 85%)");
}

// A Lark card with two sections on two clusters is one row ("c-disk0001|c-sib00002"): the
// alerts tool shows each cluster its own section only.
TEST_P(ToolsTest, AlertsSeeAMultiSectionLarkRowSectionBySection) {
  alerts::LarkAlertSection memory;
  memory.cluster_id = "c-disk0001";
  memory.status = alerts::LarkAlertStatus::kFiring;
  memory.alert_name = "Memory Alert";
  memory.alert_detail = "BE memory 91%";
  memory.severity = "critical";
  alerts::LarkAlertSection cpu = memory;
  cpu.cluster_id = "c-sib00002";
  cpu.status = alerts::LarkAlertStatus::kResolved;
  cpu.alert_name = "BE CPU Alert";
  cpu.alert_detail = "BE CPU 35%";
  cpu.severity = "warning";
  alerts::LarkAlertRow row = alerts::LarkAlertRowFromSections(
      "om_card", "oc_chat", ToolsTestNow() - std::chrono::hours(1), {memory, cpu});
  ASSERT_EQ(row.cluster_id, "c-disk0001|c-sib00002");
  ASSERT_TRUE(alerts::LarkAlertStore(db(), *clock_).Insert({row}, {}));
  Json disk = Ok("query_cluster_alerts", {{"cluster_id", "c-disk0001"}, {"window_hours", 48}});
  EXPECT_EQ(disk["summary"]["messages"], 3);
  EXPECT_EQ(disk["summary"]["currently_firing"], 2);
  bool memory_firing = false;
  for (const Json& alert : disk["currently_firing"]) {
    memory_firing = memory_firing || alert["alert_name"] == "Memory Alert";
    EXPECT_NE(alert["alert_name"], "BE CPU Alert");
  }
  EXPECT_TRUE(memory_firing) << disk.dump();
  Json sibling = Ok("query_cluster_alerts", {{"cluster_id", "c-sib00002"}, {"window_hours", 72}});
  EXPECT_EQ(sibling["summary"]["messages"], 3);
  EXPECT_EQ(sibling["summary"]["currently_firing"], 0) << sibling.dump();
  EXPECT_EQ(sibling["recent_messages"][0]["detail"], "BE CPU 35%") << sibling.dump();
}

TEST_P(ToolsTest, AlertsDetectFlapping) {
  Json out = Ok("query_cluster_alerts", {{"cluster_id", "c-flap0001"}});
  EXPECT_EQ(out["window"]["hours"], 24);
  EXPECT_TRUE(Contains(out["flapping_alerts"], "BE CPU Alert"));
  EXPECT_EQ(out["alerts"][0]["episodes"], 5);
  EXPECT_EQ(out["alerts"][0]["resolved"], 4);
  EXPECT_EQ(out["alerts"][0]["currently_firing"], true);
  EXPECT_EQ(out["summary"]["flapping"], 1);
}

TEST_P(ToolsTest, AlertsFilterAndEmptyWindow) {
  Json filtered =
      Ok("query_cluster_alerts",
         {{"cluster_id", "c-sib00002"}, {"window_hours", 72}, {"alert_name", "BE CPU Alert"}});
  EXPECT_EQ(filtered["summary"]["messages"], 2);
  EXPECT_EQ(filtered["summary"]["currently_firing"], 0) << "it resolved";
  Json empty = Ok("query_cluster_alerts", {{"cluster_id", "c-sib00001"}});
  EXPECT_EQ(empty["summary"]["messages"], 0);
  EXPECT_NE(empty["note"].get<std::string>().find("widen window_hours"), std::string::npos);
}

TEST_P(ToolsTest, MetricsShowTheDiskFillingWithItsStartHour) {
  Json out = Ok("query_cluster_metrics", {{"cluster_id", "c-disk0001"}, {"window_hours", 24}});
  EXPECT_TRUE(Contains(out["summary"]["critical"], "disk"));
  EXPECT_EQ(out["dimensions"][0]["dimension"], "disk") << "worst first";
  const Json* disk = Dimension(out, "disk");
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ((*disk)["state"], "critical");
  EXPECT_NEAR((*disk)["latest"].get<double>(), 92.0, 0.5);
  EXPECT_NEAR((*disk)["baseline_avg"].get<double>(), 55.0, 1.0);
  EXPECT_GT((*disk)["change"].get<double>(), 20);
  EXPECT_GT((*disk)["trend_per_hour"].get<double>(), 0.6);
  EXPECT_EQ((*disk)["thresholds"]["critical"], 85);
  // Crossed 85% about 9 hours ago.
  EXPECT_NEAR(HoursBeforeNow((*disk)["state_since"]), 9, 1.01);
  // The ramp started 48 hours ago.
  ASSERT_TRUE(disk->contains("change_point")) << disk->dump();
  EXPECT_EQ((*disk)["change_point"]["direction"], "rising");
  EXPECT_NEAR(HoursBeforeNow((*disk)["change_point"]["started"]), 48, 3.01);
  EXPECT_NEAR((*disk)["change_point"]["level_before"].get<double>(), 55, 1.5);
  EXPECT_EQ(out["data_gap_hours"], 0);
}

TEST_P(ToolsTest, MetricsOfAHealthyClusterRaiseNothing) {
  Json out = Ok("query_cluster_metrics", {{"cluster_id", "c-sib00001"}});
  EXPECT_TRUE(out["summary"]["critical"].empty()) << out["summary"];
  EXPECT_TRUE(out["summary"]["warning"].empty()) << out["summary"];
  EXPECT_TRUE(out["summary"]["changed"].empty()) << out["summary"];
  EXPECT_EQ(out["dimensions"].size(), 14u);
  for (const Json& dimension : out["dimensions"]) {
    EXPECT_EQ(dimension["samples"], 24) << dimension["dimension"];
    EXPECT_EQ(dimension["state"], "healthy") << dimension["dimension"];
  }
}

TEST_P(ToolsTest, MetricsFlagATelemetryGap) {
  Json out = Ok("query_cluster_metrics", {{"cluster_id", "c-gap00001"}, {"dimensions", {"cpu"}}});
  EXPECT_EQ(out["data_gap_hours"], 6);
  EXPECT_NE(out["note"].get<std::string>().find("telemetry gap"), std::string::npos);
  EXPECT_EQ(out["dimensions"][0]["samples"], 18);
  Json none = Ok("query_cluster_metrics",
                 {{"cluster_id", "c-gap00001"}, {"dimensions", {"cpu"}}, {"window_hours", 3}});
  EXPECT_TRUE(Contains(none["summary"]["no_data"], "cpu"));
  EXPECT_EQ(none["dimensions"][0]["state"], "no_data");
}

TEST_P(ToolsTest, MetricsShowALatencyStepAndAnErrorSpike) {
  Json latency = Ok("query_cluster_metrics",
                    {{"cluster_id", "c-oper0001"}, {"dimensions", {"latency", "cpu"}}});
  const Json* p99 = Dimension(latency, "latency");
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ((*p99)["state"], "warning");
  ASSERT_TRUE(p99->contains("change_point")) << p99->dump();
  EXPECT_NEAR(HoursBeforeNow((*p99)["change_point"]["started"]), 20, 1.01);
  EXPECT_EQ(latency["dimensions"].size(), 2u);
  Json errors = Ok("query_cluster_metrics",
                   {{"cluster_id", "c-acct0001"}, {"dimensions", {"starrocks_fe_query_err"}}});
  EXPECT_EQ(errors["dimensions"][0]["state"], "critical");
  EXPECT_NEAR(HoursBeforeNow(errors["dimensions"][0]["state_since"]), 5, 0.01);
}

TEST_P(ToolsTest, MetricsRejectUnknownDimensions) {
  std::string error =
      Err("query_cluster_metrics", {{"cluster_id", "c-disk0001"}, {"dimensions", {"ram"}}});
  EXPECT_NE(error.find("dimensions[0]: must be one of cpu, jvm_heap, disk"), std::string::npos)
      << error;
}

TEST_P(ToolsTest, OperationsAreTimedAgainstTheFirstAlert) {
  Json out = Ok("query_cluster_operations", {{"cluster_id", "c-oper0001"}});
  EXPECT_EQ(out["window"]["hours"], 168);
  EXPECT_EQ(out["first_alert"]["alert_name"], "Query Latency Alert");
  ASSERT_EQ(out["operations"].size(), 2u) << "the SCALE 10 days ago is outside the window";
  const Json& upgrade = out["operations"][0];
  EXPECT_EQ(upgrade["type"], "UPGRADE");
  EXPECT_EQ(upgrade["parameters"]["to_version"], "3.1.9");
  EXPECT_EQ(upgrade["minutes_before_first_alert"], 60);
  EXPECT_EQ(upgrade["next_alert"]["alert_name"], "Query Latency Alert");
  EXPECT_EQ(upgrade["next_alert"]["minutes_after"], 60);
  EXPECT_EQ(upgrade["duration_minutes"], 12);
  EXPECT_EQ(out["operations"][1]["type"], "UPDATE");
  EXPECT_EQ(out["operations"][1]["actor"], "alice");
  EXPECT_EQ(out["summary"]["by_type"]["UPGRADE"], 1);

  Json wide =
      Ok("query_cluster_operations",
         {{"cluster_id", "c-oper0001"}, {"window_hours", 24 * 11}, {"operation_type", "SCALE"}});
  ASSERT_EQ(wide["operations"].size(), 1u);
  EXPECT_EQ(wide["operations"][0]["parameters"]["to_cu"], 16);
}

TEST_P(ToolsTest, SecretsInOperationParametersAreMasked) {
  ToolResult result = registry_->Call("query_cluster_operations", {{"cluster_id", "c-oper0001"}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ(result.content.find("hunter2-very-secret"), std::string::npos) << result.content;
  EXPECT_NE(result.content.find("query_timeout=300"), std::string::npos);
}

// A small KnowledgeSearch (the interface knowledge/search.h says tests may fake): a fixed set
// of chunks, filtered like the lake filters them.
class FixedKnowledge final : public knowledge::KnowledgeSearch {
 public:
  Result<std::vector<knowledge::SearchHit>> Search(
      const knowledge::SearchRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = request;
    if (request.query.empty()) return InvalidArgument("query", "empty");
    std::vector<knowledge::SearchHit> all = {
        {"k1", "PageCache exceeds storage_page_cache_limit", "release-3.2.md#3.2.3", "known_bug",
         "3.2.3", "BE memory grows past the page cache limit; fixed by #37740", 0.9},
        {"k2", "Disk full > Free space", "runbooks/disk.md", "resolution", "",
         "Drop expired partitions, then scale the disk", 0.7},
    };
    std::vector<knowledge::SearchHit> hits;
    for (const auto& hit : all) {
      bool kind_ok = request.filter.kinds.empty();
      for (const auto& kind : request.filter.kinds) kind_ok |= kind == hit.kind;
      if (kind_ok && static_cast<int>(hits.size()) < request.k) hits.push_back(hit);
    }
    return hits;
  }
  knowledge::SearchRequest last() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
  }

 private:
  std::mutex mutex_;
  knowledge::SearchRequest last_;
};

TEST_P(ToolsTest, KnowledgeSearchPassesFiltersAndCitesSources) {
  std::string missing = Err("search_knowledge_lake", {{"query", "disk full"}});
  EXPECT_NE(missing.find("Knowledge Lake is not available"), std::string::npos);

  FixedKnowledge lake;
  Rebuild(ToolsConfig{}, &lake);
  Json out = Ok("search_knowledge_lake", {{"query", "BE memory climbing"},
                                          {"mode", "fulltext"},
                                          {"kinds", {"known_bug"}},
                                          {"version", "3.2.1"},
                                          {"k", 3}});
  EXPECT_EQ(lake.last().mode, knowledge::SearchMode::kFulltext);
  EXPECT_EQ(lake.last().filter.version, "3.2.1");
  EXPECT_EQ(lake.last().k, 3);
  ASSERT_EQ(out["hits"].size(), 1u);
  EXPECT_EQ(out["hits"][0]["rank"], 1);
  EXPECT_EQ(out["hits"][0]["kind"], "known_bug");
  EXPECT_EQ(out["hits"][0]["version"], "3.2.3");
  EXPECT_EQ(out["hits"][0]["source"], "release-3.2.md#3.2.3");
  Json defaults = Ok("search_knowledge_lake", {{"query", "disk"}});
  EXPECT_EQ(defaults["mode"], "hybrid");
  EXPECT_EQ(lake.last().k, 5);
  std::string bad_version =
      Err("search_knowledge_lake", {{"query", "disk"}, {"version", "3.2; DROP"}});
  EXPECT_NE(bad_version.find("version: must match"), std::string::npos);
}

TEST_P(ToolsTest, AgentMemoryFindsRepeatsSiblingsAndTheCategory) {
  Json out = Ok("query_agent_memory", {{"cluster_id", "c-disk0001"}});
  ASSERT_EQ(out["this_cluster"].size(), 1u);
  EXPECT_EQ(out["this_cluster"][0]["report_id"], "rpt_disk_old");
  EXPECT_EQ(out["this_cluster"][0]["days_ago"], 20);
  ASSERT_EQ(out["same_account"].size(), 1u);
  EXPECT_EQ(out["same_account"][0]["cluster_id"], "c-sib00001");
  EXPECT_EQ(out["same_category"]["category"], "disk_capacity");
  EXPECT_EQ(out["same_category"]["chosen_by"], "latest report of this cluster");
  ASSERT_EQ(out["same_category"]["reports"].size(), 1u);
  EXPECT_EQ(out["same_category"]["reports"][0]["report_id"], "rpt_flap_disk");
  EXPECT_EQ(out["repeats_30d"]["reports"], 1);

  Json by_category =
      Ok("query_agent_memory", {{"cluster_id", "c-acct0001"}, {"category", "memory_pressure"}});
  EXPECT_TRUE(by_category["this_cluster"].empty());
  EXPECT_EQ(by_category["same_category"]["reports"][0]["report_id"], "rpt_sib_mem");
  Json short_look = Ok("query_agent_memory", {{"cluster_id", "c-disk0001"}, {"days", 7}});
  EXPECT_TRUE(short_look["this_cluster"].empty());

  Rebuild(ToolsConfig{}, nullptr, /*with_memory=*/false);
  EXPECT_NE(Err("query_agent_memory", {{"cluster_id", "c-disk0001"}}).find("agent memory"),
            std::string::npos);
}

TEST_P(ToolsTest, SimilarClustersTellAccountWideFromClusterSpecific) {
  Json wide = Ok("query_similar_clusters", {{"cluster_id", "c-acct0001"}});
  EXPECT_EQ(wide["pattern"], "account_wide") << wide["pattern_reason"];
  EXPECT_EQ(wide["account"]["siblings"], 2);
  EXPECT_EQ(wide["account"]["sharing_alerts"], 2);
  EXPECT_EQ(wide["account"]["degraded_and_sharing"], 1);
  EXPECT_EQ(wide["shared_alert_counts"]["Query Failure Alert"], 2);
  EXPECT_EQ(wide["peers"][0]["cluster_id"], "c-acct0002") << "degraded sibling first";
  EXPECT_EQ(wide["peers"][0]["shared_alerts"][0], "Query Failure Alert");

  Json specific = Ok("query_similar_clusters", {{"cluster_id", "c-disk0001"}});
  EXPECT_EQ(specific["pattern"], "cluster_specific");
  EXPECT_EQ(specific["this_cluster"]["firing_alerts"][0], "Data Disk Capacity Alert");
  EXPECT_EQ(specific["version_peers"]["clusters"], 1);
  bool saw_peer = false;
  for (const Json& peer : specific["peers"]) {
    if (peer["cluster_id"] == "c-peer0001") {
      saw_peer = true;
      EXPECT_TRUE(Contains(peer["relation"], "same_version"));
      EXPECT_TRUE(Contains(peer["relation"], "same_spec"));
      EXPECT_EQ(peer["account_id"], "acct-delta1");
    }
  }
  EXPECT_TRUE(saw_peer);
  Json quiet = Ok("query_similar_clusters", {{"cluster_id", "c-sib00001"}, {"limit", 1}});
  EXPECT_EQ(quiet["pattern"], "no_firing_alerts");
  EXPECT_EQ(quiet["peers"].size(), 1u);
  EXPECT_GE(quiet["peers_not_listed"].get<int>(), 1);
}

TEST_P(ToolsTest, RunSqlAnswersReadsAndCapsRows) {
  Json out = Ok("run_sql", {{"sql",
                             "SELECT cluster_id, version FROM cluster_info WHERE "
                             "account_id = 'acct-alpha1' ORDER BY cluster_id"}});
  EXPECT_EQ(out["statement"], "select");
  EXPECT_EQ(out["columns"], Json({"cluster_id", "version"}));
  EXPECT_EQ(out["row_count"], 3);
  EXPECT_EQ(out["rows"][0], Json({"c-disk0001", "3.2.1"}));
  EXPECT_EQ(out["rows_truncated"], false);

  Json capped = Ok("run_sql", {{"sql", "SELECT cluster_id FROM cluster_info"}, {"max_rows", 4}});
  EXPECT_EQ(capped["row_count"], 4);
  EXPECT_EQ(capped["rows_truncated"], true);
  EXPECT_NE(capped["note"].get<std::string>().find("showing 4 of 10 rows"), std::string::npos)
      << capped["note"];

  Json many = Ok("run_sql", {{"sql", "SELECT * FROM amv_hourly_snapshots_v1"}, {"max_rows", 200}});
  EXPECT_EQ(many["rows_truncated"], true);
  EXPECT_NE(many["note"].get<std::string>().find("more than 200"), std::string::npos)
      << many["note"];
  EXPECT_LE(
      registry_
          ->Call("run_sql", {{"sql", "SELECT * FROM amv_hourly_snapshots_v1"}, {"max_rows", 200}})
          .content.size(),
      registry_->budget_chars());
}

TEST_P(ToolsTest, RunSqlDescribesTheSchemaOnEitherBackend) {
  Json tables = Ok("run_sql", {{"sql", "SHOW TABLES"}});
  bool saw_alerts = false;
  for (const Json& row : tables["rows"]) saw_alerts |= row[0] == "lark_alerts";
  EXPECT_TRUE(saw_alerts) << tables.dump();
  Json columns = Ok("run_sql", {{"sql", "DESCRIBE lark_alerts"}});
  EXPECT_EQ(columns["columns"][0], "Field");
  EXPECT_EQ(columns["rows"][0][0], "message_id");
  Json create = Ok("run_sql", {{"sql", "SHOW CREATE TABLE cluster_info"}});
  EXPECT_NE(create["rows"][0][1].get<std::string>().find("cluster_id"), std::string::npos);
  Json plan = Ok("run_sql", {{"sql",
                              "EXPLAIN SELECT * FROM lark_alerts WHERE cluster_id = "
                              "'c-disk0001'"}});
  EXPECT_EQ(plan["statement"], "explain");
  EXPECT_GT(plan["row_count"].get<int>(), 0);
}

TEST_P(ToolsTest, RunSqlNeverShowsTheGroundTruth) {
  ASSERT_TRUE(
      db().Execute("CREATE TABLE sim_ground_truth (incident_id VARCHAR(40), "
                   "cluster_id VARCHAR(64), category VARCHAR(40))"));
  ASSERT_TRUE(
      db().Execute("INSERT INTO sim_ground_truth VALUES ('i1', 'c-disk0001', "
                   "'disk_capacity')"));
  std::string error = Err("run_sql", {{"sql", "SELECT * FROM sim_ground_truth"}});
  EXPECT_NE(error.find("statement rejected: table sim_ground_truth is not readable"),
            std::string::npos)
      << error;
  Json tables = Ok("run_sql", {{"sql", "SHOW TABLES"}});
  for (const Json& row : tables["rows"]) EXPECT_NE(row[0], "sim_ground_truth");
  Err("run_sql", {{"sql", "DESCRIBE sim_ground_truth"}});
}

TEST_P(ToolsTest, RunSqlReportsDatabaseErrorsWithAdvice) {
  std::string error = Err("run_sql", {{"sql", "SELECT no_such_column FROM cluster_info"}});
  EXPECT_NE(error.find("the database refused the statement"), std::string::npos) << error;
  EXPECT_NE(error.find("DESCRIBE <table>"), std::string::npos) << error;
  std::string slow = Err("run_sql", {{"sql",
                                      "SELECT COUNT(*) FROM amv_hourly_snapshots_v1 a, "
                                      "amv_hourly_snapshots_v1 b, amv_hourly_snapshots_v1 c "
                                      "WHERE a.avg_value + b.avg_value < c.avg_value"}});
  EXPECT_NE(slow.find("deadline_exceeded"), std::string::npos) << slow;
}

TEST_P(ToolsTest, EveryToolRespectsASmallBudget) {
  FixedKnowledge lake;
  const std::vector<std::pair<std::string, Json>> calls = {
      {"query_cluster_info", {{"cluster_id", "c-disk0001"}}},
      {"query_cluster_alerts", {{"cluster_id", "c-flap0001"}}},
      {"query_cluster_metrics", {{"cluster_id", "c-disk0001"}}},
      {"query_cluster_operations", {{"cluster_id", "c-oper0001"}, {"window_hours", 400}}},
      {"search_knowledge_lake", {{"query", "disk"}}},
      {"query_agent_memory", {{"cluster_id", "c-disk0001"}}},
      {"query_similar_clusters", {{"cluster_id", "c-acct0001"}}},
      {"run_sql", {{"sql", "SELECT * FROM lark_alerts"}}},
  };
  Rebuild(ToolsConfig{}, &lake);
  std::map<std::string, std::string> full;
  for (const auto& [tool, input] : calls) full[tool] = registry_->Call(tool, input).content;
  ToolsConfig small;
  small.output_budget_tokens = 200;  // 800 characters
  Rebuild(small, &lake);
  int cut = 0;
  for (const auto& [tool, input] : calls) {
    ToolResult result = registry_->Call(tool, input);
    EXPECT_FALSE(result.is_error) << tool << ": " << result.content;
    EXPECT_LE(result.content.size(), 800u) << tool;
    auto parsed = ParseJson(result.content);
    ASSERT_TRUE(parsed) << tool << ": " << result.content;
    if (full[tool].size() <= 800) {
      EXPECT_EQ(result.content, full[tool]) << tool << " was cut although it fits";
      continue;
    }
    ++cut;
    bool marked = parsed->contains("output_truncated") || JsonBool(*parsed, "rows_truncated");
    EXPECT_TRUE(marked) << tool << ": " << result.content;
    if (parsed->contains("output_truncated")) {
      EXPECT_FALSE((*parsed)["output_truncated"]["how_to_narrow"].get<std::string>().empty());
    }
  }
  EXPECT_GE(cut, 5);
}

TEST_P(ToolsTest, TheSmallestBudgetStillEndsWithAMarker) {
  ToolsConfig tiny;
  tiny.output_budget_tokens = 100;  // the minimum the config allows: 400 characters
  Rebuild(tiny);
  for (const char* tool : {"query_cluster_info", "query_cluster_metrics", "query_cluster_alerts"}) {
    ToolResult result = registry_->Call(tool, {{"cluster_id", "c-disk0001"}});
    EXPECT_FALSE(result.is_error) << tool;
    EXPECT_LE(result.content.size(), 400u) << tool;
    bool marked = result.content.find("\"output_truncated\"") != std::string::npos ||
                  result.content.find("[output truncated:") != std::string::npos;
    EXPECT_TRUE(marked) << tool << ": " << result.content;
  }
}

TEST_P(ToolsTest, ToolsRunConcurrently) {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::string> failures;
  for (int thread_idx = 0; thread_idx < 6; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int call_idx = 0; call_idx < 4; ++call_idx) {
        std::string tool(tools::kInvestigationToolNames[(thread_idx + call_idx) % 8]);
        Json input = {{"cluster_id", "c-disk0001"}};
        if (tool == "search_knowledge_lake") continue;
        if (tool == "run_sql") input = {{"sql", "SELECT COUNT(*) FROM lark_alerts"}};
        ToolResult result = registry_->Call(tool, input);
        if (result.is_error) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(tool + ": " + result.content);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
}

INSTANTIATE_TEST_SUITE_P(Backends, ToolsTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
