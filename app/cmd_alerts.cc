// `rockhound alerts list`: the alerts the fleet database holds, from every source (Alertmanager,
// Grafana, Lark), orphans (alerts whose cluster is unknown or unnamed) with their reason.
#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "core/time_format.h"
#include "service/alert_intake.h"

namespace rh::app {
namespace {

struct AlertsListOptions {
  service::AlertQueryText query;
  std::string format = "table";
};

std::string Cut(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

Status RunAlertsList(AppContext& ctx, const AlertsListOptions& options) {
  service::AlertIntake intake(ctx.runtime());
  RH_ASSIGN_OR_RETURN(alerts::AlertPage page, intake.List(options.query));
  if (options.format == "json") {
    Json list = Json::array();
    for (const alerts::StoredAlert& alert : page.alerts) list.push_back(service::AlertJson(alert));
    Json body = {
        {"alerts", std::move(list)},
        {"next_cursor", page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}};
    std::printf("%s\n", DumpJson(body, 2).c_str());
    return {};
  }
  if (page.alerts.empty()) {
    std::printf(
        "no alerts match (alerts arrive through POST /api/v1/alerts/alertmanager, the "
        "Grafana webhook or the Lark feed)\n");
    return {};
  }
  std::printf("%-19s %-14s %-32s %-8s %-9s %-12s %s\n", "ALERT TIME", "CLUSTER", "ALERT", "STATUS",
              "SEVERITY", "SOURCE", "ORPHAN REASON");
  for (const alerts::StoredAlert& stored : page.alerts) {
    const alerts::AlertRecord& alert = stored.alert;
    std::string cluster = alert.cluster_id.empty() ? "-" : alert.cluster_id;
    if (alert.cluster_id.empty() && !alert.cluster_name.empty()) cluster = alert.cluster_name;
    std::printf("%-19s %-14s %-32s %-8s %-9s %-12s %s\n",
                FormatSqlTime(alert.alert_time.value_or(stored.created_at)).c_str(),
                Cut(cluster, 14).c_str(), Cut(alert.alert_name, 32).c_str(), alert.status.c_str(),
                alert.severity.empty() ? "-" : alert.severity.c_str(), alert.source.c_str(),
                stored.orphan() ? alert.orphan_reason.c_str() : "");
  }
  if (!page.next_cursor.empty()) {
    std::printf("(more: --cursor '%s', or narrow with --cluster/--status/--source/--since)\n",
                page.next_cursor.c_str());
  }
  return {};
}

}  // namespace

void RegisterAlertsCommands(CLI::App& app, Action* chosen) {
  CLI::App* alerts = app.add_subcommand("alerts", "Read the alerts the fleet database holds");
  alerts->require_subcommand(1);
  auto options = std::make_shared<AlertsListOptions>();
  CLI::App* list = alerts->add_subcommand(
      "list",
      "List stored alerts, newest first; orphans (unknown or unnamed cluster) show their reason.\n"
      "  rockhound alerts list --status orphan\n"
      "  rockhound alerts list --cluster c-1a2b3c4d --since 24h");
  list->add_option("--cluster", options->query.cluster_id, "Only this cluster");
  list->add_option("--status", options->query.status, "firing | resolved | orphan");
  list->add_option("--source", options->query.source, "alertmanager | grafana | lark | simulator");
  list->add_option("--since", options->query.since, "Newer than a duration (24h, 7d) or a time");
  list->add_option("--limit", options->query.limit, "At most this many (1-1000, default 50)");
  list->add_option("--cursor", options->query.cursor, "Next page (printed under a full page)");
  AddFormatOption(list, &options->format, "table", "the same fields as GET /api/v1/alerts");
  list->callback([chosen, options] {
    *chosen = [options](AppContext& ctx) { return RunAlertsList(ctx, *options); };
  });
}

}  // namespace rh::app
