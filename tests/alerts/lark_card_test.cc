// The Lark alert-card parser: the platform bot's Card 1.0 layout in English and Chinese, a
// recorded-shape multi-section Chinese card (fields, overflow silence links, hr), Card 2.0, the
// default rendered form, the title fallback for the status, and malformed cards with the reason.
#include "alerts/lark_card.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "tests/fakes/scripted_lark_server.h"

namespace rh::alerts {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(RH_SOURCE_DIR) + "/tests/alerts/data/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

testing::FakeAlertSection Section(std::string alert, std::string status) {
  testing::FakeAlertSection section;
  section.cluster_name = "orders-prod";
  section.region = "us-east-1";
  section.account_name = "Acme Corp";
  section.cluster_id = "c-0001";
  section.status = std::move(status);
  section.alert_name = std::move(alert);
  section.detail = "FE heap 93% > 85%";
  section.dashboard_url = "https://grafana.example.com/d/fe";
  section.silence_url = "https://am.example.com/#/silences/new?filter=c-0001";
  return section;
}

TEST(LarkCardTest, PlatformCardInEnglish) {
  auto card = ParseLarkAlertCard(testing::AlertCardContent({Section("HeapUsageTooHigh", "Firing")}));
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 1u);
  EXPECT_TRUE(card->problems.empty());
  const LarkAlertSection& s = card->sections[0];
  EXPECT_EQ(s.cluster_name, "orders-prod");
  EXPECT_EQ(s.region, "us-east-1");
  EXPECT_EQ(s.account_name, "Acme Corp");
  EXPECT_EQ(s.cluster_id, "c-0001");
  EXPECT_EQ(s.status, LarkAlertStatus::kFiring);
  EXPECT_EQ(s.alert_name, "HeapUsageTooHigh");
  EXPECT_EQ(s.alert_detail, "FE heap 93% > 85%");
  EXPECT_EQ(s.dashboard_url, "https://grafana.example.com/d/fe");
  EXPECT_EQ(s.silence_url, "https://am.example.com/#/silences/new?filter=c-0001");
}

TEST(LarkCardTest, PlatformCardInChineseWithTwoSections) {
  testing::FakeAlertSection first = Section("HeapUsageTooHigh", "告警中");
  first.cluster_name = "生产-订单库";
  first.detail = "FE 堆内存使用率 93%";
  testing::FakeAlertSection second = Section("BeAliveAbnormal", "已恢复");
  second.cluster_name = "生产-订单库";
  second.silence_url.clear();
  auto card = ParseLarkAlertCard(testing::AlertCardContent({first, second}, /*chinese=*/true));
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 2u);
  EXPECT_EQ(card->sections[0].cluster_name, "生产-订单库");
  EXPECT_EQ(card->sections[0].status, LarkAlertStatus::kFiring);
  EXPECT_EQ(card->sections[0].alert_detail, "FE 堆内存使用率 93%");
  EXPECT_EQ(card->sections[0].silence_url, first.silence_url);
  EXPECT_EQ(card->sections[1].status, LarkAlertStatus::kResolved);
  EXPECT_EQ(card->sections[1].alert_name, "BeAliveAbnormal");
  EXPECT_EQ(card->sections[1].silence_url, "");
  EXPECT_EQ(card->sections[1].dashboard_url, second.dashboard_url);
}

TEST(LarkCardTest, RecordedShapeChineseFieldsCard) {
  auto card = ParseLarkAlertCard(Fixture("multi_section_zh.json"));
  ASSERT_TRUE(card) << card.error().ToString();
  EXPECT_EQ(card->title, "⛈ StarRocks 告警（2 条）");
  ASSERT_EQ(card->sections.size(), 2u) << ::testing::PrintToString(card->problems);
  const LarkAlertSection& firing = card->sections[0];
  EXPECT_EQ(firing.cluster_name, "生产-订单库");
  EXPECT_EQ(firing.region, "cn-hangzhou");
  EXPECT_EQ(firing.account_name, "杭州某某科技有限公司");
  EXPECT_EQ(firing.cluster_id, "c-7f3a9b21");
  EXPECT_EQ(firing.status, LarkAlertStatus::kFiring);  // from <font color='red'>告警中</font>
  EXPECT_EQ(firing.alert_name, "HeapUsageTooHigh");
  EXPECT_EQ(firing.alert_detail, "FE 堆内存使用率 92%，超过阈值 85%\n持续 15 分钟");
  EXPECT_EQ(firing.dashboard_url, "https://grafana.example.com/d/fe?var-cluster=c-7f3a9b21");
  // The first silence option of the overflow menu.
  EXPECT_EQ(firing.silence_url, "https://am.example.com/silence?duration=2h&filter=c-7f3a9b21");
  const LarkAlertSection& resolved = card->sections[1];
  EXPECT_EQ(resolved.status, LarkAlertStatus::kResolved);
  EXPECT_EQ(resolved.alert_name, "BeAliveAbnormal");
  EXPECT_EQ(resolved.alert_detail, "BE 节点 be-3 已恢复心跳 | alive=3/3");
  EXPECT_EQ(resolved.silence_url, "");
  EXPECT_EQ(resolved.dashboard_url, "https://grafana.example.com/d/be?var-cluster=c-7f3a9b21");
}

TEST(LarkCardTest, CardJson2WithStatusFromTheTitle) {
  auto card = ParseLarkAlertCard(Fixture("card_v2.json"));
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 1u) << ::testing::PrintToString(card->problems);
  const LarkAlertSection& s = card->sections[0];
  EXPECT_EQ(s.cluster_name, "analytics-eu");
  EXPECT_EQ(s.region, "eu-central-1");
  EXPECT_EQ(s.account_name, "Acme GmbH");
  EXPECT_EQ(s.cluster_id, "c-eu-0042");
  EXPECT_EQ(s.status, LarkAlertStatus::kFiring);  // "[FIRING]" in the header title
  EXPECT_EQ(s.alert_name, "OperationDurationGT");
  EXPECT_EQ(s.alert_detail, "ALTER TABLE running for 3h 12m (threshold 2h)");
  EXPECT_EQ(s.dashboard_url, "https://grafana.example.com/d/ops?cluster=c-eu-0042");
  EXPECT_EQ(s.silence_url, "https://am.example.com/#/silences/new?filter=c-eu-0042");
}

TEST(LarkCardTest, DefaultRenderedForm) {
  auto card = ParseLarkAlertCard(Fixture("rendered.json"));
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 1u);
  const LarkAlertSection& s = card->sections[0];
  EXPECT_EQ(s.alert_name, "QueryLatencyP99High");
  EXPECT_EQ(s.status, LarkAlertStatus::kResolved);
  EXPECT_EQ(s.cluster_name, "bi-prod");
  EXPECT_EQ(s.cluster_id, "c-bi-0001");
  EXPECT_EQ(s.region, "us-west-2");
  EXPECT_EQ(s.alert_detail, "p99 back to 1.2 s");
  EXPECT_EQ(s.dashboard_url, "https://grafana.example.com/d/latency");
  EXPECT_EQ(s.silence_url, "https://am.example.com/silence/1");
}

TEST(LarkCardTest, RepeatedKeyWithoutDividerStartsANewSection) {
  const std::string content = DumpJson(Json{
      {"elements",
       {{{"tag", "markdown"},
         {"content",
          "Alert Name: A1\nStatus: Firing\nCluster ID: c-1\nAlert Name: A2\nStatus: Resolved\n"
          "Cluster ID: c-2"}}}}});
  auto card = ParseLarkAlertCard(content);
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 2u);
  EXPECT_EQ(card->sections[0].alert_name, "A1");
  EXPECT_EQ(card->sections[1].cluster_id, "c-2");
  EXPECT_EQ(card->sections[1].status, LarkAlertStatus::kResolved);
}

TEST(LarkCardTest, IncompleteSectionIsReportedAndTheRestKept) {
  testing::FakeAlertSection broken = Section("", "Firing");  // no alert name
  auto card = ParseLarkAlertCard(
      testing::AlertCardContent({Section("HeapUsageTooHigh", "Firing"), broken}));
  ASSERT_TRUE(card) << card.error().ToString();
  ASSERT_EQ(card->sections.size(), 1u);
  ASSERT_EQ(card->problems.size(), 1u);
  EXPECT_EQ(card->problems[0], "section 2 of 2: no alert name");
}

TEST(LarkCardTest, MalformedCardsSayWhatIsWrong) {
  struct Case {
    std::string content;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "content is empty"},
      {"{\"elements\": [", "card content: not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"{\"text\": \"hello\"}", "has no elements"},
      {DumpJson(Json{{"elements", {{{"tag", "markdown"}, {"content", "deploy finished"}}}}}),
       "holds no alert section"},
      {DumpJson(Json{{"elements", {{{"tag", "markdown"}, {"content", "Alert Name: X\nStatus: maybe"}}}}}),
       "status 'maybe' is neither Firing nor Resolved"},
      {DumpJson(Json{{"elements", {{{"tag", "markdown"}, {"content", "Alert Name: X\nStatus: Firing"}}}}}),
       "no cluster id or cluster name"},
  };
  for (const Case& c : cases) {
    auto card = ParseLarkAlertCard(c.content);
    ASSERT_FALSE(card) << c.content;
    EXPECT_EQ(card.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(card.error().ToString().find(c.expected), std::string::npos)
        << c.content << " -> " << card.error().ToString();
  }
}

TEST(LarkCardTest, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = "{\"elements\": " + std::string(200, '[') + std::string(200, ']') + "}";
  auto card = ParseLarkAlertCard(deep);
  ASSERT_FALSE(card);
  EXPECT_NE(card.error().message.find("nesting deeper"), std::string::npos)
      << card.error().ToString();
}

TEST(LarkCardTest, EveryFieldHasKeys) {
  std::set<std::string> fields;
  for (const LarkCardKey& key : LarkCardKeys()) {
    EXPECT_FALSE(key.spellings.empty()) << key.field;
    fields.insert(key.field);
  }
  EXPECT_EQ(fields.size(), 10u);
}

}  // namespace
}  // namespace rh::alerts

namespace rh::alerts {
namespace {

TEST(LarkCardTest, TruncateUtf8CutsAtACharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("告警详情", 12), "告警详情");
  EXPECT_EQ(TruncateUtf8("告警详情", 7), "告警...");  // 7 bytes end inside the third character
  EXPECT_EQ(TruncateUtf8("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace rh::alerts

namespace rh::alerts {
namespace {

// Seeded mutations of the recorded-shape cards (cuts, byte flips, spliced fragments): the parser
// never crashes, and every refusal is invalid_argument with a message.
TEST(LarkCardTest, MutatedCardsNeverCrash) {
  const std::vector<std::string> seeds = {Fixture("multi_section_zh.json"),
                                          Fixture("card_v2.json"), Fixture("rendered.json")};
  std::mt19937 random(20261207);
  int parsed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int edit = 0; edit < edits && !text.empty(); ++edit) {
      const size_t at = random() % text.size();
      switch (random() % 4) {
        case 0:
          text.resize(at);
          break;
        case 1:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 2:
          text.insert(at, seeds[random() % seeds.size()].substr(0, random() % 64));
          break;
        default:
          text.erase(at, random() % 16);
          break;
      }
    }
    auto card = ParseLarkAlertCard(text);
    if (card) {
      ++parsed;
      EXPECT_FALSE(card->sections.empty());
    } else {
      EXPECT_EQ(card.error().code, ErrorCode::kInvalidArgument);
      EXPECT_FALSE(card.error().message.empty());
    }
  }
  EXPECT_GT(parsed, 0);  // some mutations leave a valid card
}

}  // namespace
}  // namespace rh::alerts
