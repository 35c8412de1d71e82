// LarkFeed: the Lark alert feed as a use case — `rockhound alerts lark --backfill N | --catch-up
// | --today`, and the catch-up a cycle runs first when lark.catch_up_every_cycle is on. It wires
// the pieces of alerts/ (LarkClient over net/'s transport, the card parser, LarkAlertStore on the
// fleet database) from the Runtime's config: lark.* settings, the app id and secret from
// ROCKHOUND_LARK_APP_ID / ROCKHOUND_LARK_APP_SECRET (registered with core/redact at start-up, so
// they are masked in every log line and error).
// Thread-safety: one call at a time per LarkFeed; several LarkFeeds may run at once (storing is
// idempotent by message id).
#pragma once

#include <memory>
#include <vector>

#include "alerts/lark_alert_store.h"
#include "alerts/lark_ingest.h"
#include "core/error.h"
#include "net/http_transport.h"
#include "service/runtime.h"

namespace rh::service {

class LarkFeed {
 public:
  // `transport` (may be null: the default libcurl transport) must outlive the feed.
  explicit LarkFeed(Runtime& runtime, net::HttpTransport* transport = nullptr);
  ~LarkFeed();

  // One ingest over the window of `mode` (alerts::ResolveLarkWindow). invalid_argument when
  // lark.chat_id or the app credentials are missing.
  Result<alerts::LarkIngestSummary> Ingest(alerts::LarkMode mode, int backfill_days = 0);

  // Stored Lark rows and unparsed messages of the configured chat (every chat when it is unset),
  // newest first.
  Result<std::vector<alerts::LarkAlertRow>> List(alerts::LarkListFilter filter);
  Result<std::vector<alerts::LarkUnparsedMessage>> ListUnparsed(alerts::LarkListFilter filter);

 private:
  Runtime& runtime_;
  std::unique_ptr<net::HttpTransport> owned_transport_;
  net::HttpTransport* transport_;
};

// One line for a summary: "lark  catch-up since ...: 3 page(s), 120 message(s): 110 new card(s)
// (131 alert sections), 5 already stored, 5 unparsed; 1 token refresh(es), 2 rate-limit wait(s)".
std::string FormatLarkSummary(const alerts::LarkIngestSummary& summary);

}  // namespace rh::service
