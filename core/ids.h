// Identifiers: "<prefix>_<26 chars>", time-ordered (like ULID: 10 chars of milliseconds since
// the epoch, then 16 random chars, Crockford base32, lower case), e.g. "tsk_01jd3x...".
// Sorting ids sorts by creation time. Also SHA-256 (hex) for content hashes and idempotency
// keys (webhook message ids, knowledge chunk hashes).
// Thread-safety: all functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"

namespace rh {

std::string NewId(std::string_view prefix, TimePoint now);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// True when `id` matches [a-z0-9-]{1,64}: the shape of every cluster/account id a tool accepts.
bool IsValidResourceId(std::string_view id);

}  // namespace rh
