#include "core/redact.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace rh {
namespace {

TEST(RedactTest, JsonAndKeyValueSecrets) {
  EXPECT_EQ(RedactSecrets(R"({"AdminPassword": "Sup3rS3cret!!", "region": "cn-hangzhou"})"),
            R"({"AdminPassword": "****et!!", "region": "cn-hangzhou"})");
  EXPECT_EQ(RedactSecrets("password=hunter2 user=bob"), "password=**** user=bob");
  EXPECT_EQ(RedactSecrets("AccessKeySecret: abcdefghijklmnop1234"), "AccessKeySecret: ****1234");
  EXPECT_EQ(RedactSecrets("db_password = 'pa ss'"), "db_password = '****'");
}

TEST(RedactTest, UrlPasswordsAndHeaders) {
  EXPECT_EQ(RedactSecrets("connect mysql://rh:topsecret@10.0.0.1:9030/db failed"),
            "connect mysql://rh:****@10.0.0.1:9030/db failed");
  EXPECT_EQ(RedactSecrets("mysql://rh@10.0.0.1:9030/db"), "mysql://rh@10.0.0.1:9030/db");
  EXPECT_EQ(RedactSecrets("Authorization: Bearer abcdefghijklmnopqrstuvwxyz"),
            "Authorization: Bearer ****wxyz");
  EXPECT_EQ(RedactSecrets("x-api-key: sk-ant-api03-AAAABBBBCCCCDDDD"), "x-api-key: ****DDDD");
}

TEST(RedactTest, BareCredentialsByShape) {
  EXPECT_EQ(RedactSecrets("key sk-ant-api03-abcdefghijklmnop9876 used"),
            "key sk-ant-****9876 used");
  EXPECT_EQ(RedactSecrets("id LTAI5tQwErTyUiOp1234 here"), "id LTAI****1234 here");
  EXPECT_EQ(RedactSecrets("token STS.NUgYrLnoC37mZZCNnAbCdEfGh end"), "token STS.****EfGh end");
}

TEST(RedactTest, LeavesOrdinaryTextAloneAndIsIdempotent) {
  const std::string plain =
      "BE disk used 91% on cluster c-01; max_tokens=4096 input_tokens: 120; task-123 done";
  EXPECT_EQ(RedactSecrets(plain), plain);
  std::string once = RedactSecrets("password=abcdefghijkl and sk-ant-api03-zzzzzzzzzzzz1111");
  EXPECT_EQ(RedactSecrets(once), once);
  EXPECT_EQ(MaskSecret("sk-ant-api03-abcdefgh1234"), "****1234");
  EXPECT_EQ(MaskSecret("short"), "****");
}

// The messages the campaign saw mangled ("GET /token: **** such route", the token-missing
// message), and ordinary prose around secret-ish words: none is rewritten.
TEST(RedactTest, OrdinarySentencesAreLeftUntouched) {
  for (const std::string& plain : {
           std::string("not_found: GET /token: no such route; see server/README.md"),
           std::string("permission_denied: authorization: missing bearer token: send "
                       "'Authorization: Bearer <ROCKHOUND_SERVER_TOKEN>'"),
           std::string("authorization: wrong bearer token"),
           std::string("the token: expired. Ask for a new one"),
           std::string("Password: Required for MySQL; set ROCKHOUND_MYSQL_PASSWORD"),
           std::string("secret: none configured"),
           std::string("Bearer authentication is required; Bearer authentication-required"),
           std::string("agent.token_budget: must be > 0; tools.output_budget_tokens: must be >= "
                       "100; agent.max_tokens: must be >= 256"),
           std::string("ROCKHOUND_SERVER_TOKEN must be set (bearer-token auth is required)"),
           std::string("tokens: 4096 input, 512 output; tasked 3 workers"),
           std::string("'agent.api_key' looks like a secret; secrets are read only from the "
                       "environment"),
           std::string("risk-assessment-for-the-cluster-backend STS is fine; AKIA is a prefix"),
           std::string("Disk is 91% full on c-alpha-prod; see https://docs.example.com/a@b"),
       }) {
    EXPECT_EQ(RedactSecrets(plain), plain);
  }
}

// The issue's shapes: keys such as sk-ant-..., AKIA..., password=..., bearer tokens.
TEST(RedactTest, TypedSecretsByPattern) {
  EXPECT_EQ(RedactSecrets("why is c-1 slow? key sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4 fails"),
            "why is c-1 slow? key sk-ant-****5Op4 fails");
  EXPECT_EQ(RedactSecrets("aws AKIAIOSFODNN7EXAMPLE leaked"), "aws AKIA****MPLE leaked");
  EXPECT_EQ(RedactSecrets("login with password=hunter2 please"), "login with password=**** please");
  EXPECT_EQ(RedactSecrets("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123'"),
            "curl -H 'Authorization: Bearer ****c123'");
  EXPECT_EQ(RedactSecrets("use Bearer eyJhbGciOiJIUzI1NiJ9.e30.xyz789 here"),
            "use Bearer ****z789 here");
  EXPECT_EQ(RedactSecrets("token: x9f3kd8s0a2"), "token: ****s0a2");
  EXPECT_EQ(RedactSecrets("password: hunter2"), "password: ****");
  EXPECT_EQ(RedactSecrets("token:send"), "token:****");      // no space: a key:value pair
  EXPECT_EQ(RedactSecrets(R"({"token": "send"})"), R"({"token": "****"})");  // JSON
  EXPECT_EQ(RedactSecrets("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "gh ghp_****6789");
}

class SecretRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearRegisteredSecrets(); }
  void TearDown() override { ClearRegisteredSecrets(); }
};

TEST_F(SecretRegistryTest, RegisteredValuesAreMaskedWhereverTheyAppear) {
  // A value no pattern knows: only the registry can catch it.
  const std::string password = "correct horse battery staple";
  EXPECT_EQ(RedactSecrets("db said: " + password), "db said: " + password);
  EXPECT_TRUE(RegisterSecretValue(password));
  EXPECT_EQ(RedactSecrets("db said: " + password + "; again " + password),
            "db said: ****aple; again ****aple");
  EXPECT_EQ(RedactSecrets(RedactSecrets("x" + password + "y")), "x****apley");  // idempotent
  // Its JSON spelling too (quotes and backslashes escaped in a JSON log line).
  ASSERT_TRUE(RegisterSecretValue(R"(pa"ss\word-42)"));
  EXPECT_EQ(RedactSecrets(R"({"msg":"got pa\"ss\\word-42"})"), R"({"msg":"got ****d-42"})");
}

TEST_F(SecretRegistryTest, ShortValuesAreNotRegistered) {
  EXPECT_FALSE(RegisterSecretValue("admin"));
  EXPECT_FALSE(RegisterSecretValue("1234567"));
  EXPECT_FALSE(RegisterSecretValue(""));
  EXPECT_EQ(RedactSecrets("admin ran 1234567 checks"), "admin ran 1234567 checks");
  EXPECT_TRUE(RegisterSecretValue("12345678"));
  EXPECT_EQ(RedactSecrets("pin 12345678"), "pin ****");
}

TEST_F(SecretRegistryTest, WebhookUrlPathAndTokenSegmentAreSecrets) {
  const std::string url =
      "https://hooks.slack.com/services/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";
  RegisterSecretUrl(url);
  EXPECT_EQ(RedactSecrets("posting to " + url), "posting to ****FeDc");
  EXPECT_EQ(
      RedactSecrets("HTTP 404: no_service /services/T0AAAAAAA/B0BBBBBBB/ZyXwVuTsRqPoNmLkJiHgFeDc"),
      "HTTP 404: no_service ****FeDc");
  EXPECT_EQ(RedactSecrets("invalid_token ZyXwVuTsRqPoNmLkJiHgFeDc"), "invalid_token ****FeDc");
  RegisterSecretUrl("https://bot:s3cr3t-pass@open.feishu.cn/hook");  // short path: not registered
  EXPECT_EQ(RedactSecrets("pass s3cr3t-pass, path /hook"), "pass ****pass, path /hook");
}

// Once RegisterSecretValue has returned, every thread's RedactSecrets masks the value, also while
// other values are being registered.
TEST_F(SecretRegistryTest, RegisteringWhileRedactingFromManyThreads) {
  std::atomic<bool> first_registered{false};
  std::atomic<bool> stop{false};
  std::atomic<int> leaks{0};
  std::atomic<int> redactions{0};
  std::vector<std::thread> readers;
  for (int reader = 0; reader < 4; ++reader) {
    readers.emplace_back([&] {
      while (!stop) {
        const bool registered = first_registered;
        if (RedactSecrets("value-00000000 here").find("value-00000000") != std::string::npos &&
            registered) {
          ++leaks;
        }
        ++redactions;
      }
    });
  }
  RegisterSecretValue("value-00000000");
  first_registered = true;
  for (int value_idx = 1; value_idx < 200; ++value_idx) {
    char value[32];
    std::snprintf(value, sizeof(value), "value-%08d", value_idx);
    RegisterSecretValue(value);
  }
  while (redactions < 1000) std::this_thread::yield();
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(RedactSecrets("value-00000000 and value-00000199"), "****0000 and ****0199");
}

TEST(RedactTest, UrlUserinfo) {
  EXPECT_TRUE(UrlHasUserinfo("http://user:pw@127.0.0.1:11434/v1"));
  EXPECT_TRUE(UrlHasUserinfo("https://token@host"));
  EXPECT_FALSE(UrlHasUserinfo("https://host/a@b"));
  EXPECT_FALSE(UrlHasUserinfo("not a url @ all"));
  EXPECT_EQ(UrlWithoutUserinfo("http://user:pw@127.0.0.1:11434/v1"), "http://127.0.0.1:11434/v1");
  EXPECT_EQ(UrlWithoutUserinfo("https://token@host?q=1"), "https://host?q=1");
  EXPECT_EQ(UrlWithoutUserinfo("https://host/a@b"), "https://host/a@b");
}

}  // namespace
}  // namespace rh
