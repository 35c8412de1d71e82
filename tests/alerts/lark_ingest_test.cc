// The Lark client and ingestor against the scripted Lark server (real sockets on 127.0.0.1, the
// libcurl transport) on SQLite and MariaDB: pagination, token expiry and refresh, rate limiting,
// malformed cards kept as unparsed, Chinese text, the three modes' windows, secrets masked.
#include "alerts/lark_ingest.h"

#include <gtest/gtest.h>

#include "core/redact.h"
#include "core/time_format.h"
#include "store/schema.h"
#include "tests/fakes/database_fixture.h"
#include "tests/fakes/scripted_lark_server.h"

namespace rh::alerts {
namespace {

using rh::testing::DatabaseBackendTest;
using rh::testing::FakeAlertSection;
using rh::testing::LarkFault;
using rh::testing::ScriptedLarkMessage;
using rh::testing::ScriptedLarkServer;

TimePoint At(const char* text) { return *ParseSqlTime(text); }

long long Millis(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

FakeAlertSection Alert(int index, const char* status = "Firing") {
  FakeAlertSection section;
  section.cluster_name = "cluster-" + std::to_string(index % 7);
  section.region = "us-east-1";
  section.account_name = "Account " + std::to_string(index % 3);
  section.cluster_id = "c-" + std::to_string(index % 7);
  section.status = status;
  section.alert_name = index % 2 == 0 ? "HeapUsageTooHigh" : "OperationDurationGT";
  section.detail = "value " + std::to_string(index);
  section.dashboard_url = "https://grafana.example.com/d/" + std::to_string(index);
  section.silence_url = "https://am.example.com/silence/" + std::to_string(index);
  return section;
}

std::string MessageId(int index) {
  char id[40];
  std::snprintf(id, sizeof(id), "om_%032d", index);
  return id;
}

class LarkIngestTest : public DatabaseBackendTest {
 protected:
  void SetUp() override {
    DatabaseBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(db(), store::SchemaSet::kFleet));
    transport_ = net::MakeDefaultHttpTransport();
  }

  LarkClientOptions Options() const {
    LarkClientOptions options;
    options.base_url = server_.base_url();
    options.app_id = server_.options().app_id;
    options.app_secret = server_.options().app_secret;
    options.max_retries = 3;
    options.request_timeout = std::chrono::seconds(10);
    return options;
  }

  // `count` single-section cards, one a minute, ending 10 minutes before now.
  void AddCards(int count, int first_index = 0) {
    const TimePoint last = clock_.Now() - std::chrono::minutes(10);
    for (int i = 0; i < count; ++i) {
      const int index = first_index + i;
      ScriptedLarkMessage message;
      message.message_id = MessageId(index);
      message.create_time_ms = Millis(last - std::chrono::minutes(count - 1 - i));
      message.content = testing::AlertCardContent({Alert(index)});
      server_.AddMessage(message);
    }
  }

  Result<LarkIngestSummary> Ingest(LarkMode mode, int days = 0, LarkClientOptions options = {}) {
    if (options.base_url == LarkClientOptions().base_url) options = Options();
    LarkClient client(options, *transport_, clock_);
    LarkAlertStore store(db(), clock_);
    LarkIngestor ingestor(client, store, clock_);
    return ingestor.Run(server_.options().chat_id, mode, days, std::chrono::hours(24));
  }

  int64_t Count(const char* table) {
    return *db().QueryInt(std::string("SELECT COUNT(*) FROM ") + table);
  }

  ManualClock clock_{At("2026-12-07 12:00:00")};
  ScriptedLarkServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
};

TEST_P(LarkIngestTest, WalksEveryPageAndReingestingIsANoOp) {
  AddCards(120);
  auto first = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->pages, 3);  // 50 + 50 + 20
  EXPECT_EQ(first->messages, 120);
  EXPECT_EQ(first->stored.inserted, 120);
  EXPECT_EQ(first->sections, 120);
  EXPECT_EQ(first->client.token_fetches, 1);
  EXPECT_EQ(Count("lark_alerts"), 120);
  EXPECT_EQ(Count("lark_unparsed_messages"), 0);

  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);  // token + 3 pages
  EXPECT_EQ(requests[1].query.at("page_size"), "50");
  EXPECT_EQ(requests[1].query.at("container_id_type"), "chat");
  EXPECT_EQ(requests[1].query.at("sort_type"), "ByCreateTimeAsc");
  EXPECT_EQ(requests[1].query.count("page_token"), 0u);
  EXPECT_EQ(requests[2].query.at("page_token").rfind("pt-50-", 0), 0u);
  EXPECT_EQ(requests[1].query.at("start_time"),
            std::to_string(Millis(At("2026-12-06 12:00:00")) / 1000));
  EXPECT_EQ(requests[1].query.at("end_time"), std::to_string(Millis(clock_.Now()) / 1000));

  auto again = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->stored.inserted, 0);
  EXPECT_EQ(again->stored.duplicates, 120);
  EXPECT_EQ(Count("lark_alerts"), 120);

  auto row = db().QueryOne("SELECT cluster_id, status, alert_name, source, alert_time FROM "
                           "lark_alerts WHERE message_id = ?",
                           {store::Text(MessageId(5))});
  ASSERT_TRUE(row) << row.error().ToString();
  EXPECT_EQ(row->front().GetString("cluster_id"), "c-5");
  EXPECT_EQ(row->front().GetString("status"), "Firing");
  EXPECT_EQ(row->front().GetString("alert_name"), "OperationDurationGT");
  EXPECT_EQ(row->front().GetString("source"), "lark");
  // Card 5 of 120, one a minute up to 11:50: 114 minutes before 11:50.
  EXPECT_EQ(*row->front().GetTime("alert_time"), At("2026-12-07 09:56:00"));
}

TEST_P(LarkIngestTest, CatchUpStartsAtTheNewestStoredMessage) {
  AddCards(30);
  auto first = Ingest(LarkMode::kCatchUp);  // nothing stored: lark.first_catch_up (24 h)
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->stored.inserted, 30);
  EXPECT_NE(first->window.why.find("nothing stored yet"), std::string::npos);
  EXPECT_EQ(first->window.from, clock_.Now() - std::chrono::hours(24));

  clock_.Advance(std::chrono::minutes(30));
  AddCards(5, 100);  // five newer cards, the last 10 minutes before the new now
  auto second = Ingest(LarkMode::kCatchUp);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->window.from, At("2026-12-07 11:50:00"));  // the newest of the first 30
  EXPECT_EQ(second->stored.inserted, 5);
  EXPECT_EQ(second->stored.duplicates, 1);  // the boundary message is read again, harmlessly
  EXPECT_EQ(Count("lark_alerts"), 35);
  EXPECT_EQ(server_.requests().back().query.at("start_time"),
            std::to_string(Millis(At("2026-12-07 11:50:00")) / 1000));
}

TEST_P(LarkIngestTest, TodayStartsAtMidnightUtc) {
  ScriptedLarkMessage yesterday{MessageId(1), "interactive", Millis(At("2026-12-06 23:59:30")),
                                testing::AlertCardContent({Alert(1)})};
  ScriptedLarkMessage today{MessageId(2), "interactive", Millis(At("2026-12-07 00:00:00")),
                            testing::AlertCardContent({Alert(2)})};
  server_.AddMessage(yesterday);
  server_.AddMessage(today);
  auto summary = Ingest(LarkMode::kToday);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->window.from, At("2026-12-07 00:00:00"));
  EXPECT_EQ(summary->stored.inserted, 1);
  auto id = db().QueryOne("SELECT message_id FROM lark_alerts");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->front().GetString("message_id"), MessageId(2));
}

TEST_P(LarkIngestTest, BackfillDaysAreChecked) {
  auto summary = Ingest(LarkMode::kBackfill, 0);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(summary.error().message.find("1..365"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_P(LarkIngestTest, TokenRefusedMidWalkIsRefreshedAndThePageAskedAgain) {
  AddCards(120);
  LarkFault expired{LarkFault::Endpoint::kMessages, 400, 99991663,
                    "Invalid access token for authorization.", {}, ""};
  expired.skip = 1;  // the second page
  server_.Inject(expired);
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->stored.inserted, 120);
  EXPECT_EQ(summary->client.token_rejections, 1);
  EXPECT_EQ(summary->client.token_fetches, 2);
  EXPECT_EQ(server_.token_requests(), 2);
  EXPECT_EQ(server_.message_requests(), 4);  // page 2 twice
  const auto requests = server_.requests();
  // The repeated page 2 carries the new token and the same page token.
  EXPECT_NE(requests[2].authorization, requests[4].authorization);
  EXPECT_EQ(requests[2].query.at("page_token"), requests[4].query.at("page_token"));
}

TEST_P(LarkIngestTest, TokenRevokedByTheServerIsRefreshed) {
  AddCards(60);
  LarkClient client(Options(), *transport_, clock_);
  const std::string chat = server_.options().chat_id;
  auto page1 = client.ListMessages(chat, clock_.Now() - std::chrono::hours(2), clock_.Now(), "");
  ASSERT_TRUE(page1) << page1.error().ToString();
  ASSERT_TRUE(page1->has_more);
  server_.RevokeTokens();  // the server's own check refuses the cached token now
  auto page2 = client.ListMessages(chat, clock_.Now() - std::chrono::hours(2), clock_.Now(),
                                   page1->page_token);
  ASSERT_TRUE(page2) << page2.error().ToString();
  EXPECT_EQ(page2->items.size(), 10u);
  EXPECT_EQ(client.stats().token_rejections, 1);
  EXPECT_EQ(server_.token_requests(), 2);
}

TEST_P(LarkIngestTest, TokenNearItsExpiryIsRenewedBeforeTheCall) {
  ScriptedLarkServer::Options short_lived;
  short_lived.token_expire_seconds = 600;  // cached for 600 s - 3 min = 420 s
  ScriptedLarkServer server(short_lived);
  LarkClientOptions options = Options();
  options.base_url = server.base_url();
  LarkClient client(options, *transport_, clock_);
  const std::string chat = server.options().chat_id;
  ASSERT_TRUE(client.ListMessages(chat, clock_.Now() - std::chrono::hours(1), clock_.Now(), ""));
  clock_.Advance(std::chrono::seconds(419));
  ASSERT_TRUE(client.ListMessages(chat, clock_.Now() - std::chrono::hours(1), clock_.Now(), ""));
  EXPECT_EQ(server.token_requests(), 1);
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(client.ListMessages(chat, clock_.Now() - std::chrono::hours(1), clock_.Now(), ""));
  EXPECT_EQ(server.token_requests(), 2);
  EXPECT_EQ(client.stats().token_rejections, 0);
}

TEST_P(LarkIngestTest, RefusedTwiceInARowIsPermissionDenied) {
  AddCards(3);
  for (int i = 0; i < 2; ++i) {
    server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 400, 99991663,
                             "Invalid access token for authorization.", {}, "", 0});
  }
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(summary.error().message.find("99991663"), std::string::npos);
  EXPECT_EQ(Count("lark_alerts"), 0);
}

TEST_P(LarkIngestTest, RateLimitedAnswersWaitTheServersTimeAndRetry) {
  AddCards(60);
  LarkFault limited{LarkFault::Endpoint::kMessages, 429, 99991400,
                    "request trigger frequency limit",
                    {{"x-ogw-ratelimit-limit", "50"}, {"x-ogw-ratelimit-reset", "7"}}, ""};
  limited.skip = 1;
  server_.Inject(limited);
  // An older API's way: HTTP 400 with the same code, no header: the backoff of the second retry
  // applies (1 s doubled).
  server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 400, 99991400,
                           "request trigger frequency limit", {}, ""});
  const TimePoint before = clock_.Now();
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->stored.inserted, 60);
  EXPECT_EQ(summary->client.rate_limited, 2);
  EXPECT_EQ(summary->client.retries, 2);
  EXPECT_EQ(clock_.Now() - before, std::chrono::seconds(7) + std::chrono::seconds(2));
}

TEST_P(LarkIngestTest, StillRateLimitedAfterTheRetriesKeepsThePagesStored) {
  AddCards(60);
  for (int i = 0; i < 4; ++i) {  // max_retries 3: four answers in a row
    LarkFault limited{LarkFault::Endpoint::kMessages, 429, 99991400, "request trigger frequency limit",
                      {{"x-ogw-ratelimit-reset", "2"}}, ""};
    limited.skip = i == 0 ? 1 : 0;
    server_.Inject(limited);
  }
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(summary.error().ToString().find("after 1 page(s), 50 message(s) stored"),
            std::string::npos)
      << summary.error().ToString();
  EXPECT_EQ(Count("lark_alerts"), 50);
  auto resumed = Ingest(LarkMode::kCatchUp);
  ASSERT_TRUE(resumed) << resumed.error().ToString();
  EXPECT_EQ(Count("lark_alerts"), 60);
}

TEST_P(LarkIngestTest, ServerErrorsAreRetriedWithBackoff) {
  AddCards(10);
  server_.Inject(LarkFault{LarkFault::Endpoint::kToken, 503, 0, "", {}, "upstream connect error"});
  server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 502, 0, "", {}, "<html>bad gateway</html>"});
  const TimePoint before = clock_.Now();
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->stored.inserted, 10);
  EXPECT_EQ(summary->client.retries, 2);
  EXPECT_EQ(clock_.Now() - before, std::chrono::seconds(2));  // 1 s before each retry
}

TEST_P(LarkIngestTest, MalformedMessagesAreKeptAsUnparsedWithTheReason) {
  const TimePoint t = clock_.Now() - std::chrono::hours(1);
  const auto at = [&](int minute) { return Millis(t + std::chrono::minutes(minute)); };
  FakeAlertSection nameless = Alert(9);
  nameless.alert_name.clear();
  server_.AddMessage({"om_good", "interactive", at(0), testing::AlertCardContent({Alert(1)})});
  server_.AddMessage({"om_text", "text", at(1), "{\"text\":\"who is on call?\"}"});
  server_.AddMessage({"om_recalled", "interactive", at(2), testing::AlertCardContent({Alert(2)}),
                      true});
  server_.AddMessage({"om_broken", "interactive", at(3), "{\"elements\": [{\"tag\": \"div\""});
  server_.AddMessage({"om_noalert", "interactive", at(4),
                      DumpJson(Json{{"elements", {{{"tag", "markdown"}, {"content", "Deploy done"}}}}})});
  server_.AddMessage({"om_half", "interactive", at(5),
                      testing::AlertCardContent({Alert(3), nameless})});
  server_.AddMessage({"om_secret", "interactive", at(6),
                      "{\"elements\": [], \"note\": \"password=Hunter2Hunter2\"}"});
  auto summary = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(summary) << summary.error().ToString();
  EXPECT_EQ(summary->messages, 7);
  EXPECT_EQ(summary->stored.inserted, 2);           // om_good, om_half (its complete section)
  EXPECT_EQ(summary->stored.unparsed_inserted, 6);  // every other one, and om_half's skip
  EXPECT_EQ(Count("lark_alerts"), 2);

  LarkAlertStore store(db(), clock_);
  auto unparsed = store.ListUnparsed({});
  ASSERT_TRUE(unparsed);
  std::map<std::string, LarkUnparsedMessage> by_id;
  for (const LarkUnparsedMessage& message : *unparsed) by_id[message.message_id] = message;
  ASSERT_EQ(by_id.size(), 6u);
  EXPECT_EQ(by_id["om_text"].reason, "msg_type 'text' is not an interactive card");
  EXPECT_EQ(by_id["om_text"].content, "{\"text\":\"who is on call?\"}");
  EXPECT_EQ(by_id["om_recalled"].reason, "the message was recalled");
  EXPECT_NE(by_id["om_broken"].reason.find("card content: not valid JSON"), std::string::npos)
      << by_id["om_broken"].reason;
  EXPECT_NE(by_id["om_noalert"].reason.find("holds no alert section"), std::string::npos);
  EXPECT_EQ(by_id["om_half"].reason,
            "stored 1 complete section(s) in lark_alerts; skipped: section 2 of 2: no alert name");
  EXPECT_EQ(by_id["om_secret"].content.find("Hunter2Hunter2"), std::string::npos)
      << by_id["om_secret"].content;
  EXPECT_EQ(by_id["om_half"].message_time, At("2026-12-07 11:05:00"));

  // Re-ingesting stores nothing twice, in either table.
  auto again = Ingest(LarkMode::kBackfill, 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stored.inserted, 0);
  EXPECT_EQ(again->stored.unparsed_inserted, 0);
  EXPECT_EQ(again->stored.unparsed_duplicates, 6);
}

TEST_P(LarkIngestTest, ChineseCardsRoundTrip) {
  FakeAlertSection firing = Alert(1, "告警中");
  firing.alert_name = "HeapUsageTooHigh";
  firing.cluster_name = "生产-订单库";
  firing.account_name = "杭州某某科技有限公司";
  firing.detail = "FE 堆内存使用率 92%，超过阈值 85% | 持续 15 分钟";
  FakeAlertSection resolved = firing;
  resolved.status = "已恢复";
  resolved.alert_name = "BeAliveAbnormal";
  resolved.detail = "BE 心跳恢复";
  server_.AddMessage({"om_zh", "interactive", Millis(clock_.Now() - std::chrono::minutes(5)),
                      testing::AlertCardContent({firing, resolved}, /*chinese=*/true)});
  auto summary = Ingest(LarkMode::kToday);
  ASSERT_TRUE(summary) << summary.error().ToString();
  ASSERT_EQ(summary->stored.inserted, 1);
  LarkAlertStore store(db(), clock_);
  auto rows = store.List({});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  const LarkAlertRow& row = (*rows)[0];
  EXPECT_EQ(row.sections, 2);
  EXPECT_EQ(row.cluster_name, "生产-订单库");
  EXPECT_EQ(row.account_name, "杭州某某科技有限公司");
  EXPECT_EQ(row.status, "Firing|Resolved");
  EXPECT_EQ(row.alert_name, "HeapUsageTooHigh|BeAliveAbnormal");
  auto sections = SectionsOf(row);
  ASSERT_TRUE(sections);
  EXPECT_EQ((*sections)[0].alert_detail, "FE 堆内存使用率 92%，超过阈值 85% | 持续 15 分钟");
  EXPECT_EQ((*sections)[1].alert_detail, "BE 心跳恢复");
}

TEST_P(LarkIngestTest, WrongAppSecretIsPermissionDeniedAndNeverPrinted) {
  LarkClientOptions options = Options();
  options.app_secret = "WrongSecretValue123456";
  RegisterSecretValue(options.app_secret);
  auto summary = Ingest(LarkMode::kToday, 0, options);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kPermissionDenied);
  const std::string text = summary.error().ToString();
  EXPECT_NE(text.find("99991543"), std::string::npos) << text;
  EXPECT_NE(text.find("ROCKHOUND_LARK_APP_SECRET"), std::string::npos) << text;
  EXPECT_EQ(text.find(options.app_secret), std::string::npos) << text;
  EXPECT_EQ(server_.message_requests(), 0);
}

TEST_P(LarkIngestTest, TheTenantTokenIsMaskedOnceFetched) {
  AddCards(1);
  ASSERT_TRUE(Ingest(LarkMode::kToday));
  const std::string authorization = server_.requests().back().authorization;
  ASSERT_EQ(authorization.rfind("Bearer t-", 0), 0u);
  const std::string token = authorization.substr(7);
  EXPECT_EQ(RedactSecrets("token " + token).find(token), std::string::npos);
}

TEST_P(LarkIngestTest, BotOutsideTheChatSaysWhatToDo) {
  LarkClient client(Options(), *transport_, clock_);
  auto page = client.ListMessages("oc_not_this_one", clock_.Now() - std::chrono::hours(1),
                                  clock_.Now(), "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(page.error().message.find("add the app's bot to the chat"), std::string::npos)
      << page.error().ToString();
}

TEST_P(LarkIngestTest, ARepeatedPageTokenStopsTheWalk) {
  AddCards(5);
  const std::string looping =
      R"({"code":0,"msg":"success","data":{"has_more":true,"page_token":"same","items":[]}})";
  server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 200, 0, "", {}, looping});
  server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 200, 0, "", {}, looping});
  auto summary = Ingest(LarkMode::kToday);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(summary.error().message.find("page_token 'same' a second time"), std::string::npos);
}

TEST_P(LarkIngestTest, AnswerWithoutDataIsDataLoss) {
  server_.Inject(LarkFault{LarkFault::Endpoint::kMessages, 200, 0, "", {},
                           R"({"code":0,"msg":"success"})"});
  auto summary = Ingest(LarkMode::kToday);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kDataLoss);
}

TEST_P(LarkIngestTest, AWrongBaseUrlSaysWhichSettingToFix) {
  server_.Inject(LarkFault{LarkFault::Endpoint::kToken, 404, 0, "", {}, "404 page not found"});
  auto summary = Ingest(LarkMode::kToday);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(summary.error().message.find("check lark.base_url"), std::string::npos)
      << summary.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, LarkIngestTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::alerts
