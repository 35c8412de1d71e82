// Secret redaction: the one function every log line, tool result, prompt and report passes
// through before it leaves Rockhound.
//
// RedactSecrets masks, keeping only the last 4 characters where that helps tell keys apart:
//  - key/value pairs whose key names a secret, in JSON ("AdminPassword": "x"), in
//    key=value / key: value text and in SQL-ish text: password, passwd, pwd, AdminPassword,
//    AccessKeySecret, AccessKeyId, SecurityToken, secret, token, api_key / apikey / x-api-key,
//    authorization (including "Bearer <token>");
//  - the password in URL userinfo: mysql://user:pw@host -> mysql://user:****@host;
//  - bare credentials recognised by their shape: Anthropic/OpenAI keys (sk-...), Alibaba Cloud
//    AccessKeyIds (LTAI...), STS tokens (STS....), Slack tokens (xox?-...).
// It never changes text without a secret, and is idempotent. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace rh {

std::string RedactSecrets(std::string_view text);

// Masks one known secret value for display: "sk-ant-api03-abcd...wxyz" -> "****wxyz"
// (values of 8 characters or fewer become "****").
std::string MaskSecret(std::string_view secret);

}  // namespace rh
