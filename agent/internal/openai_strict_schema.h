// Structured outputs for the OpenAI-compatible client (agent.openai_strict_schema): OpenAI's
// strict mode (a function's `strict: true`, response_format json_schema) accepts only schemas
// whose every object lists all its properties in `required` and sets additionalProperties
// false; an optional property is expressed as one that may be null. The tools the loop marks
// strict already carry the strict subset of agent/internal/anthropic_strict_schema.h (no
// min/max/pattern keywords: they are in the descriptions); OpenAiStrictSchema adds the rest,
// and DropNullOptionals turns the model's nulls back into absent optional fields before the
// report is validated locally (ParseReport).
// Thread-safety: pure functions.
#pragma once

#include "core/json.h"

namespace rh::agent::internal {

// `schema` with every object's properties all required (formerly optional ones nullable:
// "null" added to their type or enum, or an anyOf with {"type": "null"}) and
// additionalProperties false, recursively through properties, items, anyOf and oneOf.
Json OpenAiStrictSchema(const Json& schema);

// `value` without the null members that `schema` (the original, not the strict one) does not
// require, recursively.
Json DropNullOptionals(const Json& value, const Json& schema);

}  // namespace rh::agent::internal
