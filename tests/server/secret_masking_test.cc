// Secrets typed into an investigation question or an alert's text are masked before they are
// stored (issue 13): by pattern (sk-ant-..., AKIA..., password=..., bearer tokens) and by value
// (a configured secret registered with RedactSecrets), over the real HTTP API on both backends.
#include <gtest/gtest.h>

#include "core/redact.h"
#include "tests/server/server_fixture.h"

namespace rh::testing {
namespace {

constexpr const char* kConfiguredSecret = "fleet-db-pass-9Kq2Lm";

class SecretMaskingTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ClearRegisteredSecrets();
    config_.secrets.embedder_api_key = kConfiguredSecret;  // not a password the test needs
    RegisterConfiguredSecrets(config_);
  }
  void TearDown() override {
    ServerTest::TearDown();
    ClearRegisteredSecrets();
  }

  // Every secret of the text below, none of which may be stored or returned.
  static std::string TypedSecrets() {
    return std::string("our key is sk-ant-api03-Qw3rTy8Ui9Op0AsDfGh, aws AKIAIOSFODNN7EXAMPLE, ") +
           "password=Hunter2Hunter2, 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.Zm9vYmFy' "
           "and the embedder key " +
           kConfiguredSecret;
  }
  static void ExpectMasked(const std::string& text) {
    for (const char* secret : {"Qw3rTy8Ui9Op0AsDfGh", "IOSFODNN7EXAMPLE", "Hunter2Hunter2",
                               "eyJhbGciOiJIUzI1NiJ9", kConfiguredSecret}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in: " << text;
    }
    EXPECT_NE(text.find("****"), std::string::npos) << text;
  }
};

TEST_P(SecretMaskingTest, QuestionIsMaskedBeforeTheQueueStoresIt) {
  StartServer();
  const std::string question = "Why is the disk full? " + TypedSecrets();
  HttpReply created =
      Post("/api/v1/investigations",
           DumpJson(Json{{"cluster_id", kCriticalCluster}, {"question", question}}));
  ASSERT_EQ(created.status, 202) << created.body;
  ExpectMasked(created.body);
  const std::string task_id = JsonString(created.json, "task_id");
  EXPECT_NE(JsonString(created.json, "question").find("Why is the disk full?"), std::string::npos);

  HttpReply fetched = Get("/api/v1/investigations/" + task_id);
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  ExpectMasked(JsonString(fetched.json, "question"));
  auto stored = memory().QueryOne("SELECT question FROM investigation_tasks WHERE task_id = ?",
                                  {store::Text(task_id)});
  ASSERT_TRUE(stored && !stored->empty());
  ExpectMasked(stored->front().GetString("question"));
}

TEST_P(SecretMaskingTest, AlertDetailIsMaskedBeforeItIsStored) {
  StartServer();
  Json body = {{"version", "4"},
               {"status", "firing"},
               {"alerts",
                {{{"status", "firing"},
                  {"labels", {{"alertname", "LoginFailures"}, {"cluster_id", kCriticalCluster}}},
                  {"annotations", {{"summary", "Logins failing: " + TypedSecrets()}}},
                  {"startsAt", "2026-11-21T09:00:00Z"}}}}};
  HttpReply posted = Post("/api/v1/alerts/alertmanager", DumpJson(body));
  ASSERT_EQ(posted.status, 200) << posted.body;
  auto stored = fleet().QueryOne("SELECT detail FROM lark_alerts WHERE alert_name = ?",
                                 {store::Text("LoginFailures")});
  ASSERT_TRUE(stored && !stored->empty());
  const std::string detail = stored->front().GetString("detail");
  ExpectMasked(detail);
  EXPECT_NE(detail.find("Logins failing:"), std::string::npos) << detail;
}

INSTANTIATE_TEST_SUITE_P(Backends, SecretMaskingTest, RH_DATABASE_BACKENDS());

}  // namespace
}  // namespace rh::testing
