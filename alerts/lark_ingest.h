// LarkIngestor: one walk over a chat's messages in a time window, page by page (page_size 50,
// then the page token), each page parsed (alerts/lark_card.h) and stored (alerts/
// lark_alert_store.h) in one transaction before the next page is asked for: an ingest that
// stops half way keeps what it stored, and `--catch-up` resumes from there. Storing is keyed by
// the message's om_ id, so walking the same window again is a no-op.
//
// Every message ends somewhere: an alert card in lark_alerts (one row, its sections
// pipe-delimited), anything else in lark_unparsed_messages with the reason (not a card,
// recalled, not JSON, no complete alert section, a section incomplete). An item without a
// message id cannot be stored idempotently: it is counted in `without_id` and logged.
//
// The window of each mode (ResolveLarkWindow; all times UTC, `now` from the injected Clock):
//   backfill N   [now - N days, now]
//   catch-up     [newest stored message of the chat, now]; with none stored, [now - first, now]
//                (lark.first_catch_up) — the boundary second is read again, which the ids make
//                harmless
//   today        [00:00 UTC today, now]
// Thread-safety: one Ingest at a time per LarkIngestor (it drives one LarkClient).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "alerts/lark_alert_store.h"
#include "alerts/lark_client.h"
#include "core/clock.h"
#include "core/error.h"

namespace rh::alerts {

enum class LarkMode { kBackfill, kCatchUp, kToday };

// "backfill" | "catch-up" | "today".
std::string_view LarkModeName(LarkMode mode);

struct LarkWindow {
  TimePoint from{};
  TimePoint to{};
  std::string why;  // "back-fill of 3 days", "catch-up since 2026-12-07 10:00:00", ...
};

// invalid_argument when backfill_days is not in 1..365.
Result<LarkWindow> ResolveLarkWindow(LarkMode mode, int backfill_days, TimePoint now,
                                     std::optional<TimePoint> newest_stored,
                                     Duration first_catch_up);

struct LarkIngestSummary {
  LarkWindow window;
  int pages = 0;
  int messages = 0;             // items listed
  int cards = 0;                // messages stored in lark_alerts (new or already there)
  int sections = 0;             // alert sections in those cards
  LarkStoreCounts stored;       // new vs already stored, per table
  int unparsed = 0;             // messages (or parts of cards) sent to lark_unparsed_messages
  int without_id = 0;           // items without a message_id (logged, not storable)
  LarkClientStats client;
};

class LarkIngestor {
 public:
  // All three must outlive the ingestor.
  LarkIngestor(LarkClient& client, LarkAlertStore& store, Clock& clock)
      : client_(client), store_(store), clock_(clock) {}

  // Walks `chat_id` over `window`. On an error the pages already stored stay stored; the error
  // says how far the walk got.
  Result<LarkIngestSummary> Ingest(const std::string& chat_id, const LarkWindow& window);

  // ResolveLarkWindow for `mode` (reading the newest stored message for catch-up), then Ingest.
  Result<LarkIngestSummary> Run(const std::string& chat_id, LarkMode mode, int backfill_days,
                                Duration first_catch_up);

 private:
  LarkClient& client_;
  LarkAlertStore& store_;
  Clock& clock_;
};

}  // namespace rh::alerts
