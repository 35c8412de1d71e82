#include "service/alert_intake.h"

#include <set>

#include "core/log.h"
#include "service/investigations.h"

namespace rh::service {

Result<AlertIntakeResult> AlertIntake::IngestWebhook(std::string_view body) {
  alerts::WebhookOptions options;
  options.cluster_label = runtime_.config().server.cluster_label;
  RH_ASSIGN_OR_RETURN(std::vector<alerts::WebhookAlert> parsed,
                      alerts::ParseAlertWebhook(body, options));
  return Ingest(parsed);
}

Result<AlertIntakeResult> AlertIntake::Ingest(const std::vector<alerts::WebhookAlert>& received) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  AlertIntakeResult result;
  RH_ASSIGN_OR_RETURN(result.ingested,
                      alerts::AlertIngestor(*fleet, runtime_.clock()).Ingest(received));
  if (runtime_.config().server.investigate_critical_alerts) {
    // One task per cluster with a NEW firing critical alert.
    std::set<std::string> clusters;
    for (const alerts::WebhookAlert& alert : result.ingested.inserted_alerts) {
      if (alert.status == "Firing" && alert.severity == "critical") {
        clusters.insert(alert.cluster_id);
      }
    }
    Investigations investigations(runtime_);
    for (const std::string& cluster_id : clusters) {
      std::string names;
      for (const alerts::WebhookAlert& alert : result.ingested.inserted_alerts) {
        if (alert.cluster_id != cluster_id || alert.severity != "critical") continue;
        if (names.find(alert.alert_name) != std::string::npos) continue;
        names += (names.empty() ? "" : ", ") + alert.alert_name;
      }
      InvestigationSpec spec;
      spec.cluster_id = cluster_id;
      spec.source = store::TaskSource::kWebhook;
      spec.priority = 1;
      spec.requester = "alertmanager";
      spec.question = "Critical alert firing: " + names;
      auto requested = investigations.Request(spec);
      if (!requested) {
        ++result.enqueue_failures;
        Logger("service")->error("cluster={} webhook investigation not queued: {}", cluster_id,
                                 requested.error().ToString());
        continue;
      }
      result.tasks.push_back(QueuedFromAlert{requested->task.id, cluster_id, requested->created});
    }
  }
  Logger("service")->info("webhook: {} alerts, {} new, {} already stored",
                          result.ingested.received, result.ingested.inserted,
                          result.ingested.duplicates);
  return result;
}

}  // namespace rh::service
