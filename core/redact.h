// Secret redaction: the one function every log line, tool result, prompt, report, stored question
// or alert and outbound error passes through before it leaves Rockhound.
//
// RedactSecrets masks, keeping only the last 4 characters where that helps tell keys apart:
//  - every registered secret value (below), wherever it appears: the configured API keys,
//    passwords, server token and webhook URL are masked by value, not only by their shape;
//  - key/value pairs whose key names a secret: password, passwd, pwd, AdminPassword,
//    AccessKeySecret, AccessKeyId, SecurityToken, secret, token, api_key / apikey / x-api-key,
//    authorization (also as the suffix of a longer name: db_password, notify_token):
//      JSON ("AdminPassword": "x") and quoted values, key=value and key:value are always masked;
//      "key: value" with a space after the colon (the way prose reads, "missing bearer token: send
//      ...", "GET /token: no such route") only when the value looks like a credential (a
//      digit, an upper-case letter after the first, or a symbol), or follows Bearer/Basic;
//  - the password in URL userinfo: mysql://user:pw@host -> mysql://user:****@host;
//  - bare credentials recognised by their shape: Anthropic/OpenAI keys (sk-...), AWS access key
//    ids (AKIA..., ASIA...), Alibaba Cloud AccessKeyIds (LTAI...), STS tokens (STS....), Slack
//    tokens (xox?-...), GitHub tokens (ghp_..., github_pat_...), and "Bearer <token>" anywhere
//    when the token looks like a credential (16+ characters, not a plain lower-case word).
// It never changes ordinary text (no ordinary word is a secret shape or a registered value), and
// is idempotent. Thread-safety: safe from any thread, also while secrets are being registered.
#pragma once

#include <string>
#include <string_view>

namespace rh {

std::string RedactSecrets(std::string_view text);

// Masks one known secret value for display: "sk-ant-api03-abcd...wxyz" -> "****wxyz"
// (values of 8 characters or fewer become "****").
std::string MaskSecret(std::string_view secret);

// ---- the process-wide registry of secret values ---------------------------------------------
// Registered once at start-up, right after the config is loaded (RegisterConfiguredSecrets in
// core/config.h, called by app/main.cc); RedactSecrets then masks each value wherever it appears.

// Values shorter than this are not registered: masking a short value by value would rewrite
// ordinary words and numbers everywhere ("test", "2024", "admin" in every log line), and a secret
// that short is masked by the key/value patterns where it is labelled anyway.
inline constexpr size_t kMinRegisteredSecretChars = 8;

// Registers one secret value (and its JSON-escaped spelling when that differs). Returns false,
// registering nothing, when the value is shorter than kMinRegisteredSecretChars.
bool RegisterSecretValue(std::string_view value);

// Registers a secret URL, such as a Slack/Lark incoming webhook whose path is the credential:
// the whole URL, its path (with the query), its last path segment when it has 16 or more
// characters (the token part, which error bodies echo on their own), and the userinfo password.
void RegisterSecretUrl(std::string_view url);

// Forgets every registered value. For tests, which register their own.
void ClearRegisteredSecrets();

// The URL without its userinfo ("https://user:pw@host/x" -> "https://host/x"); text without
// "scheme://...@" is returned unchanged. For printing configured URLs.
std::string UrlWithoutUserinfo(std::string_view url);

// True when `url` carries userinfo ("scheme://user[:password]@host...").
bool UrlHasUserinfo(std::string_view url);

}  // namespace rh
