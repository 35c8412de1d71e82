#include "alerts/lark_alert_store.h"

#include <algorithm>
#include <array>

#include "core/redact.h"

namespace rh::alerts {
namespace {

using store::Int;
using store::Text;
using store::Time;
using store::Value;

constexpr size_t kMaxContentBytes = 64 * 1024;  // unparsed content kept, then "..."

std::string EscapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '|') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

Value OptionalText(const std::string& text) { return text.empty() ? store::Null() : Text(text); }

constexpr char kRowColumns[] =
    "message_id, chat_id, sections, cluster_name, region, account_name, cluster_id, status, "
    "alert_name, detail, severity, dashboard_url, silence_url, alert_time, created_at";

LarkAlertRow RowFrom(const store::Row& row) {
  LarkAlertRow out;
  out.message_id = row.GetString("message_id");
  out.chat_id = row.GetString("chat_id");
  out.sections = static_cast<int>(row.GetInt("sections", 1));
  out.cluster_name = row.GetString("cluster_name");
  out.region = row.GetString("region");
  out.account_name = row.GetString("account_name");
  out.cluster_id = row.GetString("cluster_id");
  out.status = row.GetString("status");
  out.alert_name = row.GetString("alert_name");
  out.detail = row.GetString("detail");
  out.severity = row.GetString("severity");
  out.dashboard_url = row.GetString("dashboard_url");
  out.silence_url = row.GetString("silence_url");
  out.alert_time = row.GetTime("alert_time").value_or(TimePoint{});
  out.created_at = row.GetTime("created_at").value_or(TimePoint{});
  return out;
}

// " WHERE ..." for a filter on `time_column`, with its parameters.
std::string WhereOf(const LarkListFilter& filter, std::string_view time_column, bool lark_only,
                    std::vector<Value>& params) {
  std::vector<std::string> clauses;
  if (lark_only) clauses.emplace_back("source = 'lark'");
  if (filter.since) {
    clauses.push_back(std::string(time_column) + " >= ?");
    params.push_back(Time(*filter.since));
  }
  if (!filter.chat_id.empty()) {
    clauses.emplace_back("chat_id = ?");
    params.push_back(Text(filter.chat_id));
  }
  std::string where;
  for (const std::string& clause : clauses) where += (where.empty() ? " WHERE " : " AND ") + clause;
  return where;
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > 10000) return InvalidArgument("limit", "must be between 1 and 10000");
  return {};
}

}  // namespace

std::string JoinSectionField(const std::vector<std::string>& values) {
  if (values.empty()) return "";
  if (std::all_of(values.begin(), values.end(),
                  [&](const std::string& value) { return value == values.front(); })) {
    return EscapeValue(values.front());
  }
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back('|');
    out += EscapeValue(values[i]);
  }
  return out;
}

std::vector<std::string> SplitSectionField(std::string_view field, int sections) {
  std::vector<std::string> values(1);
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 1 < field.size()) {
      values.back().push_back(field[++i]);
    } else if (field[i] == '|') {
      values.emplace_back();
    } else {
      values.back().push_back(field[i]);
    }
  }
  const size_t wanted = static_cast<size_t>(std::max(sections, 1));
  if (values.size() == 1 && wanted > 1) return std::vector<std::string>(wanted, values.front());
  while (values.size() < wanted) values.emplace_back();
  return values;
}

LarkAlertRow LarkAlertRowFromSections(std::string message_id, std::string chat_id,
                                      TimePoint sent,
                                      const std::vector<LarkAlertSection>& sections) {
  LarkAlertRow row;
  row.message_id = std::move(message_id);
  row.chat_id = std::move(chat_id);
  row.alert_time = sent;
  row.sections = static_cast<int>(sections.size());
  const auto join = [&](auto member) {
    std::vector<std::string> values;
    values.reserve(sections.size());
    for (const LarkAlertSection& section : sections) values.push_back(member(section));
    return JoinSectionField(values);
  };
  row.cluster_name = join([](const LarkAlertSection& s) { return s.cluster_name; });
  row.region = join([](const LarkAlertSection& s) { return s.region; });
  row.account_name = join([](const LarkAlertSection& s) { return s.account_name; });
  row.cluster_id = join([](const LarkAlertSection& s) { return s.cluster_id; });
  row.status = join([](const LarkAlertSection& s) {
    return std::string(LarkAlertStatusName(s.status));
  });
  row.alert_name = join([](const LarkAlertSection& s) { return s.alert_name; });
  row.detail = join([](const LarkAlertSection& s) { return RedactSecrets(s.alert_detail); });
  row.severity = join([](const LarkAlertSection& s) { return s.severity; });
  row.dashboard_url = join([](const LarkAlertSection& s) { return s.dashboard_url; });
  row.silence_url = join([](const LarkAlertSection& s) { return s.silence_url; });
  return row;
}

Result<std::vector<LarkAlertSection>> SectionsOf(const LarkAlertRow& row) {
  const int count = std::max(row.sections, 1);
  const auto split = [&](const std::string& field) { return SplitSectionField(field, count); };
  const auto cluster_name = split(row.cluster_name), region = split(row.region),
             account_name = split(row.account_name), cluster_id = split(row.cluster_id),
             status = split(row.status), alert_name = split(row.alert_name),
             detail = split(row.detail), severity = split(row.severity),
             dashboard = split(row.dashboard_url), silence = split(row.silence_url);
  std::vector<LarkAlertSection> sections;
  for (int i = 0; i < count; ++i) {
    LarkAlertSection section;
    section.cluster_name = cluster_name[i];
    section.region = region[i];
    section.account_name = account_name[i];
    section.cluster_id = cluster_id[i];
    if (status[i] == "Firing") {
      section.status = LarkAlertStatus::kFiring;
    } else if (status[i] == "Resolved") {
      section.status = LarkAlertStatus::kResolved;
    } else {
      return InvalidArgument("lark_alerts " + row.message_id,
                             "section " + std::to_string(i + 1) + " status '" + status[i] +
                                 "' is neither Firing nor Resolved");
    }
    section.alert_name = alert_name[i];
    section.alert_detail = detail[i];
    section.severity = severity[i];
    section.dashboard_url = dashboard[i];
    section.silence_url = silence[i];
    sections.push_back(std::move(section));
  }
  return sections;
}

std::optional<std::string> LarkRowTooWide(const LarkAlertRow& row) {
  // The MySQL column widths of fleet migration 2 (characters).
  const std::array<std::tuple<const char*, const std::string*, size_t>, 9> columns = {{
      {"message_id", &row.message_id, 128},
      {"chat_id", &row.chat_id, 128},
      {"cluster_id", &row.cluster_id, 512},
      {"region", &row.region, 512},
      {"cluster_name", &row.cluster_name, 1024},
      {"account_name", &row.account_name, 1024},
      {"alert_name", &row.alert_name, 1024},
      {"severity", &row.severity, 255},
      {"status", &row.status, 255},
  }};
  for (const auto& [name, value, width] : columns) {
    const size_t length = CodePoints(*value);
    if (length > width) {
      return std::string("the card's ") + name + " holds " + std::to_string(length) +
             " characters over " + std::to_string(row.sections) + " sections; lark_alerts." +
             name + " holds at most " + std::to_string(width);
    }
  }
  return std::nullopt;
}

Result<LarkStoreCounts> LarkAlertStore::Insert(const std::vector<LarkAlertRow>& rows,
                                               const std::vector<LarkUnparsedMessage>& unparsed) {
  std::vector<const LarkAlertRow*> ordered;
  std::vector<LarkUnparsedMessage> unparsed_all = unparsed;
  for (const LarkAlertRow& row : rows) {
    if (auto too_wide = LarkRowTooWide(row)) {
      unparsed_all.push_back(LarkUnparsedMessage{row.message_id, row.chat_id, "interactive",
                                                 *too_wide, "", row.alert_time, {}});
      continue;
    }
    ordered.push_back(&row);
  }
  // Key order: concurrent transactions over overlapping pages take their row locks in the same
  // order (no deadlock on MySQL).
  std::sort(ordered.begin(), ordered.end(),
            [](const LarkAlertRow* a, const LarkAlertRow* b) { return a->message_id < b->message_id; });
  std::stable_sort(unparsed_all.begin(), unparsed_all.end(),
                   [](const LarkUnparsedMessage& a, const LarkUnparsedMessage& b) {
                     return a.message_id < b.message_id;
                   });
  // One message, several reasons (some sections incomplete and the rest too wide): one row.
  for (size_t i = 1; i < unparsed_all.size();) {
    if (unparsed_all[i].message_id == unparsed_all[i - 1].message_id) {
      unparsed_all[i - 1].reason += "; " + unparsed_all[i].reason;
      if (unparsed_all[i - 1].content.empty()) unparsed_all[i - 1].content = unparsed_all[i].content;
      unparsed_all.erase(unparsed_all.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  const TimePoint now = clock_.Now();
  LarkStoreCounts counts;
  // One multi-row INSERT IGNORE per table and chunk: the rows changed are the rows inserted.
  const std::string insert_row =
      fleet_.InsertIgnore() +
      " INTO lark_alerts (message_id, chat_id, sections, cluster_name, region, account_name, "
      "cluster_id, status, alert_name, detail, severity, dashboard_url, silence_url, source, "
      "alert_time, created_at) VALUES ";
  const std::string row_values = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'lark', ?, ?)";
  const std::string insert_unparsed =
      fleet_.InsertIgnore() +
      " INTO lark_unparsed_messages (message_id, chat_id, msg_type, reason, content, "
      "message_time, created_at) VALUES ";
  const std::string unparsed_values = "(?, ?, ?, ?, ?, ?, ?)";
  constexpr size_t kChunk = 100;
  Status status = fleet_.Transaction([&]() -> Status {
    counts = LarkStoreCounts{};
    for (size_t begin = 0; begin < ordered.size(); begin += kChunk) {
      const size_t end = std::min(ordered.size(), begin + kChunk);
      std::string sql = insert_row;
      std::vector<Value> params;
      params.reserve((end - begin) * 15);
      for (size_t i = begin; i < end; ++i) {
        const LarkAlertRow& row = *ordered[i];
        sql += (i == begin ? "" : ", ") + row_values;
        for (Value& value : std::vector<Value>{
                 Text(row.message_id), OptionalText(row.chat_id), Int(row.sections),
                 OptionalText(row.cluster_name), OptionalText(row.region),
                 OptionalText(row.account_name), Text(row.cluster_id), Text(row.status),
                 Text(row.alert_name), Text(row.detail), OptionalText(row.severity),
                 OptionalText(row.dashboard_url), OptionalText(row.silence_url),
                 Time(row.alert_time), Time(now)}) {
          params.push_back(std::move(value));
        }
      }
      RH_ASSIGN_OR_RETURN(int64_t changed, fleet_.Execute(sql, params));
      counts.inserted += static_cast<int>(changed);
      counts.duplicates += static_cast<int>(end - begin) - static_cast<int>(changed);
    }
    for (size_t begin = 0; begin < unparsed_all.size(); begin += kChunk) {
      const size_t end = std::min(unparsed_all.size(), begin + kChunk);
      std::string sql = insert_unparsed;
      std::vector<Value> params;
      for (size_t i = begin; i < end; ++i) {
        const LarkUnparsedMessage& message = unparsed_all[i];
        sql += (i == begin ? "" : ", ") + unparsed_values;
        for (Value& value : std::vector<Value>{
                 Text(message.message_id), OptionalText(message.chat_id),
                 OptionalText(message.msg_type), Text(RedactSecrets(message.reason)),
                 Text(TruncateUtf8(RedactSecrets(message.content), kMaxContentBytes)),
                 Time(message.message_time), Time(now)}) {
          params.push_back(std::move(value));
        }
      }
      RH_ASSIGN_OR_RETURN(int64_t changed, fleet_.Execute(sql, params));
      counts.unparsed_inserted += static_cast<int>(changed);
      counts.unparsed_duplicates += static_cast<int>(end - begin) - static_cast<int>(changed);
    }
    return {};
  });
  if (!status) return Fail(status.error().WithContext("storing Lark messages"));
  return counts;
}

Result<std::optional<TimePoint>> LarkAlertStore::NewestMessageTime(std::string_view chat_id) {
  std::optional<TimePoint> newest;
  for (const char* sql :
       {"SELECT MAX(alert_time) AS newest FROM lark_alerts WHERE source = 'lark' AND chat_id = ?",
        "SELECT MAX(message_time) AS newest FROM lark_unparsed_messages WHERE chat_id = ?"}) {
    RH_ASSIGN_OR_RETURN(store::QueryResult result,
                        fleet_.Query(sql, {Text(std::string(chat_id))}));
    if (result.empty()) continue;
    std::optional<TimePoint> time = result.front().GetTime(size_t{0});
    if (time && (!newest || *time > *newest)) newest = time;
  }
  return newest;
}

Result<std::vector<LarkAlertRow>> LarkAlertStore::List(const LarkListFilter& filter) {
  RH_RETURN_IF_ERROR(CheckLimit(filter.limit));
  std::vector<Value> params;
  const std::string sql = std::string("SELECT ") + kRowColumns + " FROM lark_alerts" +
                          WhereOf(filter, "alert_time", true, params) +
                          " ORDER BY alert_time DESC, message_id DESC LIMIT " +
                          std::to_string(filter.limit);
  RH_ASSIGN_OR_RETURN(store::QueryResult result, fleet_.Query(sql, params));
  std::vector<LarkAlertRow> rows;
  rows.reserve(result.size());
  for (store::Row row : result) rows.push_back(RowFrom(row));
  return rows;
}

Result<std::vector<LarkUnparsedMessage>> LarkAlertStore::ListUnparsed(
    const LarkListFilter& filter) {
  RH_RETURN_IF_ERROR(CheckLimit(filter.limit));
  std::vector<Value> params;
  const std::string sql =
      "SELECT message_id, chat_id, msg_type, reason, content, message_time, created_at FROM "
      "lark_unparsed_messages" +
      WhereOf(filter, "message_time", false, params) +
      " ORDER BY message_time DESC, message_id DESC LIMIT " + std::to_string(filter.limit);
  RH_ASSIGN_OR_RETURN(store::QueryResult result, fleet_.Query(sql, params));
  std::vector<LarkUnparsedMessage> messages;
  for (store::Row row : result) {
    LarkUnparsedMessage message;
    message.message_id = row.GetString("message_id");
    message.chat_id = row.GetString("chat_id");
    message.msg_type = row.GetString("msg_type");
    message.reason = row.GetString("reason");
    message.content = row.GetString("content");
    message.message_time = row.GetTime("message_time").value_or(TimePoint{});
    message.created_at = row.GetTime("created_at").value_or(TimePoint{});
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace rh::alerts
