// Input validation: checks a tool call's JSON input against the tool's JSON Schema before the
// tool runs, so a tool only ever sees well-formed input and a model gets an error that says
// exactly what to fix.
//
// The supported subset (what our tool schemas use; CheckSchemaSupported refuses anything else
// at registration so a schema can never silently mean more than we check):
//   type: object | string | integer | number | boolean | array
//   object: properties, required, additionalProperties (false only)
//   string: enum, pattern (ECMAScript regex, searched like JSON Schema does), minLength,
//           maxLength
//   integer/number: minimum, maximum, enum
//   array: items, minItems, maxItems
//   annotations: description, default, examples, title
// ValidateInput returns a normalised copy: "default" values filled in for missing optional
// properties, and integral floats (24.0) turned into integers.
// Errors are invalid_argument; the message lists up to five problems, each as
// "<path>: <problem>; got <value>", e.g. "window_hours: must be <= 336; got 500".
// Thread-safety: pure functions (compiled patterns are cached behind a mutex).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace rh::tools {

// The pattern every cluster/account id must match (core/ids.h IsValidResourceId).
inline constexpr std::string_view kResourceIdPattern = "^[a-z0-9-]{1,64}$";

Result<Json> ValidateInput(const Json& schema, const Json& input);

// invalid_argument naming the first unsupported keyword or malformed part of `schema`.
Status CheckSchemaSupported(const Json& schema);

}  // namespace rh::tools
