#include "agent/internal/anthropic_strict_schema.h"

#include <string>
#include <string_view>

namespace rh::agent::internal {
namespace {

// The keywords strict mode does not enforce, in the order they are described.
constexpr std::string_view kRelocated[] = {"minimum",   "maximum",   "exclusiveMinimum",
                                           "exclusiveMaximum", "multipleOf", "minLength",
                                           "maxLength", "pattern",   "maxItems",
                                           "uniqueItems"};

std::string ValueText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Json Transform(const Json& schema) {
  if (!schema.is_object()) return schema;
  Json out = Json::object();
  std::string moved;
  auto note = [&](std::string_view key, const Json& value) {
    moved += (moved.empty() ? "" : ", ") + std::string(key) + ": " + ValueText(value);
  };
  for (const auto& [key, value] : schema.items()) {
    bool relocated = false;
    for (std::string_view name : kRelocated) relocated = relocated || key == name;
    if (relocated) {
      // described below, in kRelocated's order
    } else if (key == "title") {
      // dropped, as the SDKs do
    } else if (key == "minItems") {
      if (value.is_number_integer() && value.get<long long>() <= 1) {
        out[key] = value;
      } else {
        note(key, value);
      }
    } else if (key == "properties" && value.is_object()) {
      Json properties = Json::object();
      for (const auto& [name, property] : value.items()) properties[name] = Transform(property);
      out[key] = std::move(properties);
    } else if ((key == "items" || key == "additionalProperties") && value.is_object()) {
      out[key] = Transform(value);
    } else if ((key == "anyOf" || key == "allOf") && value.is_array()) {
      Json branches = Json::array();
      for (const Json& branch : value) branches.push_back(Transform(branch));
      out[key] = std::move(branches);
    } else if ((key == "$defs" || key == "definitions") && value.is_object()) {
      Json definitions = Json::object();
      for (const auto& [name, definition] : value.items()) {
        definitions[name] = Transform(definition);
      }
      out[key] = std::move(definitions);
    } else {
      out[key] = value;
    }
  }
  for (std::string_view name : kRelocated) {
    if (auto it = schema.find(std::string(name)); it != schema.end()) note(name, *it);
  }
  if (JsonString(out, "type") == "object") out["additionalProperties"] = false;
  if (!moved.empty()) {
    std::string description = JsonString(out, "description");
    out["description"] = description + (description.empty() ? "" : "\n\n") + "{" + moved + "}";
  }
  return out;
}

}  // namespace

Json StrictToolSchema(const Json& schema) { return Transform(schema); }

}  // namespace rh::agent::internal
