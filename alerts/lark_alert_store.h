// LarkAlertStore: the Lark half of the fleet's `lark_alerts` table — one row per Lark message
// (`message_id` = the message's `om_` id, the primary key, so storing a message again changes
// nothing) — and `lark_unparsed_messages`, where a message that is not (fully) an alert card is
// kept with the reason instead of being dropped. Schema: store/schema.cc, fleet migration 2.
//
// A Lark row (source = 'lark'):
//   message_id    om_...                 alert_time   the message's create_time (UTC)
//   chat_id       oc_...                 created_at   when Rockhound stored it
//   sections      alert sections in the card (>= 1)
//   cluster_name, region, account_name, cluster_id, status (Firing|Resolved), alert_name,
//   detail, severity, dashboard_url, silence_url: SECTION FIELDS (below)
//   account_id, starts_at, ends_at: NULL (a card does not carry them)
//
// Section fields of a multi-section card are pipe-delimited, as the platform's table holds them:
// a field whose value is the same in every section is stored once ("c-1"); otherwise it holds
// one value per section, in card order ("Firing|Resolved", "HeapUsageTooHigh|BeAliveAbnormal",
// "|https://silence/2" when only the second section has a link). Inside a value '|' is written
// "\|" and '\' "\\". SplitSectionField / SectionsOf undo this; readers that need the alerts of
// a row one by one (the issue tracker) use SectionsOf.
//
// A message goes to lark_unparsed_messages (message_id, chat_id, msg_type, reason, content,
// message_time, created_at) when it is not an interactive card, was recalled, is not JSON, holds
// no complete alert section, or is too wide for the columns; a card with some complete and some
// incomplete sections is stored in both (the complete sections in lark_alerts, the reason for
// the others here). Secrets in detail and content are masked (core/redact) before storage.
// Thread-safety: a LarkAlertStore may be used from several threads (the database serialises).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/lark_card.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace rh::alerts {

// One lark_alerts row written from a Lark card (section fields as described above).
struct LarkAlertRow {
  std::string message_id;
  std::string chat_id;
  int sections = 1;
  std::string cluster_name;
  std::string region;
  std::string account_name;
  std::string cluster_id;
  std::string status;
  std::string alert_name;
  std::string detail;
  std::string severity;
  std::string dashboard_url;
  std::string silence_url;
  TimePoint alert_time{};
  TimePoint created_at{};  // set by Insert; read back by List
};

// One lark_unparsed_messages row.
struct LarkUnparsedMessage {
  std::string message_id;
  std::string chat_id;
  std::string msg_type;
  std::string reason;
  std::string content;
  TimePoint message_time{};
  TimePoint created_at{};
};

// The pipe-delimited form of one field over the sections (see the header comment).
std::string JoinSectionField(const std::vector<std::string>& values);
// The inverse: exactly `sections` values (a single stored value is repeated; a field with fewer
// values than sections is padded with "").
std::vector<std::string> SplitSectionField(std::string_view field, int sections);

// The row for a card's complete sections (at least one).
LarkAlertRow LarkAlertRowFromSections(std::string message_id, std::string chat_id,
                                      TimePoint sent, const std::vector<LarkAlertSection>& sections);
// The alerts of a stored row, one per section. invalid_argument when a status is neither Firing
// nor Resolved.
Result<std::vector<LarkAlertSection>> SectionsOf(const LarkAlertRow& row);

// Why `row` cannot be stored on MySQL (a section field longer than its column), or nullopt.
std::optional<std::string> LarkRowTooWide(const LarkAlertRow& row);

struct LarkStoreCounts {
  int inserted = 0;             // new lark_alerts rows
  int duplicates = 0;           // rows whose message was already stored
  int unparsed_inserted = 0;    // new lark_unparsed_messages rows
  int unparsed_duplicates = 0;  // unparsed messages already stored
};

struct LarkListFilter {
  std::optional<TimePoint> since;  // alert_time / message_time >= since
  std::string chat_id;             // empty: every chat
  int limit = 100;                 // 1..10000
};

class LarkAlertStore {
 public:
  LarkAlertStore(store::Database& fleet, Clock& clock) : fleet_(fleet), clock_(clock) {}

  // Stores every row and unparsed message in ONE transaction with INSERT IGNORE semantics on
  // message_id (a message already stored is counted as a duplicate and left as it is). A row
  // too wide for its columns is stored as unparsed instead, with the reason.
  Result<LarkStoreCounts> Insert(const std::vector<LarkAlertRow>& rows,
                                 const std::vector<LarkUnparsedMessage>& unparsed);

  // The create time of the newest message stored from `chat_id` (both tables), or nullopt when
  // none is. `rockhound alerts lark --catch-up` lists from there.
  Result<std::optional<TimePoint>> NewestMessageTime(std::string_view chat_id);

  // Lark rows, newest first.
  Result<std::vector<LarkAlertRow>> List(const LarkListFilter& filter);
  // Unparsed messages, newest first.
  Result<std::vector<LarkUnparsedMessage>> ListUnparsed(const LarkListFilter& filter);

 private:
  store::Database& fleet_;
  Clock& clock_;
};

}  // namespace rh::alerts
