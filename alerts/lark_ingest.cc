#include "alerts/lark_ingest.h"

#include <set>

#include "core/log.h"
#include "core/time_format.h"

namespace rh::alerts {
namespace {

constexpr int kMaxBackfillDays = 365;

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string text;
  for (const std::string& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return text;
}

}  // namespace

std::string_view LarkModeName(LarkMode mode) {
  switch (mode) {
    case LarkMode::kBackfill:
      return "backfill";
    case LarkMode::kCatchUp:
      return "catch-up";
    case LarkMode::kToday:
      return "today";
  }
  return "backfill";
}

Result<LarkWindow> ResolveLarkWindow(LarkMode mode, int backfill_days, TimePoint now,
                                     std::optional<TimePoint> newest_stored,
                                     Duration first_catch_up) {
  LarkWindow window;
  window.to = now;
  switch (mode) {
    case LarkMode::kBackfill:
      if (backfill_days < 1 || backfill_days > kMaxBackfillDays) {
        return InvalidArgument("--backfill", "must be a number of days in 1.." +
                                                 std::to_string(kMaxBackfillDays) + "; got " +
                                                 std::to_string(backfill_days));
      }
      window.from = now - std::chrono::hours(24) * backfill_days;
      window.why = "back-fill of " + std::to_string(backfill_days) + " day" +
                   (backfill_days == 1 ? "" : "s");
      break;
    case LarkMode::kCatchUp:
      if (newest_stored && *newest_stored <= now) {
        window.from = *newest_stored;
        window.why = "catch-up since the newest stored message (" + FormatSqlTime(window.from) +
                     ")";
      } else {
        window.from = now - first_catch_up;
        window.why = "catch-up with nothing stored yet: the last " +
                     std::to_string(std::chrono::duration_cast<std::chrono::hours>(first_catch_up)
                                        .count()) +
                     " h (lark.first_catch_up)";
      }
      break;
    case LarkMode::kToday:
      window.from = std::chrono::floor<std::chrono::days>(now);
      window.why = "today (since 00:00 UTC)";
      break;
  }
  return window;
}

Result<LarkIngestSummary> LarkIngestor::Ingest(const std::string& chat_id,
                                               const LarkWindow& window) {
  LarkIngestSummary summary;
  summary.window = window;
  std::string page_token;
  std::set<std::string> seen_tokens;
  while (true) {
    auto page = client_.ListMessages(chat_id, window.from, window.to, page_token);
    if (!page) {
      summary.client = client_.stats();
      return Fail(page.error().WithContext(
          "after " + std::to_string(summary.pages) + " page(s), " +
          std::to_string(summary.messages) + " message(s) stored"));
    }
    ++summary.pages;
    std::vector<LarkAlertRow> rows;
    std::vector<LarkUnparsedMessage> unparsed;
    for (const LarkMessage& message : page->items) {
      ++summary.messages;
      if (message.message_id.empty()) {
        ++summary.without_id;
        Logger("alerts")->warn("lark: an item of chat {} at {} has no message_id; not storable",
                               chat_id, FormatSqlTime(message.create_time));
        continue;
      }
      const auto keep_unparsed = [&](std::string reason) {
        unparsed.push_back(LarkUnparsedMessage{message.message_id, message.chat_id,
                                               message.msg_type, std::move(reason),
                                               message.content, message.create_time, {}});
      };
      if (message.deleted) {
        keep_unparsed("the message was recalled");
        continue;
      }
      if (message.msg_type != "interactive") {
        keep_unparsed("msg_type '" + message.msg_type + "' is not an interactive card");
        continue;
      }
      auto card = ParseLarkAlertCard(message.content);
      if (!card) {
        const Error& error = card.error();
        keep_unparsed(error.context.empty() ? error.message : error.context + ": " + error.message);
        continue;
      }
      rows.push_back(LarkAlertRowFromSections(message.message_id, message.chat_id,
                                              message.create_time, card->sections));
      summary.sections += static_cast<int>(card->sections.size());
      if (!card->problems.empty()) {
        keep_unparsed("stored " + std::to_string(card->sections.size()) +
                      " complete section(s) in lark_alerts; skipped: " +
                      JoinProblems(card->problems));
      }
    }
    auto counts = store_.Insert(rows, unparsed);
    if (!counts) {
      summary.client = client_.stats();
      return Fail(counts.error().WithContext("page " + std::to_string(summary.pages)));
    }
    summary.cards += counts->inserted + counts->duplicates;
    summary.unparsed += counts->unparsed_inserted + counts->unparsed_duplicates;
    summary.stored.inserted += counts->inserted;
    summary.stored.duplicates += counts->duplicates;
    summary.stored.unparsed_inserted += counts->unparsed_inserted;
    summary.stored.unparsed_duplicates += counts->unparsed_duplicates;
    if (!page->has_more) break;
    if (!seen_tokens.insert(page->page_token).second) {
      summary.client = client_.stats();
      return DataLoss("lark", "the messages API returned page_token '" + page->page_token +
                                  "' a second time; stopping instead of looping (" +
                                  std::to_string(summary.pages) + " pages stored)");
    }
    page_token = page->page_token;
  }
  summary.client = client_.stats();
  return summary;
}

Result<LarkIngestSummary> LarkIngestor::Run(const std::string& chat_id, LarkMode mode,
                                            int backfill_days, Duration first_catch_up) {
  std::optional<TimePoint> newest;
  if (mode == LarkMode::kCatchUp) {
    RH_ASSIGN_OR_RETURN(newest, store_.NewestMessageTime(chat_id));
  }
  RH_ASSIGN_OR_RETURN(LarkWindow window,
                      ResolveLarkWindow(mode, backfill_days, clock_.Now(), newest, first_catch_up));
  return Ingest(chat_id, window);
}

}  // namespace rh::alerts
