// bench_lark_ingest: how long `rockhound alerts lark` takes for a busy alert chat.
//
//   bench_lark_ingest [--cards 10000] [--page-size 50]
//
// Set-up (not timed): the scripted Lark server of the tests (tests/fakes/scripted_lark_server.h)
// on 127.0.0.1 holding --cards interactive cards, one every 10 s over the past days, in the
// platform bot's layout; every fifth card has two sections (Firing + Resolved), every 50th is a
// text message (kept as unparsed). A migrated fleet database: a SQLite file in a temporary
// directory, and a MariaDB database too when ROCKHOUND_TEST_MYSQL_URL is set (the tests' server).
// Timed: LarkIngestor::Ingest over the whole window exactly as `alerts lark --backfill` runs it —
// token, every page (page_size 50 + page_token) over real HTTP through the libcurl transport,
// every card parsed, each page stored in one transaction — then the same walk again, which
// stores nothing (every id already there). Prints pages, messages, rows, seconds, cards/s.
// Target (issue 16): 10,000 cards in under 10 s.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "alerts/lark_ingest.h"
#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/scripted_lark_server.h"
#include "tests/fakes/test_env.h"

namespace {

using rh::testing::FakeAlertSection;

FakeAlertSection Alert(int index, const char* status) {
  FakeAlertSection section;
  section.cluster_name = "cluster-" + std::to_string(index % 500);
  section.region = index % 2 == 0 ? "us-east-1" : "cn-hangzhou";
  section.account_name = "Account " + std::to_string(index % 120);
  section.cluster_id = "c-" + std::to_string(index % 500);
  section.status = status;
  section.alert_name = index % 3 == 0 ? "HeapUsageTooHigh" : "OperationDurationGT";
  section.detail = "value " + std::to_string(index) + " over threshold for 15 minutes";
  section.dashboard_url = "https://grafana.example.com/d/sr?var-cluster=c-" + std::to_string(index % 500);
  section.silence_url = "https://am.example.com/#/silences/new?filter=c-" + std::to_string(index);
  return section;
}

int Run(const std::string& label, const std::string& url, rh::testing::ScriptedLarkServer& server,
        rh::TimePoint now, int cards) {
  rh::store::OpenOptions open;
  open.password = rh::testing::TestMysqlPassword();
  auto db = rh::store::OpenDatabase(url, open);
  if (!db) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), db.error().ToString().c_str());
    return 1;
  }
  if (auto migrated = rh::store::Migrate(**db, rh::store::SchemaSet::kFleet); !migrated) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), migrated.error().ToString().c_str());
    return 1;
  }
  rh::ManualClock clock(now);
  auto transport = rh::net::MakeDefaultHttpTransport();
  rh::alerts::LarkClientOptions options;
  options.base_url = server.base_url();
  options.app_id = server.options().app_id;
  options.app_secret = server.options().app_secret;
  rh::alerts::LarkWindow window{now - std::chrono::hours(24) * 30, now, "back-fill of 30 days"};
  for (const char* pass : {"first ingest", "re-ingest (no-op)"}) {
    rh::alerts::LarkClient client(options, *transport, clock);
    rh::alerts::LarkAlertStore store(**db, clock);
    rh::alerts::LarkIngestor ingestor(client, store, clock);
    const rh::Stopwatch watch;
    auto summary = ingestor.Ingest(server.options().chat_id, window);
    const double seconds = watch.ElapsedSeconds();
    if (!summary) {
      std::fprintf(stderr, "%s: %s\n", label.c_str(), summary.error().ToString().c_str());
      return 1;
    }
    std::printf("%-8s %-18s %5d pages  %6d messages  %6d new rows  %5d new unparsed  %6d "
                "already stored  %6.2f s  %8.0f messages/s%s\n",
                label.c_str(), pass, summary->pages, summary->messages, summary->stored.inserted,
                summary->stored.unparsed_inserted,
                summary->stored.duplicates + summary->stored.unparsed_duplicates, seconds,
                summary->messages / seconds,
                std::string(pass) == "first ingest" && cards >= 10000
                    ? (seconds < 10.0 ? "  (target < 10 s: met)" : "  (target < 10 s: MISSED)")
                    : "");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int cards = 10000;
  int page_size = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cards") == 0) cards = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--page-size") == 0) page_size = std::atoi(argv[i + 1]);
  }
  if (cards < 1 || page_size != 50) {
    std::fprintf(stderr, "usage: bench_lark_ingest [--cards N>=1] (page size is the API's 50)\n");
    return 2;
  }
  const rh::TimePoint now = *rh::ParseSqlTime("2026-12-07 12:00:00");
  rh::testing::ScriptedLarkServer server;
  const long long last_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() - 60000;
  int text_messages = 0;
  for (int i = 0; i < cards; ++i) {
    rh::testing::ScriptedLarkMessage message;
    char id[40];
    std::snprintf(id, sizeof(id), "om_%032d", i);
    message.message_id = id;
    message.create_time_ms = last_ms - static_cast<long long>(cards - 1 - i) * 10000;
    if (i % 50 == 49) {
      message.msg_type = "text";
      message.content = "{\"text\":\"ack, looking\"}";
      ++text_messages;
    } else if (i % 5 == 0) {
      message.content = rh::testing::AlertCardContent({Alert(i, "Firing"), Alert(i + 1, "Resolved")});
    } else {
      message.content = rh::testing::AlertCardContent({Alert(i, "Firing")});
    }
    server.AddMessage(std::move(message));
  }
  std::printf("bench_lark_ingest: %d messages (%d text), page_size %d, scripted Lark server on "
              "127.0.0.1, libcurl transport\n",
              cards, text_messages, page_size);
  rh::testing::TempDir temp;
  int status = Run("sqlite", temp.File("fleet.db"), server, now, cards);
  if (const char* mysql = std::getenv("ROCKHOUND_TEST_MYSQL_URL"); mysql && *mysql) {
    rh::testing::MysqlTestDatabase database;
    if (database.url().empty()) {
      std::fprintf(stderr, "mariadb: %s\n", database.error().c_str());
      status = 1;
    } else {
      status |= Run("mariadb", database.url(), server, now, cards);
    }
  } else {
    std::printf("mariadb  skipped: ROCKHOUND_TEST_MYSQL_URL is not set\n");
  }
  for (const std::string& problem : server.TakeProblems()) {
    std::fprintf(stderr, "scripted Lark server: %s\n", problem.c_str());
    status = 1;
  }
  return status;
}
