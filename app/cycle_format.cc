#include "app/cycle_format.h"

#include <cstdio>
#include <set>
#include <vector>

#include "service/lark_feed.h"
#include "simulator/ground_truth.h"

namespace rh::app {

std::string FormatIssuesLine(const service::IssueUpdateResult& issues,
                             const std::optional<issues::IssueCounts>& open_issues) {
  int created = 0, escalated = 0, resolved = 0;
  for (const issues::IssueChange& change : issues.tracked.changes) {
    if (change.created) ++created;
    if (change.escalated) ++escalated;
    if (change.resolved) ++resolved;
  }
  std::string out = "issues              " + std::to_string(created) + " new, " +
                    std::to_string(escalated) + " escalated, " + std::to_string(resolved) +
                    " resolved (" + std::to_string(issues.tracked.alerts_grouped) +
                    " alerts grouped); " + std::to_string(issues.triggers.size()) +
                    " investigation(s) queued";
  if (issues.enqueue_failures > 0) {
    out += ", " + std::to_string(issues.enqueue_failures) + " not queued (see the log)";
  }
  if (open_issues) {
    out += "; open " + std::to_string(open_issues->open_total);
    std::string by_status;
    for (const auto& [status, count] : open_issues->open_by_triage) {
      if (count == 0) continue;
      by_status += (by_status.empty() ? "" : ", ") + std::to_string(count) + " " +
                   std::string(TriageStatusName(status));
    }
    if (!by_status.empty()) out += ": " + by_status;
    if (open_issues->open_escalated > 0) {
      out += " (" + std::to_string(open_issues->open_escalated) + " escalated)";
    }
  }
  return out + "\n";
}

std::string FormatCycleResult(const service::CycleResult& result,
                              const service::CycleOptions& options,
                              const std::optional<issues::IssueCounts>& open_issues) {
  std::string out;
  if (result.lark) out += service::FormatLarkSummary(*result.lark);
  if (!result.lark_error.empty()) out += "lark                catch-up failed: " + result.lark_error + "\n";
  out += sentinel::FormatPassSummary(result.pass);
  out += FormatIssuesLine(result.issues, open_issues);
  char line[256];
  if (!options.investigate) {
    std::snprintf(line, sizeof(line),
                  "investigations      skipped (--no-investigate); %d task(s) queued\n",
                  result.left_queued);
  } else {
    std::snprintf(line, sizeof(line),
                  "investigations      %d done, %d failed attempt(s), %d released; %d still "
                  "queued\n",
                  result.investigations.investigated, result.investigations.failed,
                  result.investigations.released, result.left_queued);
  }
  return out + line;
}


Result<std::string> SimulationCheck(store::Database& fleet, const sentinel::PassSummary& pass) {
  RH_ASSIGN_OR_RETURN(std::vector<simulator::GroundTruthRow> truth,
                      simulator::ReadGroundTruth(fleet));
  if (truth.empty()) return std::string();
  std::set<std::string> incident_clusters;
  for (const simulator::GroundTruthRow& row : truth) incident_clusters.insert(row.cluster_id);
  std::set<std::string> flagged;
  for (const auto& decision : pass.created) flagged.insert(decision.cluster_id);
  for (const auto& decision : pass.cooling) flagged.insert(decision.cluster_id);
  for (const auto& decision : pass.unchanged) flagged.insert(decision.cluster_id);
  std::vector<std::string> missed;
  int incidents_flagged = 0;
  for (const std::string& cluster : incident_clusters) {
    if (flagged.count(cluster)) {
      ++incidents_flagged;
    } else {
      missed.push_back(cluster);
    }
  }
  std::vector<std::string> false_alarms;
  int healthy_clusters = 0;
  for (const sentinel::ClusterScore& cluster : pass.scoring.clusters) {
    if (incident_clusters.count(cluster.cluster_id)) continue;
    ++healthy_clusters;
    if (flagged.count(cluster.cluster_id)) false_alarms.push_back(cluster.cluster_id);
  }
  auto list = [](const std::vector<std::string>& clusters) {
    std::string out;
    for (size_t cluster_idx = 0; cluster_idx < clusters.size() && cluster_idx < 8; ++cluster_idx) {
      out += (cluster_idx ? ", " : "") + clusters[cluster_idx];
    }
    if (clusters.size() > 8) out += ", ...";
    return out;
  };
  std::string text = "simulated fleet: " + std::to_string(incidents_flagged) + " of " +
                     std::to_string(incident_clusters.size()) + " incident clusters queued";
  if (!missed.empty()) text += " (missed: " + list(missed) + ")";
  text += "; " + std::to_string(false_alarms.size()) + " of " + std::to_string(healthy_clusters) +
          " healthy clusters queued";
  if (!false_alarms.empty()) text += " (" + list(false_alarms) + ")";
  return text;
}

}  // namespace rh::app
