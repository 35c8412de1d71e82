// `rockhound alerts lark --backfill N | --catch-up | --today` and `rockhound alerts lark list`:
// the Lark alert feed (service/lark_feed.h; docs/lark.md). Ingesting prints one summary line;
// `list` prints the stored rows of the chat, newest first, and with --unparsed the messages kept
// aside with the reason they are not alert rows.
#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "core/json.h"
#include "core/redact.h"
#include "core/time_format.h"
#include "service/lark_feed.h"

namespace rh::app {
namespace {

struct LarkOptions {
  int backfill_days = 0;
  bool catch_up = false;
  bool today = false;
};

struct LarkListOptions {
  int limit = 50;
  bool unparsed = false;
  std::string since;
  std::string format;
};

std::string Cut(std::string text, size_t width) {
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text.size() <= width ? text : alerts::TruncateUtf8(std::move(text), width - 3);
}

Status RunLarkIngest(AppContext& ctx, const LarkOptions& options) {
  const int modes = (options.backfill_days != 0 ? 1 : 0) + (options.catch_up ? 1 : 0) +
                    (options.today ? 1 : 0);
  if (modes != 1) {
    return InvalidArgument("alerts lark", "give exactly one of --backfill N (days), --catch-up "
                                          "or --today");
  }
  const alerts::LarkMode mode = options.catch_up ? alerts::LarkMode::kCatchUp
                                : options.today  ? alerts::LarkMode::kToday
                                                 : alerts::LarkMode::kBackfill;
  service::LarkFeed feed(ctx.runtime());
  RH_ASSIGN_OR_RETURN(alerts::LarkIngestSummary summary, feed.Ingest(mode, options.backfill_days));
  std::fputs(service::FormatLarkSummary(summary).c_str(), stdout);
  return {};
}

Status RunLarkList(AppContext& ctx, const LarkListOptions& options) {
  alerts::LarkListFilter filter;
  filter.limit = options.limit;
  if (!options.since.empty()) {
    auto since = ParseSqlTime(options.since);
    if (!since) since = ParseIsoTime(options.since);
    if (!since) {
      return InvalidArgument("--since", "'" + options.since +
                                            "' is not a time; use \"YYYY-MM-DD HH:MM:SS\" (UTC)");
    }
    filter.since = *since;
  }
  service::LarkFeed feed(ctx.runtime());
  if (options.unparsed) {
    RH_ASSIGN_OR_RETURN(auto messages, feed.ListUnparsed(filter));
    if (options.format == "json") {
      Json out = Json::array();
      for (const alerts::LarkUnparsedMessage& message : messages) {
        out.push_back({{"message_id", message.message_id},
                       {"chat_id", message.chat_id},
                       {"msg_type", message.msg_type},
                       {"reason", RedactSecrets(message.reason)},
                       {"message_time", FormatIsoTime(message.message_time)},
                       {"created_at", FormatIsoTime(message.created_at)}});
      }
      std::printf("%s\n", DumpJson(Json{{"unparsed", std::move(out)}}, 2).c_str());
      return {};
    }
    std::printf("%-19s  %-36s  %-11s  %s\n", "SENT (UTC)", "MESSAGE", "TYPE", "REASON");
    for (const alerts::LarkUnparsedMessage& message : messages) {
      std::printf("%-19s  %-36s  %-11s  %s\n", FormatSqlTime(message.message_time).c_str(),
                  message.message_id.c_str(), Cut(message.msg_type, 11).c_str(),
                  RedactSecrets(Cut(message.reason, 200)).c_str());
    }
    std::printf("%zu unparsed message(s)\n", messages.size());
    return {};
  }
  RH_ASSIGN_OR_RETURN(auto rows, feed.List(filter));
  if (options.format == "json") {
    Json out = Json::array();
    for (const alerts::LarkAlertRow& row : rows) {
      out.push_back({{"message_id", row.message_id},
                     {"chat_id", row.chat_id},
                     {"sections", row.sections},
                     {"cluster_name", row.cluster_name},
                     {"region", row.region},
                     {"account_name", row.account_name},
                     {"cluster_id", row.cluster_id},
                     {"status", row.status},
                     {"alert_name", row.alert_name},
                     {"detail", row.detail},
                     {"severity", row.severity},
                     {"dashboard_url", row.dashboard_url},
                     {"silence_url", row.silence_url},
                     {"alert_time", FormatIsoTime(row.alert_time)},
                     {"created_at", FormatIsoTime(row.created_at)}});
    }
    std::printf("%s\n", DumpJson(Json{{"rows", std::move(out)}}, 2).c_str());
    return {};
  }
  std::printf("%-19s  %-36s  %3s  %-17s  %-24s  %s\n", "SENT (UTC)", "MESSAGE", "SEC", "STATUS",
              "CLUSTER", "ALERT");
  for (const alerts::LarkAlertRow& row : rows) {
    const std::string cluster = row.cluster_id.empty() ? row.cluster_name : row.cluster_id;
    std::printf("%-19s  %-36s  %3d  %-17s  %-24s  %s\n", FormatSqlTime(row.alert_time).c_str(),
                row.message_id.c_str(), row.sections, Cut(row.status, 17).c_str(),
                Cut(cluster, 24).c_str(), Cut(row.alert_name, 60).c_str());
  }
  std::printf("%zu row(s)\n", rows.size());
  return {};
}

}  // namespace

void RegisterAlertsLarkCommands(CLI::App& app, Action* chosen) {
  // `alerts` may already hold other alert commands (alerts list): add to it, do not redefine it.
  CLI::App* alerts_group = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "alerts"; })) {
    alerts_group = sub;
  }
  if (alerts_group == nullptr) {
    alerts_group = app.add_subcommand("alerts", "Alerts received from Lark and the webhooks");
    alerts_group->require_subcommand(1);
  }
  auto options = std::make_shared<LarkOptions>();
  CLI::App* lark = alerts_group->add_subcommand(
      "lark",
      "Ingest the Lark alert chat (lark.chat_id) into lark_alerts: one row per card, its alert "
      "sections pipe-delimited; messages that are not alert cards are kept as unparsed with the "
      "reason. Needs ROCKHOUND_LARK_APP_ID and ROCKHOUND_LARK_APP_SECRET. Re-ingesting is a "
      "no-op (ids are the messages' om_ ids).");
  lark->add_option("--backfill", options->backfill_days, "Ingest the last N days (1..365)");
  lark->add_flag("--catch-up", options->catch_up,
                 "Ingest since the newest stored message (lark.first_catch_up when none)");
  lark->add_flag("--today", options->today, "Ingest since 00:00 UTC today");
  lark->require_subcommand(0, 1);
  lark->callback([chosen, options, lark] {
    if (lark->get_subcommands().empty()) {
      *chosen = [options](AppContext& ctx) { return RunLarkIngest(ctx, *options); };
    }
  });
  auto list_options = std::make_shared<LarkListOptions>();
  CLI::App* list = lark->add_subcommand("list", "Stored Lark alert rows, newest first");
  list->add_option("--limit", list_options->limit, "Rows to show (1..10000, default 50)");
  list->add_option("--since", list_options->since, "Only messages sent at or after this time");
  list->add_flag("--unparsed", list_options->unparsed,
                 "Show the messages kept as unparsed, with the reason");
  AddFormatOption(list, &list_options->format, "table",
                  "{\"rows\": [...]} with every stored field (pipe-delimited per section), or "
                  "{\"unparsed\": [...]} with --unparsed");
  list->callback([chosen, list_options] {
    *chosen = [list_options](AppContext& ctx) { return RunLarkList(ctx, *list_options); };
  });
}

}  // namespace rh::app
