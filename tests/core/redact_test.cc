#include "core/redact.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rh
