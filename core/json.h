// JSON at Rockhound's edges (nlohmann::json). JSON stays at the edges: parse it here into plain
// structs early, and turn structs into JSON only to send or store them.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace rh {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Parses text; a syntax error becomes invalid_argument naming `what` and the byte offset.
Result<Json> ParseJson(std::string_view text, std::string_view what = "json");
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what = "json");

// Serialises compactly; invalid UTF-8 in strings is replaced rather than thrown on.
std::string DumpJson(const Json& value, int indent = -1);
std::string DumpJson(const OrderedJson& value, int indent = -1);

// Typed field access that never throws: missing or wrong-typed fields give the default.
std::string JsonString(const Json& object, std::string_view key, std::string_view fallback = "");
double JsonNumber(const Json& object, std::string_view key, double fallback = 0.0);
long long JsonInt(const Json& object, std::string_view key, long long fallback = 0);
bool JsonBool(const Json& object, std::string_view key, bool fallback = false);

}  // namespace rh
