// Lark alert cards: the interactive messages the platform's alert bot posts to a Lark/Feishu
// chat, parsed into alert sections (docs/lark.md has the card shapes and their sources).
//
// A card holds one or more alert sections. Each section is a run of "key: value" lines (in
// lark_md/markdown text, in a div's text or in its `fields`, one line "**Key**\nvalue" per
// field) followed by link buttons; sections are separated by an `hr` element, or a new one
// starts when a key already seen in the current section appears again. Keys are recognised in
// English and Chinese, case-, space-, markdown- and emoji-insensitively (`**集群名称**：` and
// `Cluster Name:` are the same key); the full vocabulary is LarkCardKeys(). Links are recognised
// by their label: Dashboard/Grafana/看板 -> dashboard URL, Silence/静默/屏蔽 -> silence URL.
//
// Accepted content shapes (what GET /open-apis/im/v1/messages returns in `body.content`):
// Card JSON 1.0 (`elements`), Card JSON 2.0 (`body.elements`), a bot webhook body with the card
// under `card`, and the default "rendered" form (`title` + rows of inline `text`/`a` runs).
//
// A section is complete when it has an alert name, a status (Firing/Resolved; a section without
// one takes it from the header title when the title names exactly one) and a cluster (id or
// name). Incomplete sections are reported in `problems` and kept out of `sections`; a card
// with no complete section is an invalid_argument error naming what was missing.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::alerts {

enum class LarkAlertStatus { kFiring, kResolved };

// "Firing" | "Resolved": the spelling lark_alerts.status holds.
std::string_view LarkAlertStatusName(LarkAlertStatus status);

// One alert of a card.
struct LarkAlertSection {
  std::string cluster_name;
  std::string region;
  std::string account_name;
  std::string cluster_id;
  LarkAlertStatus status = LarkAlertStatus::kFiring;
  std::string alert_name;
  std::string alert_detail;
  std::string severity;  // lower case as written ("critical", "p1"); empty when absent
  std::string dashboard_url;
  std::string silence_url;
};

struct ParsedLarkCard {
  std::string title;                        // header title, when the card has one
  std::vector<LarkAlertSection> sections;   // complete sections, in card order
  std::vector<std::string> problems;        // "section 2: no alert name (...)", one per skip
};

// The recognised keys: {field, spellings}; field is one of cluster_name, region, account_name,
// cluster_id, alert_status, alert_name, alert_detail, severity, dashboard_url, silence_url.
struct LarkCardKey {
  std::string field;
  std::vector<std::string> spellings;
};
const std::vector<LarkCardKey>& LarkCardKeys();

// `text` cut to at most `max_bytes` bytes at a UTF-8 character boundary, with "..." appended
// when anything was cut.
std::string TruncateUtf8(std::string text, size_t max_bytes);

// Parses a message's `body.content` (JSON text). invalid_argument when it is not JSON, not a
// card, or holds no complete alert section (the message says which fields were missing).
Result<ParsedLarkCard> ParseLarkAlertCard(std::string_view content);

}  // namespace rh::alerts
