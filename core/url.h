// URL text helpers shared by every module that builds a link or a query string.
// Thread-safety: all functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rh {

// Percent-encodes `text` for a URL query value or fragment (RFC 3986): the unreserved characters
// A-Z a-z 0-9 - . _ ~ stay as they are, every other byte becomes %XX (upper-case hex).
std::string PercentEncode(std::string_view text);

// Appends the percent-encoding of `text` to `out` (no intermediate string).
void AppendPercentEncoded(std::string_view text, std::string& out);

}  // namespace rh
