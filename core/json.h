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

// The deepest nesting of arrays and objects Rockhound accepts in JSON text. nlohmann's parser and
// destructor are iterative, but copying, comparing, dumping and validating a value recurse once
// per level: 150,000 levels of '[' (300 KB, under any body limit) overflow the stack. So every
// JSON entry point (HTTP bodies, MCP messages, tool inputs, model responses, stored rows) parses
// through ParseJson, which refuses deeper text BEFORE building a value: no Json value in the
// process is deeper than this unless code builds it.
inline constexpr int kMaxJsonDepth = 64;

// ok when no array or object in `text` is nested deeper than `max_depth`, else invalid_argument
// naming `what`: "nesting deeper than 64 levels at byte N" (N: 1-based offset of the first
// bracket too deep). One linear pass that skips strings (escapes included) and builds nothing;
// it does not otherwise validate the text.
Status CheckJsonDepth(std::string_view text, std::string_view what = "json",
                      int max_depth = kMaxJsonDepth);

// Parses text after CheckJsonDepth. A syntax error becomes invalid_argument naming `what` and the
// byte offset (secrets in the parser's message are masked), nesting deeper than `max_depth`
// invalid_argument as above.
Result<Json> ParseJson(std::string_view text, std::string_view what = "json",
                       int max_depth = kMaxJsonDepth);
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what = "json",
                                     int max_depth = kMaxJsonDepth);

// Serialises compactly; invalid UTF-8 in strings is replaced rather than thrown on.
std::string DumpJson(const Json& value, int indent = -1);
std::string DumpJson(const OrderedJson& value, int indent = -1);

// Typed field access that never throws: missing or wrong-typed fields give the default.
std::string JsonString(const Json& object, std::string_view key, std::string_view fallback = "");
double JsonNumber(const Json& object, std::string_view key, double fallback = 0.0);
long long JsonInt(const Json& object, std::string_view key, long long fallback = 0);
bool JsonBool(const Json& object, std::string_view key, bool fallback = false);

// The domain enums (core/severity.h, core/risk_level.h, core/root_cause.h, core/engine_kind.h)
// go to and come from JSON by name, through their Name and Parse functions; nlohmann would
// silently write them as numbers, so converting one implicitly does not compile.
enum class Severity;
enum class RiskLevel;
enum class RootCause;
enum class EngineKind;
template <typename AnyJson> void to_json(AnyJson&, Severity) = delete;
template <typename AnyJson> void to_json(AnyJson&, RiskLevel) = delete;
template <typename AnyJson> void to_json(AnyJson&, RootCause) = delete;
template <typename AnyJson> void to_json(AnyJson&, EngineKind) = delete;
template <typename AnyJson> void from_json(const AnyJson&, Severity&) = delete;
template <typename AnyJson> void from_json(const AnyJson&, RiskLevel&) = delete;
template <typename AnyJson> void from_json(const AnyJson&, RootCause&) = delete;
template <typename AnyJson> void from_json(const AnyJson&, EngineKind&) = delete;

}  // namespace rh
