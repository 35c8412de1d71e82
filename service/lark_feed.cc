#include "service/lark_feed.h"

namespace rh::service {

LarkFeed::LarkFeed(Runtime& runtime, net::HttpTransport* transport)
    : runtime_(runtime), transport_(transport) {
  if (transport_ == nullptr) {
    owned_transport_ = net::MakeDefaultHttpTransport();
    transport_ = owned_transport_.get();
  }
}

LarkFeed::~LarkFeed() = default;

Result<alerts::LarkIngestSummary> LarkFeed::Ingest(alerts::LarkMode mode, int backfill_days) {
  const Config& config = runtime_.config();
  if (config.lark.chat_id.empty()) {
    return InvalidArgument("lark.chat_id", "is not set: give the alert chat's id (oc_...) with "
                                           "--set lark.chat_id=oc_... or ROCKHOUND_LARK_CHAT_ID");
  }
  if (config.secrets.lark_app_id.empty() || config.secrets.lark_app_secret.empty()) {
    return InvalidArgument("lark", "export ROCKHOUND_LARK_APP_ID and ROCKHOUND_LARK_APP_SECRET "
                                   "(the custom app's credentials; never in a config file)");
  }
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  alerts::LarkClientOptions options;
  options.base_url = config.lark.base_url;
  options.app_id = config.secrets.lark_app_id;
  options.app_secret = config.secrets.lark_app_secret;
  options.page_size = config.lark.page_size;
  options.max_retries = config.lark.max_retries;
  options.request_timeout = config.lark.request_timeout;
  options.connect_timeout = std::min(config.lark.request_timeout, Duration(std::chrono::seconds(10)));
  alerts::LarkClient client(options, *transport_, runtime_.clock());
  alerts::LarkAlertStore store(*fleet, runtime_.clock());
  alerts::LarkIngestor ingestor(client, store, runtime_.clock());
  return ingestor.Run(config.lark.chat_id, mode, backfill_days, config.lark.first_catch_up);
}

Result<std::vector<alerts::LarkAlertRow>> LarkFeed::List(alerts::LarkListFilter filter) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  if (filter.chat_id.empty()) filter.chat_id = runtime_.config().lark.chat_id;
  return alerts::LarkAlertStore(*fleet, runtime_.clock()).List(filter);
}

Result<std::vector<alerts::LarkUnparsedMessage>> LarkFeed::ListUnparsed(
    alerts::LarkListFilter filter) {
  RH_ASSIGN_OR_RETURN(store::Database * fleet, runtime_.Fleet());
  if (filter.chat_id.empty()) filter.chat_id = runtime_.config().lark.chat_id;
  return alerts::LarkAlertStore(*fleet, runtime_.clock()).ListUnparsed(filter);
}

std::string FormatLarkSummary(const alerts::LarkIngestSummary& summary) {
  std::string out = "lark                " + summary.window.why + ": " +
                    std::to_string(summary.pages) + " page(s), " +
                    std::to_string(summary.messages) + " message(s): " +
                    std::to_string(summary.stored.inserted) + " new card(s) (" +
                    std::to_string(summary.sections) + " alert section(s) in all cards), " +
                    std::to_string(summary.stored.duplicates) + " already stored, " +
                    std::to_string(summary.stored.unparsed_inserted) + " new unparsed";
  if (summary.stored.unparsed_duplicates > 0) {
    out += " (+" + std::to_string(summary.stored.unparsed_duplicates) + " already stored)";
  }
  if (summary.without_id > 0) {
    out += ", " + std::to_string(summary.without_id) + " without a message id (not storable)";
  }
  out += "; " + std::to_string(summary.client.token_fetches) + " token fetch(es), " +
         std::to_string(summary.client.rate_limited) + " rate-limit wait(s), " +
         std::to_string(summary.client.retries) + " retr(ies)\n";
  return out;
}

}  // namespace rh::service
