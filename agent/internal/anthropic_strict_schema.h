// StrictToolSchema: a tool's JSON Schema rewritten to the subset Anthropic's strict tool use
// (`"strict": true`, structured outputs) accepts, the way the official SDKs' transform_schema
// does it: every object gets `additionalProperties: false`; the keywords the grammar cannot
// enforce (minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
// maxLength, pattern, maxItems, uniqueItems, minItems other than 0 or 1, title) are removed and
// appended to the description as "{minimum: 0, maximum: 1}" so the model still reads them.
// The caller validates those constraints itself (ParseReport does, for submit_report).
// An object without `properties` becomes an object that accepts nothing: give free-form objects
// their properties (optional ones may stay out of `required`) before making them strict.
// Thread-safety: a pure function.
#pragma once

#include "core/json.h"

namespace rh::agent::internal {

Json StrictToolSchema(const Json& schema);

}  // namespace rh::agent::internal
