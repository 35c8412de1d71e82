#include "tests/server/fleet_seed.h"

#include <cmath>
#include <vector>

#include "agent/report.h"
#include "core/json.h"
#include "core/time_format.h"
#include "store/schema.h"

namespace rh::testing {
namespace {

using store::Int;
using store::Null;
using store::Real;
using store::Text;
using store::Time;

struct SeedCluster {
  const char* cluster_id;
  const char* name;
  const char* account_id;
  const char* region;
  const char* version;
  const char* run_mode;
  double score_now;    // < 0: not scored
  double score_start;  // 24 hours earlier
  int firing_alerts;
};

constexpr SeedCluster kClusters[] = {
    {kCriticalCluster, "alpha-prod", "acct-alpha", "cn-hangzhou", "3.3.4", "shared_nothing", 41.5,
     83.0, 7},
    {kWarningCluster, "alpha-etl", "acct-alpha", "cn-hangzhou", "3.2.11", "shared_data", 66.0, 74.0,
     2},
    {kHealthyCluster, "beta-dw", "acct-beta", "ap-southeast-1", "3.3.4", "shared_nothing", 88.0,
     87.0, 0},
    {kQuietCluster, "gamma-dev", "acct-gamma", "us-west-1", "3.1.9", "shared_nothing", 96.0, 96.0,
     0},
    {kUnscoredCluster, "gamma-new", "acct-gamma", "us-west-1", "3.3.4", "shared_data", -1, -1, 0},
};

std::string RiskOf(double score) {
  if (score < 50) return "Critical";
  if (score < 80) return "Warning";
  return "Healthy";
}

}  // namespace

TimePoint SeedNow() { return MakeUtcTime(2026, 11, 21, 10); }

Status SeedFleet(store::Database& fleet) {
  RH_RETURN_IF_ERROR(store::Migrate(fleet, store::SchemaSet::kFleet));
  const TimePoint now = SeedNow();
  return fleet.Transaction([&]() -> Status {
    for (const auto& [account_id, name, tier] :
         {std::tuple{"acct-alpha", "Alpha Retail", "S"}, std::tuple{"acct-beta", "Beta Bank", "A"},
          std::tuple{"acct-gamma", "Gamma Games", "C"}}) {
      RH_RETURN_IF_ERROR(fleet.Execute(
          "INSERT INTO dim_customer_profile (account_id, account_name, customer_tier, owner, "
          "industry, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {Text(account_id), Text(name), Text(tier), Text("sre@example.com"), Text("retail"),
           Time(now - std::chrono::hours(24 * 400))}));
    }
    for (const SeedCluster& cluster : kClusters) {
      RH_RETURN_IF_ERROR(fleet.Execute(
          "INSERT INTO cluster_info (cluster_id, cluster_name, account_id, region, version, "
          "run_mode, package_type, status, created_at, updated_at) VALUES "
          "(?, ?, ?, ?, ?, ?, 'official', 'running', ?, ?)",
          {Text(cluster.cluster_id), Text(cluster.name), Text(cluster.account_id),
           Text(cluster.region), Text(cluster.version), Text(cluster.run_mode),
           Time(now - std::chrono::hours(24 * 200)), Time(now - std::chrono::hours(24))}));
      const bool shared_data = std::string_view(cluster.run_mode) == "shared_data";
      for (const auto& [node_type, count, cu, disk] :
           {std::tuple{"FE", 3, 8, 200}, std::tuple{shared_data ? "CN" : "BE", 6, 16, 1000}}) {
        RH_RETURN_IF_ERROR(fleet.Execute(
            "INSERT INTO cluster_node_groups (cluster_id, node_type, node_count, cu, spec_type, "
            "disk_size_gb, essd_level) VALUES (?, ?, ?, ?, 'standard', ?, 'PL1')",
            {Text(cluster.cluster_id), Text(node_type), Int(count), Int(cu), Int(disk)}));
      }
      if (cluster.score_now < 0) continue;
      double previous = cluster.score_start;
      for (int hour_idx = 23; hour_idx >= 0; --hour_idx) {
        const TimePoint at = now - std::chrono::hours(hour_idx);
        // A straight line from score_start, then (for a falling cluster) a cliff in the last hour.
        const double before_cliff = cluster.score_now < cluster.score_start - 15
                                        ? cluster.score_now + 18
                                        : cluster.score_now;
        double score = hour_idx == 0 ? cluster.score_now
                                     : cluster.score_start + (before_cliff - cluster.score_start) *
                                                                 (23 - hour_idx) / 22.0;
        score = std::round(score * 10) / 10;
        Json top_risks = Json::array();
        if (score < 80) {
          top_risks.push_back({{"metric", "starrocks_be_disks_data_used_pct"},
                               {"value", 91.5},
                               {"state", score < 50 ? "Critical" : "Warning"}});
        }
        RH_RETURN_IF_ERROR(fleet.Execute(
            "INSERT INTO cluster_risk_snapshots (cluster_id, snapshot_time, risk_level, "
            "health_score, previous_score, score_delta, customer_tier, top_risks) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?)",
            {Text(cluster.cluster_id), Time(at), Text(RiskOf(score)), Real(score),
             hour_idx == 23 ? Null() : Real(previous),
             hour_idx == 23 ? Null() : Real(std::round((score - previous) * 10) / 10), Text("S"),
             Text(DumpJson(top_risks))}));
        RH_RETURN_IF_ERROR(fleet.Execute(
            "INSERT INTO cluster_health_scores (cluster_id, snapshot_time, health_score, "
            "metric_score, alert_score, tier_score, risk_level, baseline_score, trend, "
            "firing_alerts, dimension_scores, computed_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {Text(cluster.cluster_id), Time(at), Real(score), Real(score), Real(score), Real(100),
             Text(RiskOf(score)), Real(cluster.score_start), Real(score - 80),
             Int(hour_idx == 0 ? cluster.firing_alerts : 0),
             Text(DumpJson(Json{{"starrocks_be_disks_data_used_pct", score},
                                {"starrocks_be_cpu_util_percent", 90.0}})),
             Time(at)}));
        previous = score;
      }
    }
    for (int alert_idx = 0; alert_idx < 3; ++alert_idx) {
      RH_RETURN_IF_ERROR(fleet.Execute(
          "INSERT INTO lark_alerts (message_id, cluster_id, account_id, region, alert_name, "
          "severity, status, detail, source, alert_time, starts_at, created_at) VALUES "
          "(?, ?, 'acct-alpha', 'cn-hangzhou', ?, 'critical', 'Firing', ?, 'lark', ?, ?, ?)",
          {Text("om_seed_" + std::to_string(alert_idx)), Text(kCriticalCluster),
           Text(alert_idx == 0 ? "BeDiskUsageHigh" : "CompactionScoreHigh"),
           Text("be-" + std::to_string(alert_idx) + " data disk at 93%"),
           Time(now - std::chrono::minutes(20 * alert_idx)),
           Time(now - std::chrono::minutes(20 * alert_idx)), Time(now)}));
    }
    RH_RETURN_IF_ERROR(fleet.Execute(
        "INSERT INTO cluster_operations (operation_id, cluster_id, account_id, operation_type, "
        "actor, parameters, result, started_at, finished_at) VALUES "
        "('op-seed-1', ?, 'acct-alpha', 'UPDATE', 'console:alice', '{}', 'SUCCESS', ?, ?)",
        {Text(kCriticalCluster), Time(now - std::chrono::hours(6)),
         Time(now - std::chrono::hours(5))}));
    return {};
  });
}

store::StoredReport MakeStoredReport(const std::string& cluster_id, Severity severity,
                                     RootCause category, TimePoint created_at,
                                     const std::string& task_id) {
  agent::Report report;
  report.severity = severity;
  report.confidence = severity == Severity::kInfo ? 0.55 : 0.82;
  report.root_cause_category = category;
  report.root_cause = "BE data disks on " + cluster_id +
                      " reached 93% after a bulk load; compaction cannot keep up";
  report.summary = "Disk usage on " + cluster_id + " is critical; expand the BE disks.";
  report.evidence = {
      {"call_1", "query_cluster_info", "6 BE nodes, 16 CU, 1000 GB ESSD PL1 each"},
      {"call_2", "query_cluster_metrics", "starrocks_be_disks_data_used_pct avg 91.5, max 93.2"},
      {"call_3", "query_cluster_alerts", "3 firing BeDiskUsageHigh alerts in the last hour"}};
  agent::Recommendation expand;
  expand.action = "Expand each BE data disk from 1000 GB to 2000 GB";
  expand.rationale = "Disk usage 93% with 4%/day growth leaves under two days";
  expand.operation = "expand_disk";
  expand.parameters = {{"to_gb", 2000}};
  expand.risk = "Online operation; I/O may dip for a few minutes";
  agent::Recommendation compaction;
  compaction.action = "Watch the compaction score after the expansion";
  compaction.rationale = "Compaction stalls when disks are nearly full";
  report.recommendations = {expand, compaction};
  // The reasoning: two ranked hypotheses citing the calls, a cause ruled out, a gap.
  agent::Hypothesis disk;
  disk.rank = 1;
  disk.category = category;
  disk.statement = "The bulk load filled the BE data disks";
  disk.likelihood = report.confidence;
  disk.evidence_for = {report.evidence[1]};
  agent::Hypothesis compaction_backlog;
  compaction_backlog.rank = 2;
  compaction_backlog.category = category == RootCause::kCompactionBacklog
                                    ? RootCause::kDiskCapacity
                                    : RootCause::kCompactionBacklog;
  compaction_backlog.statement = "Compaction fell behind and kept old versions on disk";
  compaction_backlog.likelihood = 0.1;
  compaction_backlog.evidence_against = {
      {"call_2", "query_cluster_metrics", "compaction score 12, normal"}};
  report.hypotheses = {disk, compaction_backlog};
  report.ruled_out = {{category == RootCause::kAlertNoise ? RootCause::kNodeFailure
                                                          : RootCause::kAlertNoise,
                       "the disk alerts match the disk usage in the metrics",
                       {report.evidence[2]}}};
  report.missing_evidence = {"query_similar_clusters was not run"};
  Json transcript = Json::array();
  transcript.push_back({{"id", "call_1"},
                        {"tool", "query_cluster_info"},
                        {"input", {{"cluster_id", cluster_id}}},
                        {"output", "{\"be_nodes\":6,\"cu\":16}"},
                        {"is_error", false},
                        {"duration_ms", 12}});
  transcript.push_back({{"id", "call_2"},
                        {"tool", "query_cluster_metrics"},
                        {"input", {{"cluster_id", cluster_id}, {"hours", 24}}},
                        {"output", "{\"disk_used_pct\":{\"avg\":91.5,\"max\":93.2}}"},
                        {"is_error", false},
                        {"duration_ms", 35}});
  transcript.push_back({{"id", "call_3"},
                        {"tool", "query_cluster_alerts"},
                        {"input", {{"cluster_id", cluster_id}}},
                        {"output", "{\"firing\":3}"},
                        {"is_error", false},
                        {"duration_ms", 9}});

  store::StoredReport stored;
  stored.task_id = task_id;
  stored.cluster_id = cluster_id;
  stored.account_id = cluster_id.starts_with("c-alpha") ? "acct-alpha" : "acct-beta";
  stored.engine = EngineKind::kPlaybook;
  stored.severity = report.severity;
  stored.confidence = report.confidence;
  stored.category = report.root_cause_category;
  stored.root_cause = report.root_cause;
  stored.summary = report.summary;
  stored.report_json = DumpJson(agent::ReportToJson(report));
  agent::ReportContext context;
  context.cluster_id = cluster_id;
  context.engine = EngineKind::kPlaybook;
  context.created_at = FormatIsoTime(created_at);
  context.tool_calls = 3;
  stored.markdown = agent::RenderMarkdown(report, context);
  stored.transcript_json = DumpJson(transcript);
  stored.duration_ms = 1800;
  stored.created_at = created_at;
  return stored;
}

Status SeedReports(store::Database& memory) {
  RH_RETURN_IF_ERROR(store::Migrate(memory, store::SchemaSet::kMemory));
  store::ReportStore reports(memory);
  const TimePoint now = SeedNow();
  for (const auto& [cluster_id, severity, category, minutes_ago] :
       {std::tuple{kCriticalCluster, Severity::kCritical, RootCause::kDiskCapacity, 10},
        std::tuple{kWarningCluster, Severity::kMedium, RootCause::kCompactionBacklog, 120},
        std::tuple{kHealthyCluster, Severity::kInfo, RootCause::kAlertNoise, 600}}) {
    auto stored = reports.Insert(
        MakeStoredReport(cluster_id, severity, category, now - std::chrono::minutes(minutes_ago)));
    if (!stored) return Fail(stored.error());
  }
  return {};
}

}  // namespace rh::testing
